// Sample task: writes each message to a file named by its key (a rerun rewrites the
// same file, so the task is idempotent). Folder: SQSOPS_EXAMPLE_OUT_DIR, default ./task-output.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export default {
  name: 'save-to-file',
  async run(message) {
    const dir = process.env.SQSOPS_EXAMPLE_OUT_DIR ?? 'task-output';
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${encodeURIComponent(message.key)}.json`), JSON.stringify(message.body, null, 2));
  },
};
