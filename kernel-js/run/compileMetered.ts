import { createHash } from 'node:crypto';
import { meterModule } from './meterModule.js';

const cache = new Map<string, WebAssembly.Module>();
const cacheSize = 64;

/**
 * Meters a module for a board's memory limit (meterModule) and compiles it, once per process
 * for the same bytes and limit: a restarted unikernel, or many simulated boards running the
 * same app, share one compiled module and its machine code.
 */
export function compileMetered(bytes: Uint8Array, memoryPages: number): WebAssembly.Module {
  const key = `${createHash('sha256').update(bytes).digest('hex')}:${memoryPages}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    // Most recently used last, so the first key is the one to evict.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const module = new WebAssembly.Module(meterModule(bytes, { memoryPages }));
  cache.set(key, module);
  if (cache.size > cacheSize) cache.delete(cache.keys().next().value ?? key);
  return module;
}

/** Forgets every compiled module, so the next boot compiles again (a cold start, for bench/boot). */
export function clearCompiledModules(): void {
  cache.clear();
}
