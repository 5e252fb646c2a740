import { enclaveConformance } from './conformance/enclaveConformance.js';
import { audioConformance } from './conformance/audioConformance.js';
import { displayConformance } from './conformance/displayConformance.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { digitalConformance } from './conformance/digitalConformance.js';
import { serialConformance } from './conformance/serialConformance.js';
import { socatPtyPair } from './conformance/socatPtyPair.js';
import { GpioIn } from './digital/GpioIn.js';
import { GpioOut } from './digital/GpioOut.js';
import { SimDigitalBus } from './digital/SimDigitalBus.js';
import { Microphone } from './audio/Microphone.js';
import { SimMicrophone, SimSpeaker } from './audio/SimAudio.js';
import { Speaker } from './audio/Speaker.js';
import { FbdevDisplayBus } from './display/FbdevDisplayBus.js';
import { FrameDisplay } from './display/FrameDisplay.js';
import { SimDisplayBus } from './display/SimDisplayBus.js';
import { SimEnclaveBus } from './enclave/SimEnclaveBus.js';
import { VaultEnclave } from './enclave/VaultEnclave.js';
import { SerialLine } from './serial/SerialLine.js';
import { serialportBus } from './serial/serialportBus.js';
import { simSerialPair } from './serial/simSerialPair.js';

// Every driver/backend pair osmose ships runs its class's suite here, so `make test` covers
// them all. A new pair is one more call.

digitalConformance({
  name: 'gpio-in/gpio-out on SimDigitalBus',
  input(options) {
    const bus = new SimDigitalBus();
    const driver = new GpioIn({ bus, pin: 'GPIO17', ...options });
    return { driver, drive: (raw) => bus.setInput('GPIO17', raw) };
  },
  output(options) {
    const bus = new SimDigitalBus();
    const driver = new GpioOut({ bus, pin: 'GPIO27', ...options });
    return { driver, probe: () => bus.level('GPIO27') };
  },
});

serialConformance({
  name: 'serial on simSerialPair',
  open() {
    const [near, far] = simSerialPair();
    const driver = new SerialLine({ bus: near, port: 'serial0' });
    return Promise.resolve({ driver, peer: far, dispose: () => far.close() });
  },
});

serialConformance({
  name: 'serial on serialport over a socat pty pair',
  async open() {
    const pty = await socatPtyPair();
    const driver = new SerialLine({ bus: await serialportBus({ path: pty.a, baudRate: 115200 }), port: 'serial0' });
    const peer = await serialportBus({ path: pty.b, baudRate: 115200 });
    return {
      driver,
      peer,
      async dispose() {
        await peer.close();
        await pty.close();
      },
    };
  },
});

const deviceSecrets = { first: new Uint8Array(32).fill(1), second: new Uint8Array(32).fill(2) };

enclaveConformance({
  name: 'enclave on SimEnclaveBus',
  open: (device) => new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret: deviceSecrets[device] }) }),
});

displayConformance({
  name: 'display on SimDisplayBus',
  open(options) {
    const bus = new SimDisplayBus(options);
    const driver = new FrameDisplay({ bus, ...options });
    return { driver, shown: (x, y) => bus.pixel(x, y), refreshes: () => bus.refreshes };
  },
});

audioConformance({
  name: 'audio-in/audio-out on SimMicrophone/SimSpeaker',
  microphone(options) {
    const bus = new SimMicrophone();
    return { driver: new Microphone({ bus, ...options }), sound: (pcm) => void bus.inject(pcm) };
  },
  speaker(options) {
    const bus = new SimSpeaker();
    return { driver: new Speaker({ bus, ...options }), heard: () => bus.played() };
  },
});

// No /dev/fb* on the test machine: the fbdev bus writes a file laid out as a 32-bit frame
// buffer with a padded stride, and the panel is read back from that file.
const fbDir = mkdtempSync(join(tmpdir(), 'osmose-fb-'));
afterAll(() => rmSync(fbDir, { recursive: true, force: true }));
let fbCount = 0;

displayConformance({
  name: 'display on FbdevDisplayBus (a file laid out as /dev/fb, 32 bpp, padded stride)',
  open(options) {
    const path = join(fbDir, `fb${fbCount++}`);
    const stride = options.width * 4 + 64;
    writeFileSync(path, Buffer.alloc(stride * Math.max(options.height, 1)));
    const refreshes: { x: number; y: number; width: number; height: number }[] = [];
    const fb = new FbdevDisplayBus({ path, width: options.width, height: options.height, bitsPerPixel: 32, stride });
    const bus = {
      refresh: (frame: Uint8Array, width: number, rect: (typeof refreshes)[number]) => {
        refreshes.push({ ...rect });
        fb.refresh(frame, width, rect);
      },
      close: () => fb.close(),
    };
    const driver = new FrameDisplay({ bus, ...options });
    return {
      driver,
      shown: (x, y) => readFileSync(path).readUInt32LE(y * stride + x * 4) & 0xffffff,
      refreshes: () => refreshes,
    };
  },
});
