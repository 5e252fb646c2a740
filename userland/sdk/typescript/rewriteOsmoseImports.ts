/** The SDK's namespaces: `import { gpio } from "osmose"` gives the module userland/sdk/typescript/gpio.ts as one. */
export const sdkNamespaces: readonly string[] = ['config', 'log', 'clock', 'gpio', 'serial', 'audio', 'display', 'enclave', 'channel', 'presence'];

const namedImport = /import\s*\{([^}]*)\}\s*from\s*(["'])osmose\2\s*;?/g;
const specifier = /^([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?$/;

/**
 * An app's source with each SDK namespace it imports by name (`import { app, gpio } from
 * "osmose"`) imported as a module namespace instead (`import * as gpio from "osmose/gpio"`).
 * esbuild keeps every member of a namespace that is re-exported through another module
 * (evanw/esbuild#1420), so without this an app that opens only a speaker would carry the
 * microphone's host calls too, and be refused for audio.in it never uses; imported directly,
 * only the members the app uses stay. Everything else is left as written, on the same lines.
 */
export function rewriteOsmoseImports(source: string): string {
  return source.replace(namedImport, (whole: string, list: string) => {
    const kept: string[] = [];
    const direct: string[] = [];
    const specifiers = list
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/[^\n]*/g, '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    for (const item of specifiers) {
      const match = specifier.exec(item);
      const name = match?.[1];
      if (name === undefined || !sdkNamespaces.includes(name)) {
        kept.push(item);
        continue;
      }
      direct.push(`import * as ${match?.[2] ?? name} from "osmose/${name}";`);
    }
    const lines = '\n'.repeat(whole.split('\n').length - 1);
    return [kept.length > 0 ? `import { ${kept.join(', ')} } from "osmose";` : '', ...direct].filter((part) => part !== '').join(' ') + lines;
  });
}
