import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { findBuildingRoot } from '../../builder/model/findBuildingRoot.js';
import { printJson, type CliContext } from '../../lib/cli/CliContext.js';
import { InputError } from '../../lib/OsmoseError.js';
import { makeBoardImage } from '../diskImage/makeBoardImage.js';
import { formatHostPort } from '../../kernel-js/agent/formatHostPort.js';
import { parseGatewayAddress, type GatewayAddress } from '../../kernel-js/agent/parseGatewayAddress.js';

/** `osmose image BOARD [--out FILE] [--gateway HOST:PORT] [--json]`: a board's flashable disk image from the latest build. */
export function registerImageCommand(program: Command, cli: CliContext): void {
  program
    .command('image')
    .argument('<board>', 'a board of the latest build')
    .description("write a board's flashable disk image (GPT: boot, slot a, slot b, state, data; docs/image-format.md) from the latest build")
    .option('--out <file>', 'where to write it (default: BOARD.img here)')
    .option('--gateway <host:port>', 'where the board dials its gateway (written to gateway.json in the state partition)', gatewayAddress)
    .option('--json', 'print the report as JSON')
    .action(async (board: string, options: { out?: string; gateway?: GatewayAddress; json?: boolean }) => {
      const root = findBuildingRoot(cli.cwd());
      const out = resolve(cli.cwd(), options.out ?? `${board}.img`);
      const result = await makeBoardImage(root, board, out, {
        gateway: options.gateway,
        onStep: (step) => {
          if (cli.interactive && options.json !== true) cli.stderr(`\r${board}: ${step}…${' '.repeat(20)}`);
        },
      });
      if (cli.interactive && options.json !== true) cli.stderr('\r');
      if (options.json === true) return printJson(cli, result);
      cli.stdout(
        [
          `${board}: ${result.file}`,
          `  ${(result.bytes / 1024 / 1024).toFixed(0)} MiB, sha256 ${result.sha256}`,
          `  build ${result.build.slice(0, 12)}, image ${result.image.slice(0, 12)}, identity key ${result.identity.keyid.slice(0, 12)}${result.identity.made ? ' (new, recorded on refs/osmose/identities)' : ''}`,
          `  TLS certificate ${result.certificate.serial} from the building CA, valid to ${result.certificate.notAfter.slice(0, 10)}; gateway ${result.gateway === undefined ? 'not set (no gateway.json)' : formatHostPort(result.gateway.host, result.gateway.port)}`,
          `  partitions: ${result.partitions.map((p) => `${p.name} ${p.filesystem} ${p.bytes / 1024 / 1024} MiB`).join(', ')}`,
          `  block map: ${result.blockMap} (signed; osmose flash ${result.file} --to DEVICE)`,
          '',
        ].join('\n'),
      );
    });
}

/** --gateway, checked as commander parses it: a usage error (exit 2) that says what to give. */
function gatewayAddress(value: string): GatewayAddress {
  try {
    return parseGatewayAddress(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof InputError ? `${error.message.replace(/^--gateway "[^"]*": /, '')}; ${error.hint ?? ''}` : String(error));
  }
}
