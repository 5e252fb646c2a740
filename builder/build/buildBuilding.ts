import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { version as esbuildVersion } from 'esbuild';
import { Metadata, MetadataKind, type Targets } from '@tufjs/models';
import git from 'isomorphic-git';
import { boardsById } from '../../boards/boardsById.js';
import type { Capability } from '../../lib/capabilities.js';
import { InputError } from '../../lib/OsmoseError.js';
import { readWasmInterface } from '../../userland/abi/readWasmInterface.js';
import { scriptEngineModule } from '../../userland/abi/scriptContainer.js';
import { scriptSdkDigest } from '../../userland/sdk/scriptSdkSources.js';
import { ArtifactCache } from '../cache/ArtifactCache.js';
import { inputKey, sha256 } from '../cache/inputKey.js';
import { appClips, clipsFolder, type AppClip } from '../compile/appClips.js';
import { checkCapabilities } from '../compile/checkCapabilities.js';
import { checkMemoryLimit } from '../compile/checkMemoryLimit.js';
import { compileApp, type CompiledImport } from '../compile/compileApp.js';
import { compileScriptApp, scriptEntry } from '../compile/compileScriptApp.js';
import { readScriptEngine } from '../compile/readScriptEngine.js';
import { toolchainIdentity, toolchainVersion, type ToolchainIdentity } from '../compile/toolchain.js';
import { typescriptVersion } from '../compile/typeCheckScriptApp.js';
import { ledgerLayout } from '../ledger/ledgerLayout.js';
import { readJson } from '../ledger/ledgerHistory.js';
import { ledgerHead } from '../ledger/ledgerHead.js';
import { readLedgerTree } from '../ledger/readLedgerTree.js';
import { writeLedgerCommit, type ExistingBlob } from '../ledger/writeLedgerCommit.js';
import type { BuildPlan, PlannedBoard, PlannedCircuit, PlannedFragment } from '../plan/BuildPlan.js';
import type { PlanSchedule } from '../plan/PlanSchedule.js';
import { readSchedule } from '../plan/schedule/readSchedule.js';
import { ruleThatWouldAllow } from '../plan/ruleThatWouldAllow.js';
import { validateBuilding, type Building } from '../validate/validateBuilding.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';
import type { BoardCircuit, BoardConfig, BoardManifest, BuildRecord } from './BoardImage.js';
import { planFor } from './planFor.js';
import { circuitKey } from '../trust/circuitKey.js';
import { ensureCircuitSecret } from '../trust/circuitSecret.js';
import { refreshRepository } from '../trust/refreshRepository.js';
import { repositoryKeys, type RepositoryKeys } from '../trust/repositoryKeys.js';
import { signRepository, type TargetEntry } from '../trust/signRepository.js';
import { repositoryLayout } from '../trust/trustLayout.js';
import { loadTargetsKey, signManifest, type SignedManifest, type SigningKey } from './signManifest.js';
import { snapshotSources, type SourceSnapshot } from './snapshotSources.js';

export type BuildProgress =
  | { readonly phase: 'compile'; readonly app: string; readonly done: number; readonly total: number }
  | { readonly phase: 'boards'; readonly done: number; readonly total: number };

export interface BuildOptions {
  /** The building repository. */
  readonly root: string;
  /** Seconds since the epoch for the ledger commit; now by default. */
  readonly timestamp?: number;
  /** When the TUF metadata is signed, which its expiry counts from; now by default. */
  readonly now?: Date;
  readonly onProgress?: (progress: BuildProgress) => void;
}

