import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { clearBytes, FrameCipher, frameHeaderBytes, frameTypes, tagBytes, type FrameType } from './FrameCipher.js';
import { FrameSplitter } from './FrameSplitter.js';
import { nextLinkState, type LinkState } from './linkTable.js';
import { helloKey, sessionKeys, type StreamDirection } from './streamKeys.js';
import { streamTag, streamTagBytes } from './streamTag.js';

/** Which end of the circuit a link serves: the app's board listens, the device's board dials. */
export type LinkEnd = 'app' | 'device';

/**
 * Why a connection ended: its first frames did not authenticate (`refused`), a frame on the
 * open connection did not (`forged`), an authenticated frame broke the protocol (`violation`:
 * past its credit, a type out of place), the handshake took too long (`timed-out`), the
 * socket went away (`cut`), a newer connection took its place (`replaced`) or the link was
 * closed (`closed`).
 */
export type ConnectionEnd = 'refused' | 'forged' | 'violation' | 'timed-out' | 'cut' | 'replaced' | 'closed';

export interface LinkConnectionOptions {
  readonly socket: Socket;
  /** Bytes already read from the socket (the app end's listener reads the hello's start to route it). */
  readonly initial?: Buffer;
  readonly end: LinkEnd;
  readonly circuit: string;
  readonly key: Uint8Array;
  readonly maxMessageBytes: number;
  readonly handshakeTimeoutMs: number;
  /** The receive window to grant the other side as the connection opens. */
  readonly window: () => number;
  readonly onOpen: (connection: LinkConnection) => void;
  /** An authenticated message within its credit; `cost` is what it counts against the window. */
  readonly onData: (connection: LinkConnection, payload: Uint8Array, cost: number) => void;
  readonly onCredit: (connection: LinkConnection) => void;
  readonly onEnd: (connection: LinkConnection, why: ConnectionEnd) => void;
}

const randomBytesCount = 16;
const creditBytes = 4;
/** Each message in a data frame: its 4-byte big-endian length, then its bytes. */
const lengthBytes = 4;

/**
 * The most message bytes (with their lengths) one data frame carries: 64 KiB, or one largest
 * message. Both ends derive it from maxMessageBytes, so they agree on the largest frame.
 */
export function batchBytes(maxMessageBytes: number): number {
  return Math.max(64 * 1024, lengthBytes + maxMessageBytes);
}

/** What a message counts against the window: its bytes, and at least one, so empty messages cannot pile up for free. */
export function messageCost(length: number): number {
  return Math.max(1, length);
}

/**
 * One TCP connection of a stream link, from the first byte to its end: the handshake of
 * linkTable.ts, then sealed frames each way, with the credit each side has left to send and the
 * credit it granted the other. The device end dials and sends the hello; the app end listens.
 * Anything that does not authenticate or breaks the protocol ends the connection at once; the
 * link decides what follows (count it, dial again).
 *
 * Messages sent in the same tick of the event loop travel in one data frame (up to batchBytes):
 * a GCM cipher is set up once a frame, and setting one up costs about as much as sealing 4 KiB,
 * so a producer that sends in bursts pays it once a burst. A lone message still leaves at the
 * end of its tick, as it would have anyway with the socket corked.
 */
export class LinkConnection {
  /** Bytes this side may still send: what the other side granted, less what was sent since. */
  credit = 0;
  #state: LinkState;
  /** Bytes the other side may still send, as this side granted them. */
  #peerCredit = 0;
  readonly #options: LinkConnectionOptions;
  readonly #socket: Socket;
  readonly #splitter: FrameSplitter;
  readonly #hello: FrameCipher;
  #send: FrameCipher | undefined;
  #receive: FrameCipher | undefined;
  #dialerRandom: Buffer | undefined;
  readonly #tag: Buffer;
  readonly #timer: NodeJS.Timeout;
  #ended = false;
  #corked = false;
  /** Messages of this tick, each with its length, waiting to be sealed as one frame; reused from frame to frame. */
  readonly #batch: Buffer;
  #batchUsed = 0;

