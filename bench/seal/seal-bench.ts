/**
 * Sealing benchmark: ksec vs kubeseal in the same run, against the single-core
 * limit of `openssl speed rsa4096`, and a one-key seal start-to-exit against a
 * bare `node -e 0`. Not a test: it prints a Markdown table for
 * docs/performance.md ("Sealing").
 *
 *   npm run -s build && npx tsx bench/seal/seal-bench.ts [--runs 5] [--big-runs 3] [--startup-runs 20]
 *   npm run -s build && npx tsx bench/seal/seal-bench.ts --bulk [--big-runs 5] [--startup-runs 10]
 *
 * --bulk measures only bulk sealing: a 10,000-key Secret and a tree of 1,000
 * Secrets x 10 keys (kubeseal: one process per file, two at a time), as
 * values/s against `openssl speed -seconds 3 rsa4096` on one core and with
 * `-multi 2`, all in the same run; the load average is printed with them.
 * KSEC_BEFORE=/other/checkout/bin/ksec.js adds that build's times (before/after
 * a change, interleaved in the same run).
 *
 * kubeseal comes from the test bed's tools dir (npm run -s testbed:install) or
 * KUBESEAL=/path. Every figure is the median of the runs; each run is a whole
 * process, start to exit, with its input from a file and its output to a file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toYaml } from '../../src/manifest/write.js';
import { selfSignedCertificate } from '../../src/seal/keys.js';
import { toolsDir } from '../../test/e2e/testbed/versions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KSEC = join(ROOT, 'bin', 'ksec.js');
const KUBESEAL = process.env.KUBESEAL ?? join(toolsDir(), 'kubeseal');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 5);
const BIG_RUNS = arg('big-runs', 3);
const STARTUP_RUNS = arg('startup-runs', 20);
const BULK = process.argv.includes('--bulk');
/** CPU seconds (user + system) of the last timeCpu() run, from /usr/bin/time. */
let lastCpu = NaN;

if (!existsSync(KUBESEAL)) {
  console.error(`kubeseal not found at ${KUBESEAL}: run npm run -s testbed:install, or set KUBESEAL`);
  process.exit(3);
}

const work = mkdtempSync(join(tmpdir(), 'ksec-bench-seal-'));
const key = generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey;
const keyFile = join(work, 'bench.key');
const certFile = join(work, 'bench.crt');
writeFileSync(keyFile, key.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
writeFileSync(certFile, selfSignedCertificate(key));

function secretFile(keys: number): string {
  const data = Object.fromEntries(Array.from({ length: keys }, (_, i) => [`key-${i}`, randomBytes(32).toString('base64')]));
  const file = join(work, `secret-${keys}.yaml`);
  writeFileSync(file, toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `bench-${keys}`, namespace: 'bench' }, data }));
  return file;
}