export interface BuildReport {
  readonly ledger: { readonly commit: string; readonly created: boolean };
  /**
   * True when the sources and toolchain equal the last build's: nothing was even planned. The
   * ledger still gets a commit when the build's online TUF metadata needed signing again
   * (refreshRepository).
   */
  readonly upToDate: boolean;
  readonly boards: readonly { readonly board: string; readonly image: string; readonly changed: boolean }[];
  /** Spares, boards out of service and what moved off them; null when the build was up to date (nothing planned). */
  readonly schedule: PlanSchedule | null;
  /** The versions of the TUF metadata the ledger holds after the build (docs/security.md). */
  readonly repository: { readonly root: number; readonly targets: number; readonly snapshot: number; readonly timestamp: number } | null;
  readonly counts: {
    readonly boards: number;
    readonly changed: number;
    /** Distinct modules the build needed, and how many of them were compiled or found in the cache. */
    readonly modules: number;
    readonly compiles: number;
    readonly cacheHits: number;
  };
  readonly ms: number;
}

/** Every module targets the same wasm32 host today; the compile key names it for the day one does not. */
const target = 'wasm32';
const builder = { name: 'osmose builder', email: 'builder@osmose.invalid' };
const encoder = new TextEncoder();

/**
 * Builds every board of the building in `root` and records the result as one ledger commit.
 * Content-addressed at every level: sources and toolchain equal to the last build's stop it
 * after hashing; each distinct app compiles once (for every board that runs it), and not at
 * all when its inputs are in the cache; a board whose configuration and modules did not
 * change keeps its ledger files untouched. Any problem (validation, a compile error, an
 * import policy does not grant, a module too large for a board) refuses the build with every
 * problem listed, and the ledger stays as it was.
 */