  constructor(options: LinkConnectionOptions) {
    this.#options = options;
    this.#socket = options.socket;
    this.#batch = Buffer.allocUnsafe(batchBytes(options.maxMessageBytes));
    this.#splitter = new FrameSplitter(1 + clearBytes.hello + this.#batch.length + tagBytes);
    this.#hello = new FrameCipher(helloKey(options.key, options.circuit));
    this.#tag = streamTag(options.circuit);
    // Stream frames are written as they are made (corked for a tick): Nagle's algorithm would
    // hold a small audio chunk back for an acknowledgement.
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#onBytes(chunk));
    this.#socket.on('error', () => this.end('cut'));
    this.#socket.on('end', () => this.end('cut'));
    this.#socket.on('close', () => this.end('cut'));
    this.#timer = setTimeout(() => this.end('timed-out'), options.handshakeTimeoutMs);
    if (options.end === 'device') {
      this.#state = 'awaiting-welcome';
      this.#dialerRandom = randomBytes(randomBytesCount);
      // The hello key outlives connections, so the hello takes a random nonce of its own.
      this.#write(this.#hello.seal('hello', Buffer.alloc(0), Buffer.concat([this.#tag, this.#dialerRandom]), this.#dialerRandom.subarray(0, 12)));
    } else {
      this.#state = 'awaiting-hello';
    }
    if (options.initial !== undefined && options.initial.length > 0) this.#onBytes(options.initial);
  }

