import type { JournalEvent } from './JournalEvent.js';
import type { RolloutTrigger } from './rolloutTable.js';

const statusWords: Readonly<Record<RolloutTrigger, string>> = {
  'window-closed': 'outside the maintenance windows: waiting',
  'window-opened': 'a maintenance window opened: running',
  pause: 'paused',
  resume: 'resumed',
  'waves-done-deferred': 'every wave passed; deferred boards catch up when they can',
  'all-done': 'completed: every board runs the build',
  'done-with-failures': 'completed; the boards that failed kept their old image',
  'over-limit': 'halted',
  abort: 'aborted',
};

/** One event in a sentence, for `osmose ledger rollouts` and commit messages. `waves` is the rollout's number of waves. */
export function describeEvent(event: JournalEvent, waves?: number): string {
  const of = waves === undefined ? '' : ` of ${waves}`;
  switch (event.kind) {
    case 'started':
      return `rollout ${event.rollout} started: build ${event.build.slice(0, 12)}, ${plural(event.targets, 'board')}, ${plural(event.waves, 'wave')}`;
    case 'status': {
      const words = statusWords[event.on];
      if (event.reason === null) return words;
      // An abort's reason already says it was aborted.
      return event.on === 'abort' ? event.reason : `${words}: ${event.reason}`;
    }
    case 'wave-started': {
      const shown = event.boards.slice(0, 8).join(', ');
      const more = event.boards.length > 8 ? `, … (${event.boards.length - 8} more)` : '';
      return `wave ${event.wave}${of} started: ${plural(event.boards.length, 'board')}${event.boards.length > 0 ? ` (${shown}${more})` : ''}`;
    }
    case 'wave-passed':
      return `wave ${event.wave}${of} passed: ${event.committed} committed, ${event.failed} failed`;
    case 'board': {
      const bytes = event.bytes === null ? '' : ` (${event.bytes} bytes)`;
      const change = event.from === event.to ? `${event.on} while ${event.to}` : `${event.from} → ${event.to}`;
      return `${event.board}: ${change}${event.reason === null ? '' : `: ${event.reason}`}${bytes}`;
    }
    case 'seen':
      return `${event.board}: ${event.online ? 'online' : 'offline'}${event.busy ? ', busy' : ''}, running ${event.image ?? 'an unknown image'}`;
    case 'hold':
      return `space ${event.space} ${event.held ? 'held: its boards wait' : 'released'}`;
    case 'ignored':
      return `ignored ${event.input}: ${event.reason}`;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
