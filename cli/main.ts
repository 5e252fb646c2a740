#!/usr/bin/env node
import { runCli } from './runCli.js';

// A reader that stops early (`osmose plan | head`) closes the pipe; that ends the output, it
// is not a failure worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
});
