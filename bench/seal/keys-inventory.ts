/**
 * Key inventory benchmark (issue 24): which of 5 controller keys opens each of
 * 1,000 SealedSecrets (one a file, 3 values each, RSA-4096 demo keys made
 * here), by `ksec keys inventory` and by `kubeseal --recovery-unseal` brute
 * force, in the same run. Not a test: it prints a Markdown table for
 * docs/performance.md.
 *
 *   npm run -s build && npx tsx bench/seal/keys-inventory.ts [--runs 3] [--secrets 1000] [--jobs 2]
 *
 * Two trees: "grouped" (50 directories of 20 files, each directory sealed with
 * one key, as a tree sealed app by app over five rotations) and "shuffled"
 * (each file's key drawn at random: the worst case for ksec's guesses).
 * kubeseal has no inventory, so its brute force is what a script would do:
 * per file, `kubeseal --recovery-unseal --recovery-private-key K` with one key
 * after the other until one exits 0 (which key opens it), and for reference
 * one run per file with all five keys (opens it, says not with which key).
 * kubeseal runs --jobs processes at a time (default 2, the cores here); ksec
 * uses its worker pool. Every answer is checked against the truth.
 *
 * kubeseal comes from the test bed's tools dir (npm run -s testbed:install)
 * or KUBESEAL=/path.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toYaml } from '../../src/manifest/write.js';
import { publicKeyFingerprint } from '../../src/seal/cert.js';
import { hybridEncrypt } from '../../src/seal/hybrid.js';
import { keySecret, selfSignedCertificate } from '../../src/seal/keys.js';
import { labelFor } from '../../src/seal/scope.js';
import { mulberry32 } from '../../test/helpers/prng.js';
import { toolsDir } from '../../test/e2e/testbed/versions.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KSEC = join(ROOT, 'bin', 'ksec.js');
const KUBESEAL = process.env.KUBESEAL ?? join(toolsDir(), 'kubeseal');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 3);
const SECRETS = arg('secrets', 1000);
const JOBS = arg('jobs', 2);
const KEYS = 5;
const VALUES = 3;

if (!existsSync(KUBESEAL)) {
  console.error(`kubeseal not found at ${KUBESEAL}: run npm run -s testbed:install, or set KUBESEAL`);
  process.exit(3);
}

const work = mkdtempSync(join(tmpdir(), 'ksec-bench-keys-'));
console.error(`work dir ${work}; generating ${KEYS} RSA-4096 demo keys`);
const keys = Array.from({ length: KEYS }, (_, i) => {
  const key = generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey;
  const pem = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = selfSignedCertificate(key, { now: new Date(Date.UTC(2025, i * 2, 1)) });
  const file = join(work, `demo-key-${i}.key`);
  writeFileSync(file, pem, { mode: 0o600 });
  return { key, pem, cert, file, fingerprint: publicKeyFingerprint(createPublicKey(key)) };
});
const backup = join(work, 'demo-keys.yaml');
writeFileSync(
  backup,
  toYaml({ apiVersion: 'v1', kind: 'List', items: keys.map((k, i) => keySecret({ privateKeyPem: k.pem, certificatePem: k.cert }, `sealed-secrets-key-demo${i}`, 'kube-system')) }),
  { mode: 0o600 },
);

/** A tree of SECRETS SealedSecrets, one a file in 50 directories; `keyOf(i)` seals file i. */
function tree(name: string, keyOf: (i: number) => number): { root: string; files: string[]; truth: number[] } {
  const root = join(work, name);
  const files: string[] = [];
  const truth: number[] = [];
  const perDir = Math.ceil(SECRETS / 50);
  for (let i = 0; i < SECRETS; i++) {
    const dir = `app-${String(Math.floor(i / perDir)).padStart(2, '0')}`;
    const ns = `ns-${Math.floor(i / perDir)}`;
    const k = keyOf(i);
    const pub = createPublicKey(keys[k]!.key as KeyObject);
    const label = labelFor('strict', ns, `s-${i}`);
    const encryptedData = Object.fromEntries(
      Array.from({ length: VALUES }, (_, v) => [`key-${v}`, hybridEncrypt(pub, randomBytes(32), label).toString('base64')]),
    );
    mkdirSync(join(root, dir), { recursive: true });
    const file = join(root, dir, `s-${String(i).padStart(4, '0')}.yaml`);
    writeFileSync(file, toYaml({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: `s-${i}`, namespace: ns }, spec: { encryptedData, template: { metadata: { name: `s-${i}`, namespace: ns } } } }));
    files.push(file);
    truth.push(k);
  }
  return { root, files, truth };
}

