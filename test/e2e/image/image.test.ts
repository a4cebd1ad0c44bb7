/**
 * `npm run -s package:image` (scripts/package-image.mjs): two builds of the same commit are the same
 * image (digest and `docker load` archive), its layers hold only what the script says, and the image
 * runs like a pod of the Helm chart (pod.ts): under runc, as user 65532 on a read-only root, with the
 * chart's RBAC, args, env and probes and a real service-account token, it becomes ready, rolls a
 * Deployment when its ConfigMap changes, and exits 0 on SIGTERM within the grace period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbed, type Testbed } from '../testbed/env.js';
import { REPO_ROOT } from '../../helpers/run-ksec.js';
import { ANN } from '../../../src/watch/policy.js';
import { TemplateWatch, deployment, envFrom, eventually, kube } from '../watch/helpers.js';
import { renderChart } from '../watch/chart.js';
import { RuncPod, SA_MOUNT, probe, requireTools } from './pod.js';

const VERSION = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
const EPOCH = '1767225600'; // 2026-01-01T00:00:00Z: any fixed SOURCE_DATE_EPOCH
const out = mkdtempSync(join(tmpdir(), 'ksec-image-test-'));

/** One build into `dir`, with the given umask (modes must not depend on it). */
function buildImage(dir: string, umask: string): string {
  const script = `umask ${umask} && exec "$0" "$@"`;
  return execFileSync('/bin/sh', ['-c', script, process.execPath, join(REPO_ROOT, 'scripts/package-image.mjs'), '--out', dir], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

const blob = (layout: string, digest: string) => join(layout, 'blobs/sha256', digest.replace('sha256:', ''));
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

let digestA: string;
let digestB: string;
const A = join(out, 'a');
const B = join(out, 'b');

beforeAll(() => {
  requireTools('umoci', 'skopeo', 'runc');
  digestA = buildImage(A, '022');
  digestB = buildImage(B, '077');
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the image build (scripts/package-image.mjs)', () => {
  it('is reproducible: two builds (umask 022 and 077) give the same manifest digest and the same docker archive', () => {
    expect(digestA).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digestB).toBe(digestA);
    const archive = `ksec-${VERSION}.tar`;
    const sum = (d: string) => execFileSync('sha256sum', [join(d, archive)], { encoding: 'utf8' }).split(' ')[0];
    expect(sum(B)).toBe(sum(A));
  });

  it('is an OCI layout tagged with the version and a docker-load archive named like the chart default', () => {
    const index = json(join(B, 'oci/index.json'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]).toMatchObject({ digest: digestB, annotations: { 'org.opencontainers.image.ref.name': VERSION } });
    const dockerManifest = JSON.parse(execFileSync('tar', ['-xOf', join(B, `ksec-${VERSION}.tar`), 'manifest.json'], { encoding: 'utf8' }));
    expect(dockerManifest).toHaveLength(1);
    expect(dockerManifest[0].RepoTags).toEqual([`ghcr.io/ksec/ksec:${VERSION}`]);
    expect(dockerManifest[0].Layers).toHaveLength(3);
    // skopeo reads it back as an image with the same config
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${join(B, `ksec-${VERSION}.tar`)}`], { encoding: 'utf8' }));
    expect(inspected.Architecture).toBe('amd64');
    expect(inspected.Labels['org.opencontainers.image.version']).toBe(VERSION);
  });

  it('runs as 65532 with the watch entrypoint; layers hold only libraries, certificates, passwd, node and /app, all 0:0 at SOURCE_DATE_EPOCH with fixed modes', () => {
    const manifest = json(blob(join(B, 'oci'), digestB));
    const config = json(blob(join(B, 'oci'), manifest.config.digest));
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Entrypoint).toEqual(['/nodejs/bin/node', '/app/bin/ksec.js', 'watch']);
    expect(config.created).toBe('2026-01-01T00:00:00Z');
    const files: string[] = [];
    for (const layer of manifest.layers) {
      const listing = execFileSync('tar', ['-tvzf', blob(join(B, 'oci'), layer.digest), '--numeric-owner', '--full-time'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      for (const line of listing.trim().split('\n')) {
        const [mode, owner, , date, time, name] = line.split(/\s+/);
        expect(`${owner} ${date} ${time}`, name).toBe('0/0 2026-01-01 00:00:00');
        expect(['drwxr-xr-x', '-rw-r--r--', '-rwxr-xr-x', 'lrwxrwxrwx', ...(name === 'tmp/' ? ['drwxrwxrwt'] : [])], name).toContain(mode);
        files.push(name!);
      }
    }
    const top = new Set(files.map((f) => f.replace(/^\.\//, '').split('/')[0]));
    expect([...top].sort()).toEqual(['app', 'etc', 'lib', 'lib64', 'nodejs', 'tmp', 'usr']);
    // no shell, no package manager, no coreutils: /bin and /usr/bin do not exist
    expect(files.filter((f) => /(^|\/)(s?bin)\//.test(f) && !f.startsWith('nodejs/bin/') && !f.startsWith('app/'))).toEqual([]);
    expect(files).toContain('nodejs/bin/node');
    expect(files).toContain('etc/ssl/certs/ca-certificates.crt');
    expect(files.filter((f) => f.startsWith('lib/') && !f.endsWith('/')).sort()).toEqual(
      ['ld-linux-x86-64.so.2', 'libc.so.6', 'libdl.so.2', 'libgcc_s.so.1', 'libm.so.6', 'libpthread.so.0'].map((l) => `lib/x86_64-linux-gnu/${l}`),
    );
    expect(files).toContain('usr/lib/x86_64-linux-gnu/libstdc++.so.6');
    // production dependencies only
    expect(files.some((f) => f.startsWith('app/node_modules/@kubernetes/client-node/'))).toBe(true);
    expect(files.some((f) => /^app\/node_modules\/(vitest|typescript|esbuild|tsx)\//.test(f))).toBe(false);
    expect(files.some((f) => f.startsWith('app/src/') || f.startsWith('app/test/'))).toBe(false);
  });
});

describe('the image run like a pod of the chart (runc)', () => {
  let bed: Testbed;
  let k: ReturnType<typeof kube>;
  let ns: string;
  let pod: RuncPod | undefined;
  let tw: TemplateWatch;
  let podSpec: any;
  let port: number;

  beforeAll(async () => {
    bed = testbed();
    k = kube(bed);
    ns = await k.namespace('image-pod');
    port = await freePort();
    // the namespaced install (Reloader's watchGlobally=false): the shared bed's other namespaces stay untouched
    const { docs } = await renderChart(bed, ns, ns, ['watch.watchGlobally=false', `metrics.port=${port}`]);
    const paths: Record<string, string> = {
      ServiceAccount: `/api/v1/namespaces/${ns}/serviceaccounts`,
      Role: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
      RoleBinding: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
    };
    for (const d of docs) if (paths[d.kind]) await k.ok('POST', paths[d.kind]!, d);
    const dep = docs.find((d) => d.kind === 'Deployment');
    podSpec = dep.spec.template.spec;
    expect(podSpec.containers[0].image).toBe(`ghcr.io/ksec/ksec:${VERSION}`);
    const token = await bed.serviceAccountToken(ns, podSpec.serviceAccountName, 3600);
    await k.configMap(ns, 'cfg', { k: 'v1' });
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
    tw = new TemplateWatch(bed, ns);
    await tw.start(['deployments']);
    pod = new RuncPod({ layout: join(B, 'oci'), tag: VERSION, podName: `${dep.metadata.name}-5d8f7c9b6-x2x7q`, namespace: ns, podSpec, apiserverUrl: bed.apiserverUrl, caPem: bed.caPem, token });
    pod.prepare();
  });

  afterAll(async () => {
    tw?.stop();
    pod?.destroy();
    if (ns) await k.deleteNamespace(ns);
  });

  it('becomes ready, rolls a Deployment when its ConfigMap changes, and exits 0 on SIGTERM within the grace period', async () => {
    const c = podSpec.containers[0];
    const containerPort = c.ports.find((p: any) => p.name === c.readinessProbe.httpGet.port).containerPort;
    expect(containerPort).toBe(port);
    const spec = pod!.config;
    expect(spec.process.user).toMatchObject({ uid: 65532, gid: 65532 });
    expect(spec.root.readonly).toBe(true);
    expect(spec.process.args.slice(0, 3)).toEqual(['/nodejs/bin/node', '/app/bin/ksec.js', 'watch']);

    pod!.start();
    // the kubelet's probes: startup (/healthz), then readiness (/readyz)
    const ready = await eventually(
      async () => (pod!.exited ? -1 : await probe(containerPort, c.readinessProbe.httpGet.path)),
      (s) => s === 200 || s === -1,
      90_000,
      `readiness ${c.readinessProbe.httpGet.path}`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${pod!.raw.slice(-3000)}`);
    });
    expect(ready, pod!.raw.slice(-3000)).toBe(200);
    expect(await probe(containerPort, c.livenessProbe.httpGet.path)).toBe(200);
    expect(await probe(containerPort, c.startupProbe.httpGet.path)).toBe(200);

    // what the kernel says about the container's process: user 65532, root mounted read-only
    const pid = pod!.pid();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65532\s+65532\s+65532\s+65532$/m);
    expect(status).toMatch(/^Gid:\s+65532\s+65532\s+65532\s+65532$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === '/')!;
    expect(rootMount.split(' ')[5]!.split(',')).toContain('ro');
    expect(readdirSync(`/proc/${pid}/root${SA_MOUNT}`).sort()).toEqual(['ca.crt', 'namespace', 'token']);

    const starting = pod!.logs().find((l) => l.msg === 'starting');
    const api = new URL(bed.apiserverUrl);
    expect(starting?.server).toBe(`https://${api.hostname}:${api.port}`);
    expect(starting?.namespaces).toEqual([ns]);
    await eventually(async () => pod!.logs().some((l) => l.msg === 'full evaluation'), (x) => x, 60_000, 'the full evaluation');

    await k.setData(ns, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => tw.revision('deployments', 'app'), (r) => r === 2, 30_000, 'the rollout of deployments/app');
    expect(pod!.raw).not.toMatch(/forbidden|HTTP 403|EROFS|EACCES/i);

    const grace = (podSpec.terminationGracePeriodSeconds ?? 30) * 1000;
    const { code, ms } = await pod!.signal('TERM', grace);
    expect(code, pod!.raw.slice(-2000)).toBe(0);
    expect(ms).toBeLessThan(grace);
  }, 240_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
