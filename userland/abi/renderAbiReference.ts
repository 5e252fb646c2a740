import { abiDefinition } from './abiDefinition.js';
import type { AbiCode, AbiDefinition, AbiParam } from './AbiSpec.js';

/** Markers around the part of docs/abi.md rendered from the definition; a test keeps it current. */
export const referenceBegin = '<!-- abi-reference:begin (rendered from userland/abi/abiDefinition.ts; do not edit by hand) -->';
export const referenceEnd = '<!-- abi-reference:end -->';

/**
 * The reference part of docs/abi.md, as Markdown: every host module and function with its
 * signature and required capabilities, the exports, status codes, events, log levels and
 * configuration keys. Rendered from the definition so the document cannot drift from it.
 */
export function renderAbiReference(abi: AbiDefinition = abiDefinition): string {
  const lines: string[] = [referenceBegin, '', `### Host modules (ABI version ${abi.version})`, ''];
  for (const [name, module] of Object.entries(abi.modules)) {
    lines.push(`#### \`${name}\``, '', module.doc, '', '| function | signature | requires | |', '|---|---|---|---|');
    for (const [fnName, fn] of Object.entries(module.functions)) {
      lines.push(`| \`${name}.${fnName}\` | \`${signature(fn.params, [fn.result])}\` | ${fn.requires.map((c) => `\`${c}\``).join(' + ')} | ${cell(fn.doc)} |`);
    }
    lines.push('');
  }
  lines.push('### Exports', '', '| export | kind | signature | required | |', '|---|---|---|---|---|');
  for (const [name, spec] of Object.entries(abi.exports)) {
    const type = spec.kind === 'function' ? `\`${signature(spec.params, spec.results)}\`` : '';
    lines.push(`| \`${name}\` | ${spec.kind} | ${type} | ${spec.required ? 'yes' : 'no'} | ${cell(spec.doc)} |`);
  }
  lines.push('', '### Status codes', '', codeTable(abi.status), '', '### Events', '', '| kind | code | source | value | |', '|---|---|---|---|---|');
  for (const [name, event] of Object.entries(abi.events)) {
    const doc = event.since === undefined ? event.doc : `${event.doc} Since ABI ${event.since}.`;
    lines.push(`| \`${name}\` | ${event.code} | ${cell(event.source)} | ${cell(event.value)} | ${cell(doc)} |`);
  }
  lines.push('', '### Log levels', '', codeTable(abi.logLevels), '', '### Configuration keys', '', '| key | |', '|---|---|');
  for (const [key, doc] of Object.entries(abi.configKeys)) lines.push(`| \`${key}\` | ${cell(doc)} |`);
  lines.push('', referenceEnd);
  return lines.join('\n');
}

function signature(params: readonly AbiParam[], results: readonly string[]): string {
  return `(${params.map(([name, type]) => `${name}: ${type}`).join(', ')}) -> ${results.length === 0 ? '()' : results.join(', ')}`;
}

function codeTable(codes: Readonly<Record<string, AbiCode>>): string {
  return ['| name | code | |', '|---|---|---|', ...Object.entries(codes).map(([name, code]) => `| \`${name}\` | ${code.code} | ${cell(code.doc)} |`)].join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}
