import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { boardFiles } from '../boot/boardDirectory.js';
import { parseGatewayAddress, type GatewayAddress } from './parseGatewayAddress.js';
import { formatHostPort } from './formatHostPort.js';

export type { GatewayAddress } from './parseGatewayAddress.js';
export { parseGatewayAddress } from './parseGatewayAddress.js';

/** What a board shows the gateway and checks it with: its identity key and certificate, and the building CA. */
export interface AgentCredentials {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}


/** The name every gateway certificate carries, which boards ask for whatever address they dial. */
export const gatewayServerName = 'osmose-gateway';

/** Reads identity.pem, identity.crt and building-ca.crt from a board directory. */
export function readAgentCredentials(dir: string): AgentCredentials {
  const read = (file: string): string => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (cause) {
      throw new InputError('agent.no-credentials', `the board directory has no ${file} (${join(dir, file)}): the update agent cannot prove who it is to the gateway`, {
        hint: 'make the board\'s image with `osmose image BOARD` (it writes the identity key, its certificate and the building CA), or boot without --gateway',
        data: { dir, file },
        cause,
      });
    }
  };
  return { key: read(boardFiles.identityKey), cert: read(boardFiles.identityCert), ca: read(boardFiles.buildingCa) };
}

/** gateway.json of a board directory, or undefined when the board was made without one. */
export function readGatewayAddress(dir: string): GatewayAddress | undefined {
  const file = join(dir, boardFiles.gateway);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError('agent.bad-gateway-file', `${file} is not JSON`, { hint: 'it holds { "host": "...", "port": 7443 }; osmose image BOARD --gateway HOST:PORT writes it', data: { file }, cause });
  }
  const v = value as { host?: unknown; port?: unknown };
  if (typeof v.host !== 'string' || typeof v.port !== 'number') {
    throw new InputError('agent.bad-gateway-file', `${file} needs a string "host" and a number "port"`, { hint: 'osmose image BOARD --gateway HOST:PORT writes it', data: { file } });
  }
  return parseGatewayAddress(formatHostPort(v.host, v.port), file);
}
