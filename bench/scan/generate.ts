/**
 * Generates the CI-guard benchmark repository: FILES manifest files of about
 * 4 KB (Deployments, Services, ConfigMaps, SealedSecrets, ExternalSecrets and
 * a few planted plaintext Secrets and tokens, demo values only) committed
 * over COMMITS commits with `git fast-import`, then checked out.
 *
 *   npx tsx bench/scan/generate.ts DIR [FILES=50000] [COMMITS=5000]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface Generated {
  dir: string;
  files: number;
  commits: number;
  bytes: number;
  planted: number;
}

function deployment(i: number): string {
  const env = Array.from({ length: 34 }, (_, k) => `            - name: FEATURE_${k}\n              value: "value-${i}-${k}-${'x'.repeat(20)}"`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: team-${i % 50}
  labels: {app: app-${i}, tier: backend}
  annotations:
    description: "${'generated benchmark workload '.repeat(8)}"
spec:
  selector:
    matchLabels: {app: app-${i}}
  template:
    metadata:
      labels: {app: app-${i}}
    spec:
      containers:
        - name: app
          image: registry.example.com/team/app-${i}:1.${i % 100}.0
          ports: [{containerPort: 8080}]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          envFrom:
            - secretRef: {name: app-${i}}
          env:
${env}
`;
}

function configMap(i: number): string {
  const data = Array.from({ length: 52 }, (_, k) => `  key-${k}: "setting ${k} for service ${i}: ${'y'.repeat(50)}"`).join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\n  namespace: team-${i % 50}\ndata:\n${data}\n`;
}

function service(i: number): string {
  const ports = Array.from({ length: 40 }, (_, k) => `    - name: port-${k}\n      port: ${8000 + k}\n      targetPort: ${9000 + k}\n      protocol: TCP`).join('\n');
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-${i}\n  namespace: team-${i % 50}\n  annotations:\n    note: "${'service annotation '.repeat(10)}"\nspec:\n  selector: {app: app-${i}}\n  ports:\n${ports}\n`;
}

function sealedSecret(i: number): string {
  // the sealed-secrets layout: uint16be(512) || RSA-4096 part || AES-GCM ciphertext + 16-byte tag
  const value = () => Buffer.concat([Buffer.from([0x02, 0x00]), randomBytes(512), randomBytes(40 + 16)]).toString('base64');
  const data = Array.from({ length: 4 }, (_, k) => `    key-${k}: ${value()}`).join('\n');
  return `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: sealed-${i}\n  namespace: team-${i % 50}\nspec:\n  encryptedData:\n${data}\n  template:\n    metadata: {name: sealed-${i}, namespace: team-${i % 50}}\n`;
}

function externalSecret(i: number): string {
  const data = Array.from({ length: 25 }, (_, k) => `    - secretKey: key-${k}\n      remoteRef: {key: prod/app-${i}, property: key-${k}}`).join('\n');
  return `apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ext-${i}\n  namespace: team-${i % 50}\nspec:\n  secretStoreRef: {name: aws, kind: ClusterSecretStore}\n  target: {name: ext-${i}}\n  data:\n${data}\n`;
}

function plantedSecret(i: number): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked-${i}\nstringData:\n  password: demo-bench-password-${i}\n${configMap(i).replace(/^/, '---\n')}`;
}

function plantedToken(i: number): string {
  return configMap(i).replace('  key-0:', `  GITHUB_TOKEN: ghp_${(`bench${i}`.padEnd(36, '0')).slice(0, 36)}\n  key-0:`);
}

export function fileFor(i: number): { path: string; text: string; planted: boolean } {
  const team = `team-${i % 50}`;
  if (i % 1000 === 7) return { path: `apps/${team}/leaked-${i}.yaml`, text: plantedSecret(i), planted: true };
  if (i % 1000 === 507) return { path: `apps/${team}/config-${i}.yaml`, text: plantedToken(i), planted: true };
  switch (i % 5) {
    case 0: return { path: `apps/${team}/deploy-${i}.yaml`, text: deployment(i), planted: false };
    case 1: return { path: `apps/${team}/config-${i}.yaml`, text: configMap(i), planted: false };
    case 2: return { path: `apps/${team}/svc-${i}.yaml`, text: service(i), planted: false };
    case 3: return { path: `apps/${team}/sealed-${i}.yaml`, text: i % 10 === 3 ? sealedSecret(i) : deployment(i), planted: false };
    default: return { path: `apps/${team}/ext-${i}.yaml`, text: i % 10 === 4 ? externalSecret(i) : configMap(i), planted: false };
  }
}

export async function generate(dir: string, files = 50_000, commits = 5_000): Promise<Generated> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  const child = spawn('git', ['fast-import', '--quiet'], { cwd: dir, stdio: ['pipe', 'inherit', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`)))));
  let bytes = 0;
  let planted = 0;
  const perCommit = Math.ceil(files / commits);
  const write = (text: string) => (child.stdin.write(text) ? Promise.resolve() : new Promise<void>((r) => child.stdin.once('drain', () => r())));
  let i = 0;
  for (let c = 0; c < commits; c++) {
    const msg = `commit ${c}`;
    let chunk = `commit refs/heads/main\ncommitter Bench <bench@example.com> ${1_700_000_000 + c} +0000\ndata ${msg.length}\n${msg}\n`;
    for (let k = 0; k < perCommit && i < files; k++, i++) {
      const f = fileFor(i);
      bytes += Buffer.byteLength(f.text);
      if (f.planted) planted++;
      chunk += `M 100644 inline ${f.path}\ndata ${Buffer.byteLength(f.text)}\n${f.text}\n`;
    }
    await write(chunk);
  }
  child.stdin.end();
  await done;
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: dir });
  return { dir, files, commits, bytes, planted };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, files, commits] = process.argv.slice(2);
  if (!dir) throw new Error('usage: generate.ts DIR [FILES] [COMMITS]');
  const g = await generate(dir, Number(files ?? 50_000), Number(commits ?? 5_000));
  console.log(JSON.stringify(g));
}