export async function buildBuilding(options: BuildOptions): Promise<BuildReport> {
  const started = performance.now();
  const { root } = options;
  const snapshot = await snapshotSources(root);
  const toolchain = toolchainIdentity();
  // The boards out of service (refs/osmose/schedule) are an input like the sources: a board
  // going down is a build to make even when no file changed.
  const { down } = await readSchedule(root);
  const inputs = inputKey({ sources: snapshot.key, toolchain: toolchainVersion, sdk: toolchain.sdk, ...(down.length === 0 ? {} : { down: JSON.stringify(down) }) });
  const head = await ledgerHead(root);
  const last = head === undefined ? undefined : await readJson<BuildRecord>(root, head, ledgerLayout.build);
  if (head !== undefined && last?.inputs === inputs) {
    // Nothing to build; the online metadata may still need signing again before it expires.
    const refreshed = await refreshRepository({ root, commit: head, sources: snapshot.files, now: options.now ?? new Date(), timestamp: options.timestamp ?? Math.floor(Date.now() / 1000) });
    return {
      ledger: refreshed === undefined ? { commit: head, created: false } : { commit: refreshed.commit, created: true },
      upToDate: true,
      boards: last.images.map(({ board, image }) => ({ board, image, changed: false })),
      schedule: null,
      repository: refreshed?.versions ?? (await repositoryVersions(root, head)),
      counts: { boards: last.images.length, changed: 0, modules: 0, compiles: 0, cacheHits: 0 },
      ms: performance.now() - started,
    };
  }

  const now = options.now ?? new Date();
  const keys = await repositoryKeys(root, snapshot.files, now);
  const previous = head === undefined ? undefined : await readLedgerTree(root, head);
  const previousRepository = head === undefined ? undefined : await readRepository(root, head);
  if (previousRepository !== undefined && previousRepository.root > keys.root.signed.version) {
    throw new InputError('build.root-rollback', `the ledger's last build was signed under root version ${previousRepository.root}, but keys/ holds root versions up to ${keys.root.signed.version}`, {
      hint: 'restore keys/ from the repository (git checkout -- keys): boards that took the newer root refuse anything signed under an older one',
      data: { ledger: previousRepository.root, keys: keys.root.signed.version },
    });
  }
  const cache = new ArtifactCache(root);
  const lastPlan = head === undefined ? undefined : await readJson<BuildPlan>(root, head, ledgerLayout.plan);
  const planned = await planFor(root, snapshot, cache, lastPlan, down);
  if (!planned.ok) throw refusal(planned.issues);
  const { plan } = planned;

  const modules = await compileModules(cache, plan, snapshot, toolchain, options.onProgress);
  if (modules.issues.length > 0) throw refusal(modules.issues);
  const denied = checkFragments(plan, modules.byApp);
  if (denied.length > 0) throw refusal(await withPolicyHints(root, planned.building, plan, denied));

  const signer = await loadTargetsKey(root);
  const previousImages = new Map(last?.images.map(({ board, image }) => [board, image]));
  const dead = new Set(down.filter((entry) => entry.returned === null).map((entry) => entry.board));
  const files = new Map<string, Uint8Array | ExistingBlob>();
  const images: { board: string; image: string }[] = [];
  const changed: string[] = [];
  // Only a building with circuits needs the secret: one without never makes the file.
  const index = byBoard(plan, plan.circuits.length === 0 ? new Uint8Array(32) : await ensureCircuitSecret(root));
  const targetsVersion = (previousRepository?.targets?.signed.version ?? 0) + 1;
  const targets = new Map<string, TargetEntry>();
  // A manifest kept from an earlier build carries that build's signature: once the targets key
  // has been rotated, it is signed again (same content) so that it verifies under the new key.
  const resign = previousRepository?.targets !== undefined && !Object.keys(previousRepository.targets.signatures).includes(signer.keyid);
  for (const [done, board] of plan.boards.entries()) {
    const config = boardConfig(board, plan.building, index, toolchain, (app) => modules.byApp.get(app)?.clips ?? []);
    const configBytes = json(config);
    const configDigest = sha256(configBytes);
    const apps = [...new Set(config.fragments.map((fragment) => fragment.app))];
    if (apps.some((app) => modules.byApp.get(app)?.script === true)) apps.push(scriptEngineModule);
    const clips = boardClips(apps.flatMap((app) => modules.byApp.get(app)?.clips ?? []));
    const built = inputKey({ config: configDigest, ...Object.fromEntries(apps.map((app) => [`wasm:${app}`, modules.byApp.get(app)?.digest ?? ''])) });
    // A board that is down keeps the image it had: it is dead, and takes nothing until it is back.
    const image = dead.has(board.id) ? (previousImages.get(board.id) ?? built) : built;
    images.push({ board: board.id, image });
    const manifestPath = ledgerLayout.manifest(board.id);
    const configPath = ledgerLayout.config(board.id);
    const kept = previousImages.get(board.id) === image ? previous : undefined;
    const keptManifest = kept?.files.get(manifestPath);
    const keptConfig = kept?.files.get(configPath);
    const custom = { board: board.id, type: board.type, image };
    if (keptManifest !== undefined && keptConfig !== undefined) {
      // Same image as before: keep its manifest, which says where it was first built from, and its version.
      const before = previousRepository?.targets?.signed.targets;
      const keptVersion = before?.[manifestPath]?.custom['version'];
      const version = typeof keptVersion === 'number' ? keptVersion : targetsVersion;
      const manifestBytes = resign ? json(await resignManifest(root, keptManifest, signer)) : undefined;
      files.set(manifestPath, manifestBytes ?? { oid: keptManifest });
      files.set(configPath, { oid: keptConfig });
      targets.set(manifestPath, { ...(manifestBytes === undefined ? await targetEntry(root, keptManifest, before?.[manifestPath]) : fileEntry(manifestBytes)), custom: { ...custom, version } });
      targets.set(configPath, await targetEntry(root, keptConfig, before?.[configPath]));
    } else {
      changed.push(board.id);
      const manifest: BoardManifest = {
        format: 1,
        board: board.id,
        type: board.type,
        image,
        config: configDigest,
        modules: apps.map((app) => {
          const module = modules.byApp.get(app);
          return { app, wasm: module?.digest ?? '', source: module?.source ?? '', bytes: module?.wasm.length ?? 0 };
        }),
        ...(clips.length === 0 ? {} : { clips }),
        source: { commit: snapshot.commit ?? null, uncommitted: uncommittedFor(snapshot, plan, apps) },
        toolchain,
      };
      const manifestBytes = json(signManifest(manifest, signer));
      files.set(manifestPath, manifestBytes);
      files.set(configPath, configBytes);
      targets.set(manifestPath, { ...fileEntry(manifestBytes), custom: { ...custom, version: targetsVersion } });
      targets.set(configPath, fileEntry(configBytes));
    }
    options.onProgress?.({ phase: 'boards', done: done + 1, total: plan.boards.length });
  }
  for (const module of modules.byApp.values()) {
    files.set(ledgerLayout.wasm(module.digest), module.wasm);
    targets.set(ledgerLayout.wasm(module.digest), { length: module.wasm.length, sha256: module.digest });
    // A clip is a target like a module: a board verifies it against targets.json before it plays it.
    for (const clip of module.clips) {
      files.set(ledgerLayout.clip(clip.digest), clip.wav);
      targets.set(ledgerLayout.clip(clip.digest), { length: clip.wav.length, sha256: clip.digest });
    }
  }
  const repository = signRepository({
    targets,
    previous: { targets: targetsVersion - 1, snapshot: previousRepository?.snapshot ?? 0, timestamp: previousRepository?.timestamp ?? 0 },
    signers: keys.signers,
    now,
  });
  recordRepository(files, keys, repository);
  const planBytes = json(plan);
  files.set(ledgerLayout.plan, planBytes);
  const record: BuildRecord = {
    format: 1,
    inputs,
    source: { commit: snapshot.commit ?? null, uncommitted: [...snapshot.uncommitted] },
    toolchain,
    plan: sha256(planBytes),
    boards: plan.boards.length,
    changed,
    compiles: modules.compiles,
    cacheHits: modules.cacheHits,
    images,
  };
  files.set(ledgerLayout.build, json(record));

  const source = snapshot.commit === undefined ? 'no commit' : `${snapshot.commit.slice(0, 12)}${snapshot.uncommitted.length > 0 ? ` with ${snapshot.uncommitted.length} uncommitted file(s)` : ''}`;
  const ledger = await writeLedgerCommit({
    root,
    files,
    author: builder,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    message: `Build ${plan.boards.length} boards: ${changed.length} changed, ${modules.compiles} compiled\n\nSource: ${source}\nToolchain: ${toolchainVersion}\n`,
  });
  return {
    ledger: { commit: ledger.commit, created: ledger.created },
    upToDate: false,
    boards: images.map(({ board, image }) => ({ board, image, changed: changed.includes(board) })),
    schedule: plan.schedule,
    repository: { root: keys.root.signed.version, targets: repository.targets.version, snapshot: repository.snapshot.version, timestamp: repository.timestamp.version },
    counts: { boards: plan.boards.length, changed: changed.length, modules: modules.byApp.size, compiles: modules.compiles, cacheHits: modules.cacheHits },
    ms: performance.now() - started,
  };
}

