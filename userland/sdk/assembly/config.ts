import { config_device, config_read } from "./host";
import { growScratch, scratchCap, scratchPtr, scratchText, utf8 } from "./text";

/**
 * The board's signed configuration as this app instance sees it. Everything that differs
 * between boards running the same app (the board, its place, the devices bound to the app's
 * needs, its settings) is here, never compiled in, so one compile serves every board.
 */
export namespace config {
  /** The handle of the device bound to a need, or Status.NotFound. The SDK's device classes call this. */
  export function device(alias: string): i32 {
    const bytes = utf8(alias);
    return config_device(changetype<usize>(bytes), bytes.byteLength);
  }

  /** Whether the configuration has this key. */
  export function has(key: string): bool {
    const bytes = utf8(key);
    return config_read(changetype<usize>(bytes), bytes.byteLength, 0, 0) >= 0;
  }

  /** The value of a key (see docs/abi.md for the keys), or `fallback` when there is none. */
  export function text(key: string, fallback: string = ""): string {
    const bytes = utf8(key);
    let length = config_read(changetype<usize>(bytes), bytes.byteLength, scratchPtr(), scratchCap());
    if (length > 0 && growScratch(length)) length = config_read(changetype<usize>(bytes), bytes.byteLength, scratchPtr(), scratchCap());
    if (length < 0) return fallback;
    return scratchText(length);
  }

  /** The value of a key as a decimal integer, or `fallback` when there is none or it is not one. */
  export function int(key: string, fallback: i32): i32 {
    const value = text(key, "");
    let i = 0;
    let negative = false;
    if (value.length > 0 && (value.charCodeAt(0) == 45 || value.charCodeAt(0) == 43)) {
      negative = value.charCodeAt(0) == 45;
      i = 1;
    }
    if (i >= value.length) return fallback;
    let result: i64 = 0;
    for (; i < value.length; i++) {
      const digit = value.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return fallback;
      result = result * 10 + digit;
      if (result > 2147483648) return fallback;
    }
    if (negative) result = -result;
    if (result > 2147483647) return fallback;
    return <i32>result;
  }

  /** Whether a key is `true`, `false` or neither (then `fallback`). */
  export function flag(key: string, fallback: bool): bool {
    const value = text(key, "");
    if (value == "true") return true;
    if (value == "false") return false;
    return fallback;
  }

  export function buildingId(): string { return text("building.id"); }
  export function buildingName(): string { return text("building.name"); }
  export function timezone(): string { return text("building.timezone"); }
  export function boardId(): string { return text("board.id"); }
  export function boardType(): string { return text("board.type"); }
  export function spaceId(): string { return text("space.id"); }
  export function spaceKind(): string { return text("space.kind"); }
  export function spaceName(): string { return text("space.name"); }
  /** The ids of the spaces from the building down to the app's, joined by `/`. */
  export function spacePath(): string { return text("space.path"); }
  export function appName(): string { return text("app.name"); }
  export function instance(): string { return text("app.instance"); }

  /** The driver of the device bound to a need (`gpio-out`), or "" when there is none. */
  export function deviceDriver(alias: string): string { return text("device." + alias + ".driver"); }
  /** The board the device is on: another board than boardId() means a circuit carries the calls. */
  export function deviceBoard(alias: string): string { return text("device." + alias + ".board"); }
  /** One of the device's settings in building.yaml (`config.deviceSetting("mic", "rate")`). */
  export function deviceSetting(alias: string, name: string, fallback: string = ""): string {
    return text("device." + alias + "." + name, fallback);
  }

  /** The app's own setting `name`, or `fallback`. */
  export function setting(name: string, fallback: string = ""): string { return text("settings." + name, fallback); }
  export function settingInt(name: string, fallback: i32): i32 { return int("settings." + name, fallback); }
}