const perDir = Math.ceil(SECRETS / 50);
const grouped = tree('grouped', (i) => Math.floor(Math.floor(i / perDir) / 10) % KEYS);
const random = mulberry32(24);
const shuffled = tree('shuffled', () => Math.floor(random() * KEYS));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

interface Timed {
  /** wall milliseconds */
  ms: number;
  /** CPU seconds (user + system) of the process and every process it waited for */
  cpu: number;
}

/** Runs `cmd` under /usr/bin/time: wall and CPU time, stdout to `output`. */
function timed(cmd: string, args: string[], output: string): Timed {
  const timeFile = join(work, 'time.txt');
  const outFd = openSync(output, 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], { stdio: ['ignore', outFd, 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(outFd);
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
  const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number);
  return { ms, cpu: user! + sys! };
}

/** One ksec inventory run, its JSON checked against the truth. */
function ksecRun(t: { root: string; files: string[]; truth: number[] }): Timed & { rsa: number } {
  const out = join(work, 'inventory.json');
  const run = timed('node', [KSEC, 'keys', 'inventory', '--private-key', backup, t.root, '-o', 'json'], out);
  const inv = JSON.parse(readFileSync(out, 'utf8')) as { items: { file: string; key: string }[]; summary: { rsaOperations: number } };
  const byFile = new Map(inv.items.map((i) => [i.file, i.key]));
  t.files.forEach((f, i) => {
    if (byFile.get(f) !== keys[t.truth[i]!]!.fingerprint) throw new Error(`ksec: wrong key for ${f}`);
  });
  return { ...run, rsa: inv.summary.rsaOperations };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * kubeseal over every file, JOBS processes at a time (xargs -P), all under one
 * /usr/bin/time. `script` gets the file as $1 and prints "FILE ANSWER".
 */
function kubesealRun(t: { files: string[] }, name: string, script: string): Timed & { answers: Map<string, string> } {
  const list = join(work, 'files.txt');
  writeFileSync(list, t.files.join('\n') + '\n');
  const scriptFile = join(work, `${name}.sh`);
  writeFileSync(scriptFile, script);
  const out = join(work, `${name}.out`);
  const run = timed('sh', ['-c', `xargs -P ${JOBS} -n 1 sh ${q(scriptFile)} < ${q(list)}`], out);
  const answers = new Map(readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]));
  return { ...run, answers };
}

/** Brute force: per file, one key after the other (in key order) until kubeseal opens it. */
function kubesealWhich(t: { files: string[]; truth: number[] }): Timed & { processes: number } {
  const script = [
    'f=$1',
    `for k in ${keys.map((_, i) => i).join(' ')}; do`,
    `  if ${q(KUBESEAL)} --recovery-unseal --recovery-private-key ${q(join(work, 'demo-key-'))}$k.key -o yaml < "$f" > /dev/null 2>&1; then echo "$f $k"; exit 0; fi`,
    'done',
    'echo "$f none"',
  ].join('\n');
  const run = kubesealRun(t, 'which', script);
  t.files.forEach((f, i) => {
    if (run.answers.get(f) !== String(t.truth[i])) throw new Error(`kubeseal: wrong key for ${f}: ${run.answers.get(f)}`);
  });
  return { ...run, processes: t.truth.reduce((n, k) => n + k + 1, 0) };
}

/** For reference: one kubeseal per file with all keys (opens it; does not say with which key). */
function kubesealAll(t: { files: string[] }): Timed {
  const all = keys.map((k) => k.file).join(',');
  const script = `f=$1\nif ${q(KUBESEAL)} --recovery-unseal --recovery-private-key ${q(all)} -o yaml < "$f" > /dev/null 2>&1; then echo "$f ok"; else echo "$f none"; fi`;
  const run = kubesealRun(t, 'all', script);
  for (const f of t.files) if (run.answers.get(f) !== 'ok') throw new Error(`kubeseal: no key opens ${f}`);
  return run;
}

