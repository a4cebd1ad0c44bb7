// Tiny byte forwarder used to let the sealed-secrets controller (inside the
// bed's network namespace) reach the apiserver on the host's 127.0.0.1
// through a unix socket, which is not bound to a network namespace.
// usage: node forward.mjs <listen> <target>, each tcp:HOST:PORT or unix:PATH
import { createConnection, createServer } from 'node:net';
import { rmSync } from 'node:fs';

const [listen, target] = process.argv.slice(2);
if (!listen || !target) {
  console.error('usage: forward.mjs <tcp:HOST:PORT|unix:PATH> <tcp:HOST:PORT|unix:PATH>');
  process.exit(2);
}
const parse = (s) => {
  if (s.startsWith('unix:')) return { path: s.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(s);
  if (!m) throw new Error(`bad address ${s}`);
  return { host: m[1], port: Number(m[2]) };
};
const from = parse(listen);
const to = parse(target);
if (from.path) rmSync(from.path, { force: true });
const server = createServer((c) => {
  const u = createConnection(to);
  c.pipe(u);
  u.pipe(c);
  const end = () => {
    c.destroy();
    u.destroy();
  };
  c.on('error', end);
  u.on('error', end);
  c.on('close', end);
  u.on('close', end);
});
server.listen(from, () => console.log(`forwarding ${listen} -> ${target}`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
