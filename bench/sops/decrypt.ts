/**
 * Decrypting a SOPS file with 10,000 values: `ksec sops decrypt` vs
 * `sops decrypt` in the same run, medians of several runs, outputs compared.
 *
 *   npm run -s build && npx tsx bench/sops/decrypt.ts [--values 10000] [--runs 7]
 *
 * Tools: `sops` and `age-keygen` from $SOPS / $AGE_KEYGEN, else the test bed's
 * tools directory ($KSEC_TESTBED_TOOLS), else PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { decryptDocument, parseSopsText } from '../../src/sops/decrypt.js';
import { parseIdentities } from '../../src/sops/age.js';
import { renderSops } from '../../src/sops/render.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const VALUES = arg('values', 10_000);
const RUNS = arg('runs', 7);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tool = (name: string, env: string) =>
  process.env[env] || (process.env.KSEC_TESTBED_TOOLS ? join(process.env.KSEC_TESTBED_TOOLS, name) : name);
const SOPS = tool('sops', 'SOPS');
const AGE_KEYGEN = tool('age-keygen', 'AGE_KEYGEN');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const dir = mkdtempSync(join(tmpdir(), 'ksec-bench-sops-'));
const keyFile = join(dir, 'key.txt');
execFileSync(AGE_KEYGEN, ['-o', keyFile], { stdio: 'ignore' });
const recipient = /public key: (age1[a-z0-9]+)/.exec(readFileSync(keyFile, 'utf8'))![1]!;

// 10,000 values of mixed types in nested maps and lists
let yaml = '';
for (let g = 0; g < VALUES / 10; g++) {
  yaml += `group${g}:\n  password: pw-${g}-${'x'.repeat(24)}\n  port: ${1000 + g}\n  ratio: ${g}.5\n  enabled: ${g % 2 === 0}\n  url: https://example.com/${g}\n  list:\n    - a${g}\n    - b${g}\n    - ${g}\n  note: "value ${g}"\n`;
}
const plainFile = join(dir, 'values.yaml');
writeFileSync(plainFile, yaml);
const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile, SOPS_DISABLE_VERSION_CHECK: '1' };
const encrypted = execFileSync(SOPS, ['encrypt', '--age', recipient, plainFile], { env, maxBuffer: 1 << 28 }).toString();
const encFile = join(dir, 'values.enc.yaml');
writeFileSync(encFile, encrypted);

/** Wall time, and CPU time (user+sys from /usr/bin/time, steadier on a busy machine). */
const time = (cmd: string, args: string[]) => {
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { env, maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const [user, sys] = r.stderr.toString().trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpu: (user! + sys!) * 1000, out: r.stdout.toString() };
};

const sopsRuns: number[] = [];
const ksecRuns: number[] = [];
const sopsCpu: number[] = [];
const ksecCpu: number[] = [];
const libRuns: number[] = [];
let same = true;
const identities = parseIdentities(readFileSync(keyFile, 'utf8'), 'bench').identities;
for (let i = 0; i < RUNS; i++) {
  const s = time(SOPS, ['decrypt', encFile]);
  const k = time(process.execPath, [join(ROOT, 'bin/ksec.js'), 'sops', 'decrypt', encFile]);
  sopsRuns.push(s.ms);
  ksecRuns.push(k.ms);
  sopsCpu.push(s.cpu);
  ksecCpu.push(k.cpu);
  same &&= s.out === k.out;
  const start = performance.now();
  const r = decryptDocument(parseSopsText(encrypted, encFile), identities);
  renderSops(r.branches, 'yaml');
  libRuns.push(performance.now() - start);
}

const sopsVersion = execFileSync(SOPS, ['--version', '--disable-version-check'], { env }).toString().split('\n')[0];
console.log(`values: ${VALUES}, file: ${(encrypted.length / 1024).toFixed(0)} KiB, runs: ${RUNS}, node ${process.version}, ${sopsVersion}`);
console.log(`sops decrypt           median ${median(sopsRuns).toFixed(0)} ms  (runs: ${sopsRuns.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`ksec sops decrypt      median ${median(ksecRuns).toFixed(0)} ms  (runs: ${ksecRuns.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`CPU (user+sys)         sops median ${median(sopsCpu).toFixed(0)} ms, ksec median ${median(ksecCpu).toFixed(0)} ms`);
console.log(`decryptDocument+render median ${median(libRuns).toFixed(0)} ms  (in-process, no startup)`);
console.log(`outputs identical: ${same}`);
if (!same) process.exitCode = 1;
