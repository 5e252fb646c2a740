/** `HOST:PORT`, with an IPv6 host in brackets, as parseGatewayAddress reads it back. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
