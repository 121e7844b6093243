import { clearLine, cursorTo, moveCursor } from 'node:readline';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Output, redactedJson } from '../../src/cli/output.js';
import { drawable, startSpinner } from '../../src/cli/terminal.js';

/** A stream that says it is a terminal of this size, and keeps what was written. */
function fakeTty(columns: number, rows: number) {
  const stream: PassThrough & { isTTY: boolean; columns: number; rows: number } = Object.assign(new PassThrough(), {
    isTTY: true,
    columns,
    rows,
    // What a tty.WriteStream adds, and ora calls.
    cursorTo: (x: number) => cursorTo(stream, x),
    moveCursor: (dx: number, dy: number) => moveCursor(stream, dx, dy),
    clearLine: (dir: -1 | 0 | 1) => clearLine(stream, dir),
  });
  let written = '';
  stream.on('data', (d: Buffer) => (written += d.toString()));
  return { stream, written: () => written };
}

describe('terminals of any size', () => {
  it('draws only on a terminal whose size is known and not zero', () => {
    expect(drawable(fakeTty(80, 24).stream)).toBe(true);
    expect(drawable(fakeTty(0, 0).stream)).toBe(false);
    expect(drawable(fakeTty(80, 0).stream)).toBe(false);
    expect(drawable(fakeTty(0, 24).stream)).toBe(false);
    expect(drawable(Object.assign(new PassThrough(), { isTTY: false, columns: 80, rows: 24 }))).toBe(false);
  });

  it('starts no spinner on a 0-column terminal: nothing is written', async () => {
    const tty = fakeTty(0, 0);
    const s = await startSpinner(tty.stream, 'sending');
    s.update('sent 10');
    await sleep(200);
    s.succeed('done');
    expect(tty.written()).toBe('');
  });

  it('stops the spinner for good when the terminal is resized to nothing', async () => {
    const tty = fakeTty(80, 24);
    const s = await startSpinner(tty.stream, 'sending');
    await sleep(100);
    expect(tty.written()).toContain('sending');
    tty.stream.columns = 0;
    tty.stream.emit('resize');
    const after = tty.written().length;
    s.update('sent 10');
    await sleep(300); // several spinner frames
    s.stop();
    expect(tty.written().length).toBe(after);
  });

  it('gives a 0-column stdout a live block that appends instead of redrawing', async () => {
    const stdout = fakeTty(0, 0);
    const out = new Output({ stdout: stdout.stream, stderr: fakeTty(0, 0).stream, color: false });
    const live = await out.live();
    expect(live.redraws).toBe(false);
    live.update('one');
    live.update('two');
    expect(stdout.written()).toBe('one\ntwo\n');
    expect(out.stderrColumns).toBeUndefined();
    expect(out.redrawStderr(0, ['a'])).toBe(false);
  });
});

describe('one redacted path out', () => {
  const url = 'http://user:PwOut-aa1@h:1/?token=TokOut-bb2';

  it('redacts notes, errors, tables and JSON, and keeps message data as it is', () => {
    const stdout = fakeTty(0, 0);
    const stderr = fakeTty(0, 0);
    const out = new Output({ stdout: stdout.stream, stderr: stderr.stream, color: false, format: 'json' });
    out.note(`target: ${url}`);
    out.error(`cannot reach ${url}`);
    out.debug(`Error: at ${url}`);
    out.log(JSON.stringify({ action: 'store', details: { error: url } }));
    out.print(out.table(['endpoint'], [[url]]));
    out.printJson(
      { endpoint: url, password: 'plain-value-cc3', messages: [{ body: url, attributes: { a: url }, error: url }] },
      undefined,
      {
        data: ['body', 'attributes'],
      },
    );
    const err = stderr.written();
    expect(err).not.toMatch(/PwOut|TokOut/);
    expect(JSON.parse(err.split('\n').find((l) => l.startsWith('{'))!)).toEqual({
      action: 'store',
      details: { error: expect.any(String) },
    });
    const json = JSON.parse(stdout.written().slice(stdout.written().indexOf('{')));
    expect(json.endpoint).toBe('http://user:***@h:1/?token=***');
    expect(json.password).toBe('***');
    expect(json.messages[0]).toEqual({ body: url, attributes: { a: url }, error: 'http://user:***@h:1/?token=***' });
  });

  it('keeps our own colour codes while masking what is between them', () => {
    const stdout = fakeTty(80, 24);
    const out = new Output({ stdout: stdout.stream, stderr: fakeTty(80, 24).stream, env: { FORCE_COLOR: '1' } });
    out.print(`\x1b[1mhead\x1b[22m ${url}`);
    expect(stdout.written()).toBe('\x1b[1mhead\x1b[22m http://user:***@h:1/?token=***\n');
  });

  it('serialises JSON with data subtrees untouched at any depth', () => {
    const text = redactedJson({ list: [{ body: { nested: url } }], note: url }, ['body']);
    expect(JSON.parse(text)).toEqual({ list: [{ body: { nested: url } }], note: 'http://user:***@h:1/?token=***' });
  });
});
