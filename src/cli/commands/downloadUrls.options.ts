import { Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption, pathOption, repeatable } from '../options.js';

const d = DEFAULTS['download-urls'];

/** `sqsops download-urls`: its options and help (the run is in downloadUrls.ts, imported only when it runs). */
export const downloadUrls: CommandSpec = {
  usage: 'download-urls [options] <file>',
  description: 'download many URLs at once (retries, resume, checksums) into a folder or S3',
  declare: (command) =>
    command
      .argument('<file>')
      .addOption(pathOption('-o, --out <dir>', 'folder for the files (default: the current folder)'))
      .option('--to-s3 <s3url>', 'stream every file into S3 instead: s3://bucket/prefix (bucket created on the local AWS)')
      .addOption(intOption('-c, --concurrency <n>', 'downloads in flight at once', { min: 1, max: 1024 }, d.concurrency))
      .addOption(intOption('--per-host <n>', 'at most this many at once per host (default: no cap)', { min: 1, max: 1024 }))
      .addOption(intOption('--retries <n>', 'retries per URL on network errors, 429 and 5xx', { min: 0, max: 100 }, d.retries))
      .option('--force', 'download again even when a complete file is there')
      .option(
        '--no-fsync',
        'do not wait for each file to reach the disk before its rename (faster; a crash can leave a final name with missing bytes)',
      )
      .option('--strict', 'download nothing if any entry in the input is bad')
      .addOption(intOption('--connect-timeout <seconds>', 'give up connecting after this long', { min: 1, max: 3600 }, d.connectTimeout))
      .addOption(intOption('--idle-timeout <seconds>', 'give up when the server is silent this long', { min: 1, max: 3600 }, d.idleTimeout))
      .addOption(intOption('--max-redirects <n>', 'redirects followed per URL', { min: 0, max: 50 }, d.maxRedirects))
      .addOption(pathOption('--ca <file>', 'also trust the CA certificates in this PEM file (as NODE_EXTRA_CA_CERTS does)'))
      .addOption(
        repeatable(
          new Option(
            '--allow-address <cidr>',
            'let these addresses past the address rules (link-local refused, no redirect inward); repeat or comma-separate',
          ),
        ),
      )
      .addHelpText(
        'after',
        examples([
          'sqsops download-urls urls.json --out downloads',
          'sqsops download-urls urls.json --to-s3 s3://sqsops-data/downloads --json',
        ]),
      ),
};
