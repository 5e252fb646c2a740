import { createHash } from 'node:crypto';
import fs from 'node:fs';
import git from 'isomorphic-git';
import { ledgerLayout } from '../../builder/ledger/ledgerLayout.js';
import { readLedgerTree, type LedgerTree } from '../../builder/ledger/readLedgerTree.js';
import type { BuildPlan } from '../../builder/plan/BuildPlan.js';
import { repositoryLayout } from '../../builder/trust/trustLayout.js';
import { readSlotFiles } from '../../image/boardDirectory/readSlotFiles.js';
import type { FileRef } from '../../kernel-js/net/gatewayRpc.js';
import { InputError } from '../../lib/OsmoseError.js';
import type { RolloutTarget } from '../rollout/RolloutSpec.js';

/** One board's image as the gateway offers it: the files of a slot, each with its digest. */
export interface BoardSlot {
  readonly board: string;
  readonly image: string;
  readonly version: number;
  readonly files: readonly FileRef[];
  /** The bytes by file name. Blobs are shared between boards (every board's targets.json is one blob). */
  readonly bytes: ReadonlyMap<string, Uint8Array>;
}

interface TargetsHead {
  readonly signed: { readonly targets: Readonly<Record<string, { readonly custom?: { readonly board?: string; readonly image?: string; readonly version?: number } }>> };
}

/**
 * One ledger build as the gateway serves it: each board's slot files (read from git once,
 * hashed once, shared between boards: a thousand boards' targets.json is one blob in memory),
 * its image digest and version from the signed targets metadata, and its space from the plan.
 */
export class BuildFiles {
  readonly commit: string;
  readonly plan: BuildPlan;
  readonly #root: string;
  readonly #tree: LedgerTree;
  readonly #targets: TargetsHead['signed']['targets'];
  readonly #blobs = new Map<string, Promise<Uint8Array>>();
  readonly #digests = new WeakMap<Uint8Array, string>();
  readonly #slots = new Map<string, Promise<BoardSlot>>();

  private constructor(root: string, tree: LedgerTree, plan: BuildPlan, targets: TargetsHead['signed']['targets']) {
    this.#root = root;
    this.#tree = tree;
    this.commit = tree.commit;
    this.plan = plan;
    this.#targets = targets;
  }

  /** The latest build (or `commit`) of the building at `root`. */
  static async open(root: string, commit?: string): Promise<BuildFiles> {
    const tree = await readLedgerTree(root, commit);
    if (tree === undefined) throw new InputError('gateway.no-build', `${root} has no build in its ledger yet: the gateway has nothing to serve`, { hint: 'run osmose build first', data: { root } });
    const read = async (path: string): Promise<unknown> => {
      const oid = tree.files.get(path);
      if (oid === undefined) throw new InputError('gateway.bad-build', `build ${tree.commit.slice(0, 12)} holds no ${path}`, { hint: 'build again with this osmose (osmose build)', data: { path } });
      return JSON.parse(new TextDecoder().decode((await git.readBlob({ fs, dir: root, oid })).blob)) as unknown;
    };
    const plan = (await read(ledgerLayout.plan)) as BuildPlan;
    const targets = ((await read(repositoryLayout.targets)) as TargetsHead).signed.targets;
    return new BuildFiles(root, tree, plan, targets);
  }

  /** Every board of the build, as a rollout target: its space (innermost id path) and its image. */
  rolloutTargets(): RolloutTarget[] {
    return this.plan.boards.map((board) => {
      const custom = this.#targets[ledgerLayout.manifest(board.id)]?.custom;
      return { board: board.id, space: board.space.join('/'), image: custom?.image ?? '', version: custom?.version ?? 0 };
    });
  }

  has(board: string): boolean {
    return this.#targets[ledgerLayout.manifest(board)] !== undefined;
  }

  /** A board's slot, read and hashed on first use. */
  slot(board: string): Promise<BoardSlot> {
    let found = this.#slots.get(board);
    if (found === undefined) {
      found = this.#readSlot(board);
      this.#slots.set(board, found);
      found.catch(() => this.#slots.delete(board));
    }
    return found;
  }

  async #readSlot(board: string): Promise<BoardSlot> {
    const slot = await readSlotFiles(this.#root, board, this.#tree, (oid) => this.#blob(oid));
    const custom = this.#targets[ledgerLayout.manifest(board)]?.custom;
    const files = [...slot.files].map(([name, bytes]) => ({ name, sha256: this.#digest(bytes), length: bytes.length }));
    return { board, image: slot.image, version: custom?.version ?? 0, files, bytes: slot.files };
  }

  #blob(oid: string): Promise<Uint8Array> {
    let found = this.#blobs.get(oid);
    if (found === undefined) {
      found = git.readBlob({ fs, dir: this.#root, oid }).then((read) => read.blob);
      this.#blobs.set(oid, found);
    }
    return found;
  }

  #digest(bytes: Uint8Array): string {
    let digest = this.#digests.get(bytes);
    if (digest === undefined) {
      digest = createHash('sha256').update(bytes).digest('hex');
      this.#digests.set(bytes, digest);
    }
    return digest;
  }
}
