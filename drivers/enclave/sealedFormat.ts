import { DriverError } from '../DriverError.js';

/**
 * The layout of what an enclave seals, fixed so that someone outside the board who holds the
 * key (a participant who unwrapped it) can open it with openSealed: version byte ‖ 12-byte IV ‖
 * 16-byte tag ‖ AES-256-GCM ciphertext, the version byte authenticated as associated data.
 */
export const sealedFormat = {
  version: 1,
  ivBytes: 12,
  tagBytes: 16,
  /** Bytes a sealed record has beyond its plaintext. */
  overhead: 1 + 12 + 16,
  keyBytes: 32,
} as const;

/** The one failure of opening sealed data: which of a changed byte or a wrong key it was is not told apart. */
export function sealedTampered(cause?: unknown): DriverError {
  return new DriverError('enclave.tampered', 'sealed data does not open: it was changed, or sealed under another key', {
    ...(cause === undefined ? {} : { cause }),
  });
}