  get state(): LinkState {
    return this.#state;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Copies one message into this tick's data frame, taking its cost from the credit (the link
   * checked the credit first); the frame is sealed and written at the end of the tick, or
   * before when full.
   */
  sendData(message: Uint8Array): void {
    this.credit -= messageCost(message.length);
    if (this.#batchUsed + lengthBytes + message.length > this.#batch.length) this.#flush();
    if (this.#batchUsed === 0) this.#schedule();
    this.#batch.writeUInt32BE(message.length, this.#batchUsed);
    this.#batch.set(message, this.#batchUsed + lengthBytes);
    this.#batchUsed += lengthBytes + message.length;
  }

  /** Gives the other side `bytes` more credit: this side's consumer took that much. */
  grant(bytes: number): void {
    this.#peerCredit += bytes;
    this.#write(this.#sendCipher().seal('credit', uint32(bytes)));
  }

  /** Seals the messages of this tick as one data frame and writes it. */
  #flush(): void {
    if (this.#batchUsed === 0 || this.#ended) return;
    const frame = this.#sendCipher().seal('data', this.#batch.subarray(0, this.#batchUsed));
    this.#batchUsed = 0;
    this.#write(frame);
  }

  /** Ends the connection (once) and tells the link why. */
  end(why: ConnectionEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#socket.destroy();
    this.#options.onEnd(this, why);
  }

  #onBytes(chunk: Buffer): void {
    if (this.#ended) return;
    if (!this.#splitter.push(chunk, (frame) => this.#onFrame(frame)) && !this.#ended) this.end(this.#state === 'open' ? 'forged' : 'refused');
  }

  /** Handles one whole frame; false once the connection has ended. */
  #onFrame(frame: Buffer): boolean {
    const opened = this.#open(frame);
    if (opened === undefined) {
      this.end(this.#state === 'open' ? 'forged' : 'refused');
      return false;
    }
    const next = nextLinkState(this.#state, opened.type);
    if (next === undefined || !payloadFits(opened.type, opened.payload.length, this.#options.maxMessageBytes)) {
      this.end(this.#state === 'open' ? 'violation' : 'refused');
      return false;
    }
    const before = this.#state;
    this.#state = next;
    switch (opened.type) {
      case 'hello': {
        const listenerRandom = randomBytes(randomBytesCount);
        this.#keys(opened.clear.subarray(streamTagBytes), listenerRandom);
        const window = this.#options.window();
        this.#peerCredit = window;
        this.#write(this.#sendCipher().seal('welcome', uint32(window), listenerRandom));
        break;
      }
      case 'welcome': {
        this.credit = opened.payload.readUInt32BE(0);
        const window = this.#options.window();
        this.#peerCredit = window;
        this.#write(this.#sendCipher().seal('credit', uint32(window)));
        this.#opened();
        break;
      }
      case 'credit':
        this.credit += opened.payload.readUInt32BE(0);
        if (before === 'open') this.#options.onCredit(this);
        else this.#opened();
        break;
      case 'data':
        return this.#onMessages(opened.payload);
    }
    return !this.#ended;
  }

  /** Hands on each message of an opened data frame, each within the credit granted; false once the connection has ended. */
  #onMessages(payload: Buffer): boolean {
    for (let at = 0; at < payload.length && !this.#ended; ) {
      const length = at + lengthBytes <= payload.length ? payload.readUInt32BE(at) : Infinity;
      const cost = messageCost(length);
      if (length > payload.length - at - lengthBytes || length > this.#options.maxMessageBytes || cost > this.#peerCredit) {
        this.end('violation');
        return false;
      }
      this.#peerCredit -= cost;
      // A plain view of the bytes: the host and its listeners expect a Uint8Array, not a Buffer.
      this.#options.onData(this, new Uint8Array(payload.buffer, payload.byteOffset + at + lengthBytes, length), cost);
      at += lengthBytes + length;
    }
    return !this.#ended;
  }

  /** The frame opened under the key its place in the handshake calls for, or undefined. */
  #open(frame: Buffer): { type: FrameType; clear: Buffer; payload: Buffer } | undefined {
    const type = frame[4];
    switch (this.#state) {
      case 'awaiting-hello': {
        if (type !== frameTypes.hello || frame.length < frameHeaderBytes + clearBytes.hello + tagBytes) return undefined;
        if (!frame.subarray(frameHeaderBytes, frameHeaderBytes + streamTagBytes).equals(this.#tag)) return undefined;
        const random = frame.subarray(frameHeaderBytes + streamTagBytes, frameHeaderBytes + clearBytes.hello);
        return this.#hello.open(frame, random.subarray(0, 12));
      }
      case 'awaiting-welcome': {
        // The welcome's clear bytes are the listener's half of the connection's keys.
        if (type !== frameTypes.welcome || frame.length < frameHeaderBytes + clearBytes.welcome + tagBytes || this.#dialerRandom === undefined) return undefined;
        this.#keys(this.#dialerRandom, frame.subarray(frameHeaderBytes, frameHeaderBytes + clearBytes.welcome));
        return this.#receive?.open(frame);
      }
      default:
        return this.#receive?.open(frame);
    }
  }

  #keys(dialerRandom: Uint8Array, listenerRandom: Uint8Array): void {
    const keys = sessionKeys(this.#options.key, this.#options.circuit, dialerRandom, listenerRandom);
    const mine: StreamDirection = this.#options.end === 'app' ? 'app-to-device' : 'device-to-app';
    const theirs: StreamDirection = this.#options.end === 'app' ? 'device-to-app' : 'app-to-device';
    this.#send = new FrameCipher(keys[mine]);
    this.#receive = new FrameCipher(keys[theirs]);
  }

  #opened(): void {
    clearTimeout(this.#timer);
    this.#options.onOpen(this);
  }

  #sendCipher(): FrameCipher {
    // The link only sends on an open connection, and the handshake only after the keys exist.
    if (this.#send === undefined) throw new Error('stream link: a frame to send before the connection has its keys');
    return this.#send;
  }

  #write(pieces: readonly Buffer[]): void {
    if (this.#ended) return;
    this.#schedule();
    for (const piece of pieces) this.#socket.write(piece);
  }

  /** Corks the socket until the end of this tick, when this tick's messages are sealed: what one tick makes leaves in one write. */
  #schedule(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#socket.cork();
    process.nextTick(() => {
      this.#flush();
      this.#corked = false;
      this.#socket.uncork();
    });
  }
}

function uint32(value: number): Buffer {
  const bytes = Buffer.allocUnsafe(creditBytes);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

/** Whether a payload is the size its type allows: the handshake and credit frames exactly, data up to the circuit's largest message. */
function payloadFits(type: FrameType, length: number, maxMessageBytes: number): boolean {
  switch (type) {
    case 'hello':
      return length === 0;
    case 'welcome':
    case 'credit':
      return length === creditBytes;
    case 'data':
      return length <= batchBytes(maxMessageBytes);
  }
}
