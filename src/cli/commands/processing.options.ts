/**
 * The flags process-sqs and load share, each declared once: how a message is keyed and checked,
 * where it is recorded and which sinks it is written to. Each command places them in its help.
 */
import { Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { bucketOption, pathOption, resolvedLater, tableOption } from '../options.js';

/**
 * `fromEnv`: SQSOPS_KEY, SQSOPS_SCHEMA, SQSOPS_SINKS and SQSOPS_HANDLERS stand in for an absent
 * flag (process-sqs, as the Lambda reads them); otherwise the flags alone say (load).
 */
export function processingOptions({ fromEnv }: { fromEnv: boolean }) {
  const env = (name: string) => (fromEnv ? ` (default: ${name})` : '');
  const key = new Option('--key <spec>', 'idempotency key: messageId, a body field, or "{orderId}#{version}"');
  return {
    key: fromEnv ? resolvedLater(key, DEFAULTS['process-sqs'].key, 'SQSOPS_KEY') : key.default(DEFAULTS.load.key),
    schema: pathOption(
      '--schema <file>',
      `JSON Schema every body must match, else it is poison${fromEnv ? ' (default: SQSOPS_SCHEMA or the template schemas)' : ''}`,
    ),
    table: tableOption(),
    ledger: new Option('--no-ledger', 'no idempotency ledger (sinks are still idempotent by key)'),
    sink: new Option('--sink <name...>', `sinks to write to: s3, mongodb, mssql${env('SQSOPS_SINKS')}`),
    handler: pathOption(
      '--handler <file...>',
      `your code: modules exporting a task, handle(message), or a custom sink write(batch)${env('SQSOPS_HANDLERS')}`,
    ),
    bucket: bucketOption('s3 sink bucket'),
  };
}