/** Wall-clock milliseconds of one process run, stdin from `input`, stdout to `output`. */
function time(cmd: string, args: string[], input?: string, output = '/dev/null'): number {
  const inFd = input ? openSync(input, 'r') : 'ignore';
  const outFd = openSync(output, 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: [inFd, outFd, 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (typeof inFd === 'number') closeSync(inFd);
  closeSync(outFd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
  return ms;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function measure(runs: number, once: () => number, warm = true): number {
  if (warm) once(); // warm the page cache; not counted
  return median(Array.from({ length: runs }, once));
}

/**
 * `openssl speed -seconds 3 rsa4096`: one core's RSA-4096 public and private operations per second.
 * OpenSSL 3.0 reports sign/verify only (verify is the public-key operation, as encrypt is; sign the
 * private one); 3.2+ adds encrypt/decrypt columns, used when present.
 */
function opensslSpeed(extra: string[] = []): { encrypt: number; decrypt: number; version: string } {
  // with -multi N the last rsa line sums the N processes
  const r = spawnSync('openssl', ['speed', '-seconds', '3', ...extra, 'rsa4096'], { encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  const line = [...lines].reverse().find((l) => /^rsa\s+4096 bits/.test(l));
  const header = [...lines].reverse().find((l) => /sign\/s/.test(l));
  if (!line || !header) throw new Error(`cannot read openssl speed output: ${r.stdout.slice(-500)}`);
  const columns = header.trim().split(/\s+/);
  const values = line.trim().split(/\s+/).slice(3);
  const col = (name: string) => {
    const i = columns.indexOf(name);
    return i >= 0 ? Number(values[i]) : undefined;
  };
  const version = spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim();
  return { encrypt: col('encr./s') ?? col('verify/s')!, decrypt: col('decr./s') ?? col('sign/s')!, version };
}

if (BULK) {
  await bulk();
  process.exit(0);
}

const nodeFloor = measure(STARTUP_RUNS, () => time('node', ['-e', '0']));
const one = secretFile(1);
const startKsec = measure(STARTUP_RUNS, () => time('node', [KSEC, 'seal', '--cert', certFile, '-f', one, '-o', 'yaml']));
const startKubeseal = measure(STARTUP_RUNS, () => time(KUBESEAL, ['--cert', certFile, '-o', 'yaml'], one));
const ssl = opensslSpeed();

console.error(`start-up: node -e 0 ${nodeFloor.toFixed(0)} ms, ksec ${startKsec.toFixed(0)} ms, kubeseal ${startKubeseal.toFixed(0)} ms; openssl ${ssl.encrypt} enc/s ${ssl.decrypt} dec/s`);

const rows: string[] = [];
const results: Record<string, { ksec: number; kubeseal: number }> = {};
const sizes = [1, 100, 10_000];
for (const keys of sizes) {
  const input = secretFile(keys);
  const runs = keys >= 10_000 ? BIG_RUNS : RUNS;
  const ksecSealed = join(work, `ksec-sealed-${keys}.yaml`);
  const kubesealSealed = join(work, `kubeseal-sealed-${keys}.yaml`);
  const warm = keys < 10_000;
  const sealKsec = measure(runs, () => time('node', [KSEC, 'seal', '--cert', certFile, '-f', input, '-o', 'yaml'], undefined, ksecSealed), warm);
  const sealKubeseal = measure(runs, () => time(KUBESEAL, ['--cert', certFile, '-o', 'yaml'], input, kubesealSealed), warm);
  results[`seal ${keys}`] = { ksec: sealKsec, kubeseal: sealKubeseal };
  console.error(`seal ${keys}: ksec ${sealKsec.toFixed(0)} ms, kubeseal ${sealKubeseal.toFixed(0)} ms`);
  // each tool unseals its own output (the other direction is the e2e cross-test)
  const unsealKsec = measure(runs, () => time('node', [KSEC, 'unseal', '-f', ksecSealed, '--private-key', keyFile, '-o', 'yaml']), warm);
  console.error(`unseal ${keys}: ksec ${unsealKsec.toFixed(0)} ms`);
  const unsealKubeseal = measure(
    keys >= 10_000 ? 1 : runs,
    () => time(KUBESEAL, ['--recovery-unseal', '--recovery-private-key', keyFile, '-o', 'yaml'], kubesealSealed),
    warm,
  );
  results[`unseal ${keys}`] = { ksec: unsealKsec, kubeseal: unsealKubeseal };
  console.error(`unseal ${keys}: kubeseal ${unsealKubeseal.toFixed(0)} ms`);
}

rows.push('| operation | keys | ksec | kubeseal | ksec / kubeseal time | ksec values/s |');
rows.push('|---|---:|---:|---:|---:|---:|');
for (const op of ['seal', 'unseal']) {
  for (const keys of sizes) {
    const r = results[`${op} ${keys}`]!;
    const rate = keys >= 100 ? `${Math.round(keys / ((r.ksec - startKsec) / 1000))}` : '';
    rows.push(`| ${op} | ${keys.toLocaleString('en-US')} | ${fmt(r.ksec)} | ${fmt(r.kubeseal)} | ${(r.ksec / r.kubeseal).toFixed(2)} | ${rate} |`);
  }
}
const big = results['seal 10000']!;
const bigUnseal = results['unseal 10000']!;
const sealRate = 10_000 / ((big.ksec - startKsec) / 1000);
const unsealRate = 10_000 / ((bigUnseal.ksec - startKsec) / 1000);
const cores = cpus().length;
const lines = [
  `Machine: ${cores} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${ssl.version}, kubeseal ${spawnSync(KUBESEAL, ['--version'], { encoding: 'utf8' }).stdout.trim()}.`,
  `RSA-4096 certificate; values are 32 random bytes; medians of ${RUNS} runs (${BIG_RUNS} for 10,000 keys; kubeseal's 10,000-key unseal once).`,
  '',
  ...rows,
  '',
  `- OpenSSL single-core limit (\`openssl speed -seconds 3 rsa4096\`): ${Math.round(ssl.encrypt)} public (encrypt) ops/s, ${Math.round(ssl.decrypt)} private (decrypt) ops/s.`,
  `- Bulk sealing (10,000 keys, start-up subtracted): ${Math.round(sealRate)} values/s = ${((sealRate / cores / ssl.encrypt) * 100).toFixed(0)}% of the OpenSSL limit per core on ${cores} cores (${((sealRate / ssl.encrypt) * 100).toFixed(0)}% of one core's limit).`,
  `- Bulk unsealing (10,000 keys, start-up subtracted): ${Math.round(unsealRate)} values/s = ${((unsealRate / cores / ssl.decrypt) * 100).toFixed(0)}% of the OpenSSL private-key limit per core.`,
  `- One-key seal, start to exit: ksec ${fmt(startKsec)}, bare \`node -e 0\` ${fmt(nodeFloor)} (ratio ${(startKsec / nodeFloor).toFixed(2)}, target <= 1.5), kubeseal ${fmt(startKubeseal)}; medians of ${STARTUP_RUNS} runs.`,
];
console.log(lines.join('\n'));

/** A tree of `secrets` files of `keys` keys each, over 20 namespace directories. */
function secretTree(secrets: number, keys: number): string {
  const root = join(work, `tree-${secrets}x${keys}`);
  for (let i = 0; i < secrets; i++) {
    const ns = `ns-${i % 20}`;
    mkdirSync(join(root, ns), { recursive: true });
    const data = Object.fromEntries(Array.from({ length: keys }, (_, k) => [`key-${k}`, randomBytes(32).toString('base64')]));
    writeFileSync(join(root, ns, `s-${i}.yaml`), toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}`, namespace: ns }, data }));
  }
  return root;
}

function timeCpu(cmd: string, args: string[], input?: string, output?: string): number {
  if (!existsSync('/usr/bin/time')) return time(cmd, args, input, output);
  const file = join(work, 'cpu.txt');
  const ms = time('/usr/bin/time', ['-f', '%U %S', '-o', file, cmd, ...args], input, output);
  const [user, sys] = readFileSync(file, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  lastCpu = user! + sys!;
  return ms;
}

/** kubeseal seals one Secret per process: every file of the tree, `parallel` processes at a time; wall ms. */
async function kubesealTree(root: string, out: string, parallel: number): Promise<number> {
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml'));
  rmSync(out, { recursive: true, force: true });
  for (const f of files) mkdirSync(join(out, f, '..'), { recursive: true });
  const start = process.hrtime.bigint();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const f = files[next++]!;
      const inFd = openSync(join(root, f), 'r');
      const outFd = openSync(join(out, f), 'w');
      const code = await new Promise<number | null>((resolve) => {
        spawn(KUBESEAL, ['--cert', certFile, '-o', 'yaml'], { stdio: [inFd, outFd, 'inherit'] }).on('close', resolve);
      });
      closeSync(inFd);
      closeSync(outFd);
      if (code !== 0) throw new Error(`kubeseal exited ${code} on ${f}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function bulk(): Promise<void> {
  const load = () => loadavg()[0]!.toFixed(1);
  const loads: string[] = [load()];
  const single = opensslSpeed();
  const multi = opensslSpeed(['-multi', '2']);
  loads.push(load());
  console.error(`openssl: ${single.encrypt} public ops/s on one core, ${multi.encrypt} with -multi 2 (load ${load()})`);
  const nodeFloor = measure(STARTUP_RUNS, () => time('node', ['-e', '0']));
  const one = secretFile(1);
  const startKsec = measure(STARTUP_RUNS, () => time('node', [KSEC, 'seal', '--cert', certFile, '-f', one, '-o', 'yaml']));
  console.error(`start-up: node -e 0 ${nodeFloor.toFixed(0)} ms, ksec one-key seal ${startKsec.toFixed(0)} ms (load ${load()})`);

  const big = secretFile(10_000);
  const tree = secretTree(1_000, 10);
  const treeOut = join(work, 'tree-out');
  const before = process.env.KSEC_BEFORE;
  const runs: Record<string, number[]> = { bigKsec: [], bigKubeseal: [], treeKsec: [], treeKubeseal: [], bigBefore: [], treeBefore: [] };
  const cpu: Record<string, number[]> = { big: [], tree: [], one: [] };
  for (let r = 0; r < 3; r++) {
    timeCpu('node', [KSEC, 'seal', '--cert', certFile, '-f', one, '-o', 'yaml']);
    cpu.one!.push(lastCpu);
  }
  time('node', [KSEC, 'seal', '--cert', certFile, '-f', big, '-o', 'yaml']); // warm-up, not counted
  for (let r = 0; r < BIG_RUNS; r++) {
    // interleaved, so both tools see the same load
    runs.bigKsec!.push(timeCpu('node', [KSEC, 'seal', '--cert', certFile, '-f', big, '-o', 'yaml'], undefined, join(work, 'big.sealed.yaml')));
    cpu.big!.push(lastCpu);
    runs.bigKubeseal!.push(time(KUBESEAL, ['--cert', certFile, '-o', 'yaml'], big, join(work, 'big.kubeseal.yaml')));
    rmSync(treeOut, { recursive: true, force: true });
    runs.treeKsec!.push(timeCpu('node', [KSEC, 'seal', '--cert', certFile, tree, '--output-dir', treeOut]));
    cpu.tree!.push(lastCpu);
    runs.treeKubeseal!.push(await kubesealTree(tree, join(work, 'tree-kubeseal'), 2));
    if (before) {
      runs.bigBefore!.push(time('node', [before, 'seal', '--cert', certFile, '-f', big, '-o', 'yaml']));
      rmSync(treeOut, { recursive: true, force: true });
      runs.treeBefore!.push(time('node', [before, 'seal', '--cert', certFile, tree, '--output-dir', treeOut]));
    }
    loads.push(load());
    console.error(`run ${r + 1}: ${Object.entries(runs).filter(([, v]) => v.length > 0).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)} ms`).join(', ')} (load ${load()})`);
  }
  const m = Object.fromEntries(Object.entries(runs).filter(([, v]) => v.length > 0).map(([k, v]) => [k, median(v)]));
  const rate = (ms: number) => 10_000 / ((ms - startKsec) / 1000);
  const row = (what: string, ksec: number, kubeseal: number) => {
    const v = rate(ksec);
    return `| ${what} | ${fmt(ksec)} | ${fmt(kubeseal)} | ${(ksec / kubeseal).toFixed(2)} | ${Math.round(v)} | ${((v / single.encrypt) * 100).toFixed(0)}% | ${((v / multi.encrypt) * 100).toFixed(0)}% |`;
  };
  console.log(
    [
      `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${single.version}; RSA-4096 certificate, values of 32 random bytes.`,
      `Medians of ${BIG_RUNS} runs, ksec and kubeseal interleaved; load average (1 min) during the run: ${loads.join(', ')}.`,
      '',
      '| 10,000 values | ksec | kubeseal v0.36.6 | ksec / kubeseal time | ksec values/s | of OpenSSL, 1 core | of OpenSSL, 2 cores |',
      '|---|---:|---:|---:|---:|---:|---:|',
      row('one Secret of 10,000 keys', m.bigKsec!, m.bigKubeseal!),
      row('1,000 Secrets x 10 keys (kubeseal: a process per file, 2 at a time)', m.treeKsec!, m.treeKubeseal!),
      '',
      `- OpenSSL (\`openssl speed -seconds 3 rsa4096\`, same run): ${Math.round(single.encrypt)} public-key ops/s on one core, ${Math.round(multi.encrypt)} with \`-multi 2\`.`,
      `- values/s = 10,000 / (time - ${fmt(startKsec)}), the median one-key \`ksec seal\` start to exit (bare \`node -e 0\`: ${fmt(nodeFloor)}).`,
      ...(cpu.big!.every(Number.isFinite)
        ? [
            `- CPU time (user + system, both threads; \`openssl speed\` counts its own CPU time too): one-key seal ${median(cpu.one!).toFixed(2)} s; ` +
              `one Secret of 10,000 keys ${median(cpu.big!).toFixed(2)} s = ${Math.round(10_000 / (median(cpu.big!) - median(cpu.one!)))} values per CPU second ` +
              `(${((10_000 / (median(cpu.big!) - median(cpu.one!)) / single.encrypt) * 100).toFixed(0)}% of OpenSSL's per-core figure); ` +
              `1,000 Secrets x 10 keys ${median(cpu.tree!).toFixed(2)} s = ${Math.round(10_000 / (median(cpu.tree!) - median(cpu.one!)))} values per CPU second ` +
              `(${((10_000 / (median(cpu.tree!) - median(cpu.one!)) / single.encrypt) * 100).toFixed(0)}%).`,
          ]
        : []),
      ...(before
        ? [`- KSEC_BEFORE (${before}), same runs: one Secret of 10,000 keys ${fmt(m.bigBefore!)} (${Math.round(rate(m.bigBefore!))} values/s), 1,000 Secrets x 10 keys ${fmt(m.treeBefore!)} (${Math.round(rate(m.treeBefore!))} values/s).`]
        : []),
    ].join('\n'),
  );
}
