export { boardsById, boardIds } from './boardsById.js';
export { defineBoard, gpioLineNames } from './BoardSpec.js';
export type { BoardSpec, GpioBank } from './BoardSpec.js';
