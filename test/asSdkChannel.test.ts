import { describe, expect, it } from 'vitest';
import { compileApp } from '../builder/compile/compileApp.js';
import { formatIssues } from '../builder/validate/formatIssues.js';
import type { KernelBoardConfig, KernelFragment } from '../kernel-js/boot/KernelImage.js';
import type { FragmentContext } from '../kernel-js/host/FragmentContext.js';
import { memoryDevices } from '../kernel-js/host/KernelDevices.js';
import { linkFragment } from '../kernel-js/host/linkFragment.js';
import { memoryChannelPair } from '../kernel-js/host/memoryChannels.js';
import { abiDefinition } from '../userland/abi/index.js';

// The AssemblyScript SDK's Channel.receive on the kernel host, over a memory circuit: every
// message comes out as it was sent, the empty one included (asking an empty message's length
// takes it, since it fits in no room), as the TypeScript SDK's does (test/tsSdkDevices).

const app = `import { channel, EventKind, log, Status } from "osmose";

const hall = channel.open("hall");

export function handle(kind: EventKind, source: i32, value: i32): Status {
  if (kind != EventKind.Message || !hall.is(source)) return Status.Ignored;
  const message = hall.receive();
  log.info(message === null ? "none" : "got " + message.length.toString());
  return Status.Ok;
}
`;

const fragment: KernelFragment = { instance: 'relay@door', app: 'relay', bindings: {}, capabilities: ['channel'] };
const config: KernelBoardConfig = { format: 1, abi: abiDefinition.version, board: { id: 'door', type: 'sim', space: ['b', 'room'] }, devices: {}, fragments: [fragment], circuits: [] };

describe("the AssemblyScript SDK's channels", () => {
  it('receive every message as it was sent, an empty one as an empty array', async () => {
    const compiled = await compileApp({ app: 'relay', files: new Map([['assembly/index.ts', app]]) });
    if (!compiled.ok) throw new Error(formatIssues(compiled.issues));
    const [door, hall] = memoryChannelPair();
    const raised: [number, number, number][] = [];
    const logs: string[] = [];
    const context: FragmentContext = {
      config,
      fragment,
      devices: { ...memoryDevices({}), channels: { open: (name) => (name === 'hall' ? door : undefined) } },
      memoryPages: 64,
      budgetMs: 500,
      log: (_level, message) => logs.push(message),
      now: () => 1_700_000_000_000,
      monotonic: () => 0,
      schedule: () => () => undefined,
      raise: (kind, source, value) => raised.push([kind, source, value]),
    };
    const linked = linkFragment(compiled.wasm, context);
    linked.initialize();
    for (const message of [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(0)]) expect(hall.send(message)).toBe('ok');
    for (let event = raised.shift(); event !== undefined; event = raised.shift()) expect(linked.handle(...event)).toBe(abiDefinition.status.Ok.code);
    expect(logs).toEqual(['got 0', 'got 3', 'got 0']);
    linked.close();
  });
});
