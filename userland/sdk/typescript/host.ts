// The host functions of the osmose ABI (userland/abi/abiDefinition.ts) as the board's script
// engine hands them to a script app: the global `osmoseHost`, one function per ABI function
// the bundle calls, named "module.name". Every call below names its function as a string
// literal in brackets, because that is how the builder finds what a bundle imports
// (scriptImports.ts): a name computed at run time would be missing from the bundle's imports,
// and the engine would not have the function to call. Apps call the typed wrappers in the
// other files; these stay internal to the SDK.

/**
 * The `osmoseHost` global as the kernel's script bridge (kernel-js/run/linkScriptFragment.ts)
 * builds it. A pointer and length pair is one argument (a string, sent as UTF-8, or an
 * ArrayBuffer); a buffer the host fills is given by its capacity, and what the host wrote is
 * then taken with `output()`; results are numbers (a Status when negative).
 */
export interface OsmoseHost {
  readonly 'config.device': (alias: string) => number;
  readonly 'config.read': (key: string, cap: number) => number;
  readonly 'log.write': (level: number, message: string) => number;
  readonly 'clock.now': () => number;
  readonly 'clock.monotonic': () => number;
  readonly 'clock.utcOffset': () => number;
  readonly 'clock.setTimer': (delayMs: number, periodMs: number) => number;
  readonly 'clock.cancelTimer': (timer: number) => number;
  readonly 'gpio.read': (handle: number) => number;
  readonly 'gpio.write': (handle: number, level: number) => number;
  readonly 'serial.read': (handle: number, cap: number) => number;
  readonly 'serial.write': (handle: number, data: ArrayBuffer | string) => number;
  readonly 'audio.start': (handle: number) => number;
  readonly 'audio.stop': (handle: number) => number;
  readonly 'audio.read': (handle: number, cap: number) => number;
  readonly 'audio.record': (handle: number, vault: number, key: number) => number;
  readonly 'audio.write': (handle: number, pcm: ArrayBuffer | string) => number;
  readonly 'audio.play': (handle: number, clip: string, person: number) => number;
  readonly 'display.width': (handle: number) => number;
  readonly 'display.height': (handle: number) => number;
  readonly 'display.clear': (handle: number, color: number) => number;
  readonly 'display.fill': (handle: number, x: number, y: number, w: number, h: number, color: number) => number;
  readonly 'display.text': (handle: number, x: number, y: number, size: number, color: number, text: string) => number;
  readonly 'display.blit': (handle: number, x: number, y: number, w: number, h: number, pixels: ArrayBuffer | string) => number;
  readonly 'display.flush': (handle: number) => number;
  readonly 'enclave.groupKey': (handle: number, people: readonly number[]) => number;
  readonly 'enclave.dropKey': (handle: number, key: number) => number;
  readonly 'enclave.seal': (handle: number, key: number, data: ArrayBuffer | string) => number;
  readonly 'channel.open': (name: string) => number;
  readonly 'channel.send': (handle: number, data: ArrayBuffer | string) => number;
  readonly 'channel.receive': (handle: number, cap: number) => number;
  readonly 'presence.count': () => number;
  readonly 'presence.list': (count: number) => number;
  readonly 'presence.destination': (person: number, cap: number) => number;
  readonly 'presence.expected': (count: number) => number;
  readonly 'presence.preference': (person: number, name: string) => number;
  /** What the last call wrote back: bytes (a `buf_cap` call) or handles (an `out_count` call); undefined after a failure. Taking it clears it. */
  readonly output: () => ArrayBuffer | number[] | undefined;
}

declare global {
  /** The board's host functions, given to a script app by the kernel before its script runs. */
  const osmoseHost: OsmoseHost;
}

/** Bytes as the bridge takes them: an ArrayBuffer holding exactly the view's bytes. */
function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/** The bytes the last call wrote back (empty when it wrote none or failed). */
export function takeBytes(): Uint8Array {
  const taken = osmoseHost.output();
  return taken instanceof ArrayBuffer ? new Uint8Array(taken) : new Uint8Array(0);
}