interface Module {
  readonly wasm: Uint8Array;
  /** SHA-256 of the wasm. */
  readonly digest: string;
  /** The key of the app's source files. */
  readonly source: string;
  readonly imports: readonly CompiledImport[];
  readonly sourceFolder: string;
  /** The clips the app ships (clips/**\/*.wav), checked; not compile inputs, so a new clip compiles nothing. */
  readonly clips: readonly AppClip[];
  /** Whether it is an app in plain TypeScript, run by the board's script engine (docs/typescript-apps.md). */
  readonly script: boolean;
}

/** One module per app that runs anywhere, from the cache when its inputs are there, with the app's clips checked. */
async function compileModules(
  cache: ArtifactCache,
  plan: BuildPlan,
  snapshot: SourceSnapshot,
  toolchain: ToolchainIdentity,
  onProgress: BuildOptions['onProgress'],
): Promise<{ byApp: Map<string, Module>; issues: ValidationIssue[]; compiles: number; cacheHits: number }> {
  const apps = plan.apps.filter((app) => app.instances.length > 0);
  const byApp = new Map<string, Module>();
  const issues: ValidationIssue[] = [];
  let compiles = 0;
  let cacheHits = 0;
  for (const [done, app] of apps.entries()) {
    const folder = app.source.replace(/\/+$/, '');
    const files = new Map<string, string>();
    const clipFiles = new Map<string, Uint8Array>();
    const digests: Record<string, string> = {};
    for (const [path, bytes] of snapshot.files) {
      if (!path.startsWith(`${folder}/`)) continue;
      const relative = path.slice(folder.length + 1);
      if (relative.startsWith(`${clipsFolder}/`)) {
        clipFiles.set(relative, bytes);
        continue;
      }
      files.set(relative, new TextDecoder().decode(bytes));
      digests[relative] = sha256(bytes);
    }
    const clips = appClips({ app: app.name, source: folder, files: clipFiles });
    issues.push(...clips.issues);
    const source = inputKey(digests);
    // An app folder with src/index.ts and no assembly/index.ts is in plain TypeScript.
    const script = files.has(scriptEntry) && !files.has('assembly/index.ts');
    const key = script ? inputKey({ source, bundler: esbuildVersion, checker: typescriptVersion, sdk: scriptSdkDigest(), target: 'script' }) : inputKey({ source, toolchain: toolchainVersion, sdk: toolchain.sdk, target });
    let wasm = await cache.get(key);
    let imports: readonly CompiledImport[];
    if (wasm !== undefined) {
      cacheHits++;
      imports = readWasmInterface(wasm).imports.map(({ module, name, kind }) => ({ module, name, kind }));
    } else {
      const result = await (script ? compileScriptApp : compileApp)({ app: app.name, source: folder, files });
      compiles++;
      if (!result.ok) {
        issues.push(...result.issues);
        continue;
      }
      wasm = result.wasm;
      imports = result.imports;
      await cache.put(key, wasm);
    }
    byApp.set(app.name, { wasm, digest: sha256(wasm), source, imports, sourceFolder: folder, clips: clips.clips, script });
    onProgress?.({ phase: 'compile', app: app.name, done: done + 1, total: apps.length });
  }
  // The engine that runs the TypeScript apps: one module of the ledger, in the image of every board that runs one.
  if ([...byApp.values()].some((module) => module.script)) {
    const engine = await readScriptEngine();
    byApp.set(scriptEngineModule, { wasm: engine, digest: sha256(engine), source: 'quickjs-emscripten', imports: [], sourceFolder: '', clips: [], script: false });
  }
  return { byApp, issues, compiles, cacheHits };
}

