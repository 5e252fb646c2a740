import { isIP } from 'node:net';
import { InputError } from '../../lib/OsmoseError.js';
import { parseGatewayAddress } from '../agent/parseGatewayAddress.js';
import { StreamLink, type StreamLinkOptions } from './StreamLink.js';
import type { StreamListener } from './StreamListener.js';

/** The fields of a circuit in a board's signed configuration (`circuits`) that a stream link needs. */
export interface StreamCircuitRecord {
  readonly id: string;
  readonly kind: string;
  readonly app: { readonly board: string; readonly address: string };
  readonly device: { readonly board: string; readonly address: string };
  /** 64 hex digits: the circuit's 32-byte pairwise key. */
  readonly key: string;
  /** Bytes a second the planner reserved for the circuit (null or absent: none). */
  readonly bandwidth?: number | null;
}

/** Seconds of the reserved rate a link may send at once, when that is more than one largest message. */
const burstSeconds = 0.25;

/** What a board may tune on its end of a stream circuit; the rest comes from the configuration. */
export type StreamCircuitOptions = Omit<StreamLinkOptions, 'circuit' | 'key' | 'end' | 'address' | 'listener'> & {
  /** The board's stream listener (the app end): one per board, shared by its stream circuits. Without it the app end listens on its own. */
  readonly listener?: StreamListener;
};

/**
 * Opens `board`'s end of a stream circuit as its configuration describes it: the app's board
 * listens (on `listener`, or on the circuit's app address), the device's board dials the app
 * address, and what each end sends keeps to the bandwidth the planner reserved (a burst of a
 * quarter second's worth, or one largest message when that is more). A record this board is not an end of, that is not a stream, or whose key or address
 * is malformed, is refused: the builder never writes one, so it names the field to rebuild.
 */
export async function openStreamCircuit(circuit: StreamCircuitRecord, board: string, options: StreamCircuitOptions = {}): Promise<StreamLink> {
  const refuse = (field: string, problem: string): InputError =>
    new InputError('stream.bad-circuit', `circuit ${circuit.id}: ${field} ${problem}`, { hint: "rebuild the board's configuration with osmose build", data: { circuit: circuit.id, field } });
  if (circuit.kind !== 'stream') throw refuse('kind', `is ${JSON.stringify(circuit.kind)}; a stream link carries only stream circuits`);
  const isApp = circuit.app.board === board;
  if (isApp === (circuit.device.board === board)) throw refuse('app.board and device.board', `are ${circuit.app.board} and ${circuit.device.board}; board ${board} must be exactly one of them`);
  if (!/^[0-9a-f]{64}$/i.test(circuit.key)) throw refuse('key', 'is not 64 hex digits');
  const address = parseGatewayAddress(circuit.app.address, `circuit ${circuit.id} app.address`);
  const { listener, ...tuning } = options;
  const bandwidth = circuit.bandwidth ?? undefined;
  if (bandwidth !== undefined && !(Number.isFinite(bandwidth) && bandwidth > 0)) throw refuse('bandwidth', `is ${bandwidth}, not a positive number of bytes a second`);
  const maxMessageBytes = tuning.maxMessageBytes ?? 64 * 1024;
  return StreamLink.open({
    // The planner's reservation, unless the board was given one of its own.
    ...(bandwidth === undefined ? {} : { reservation: { bytesPerSecond: bandwidth, burstBytes: Math.max(maxMessageBytes, Math.ceil(bandwidth * burstSeconds)) } }),
    ...tuning,
    circuit: circuit.id,
    key: Buffer.from(circuit.key, 'hex'),
    end: isApp ? 'app' : 'device',
    // A host name is how the device's board finds the app's; the app's board binds every interface.
    address: isApp && isIP(address.host) === 0 ? { host: '0.0.0.0', port: address.port } : address,
    ...(listener === undefined ? {} : { listener }),
  });
}
