import { createRequire } from 'node:module';
import { abiVersion } from '../../userland/abi/abiDefinition.js';
import { sdkDigest } from '../../userland/sdk/sdkSources.js';

/**
 * The asc flags every app is compiled with. Fixed, so the same sources always give the same
 * bytes (no --debug: no names or source maps that would carry paths).
 *
 * - `--optimizeLevel 3 --shrinkLevel 1`: fast code, kept small; one blob serves every board
 *   that runs the app, and it travels over the air.
 * - `--runtime incremental`: apps run for months and allocate in every handler (strings,
 *   buffers); the stub runtime never frees, and the minimal one needs the host to call its
 *   collector. The incremental GC collects on its own for a few KiB.
 * - `--exportStart _initialize`: the top-level code (where apps open their devices) calls the
 *   host, which can read the module's memory only once instantiation has returned; so the
 *   host calls `_initialize` itself, first.
 * - `--use abort=…, trace=…, seed=…`: what AssemblyScript would import from `env` goes to the
 *   SDK's runtime.ts instead, which speaks the ABI: a module imports nothing the ABI lacks.
 */
export const compileFlags: readonly string[] = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '1',
  '--runtime', 'incremental',
  '--exportStart', '_initialize',
  '--use', 'abort=~lib/osmose/runtime/osmoseAbort',
  '--use', 'trace=~lib/osmose/runtime/osmoseTrace',
  '--use', 'seed=~lib/osmose/runtime/osmoseSeed',
];

/** The AssemblyScript compiler's version, read without loading the compiler (it takes most of a second). */
export const assemblyscriptVersion: string = (createRequire(import.meta.url)('assemblyscript/package.json') as { version: string }).version;

/** Compiler version, flags and ABI version in one string: equal strings compile equal sources to equal bytes. */
export const toolchainVersion = `assemblyscript@${assemblyscriptVersion} ${compileFlags.join(' ')} abi@${abiVersion}`;

/** The toolchain that makes a module: what a compile's cache key and a board's manifest record. */
export interface ToolchainIdentity {
  readonly assemblyscript: string;
  readonly flags: readonly string[];
  readonly abi: number;
  /** SHA-256 over the SDK's sources (userland/sdk/assembly/). */
  readonly sdk: string;
}

export function toolchainIdentity(): ToolchainIdentity {
  return { assemblyscript: assemblyscriptVersion, flags: compileFlags, abi: abiVersion, sdk: sdkDigest() };
}
