import { describe, expect, it } from 'vitest';
import { RingChannel } from './RingChannel.js';
import { ringChannelPair } from './ringChannelPair.js';

const message = (index: number, length = 100): Uint8Array => Uint8Array.from({ length }, (_, at) => (index + at) & 0xff);

function pair(capacity = 1024, maxMessageBytes = 200): [RingChannel, RingChannel] {
  const [a, b] = ringChannelPair({ capacity, maxMessageBytes });
  return [new RingChannel(a), new RingChannel(b)];
}

describe('RingChannel', () => {
  it('answers busy once the ring is full, loses nothing, and takes more once the other end reads', async () => {
    const [producer, consumer] = pair();
    const sent: Uint8Array[] = [];
    // 104 bytes a record in a 1,024-byte ring: nine fit, the tenth does not.
    for (let index = 0; ; index++) {
      const next = message(index);
      const answer = producer.send(next);
      if (answer === 'busy') break;
      expect(answer).toBe('ok');
      sent.push(next);
    }
    expect(sent).toHaveLength(9);
    expect(producer.send(message(99))).toBe('busy');

    const received: Uint8Array[] = [];
    const writable = producer.writable(100);
    const stop = consumer.onMessage((m) => received.push(m));
    await writable;
    await vi_waitFor(() => received.length === 9);
    expect(received).toEqual(sent);
    expect(producer.send(message(9))).toBe('ok');
    await vi_waitFor(() => received.length === 10);
    expect(received[9]).toEqual(message(9));
    stop();
    producer.close();
  });

  it('keeps what arrives while nobody listens, and delivers it to the first listener in order', async () => {
    const [a, b] = pair();
    expect([a.send(message(1)), a.send(message(2))]).toEqual(['ok', 'ok']);
    const first: Uint8Array[] = [];
    const second: Uint8Array[] = [];
    const stopFirst = b.onMessage((m) => first.push(m));
    await vi_waitFor(() => first.length === 2);
    stopFirst();
    a.send(message(3));
    const stopSecond = b.onMessage((m) => second.push(m));
    await vi_waitFor(() => second.length === 1);
    expect(first).toEqual([message(1), message(2)]);
    expect(second).toEqual([message(3)]);
    stopSecond();
    a.close();
  });

  it('carries both ways at once', async () => {
    const [a, b] = pair();
    const atA: Uint8Array[] = [];
    const atB: Uint8Array[] = [];
    a.onMessage((m) => atA.push(m));
    b.onMessage((m) => atB.push(m));
    a.send(message(1, 10));
    b.send(message(2, 20));
    await vi_waitFor(() => atA.length === 1 && atB.length === 1);
    expect(atA).toEqual([message(2, 20)]);
    expect(atB).toEqual([message(1, 10)]);
    a.close();
  });

  it('answers unavailable at both ends once either end closes; writable rejects; what was sent before still arrives', async () => {
    const [a, b] = pair();
    a.send(message(7));
    a.close();
    expect(a.send(message(8))).toBe('unavailable');
    expect(b.send(message(8))).toBe('unavailable');
    await expect(b.writable()).rejects.toMatchObject({ code: 'stream.closed' });
    const got: Uint8Array[] = [];
    b.onMessage((m) => got.push(m));
    await vi_waitFor(() => got.length === 1);
    expect(got).toEqual([message(7)]);
  });

  it('refuses a message past maxMessageBytes with the host\'s error, and options the rings cannot hold', () => {
    const [a] = pair();
    expect(() => a.send(new Uint8Array(201))).toThrow(expect.objectContaining({ code: 'kernel.channel-too-large' }));
    expect(() => ringChannelPair({ capacity: 256, maxMessageBytes: 253 })).toThrow(expect.objectContaining({ code: 'stream.channel-option' }));
    expect(() => ringChannelPair({ capacity: 300 })).toThrow(expect.objectContaining({ code: 'stream.ring-capacity' }));
    a.close();
  });
});

/** Waits for `done` to hold, looking again after each turn of the event loop (never by the clock). */
async function vi_waitFor(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 10_000) throw new Error('the condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
