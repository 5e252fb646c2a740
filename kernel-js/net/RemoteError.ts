import { OsmoseError, type ErrorData } from '../../lib/OsmoseError.js';

/**
 * A handler on the other side of the link threw. It carries what that error carried: its
 * message unchanged, and its `code`, `hint` and `data` when it had them (an OsmoseError, or
 * a Node error with a string `code`); `rpc.remote-failed` stands in for a missing code.
 * `method` names the call that failed (`Session.heartbeat`), so a log says which one.
 */
export class RemoteError extends OsmoseError {
  readonly method: string;

  constructor(method: string, code: string, message: string, options: { hint?: string; data?: ErrorData } = {}) {
    super(code, message, options);
    this.method = method;
  }
}

/**
 * What a Cap'n Proto exception's reason holds when the error had a code: this prefix, then
 * the error as JSON. An error without a code travels as its bare message, which is what a
 * peer written in another language shows anyway.
 */
const codedPrefix = 'osmose-error ';

interface CodedReason {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly data?: ErrorData;
}

/** The exception reason that stands for `error` on the wire (see codedPrefix). */
export function encodeRemoteError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const { code, hint, data } = error as { code?: unknown; hint?: unknown; data?: unknown };
  if (typeof code !== 'string') return new Error(error.message);
  const reason: CodedReason = {
    code,
    message: error.message,
    ...(typeof hint === 'string' ? { hint } : {}),
    ...(typeof data === 'object' && data !== null ? { data: data as ErrorData } : {}),
  };
  return new Error(codedPrefix + JSON.stringify(reason));
}

/**
 * capnp-es rejects a call whose handler threw with "CAPNP-TS116 RPC method failed at
 * FILE:Interface.method(): REASON" (and a failed bootstrap with "CAPNP-TS117 RPC call failed,
 * reason: REASON"); this takes the reason back out and rebuilds the error from it. Anything
 * else (an RpcError from a dropped link, a local bug) passes through as it is.
 */
export function decodeRemoteError(method: string, error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const match = /^CAPNP-TS11[67] (?:RPC method failed at .*?\(\): |RPC call failed, reason: )(.*)$/s.exec(error.message);
  if (match === null) return error;
  const reason = match[1] ?? '';
  if (reason.startsWith(codedPrefix)) {
    try {
      const coded = JSON.parse(reason.slice(codedPrefix.length)) as CodedReason;
      if (typeof coded.code === 'string' && typeof coded.message === 'string') {
        return new RemoteError(method, coded.code, coded.message, {
          ...(typeof coded.hint === 'string' ? { hint: coded.hint } : {}),
          ...(typeof coded.data === 'object' && coded.data !== null ? { data: coded.data } : {}),
        });
      }
    } catch {
      // Not ours after all: keep the reason as the message.
    }
  }
  return new RemoteError(method, 'rpc.remote-failed', reason);
}