function opensslDecrypt(): number {
  const r = spawnSync('openssl', ['speed', '-seconds', '3', 'rsa4096'], { encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  const line = [...lines].reverse().find((l) => /^rsa\s+4096 bits/.test(l));
  const header = [...lines].reverse().find((l) => /sign\/s/.test(l));
  if (!line || !header) return NaN;
  const columns = header.trim().split(/\s+/);
  const values = line.trim().split(/\s+/).slice(3);
  const i = columns.indexOf('decr./s') >= 0 ? columns.indexOf('decr./s') : columns.indexOf('sign/s');
  return Number(values[i]);
}

const rows = ['| tree | tool | how | wall | CPU | RSA private ops | processes | load before |', '|---|---|---|---:|---:|---:|---:|---:|'];
const load = () => loadavg()[0]!.toFixed(1);
const values = SECRETS * VALUES;
const cpu = (s: number) => `${s.toFixed(1)} s`;
for (const [name, t] of [
  ['grouped', grouped],
  ['shuffled', shuffled],
] as const) {
  ksecRun(t); // warm the page cache and the compile cache; not counted
  let before = load();
  const runs = Array.from({ length: RUNS }, () => ksecRun(t));
  const ms = median(runs.map((r) => r.ms));
  const ksecCpu = median(runs.map((r) => r.cpu));
  console.error(`${name}: ksec ${fmt(ms)}, CPU ${cpu(ksecCpu)} (${runs[0]!.rsa} RSA ops)`);
  rows.push(`| ${name} | ksec keys inventory | 5 keys, the pool, likely key first | ${fmt(ms)} | ${cpu(ksecCpu)} | ${runs[0]!.rsa.toLocaleString('en-US')} | 1 | ${before} |`);
  before = load();
  const which = kubesealWhich(t);
  console.error(`${name}: kubeseal one key at a time ${fmt(which.ms)}, CPU ${cpu(which.cpu)} (${which.processes} processes)`);
  // a kubeseal process tries its key on every value of the file, also after the first failed
  const kubesealOps = t.truth.reduce((n, k) => n + (k + 1) * VALUES, 0);
  rows.push(`| ${name} | kubeseal --recovery-unseal | one key after the other until one opens the file (${JOBS} at a time) | ${fmt(which.ms)} | ${cpu(which.cpu)} | ${kubesealOps.toLocaleString('en-US')} | ${which.processes.toLocaleString('en-US')} | ${before} |`);
  if (name === 'grouped') {
    before = load();
    const all = kubesealAll(t);
    console.error(`${name}: kubeseal all keys ${fmt(all.ms)}, CPU ${cpu(all.cpu)}`);
    rows.push(`| ${name} | kubeseal --recovery-unseal | all 5 keys at once: opens each file, does not say with which key (${JOBS} at a time) | ${fmt(all.ms)} | ${cpu(all.cpu)} | not counted | ${SECRETS.toLocaleString('en-US')} | ${before} |`);
  }
}
const decrypt = opensslDecrypt();
const cores = cpus().length;
console.log(
  [
    `Machine: ${cores} cores (${cpus()[0]?.model.trim()}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}, kubeseal ${spawnSync(KUBESEAL, ['--version'], { encoding: 'utf8' }).stdout.trim()}.`,
    `${SECRETS.toLocaleString('en-US')} SealedSecrets (one a file, ${VALUES} values of 32 random bytes each: ${values.toLocaleString('en-US')} values) x ${KEYS} RSA-4096 demo keys given as one backup List; ksec: median of ${RUNS} runs after a warm-up; kubeseal: one run. CPU: user + system seconds of all processes (/usr/bin/time), less disturbed than wall time by other load.`,
    '',
    ...rows,
    '',
    `- Floor: ${values.toLocaleString('en-US')} values need at least ${values.toLocaleString('en-US')} private-key operations; \`openssl speed rsa4096\` does ${Math.round(decrypt)} a second on one core, so ${fmt((values / decrypt) * 1000)} on one core, ${fmt((values / decrypt / cores) * 1000)} on ${cores}.`,
  ].join('\n'),
);