/** The handles the last call wrote back (empty when it wrote none or failed). */
export function takeInts(): number[] {
  const taken = osmoseHost.output();
  return Array.isArray(taken) ? taken : [];
}

// config
export const config_device = (alias: string): number => osmoseHost['config.device'](alias);
export const config_read = (key: string, cap: number): number => osmoseHost['config.read'](key, cap);

// log
export const log_write = (level: number, message: string): number => osmoseHost['log.write'](level, message);

// clock
export const clock_now = (): number => osmoseHost['clock.now']();
export const clock_monotonic = (): number => osmoseHost['clock.monotonic']();
export const clock_utcOffset = (): number => osmoseHost['clock.utcOffset']();
export const clock_setTimer = (delayMs: number, periodMs: number): number => osmoseHost['clock.setTimer'](delayMs, periodMs);
export const clock_cancelTimer = (timer: number): number => osmoseHost['clock.cancelTimer'](timer);

// gpio
export const gpio_read = (handle: number): number => osmoseHost['gpio.read'](handle);
export const gpio_write = (handle: number, level: number): number => osmoseHost['gpio.write'](handle, level);

// serial
export const serial_read = (handle: number, cap: number): number => osmoseHost['serial.read'](handle, cap);
export const serial_write = (handle: number, data: Uint8Array | string): number => osmoseHost['serial.write'](handle, typeof data === 'string' ? data : buffer(data));

// audio
export const audio_start = (handle: number): number => osmoseHost['audio.start'](handle);
export const audio_stop = (handle: number): number => osmoseHost['audio.stop'](handle);
export const audio_read = (handle: number, cap: number): number => osmoseHost['audio.read'](handle, cap);
export const audio_record = (handle: number, vault: number, key: number): number => osmoseHost['audio.record'](handle, vault, key);
export const audio_write = (handle: number, pcm: Uint8Array): number => osmoseHost['audio.write'](handle, buffer(pcm));
export const audio_play = (handle: number, clip: string, person: number): number => osmoseHost['audio.play'](handle, clip, person);

// display
export const display_width = (handle: number): number => osmoseHost['display.width'](handle);
export const display_height = (handle: number): number => osmoseHost['display.height'](handle);
export const display_clear = (handle: number, color: number): number => osmoseHost['display.clear'](handle, color);
export const display_fill = (handle: number, x: number, y: number, w: number, h: number, color: number): number => osmoseHost['display.fill'](handle, x, y, w, h, color);
export const display_text = (handle: number, x: number, y: number, size: number, color: number, text: string): number => osmoseHost['display.text'](handle, x, y, size, color, text);
export const display_blit = (handle: number, x: number, y: number, w: number, h: number, pixels: Uint8Array): number => osmoseHost['display.blit'](handle, x, y, w, h, buffer(pixels));
export const display_flush = (handle: number): number => osmoseHost['display.flush'](handle);

// enclave
export const enclave_groupKey = (handle: number, people: readonly number[]): number => osmoseHost['enclave.groupKey'](handle, people);
export const enclave_dropKey = (handle: number, key: number): number => osmoseHost['enclave.dropKey'](handle, key);
export const enclave_seal = (handle: number, key: number, data: Uint8Array): number => osmoseHost['enclave.seal'](handle, key, buffer(data));

// channel
export const channel_open = (name: string): number => osmoseHost['channel.open'](name);
export const channel_send = (handle: number, data: Uint8Array | string): number => osmoseHost['channel.send'](handle, typeof data === 'string' ? data : buffer(data));
export const channel_receive = (handle: number, cap: number): number => osmoseHost['channel.receive'](handle, cap);

// presence
export const presence_count = (): number => osmoseHost['presence.count']();
export const presence_list = (count: number): number => osmoseHost['presence.list'](count);
export const presence_destination = (person: number, cap: number): number => osmoseHost['presence.destination'](person, cap);
export const presence_expected = (count: number): number => osmoseHost['presence.expected'](count);
export const presence_preference = (person: number, name: string): number => osmoseHost['presence.preference'](person, name);
