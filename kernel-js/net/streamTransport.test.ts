import { PassThrough } from 'node:stream';
import { Message } from 'capnp-es';
import { Message as RpcMessage } from 'capnp-es/capnp/rpc';
import { describe, expect, it } from 'vitest';
import { RpcError } from './RpcError.js';
import { StreamTransport } from './streamTransport.js';

/** A real RPC message (a Bootstrap or a Finish) and its bytes on the wire. */
function bootstrap(questionId: number): RpcMessage {
  const message = new Message().initRoot(RpcMessage);
  message._initBootstrap().questionId = questionId;
  return message;
}
function finish(questionId: number): RpcMessage {
  const message = new Message().initRoot(RpcMessage);
  message._initFinish().questionId = questionId;
  return message;
}
const bytes = (message: RpcMessage): Uint8Array => new Uint8Array(message.segment.message.toArrayBuffer());

/** What a received message says, to compare with what was sent. */
function describeMessage(message: RpcMessage): string {
  if (message.which() === RpcMessage.BOOTSTRAP) return `bootstrap ${message.bootstrap.questionId}`;
  if (message.which() === RpcMessage.FINISH) return `finish ${message.finish.questionId}`;
  return `message ${message.which()}`;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

const sent = [bootstrap(7), finish(3), bootstrap(4_000_000_000)];
const stream = concat(sent.map(bytes));
const expected = ['bootstrap 7', 'finish 3', 'bootstrap 4000000000'];

async function receive(transport: StreamTransport, count: number): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < count; i++) got.push(describeMessage(await transport.recvMessage()));
  return got;
}

describe('StreamTransport', () => {
  it('reads several messages written in one chunk', async () => {
    const socket = new PassThrough();
    const transport = new StreamTransport(socket);
    socket.write(stream);
    expect(await receive(transport, 3)).toEqual(expected);
  });

  it('reads the same messages whatever byte the stream is split at', async () => {
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      const socket = new PassThrough();
      const transport = new StreamTransport(socket);
      const reading = receive(transport, 3);
      socket.write(stream.subarray(0, cut));
      await new Promise((resolve) => setImmediate(resolve));
      socket.write(stream.subarray(cut));
      expect(await reading, `split at byte ${cut}`).toEqual(expected);
    }
  });

  it('reads messages arriving a byte at a time', async () => {
    const socket = new PassThrough();
    const transport = new StreamTransport(socket);
    const reading = receive(transport, 3);
    for (let i = 0; i < stream.byteLength; i++) {
      socket.write(stream.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await reading).toEqual(expected);
  });

  it('writes standard stream frames: what it sends, a transport reading the bytes receives', async () => {
    const socket = new PassThrough(); // a loopback: what is written comes back
    const transport = new StreamTransport(socket);
    const written: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => written.push(chunk));
    for (const message of sent) transport.sendMessage(message);
    expect(await receive(transport, 3)).toEqual(expected);
    expect(Buffer.concat(written).equals(Buffer.from(stream))).toBe(true);
  });

  it('refuses a frame announcing more than 64 MiB: closes the socket with a clear error and rejects the pending receive', async () => {
    const socket = new PassThrough();
    const closes: (Error | undefined)[] = [];
    const transport = new StreamTransport(socket, { onClose: (error) => closes.push(error) });
    const pending = transport.recvMessage();
    const header = new Uint8Array(8);
    new DataView(header.buffer).setUint32(4, (64 * 1024 * 1024) / 8 + 1, true);
    socket.write(header);
    const error = await pending.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('rpc.frame-too-large');
    expect((error as RpcError).message).toMatch(/67108880 bytes/);
    expect(closes).toEqual([error]);
    expect(socket.destroyed).toBe(true);
    await expect(transport.recvMessage()).rejects.toBe(error);
  });

  it('refuses a frame of more than 512 segments', async () => {
    const socket = new PassThrough();
    const transport = new StreamTransport(socket);
    const pending = transport.recvMessage();
    const header = new Uint8Array(4);
    new DataView(header.buffer).setUint32(0, 1000, true);
    socket.write(header);
    await expect(pending).rejects.toMatchObject({ code: 'rpc.too-many-segments' });
    expect(socket.destroyed).toBe(true);
  });

  it('close() ends the socket, rejects a pending receive and reports a close without an error, once', async () => {
    const socket = new PassThrough();
    const closes: (Error | undefined)[] = [];
    const transport = new StreamTransport(socket, { onClose: (error) => closes.push(error) });
    const pending = transport.recvMessage();
    let ended = false;
    socket.on('finish', () => (ended = true));
    transport.close();
    await expect(pending).rejects.toMatchObject({ code: 'rpc.closed' });
    transport.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ended).toBe(true);
    expect(closes).toEqual([undefined]);
    transport.sendMessage(finish(1)); // dropped, not thrown: capnp-es answers late calls
  });

  it('rejects a pending receive when the other side ends the stream', async () => {
    const socket = new PassThrough();
    const closes: (Error | undefined)[] = [];
    const transport = new StreamTransport(socket, { onClose: (error) => closes.push(error) });
    const pending = transport.recvMessage();
    socket.end();
    await expect(pending).rejects.toMatchObject({ code: 'rpc.closed', message: 'the other side closed the connection' });
    expect(closes).toHaveLength(1);
  });

  it('rejects a frame that is not a Cap\u2019n Proto message (an empty first segment)', async () => {
    const socket = new PassThrough();
    const transport = new StreamTransport(socket);
    socket.write(new Uint8Array(8)); // one segment of zero words
    await expect(transport.recvMessage()).rejects.toMatchObject({ code: 'rpc.protocol' });
  });
});
