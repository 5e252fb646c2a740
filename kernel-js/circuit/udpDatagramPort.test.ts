import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { udpDatagramPort } from './udpDatagramPort.js';

const until = async (done: () => boolean): Promise<void> => {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
};

describe('udpDatagramPort', () => {
  it('binds port 0 to a free port, tells it, and carries datagrams both ways', async () => {
    const a = await udpDatagramPort('127.0.0.1:0');
    const b = await udpDatagramPort('127.0.0.1:0');
    try {
      expect(a.address).toMatch(/^127\.0\.0\.1:[1-9][0-9]*$/);
      expect(a.address).not.toBe(b.address);
      const atA: [number[], string][] = [];
      const atB: [number[], string][] = [];
      a.onDatagram((bytes, from) => void atA.push([[...bytes], from]));
      b.onDatagram((bytes, from) => void atB.push([[...bytes], from]));
      a.send(b.address, Uint8Array.of(1, 2, 3));
      b.send(a.address, Uint8Array.of(4));
      await until(() => atA.length === 1 && atB.length === 1);
      expect(atB).toEqual([[[1, 2, 3], a.address]]);
      expect(atA).toEqual([[[4], b.address]]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuses an address in use with circuit.port-bind', async () => {
    const a = await udpDatagramPort('127.0.0.1:0');
    try {
      await expect(udpDatagramPort(a.address)).rejects.toMatchObject({ code: 'circuit.port-bind' });
    } finally {
      await a.close();
    }
  });

  it('works over IPv6 loopback, and frees its address on close', async () => {
    const a = await udpDatagramPort('[::1]:0');
    expect(a.address).toMatch(/^\[::1\]:[0-9]+$/);
    const got: number[] = [];
    a.onDatagram((bytes) => void got.push(bytes[0] ?? -1));
    const raw = createSocket('udp6');
    const port = Number(a.address.split(':').at(-1));
    raw.send(Uint8Array.of(7), port, '::1');
    await until(() => got.length === 1);
    raw.close();
    expect(got).toEqual([7]);
    await a.close();
    await a.close();
    const again = await udpDatagramPort(a.address);
    await again.close();
  });
});
