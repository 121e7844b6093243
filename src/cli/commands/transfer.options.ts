/**
 * The options `move` and `redrive-dlq` share (cli/transfer.ts turns them into library options):
 * which messages (--max, --filter, --dry-run), how fast (--rate) and how (--wait,
 * --visibility-timeout, --concurrency).
 */
import type { Command, Option } from 'commander';
import { DEFAULTS } from '../../config.js';
import { filterOption, intOption } from '../options.js';

const d = DEFAULTS.move;

/**
 * `byHand` says in the help that they apply only when the command moves the messages itself;
 * `afterRate` are the command's own options that stand after --rate in its help.
 */
export function addTransferOptions(
  command: Command,
  { byHand = false, afterRate = [] }: { byHand?: boolean; afterRate?: Option[] } = {},
): Command {
  const only = byHand ? 'by hand: ' : '';
  command
    .addOption(intOption('--max <n>', `move at most this many${byHand ? ' (moves by hand)' : ''}`, { min: 1 }))
    .addOption(filterOption())
    .option('--dry-run', 'show what would move; move nothing, leave everything visible')
    .addOption(intOption('--rate <n>', 'at most this many messages per second', { min: 1, max: 100_000 }));
  for (const option of afterRate) command.addOption(option);
  const wait = `${only}long-poll wait; stops once the source is empty, or after one whole wait that brings nothing new`;
  const hidden = `${only}how long taken messages stay hidden (and how soon they return after a crash)`;
  const loops = `${only}receive-send-delete loops at once (FIFO group order still holds)`;
  return command
    .addOption(intOption('--wait <seconds>', wait, { min: 0, max: 20 }, d.wait))
    .addOption(intOption('--visibility-timeout <seconds>', hidden, { min: 5, max: 43_200 }, d.visibilityTimeout))
    .addOption(intOption('--concurrency <n>', loops, { min: 1, max: 64 }, d.concurrency));
}
