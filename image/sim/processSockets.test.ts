import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isLoopback, kernelAddress, processSockets } from './processSockets.js';

describe('processSockets', () => {
  it("reads the kernel's hex addresses, IPv4 and IPv6, in host byte order", () => {
    expect(kernelAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(kernelAddress('00000000000000000000000001000000:0035')).toBe('[::1]:53');
    expect(kernelAddress('0000000000000000FFFF00000100007F:01BB')).toBe('127.0.0.1:443');
    expect(kernelAddress('00000000000000000000000000000000:0000')).toBe('[::]:0');
    expect(isLoopback('127.0.0.1:8080')).toBe(true);
    expect(isLoopback('[::1]:53')).toBe(true);
    expect(isLoopback('192.0.2.7:443')).toBe(false);
  });

  it("lists this process's TCP and UDP sockets with their peers, and only this process's", async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    const udp = createSocket('udp4');
    udp.connect(9, '127.0.0.1');
    await once(udp, 'connect');
    try {
      const sockets = processSockets();
      expect(sockets).toContainEqual({ protocol: 'tcp', local: `127.0.0.1:${port}`, remote: '0.0.0.0:0', connected: false });
      expect(sockets).toContainEqual({ protocol: 'tcp', local: `127.0.0.1:${client.localPort ?? 0}`, remote: `127.0.0.1:${port}`, connected: true });
      expect(sockets).toContainEqual(expect.objectContaining({ protocol: 'udp', remote: '127.0.0.1:9', connected: true }));
    } finally {
      client.destroy();
      udp.close();
      server.close();
    }
  });
});