type ImportIssue = ValidationIssue & { readonly missing?: readonly Capability[] };

/** Each fragment's imports against what policy grants it on its board, and each module against its board's memory. */
function checkFragments(plan: BuildPlan, byApp: ReadonlyMap<string, Module>): { issue: ImportIssue; fragment: PlannedFragment }[] {
  const found: { issue: ImportIssue; fragment: PlannedFragment }[] = [];
  const types = new Map(plan.boards.map((board) => [board.id, board.type]));
  const sized = new Set<string>();
  for (const fragment of plan.fragments) {
    const module = byApp.get(fragment.app);
    if (module === undefined) continue;
    const denied = checkCapabilities({
      app: fragment.app,
      board: fragment.board,
      imports: module.imports,
      granted: Object.keys(fragment.grants) as Capability[],
      policiesFile: plan.policies.file,
      source: module.sourceFolder,
    });
    for (const issue of denied) found.push({ issue, fragment });
    const type = boardsById.get(types.get(fragment.board) ?? '');
    if (type !== undefined && !sized.has(`${fragment.app}@${type.id}`)) {
      sized.add(`${fragment.app}@${type.id}`);
      for (const issue of checkMemoryLimit({ app: fragment.app, board: fragment.board, boardType: type, wasm: module.wasm, source: module.sourceFolder })) found.push({ issue, fragment });
    }
  }
  return found;
}

