import type { CommandContext } from '../context.js';
import { UsageError } from '../../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import { buildProgram } from '../program.js';

/** `sqsops completion bash|zsh|fish`: the script, generated from the program's own commands and options. */
export async function run(_flags: Record<string, never>, ctx: CommandContext, args: string[] = []): Promise<void> {
  const shell = args[0];
  if (!SHELLS.includes(shell as Shell)) {
    throw new UsageError(`completion needs a shell: ${SHELLS.join(', ')}${shell ? `, not "${shell}"` : ''}`, {
      hint: 'e.g. eval "$(sqsops completion bash)"',
    });
  }
  const program = buildProgram(async () => undefined);
  ctx.out.print(completionScript(shell as Shell, program).trimEnd());
}
