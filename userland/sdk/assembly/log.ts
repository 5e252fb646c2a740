import { LogLevel, Status } from "./codes";
import { log_write } from "./host";
import { utf8 } from "./text";

/** The board's log; every line is recorded with the app's name. */
export namespace log {
  export function write(level: LogLevel, message: string): Status {
    const bytes = utf8(message);
    return log_write(level, changetype<usize>(bytes), bytes.byteLength);
  }
  export function debug(message: string): void { write(LogLevel.Debug, message); }
  export function info(message: string): void { write(LogLevel.Info, message); }
  export function warn(message: string): void { write(LogLevel.Warn, message); }
  export function error(message: string): void { write(LogLevel.Error, message); }
}
