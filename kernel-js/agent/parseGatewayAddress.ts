import { isIP } from 'node:net';
import { InputError } from '../../lib/OsmoseError.js';

/** Where a board dials its gateway: written to `gateway.json` in the board's state partition. */
export interface GatewayAddress {
  /** A host name or an IP address (an IPv6 one without brackets). */
  readonly host: string;
  readonly port: number;
}

const hostNamePattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * `HOST:PORT` as an operator writes it (`gateway.local:4443`, `192.168.1.10:4443`,
 * `[fd00::1]:4443`), checked whole: a board flashed with a gateway it cannot dial would only
 * show it by never coming online. `what` names where it came from (`--gateway`, a file) in the
 * refusal; port 0 (any free port) only where `anyPort` allows it, for a listener.
 */
export function parseGatewayAddress(text: string, what = '--gateway', anyPort = false): GatewayAddress {
  const refuse = (problem: string): InputError =>
    new InputError('gateway.bad-address', `${what} ${JSON.stringify(text)}: ${problem}`, {
      hint: 'give HOST:PORT, such as gateway.local:4443, 192.168.1.10:4443 or [fd00::1]:4443',
      data: { gateway: text },
    });
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(text.trim());
  if (match === null) throw refuse(text.split(':').length > 2 ? 'write an IPv6 address in brackets' : 'it has no :PORT');
  const bracketed = match[1];
  const host = bracketed ?? match[2] ?? '';
  const portText = match[3] ?? '';
  if (host === '') throw refuse('the host is missing');
  if (bracketed !== undefined ? isIP(host) !== 6 : isIP(host) === 0 && !hostNamePattern.test(host)) {
    throw refuse(bracketed !== undefined ? `${host} is not an IPv6 address` : `${host} is neither a host name nor an IP address`);
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < (anyPort ? 0 : 1) || Number(portText) > 65535) throw refuse(`the port ${JSON.stringify(portText)} is not a number from ${anyPort ? 0 : 1} to 65535`);
  return { host: isIP(host) === 0 ? host.toLowerCase() : host, port: Number(portText) };
}
