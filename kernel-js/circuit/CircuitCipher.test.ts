import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CircuitConfig } from './CircuitConfig.js';
import { CircuitCipher } from './CircuitCipher.js';
import { authTagBytes, headerBytes } from './datagramFormat.js';
import { deriveCircuitKeys } from './deriveCircuitKeys.js';

const key = 'a1'.repeat(32);
const circuit: Pick<CircuitConfig, 'id' | 'kind' | 'key'> = { id: 'lights@meeting-1/lamp', kind: 'control', key };
const message = new TextEncoder().encode('on');

describe('CircuitCipher', () => {
  it('lays a datagram out as the wire format says, and the other end opens it', () => {
    const datagram = new CircuitCipher(circuit, 'app').seal(0x0102030405060708n, message);
    expect(datagram.length).toBe(headerBytes + message.length + authTagBytes);
    expect([datagram[0], datagram[1]]).toEqual([1, 1]);
    const tag = createHash('sha256').update(circuit.id).digest().subarray(0, 8);
    expect(Buffer.from(datagram.subarray(2, 10)).equals(tag)).toBe(true);
    expect([...datagram.subarray(10, 18)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Encrypted: the message does not appear in clear.
    expect(Buffer.from(datagram).includes(Buffer.from('on'))).toBe(false);
    expect(new CircuitCipher(circuit, 'device').open(datagram)).toEqual({ ok: true, sequence: 0x0102030405060708n, message });
  });

  it('carries both ways under different keys, and an end cannot open its own datagrams', () => {
    const app = new CircuitCipher(circuit, 'app');
    const device = new CircuitCipher(circuit, 'device');
    expect(app.open(device.seal(7n, message))).toMatchObject({ ok: true, sequence: 7n });
    // Same sequence, other direction: a different ciphertext, since the key differs.
    expect(Buffer.from(app.seal(7n, message)).equals(Buffer.from(device.seal(7n, message)))).toBe(false);
    expect(app.open(app.seal(7n, message))).toEqual({ ok: false, reason: 'forged' });
    const keys = deriveCircuitKeys(circuit.id, key);
    expect(Buffer.from(keys.appToDevice).equals(Buffer.from(keys.deviceToApp))).toBe(false);
  });

  it('refuses any flipped bit: header version or kind as malformed, tag as unknown, the rest as forged', () => {
    const datagram = new CircuitCipher(circuit, 'app').seal(42n, message);
    const device = new CircuitCipher(circuit, 'device');
    const reasons = new Set<string>();
    for (let bit = 0; bit < datagram.length * 8; bit += 1) {
      const flipped = Uint8Array.from(datagram);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const opened = device.open(flipped);
      expect(opened.ok).toBe(false);
      const expected = bit < 16 ? 'malformed' : bit < 80 ? 'unknown' : 'forged';
      expect(opened).toEqual({ ok: false, reason: expected });
      reasons.add(expected);
    }
    expect(reasons.size).toBe(3);
  });

  it('refuses a datagram under another key or another circuit id as forged', () => {
    const datagram = new CircuitCipher(circuit, 'app').seal(1n, message);
    expect(new CircuitCipher({ ...circuit, key: 'b2'.repeat(32) }, 'device').open(datagram)).toEqual({ ok: false, reason: 'forged' });
    // Another id has another tag: a mux would not route it here, and the cipher says so.
    expect(new CircuitCipher({ ...circuit, id: 'lights@meeting-2/lamp' }, 'device').open(datagram)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('refuses a truncated datagram: below the minimum as malformed, else as forged', () => {
    const datagram = new CircuitCipher(circuit, 'app').seal(1n, message);
    const device = new CircuitCipher(circuit, 'device');
    expect(device.open(datagram.subarray(0, datagram.length - 1))).toEqual({ ok: false, reason: 'forged' });
    expect(device.open(datagram.subarray(0, headerBytes + authTagBytes - 1))).toEqual({ ok: false, reason: 'malformed' });
    expect(device.open(new Uint8Array(0))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a stream datagram at a control end as malformed', () => {
    const datagram = new CircuitCipher({ ...circuit, kind: 'stream' }, 'app').seal(1n, message);
    expect(new CircuitCipher(circuit, 'device').open(datagram)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('opens an empty message, and a datagram that sits inside a larger buffer', () => {
    const datagram = new CircuitCipher(circuit, 'app').seal(3n, new Uint8Array(0));
    const inside = new Uint8Array(datagram.length + 10);
    inside.set(datagram, 5);
    expect(new CircuitCipher(circuit, 'device').open(inside.subarray(5, 5 + datagram.length))).toEqual({ ok: true, sequence: 3n, message: new Uint8Array(0) });
  });

  it('refuses a key that is not 64 hex characters', () => {
    expect(() => new CircuitCipher({ ...circuit, key: 'abc' }, 'app')).toThrow(expect.objectContaining({ code: 'circuit.bad-key' }));
    expect(() => new CircuitCipher({ ...circuit, key: 'zz'.repeat(32) }, 'app')).toThrow(expect.objectContaining({ code: 'circuit.bad-key' }));
  });
});
