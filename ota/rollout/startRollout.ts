import { InputError } from '../../lib/OsmoseError.js';
import type { JournalEvent } from './JournalEvent.js';
import type { RolloutSpec, RolloutTarget } from './RolloutSpec.js';
import type { BoardRollout, RolloutState } from './RolloutState.js';
import { spreadOrder } from './spreadOrder.js';

/**
 * A rollout before anything happened: running, wave 1 not yet started, every board pending
 * and unseen. The first wave starts on the first `tick`, so the gateway can first tell the
 * engine (with `seen`) which boards it knows and what they run: a board already on its target
 * image is never offered. Journal `startedEvent(spec)` with it.
 */
export function startRollout(spec: RolloutSpec): RolloutState {
  checkSpec(spec);
  const targets = new Map(spec.targets.map((target) => [target.board, target]));
  const boards = spreadOrder(spec.targets, spec.build).map((id): BoardRollout => {
    const target = targets.get(id) as RolloutTarget;
    return {
      board: target.board,
      space: target.space,
      target: target.image,
      version: target.version,
      state: 'pending',
      wave: null,
      reason: null,
      since: spec.startedAt,
      seen: false,
      online: false,
      busy: false,
      running: null,
      offeredAt: null,
      bytes: 0,
    };
  });
  return {
    spec,
    status: 'running',
    reason: null,
    wave: 1,
    waveStarted: false,
    boards,
    holds: [],
    failures: [],
    offered: 0,
    updatedAt: spec.startedAt,
  };
}

/** The journal's first event of a rollout. */
export function startedEvent(spec: RolloutSpec): JournalEvent {
  return { kind: 'started', at: spec.startedAt, rollout: spec.id, build: spec.build, targets: spec.targets.length, waves: spec.waves.length };
}

function checkSpec(spec: RolloutSpec): void {
  const problem = (what: string, hint: string): InputError => new InputError('rollout.bad-spec', `rollout ${spec.id}: ${what}`, { hint, data: { rollout: spec.id } });
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(spec.id)) throw problem(`the id ${JSON.stringify(spec.id)} is not a plain name`, 'use letters, digits, dots, dashes and underscores, such as r-1a2b3c4d-1');
  if (Number.isNaN(Date.parse(spec.startedAt))) throw problem(`startedAt ${JSON.stringify(spec.startedAt)} is not an ISO time`, 'give new Date().toISOString()');
  const last = spec.waves.at(-1);
  if (last === undefined || !('percent' in last) || last.percent !== 100) throw problem('its last wave is not 100%', 'end the waves with 100%, such as 1,5%,25%,100%');
  if (!(spec.healthTimeoutMs > 0)) throw problem(`the health timeout ${spec.healthTimeoutMs} ms is not positive`, 'give a health timeout such as 5m');
  const seen = new Set<string>();
  for (const target of spec.targets) {
    if (seen.has(target.board)) throw problem(`board ${target.board} is a target twice`, 'list each board of the build once');
    seen.add(target.board);
  }
}
