import { readScriptEngine } from '../../builder/compile/readScriptEngine.js';
import { ScriptEngine } from '../../kernel-js/run/ScriptEngine.js';

// Run by scriptAppsBench in a child process of its own, as a board's shim starts its engine at
// boot: nothing compiled before. Prints the milliseconds ScriptEngine.load took (digest check,
// compile, start, warm-up) as JSON.
const wasm = await readScriptEngine();
const start = performance.now();
await ScriptEngine.load(wasm);
process.stdout.write(JSON.stringify({ ms: performance.now() - start }));
