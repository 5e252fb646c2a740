/**
 * The three functions of the Reflect metadata API that tsyringe calls. @peculiar/x509 builds
 * on tsyringe, which refuses to load unless `Reflect.getMetadata` exists; the usual answer is
 * the reflect-metadata package, which osmose does not depend on. x509's classes carry no
 * decorator metadata of their own (they are compiled without emitDecoratorMetadata), so a
 * small store is all tsyringe needs. A real polyfill loaded earlier is left alone.
 *
 * Importing this module installs them: import it before `@peculiar/x509` (builder/trust/x509.ts
 * does), since ES modules run their imports in the order they are written.
 */
export function installReflectMetadata(): void {
  const reflect = Reflect as unknown as Record<string, unknown>;
  if (typeof reflect['getMetadata'] === 'function') return;
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const own = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  reflect['getOwnMetadata'] = own;
  reflect['defineMetadata'] = (key: unknown, value: unknown, target: object): void => {
    const map = store.get(target) ?? new Map<unknown, unknown>();
    map.set(key, value);
    store.set(target, map);
  };
  reflect['getMetadata'] = (key: unknown, target: object): unknown => {
    for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at) as object | null) {
      const value = own(key, at);
      if (value !== undefined) return value;
    }
    return undefined;
  };
}

installReflectMetadata();
