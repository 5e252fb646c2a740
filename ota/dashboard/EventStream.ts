import type { IncomingMessage, ServerResponse } from 'node:http';

/** How often an idle stream says it is alive, so proxies and browsers keep it open. */
const keepAliveMs = 15_000;

/**
 * Server-sent events to every open dashboard page (GET /api/events): each message an event
 * name and one JSON value. A page that goes away is dropped; the browser's EventSource
 * reconnects by itself and the page reads everything afresh when it does.
 */
export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  readonly #timer: NodeJS.Timeout;

  constructor() {
    this.#timer = setInterval(() => {
      for (const client of this.#clients) client.write(': alive\n\n');
    }, keepAliveMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#clients.size;
  }

  /** Takes a page's request for the stream, and sends it `first` at once. */
  open(request: IncomingMessage, response: ServerResponse, first: readonly (readonly [string, unknown])[]): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write('retry: 1000\n\n');
    this.#clients.add(response);
    request.once('close', () => this.#clients.delete(response));
    for (const [event, data] of first) write(response, event, data);
  }

  send(event: string, data: unknown): void {
    for (const client of this.#clients) write(client, event, data);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }
}

function write(response: ServerResponse, event: string, data: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
