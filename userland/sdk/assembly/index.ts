// The osmose SDK for apps: `import { … } from "osmose"`. See docs/writing-an-app.md.
export { Status, EventKind, LogLevel, Person, Everyone } from "./codes";
export { config } from "./config";
export { Device } from "./device";
export { log } from "./log";
export { clock, Timer } from "./clock";
export { gpio, Input, Output } from "./gpio";
export { serial, Port } from "./serial";
export { audio, Microphone, Speaker } from "./audio";
export { display, Screen, White, Black } from "./display";
export { enclave, Enclave } from "./enclave";
export { channel, Channel } from "./channel";
export { presence } from "./presence";
