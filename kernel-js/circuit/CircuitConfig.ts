/** Which end of a circuit a board holds: the one where the app's fragment runs, or the one where the device is wired. */
export type CircuitEndName = 'app' | 'device';

/**
 * One circuit as the builder writes it into each endpoint board's signed configuration
 * (`configs/<board>.json`, field `circuits`). Both boards get the same record; each picks its
 * end by board id. The key is pairwise: only these two boards hold it, so a datagram that
 * opens with it came from the other end.
 */
export interface CircuitConfig {
  /** `INSTANCE/NEED`, such as `lights@meeting-1/lamp`; also the HKDF salt and the source of the circuit tag. */
  readonly id: string;
  readonly kind: 'control' | 'stream';
  /** Which way the planner expects data to flow; the transport carries both ways (docs/circuits.md says why). */
  readonly direction: 'to-app' | 'from-app' | 'both';
  readonly app: { readonly board: string; readonly instance: string; readonly need: string; readonly address: string };
  /** The far device; `settings` are its driver settings (an audio device's rate and channels), given on stream circuits only. */
  readonly device: { readonly board: string; readonly device: string; readonly driver: string; readonly address: string; readonly settings?: Readonly<Record<string, unknown>> };
  /** 64 hex characters: the 32-byte key both ends derive their direction keys from. */
  readonly key: string;
}
