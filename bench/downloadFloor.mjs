#!/usr/bin/env node
/**
 * The floor for download-urls in Node: what any Node downloader pays for the bench's
 * small files, with none of sqsops's code. Node's start, a JSON list, N keep-alive
 * connections on net with one read buffer each, the least HTTP parsing that works
 * against bench's server (Content-Length bodies only, no checks), and per file what
 * sqsops does on disk without fsync: open NAME.part, write, close, rename. No retries,
 * no verification, no report. bench/download.mjs runs it beside the others, so the
 * figure says how much of the gap to curl is Node itself.
 * Usage: node bench/downloadFloor.mjs LIST.json OUTDIR CONCURRENCY
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import net from 'node:net';

const [list, out, width = '16'] = process.argv.slice(2);
const urls = JSON.parse(readFileSync(list, 'utf8'));
let next = 0;
let finished = 0;

function connection(origin) {
  const buf = Buffer.allocUnsafe(256 * 1024);
  let name = '';
  let fd = -1;
  let left = 0;
  let inHead = true;
  const ask = () => {
    if (next >= urls.length) return socket.end();
    const u = new URL(urls[next++]);
    name = `${out}/${u.pathname.split('/').pop()}`;
    socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nuser-agent: floor\r\n\r\n`, 'latin1');
  };
  const onread = (n) => {
    for (let pos = 0; pos < n; ) {
      if (inHead) {
        const at = buf.indexOf('\r\n\r\n', pos);
        if (at < 0 || at >= n) throw new Error('head split across reads: not handled by the floor');
        left = Number(/content-length: *(\d+)/i.exec(buf.toString('latin1', pos, at))[1]);
        pos = at + 4;
        inHead = false;
        fd = openSync(`${name}.part`, 'w');
      }
      const k = Math.min(left, n - pos);
      writeSync(fd, buf, pos, k);
      pos += k;
      left -= k;
      if (left === 0) {
        closeSync(fd);
        renameSync(`${name}.part`, name);
        inHead = true;
        finished++;
        ask();
      }
    }
    return true;
  };
  const socket = net.connect({
    host: origin.hostname,
    port: Number(origin.port),
    noDelay: true,
    onread: { buffer: buf, callback: onread },
  });
  ask();
}

const origin = new URL(urls[0]);
for (let i = 0; i < Math.min(Number(width), urls.length); i++) connection(origin);
process.on('exit', () => {
  if (finished !== urls.length) {
    process.stderr.write(`floor: ${finished} of ${urls.length} files\n`);
    process.exitCode = 1;
  }
});
