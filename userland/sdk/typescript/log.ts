// The board's log; every line is recorded with the app's name. Imported as one namespace:
// `import { log } from "osmose"; log.info("started")`.
import { LogLevel, type Status } from './codes.js';
import { log_write } from './host.js';

/** Logs a line at a level; Status.Ok, or why the board did not take it. */
export function write(level: LogLevel, message: string): Status {
  return log_write(level, message);
}
/** Logs at Debug. */
export function debug(message: string): void { write(LogLevel.Debug, message); }
/** Logs at Info. */
export function info(message: string): void { write(LogLevel.Info, message); }
/** Logs at Warn. */
export function warn(message: string): void { write(LogLevel.Warn, message); }
/** Logs at Error. */
export function error(message: string): void { write(LogLevel.Error, message); }
