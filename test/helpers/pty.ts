/** Whether util-linux `script` (a pty for the terminal tests) is here; says why a suite skips when it is not. */
import { execFileSync } from 'node:child_process';

export function hasPty(suite: string): boolean {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log(`skipping ${suite}: util-linux \`script\` (a pty) is not installed`);
    return false;
  }
}
