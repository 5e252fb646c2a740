import { runCli } from '../cli/runCli.js';
import { OsmoseError } from '../lib/OsmoseError.js';

/**
 * `osmose init ROOT --template coworking` for a benchmark, run from `parent` with a throwaway
 * root passphrase: what each bench that needs a real building starts from, before it builds
 * it (or first rewrites its building.yaml). What init says on stderr shows; a failure throws.
 */
export async function initCoworking(parent: string, root: string): Promise<void> {
  const quiet = { cwd: parent, stdout: () => undefined, stderr: (text: string) => process.stderr.write(text), env: { OSMOSE_ROOT_PASSPHRASE: 'bench only' }, interactive: false };
  if ((await runCli(['init', root, '--template', 'coworking'], quiet)) !== 0) {
    throw new OsmoseError('bench.init-failed', 'osmose init could not make the benchmark building', { data: { root } });
  }
}
