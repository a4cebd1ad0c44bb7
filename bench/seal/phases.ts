/**
 * Where the time of a bulk seal goes, in one process (no start-up): reading and
 * parsing the input, decoding the values, the RSA/AES work through the pool,
 * rendering kubeseal's YAML. Also the crypto alone: a bare publicEncrypt loop
 * on one thread, ksec's batch sealer on one thread, and the pool on every
 * core, each against `openssl speed` measured in the same run. `openssl speed`
 * counts operations per second of its own user CPU time (not wall time, unless
 * -elapsed), so the crypto rows are also given per CPU second of this process:
 * that is the per-core efficiency, and it holds on a shared, loaded machine
 * where wall-clock rates do not.
 *
 *   npm run -s build && npx tsx bench/seal/phases.ts [--runs 5]
 *
 * Not a test: it prints a Markdown table for docs/performance.md ("Sealing").
 * It imports the built modules (dist/), as the CLI runs them.
 */
import { spawnSync } from 'node:child_process';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../../src/manifest/write.js';
import { selfSignedCertificate } from '../../src/seal/keys.js';

const dist = (m: string) => import(new URL(`../../dist/${m}`, import.meta.url).href);
const { readSecrets } = await dist('seal/read-secrets.js');
const { prepareSeal, finishSeal } = await dist('seal/sealed-secret.js');
const { renderSealedSecrets } = await dist('seal/layout.js');
const { sealMany, closePool } = await dist('seal/pool.js');
const { sealBatch } = await dist('seal/pool-jobs.js');

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 5;

const work = mkdtempSync(join(tmpdir(), 'ksec-bench-phases-'));
const privateKey = generateKeyPairSync('rsa', { modulusLength: 4096 }).privateKey;
const publicKey = createPublicKey(privateKey);
writeFileSync(join(work, 'cert.pem'), selfSignedCertificate(privateKey));

const value = () => randomBytes(32).toString('base64');
const secret = (name: string, ns: string, keys: number) =>
  toYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, data: Object.fromEntries(Array.from({ length: keys }, (_, k) => [`key-${k}`, value()])) });
writeFileSync(join(work, 'big.yaml'), secret('big', 'bench', 10_000));
for (let s = 0; s < 1000; s++) {
  mkdirSync(join(work, 'tree', `ns-${s % 20}`), { recursive: true });
  writeFileSync(join(work, 'tree', `ns-${s % 20}`, `s-${s}.yaml`), secret(`s-${s}`, `ns-${s % 20}`, 10));
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const loads: string[] = [];
const load = () => loads.push(loadavg()[0]!.toFixed(1));

function openssl(extra: string[]): number {
  const out = spawnSync('openssl', ['speed', '-seconds', '3', ...extra, 'rsa4096'], { encoding: 'utf8' }).stdout.split('\n');
  const header = [...out].reverse().find((l) => /sign\/s/.test(l))!.trim().split(/\s+/);
  const values = [...out].reverse().find((l) => /^rsa\s+4096 bits/.test(l))!.trim().split(/\s+/).slice(3);
  const col = header.indexOf('encr./s') >= 0 ? header.indexOf('encr./s') : header.indexOf('verify/s');
  return Number(values[col]);
}

type Phases = Record<string, number>;
async function phasesOf(input: string): Promise<Phases> {
  const t: Phases = {};
  let at = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = now - at;
    at = now;
  };
  const sources = await readSecrets([input]);
  lap('read + parse');
  const plans = sources.flatMap((s: { file: string; secrets: unknown[] }) => s.secrets.map((x) => prepareSeal(x, { defaultNamespace: 'default', file: s.file })));
  const jobs = plans.flatMap((p: { label: Buffer; items: { plaintext: Buffer }[] }) => p.items.map((item) => ({ plaintext: item.plaintext, label: p.label })));
  lap('decode values');
  const ciphertexts: string[] = await sealMany(publicKey, jobs);
  lap('encrypt (pool)');
  let next = 0;
  const sealed = plans.map((p: { items: unknown[] }) => finishSeal(p, ciphertexts.slice(next, (next += p.items.length))));
  const text: string = renderSealedSecrets(sealed, 'yaml');
  lap('render YAML');
  if (text.length === 0) throw new Error('nothing rendered');
  return t;
}

