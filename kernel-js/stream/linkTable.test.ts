import { describe, expect, it } from 'vitest';
import { frameTypes, type FrameType } from './FrameCipher.js';
import { linkStates, linkTable, nextLinkState } from './linkTable.js';

describe('linkTable', () => {
  it('answers every state and frame type: a row, or undefined (the connection ends)', () => {
    const answers: string[] = [];
    for (const state of linkStates) {
      for (const type of Object.keys(frameTypes) as FrameType[]) answers.push(`${state} + ${type} -> ${nextLinkState(state, type) ?? 'end'}`);
    }
    expect(answers).toEqual([
      'awaiting-hello + hello -> awaiting-credit',
      'awaiting-hello + welcome -> end',
      'awaiting-hello + credit -> end',
      'awaiting-hello + data -> end',
      'awaiting-welcome + hello -> end',
      'awaiting-welcome + welcome -> open',
      'awaiting-welcome + credit -> end',
      'awaiting-welcome + data -> end',
      'awaiting-credit + hello -> end',
      'awaiting-credit + welcome -> end',
      'awaiting-credit + credit -> open',
      'awaiting-credit + data -> end',
      'open + hello -> end',
      'open + welcome -> end',
      'open + credit -> open',
      'open + data -> open',
    ]);
  });

  it('carries data only on an open connection, and has one row per pair', () => {
    expect(linkTable.filter((row) => row.on === 'data').map((row) => row.in)).toEqual(['open']);
    expect(new Set(linkTable.map((row) => `${row.in}/${row.on}`)).size).toBe(linkTable.length);
  });
});
