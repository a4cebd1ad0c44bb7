/**
 * CI guard benchmark: ksec scan vs gitleaks (dir and git modes) vs secretlint
 * on one generated repository, in the same run; and a pre-commit scan of 10
 * staged files vs a bare `node -e 0`. Medians of --runs runs.
 *
 *   npx tsx bench/scan/run.ts [--files 50000] [--commits 5000] [--runs 3] [--peer-runs N] [--secretlint-runs N] [--peer-timeout S] [--secretlint-files N]
 *   npx tsx bench/scan/run.ts --hook-only 1      (only the pre-commit start-up comparison)
 *   npx tsx bench/scan/run.ts --no-hook 1        (everything but the pre-commit comparison)
 *   npx tsx bench/scan/run.ts --dir-only 1       (no git-history rows: ksec --history and gitleaks git)
 *   KSEC_BEFORE=/other/checkout/bin/ksec.js ...  (adds that build's `scan apps` row, same run)
 *
 * secretlint's runs alternate with runs of `ksec scan apps`, and the ksec-vs-secretlint ratio is also
 * given as the median of those pairs' ratios (ratios.ksecVsSecretlintPaired): on these VMs the same
 * command's time drifts by up to 1.4x within minutes, which a ratio of two medians taken minutes apart
 * carries into the result.
 *
 * gitleaks comes from the test bed (npm run -s testbed:install) or $GITLEAKS;
 * secretlint is npm-installed into a temp dir on first use (not a project dependency).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolsDir } from '../../test/e2e/testbed/versions.js';
import { fileFor, generate } from './generate.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const FILES = Number(args.get('files') ?? 50_000);
const COMMITS = Number(args.get('commits') ?? 5_000);
const RUNS = Number(args.get('runs') ?? 3);
/** runs of gitleaks and secretlint (they take minutes each on big repositories) */
const PEER_RUNS = Number(args.get('peer-runs') ?? RUNS);
const SECRETLINT_FILES = Number(args.get('secretlint-files') ?? FILES);
/** secretlint takes tens of seconds, not minutes: more runs of it for a steadier median than gitleaks gets */
const SECRETLINT_RUNS = Number(args.get('secretlint-runs') ?? PEER_RUNS);
const SECRETLINT_VERSION = '13.0.6';
const SECRETLINT_PRESET_VERSION = '13.1.0';

const KSEC = fileURLToPath(new URL('../../bin/ksec.js', import.meta.url));
const WORK = join(tmpdir(), 'ksec-bench-scan');
mkdirSync(WORK, { recursive: true });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** a peer run longer than this many seconds is stopped and recorded as a lower bound (--peer-timeout) */
const PEER_TIMEOUT = Number(args.get('peer-timeout') ?? 0);

/**
 * Runs a command RUNS times; exit codes 0 and 1 (findings) are both fine.
 * With a timeout, a run that hits it ends the series: its time is a lower bound.
 */
function time(label: string, cmd: string, argv: string[], cwd: string, runs = RUNS, timeout = 0): { label: string; seconds: number; runs: number[]; timedOut?: boolean } {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28, env: { ...process.env, CI: 'true', NO_COLOR: '1' }, ...(timeout > 0 ? { timeout: timeout * 1000, killSignal: 'SIGKILL' as const } : {}) });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (timeout > 0 && res.signal === 'SIGKILL') {
      process.stderr.write(`${label}: stopped after ${s.toFixed(1)} s (--peer-timeout ${timeout})\n`);
      return { label, seconds: s, runs: [...samples, s], timedOut: true };
    }
    if (res.status !== 0 && res.status !== 1) throw new Error(`${label} exited ${res.status}: ${res.stderr?.toString().slice(-500)}`);
    samples.push(s);
  }
  const seconds = median(samples);
  process.stderr.write(`${label}: median ${seconds.toFixed(3)} s of [${samples.map((s) => s.toFixed(3)).join(', ')}]\n`);
  return { label, seconds, runs: samples };
}

function gitleaksBin(): string | undefined {
  const candidates = [process.env.GITLEAKS, join(toolsDir(), 'gitleaks'), '/tmp/gitleaks-dev/gitleaks'].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(c));
}

function secretlint(): string {
  const dir = join(WORK, `secretlint-${SECRETLINT_VERSION}`);
  const bin = join(dir, 'node_modules', 'secretlint', 'bin', 'secretlint.js');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', `secretlint@${SECRETLINT_VERSION}`, `@secretlint/secretlint-rule-preset-recommend@${SECRETLINT_PRESET_VERSION}`], { cwd: dir, stdio: 'inherit' });
  }
  return bin;
}

/**
 * Pre-commit: 10 staged files in a small repository, vs a bare `node -e 0`.
 * Two sets: a realistic mix (one SealedSecret among them, so the YAML
 * reader is loaded) and 10 ConfigMaps (nothing to parse).
 */