/**
 * The fix for an import policy does not grant: extend the app's own rule when it has one,
 * rather than add another. Needs the validated building, which a cached plan skipped; this
 * is the path of a refused build only, so it pays for validation here.
 */
async function withPolicyHints(root: string, known: Building | undefined, plan: BuildPlan, found: readonly { issue: ImportIssue; fragment: PlannedFragment }[]): Promise<ValidationIssue[]> {
  const validation = known === undefined ? await validateBuilding(root) : undefined;
  const building = known ?? (validation?.ok === true ? validation.building : undefined);
  return found.map(({ issue, fragment }) => {
    const capability = issue.missing?.[0];
    if (building === undefined || capability === undefined || capability === 'clock' || capability === 'log' || capability === 'config') return issue;
    const suggestion = ruleThatWouldAllow(building, fragment, capability);
    return suggestion === undefined || suggestion.file !== plan.policies.file ? issue : { ...issue, hint: suggestion.text };
  });
}

/** The plan's fragments and circuits by board, so each board's configuration is a lookup. */
function byBoard(
  plan: BuildPlan,
  secret: Uint8Array,
): {
  fragments: Map<string, PlannedFragment[]>;
  circuits: Map<string, PlannedCircuit>;
  addresses: Map<string, string>;
  settings: Map<string, Readonly<Record<string, unknown>>>;
  secret: Uint8Array;
} {
  const fragments = new Map<string, PlannedFragment[]>();
  for (const fragment of plan.fragments) fragments.set(fragment.board, [...(fragments.get(fragment.board) ?? []), fragment]);
  return {
    fragments,
    circuits: new Map(plan.circuits.map((circuit) => [circuit.id, circuit])),
    addresses: new Map(plan.boards.map((board) => [board.id, board.address])),
    settings: new Map(plan.boards.flatMap((board) => Object.entries(board.devices).map(([alias, device]) => [`${board.id}/${alias}`, device.settings] as const))),
    secret,
  };
}

function boardConfig(
  board: PlannedBoard,
  building: BuildPlan['building'],
  index: ReturnType<typeof byBoard>,
  toolchain: ToolchainIdentity,
  clipsOf: (app: string) => readonly AppClip[],
): BoardConfig {
  const fragments = index.fragments.get(board.id) ?? [];
  const circuits = board.circuits.flatMap((id) => index.circuits.get(id) ?? []).map((circuit): BoardCircuit => ({
    ...circuit,
    app: { ...circuit.app, address: index.addresses.get(circuit.app.board) ?? '' },
    device: {
      ...circuit.device,
      address: index.addresses.get(circuit.device.board) ?? '',
      // A stream's app end needs the device's format (an audio device's rate and channels); a
      // control circuit's does not, so a button's debounce changes only the button's board.
      ...(circuit.kind === 'stream' ? { settings: index.settings.get(`${circuit.device.board}/${circuit.device.device}`) ?? {} } : {}),
    },
    key: circuitKey(index.secret, building.id, circuit),
  }));
  return {
    format: 1,
    abi: toolchain.abi,
    building,
    board: { id: board.id, type: board.type, space: board.space, place: board.place },
    devices: board.devices,
    fragments: fragments.map((fragment) => {
      const clips = clipsOf(fragment.app);
      return {
        instance: fragment.instance,
        app: fragment.app,
        bindings: fragment.bindings,
        capabilities: Object.keys(fragment.grants) as Capability[],
        retain: fragment.retain,
        disclose: fragment.disclose,
        ...(clips.length === 0 ? {} : { clips: Object.fromEntries(clips.map((clip) => [clip.name, clip.digest])) }),
      };
    }),
    circuits,
  };
}

/** A board's clip files for its manifest: each distinct file once (two apps may ship the same sound), by digest. */
function boardClips(clips: readonly AppClip[]): { wav: string; bytes: number }[] {
  const byDigest = new Map(clips.map((clip) => [clip.digest, clip.wav.length]));
  return [...byDigest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([wav, bytes]) => ({ wav, bytes }));
}

