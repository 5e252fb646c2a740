import type { SimBoard, SimDigitalBus, SimDisplayBus, SimMicrophone, SimSpeaker } from '../../drivers/index.js';
import type { KernelDevice } from '../../kernel-js/boot/KernelImage.js';
import { parseDuration } from '../../lib/duration.js';

/** The outside end of one device of a simulated board: what `osmose sim` drives and reads. */
export type SimEnd =
  | { readonly kind: 'digital'; readonly gpio: SimDigitalBus; readonly line: string; readonly output: boolean; readonly pull: 'up' | 'down' | 'none'; readonly activeLow: boolean; readonly debounceMs: number }
  | { readonly kind: 'display'; readonly panel: SimDisplayBus }
  | { readonly kind: 'microphone'; readonly microphone: SimMicrophone }
  | { readonly kind: 'speaker'; readonly speaker: SimSpeaker }
  | { readonly kind: 'other'; readonly driver: string };

/**
 * Each device of a configuration, by name, matched with its end on the sim board. Digital
 * devices are found by their line; microphones, speakers and panels are made in the order
 * their devices were opened, which is the configuration's key order (openBoardDevices).
 */
export function simEnds(devices: Readonly<Record<string, KernelDevice>>, sim: SimBoard): ReadonlyMap<string, SimEnd> {
  const ends = new Map<string, SimEnd>();
  const next = { display: 0, microphone: 0, speaker: 0 };
  for (const [name, { driver, settings }] of Object.entries(devices)) {
    if (driver === 'gpio-in' || driver === 'gpio-out') {
      const pull = settings['pull'];
      ends.set(name, {
        kind: 'digital',
        gpio: sim.gpio,
        line: String(settings['pin']),
        output: driver === 'gpio-out',
        pull: pull === 'up' || pull === 'down' ? pull : 'none',
        activeLow: settings['activeLow'] === true,
        debounceMs: typeof settings['debounce'] === 'string' ? (parseDuration(settings['debounce']) ?? 0) : 0,
      });
    } else if (driver === 'display' && sim.displays[next.display] !== undefined) {
      ends.set(name, { kind: 'display', panel: sim.displays[next.display++] as SimDisplayBus });
    } else if (driver === 'audio-in' && sim.microphones[next.microphone] !== undefined) {
      ends.set(name, { kind: 'microphone', microphone: sim.microphones[next.microphone++] as SimMicrophone });
    } else if (driver === 'audio-out' && sim.speakers[next.speaker] !== undefined) {
      ends.set(name, { kind: 'speaker', speaker: sim.speakers[next.speaker++] as SimSpeaker });
    } else {
      ends.set(name, { kind: 'other', driver });
    }
  }
  return ends;
}