function preCommit() {
  const startupRuns = Math.max(15, RUNS * 5);
  const repoWith = (texts: { path: string; text: string }[]) => {
    const hook = mkdtempSync(join(tmpdir(), 'ksec-bench-hook-'));
    execFileSync('git', ['init', '-q'], { cwd: hook });
    for (const f of texts) {
      mkdirSync(join(hook, f.path, '..'), { recursive: true });
      writeFileSync(join(hook, f.path), f.text);
    }
    execFileSync('git', ['add', '.'], { cwd: hook });
    return hook;
  };
  const mixed = repoWith(Array.from({ length: 10 }, (_, i) => fileFor(i * 5 + (i % 5))));
  const plain = repoWith(Array.from({ length: 10 }, (_, i) => ({ path: `c${i}.yaml`, text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  a: b\n` })));
  const bare = time('node -e 0', process.execPath, ['-e', '0'], mixed, startupRuns);
  const staged = time('ksec scan --staged (10 files, one SealedSecret)', process.execPath, [KSEC, 'scan', '--staged'], mixed, startupRuns);
  const stagedPlain = time('ksec scan --staged (10 ConfigMaps)', process.execPath, [KSEC, 'scan', '--staged'], plain, startupRuns);
  return { bare, staged, stagedPlain };
}

async function main() {
  if (args.has('hook-only')) {
    const { bare, staged, stagedPlain } = preCommit();
    console.log(JSON.stringify({ loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), nodeSeconds: bare.seconds, stagedMixed: staged.seconds, stagedConfigMaps: stagedPlain.seconds, ratioMixed: staged.seconds / bare.seconds, ratioConfigMaps: stagedPlain.seconds / bare.seconds }, null, 2));
    return;
  }
  const repo = join(WORK, `repo-${FILES}-${COMMITS}`);
  let meta: { bytes: number; planted: number };
  if (existsSync(join(repo, '.bench.json'))) {
    meta = JSON.parse(readFileSync(join(repo, '.bench.json'), 'utf8'));
  } else {
    process.stderr.write(`generating ${FILES} files over ${COMMITS} commits in ${repo}\n`);
    meta = await generate(repo, FILES, COMMITS);
    writeFileSync(join(repo, '.bench.json'), JSON.stringify(meta));
    execFileSync('git', ['gc', '-q'], { cwd: repo });
  }
  const mb = meta.bytes / 1e6;
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  for (const report of ['ksec.json', 'ksec-n.json', 'ksec-1.json', 'ksec-h.json', 'gitleaks.json', 'secretlint.json']) rmSync(join(WORK, report), { force: true });
  const rows: { tool: string; mode: string; seconds: number; mbps: number; timedOut?: boolean }[] = [];
  const add = (tool: string, mode: string, r: { seconds: number; timedOut?: boolean }) =>
    rows.push({ tool, mode, seconds: r.seconds, mbps: mb / r.seconds, ...(r.timedOut ? { timedOut: true } : {}) });

  add('ksec', 'dir', time('ksec dir', process.execPath, [KSEC, 'scan', 'apps', '--format', 'json', '-w', join(WORK, 'ksec.json')], repo));
  const before = process.env.KSEC_BEFORE;
  if (before) add('ksec (KSEC_BEFORE)', 'dir', time('ksec before dir', process.execPath, [before, 'scan', 'apps', '--format', 'json', '-o', join(WORK, 'ksec-before.json')], repo));
  // also parse every manifest no rule reads, to report malformed ones (the default for --staged and --since)
  add('ksec', 'dir, --syntax-check', time('ksec dir --syntax-check', process.execPath, [KSEC, 'scan', 'apps', '--syntax-check', '--format', 'json', '-w', join(WORK, 'ksec-n.json')], repo));
  // the same on one thread: secretlint runs on one (its only mode)
  process.env.KSEC_SCAN_WORKERS = '0';
  add('ksec', 'dir, 1 thread', time('ksec dir (KSEC_SCAN_WORKERS=0)', process.execPath, [KSEC, 'scan', 'apps', '--format', 'json', '-w', join(WORK, 'ksec-1.json')], repo));
  delete process.env.KSEC_SCAN_WORKERS;
  const gitleaks = gitleaksBin();
  if (gitleaks) {
    const report = join(WORK, 'gitleaks.json');
    add('gitleaks', 'dir', time('gitleaks dir', gitleaks, ['dir', 'apps', '--no-banner', '--exit-code', '0', '--report-format', 'json', '--report-path', report, '--log-level', 'error'], repo, PEER_RUNS, PEER_TIMEOUT));
    if (!args.has('dir-only')) add('ksec', 'git history', time('ksec --history', process.execPath, [KSEC, 'scan', '--history', '--format', 'json', '-w', join(WORK, 'ksec-h.json')], repo));
    if (!args.has('dir-only')) add('gitleaks', 'git', time('gitleaks git', gitleaks, ['git', '.', '--no-banner', '--exit-code', '0', '--report-format', 'json', '--report-path', report, '--log-level', 'error'], repo, PEER_RUNS, PEER_TIMEOUT));
  } else {
    process.stderr.write('gitleaks not found: run npm run -s testbed:install or set GITLEAKS\n');
    add('ksec', 'git history', time('ksec --history', process.execPath, [KSEC, 'scan', '--history', '--format', 'json', '-w', join(WORK, 'ksec-h.json')], repo));
  }

  // secretlint on the whole tree, or on its first N team folders when --secretlint-files says so
  const bin = secretlint();
  writeFileSync(join(repo, '.secretlintrc.json'), JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const slRuns = SECRETLINT_RUNS;
  const slGlob = SECRETLINT_FILES < FILES ? `apps/team-{${Array.from({ length: Math.max(1, Math.round((50 * SECRETLINT_FILES) / FILES)) }, (_, i) => i).join(',')}}/**/*` : 'apps/**/*';
  // secretlint's runs alternate with ksec's, so both share the machine's drifting speed (on these VMs
  // the same command varies by 1.4x from one minute to the next); the ratio is the median of the pairs'
  const slSamples: number[] = [];
  const pairRatios: number[] = [];
  let slTimedOut = false;
  for (let r = 0; r < slRuns && !slTimedOut; r++) {
    const k = time('ksec dir (paired with secretlint)', process.execPath, [KSEC, 'scan', 'apps', '--format', 'json', '-w', join(WORK, 'ksec.json')], repo, 1);
    const one = time('secretlint', process.execPath, [bin, slGlob, '--format', 'json', '--output', join(WORK, 'secretlint.json')], repo, 1, PEER_TIMEOUT);
    slSamples.push(one.seconds);
    slTimedOut = one.timedOut === true;
    if (SECRETLINT_FILES >= FILES) pairRatios.push(one.seconds / k.seconds);
  }
  const sl = { seconds: median(slSamples), ...(slTimedOut ? { timedOut: true } : {}) };
  process.stderr.write(`secretlint: median ${sl.seconds.toFixed(3)} s of [${slSamples.map((x) => x.toFixed(3)).join(', ')}]\n`);
  const slShare = SECRETLINT_FILES < FILES ? Math.max(1, Math.round((50 * SECRETLINT_FILES) / FILES)) / 50 : 1;
  rows.push({ tool: 'secretlint', mode: SECRETLINT_FILES < FILES ? `dir (${Math.round(slShare * 100)}% of the files)` : 'dir', seconds: sl.seconds, mbps: (mb * slShare) / sl.seconds, ...(sl.timedOut ? { timedOut: true } : {}) });

  const hook = args.has('no-hook') ? undefined : preCommit();

  // what each tool reported on the same files (the planted leaks are `planted`)
  const count = (file: string, pick: (report: any) => number) => (existsSync(join(WORK, file)) ? pick(JSON.parse(readFileSync(join(WORK, file), 'utf8'))) : null);
  const found = {
    ksecDir: count('ksec.json', (r) => r.findings.length),
    ksecHistory: count('ksec-h.json', (r) => r.findings.length),
    ksecWarnings: count('ksec.json', (r) => r.summary.warnings ?? 0),
    gitleaksLast: count('gitleaks.json', (r) => r.length),
    secretlint: count('secretlint.json', (r) => r.reduce((n: number, f: { messages: unknown[] }) => n + f.messages.length, 0)),
  };
  const ksecDir = rows.find((r) => r.tool === 'ksec' && r.mode === 'dir')!;
  const glDir = rows.find((r) => r.tool === 'gitleaks' && r.mode === 'dir');
  const out = {
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    loadavg: { before: loadBefore, after: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') },
    repository: { files: FILES, commits: COMMITS, megabytes: Number(mb.toFixed(1)), planted: meta.planted },
    runs: RUNS,
    found,
    rows: rows.map((r) => ({ ...r, seconds: Number(r.seconds.toFixed(3)), mbps: Number(r.mbps.toFixed(2)) })),
    ratios: {
      ksecVsGitleaksDir: glDir ? Number((ksecDir.mbps / glDir.mbps).toFixed(2)) : null,
      ksecVsSecretlint: Number((ksecDir.mbps / rows.find((r) => r.tool === 'secretlint')!.mbps).toFixed(1)),
      ...(pairRatios.length ? { ksecVsSecretlintPaired: { median: Number(median(pairRatios).toFixed(1)), pairs: pairRatios.map((x) => Number(x.toFixed(1))) } } : {}),
      ...(hook ? { stagedVsNode: Number((hook.staged.seconds / hook.bare.seconds).toFixed(2)) } : {}),
    },
    ...(hook ? { preCommit: { nodeSeconds: Number(hook.bare.seconds.toFixed(4)), ksecSeconds: Number(hook.staged.seconds.toFixed(4)) } } : {}),
  };
  console.log(JSON.stringify(out, null, 2));
}

await main();
