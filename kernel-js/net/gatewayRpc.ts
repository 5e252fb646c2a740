import type { Duplex } from 'node:stream';
import { RpcConnection, answer } from './RpcConnection.js';
import { Gateway } from './gateway.js';
import { boardRemote, boardServer, sessionRemote, sessionServer } from './gatewayCapabilities.js';
import { helloWriter, readHello } from './gatewayCodec.js';
import type { BoardHandlers, GatewayHandlers, Hello, SessionRemote } from './gatewayTypes.js';

export type * from './gatewayTypes.js';
export { RemoteError } from './RemoteError.js';
export { RpcError } from './RpcError.js';

export interface GatewayRpcOptions {
  /**
   * Called once when the connection ends: with no error after close() on this side, with an
   * RpcError when the other side went away, the socket failed or the peer broke the protocol.
   * By then every call still waiting for an answer, on either side, has been rejected.
   */
  readonly onClose?: (error?: Error) => void;
}

/**
 * The gateway's side of one board's connection (an accepted TLS socket): serves `gateway` as
 * the bootstrap capability. Each enrol hands the handlers the board's own capability, through
 * which the gateway offers, commits and reverts over the same connection.
 */
export function serveGatewayRpc(socket: Duplex, gateway: GatewayHandlers, options: GatewayRpcOptions = {}): { close(): void } {
  const link = new RpcConnection(socket, options.onClose);
  link.conn.initMain(Gateway, {
    enrol: (params, results) =>
      answer(async () => {
        const hello = readHello(params.hello);
        const board = boardRemote(link, params.board);
        results.session = sessionServer(link, await gateway.enrol(hello, board));
      }),
  });
  return { close: () => link.close() };
}

/**
 * The board's side: enrols with the gateway at the other end of `socket` (a TLS socket,
 * connected or still handshaking), handing it `board` to call, and answers the session to
 * send heartbeats and reports through. If enrolment fails the connection is closed.
 */
export async function connectGatewayRpc(
  socket: Duplex,
  hello: Hello,
  board: BoardHandlers,
  options: GatewayRpcOptions = {},
): Promise<{ session: SessionRemote; close(): void }> {
  const writeHello = helloWriter(hello);
  const link = new RpcConnection(socket, options.onClose);
  const gateway = link.conn.bootstrap(Gateway);
  try {
    const results = await link.call('Gateway.enrol', () =>
      gateway
        .enrol((params) => {
          writeHello(params._initHello());
          params.board = boardServer(board);
        })
        .promise(),
    );
    return { session: sessionRemote(link, results.session), close: () => link.close() };
  } catch (error) {
    link.close();
    throw error;
  }
}
