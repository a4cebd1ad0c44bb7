/**
 * Scan time against findings in one file: must grow linearly with the file's size and its findings,
 * never with their product (issue 20: a Secret of 40,000 keys took 10 s, 20,000 Secrets in one file
 * 26 s, because each finding searched the whole text again). Each shape is generated at n, 2n and 4n
 * findings and `ksec scan FILE` timed (median of --runs); `perDoubling` is the time ratio of each
 * step, about 2 when linear (4 would be quadratic). A benchmark, not a test: times vary with the
 * machine, ratios much less.
 *
 *   npx tsx bench/scan/many-findings.ts [--n 20000] [--runs 3] [--shapes keys,secrets,...]
 *   KSEC_BEFORE=/other/checkout/bin/ksec.js ...   (adds that build's times, same run)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const N = Number(args.get('n') ?? 20_000);
const RUNS = Number(args.get('runs') ?? 3);
const KSEC = fileURLToPath(new URL('../../bin/ksec.js', import.meta.url));
const WORK = join(tmpdir(), 'ksec-bench-scan', 'many-findings');
mkdirSync(WORK, { recursive: true });

/** Each shape: a file of n findings (every value a plaintext demo value, none a real secret). */
const SHAPES: Record<string, { ext: string; make: (n: number) => string }> = {
  // one Secret, n keys (the fast YAML reader's subset)
  keys: { ext: 'yaml', make: (n) => head('big') + Array.from({ length: n }, (_, i) => `  key${i}: demo-value-${i}\n`).join('') },
  // n Secrets in one stream
  secrets: { ext: 'yaml', make: (n) => Array.from({ length: n }, (_, i) => `---\n${head(`s${i}`)}  password: demo-value-${i}\n`).join('') },
  // n Secrets, each finding with an allow comment for another rule (the allow comments are read)
  'secrets-allow': { ext: 'yaml', make: (n) => Array.from({ length: n }, (_, i) => `---\n${head(`s${i}`)}  password: demo-value-${i} # ksec:allow aws-access-key\n`).join('') },
  // one Secret as JSON: positions come from a lazily parsed YAML document
  'keys-json': { ext: 'json', make: (n) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'j' }, stringData: Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, `demo-value-${i}`])) }) },
  // a Helm template: read by the line reader
  'keys-helm': { ext: 'yaml', make: (n) => `{{- if .Values.on }}\n${head('{{ .Release.Name }}')}${Array.from({ length: n }, (_, i) => `  key${i}: demo-value-${i}\n`).join('')}{{- end }}\n` },
};

function head(name: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(bin: string, file: string): number {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [bin, 'scan', file, '--format', 'json'], { cwd: WORK, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
    if (res.status !== 1) throw new Error(`ksec scan ${file} exited ${res.status}: ${res.stderr?.toString().slice(-300)}`);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return median(samples);
}

const shapes = (args.get('shapes') ?? Object.keys(SHAPES).join(',')).split(',');
const builds: [string, string][] = [['ksec', KSEC], ...(process.env.KSEC_BEFORE ? [['ksec (KSEC_BEFORE)', process.env.KSEC_BEFORE] as [string, string]] : [])];
const rows: { build: string; shape: string; findings: number; megabytes: number; seconds: number }[] = [];
for (const shape of shapes) {
  const { ext, make } = SHAPES[shape]!;
  for (const n of [N, 2 * N, 4 * N]) {
    const file = join(WORK, `${shape}-${n}.${ext}`);
    const text = make(n);
    writeFileSync(file, text);
    for (const [build, bin] of builds) {
      const seconds = time(bin, file);
      rows.push({ build, shape, findings: n, megabytes: Number((text.length / 1e6).toFixed(2)), seconds: Number(seconds.toFixed(3)) });
      process.stderr.write(`${build} ${shape} ${n}: ${seconds.toFixed(3)} s\n`);
    }
  }
}
const perDoubling = Object.fromEntries(
  builds.flatMap(([build]) =>
    shapes.map((shape) => {
      const s = rows.filter((r) => r.build === build && r.shape === shape).map((r) => r.seconds);
      return [`${build} ${shape}`, s.slice(1).map((x, i) => Number((x / s[i]!).toFixed(2)))];
    }),
  ),
);
console.log(JSON.stringify({ node: process.version, runs: RUNS, rows, perDoubling }, null, 2));
