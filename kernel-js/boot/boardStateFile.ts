import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boardFiles, slotNames } from './boardDirectory.js';
import { initialBoardState, maxStops, type BoardState, type StopRecord } from './BoardState.js';

/**
 * Reads state.json. A missing or unreadable one (a power cut before the first write ever
 * finished cannot leave one half-written, but a disk can) starts from the initial state:
 * slot A, confirmed, which the slot table then checks like any other state.
 */
export function readBoardState(dir: string): BoardState {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(dir, boardFiles.state), 'utf8'));
  } catch {
    return initialBoardState;
  }
  return isBoardState(value) ? value : initialBoardState;
}

/** Writes state.json atomically: a temporary file, flushed, then renamed over the old one. */
export async function writeBoardState(dir: string, state: BoardState): Promise<void> {
  const file = join(dir, boardFiles.state);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { flush: true });
  await rename(temp, file);
}

export function withStop(state: BoardState, stop: StopRecord): BoardState {
  return { ...state, stops: [...state.stops, stop].slice(-maxStops) };
}

function isBoardState(value: unknown): value is BoardState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v['format'] === 1 &&
    slotNames.includes(v['active'] as never) &&
    typeof v['confirmed'] === 'boolean' &&
    Number.isInteger(v['bootCount']) &&
    Number.isInteger(v['bootLimit']) &&
    Number.isInteger(v['versionFloor']) &&
    Array.isArray(v['stops']) &&
    (v['awaitingCommit'] === undefined || typeof v['awaitingCommit'] === 'boolean') &&
    (v['trust'] === undefined || isTrustRecord(v['trust'])) &&
    (v['vouchedTime'] === undefined || (typeof v['vouchedTime'] === 'string' && !Number.isNaN(Date.parse(v['vouchedTime']))))
  );
}

function isTrustRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['root'] === 'object' && v['root'] !== null && ['timestamp', 'snapshot', 'targets'].every((role) => Number.isInteger(v[role]));
}
