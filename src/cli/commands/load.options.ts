import { DEFAULTS } from '../../config.js';
import { type CommandSpec, examples, intOption, pathOption } from '../options.js';
import { processingOptions } from './processing.options.js';

const d = DEFAULTS.load;

/** `sqsops load`: its options and help (the run is in load.ts, imported only when it runs). */
export const load: CommandSpec = {
  usage: 'load [options]',
  description: 'send at a steady or ramped rate while K process-sqs workers consume: latency, throughput, depth, and an HTML report',
  declare: (command) => {
    const shared = processingOptions({ fromEnv: false });
    return command
      .option(
        '--queue <name|url>',
        'queue to load; it must be empty (default: a queue of its own, sqsops-load-<run id>, removed at the end)',
      )
      .option('--shared-queue', "with --queue: load it even though it holds others' messages (released untouched, never processed)")
      .option('--keep', "keep the run's own queue and the ledger records it wrote (default: removed at the end)")
      .option('--rate <spec>', 'messages per second: 500, or a ramp FROM..TO/TIME (100..2000/60s)', d.rate)
      .addOption(intOption('--steps <n>', 'cut the ramp into this many equal steps', { min: 2, max: 1000 }))
      .option('--duration <time>', 'how long to send: 90s, 5m, 1h (default: the ramp time, at least 30s)')
      .addOption(intOption('--workers <k>', 'process-sqs workers consuming', { min: 1, max: 64 }, d.workers))
      .option('--workers-as-processes', 'run each worker as its own sqsops process-sqs process')
      .option('--pause-workers-at <time>', 'stop the workers at this time since the start (a backlog builds) ...')
      .option('--resume-at <time>', '... and start them again at this time')
      .option('--max-age <time>', 'fail (exit 1) if any message waits longer than this from send to completed')
      .option('--drain-timeout <time>', 'after sending, wait at most this long for every message to complete', d.drainTimeout)
      .option('--interval <time>', 'one sample (live view line, --json line, chart point) per interval', d.interval)
      .option('--log-format <format>', 'stderr as: text (the live view), or json (one JSON object a line: target, samples, notes, errors)')
      .addOption(pathOption('--report <file>', 'write a self-contained HTML report (charts, no network needed)'))
      .addOption(intOption('--send-concurrency <n>', 'SendMessageBatch calls in flight at once', { min: 1, max: 256 }, d.sendConcurrency))
      .addOption(
        intOption('-c, --concurrency <n>', 'pollers per worker (as process-sqs --concurrency)', { min: 1, max: 100 }, d.concurrency),
      )
      .addOption(shared.key)
      .addOption(shared.table)
      .addOption(shared.ledger)
      .addOption(shared.sink)
      .addOption(shared.handler)
      .addOption(shared.schema)
      .addOption(shared.bucket)
      .addHelpText(
        'after',
        examples(['sqsops load --rate 20 --duration 5s --report load.html', 'sqsops load --rate 10..40/6s --steps 3 --duration 6s --json']),
      );
  },
};
