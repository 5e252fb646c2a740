import { describe, expect, it } from 'vitest';
import { Microphone, SimMicrophone, SimSpeaker, Speaker } from '../../drivers/index.js';
import type { CircuitConfig } from '../circuit/CircuitConfig.js';
import type { KernelBoardConfig } from '../boot/KernelImage.js';
import type { KernelChannel } from './KernelChannels.js';
import { memoryChannelPair, type MemoryChannel } from './memoryChannels.js';
import { streamDevices, streamOps } from './streamDevices.js';

const key = '00'.repeat(32);
const circuit = (need: string, device: string, driver: string): CircuitConfig => ({
  id: `recorder@room/${need}`,
  kind: 'stream',
  direction: driver === 'audio-in' ? 'to-app' : 'from-app',
  app: { board: 'table', instance: 'recorder@room', need, address: '127.0.0.1:47001' },
  device: { board: 'ceiling', device, driver, address: '127.0.0.1:47002', settings: { rate: 8000, channels: 2 } },
  key,
});
const circuits = [circuit('mic', 'mic', 'audio-in'), circuit('speaker', 'speaker', 'audio-out')];
const config = (board: string): KernelBoardConfig => ({
  format: 1,
  abi: 3,
  board: { id: board, type: 'sim', space: ['room'] },
  devices: {},
  fragments: [],
  circuits,
});

/**
 * The two boards' ends of the room's stream circuits over in-memory channels: the table runs
 * the app end (a remote microphone and speaker), the ceiling holds the devices. `hold` keeps
 * what the ceiling sends to the table until `release`, standing for audio still on its way.
 */
function room() {
  const micBus = new SimMicrophone();
  const speakerBus = new SimSpeaker();
  const mic = new Microphone({ bus: micBus, rate: 8000, channels: 2 });
  const speaker = new Speaker({ bus: speakerBus, rate: 8000, channels: 2 });
  const pairs = new Map(circuits.map((c) => [c.id, memoryChannelPair({ maxMessageBytes: 4096, capacity: 256 })]));
  let held: Uint8Array[] | undefined;
  const toTable = new Map<string, (message: Uint8Array) => void>();
  const tableEnd = (id: string): KernelChannel => {
    const [end] = pairs.get(id) as [MemoryChannel, MemoryChannel];
    return {
      maxMessageBytes: end.maxMessageBytes,
      send: (message) => end.send(message),
      onMessage: (listener) => {
        toTable.set(id, listener);
        return end.onMessage((message) => (held === undefined ? listener(message) : held.push(message)));
      },
    };
  };
  const table = streamDevices({ config: config('table'), open: (c) => tableEnd(c.id), microphone: () => undefined, speaker: () => undefined, log: () => undefined });
  const ceiling = streamDevices({
    config: config('ceiling'),
    open: (c) => pairs.get(c.id)?.[1],
    microphone: (device) => (device === 'mic' ? mic : undefined),
    speaker: (device) => (device === 'speaker' ? speaker : undefined),
    log: () => undefined,
  });
  return {
    micBus,
    speakerBus,
    remoteMic: table.microphone('recorder@room/mic'),
    remoteSpeaker: table.speaker('recorder@room/speaker'),
    hold: () => void (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const message of waiting) toTable.get('recorder@room/mic')?.(message);
    },
    close: () => {
      table.close();
      ceiling.close();
    },
  };
}

describe('streamDevices', () => {
  it('starts a microphone on another board and hears its audio, frame for frame', () => {
    const { micBus, remoteMic, close } = room();
    const heard: number[] = [];
    remoteMic?.onFrames((pcm) => heard.push(...pcm));
    expect(micBus.capturing).toBe(false);
    remoteMic?.start();
    expect(micBus.capturing).toBe(true);
    micBus.inject(Int16Array.of(1, -1, 2, -2));
    remoteMic?.stop();
    expect(micBus.capturing).toBe(false);
    expect(heard).toEqual([1, -1, 2, -2]);
    close();
  });

  it('drops audio of an earlier capture that arrives after the app stopped and started again', () => {
    const { micBus, remoteMic, hold, release, close } = room();
    const heard: number[] = [];
    remoteMic?.onFrames((pcm) => heard.push(...pcm));
    remoteMic?.start();
    micBus.inject(Int16Array.of(1, 1));
    // Audio captured before the app re-keys is still on its way when the stop and the new start go out.
    hold();
    micBus.inject(Int16Array.of(2, 2));
    remoteMic?.stop();
    remoteMic?.start();
    micBus.inject(Int16Array.of(3, 3));
    release();
    expect(heard).toEqual([1, 1, 3, 3]);
    close();
  });

  it('plays what the app writes on a speaker on another board', () => {
    const { speakerBus, remoteSpeaker, close } = room();
    remoteSpeaker?.write(Int16Array.of(5, -5, 6, -6));
    expect([...speakerBus.played()]).toEqual([5, -5, 6, -6]);
    expect(streamOps).toEqual({ start: 1, stop: 2, pcm: 3 });
    close();
  });
});
