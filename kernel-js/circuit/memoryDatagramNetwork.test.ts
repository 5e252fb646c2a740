import { describe, expect, it } from 'vitest';
import { memoryDatagramNetwork } from './memoryDatagramNetwork.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('memoryDatagramNetwork', () => {
  it('delivers to the port bound at the address, after send returns, in order, with the sender address', async () => {
    const network = memoryDatagramNetwork();
    const a = network.port('127.0.0.1:47001');
    const b = network.port('127.0.0.1:47002');
    const got: [number[], string][] = [];
    b.onDatagram((bytes, from) => void got.push([[...bytes], from]));
    const sent = Uint8Array.of(1, 2);
    a.send('127.0.0.1:47002', sent);
    sent[0] = 9;
    a.send('127.0.0.1:47002', Uint8Array.of(3));
    expect(got).toEqual([]);
    await settle();
    expect(got).toEqual([
      [[1, 2], '127.0.0.1:47001'],
      [[3], '127.0.0.1:47001'],
    ]);
  });

  it('loses a datagram to an address nobody is bound to, or from and to a closed port', async () => {
    const network = memoryDatagramNetwork();
    const a = network.port('127.0.0.1:47001');
    const b = network.port('127.0.0.1:47002');
    const got: number[][] = [];
    b.onDatagram((bytes) => void got.push([...bytes]));
    a.send('127.0.0.1:47999', Uint8Array.of(1));
    await b.close();
    a.send('127.0.0.1:47002', Uint8Array.of(2));
    await a.close();
    a.send('127.0.0.1:47002', Uint8Array.of(3));
    await settle();
    expect(got).toEqual([]);
    // The address is free again once closed.
    const again = network.port('127.0.0.1:47002');
    expect(again.address).toBe('127.0.0.1:47002');
  });

  it('refuses an address bound twice and one that is not HOST:PORT', () => {
    const network = memoryDatagramNetwork();
    network.port('[::1]:47001');
    expect(() => network.port('[::1]:47001')).toThrow(expect.objectContaining({ code: 'circuit.address-in-use' }));
    expect(() => network.port('nowhere')).toThrow(expect.objectContaining({ code: 'gateway.bad-address' }));
  });

  it('stops a listener that unsubscribed', async () => {
    const network = memoryDatagramNetwork();
    const a = network.port('127.0.0.1:1');
    const b = network.port('127.0.0.1:2');
    const got: number[] = [];
    const stop = b.onDatagram((bytes) => void got.push(bytes[0] ?? -1));
    a.send('127.0.0.1:2', Uint8Array.of(1));
    await settle();
    stop();
    a.send('127.0.0.1:2', Uint8Array.of(2));
    await settle();
    expect(got).toEqual([1]);
  });
});
