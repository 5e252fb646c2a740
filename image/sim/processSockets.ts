import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One socket this process holds, as the kernel lists it. */
export interface ProcessSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly local: string;
  readonly remote: string;
  /** Whether it is connected to a peer (a listening or unconnected socket has no remote). */
  readonly connected: boolean;
}

const tables = [
  ['tcp', '/proc/self/net/tcp'],
  ['tcp', '/proc/self/net/tcp6'],
  ['udp', '/proc/self/net/udp'],
  ['udp', '/proc/self/net/udp6'],
] as const;

/**
 * Every TCP and UDP socket this process holds now, with its local and remote address: the
 * socket inodes among /proc/self/fd, looked up in the kernel's tables (/proc/self/net/tcp,
 * tcp6, udp, udp6). It sees what any library opened, whatever API it used, so it is how the
 * simulator shows that nothing connects outside the building. Linux only: elsewhere, empty.
 */
export function processSockets(): ProcessSocket[] {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // Closed between the listing and the look.
    }
  }
  const sockets: ProcessSocket[] = [];
  for (const [protocol, path] of tables) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, remote, inode] = [fields[1], fields[2], fields[9]];
      if (local === undefined || remote === undefined || inode === undefined || !inodes.has(inode)) continue;
      const peer = kernelAddress(remote);
      sockets.push({ protocol, local: kernelAddress(local), remote: peer, connected: !/^(0\.0\.0\.0|::):0$/.test(peer) && !peer.endsWith(']:0') });
    }
  }
  return sockets;
}

/** The kernel's hex `ADDR:PORT` (IPv4 or IPv6, in host byte order per 32-bit word) as text. */
export function kernelAddress(hex: string): string {
  const [address = '', port = '0'] = hex.split(':');
  const portNumber = Number.parseInt(port, 16);
  const words = address.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return `${bytes.join('.')}:${portNumber}`;
  // ::ffff:a.b.c.d, an IPv4 peer of an IPv6 socket: shown as IPv4.
  if (bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `${bytes.slice(12).join('.')}:${portNumber}`;
  const groups = Array.from({ length: 8 }, (_, i) => (((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0)).toString(16));
  const text = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return `[${text === '0:0:0:0:0:0:0:0' ? '::' : text}]:${portNumber}`;
}

/** Whether an address (ADDR:PORT or [ADDR]:PORT) is this machine's loopback. */
export function isLoopback(endpoint: string): boolean {
  return /^127\./.test(endpoint) || endpoint.startsWith('[::1]:');
}