/** The uncommitted files this board's image depends on: the description and its apps' sources. */
function uncommittedFor(snapshot: SourceSnapshot, plan: BuildPlan, apps: readonly string[]): string[] {
  const folders = plan.apps.filter((app) => apps.includes(app.name)).map((app) => `${app.source.replace(/\/+$/, '')}/`);
  return snapshot.uncommitted.filter((path) => path === 'building.yaml' || path === plan.policies.file || folders.some((folder) => path.startsWith(folder)));
}

interface PreviousRepository {
  readonly root: number;
  readonly targets: Metadata<Targets> | undefined;
  readonly snapshot: number;
  readonly timestamp: number;
}

/** The TUF metadata of ledger build `commit`, or undefined for a build made before osmose signed any. */
async function readRepository(root: string, commit: string): Promise<PreviousRepository | undefined> {
  const rootJson = await readJson<{ signed: { version: number } }>(root, commit, repositoryLayout.root);
  if (rootJson === undefined) return undefined;
  const targets = await readJson<Parameters<typeof Metadata.fromJSON>[1]>(root, commit, repositoryLayout.targets);
  const snapshot = await readJson<{ signed: { version: number } }>(root, commit, repositoryLayout.snapshot);
  const timestamp = await readJson<{ signed: { version: number } }>(root, commit, repositoryLayout.timestamp);
  return {
    root: rootJson.signed.version,
    targets: targets === undefined ? undefined : Metadata.fromJSON(MetadataKind.Targets, targets),
    snapshot: snapshot?.signed.version ?? 0,
    timestamp: timestamp?.signed.version ?? 0,
  };
}

async function repositoryVersions(root: string, commit: string): Promise<BuildReport['repository']> {
  const repository = await readRepository(root, commit);
  if (repository === undefined) return null;
  return { root: repository.root, targets: repository.targets?.signed.version ?? 0, snapshot: repository.snapshot, timestamp: repository.timestamp };
}

/** The chain of root versions and the build's signed metadata, into the ledger commit's files. */
function recordRepository(files: Map<string, Uint8Array | ExistingBlob>, keys: RepositoryKeys, repository: ReturnType<typeof signRepository>): void {
  for (const { version, bytes } of keys.chain) files.set(repositoryLayout.rootVersion(version), bytes);
  const newest = keys.chain.at(-1);
  if (newest !== undefined) files.set(repositoryLayout.root, newest.bytes);
  files.set(repositoryLayout.targets, repository.targets.bytes);
  files.set(repositoryLayout.snapshot, repository.snapshot.bytes);
  files.set(repositoryLayout.timestamp, repository.timestamp.bytes);
}

function fileEntry(bytes: Uint8Array): TargetEntry {
  return { length: bytes.length, sha256: sha256(bytes) };
}

/** A kept ledger file's target entry: the last build's, or from the blob itself when that build listed none. */
async function targetEntry(root: string, oid: string, before: Targets['targets'][string] | undefined): Promise<TargetEntry> {
  const known = before?.hashes['sha256'];
  if (before !== undefined && known !== undefined) return { length: before.length, sha256: known };
  return fileEntry((await git.readBlob({ fs, dir: root, oid })).blob);
}

/** A kept manifest signed again, its content unchanged, by the current targets key. */
async function resignManifest(root: string, oid: string, signer: SigningKey): Promise<SignedManifest> {
  const envelope = JSON.parse(new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob)) as SignedManifest;
  return signManifest(envelope.signed, signer);
}

function json(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value, null, 2)}\n`);
}

function refusal(issues: readonly ValidationIssue[]): InputError {
  const count = issues.length;
  return new InputError('build.refused', `the build was refused: ${count} problem${count === 1 ? '' : 's'}`, {
    hint: 'fix them and build again; the ledger is unchanged',
    data: { issues },
  });
}
