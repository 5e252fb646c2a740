import { describeEvent } from './describeEvent.js';
import type { JournalEvent } from './JournalEvent.js';
import type { BoardRolloutState } from './rolloutBoardTable.js';
import { nextBoardState } from './rolloutBoardTable.js';
import type { RolloutSpec } from './RolloutSpec.js';
import { formatWaveSize } from './waveTarget.js';

const countedStates: readonly BoardRolloutState[] = ['unchanged', 'deferred', 'offered', 'downloading', 'downloaded', 'installed', 'healthy', 'committed'];
const failuresNamed = 3;

/**
 * A commit message for a batch of events, as a person would sum it up: what the rollout did,
 * how many boards moved, and each failure with its reason, e.g.
 * `rollout r-…: wave 2 of 4 started (5 boards); 37 boards committed; lobby-door reverted: self-test failed`.
 * The body lists the rollout's and the waves' changes and every failure in full.
 */
export function describeBatch(spec: RolloutSpec, events: readonly JournalEvent[]): string {
  const waves = spec.waves.length;
  const parts: string[] = [];
  const body: string[] = [];
  const moved = new Map<BoardRolloutState, number>();
  const failures: string[] = [];
  let rolledBack = 0;
  let online = 0;
  let offline = 0;
  let ignored = 0;
  for (const event of events) {
    switch (event.kind) {
      case 'started':
        parts.push(`started: build ${event.build.slice(0, 12)}, ${event.targets} boards, waves ${spec.waves.map(formatWaveSize).join(',')}`);
        body.push(`${event.at}  ${describeEvent(event, waves)}`);
        break;
      case 'status':
      case 'hold':
        parts.push(describeEvent(event, waves));
        body.push(`${event.at}  ${describeEvent(event, waves)}`);
        break;
      case 'wave-started':
        parts.push(`wave ${event.wave} of ${waves} started (${event.boards.length} board${event.boards.length === 1 ? '' : 's'})`);
        body.push(`${event.at}  ${describeEvent(event, waves)}`);
        break;
      case 'wave-passed':
        parts.push(`wave ${event.wave} of ${waves} passed`);
        body.push(`${event.at}  ${describeEvent(event, waves)}`);
        break;
      case 'board':
        if (nextBoardState(event.from, event.on)?.failure === true) {
          failures.push(`${event.board} ${event.to}: ${event.reason ?? event.on}`);
          body.push(`${event.at}  ${describeEvent(event, waves)}`);
        } else if (event.on === 'roll-back') {
          rolledBack++;
        } else if (event.from !== event.to && countedStates.includes(event.to)) {
          moved.set(event.to, (moved.get(event.to) ?? 0) + 1);
        }
        break;
      case 'seen':
        if (event.online) online++;
        else offline++;
        break;
      case 'ignored':
        ignored++;
        break;
    }
  }
  for (const state of countedStates) {
    const count = moved.get(state);
    if (count !== undefined) parts.push(`${count} board${count === 1 ? '' : 's'} ${state}`);
  }
  if (rolledBack > 0) parts.push(`${rolledBack} board${rolledBack === 1 ? '' : 's'} rolled back`);
  parts.push(...failures.slice(0, failuresNamed));
  if (failures.length > failuresNamed) parts.push(`${failures.length - failuresNamed} more failures`);
  if (online + offline > 0) parts.push(`seen: ${online} online, ${offline} offline`);
  if (ignored > 0) parts.push(`${ignored} input${ignored === 1 ? '' : 's'} ignored`);
  if (parts.length === 0) parts.push(`${events.length} progress report${events.length === 1 ? '' : 's'}`);
  const subject = `rollout ${spec.id}: ${parts.join('; ')}`;
  return body.length === 0 ? `${subject}\n` : `${subject}\n\n${body.join('\n')}\n`;
}
