import type { FetchAnswer } from '../../kernel-js/net/gatewayTypes.js';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';

export interface FetchLimits {
  /** The largest body passed on to the board; a larger one is an error, never cut short. */
  readonly maxBytes: number;
  /** How long the request may take, from the request to the body's last byte. */
  readonly timeoutMs: number;
}

/** 1 MiB and 10 s: enough for a forecast or a calendar, and a board's RPC frame stays small. */
export const defaultFetchLimits: FetchLimits = { maxBytes: 1024 * 1024, timeoutMs: 10_000 };

/**
 * A GET of an http or https URL made by the gateway for a fragment granted `network.external`
 * (the board itself has no route out). The body is read as it comes and given up past
 * `maxBytes`, so a huge or endless answer costs the gateway no more than the cap.
 */
export async function fetchExternal(url: string, limits: FetchLimits = defaultFetchLimits): Promise<FetchAnswer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('network.bad-url', `${JSON.stringify(url)} is not a URL`, { hint: 'give an absolute http:// or https:// URL', data: { url } });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError('network.bad-url', `${url}: only http and https URLs can be fetched, not ${parsed.protocol.replace(/:$/, '')}`, { hint: 'give an absolute http:// or https:// URL', data: { url } });
  }
  const tooLarge = (): OsmoseError => new OsmoseError('network.too-large', `GET ${url} answered more than ${limits.maxBytes} bytes, the gateway's cap`, { hint: 'ask for less (a smaller resource, a range), or raise the cap of the gateway', data: { url, maxBytes: limits.maxBytes } });
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const response = await fetch(parsed, { signal, redirect: 'follow' });
    const length = Number(response.headers.get('content-length') ?? Number.NaN);
    if (length > limits.maxBytes) {
      await response.body?.cancel();
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (response.body !== null) {
      // Leaving the loop early cancels the stream: the rest of a too-large body is never read.
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        received += chunk.length;
        if (received > limits.maxBytes) throw tooLarge();
        chunks.push(chunk);
      }
    }
    const body = new Uint8Array(received);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
  } catch (error) {
    if (error instanceof OsmoseError) throw error;
    const why = signal.aborted ? `no answer within ${limits.timeoutMs} ms` : causeOf(error);
    throw new OsmoseError('network.failed', `GET ${url} failed: ${why}`, { hint: 'check that the gateway reaches that host', data: { url } });
  }
}

/** undici's "fetch failed" hides the reason (ECONNREFUSED, a DNS failure) in its cause. */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
