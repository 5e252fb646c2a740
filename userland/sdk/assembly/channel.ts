import { Status } from "./codes";
import { channel_open, channel_receive, channel_send } from "./host";
import { utf8 } from "./text";

/**
 * A circuit to another board, set up by the planner at build time. Message events carry
 * its handle as their source.
 */
export class Channel {
  readonly name: string;
  /** The host's handle, or a negative Status when the plan has no circuit of this name. */
  readonly handle: i32;

  constructor(name: string) {
    this.name = name;
    const bytes = utf8(name);
    this.handle = channel_open(changetype<usize>(bytes), bytes.byteLength);
  }

  is(source: i32): bool {
    return this.handle >= 0 && source == this.handle;
  }

  send(data: Uint8Array): Status {
    return this.handle < 0 ? this.handle : channel_send(this.handle, data.dataStart, data.byteLength);
  }

  sendText(text: string): Status {
    if (this.handle < 0) return this.handle;
    const bytes = utf8(text);
    return channel_send(this.handle, changetype<usize>(bytes), bytes.byteLength);
  }

  /** Takes the oldest waiting message, or null when none waits (or the channel failed). */
  receive(): Uint8Array | null {
    if (this.handle < 0) return null;
    const length = channel_receive(this.handle, 0, 0);
    if (length < 0) return null;
    // An empty message fits in no room: asking its length took it off the queue.
    if (length == 0) return new Uint8Array(0);
    const message = new Uint8Array(length);
    if (channel_receive(this.handle, message.dataStart, length) != length) return null;
    return message;
  }

  /** Takes the oldest waiting message as UTF-8 text, or null. */
  receiveText(): string | null {
    const message = this.receive();
    if (message === null) return null;
    return String.UTF8.decodeUnsafe(message.dataStart, <usize>message.byteLength);
  }
}

export namespace channel {
  export function open(name: string): Channel { return new Channel(name); }
}
