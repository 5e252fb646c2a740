// What AssemblyScript's own runtime would import from "env" (abort, trace, seed), routed to
// the osmose ABI instead: the compiler's `--use abort=…` flags name these functions, so a
// module imports nothing outside the ABI. See builder/compile/toolchain.ts.
import { LogLevel } from "./codes";
import { clock_monotonic, log_write } from "./host";

// abort may run because memory ran out, so it writes its message into static memory and
// allocates nothing. It may also run before any global is initialised, so it keeps no state.
function put(buffer: usize, at: i32, text: string | null, units: i32): i32 {
  if (text === null) return at;
  return at + <i32>String.UTF8.encodeUnsafe(changetype<usize>(text), min(text.length, units), buffer + at);
}

function putNumber(buffer: usize, at: i32, value: u32): i32 {
  let digits: i32 = 1;
  for (let rest = value / 10; rest > 0; rest /= 10) digits++;
  let rest = value;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(buffer + at + i, 48 + rest % 10);
    rest /= 10;
  }
  return at + digits;
}

/** Logs why the app aborts (a failed assert, an index out of range, a throw) at Fatal, then traps. */
export function osmoseAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  // At most 3 bytes a UTF-16 unit: 600 + 4 + 300 + 22 bytes fit.
  const buffer = memory.data(1024);
  let at = put(buffer, 0, message !== null ? message : "abort", 200);
  at = put(buffer, at, " at ", 4);
  at = put(buffer, at, fileName, 100);
  at = put(buffer, at, ":", 1);
  at = putNumber(buffer, at, line);
  at = put(buffer, at, ":", 1);
  at = putNumber(buffer, at, column);
  log_write(LogLevel.Fatal, buffer, at);
  unreachable();
}

/** `trace(message, n, a0…a4)` logs at Debug. */
export function osmoseTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  let text = message;
  if (n > 0) text += " " + a0.toString();
  if (n > 1) text += " " + a1.toString();
  if (n > 2) text += " " + a2.toString();
  if (n > 3) text += " " + a3.toString();
  if (n > 4) text += " " + a4.toString();
  const bytes = String.UTF8.encode(text);
  log_write(LogLevel.Debug, changetype<usize>(bytes), bytes.byteLength);
}

/** Math.random's seed. Not for secrets: keys come from the enclave. */
export function osmoseSeed(): f64 {
  return <f64>clock_monotonic() + 1;
}
