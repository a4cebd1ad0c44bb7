/**
 * The scan's syntax check on its own: how fast is "does this manifest parse?"
 * answered by the validate-only fast path (what src/manifest/syntax.ts tries
 * first), by the fast reader building values, and by the `yaml` package (what
 * both must agree with), on the benchmark repository's manifests (bench/scan/generate.ts's
 * fileFor, no Git needed). Each pass is timed in CPU time; the table gives
 * the median of --runs passes after one warm-up pass (--peer-runs for the
 * package, which is about 30x slower).
 *
 *   npx tsx bench/scan/syntax.ts [--files 5000] [--runs 7] [--peer-runs 3]
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parseFastYaml, validFastYaml } from '../../src/manifest/fast-yaml.js';
import { manifestSyntaxError } from '../../src/manifest/syntax.js';
import { fileFor } from './generate.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const FILES = Number(args.get('files') ?? 5000);
const RUNS = Number(args.get('runs') ?? 7);
const PEER_RUNS = Number(args.get('peer-runs') ?? 3);

const texts = Array.from({ length: FILES }, (_, i) => fileFor(i).text);
const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;

const checks: [string, (text: string) => unknown, number][] = [
  ['validFastYaml (validate only)', (t) => validFastYaml(t), RUNS],
  ['manifestSyntaxError (the scan\'s check)', (t) => manifestSyntaxError(t, 'x.yaml'), RUNS],
  ['parseFastYaml (values built)', (t) => parseFastYaml(t), RUNS],
  ['yaml parseAllDocuments (the package)', (t) => parseAllDocuments(t, { uniqueKeys: true, merge: true }), PEER_RUNS],
];

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows = checks.map(([label, check, runs]) => {
  cpuMs(() => texts.forEach(check)); // warm-up
  const samples = Array.from({ length: runs }, () => cpuMs(() => texts.forEach(check)));
  const ms = median(samples);
  return { label, runs, ms: Number(ms.toFixed(1)), mbps: Number((mb / (ms / 1000)).toFixed(1)), usPerFile: Number(((ms * 1000) / FILES).toFixed(1)) };
});
const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(JSON.stringify({ machine: `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`, loadavg, files: FILES, megabytes: Number(mb.toFixed(1)), rows }, null, 2));
