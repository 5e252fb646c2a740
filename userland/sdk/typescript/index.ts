// The osmose SDK for apps in plain TypeScript: `import { … } from "osmose"`, the same names as
// the AssemblyScript SDK's (userland/sdk/assembly/index.ts), plus `app` to register the entry
// points and the UTF-8 helpers the board's engine lacks. See README.md beside this file.
export { Status, EventKind, LogLevel, type Person, Everyone } from './codes.js';
export * as config from './config.js';
export { Device } from './device.js';
export * as log from './log.js';
export * as clock from './clock.js';
export { Timer } from './clock.js';
export * as gpio from './gpio.js';
export { Input, Output } from './gpio.js';
export * as serial from './serial.js';
export { Port } from './serial.js';
export * as audio from './audio.js';
export { Microphone, Speaker } from './audio.js';
export * as display from './display.js';
export { Screen, White, Black } from './display.js';
export * as enclave from './enclave.js';
export { Enclave } from './enclave.js';
export * as channel from './channel.js';
export { Channel } from './channel.js';
export * as presence from './presence.js';
export { app, type App } from './app.js';
export { decodeUtf8, encodeUtf8 } from './text.js';
