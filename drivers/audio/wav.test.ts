import { describe, expect, it } from 'vitest';
import { Microphone } from './Microphone.js';
import { SimMicrophone, SimSpeaker } from './SimAudio.js';
import { Speaker } from './Speaker.js';
import { decodeWav, encodeWav } from './wav.js';

describe('WAV in the sim audio backends', () => {
  it('round-trips samples and format through a WAV file', () => {
    const samples = Int16Array.of(0, 1, -1, 32767, -32768, 1234);
    const wav = encodeWav({ rate: 44100, channels: 2, samples });
    expect(Buffer.from(wav).toString('ascii', 0, 4)).toBe('RIFF');
    expect(decodeWav(wav)).toEqual({ rate: 44100, channels: 2, samples });
  });

  it('refuses a file that is not 16-bit PCM WAV', () => {
    expect(() => decodeWav(new TextEncoder().encode('not a wav file at all'))).toThrow(expect.objectContaining({ code: 'driver.bad-frame' }));
  });

  it('a WAV injected into the sim microphone comes out of a speaker and back into a WAV unchanged', () => {
    const bus = new SimMicrophone();
    const mic = new Microphone({ bus, rate: 8000 });
    const out = new SimSpeaker();
    const speaker = new Speaker({ bus: out, rate: 8000 });
    mic.onFrames((pcm) => speaker.write(pcm));
    mic.start();
    const samples = Int16Array.from({ length: 1000 }, (_, i) => i * 31);
    expect(bus.injectWav(encodeWav({ rate: 8000, channels: 1, samples }), 160)).toBe(true);
    expect(decodeWav(out.wav())).toEqual({ rate: 8000, channels: 1, samples });
    expect(() => bus.injectWav(encodeWav({ rate: 16000, channels: 1, samples }))).toThrow(expect.objectContaining({ code: 'driver.bad-frame' }));
    mic.close();
    speaker.close();
  });
});
