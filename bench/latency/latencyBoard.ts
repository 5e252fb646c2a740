import { createSocket } from 'node:dgram';
import { hrtime } from 'node:process';
import { connect, type MqttClient } from 'mqtt';
import { openDriver, simBoardBuses } from '../../drivers/index.js';
import { bootBoard } from '../../kernel-js/boot/bootBoard.js';

// One board of bench/latency, in a process of its own, driven over the IPC channel:
//
//   osmose-switch DIR     boots the board; each {press} drives its button's line down and up
//   osmose-ceiling DIR    boots the board; each change of its lamp's line is reported
//   mqtt-switch URL       each {press} publishes one message to the broker
//   mqtt-ceiling URL      subscribes, and each message toggles a lamp driver on sim buses
//   udp-switch PORT       each {press} sends one bare UDP datagram to 127.0.0.1:PORT (the floor)
//   udp-ceiling PORT      reports each datagram that arrives on 127.0.0.1:PORT
//
// Times are process.hrtime (CLOCK_MONOTONIC), which every process of the machine shares.

export type LatencyRole = 'osmose-switch' | 'osmose-ceiling' | 'mqtt-switch' | 'mqtt-ceiling' | 'udp-switch' | 'udp-ceiling';
export type LatencyMessage = { readonly ready: true } | { readonly pressed: number; readonly at: string } | { readonly lit: number; readonly at: string };

export const topic = 'building/room/button';
const buttonLine = 'GPIO17';
const lampLine = 'GPIO27';

const send = (message: LatencyMessage): void => {
  process.send?.(message);
};
const now = (): string => hrtime.bigint().toString();

async function main(): Promise<void> {
  const [role, target = ''] = process.argv.slice(2) as [LatencyRole, string];
  let close: () => Promise<void>;
  let press: ((n: number) => void) | undefined;
  // When each press happened, told only when asked (after its lamp), so that no message to the
  // bench competes for the processor while a press travels.
  const pressed = new Map<number, string>();
  switch (role) {
    case 'osmose-switch': {
      const board = await bootBoard(target);
      await board.settled;
      const gpio = board.sim?.gpio;
      if (gpio === undefined) throw new Error(`${target} is not a simulated board`);
      press = (n) => {
        const at = now();
        // The button is active low with a pull-up: down is a press, up its release.
        gpio.setInput(buttonLine, 0);
        gpio.setInput(buttonLine, 1);
        pressed.set(n, at);
      };
      close = () => board.close();
      break;
    }
    case 'osmose-ceiling': {
      const board = await bootBoard(target);
      await board.settled;
      let lit = 0;
      board.sim?.gpio.onOutput((line) => {
        if (line === lampLine) send({ lit: lit++, at: now() });
      });
      close = () => board.close();
      break;
    }
    case 'mqtt-switch': {
      const client = await connected(target);
      press = (n) => {
        const at = now();
        client.publish(topic, 'press', { qos: 0 });
        pressed.set(n, at);
      };
      close = () => client.endAsync();
      break;
    }
    case 'mqtt-ceiling': {
      const sim = simBoardBuses({ lines: [lampLine] });
      const lamp = await openDriver({ driver: 'gpio-out', pin: lampLine }, sim.buses);
      if (lamp.class !== 'digital') throw new Error('the lamp did not open as a digital output');
      let level: 0 | 1 = 0;
      let lit = 0;
      sim.gpio.onOutput((line) => {
        if (line === lampLine) send({ lit: lit++, at: now() });
      });
      const client = await connected(target);
      client.on('message', () => {
        level = level === 0 ? 1 : 0;
        lamp.driver.write(level);
      });
      await client.subscribeAsync(topic, { qos: 0 });
      close = async () => {
        await client.endAsync();
        lamp.driver.close();
      };
      break;
    }
    case 'udp-switch': {
      const socket = createSocket('udp4');
      const datagram = Uint8Array.of(1, 1);
      press = (n) => {
        const at = now();
        socket.send(datagram, Number(target), '127.0.0.1');
        pressed.set(n, at);
      };
      close = () => new Promise((resolve) => socket.close(() => resolve()));
      break;
    }
    case 'udp-ceiling': {
      const socket = createSocket('udp4');
      let lit = 0;
      socket.on('message', () => send({ lit: lit++, at: now() }));
      await new Promise<void>((resolve) => socket.bind(Number(target), '127.0.0.1', resolve));
      close = () => new Promise((resolve) => socket.close(() => resolve()));
      break;
    }
    default:
      throw new Error(`no latency role ${String(role)}`);
  }
  process.on('message', (message: { press?: number; report?: number; stop?: true }) => {
    if (message.press !== undefined) press?.(message.press);
    if (message.report !== undefined) {
      send({ pressed: message.report, at: pressed.get(message.report) ?? '0' });
      pressed.delete(message.report);
    }
    if (message.stop === true) void close().then(() => process.exit(0));
  });
  send({ ready: true });
}

/** An MQTT client connected with Nagle off, the broker's best case for small messages. */
async function connected(url: string): Promise<MqttClient> {
  const client = connect(url, { reconnectPeriod: 0 });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const stream = client.stream as { setNoDelay?: (on: boolean) => void };
  stream.setNoDelay?.(true);
  return client;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
