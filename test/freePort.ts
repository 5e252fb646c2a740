import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A loopback port nobody holds now, found by letting the system pick one and giving it back.
 * TCP and UDP number their ports alike, so it serves either; another process may take it in
 * between, which on a test machine is rare enough to be worth the simplicity.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('the system gave no port');
  return address.port;
}
