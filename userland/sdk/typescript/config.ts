// The board's signed configuration as this app instance sees it. Everything that differs
// between boards running the same app (the board, its place, the devices bound to the app's
// needs, its settings) is here, never bundled in, so one bundle serves every board. The
// functions are imported as one namespace: `import { config } from "osmose"; config.spaceName()`.
import { config_device, config_read, takeBytes } from './host.js';
import { decodeUtf8 } from './text.js';

/** Most values fit; a longer one is read again at its length. */
const firstRead = 256;

/** The handle of the device bound to a need, or Status.NotFound. The SDK's device classes call this. */
export function device(alias: string): number {
  return config_device(alias);
}

/** Whether the configuration has this key. */
export function has(key: string): boolean {
  return config_read(key, 0) >= 0;
}

/** The value of a key (see docs/abi.md for the keys), or `fallback` when there is none. */
export function text(key: string, fallback = ''): string {
  let length = config_read(key, firstRead);
  let bytes = takeBytes();
  if (length > firstRead) {
    length = config_read(key, length);
    bytes = takeBytes();
  }
  if (length < 0) return fallback;
  return decodeUtf8(bytes);
}

/** The value of a key as a decimal integer (an optional sign and digits, within i32), or `fallback` when there is none or it is not one. */
export function int(key: string, fallback: number): number {
  const value = text(key, '');
  if (!/^[+-]?[0-9]+$/.test(value)) return fallback;
  const result = Number(value);
  return result >= -2147483648 && result <= 2147483647 ? result : fallback;
}

/** Whether a key is `true`, `false` or neither (then `fallback`). */
export function flag(key: string, fallback: boolean): boolean {
  const value = text(key, '');
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

/** The building's id in building.yaml. */
export function buildingId(): string { return text('building.id'); }
/** The building's name, for people. */
export function buildingName(): string { return text('building.name'); }
/** The building's IANA time zone (`Europe/Paris`). */
export function timezone(): string { return text('building.timezone'); }
/** This board's id. */
export function boardId(): string { return text('board.id'); }
/** This board's type (`rpi4`, `sim`). */
export function boardType(): string { return text('board.type'); }
/** The id of the app's space. */
export function spaceId(): string { return text('space.id'); }
/** What kind of space it is (`room`, `floor`). */
export function spaceKind(): string { return text('space.kind'); }
/** The space's name, for people. */
export function spaceName(): string { return text('space.name'); }
/** The ids of the spaces from the building down to the app's, joined by `/`. */
export function spacePath(): string { return text('space.path'); }
/** The app's name. */
export function appName(): string { return text('app.name'); }
/** This instance of the app (`lights@door`). */
export function instance(): string { return text('app.instance'); }

/** The driver of the device bound to a need (`gpio-out`), or "" when there is none. */
export function deviceDriver(alias: string): string { return text(`device.${alias}.driver`); }
/** The board the device is on: another board than boardId() means a circuit carries the calls. */
export function deviceBoard(alias: string): string { return text(`device.${alias}.board`); }
/** One of the device's settings in building.yaml (`config.deviceSetting("mic", "rate")`). */
export function deviceSetting(alias: string, name: string, fallback = ''): string {
  return text(`device.${alias}.${name}`, fallback);
}

/** The app's own setting `name`, or `fallback`. */
export function setting(name: string, fallback = ''): string { return text(`settings.${name}`, fallback); }
/** The app's own setting `name` as a decimal integer, or `fallback`. */
export function settingInt(name: string, fallback: number): number { return int(`settings.${name}`, fallback); }
