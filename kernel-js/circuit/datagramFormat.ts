/**
 * The layout of one circuit datagram (docs/circuits.md, "Wire format"):
 *
 *   0   version        1 byte
 *   1   kind           1 byte (circuitKindCodes)
 *   2   circuit tag    8 bytes, the first 8 bytes of SHA-256 of the circuit id
 *   10  sequence       8 bytes, unsigned, big-endian
 *   18  ciphertext     as long as the message
 *   ..  AEAD tag       16 bytes
 *
 * The 18-byte header is the AEAD's additional data, so none of it can be changed unnoticed.
 */
export const datagramVersion = 1;

/** The kind byte: a datagram for a control circuit is refused by a stream end and the other way round. */
export const circuitKindCodes = { control: 1, stream: 2 } as const;

/** Where the circuit tag starts and how long it is: a mux reads only this to route a datagram. */
export const tagOffset = 2;
export const tagBytes = 8;
/** Where the sequence starts. */
export const sequenceOffset = 10;
/** The header, which is also the AEAD's additional data. */
export const headerBytes = 18;
/** The AEAD's authentication tag, at the end. */
export const authTagBytes = 16;
/** The shortest datagram: a header, an empty message and the tag. */
export const minDatagramBytes = headerBytes + authTagBytes;
/** The largest UDP payload over IPv4; a circuit's messages must fit in it with the overhead. */
export const maxDatagramBytes = 65_507;
