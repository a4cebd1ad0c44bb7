/**
 * Manifest parsing: the fast path (src/manifest/fast-yaml.ts, through
 * parseManifestText) vs the yaml package (parseAllDocuments + toJS with the
 * options read.ts uses), in the same run, on
 *   (i)  one SealedSecret of 10,000 keys, and
 *   (ii) a directory of 2,000 typical manifests (Secrets, SealedSecrets, Deployments);
 * then start-up: a child `node` that imports the manifest reader and parses one
 * small Secret, before (the reader as of BEFORE, which imported yaml) and after,
 * beside a bare `node -e 0`. Medians of --runs runs (interleaved).
 *
 *   npm run -s build && npx tsx bench/manifest/parse.ts [--runs 9] [--startup-runs 21]
 *
 * Both parse rows and the "after" start-up row run dist/: build first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
// the built reader, as the CLI runs it (tsx's transpile of src/ adds a helper call per closure)
import { parseFastYaml } from '../../dist/manifest/fast-yaml.js';
import { parseManifestText } from '../../dist/manifest/read.js';
import { corpusRng, realisticManifest, sealedSecret } from '../../test/unit/manifest/yaml-corpus.js';

/** The reader before the fast path: read.ts imported yaml at module load. */
const BEFORE = '888ebeb';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const runs = arg('runs', 9);
const startupRuns = arg('startup-runs', 21);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function yamlParse(text: string): unknown[] {
  return parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, merge: true }).map((d) => d.toJS({ maxAliasCount: 1000 }));
}

/** Median ms of each contender over `runs` interleaved rounds. */
function time(contenders: Record<string, () => void>): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of Object.entries(contenders)) {
      const t0 = performance.now();
      fn();
      (samples[name] ??= []).push(performance.now() - t0);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

function report(label: string, bytes: number, ms: Record<string, number>): void {
  const mbps = (name: string) => bytes / 1e6 / (ms[name]! / 1000);
  console.log(`\n${label}: ${(bytes / 1e6).toFixed(2)} MB`);
  for (const name of Object.keys(ms)) console.log(`  ${name.padEnd(34)} ${ms[name]!.toFixed(1).padStart(8)} ms  ${mbps(name).toFixed(1).padStart(7)} MB/s`);
  console.log(`  fast path / yaml: ${(ms['yaml parseAllDocuments+toJS']! / ms['parseManifestText (fast path)']!).toFixed(1)}x`);
}

// (i) one SealedSecret of 10,000 keys (through a Buffer, so it is one flat string as a file read gives)
const big = Buffer.from(sealedSecret(corpusRng(1), 10_000)).toString('utf8');
if (!parseFastYaml(big)) throw new Error('the fast path declined the SealedSecret');
report(
  'one SealedSecret, 10,000 keys',
  Buffer.byteLength(big),
  time({
    'parseManifestText (fast path)': () => parseManifestText(big, 'big.yaml'),
    'yaml parseAllDocuments+toJS': () => yamlParse(big),
  }),
);

// (ii) a directory of 2,000 typical manifests
const dir = mkdtempSync(join(tmpdir(), 'ksec-parse-bench-'));
const rng = corpusRng(2);
for (let i = 0; i < 2000; i++) writeFileSync(join(dir, `m${String(i).padStart(4, '0')}.yaml`), realisticManifest(rng));
const texts = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const declined = texts.filter((t) => !parseFastYaml(t)).length;
report(
  `2,000 typical manifests (${declined} declined by the fast path)`,
  texts.reduce((n, t) => n + Buffer.byteLength(t), 0),
  time({
    'parseManifestText (fast path)': () => texts.forEach((t, i) => parseManifestText(t, `${i}.yaml`)),
    'yaml parseAllDocuments+toJS': () => texts.forEach(yamlParse),
  }),
);

// start-up: import the reader and parse one small Secret, in a fresh node
const esbuild = join(ROOT, 'node_modules/.bin/esbuild');
const beforeDir = join(ROOT, 'node_modules/.cache/ksec-bench-manifest');
mkdirSync(join(beforeDir, 'manifest'), { recursive: true });
for (const file of ['errors.ts', 'manifest/objects.ts', 'manifest/read.ts']) {
  const source = execFileSync('git', ['show', `${BEFORE}:src/${file}`], { cwd: ROOT, encoding: 'utf8' });
  const js = execFileSync(esbuild, ['--loader=ts', '--format=esm'], { input: source, encoding: 'utf8' });
  writeFileSync(join(beforeDir, file.replace(/\.ts$/, '.js')), js);
}
const SMALL = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: demo-only\n';
const child = (url: string) => `import(${JSON.stringify(url)}).then((m) => m.parseManifestText(${JSON.stringify(SMALL)}, 'a.yaml'))`;
const commands: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  [`read.js before (${BEFORE}, imports yaml)`]: ['-e', child(pathToFileURL(join(beforeDir, 'manifest/read.js')).href)],
  'read.js after (dist/, fast path)': ['-e', child(pathToFileURL(join(ROOT, 'dist/manifest/read.js')).href)],
};
const wall: Record<string, number[]> = {};
for (let r = 0; r < startupRuns; r++) {
  for (const [name, args] of Object.entries(commands)) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    (wall[name] ??= []).push(performance.now() - t0);
  }
}
console.log(`\nstart-up, import the reader + parse one Secret (median of ${startupRuns}):`);
const floor = median(wall['node -e 0']!);
for (const [name, xs] of Object.entries(wall)) console.log(`  ${name.padEnd(44)} ${median(xs).toFixed(1).padStart(7)} ms  ${(median(xs) / floor).toFixed(2)}x node -e 0`);
console.log(`\nnode ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
