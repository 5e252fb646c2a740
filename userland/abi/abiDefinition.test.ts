import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { alwaysGranted, grantableCapabilities, type Capability } from '../../lib/capabilities.js';
import { abiDefinition, abiVersion } from './abiDefinition.js';
import type { AbiDefinition } from './AbiSpec.js';
import type { HostImports } from './HostImports.js';
import { referenceBegin, referenceEnd, renderAbiReference } from './renderAbiReference.js';

// Each version's contract, pinned: names, types, capabilities and codes, not the prose. A
// change to them without a new version fails here; a new version adds a line and keeps the
// old ones (see docs/abi.md, "Versions").
const pinned: Record<number, string> = {
  1: '709f7aab8313e1785ec9ff0952092ea979d7a65d816740e4f565c239320bbe77',
  // 2 adds the optional selftest export (the update agent's health gate).
  2: '2042116ba5a4a246bf78185cdd5198c09fc5410bd2dc6171b289826dcd6bbb3e',
  // 3 adds who is expected in a space and people's preferences: presence.expected,
  // presence.preference, and the Expected and NotExpected events.
  3: 'd3cd81da7ec05056c5c5cb9baf7aadc2252df4e3f5d031ca50eeaee148f63149',
};

function contract(): unknown {
  const codes = (table: Readonly<Record<string, { code: number }>>) => Object.entries(table).map(([name, entry]) => [name, entry.code]);
  return {
    version: abiDefinition.version,
    versionSection: abiDefinition.versionSection,
    modules: Object.entries(abi.modules).map(([module, spec]) => [
      module,
      Object.entries(spec.functions).map(([name, fn]) => [name, fn.params.map(([, type]) => type), fn.result, fn.requires]),
    ]),
    exports: Object.entries(abi.exports).map(([name, spec]) => [name, spec.kind, spec.required, spec.kind === 'function' ? [spec.params.map(([, type]) => type), spec.results] : []]),
    status: codes(abiDefinition.status),
    events: codes(abiDefinition.events),
    logLevels: codes(abiDefinition.logLevels),
    configKeys: Object.keys(abi.configKeys),
  };
}

// The definition as its interface sees it, to iterate over without literal types.
const abi: AbiDefinition = abiDefinition;

const capabilities = new Set<Capability>([...grantableCapabilities, ...alwaysGranted]);

describe('the ABI definition', () => {
  it('is pinned for its version: a change needs a new version', () => {
    const digest = createHash('sha256').update(JSON.stringify(contract())).digest('hex');
    expect(abiVersion).toBe(abiDefinition.version);
    expect(digest, `the ABI changed: give it version ${abiVersion + 1} and pin ${digest} for it`).toBe(pinned[abiVersion]);
  });

  it('names only real capabilities, and gives every always-granted module only its own', () => {
    for (const [module, spec] of Object.entries(abi.modules)) {
      for (const [name, fn] of Object.entries(spec.functions)) {
        expect(fn.requires.length, `${module}.${name}`).toBeGreaterThan(0);
        for (const capability of fn.requires) expect(capabilities.has(capability), `${module}.${name} requires ${capability}`).toBe(true);
        if ((alwaysGranted as readonly string[]).includes(module)) expect(fn.requires, `${module}.${name}`).toEqual([module]);
      }
    }
  });

  it('gives every capability but network.external something to grant', () => {
    const required = new Set(Object.values(abi.modules).flatMap((module) => Object.values(module.functions).flatMap((fn) => [...fn.requires])));
    expect([...capabilities].filter((capability) => !required.has(capability))).toEqual(['network.external']);
  });

  it('reads audio with audio.in and writes it with audio.out', () => {
    const audio = abiDefinition.modules.audio.functions;
    expect(audio.read.requires).toEqual(['audio.in']);
    expect(audio.write.requires).toEqual(['audio.out']);
    expect(audio.play.requires).toEqual(['audio.out']);
    expect(audio.record.requires).toEqual(['audio.in', 'enclave']);
  });

  it('uses wasm32 value types, and returns one value from every host function', () => {
    for (const module of Object.values(abi.modules)) {
      for (const fn of Object.values(module.functions)) {
        for (const [, type] of fn.params) expect(['i32', 'i64', 'f32', 'f64']).toContain(type);
        expect(['i32', 'i64']).toContain(fn.result);
        const names = fn.params.map(([name]) => name);
        expect(new Set(names).size).toBe(names.length);
      }
    }
  });

  it('has distinct codes: Ok 0, Ignored positive, every failure negative; events from 1', () => {
    const status = Object.entries(abi.status);
    expect(new Set(status.map(([, s]) => s.code)).size).toBe(status.length);
    expect(abiDefinition.status.Ok.code).toBe(0);
    for (const [name, s] of status) if (name !== 'Ok' && name !== 'Ignored') expect(s.code, name).toBeLessThan(0);
    const events = Object.values(abi.events).map((event) => event.code);
    expect(new Set(events).size).toBe(events.length);
    expect(Math.min(...events)).toBe(1);
    const levels = Object.values(abi.logLevels).map((level) => level.code);
    expect(levels).toEqual([0, 1, 2, 3, 4]);
    for (const name of [...status.map(([n]) => n), ...Object.keys(abi.events), ...Object.keys(abi.logLevels)]) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it('asks the module for memory, _initialize and handle, and start if it has one', () => {
    expect(Object.entries(abi.exports).filter(([, spec]) => spec.required).map(([name]) => name)).toEqual(['memory', '_initialize', 'handle']);
    expect(abiDefinition.exports.handle.params.map(([, type]) => type)).toEqual(['i32', 'i32', 'i32']);
  });

  it('types a host implementation: i64 as bigint, every function present', () => {
    expectTypeOf<HostImports['gpio']['write']>().toEqualTypeOf<(handle: number, level: number) => number>();
    expectTypeOf<HostImports['clock']['now']>().toEqualTypeOf<() => bigint>();
    expectTypeOf<keyof HostImports>().toEqualTypeOf<keyof typeof abiDefinition.modules>();
    expectTypeOf<keyof HostImports['audio']>().toEqualTypeOf<'start' | 'stop' | 'read' | 'record' | 'write' | 'play'>();
  });

  it('is what docs/abi.md shows', () => {
    const doc = readFileSync(new URL('../../docs/abi.md', import.meta.url), 'utf8');
    const begin = doc.indexOf(referenceBegin);
    const end = doc.indexOf(referenceEnd);
    expect(begin, 'docs/abi.md has the reference markers').toBeGreaterThanOrEqual(0);
    expect(doc.slice(begin, end + referenceEnd.length), 'docs/abi.md is behind the definition: paste renderAbiReference() between its markers').toBe(renderAbiReference());
  });
});
