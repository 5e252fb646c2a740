import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../../lib/cli/CliContext.js';
import { jsonSchemaFiles } from '../schema/jsonSchemas.js';

export function schemaCommand(program: Command, cli: CliContext): void {
  program
    .command('schema')
    .description('print the JSON Schema of building.yaml (or of a policies file), for editors')
    .option('--policies', 'the schema of a separate policies file instead')
    .option('--out <dir>', 'write building.schema.json and policies.schema.json into <dir>')
    .action(async (options: { policies?: boolean; out?: string }) => {
      const files = jsonSchemaFiles();
      if (options.out !== undefined) {
        const dir = resolve(cli.cwd(), options.out);
        await mkdir(dir, { recursive: true });
        for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
        cli.stdout(`wrote ${Object.keys(files).map((name) => join(options.out ?? '', name)).join(' and ')}\n`);
        return;
      }
      cli.stdout(options.policies === true ? files['policies.schema.json'] : files['building.schema.json']);
    });
}
