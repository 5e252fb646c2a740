import { describe, expect, it } from 'vitest';
import { abiVersion } from '../../userland/abi/abiDefinition.js';
import { sdkDigest } from '../../userland/sdk/sdkSources.js';
import { assemblyscriptVersion, compileFlags, toolchainIdentity, toolchainVersion } from './toolchain.js';

describe('the toolchain identity', () => {
  it('names the compiler, its flags and the ABI version', async () => {
    const asc = (await import('assemblyscript/asc')).default;
    expect(assemblyscriptVersion).toBe(asc.version);
    expect(toolchainVersion).toBe(`assemblyscript@${asc.version} ${compileFlags.join(' ')} abi@${abiVersion}`);
    expect(toolchainIdentity()).toEqual({ assemblyscript: asc.version, flags: compileFlags, abi: abiVersion, sdk: sdkDigest() });
  });

  it('compiles without debug information, which would carry paths and names', () => {
    expect(compileFlags.filter((flag) => /debug|sourceMap|textFile|bindings/i.test(flag))).toEqual([]);
    expect(compileFlags).toContain('--runtime');
  });
});
