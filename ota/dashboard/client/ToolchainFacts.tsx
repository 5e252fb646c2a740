import type { DashboardToolchain } from '../DashboardApi.js';
import { shortHash } from './shortHash.js';

/** What compiled an image, one fact a line: the compiler's version, the ABI, the SDK's digest, and the flags as a command line. */
export function ToolchainFacts({ toolchain }: { readonly toolchain: DashboardToolchain }) {
  return (
    <dl class="facts facts-inner">
      <dt>AssemblyScript</dt>
      <dd>{toolchain.assemblyscript}</dd>
      <dt>ABI</dt>
      <dd>{toolchain.abi}</dd>
      <dt>SDK</dt>
      <dd>
        <code title={toolchain.sdk}>{shortHash(toolchain.sdk)}</code>
      </dd>
      <dt>Flags</dt>
      <dd>
        <code class="flags">{toolchain.flags.join(' ')}</code>
      </dd>
    </dl>
  );
}
