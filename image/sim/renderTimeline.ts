import type { Latencies, LatencySample } from './measureLatencies.js';
import { summarise } from './measureLatencies.js';
import type { JournalEntry } from './SimJournal.js';

/** A peer host the simulator's process had sockets with. */
export interface TimelinePeer {
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly loopback: boolean;
  readonly endpoints: number;
}

/**
 * The journal as a reader follows it: one line an event, timed in seconds from the first,
 * then the latencies it measured and where the building's sockets went. Log lines of fragments
 * below Info and the peers' own events are left to the JSON form.
 */
export function renderTimeline(entries: readonly JournalEntry[], latencies: Latencies, peers: readonly TimelinePeer[]): string {
  const first = entries[0]?.at ?? 0;
  // Who each visit handle is, as the presence changes before it named them.
  const who = new Map<number, string>();
  const lines = entries.flatMap((entry) => {
    if (entry.kind === 'presence') who.set(entry.person, entry.who);
    const what = describe(entry, who);
    return what === undefined ? [] : [`${`+${((entry.at - first) / 1000).toFixed(3)} s`.padStart(11)}  ${what}`];
  });
  const measured: [string, readonly LatencySample[], string][] = [
    ['expected → lights on', latencies.expectedToLights, 'the room lit as soon as the building knew someone was on their way'],
    ['expected → heating on', latencies.expectedToHeating, 'comfort started before they arrived'],
    ['arrival → lights', latencies.arrivalToLights, ''],
    ['leave → recording paused', latencies.leaveToPause, "from the gateway hearing of the departure to the recorder's key epoch ended"],
    ['button → lamp', latencies.buttonToLamp, "from the press to the lamp of its room, the button's debounce included"],
  ];
  const rows = measured.map(([name, samples, why]) => {
    if (samples === latencies.arrivalToLights && samples.length > 0) return `  ${name.padEnd(26)} ${arrivals(samples)}`;
    const summary = summarise(samples);
    const figures = summary === undefined ? 'not seen' : summary.n === 1 ? `${ms(summary.p50)}` : `n=${summary.n}  p50 ${ms(summary.p50)}  p99 ${ms(summary.p99)}  max ${ms(summary.max)}`;
    return `  ${name.padEnd(26)} ${figures.padEnd(44)} ${why}`;
  });
  const outside = peers.filter((peer) => !peer.loopback);
  const peerLines = peers.map((peer) => `  ${peer.protocol} ${peer.host}  (${peer.endpoints} endpoint${peer.endpoints === 1 ? '' : 's'})  ${peer.loopback ? 'this machine: inside the building' : 'OUTSIDE THE BUILDING'}`);
  return [
    'timeline (the simulator\'s clock; the gateway and every board share it):',
    ...lines,
    '',
    'latencies (each cause matched to the first effect after it in the same space):',
    ...rows,
    '',
    `where the building's sockets went (${peers.length} peer host${peers.length === 1 ? '' : 's'}, from the kernel's socket tables and every TCP connect):`,
    ...(peerLines.length === 0 ? ['  none'] : peerLines),
    outside.length === 0 ? '  no connection left the building' : `  ${outside.length} peer host${outside.length === 1 ? '' : 's'} outside the building`,
    '',
  ].join('\n');
}

function describe(entry: JournalEntry, who: ReadonlyMap<number, string>): string | undefined {
  switch (entry.kind) {
    case 'note':
      return `— ${entry.text}`;
    case 'presence':
      return `${entry.space}: ${entry.who} ${entry.change}`;
    case 'output':
      return `${entry.board}.${entry.device} = ${entry.level}`;
    case 'press':
      return `${entry.board}.${entry.device} pressed`;
    case 'talk':
      return `${entry.board}.${entry.device}: someone talks at seat ${entry.channel} for ${entry.seconds} s`;
    case 'recording': {
      // Epoch ids are a time and random bits: the random part tells them apart at a glance.
      const epoch = entry.epoch.split('-').at(-1)?.slice(0, 8) ?? entry.epoch;
      return entry.change === 'begin'
        ? `${entry.board}.${entry.device}: recording, epoch …${epoch} sealed for ${entry.members} ${entry.members === 1 ? 'person' : 'people'}`
        : `${entry.board}.${entry.device}: paused, epoch …${epoch} ended (${entry.reason}); its key destroyed`;
    }
    case 'erased':
      return `${entry.board}: erased someone from its recordings: ${entry.detail}`;
    case 'played':
      return `${entry.board}.${entry.device} played ${entry.clip} ${entry.person >= 0 ? `aimed at ${who.get(entry.person) ?? `person ${entry.person}`}` : 'to everyone'}`;
    case 'log':
      return entry.level >= 1 ? `${entry.board} ${entry.instance}: ${entry.message}` : undefined;
    case 'peer':
      return undefined;
  }
}

/** Arrivals that found the lamp on already (it was prepared) apart from those that lit it. */
function arrivals(samples: readonly LatencySample[]): string {
  const ahead = samples.filter((s) => s.ms <= 0).map((s) => -s.ms);
  const after = summarise(samples.filter((s) => s.ms > 0));
  const parts: string[] = [];
  if (ahead.length > 0) {
    const median = [...ahead].sort((a, b) => a - b)[Math.floor((ahead.length - 1) / 2)] ?? 0;
    parts.push(`${ahead.length} of ${samples.length} found the lamp on already, lit a median ${(median / 1000).toFixed(1)} s before they came`);
  }
  if (after !== undefined) parts.push(`${after.n} lit it as they came in (p50 ${ms(after.p50)}, max ${ms(after.max)})`);
  return parts.join('; ');
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 && value > -10 ? 2 : 0)} ms`;
}
