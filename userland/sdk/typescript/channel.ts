// Circuits to other boards. Imported as one namespace (`channel.open("door")`), with Channel
// also exported on its own, as in the AssemblyScript SDK.
import type { Status } from './codes.js';
import { channel_open, channel_receive, channel_send, takeBytes } from './host.js';
import { decodeUtf8 } from './text.js';

/**
 * A circuit to another board, set up by the planner at build time. Message events carry
 * its handle as their source.
 */
export class Channel {
  readonly name: string;
  /** The host's handle, or a negative Status when the plan has no circuit of this name. */
  readonly handle: number;

  constructor(name: string) {
    this.name = name;
    this.handle = channel_open(name);
  }

  /** Whether an event's `source` is this channel. */
  is(source: number): boolean {
    return this.handle >= 0 && source === this.handle;
  }

  /** Sends one message; Busy when a stream is full, TooLarge past the circuit's message size. */
  send(data: Uint8Array): Status {
    return this.handle < 0 ? this.handle : channel_send(this.handle, data);
  }

  /** Sends text as one UTF-8 message. */
  sendText(text: string): Status {
    return this.handle < 0 ? this.handle : channel_send(this.handle, text);
  }

  /** Takes the oldest waiting message, or null when none waits (or the channel failed). */
  receive(): Uint8Array | null {
    if (this.handle < 0) return null;
    // Asked with no room, the host tells the message's length and leaves it waiting.
    const length = channel_receive(this.handle, 0);
    if (length < 0) return null;
    if (length === 0) return new Uint8Array(0); // an empty message fits in no room: that call took it
    if (channel_receive(this.handle, length) !== length) return null;
    const message = takeBytes();
    return message.byteLength === length ? message : null;
  }

  /** Takes the oldest waiting message as UTF-8 text, or null. */
  receiveText(): string | null {
    const message = this.receive();
    return message === null ? null : decodeUtf8(message);
  }
}

/** Opens the circuit of this name. */
export function open(name: string): Channel { return new Channel(name); }
