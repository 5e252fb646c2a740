import type { BoardSpec } from '../../boards/BoardSpec.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';

export interface MemoryLimitInput {
  readonly app: string;
  /** The board's id in building.yaml. */
  readonly board: string;
  /** Its board support package, whose `limits.memoryPages` is the ceiling. */
  readonly boardType: Pick<BoardSpec, 'id' | 'limits'>;
  readonly wasm: Uint8Array;
  /** The app's folder, for the issue's file; `apps/NAME` when absent. */
  readonly source?: string;
}

export interface MemoryLimitIssue extends ValidationIssue {
  readonly code: 'size.memory';
  readonly app: string;
  readonly board: string;
  /** 64 KiB pages the module starts with. */
  readonly needs: number;
  /** 64 KiB pages the board allows. */
  readonly allows: number;
}

const page = 65536;

/**
 * Refuses a module too large for a board: one whose memory starts larger than the board's
 * ceiling (`limits.memoryPages`), which would never instantiate there. Growth at run time
 * is the shim's watchdog's business. Says both sizes.
 */
export function checkMemoryLimit(input: MemoryLimitInput): MemoryLimitIssue[] {
  const memory = readWasmInterface(input.wasm).memory;
  const needs = memory?.initial ?? 0;
  const allows = input.boardType.limits.memoryPages;
  if (needs <= allows) return [];
  return [
    {
      code: 'size.memory',
      file: `${input.source ?? `apps/${input.app}`}/assembly/index.ts`,
      path: '',
      app: input.app,
      board: input.board,
      needs,
      allows,
      message: `${input.app} needs ${needs} pages of memory (${kib(needs)}) to start, but board ${input.board} (${input.boardType.id}) allows ${allows} (${kib(allows)})`,
      hint: `make ${input.app}'s static data smaller, or place it on boards with more memory`,
    },
  ];
}

function kib(pages: number): string {
  const bytes = pages * page;
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB` : `${bytes / 1024} KiB`;
}
