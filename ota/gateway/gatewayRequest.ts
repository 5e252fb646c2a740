import { replyJson, simRequest } from '../../image/sim/simControlClient.js';
import { InputError } from '../../lib/OsmoseError.js';
import { gatewayControlSocket } from './gatewayControlServer.js';

/** One request to the building's running gateway, over its control socket; its JSON answer. */
export async function gatewayRequest<T>(root: string, method: string, path: string, body?: object): Promise<T> {
  const socket = gatewayControlSocket(root);
  const reply = await simRequest(socket, method, path, body, () => new InputError('gateway.not-running', `no gateway runs for this building (nothing answers on ${socket})`, { hint: 'start one with osmose gateway (or osmose sim --listen HOST:PORT) in another shell', data: { socket } }));
  return replyJson<T>(reply);
}
