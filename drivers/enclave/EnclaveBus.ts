/**
 * The backend an enclave driver receives: a secure element, a TPM, a TEE, or the simulated
 * one. It does the cryptography, so key bytes exist only on its side; the driver holds slot
 * numbers. Failures are DriverErrors with the `enclave.*` codes.
 */
export interface EnclaveBus {
  /** Makes a fresh key bound to `context` (a digest of the group's members); returns its slot. */
  freshKey(context: Uint8Array): number;
  /** Derives the device-bound key for `label`; returns its slot. */
  derivedKey(label: string): number;
  /** The key in `slot` wrapped for `recipient` under `context` (wrapKeyFor); device-bound keys are `enclave.not-wrappable`. */
  wrap(slot: number, recipient: Uint8Array, context: Uint8Array): Uint8Array;
  seal(slot: number, data: Uint8Array): Uint8Array;
  open(slot: number, sealed: Uint8Array): Uint8Array;
  destroy(slot: number): void;
}