load();
const single = openssl([]);
const multi = openssl(['-multi', '2']);
load();

const label = Buffer.from('bench/big');
const options = { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: label };
const jobs = Array.from({ length: 10_000 }, () => ({ plaintext: randomBytes(32), label }));
const rate = (ms: number, n = 10_000) => n / (ms / 1000);
const timed = async (f: () => unknown) => {
  const start = performance.now();
  await f();
  return performance.now() - start;
};
/** CPU milliseconds (user + system, every thread of this process) that f takes */
const cpuOf = async (f: () => unknown) => {
  const start = process.cpuUsage();
  await f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};
const crypto: Record<string, number[]> = { raw: [], batch: [], pool: [], rawCpu: [], batchCpu: [], poolCpu: [] };
const phases: Record<string, Phases[]> = { big: [], tree: [] };
await sealMany(publicKey, jobs.slice(0, 500)); // start the workers: the CLI pays this once per run too
for (let r = 0; r < RUNS; r++) {
  crypto.raw!.push(await timed(() => { for (let j = 0; j < 5_000; j++) publicEncrypt(options, randomBytes(32)); }) * 2);
  crypto.batch!.push(await timed(() => sealBatch(publicKey, jobs)));
  crypto.pool!.push(await timed(() => sealMany(publicKey, jobs)));
  crypto.rawCpu!.push((await cpuOf(() => { for (let j = 0; j < 5_000; j++) publicEncrypt(options, randomBytes(32)); })) * 2);
  crypto.batchCpu!.push(await cpuOf(() => sealBatch(publicKey, jobs)));
  crypto.poolCpu!.push(await cpuOf(() => sealMany(publicKey, jobs)));
  phases.big!.push(await phasesOf(join(work, 'big.yaml')));
  phases.tree!.push(await phasesOf(join(work, 'tree')));
  load();
}
await closePool();

const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(0)}%`;
const lines = [
  `Node ${process.version}, ${availableParallelism()} cores; medians of ${RUNS} runs; load average (1 min) during the run: ${loads.join(', ')}.`,
  `OpenSSL \`speed -seconds 3 rsa4096\` in the same run: ${Math.round(single)} public ops/s on one core, ${Math.round(multi)} with \`-multi 2\`.`,
  '',
  '| crypto only, 10,000 values | values/s (wall) | of OpenSSL, 1 core | of OpenSSL, 2 cores | values per CPU second | of OpenSSL per CPU second |',
  '|---|---:|---:|---:|---:|---:|',
  `| bare \`publicEncrypt\` OAEP loop, one thread (RSA only, no AES) | ${Math.round(rate(median(crypto.raw!)))} | ${pct(rate(median(crypto.raw!)), single)} | | ${Math.round(rate(median(crypto.rawCpu!)))} | ${pct(rate(median(crypto.rawCpu!)), single)} |`,
  `| ksec's batch sealer (RSA + AES-GCM + base64), one thread | ${Math.round(rate(median(crypto.batch!)))} | ${pct(rate(median(crypto.batch!)), single)} | | ${Math.round(rate(median(crypto.batchCpu!)))} | ${pct(rate(median(crypto.batchCpu!)), single)} |`,
  `| ksec's pool (main thread + ${availableParallelism() - 1} worker) | ${Math.round(rate(median(crypto.pool!)))} | | ${pct(rate(median(crypto.pool!)), multi)} | ${Math.round(rate(median(crypto.poolCpu!)))} | ${pct(rate(median(crypto.poolCpu!)), single)} |`,
  '',
  '| phase (in process, ms) | one Secret of 10,000 keys | 1,000 Secrets x 10 keys |',
  '|---|---:|---:|',
  ...Object.keys(phases.big![0]!).map((k) => `| ${k} | ${median(phases.big!.map((p) => p[k]!)).toFixed(0)} | ${median(phases.tree!.map((p) => p[k]!)).toFixed(0)} |`),
];
console.log(lines.join('\n'));
