import { isIP } from 'node:net';
import { parseGatewayAddress } from '../agent/parseGatewayAddress.js';
import type { CircuitConfig } from './CircuitConfig.js';
import { formatHostPort } from '../agent/formatHostPort.js';

/** The `HOST:PORT` a board's circuits reach it at, from its configuration; undefined for a board that ends no circuit. */
export function boardCircuitAddress(board: string, circuits: readonly CircuitConfig[]): string | undefined {
  const circuit = circuits.find((c) => c.app.board === board || c.device.board === board);
  if (circuit === undefined) return undefined;
  return circuit.app.board === board ? circuit.app.address : circuit.device.address;
}

/**
 * What a board binds its circuit socket to: the address itself when it names an IP (the
 * simulator's loopback addresses), otherwise every interface on that port, since a name such as
 * `door.local` is how the peers find the board, not an address it can bind.
 */
export function circuitBindAddress(address: string): string {
  const { host, port } = parseGatewayAddress(address, 'circuit address');
  return isIP(host) === 0 ? formatHostPort('0.0.0.0', port) : formatHostPort(host, port);
}
