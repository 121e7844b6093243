#!/usr/bin/env node
/**
 * A TCP proxy that delays every chunk by --delay ms each way, so a round trip through it
 * costs 2 x delay more than the server's own: the network between a client and real AWS,
 * put in front of the local emulator. It runs as its own process (so its CPU is not the
 * measured client's) and prints its port on stdout.
 * Usage: node bench/delayProxy.mjs --target 127.0.0.1:4577 --delay 10
 */
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { target: { type: 'string' }, delay: { type: 'string', default: '10' } } });
const [host, port] = (values.target ?? '').split(':');
const delay = Number(values.delay);
if (!host || !port || !(delay >= 0)) {
  console.error('usage: delayProxy.mjs --target HOST:PORT --delay MS');
  process.exit(2);
}

// Timers of one duration fire in the order they were set: chunks keep their order.
function pipeDelayed(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delay));
  from.on('end', () => setTimeout(() => to.end(), delay));
  from.on('error', () => to.destroy());
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ host, port: Number(port) });
  upstream.setNoDelay(true);
  pipeDelayed(client, upstream);
  pipeDelayed(upstream, client);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
