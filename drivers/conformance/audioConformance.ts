import { afterEach, describe, expect, it } from 'vitest';
import type { AudioIn, AudioOut } from '../audio/Audio.js';

export interface MicrophoneRig {
  readonly driver: AudioIn;
  /** Sound in the room, as PCM at the microphone's format: captured only while it runs. */
  readonly sound: (pcm: Int16Array) => void;
}

export interface SpeakerRig {
  readonly driver: AudioOut;
  /** Every sample the speaker has played so far. */
  readonly heard: () => Int16Array;
}

export interface AudioHarness {
  readonly name: string;
  microphone(options: { readonly rate?: number; readonly channels?: number }): MicrophoneRig;
  speaker(options: { readonly rate?: number; readonly channels?: number }): SpeakerRig;
}

const ramp = (length: number): Int16Array => Int16Array.from({ length }, (_, i) => (i * 997) % 32768 - 16384);

/** Registers the audio conformance tests for one microphone+speaker pair of drivers on a backend. */
export function audioConformance(harness: AudioHarness): void {
  describe(`audio conformance: ${harness.name}`, () => {
    const open: { close(): void }[] = [];
    const mic = (options: { rate?: number; channels?: number } = {}): MicrophoneRig => {
      const rig = harness.microphone(options);
      open.push(rig.driver);
      return rig;
    };
    const speaker = (options: { rate?: number; channels?: number } = {}): SpeakerRig => {
      const rig = harness.speaker(options);
      open.push(rig.driver);
      return rig;
    };
    afterEach(() => {
      for (const driver of open.splice(0)) driver.close();
    });

    it('reports its format: 16 kHz mono by default, else as opened', () => {
      expect([mic().driver.rate, mic().driver.channels]).toEqual([16000, 1]);
      const stereo = speaker({ rate: 48000, channels: 2 }).driver;
      expect([stereo.rate, stereo.channels]).toEqual([48000, 2]);
    });

    it('refuses a rate or channel count the spec does not allow', () => {
      expect(() => harness.microphone({ rate: 12345 })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
      expect(() => harness.speaker({ channels: 0 })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
      expect(() => harness.speaker({ channels: 9 })).toThrow(expect.objectContaining({ code: 'driver.bad-option' }));
    });

    it('captures whole frames only between start and stop', () => {
      const { driver, sound } = mic({ channels: 2 });
      const got: Int16Array[] = [];
      driver.onFrames((pcm) => got.push(pcm));
      sound(ramp(8));
      driver.start();
      driver.start();
      sound(ramp(640));
      driver.stop();
      sound(ramp(8));
      const total = got.reduce((sum, pcm) => sum + pcm.length, 0);
      expect(total).toBe(640);
      expect(got.every((pcm) => pcm instanceof Int16Array && pcm.length % 2 === 0)).toBe(true);
      expect(Int16Array.from(got.flatMap((pcm) => [...pcm]))).toEqual(ramp(640));
    });

    it('plays exactly the samples written, in order', () => {
      const { driver, heard } = speaker({ channels: 2 });
      driver.write(ramp(6));
      driver.write(ramp(4));
      expect(heard()).toEqual(Int16Array.from([...ramp(6), ...ramp(4)]));
    });

    it('refuses PCM that is not whole 16-bit frames', () => {
      const { driver } = speaker({ channels: 2 });
      expect(() => driver.write(new Int16Array(3))).toThrow(expect.objectContaining({ code: 'driver.bad-frame' }));
      expect(() => driver.write(new Float32Array(4) as unknown as Int16Array)).toThrow(expect.objectContaining({ code: 'driver.bad-frame' }));
    });

    it('refuses every call after close, closing twice is harmless, and a closed microphone hears nothing', () => {
      const m = mic();
      const s = speaker();
      const got: Int16Array[] = [];
      m.driver.onFrames((pcm) => got.push(pcm));
      m.driver.start();
      m.driver.close();
      m.driver.close();
      s.driver.close();
      m.sound(ramp(4));
      expect(got).toEqual([]);
      expect(() => m.driver.start()).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => m.driver.stop()).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => m.driver.onFrames(() => undefined)).toThrow(expect.objectContaining({ code: 'driver.closed' }));
      expect(() => s.driver.write(ramp(2))).toThrow(expect.objectContaining({ code: 'driver.closed' }));
    });
  });
}
