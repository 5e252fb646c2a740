import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'osmose-rpc-bundle-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The shim is bundled into one file by esbuild (image/bundleShim.ts), and capnp-es finds the
// interface a call is for in a registry that the generated module fills as it loads: a bundle
// that dropped or reordered that would answer every call with "unimplemented". So: a board
// and a gateway, bundled the same way, over a real socket.
it('works bundled into one minified ES module by esbuild', async () => {
  const rpc = fileURLToPath(new URL('./gatewayRpc.ts', import.meta.url));
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    `import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { serveGatewayRpc, connectGatewayRpc } from ${JSON.stringify(rpc)};
const offered = new Promise((resolve) => {
  const server = createServer((socket) => {
    serveGatewayRpc(socket, {
      enrol: async (hello, board) => {
        setImmediate(() => board.offer({ rollout: 'r-1', build: 'b', image: hello.image, version: 2, files: [{ name: 'app.wasm', sha256: 'ab', length: 3 }] }).then(resolve));
        return { heartbeat: async (h) => ({ sequence: h.sequence, intervalMs: 7 }), report: async () => { throw Object.assign(new Error('full'), { code: 'disk.full' }); } };
      },
    });
  });
  server.listen(0, '127.0.0.1', async () => {
    const socket = connect(server.address().port, '127.0.0.1');
    const link = await connectGatewayRpc(socket, { board: 'b', type: 'sim', image: 'door', version: 1, slot: 'a', confirmed: true, agentState: 'idle', shim: 'x' },
      { offer: async (d) => ({ accepted: true, reason: d.files[0].name }), commit: async () => {}, revert: async () => ({ reverted: false, reason: '' }) });
    const ack = await link.session.heartbeat({ image: 'door', version: 1, slot: 'a', confirmed: true, agentState: 'idle', running: true, stops: 0, uptimeMs: 5, busy: false, selfTest: '', sequence: 77 });
    const report = await link.session.report({ kind: 'k', rollout: '', image: '', version: 0, slot: '', detail: '', at: '', bytes: 0 }).catch((e) => e.code);
    console.log(JSON.stringify({ ack, report, offer: await offered }));
    link.close();
    server.close();
  });
});
`,
  );
  const outfile = join(dir, 'bundle.mjs');
  await build({ entryPoints: [entry], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20', minify: true, logLevel: 'silent' });
  const { stdout } = await run(process.execPath, [outfile]);
  expect(JSON.parse(stdout)).toEqual({ ack: { sequence: 77, intervalMs: 7 }, report: 'disk.full', offer: { accepted: true, reason: 'app.wasm' } });
});
