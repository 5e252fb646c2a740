import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { boardFiles } from '../boot/boardDirectory.js';

/** What a board shows the gateway and checks it with: its identity key and certificate, and the building CA. */
export interface AgentCredentials {
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
}

export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
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

/** Parses `HOST:PORT` (an IPv6 host in brackets), naming `what` in the error. Port 0 (any free port) only where `anyPort` allows it: a listener. */
export function parseGatewayAddress(text: string, what: string, anyPort = false): GatewayAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port < (anyPort ? 0 : 1) || port > 65535) {
    throw new InputError('agent.bad-gateway-address', `${what}: ${JSON.stringify(text)} is not HOST:PORT`, { hint: 'write it as 192.168.1.10:7443, gateway.local:7443 or [::1]:7443', data: { value: text } });
  }
  return { host, port };
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
  return parseGatewayAddress(`${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}`, file);
}
