/**
 * Benchmark: `ksec checksum annotate` and `--check` on a generated tree of
 * 5,000 manifests (1,000 workloads in 1,000 files; 4,000 configs: 2,000
 * ConfigMaps, 1,000 Secrets, 1,000 SealedSecrets, in 1,000 files), run as
 * the built CLI in a child process under /usr/bin/time (wall time, peak RSS),
 * median of N runs. With --peer, for scale, the same tree once through
 * `kustomize build` (the step a kustomize user already runs; slow: minutes).
 *
 *   npm run -s build && npx tsx bench/checksum/annotate.ts [runs=5] [--peer]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
const PEER = process.argv.includes('--peer');
const WORKLOADS = 1000;
const KSEC = fileURLToPath(new URL('../../bin/ksec.js', import.meta.url));
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

function workload(i: number): string {
  const kind = KINDS[i % KINDS.length]!;
  const api = kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const pod = (indent: string) =>
    [
      'metadata:',
      '  labels:',
      `    app: app-${i}   # the selector`,
      'spec:',
      '  containers:',
      '    - name: app',
      '      image: "registry.example.com/app:1.0"',
      '      envFrom:',
      `        - configMapRef: {name: env-${i}}`,
      '      env:',
      '        - name: PASSWORD',
      '          valueFrom:',
      `            secretKeyRef: {name: db-${i}, key: password}`,
      '      volumeMounts:',
      '        - {name: files, mountPath: /etc/app}',
      '  volumes:',
      '    - name: files',
      '      projected:',
      '        sources:',
      `          - configMap: {name: files-${i}}`,
      `          - secret: {name: tls-${i}}`,
    ]
      .map((l) => indent + l)
      .join('\n');
  const template = kind === 'CronJob' ? `  schedule: "0 * * * *"\n  jobTemplate:\n    spec:\n      template:\n${pod('        ')}` : `  template:\n${pod('    ')}`;
  return `# workload ${i}\napiVersion: ${api}\nkind: ${kind}\nmetadata:\n  name: app-${i}\n  namespace: ns-${i % 20}\nspec:\n${template}\n`;
}

function configs(i: number): string {
  const ns = `ns-${i % 20}`;
  const body = 'x'.repeat(200 + (i % 50));
  return [
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: env-${i}\n  namespace: ${ns}\ndata:\n  LOG_LEVEL: info\n  FEATURE: "${i}"\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: files-${i}\n  namespace: ${ns}\ndata:\n  app.conf: |\n    ${body}\n    line two\n`,
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-${i}\n  namespace: ${ns}\ntype: Opaque\ndata:\n  password: ${Buffer.from(`bench-password-${i}`).toString('base64')}\n`,
    `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: tls-${i}\n  namespace: ${ns}\nspec:\n  encryptedData:\n    tls.key: ${Buffer.from(body + i).toString('base64')}\n  template:\n    type: kubernetes.io/tls\n`,
  ].join('---\n');
}

function generate(dir: string): void {
  mkdirSync(join(dir, 'workloads'), { recursive: true });
  mkdirSync(join(dir, 'config'), { recursive: true });
  for (let i = 0; i < WORKLOADS; i++) {
    writeFileSync(join(dir, 'workloads', `app-${i}.yaml`), workload(i));
    writeFileSync(join(dir, 'config', `app-${i}.yaml`), configs(i));
  }
}

interface Sample {
  seconds: number;
  /** user + system CPU seconds: less sensitive than wall time to other load on the machine */
  cpu: number;
  maxRssMiB: number;
  code: number;
}

function timed(cmd: string, args: string[]): Sample {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, CI: 'true' } });
  const last = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: last[0]!, cpu: last[1]! + last[2]!, maxRssMiB: last[3]! / 1024, code: r.status ?? -1 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function report(label: string, samples: Sample[]): void {
  const codes = [...new Set(samples.map((s) => s.code))].join(',');
  console.log(
    `${label.padEnd(46)} wall ${median(samples.map((s) => s.seconds)).toFixed(2)} s   cpu ${median(samples.map((s) => s.cpu)).toFixed(2)} s   peak RSS ${median(samples.map((s) => s.maxRssMiB)).toFixed(0)} MiB   (exit ${codes}, ${samples.length} runs)`,
  );
}

const root = mkdtempSync(join(tmpdir(), 'ksec-bench-checksum-'));
const pristine = join(root, 'pristine');
generate(pristine);
const stamp: Sample[] = [];
const check: Sample[] = [];
const noop: Sample[] = [];
const checkStale: Sample[] = [];
for (let run = 0; run < RUNS; run++) {
  const tree = join(root, `run-${run}`);
  cpSync(pristine, tree, { recursive: true });
  checkStale.push(timed(process.execPath, [KSEC, 'checksum', 'annotate', '--check', tree]));
  stamp.push(timed(process.execPath, [KSEC, 'checksum', 'annotate', tree]));
  check.push(timed(process.execPath, [KSEC, 'checksum', 'annotate', '--check', tree]));
  noop.push(timed(process.execPath, [KSEC, 'checksum', 'annotate', tree]));
  if (run === 0 && !readFileSync(join(tree, 'workloads', 'app-7.yaml'), 'utf8').includes('ksec.dev/config-hash:')) {
    throw new Error('annotate did not stamp the tree');
  }
  rmSync(tree, { recursive: true, force: true });
}
console.log(
  `tree: ${WORKLOADS} workloads + ${WORKLOADS * 4} configs = ${WORKLOADS * 5} manifests in ${WORKLOADS * 2} files; node ${process.version}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
report('annotate (stamps all 1,000 workloads)', stamp);
report('annotate --check (all stamps missing, exit 1)', checkStale);
report('annotate --check (all up to date, exit 0)', check);
report('annotate (already up to date, writes nothing)', noop);

let kustomize: string | undefined;
if (PEER) try {
  kustomize = execFileSync('sh', ['-c', 'command -v kustomize'], { encoding: 'utf8' }).trim() || undefined;
} catch {
  kustomize = undefined;
}
if (kustomize) {
  const files = [...Array(WORKLOADS).keys()].flatMap((i) => [`workloads/app-${i}.yaml`, `config/app-${i}.yaml`]);
  writeFileSync(join(pristine, 'kustomization.yaml'), `resources:\n${files.map((f) => `- ${f}`).join('\n')}\n`);
  const samples = [timed(kustomize, ['build', pristine, '-o', join(root, 'out.yaml')])];
  report(`peer: kustomize build, same tree (${execFileSync(kustomize, ['version'], { encoding: 'utf8' }).trim()})`, samples);
} else {
  console.log(PEER ? 'peer: kustomize not on PATH; skipped' : 'peer: skipped (pass --peer)');
}
rmSync(root, { recursive: true, force: true });
