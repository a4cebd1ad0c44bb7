/**
 * `ksec doctor` against the test bed: the real sealed-secrets controller (its Service, its keys,
 * SealedSecrets it synced, one it cannot open, one whose Secret was edited), a controller
 * namespace of our own whose only key has an expired certificate (the shared controller's key is
 * not rotated: other suites seal with it at the same time), the real ESO controller
 * (test/e2e/eso/controller.ts, confined to the test's namespace) producing the states doctor reads,
 * workloads for the reload and hygiene checks, a stale watcher Lease, a ServiceAccount with no
 * rights (403s are a warn per area, not a crash) and an unreachable API server (exit 3).
 *
 * ESO, first thing in beforeAll: a SecretStore with AWS keys in a Secret (moto), one whose
 * credentials Secret does not exist (ESO sets Ready=False and records why in a Warning event),
 * ExternalSecrets `current` (1h) and `stale` (5s) and one a ClusterExternalSecret makes, all synced
 * from a moto secret; then the controller is stopped, as a dead or stuck one: `stale` stays Ready
 * with its last refreshTime. doctor calls it late after 2 intervals + 1 minute without a refresh
 * (src/doctor/external-secrets.ts), so the last test asserts that, once the rest of the suite has
 * run (it waits out what is left of the 70 s).
 */
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { reloaderHash } from '../../../src/config-hash/reloader.js';
import type { DoctorCheck } from '../../../src/doctor/index.js';
import { selfSignedCertificate } from '../../../src/seal/keys.js';
import { eventually, sleep } from '../../helpers/eventually.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { kubeRequest } from '../testbed/kube.js';
import { EsoController, installEsoCrds, releaseExternalSecrets, type EsoStatus } from '../eso/controller.js';
import { client } from '../eso/seed.js';
import { createProbe, PROBE, ReloaderProcess, reloaderReady } from '../watch/reloader.js';
import { startPrivateController } from '../seal/online-controller.js';

const CANARY = `ksec-demo-canary-doctor-${randomBytes(4).toString('hex')}`;
const id = randomBytes(3).toString('hex');
const ns = `ksec-doctor-${id}`;
const keysNs = `ksec-doctor-keys-${id}`;

let bed: Testbed;
let eso: EsoController | undefined;
const sm = client();
const ESO = '/apis/external-secrets.io/v1';
const AWS_SECRET = `ksec-doctor-${id}/db`;
const CES = `ksec-doctor-${id}`;
/** short, so the ExternalSecret goes stale (2 intervals + 1 minute without a refresh) during the suite */
const STALE_INTERVAL = '5s';
const STALE_INTERVAL_MS = 5_000;
/** when doctor starts to call the ExternalSecret `stale` late (set once ESO stopped) */
let staleFrom = Infinity;
/** what doctor says about the store whose credentials Secret does not exist: ESO's condition, then its event */
const NO_CREDS = `not Ready: unable to create client; last warning: InvalidProviderConfig: unable to create session: could not fetch SecretAccessKey secret: cannot get Kubernetes secret "aws-creds-deleted" from namespace "${ns}": secrets "aws-creds-deleted" not found`;
const work = mkdtempSync(join(tmpdir(), 'ksec-e2e-doctor-'));

async function ok(r: Promise<{ status: number; body: string }>, what: string): Promise<void> {
  const res = await r;
  if (res.status >= 300 && res.status !== 409) throw new Error(`${what}: ${res.status} ${res.body.slice(0, 300)}`);
}

/**
 * Removes the finalizers ESO put on the ExternalSecrets of `namespace`, on ClusterExternalSecret `ces`
 * and on `namespace` itself (`externalsecrets.external-secrets.io/ces-<name>`), then deletes `ces`.
 */
async function releaseEsoFinalizers(bed: Testbed, namespace: string, ces: string): Promise<void> {
  const target = { server: bed.apiserverUrl, ca: bed.caPem, token: bed.adminToken };
  const release = (path: string) => kubeRequest(target, 'PATCH', path, { metadata: { finalizers: null } }, 'application/merge-patch+json');
  await releaseExternalSecrets(bed, namespace);
  await release(`${ESO}/clusterexternalsecrets/${ces}`);
  await bed.request('DELETE', `${ESO}/clusterexternalsecrets/${ces}`);
  await release(`/api/v1/namespaces/${namespace}`);
}

const doctor = async (args: string[], env: Record<string, string> = { KUBECONFIG: bed.kubeconfig }) => {
  const r = await runKsec(['doctor', ...args], { cwd: work, env });
  return { ...r, checks: r.stdout.trim().startsWith('[') ? (JSON.parse(r.stdout) as DoctorCheck[]) : [] };
};
const about = (checks: DoctorCheck[], object: string) => checks.filter((c) => c.object === object).map((c) => `${c.status} ${c.check}`).sort();

describe('ksec doctor on the test bed', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    bed = testbed();
    for (const n of [ns, keysNs]) await ok(bed.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }), n);

    // ESO first, so that the stale ExternalSecret's clock runs during the rest of the suite: the real
    // controller (confined to ns) syncs everything from moto, then stops, as a dead or stuck controller
    await installEsoCrds(bed);
    await sm.send(new CreateSecretCommand({ Name: AWS_SECRET, SecretString: CANARY }));
    await ok(bed.request('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'aws-creds' }, stringData: { 'access-key-id': 'AKIAKSECDOCTOR', 'secret-access-key': CANARY } }), 'aws-creds');
    const store = (name: string, credentials: string) => ({
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name },
      spec: { provider: { aws: { service: 'SecretsManager', region: 'us-east-1', auth: { secretRef: { accessKeyIDSecretRef: { name: credentials, key: 'access-key-id' }, secretAccessKeySecretRef: { name: credentials, key: 'secret-access-key' } } } } } },
    });
    await ok(bed.request('POST', `${ESO}/namespaces/${ns}/secretstores`, store('aws', 'aws-creds')), 'store aws');
    await ok(bed.request('POST', `${ESO}/namespaces/${ns}/secretstores`, store('aws-no-creds', 'aws-creds-deleted')), 'store aws-no-creds');
    const esSpec = (name: string, refreshInterval: string) => ({ refreshInterval, secretStoreRef: { name: 'aws', kind: 'SecretStore' }, target: { name }, data: [{ secretKey: 'password', remoteRef: { key: AWS_SECRET } }] });
    for (const [name, interval] of [['current', '1h'], ['stale', STALE_INTERVAL]] as const) {
      await ok(bed.request('POST', `${ESO}/namespaces/${ns}/externalsecrets`, { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name }, spec: esSpec(name, interval) }), name);
    }
    // a ClusterExternalSecret whose ExternalSecret ESO creates in ns (and only there); the reconciler of
    // ClusterExternalSecrets is cluster-wide, so its name is unique and no other suite creates any
    await ok(
      bed.request('POST', `${ESO}/clusterexternalsecrets`, {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterExternalSecret',
        metadata: { name: CES },
        spec: { externalSecretName: 'from-cluster', namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': ns } }], refreshTime: '1h', externalSecretSpec: esSpec('from-cluster', '1h') },
      }),
      CES,
    );
    eso = await EsoController.start(bed, { namespace: ns, extraArgs: ['--enable-cluster-external-secret-reconciler=true'] });
    const readyOf = async (path: string) => (await bed.request('GET', path)).json<{ status?: EsoStatus }>().status?.conditions?.find((c) => c.type === 'Ready');
    await eventually('ESO validates store aws', async () => ((await readyOf(`${ESO}/namespaces/${ns}/secretstores/aws`))?.status === 'True' ? true : undefined));
    await eventually('ESO finds the store without credentials not Ready', async () => ((await readyOf(`${ESO}/namespaces/${ns}/secretstores/aws-no-creds`))?.status === 'False' ? true : undefined));
    for (const name of ['current', 'stale', 'from-cluster']) {
      await eventually(`ESO syncs ${name}`, async () => ((await readyOf(`${ESO}/namespaces/${ns}/externalsecrets/${name}`))?.status === 'True' ? true : undefined));
      const synced = (await bed.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`)).json<{ data?: Record<string, string> }>();
      if (Buffer.from(synced.data?.['password'] ?? '', 'base64').toString() !== CANARY) throw new Error(`ESO wrote no Secret ${name} with the value from moto`);
    }
    // the 5s refresh really runs: wait for one refresh after the first sync, then stop the controller
    const refreshTime = async () => (await bed.request('GET', `${ESO}/namespaces/${ns}/externalsecrets/stale`)).json<{ status?: EsoStatus }>().status?.refreshTime;
    const first = await refreshTime();
    await eventually('ESO refreshes stale again', async () => ((await refreshTime()) !== first ? true : undefined), 30_000);
    await eso.stop();
    // doctor warns once now - refreshTime > 2 intervals + 1 minute (src/doctor/external-secrets.ts); +2 s for the second-granular time
    staleFrom = Date.parse((await refreshTime())!) + 2 * STALE_INTERVAL_MS + 60_000 + 2_000;

    // SealedSecrets: sealed by kubeseal for the real controller (good, drifted) and by ksec for a demo key it does not have (broken)
    const cert = join(work, 'controller.crt');
    writeFileSync(cert, (await bed.exec('kubeseal', ['--fetch-cert'])).stdout);
    const secret = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { password: CANARY } });
    for (const name of ['good', 'drifted']) {
      const sealed = await bed.exec('kubeseal', ['--cert', cert, '-o', 'json'], { input: secret(name) });
      await ok(bed.request('POST', `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`, JSON.parse(sealed.stdout)), name);
    }
    const demoKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(join(work, 'demo.crt'), selfSignedCertificate(demoKey));
    const broken = await runKsec(['seal', '--cert', join(work, 'demo.crt')], { stdin: secret('broken') });
    await ok(bed.request('POST', `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`, JSON.parse(broken.stdout)), 'broken');
    await eventually('the controller unseals drifted', async () => {
      // after its status update (Synced), so that no reconcile still under way restores the Secret
      const ss = (await bed.request('GET', `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets/drifted`)).json<{ status?: { conditions?: { type: string; status: string }[] } }>();
      if (!ss.status?.conditions?.some((c) => c.type === 'Synced' && c.status === 'True')) return undefined;
      const s = await bed.request('GET', `/api/v1/namespaces/${ns}/secrets/drifted`);
      if (s.status !== 200) return undefined;
      const obj = s.json<Record<string, unknown> & { data: Record<string, string> }>();
      obj.data.extra = Buffer.from('added by hand').toString('base64');
      await ok(bed.request('PUT', `/api/v1/namespaces/${ns}/secrets/drifted`, obj), 'drift');
      return true;
    });
    await eventually('the controller unseals good', async () => ((await bed.request('GET', `/api/v1/namespaces/${ns}/secrets/good`)).status === 200 ? true : undefined));
    await eventually('the controller gives up on broken', async () => {
      const ss = (await bed.request('GET', `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets/broken`)).json<{ status?: { conditions?: { type: string }[] } }>();
      return ss.status?.conditions?.some((c) => c.type === 'Synced') || undefined;
    });

    // a controller namespace of our own: its Service, and one key whose certificate expired in 2020
    await ok(bed.request('POST', `/api/v1/namespaces/${keysNs}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sealed-secrets-controller' }, spec: { ports: [{ port: 8080 }] } }), 'service');
    const oldKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const oldCert = selfSignedCertificate(oldKey, { now: new Date('2020-01-01T00:00:00Z'), validForMs: 86_400_000 });
    await ok(
      bed.request('POST', `/api/v1/namespaces/${keysNs}/secrets`, {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: { name: 'sealed-secrets-key-demo', labels: { 'sealedsecrets.bitnami.com/sealed-secrets-key': 'active' } },
        data: { 'tls.crt': Buffer.from(oldCert).toString('base64'), 'tls.key': Buffer.from(oldKey.export({ type: 'pkcs1', format: 'pem' })).toString('base64') },
      }),
      'old key',
    );

    const now = Date.now();
    const t = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    // workloads: a STAKATER_* variable behind its ConfigMap, a missing ConfigMap, a literal credential, one left paused
    await ok(bed.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { mode: 'demo' } }), 'cm');
    const deployment = (name: string, container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, ...((extra.metadata as object) ?? {}) },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'demo', ...container }] } }, ...((extra.spec as object) ?? {}) },
    });
    const staleHash = reloaderHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { mode: 'before' } });
    const deployments = [
      deployment('missed', { envFrom: [{ configMapRef: { name: 'app-config' } }], env: [{ name: 'STAKATER_APP_CONFIG_CONFIGMAP', value: staleHash }] }),
      deployment('current', { envFrom: [{ configMapRef: { name: 'app-config' } }], env: [{ name: 'STAKATER_APP_CONFIG_CONFIGMAP', value: reloaderHash({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { mode: 'demo' } }) }] }),
      deployment('missing-ref', { envFrom: [{ configMapRef: { name: 'does-not-exist' } }] }),
      deployment('literal', { env: [{ name: 'DB_PASSWORD', value: CANARY }] }),
      deployment('paused', {}, { metadata: { annotations: { 'deployment.reloader.stakater.com/pause-period': '5m', 'deployment.reloader.stakater.com/paused-at': t(now - 2 * 3_600_000) } }, spec: { paused: true } }),
    ];
    for (const d of deployments) await ok(bed.request('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, d), d.metadata.name);
    // the watcher's Lease, last renewed 10 minutes ago
    await ok(bed.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `ksec-watch-${id}` }, spec: { holderIdentity: 'ksec-watch-0', leaseDurationSeconds: 15, renewTime: new Date(now - 600_000).toISOString().replace('Z', '000Z').replace(/\.(\d{6})\d*Z$/, '.$1Z') } }), 'lease');
  });

  afterAll(async () => {
    await eso?.stop();
    await sm.send(new DeleteSecretCommand({ SecretId: AWS_SECRET, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
    // ESO (stopped) put cleanup finalizers on the ClusterExternalSecret, the ExternalSecrets and ns: drop them, as one does for a dead controller
    if (bed) await releaseEsoFinalizers(bed, ns, CES).catch(() => undefined);
    for (const n of [ns, keysNs]) await bed?.request('DELETE', `/api/v1/namespaces/${n}`).catch(() => undefined);
  });

  it('reports every case, one check each, as JSON; exit 1 because some fail; never a value', async () => {
    const r = await doctor(['-o', 'json', '--lease-name', `ksec-watch-${id}`, '-n', ns]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    const c = r.checks;
    // the real controller: found, keys fine
    expect(c.find((x) => x.check === 'controller')).toMatchObject({ status: 'ok', object: 'Service/kube-system/sealed-secrets-controller' });
    expect(c.find((x) => x.check === 'key-expiry')).toMatchObject({ status: 'ok' });
    // SealedSecrets
    expect(about(c, `SealedSecret/${ns}/good`)).toEqual([]);
    expect(about(c, `SealedSecret/${ns}/broken`)).toEqual(['fail secret', 'fail synced']);
    expect(about(c, `SealedSecret/${ns}/drifted`)).toEqual(['warn secret-drift']);
    expect(c.find((x) => x.object === `SealedSecret/${ns}/drifted`)?.reason).toContain('not sealed "extra"');
    // ESO, as its real controller left things (stale: see the last test, its warning depends on the clock)
    expect(about(c, `SecretStore/${ns}/aws`)).toEqual(['ok store-ready']);
    expect(about(c, `SecretStore/${ns}/aws-no-creds`)).toEqual(['fail store-ready']);
    // ESO's condition says "unable to create client"; doctor adds the cause from ESO's Warning event
    expect(c.find((x) => x.object === `SecretStore/${ns}/aws-no-creds`)?.reason).toBe(NO_CREDS);
    expect(about(c, `ExternalSecret/${ns}/current`)).toEqual(['ok ready']);
    expect(about(c, `ExternalSecret/${ns}/from-cluster`)).toEqual(['ok ready']);
    expect(c.find((x) => x.check === 'api-calls')?.reason).toMatch(/^3 ExternalSecret\(s\): about 722 provider API calls per hour/);
    // reloads and hygiene
    expect(about(c, `Deployment/${ns}/missed`)).toEqual(['warn missed-reload']);
    expect(about(c, `Deployment/${ns}/current`)).toEqual([]);
    expect(about(c, `Deployment/${ns}/missing-ref`)).toEqual(['fail missing-config']);
    expect(about(c, `Deployment/${ns}/literal`)).toEqual(['warn literal-env-secret']);
    expect(about(c, `Deployment/${ns}/paused`)).toEqual(['warn paused']);
    expect(about(c, `Lease/${ns}/ksec-watch-${id}`)).toEqual(['fail watcher-lease']);
    for (const x of c) expect(Object.keys(x).every((k) => ['area', 'check', 'object', 'status', 'reason', 'hint'].includes(k))).toBe(true);
  });

  it('an expired sealing certificate fails, and the renewal that did not happen warns', async () => {
    const r = await doctor(['--area', 'sealed-secrets', '--controller-namespace', keysNs, '-o', 'json']);
    expect(r.code).toBe(1);
    const object = `Secret/${keysNs}/sealed-secrets-key-demo`;
    expect(r.checks.find((x) => x.check === 'key-expiry')).toMatchObject({ status: 'fail', object });
    expect(r.checks.find((x) => x.check === 'key-expiry')?.reason).toContain('expired on 2020-01-02');
    expect(r.checks.find((x) => x.check === 'key-renewal')).toMatchObject({ status: 'warn', object });
    expect(r.checks.find((x) => x.check === 'controller')).toMatchObject({ status: 'ok' });
  });

  it('after the controller rotates its key: two keys, the new one newest and fresh, nothing to report', async () => {
    // a controller of this test's own (the shared one's key is never rotated: other suites seal with it)
    const nsC = `ksec-doctor-ctl-${id}`;
    await ok(bed.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsC } }), nsC);
    const own = await startPrivateController(bed, nsC, 'ksec-doctor-controller');
    try {
      const ref = ['--controller-namespace', nsC, '--controller-name', own.name];
      const keyChecks = async () => (await doctor(['--area', 'sealed-secrets', '-n', nsC, '-o', 'json', ...ref])).checks;
      const before = (await keyChecks()).find((c) => c.check === 'keys')!;
      expect(before.reason).toMatch(/^1 sealing key\(s\); the newest is (\S+)$/);
      own.renewKey();
      const after = await eventually('a second controller key', async () => {
        const checks = await keyChecks();
        return checks.find((x) => x.check === 'keys')?.reason.startsWith('2 sealing key(s)') ? checks : undefined;
      }, 180_000);
      const oldest = before.reason.split(' ').pop();
      expect(after.find((c) => c.check === 'keys')?.reason).not.toContain(`the newest is ${oldest}`);
      expect(after.find((c) => c.check === 'key-renewal')?.reason).toMatch(/the newest key is 0 day\(s\) old/);
      expect(after.filter((c) => c.status !== 'ok')).toEqual([]);
    } finally {
      await own.stop();
      await bed.request('DELETE', `/api/v1/namespaces/${nsC}`).catch(() => undefined);
    }
  });

  it('prints text grouped by area with hints, and a count', async () => {
    const r = await doctor(['--area', 'hygiene', '-n', ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^hygiene$/m);
    expect(r.stdout).toMatch(new RegExp(`^ {2}fail {2}missing-config {2}Deployment/${ns}/missing-ref: uses ConfigMap does-not-exist`, 'm'));
    expect(r.stdout).toMatch(/^ {8}hint: /m);
    expect(r.stdout).toMatch(/^\d+ ok, \d+ warn, \d+ fail$/m);
    expect(r.stdout).not.toContain(CANARY);
  });

  it('with no rights, every area says what it could not read (a warn), and nothing crashes', async () => {
    await ok(bed.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'nobody' } }), 'sa');
    const token = (await bed.request('POST', `/api/v1/namespaces/${ns}/serviceaccounts/nobody/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } })).json<{ status: { token: string } }>().status.token;
    const kubeconfig = parse(readFileSync(bed.kubeconfig, 'utf8')) as { users: { user: Record<string, unknown> }[] };
    kubeconfig.users[0]!.user = { token };
    const file = join(work, 'nobody.kubeconfig');
    writeFileSync(file, JSON.stringify(kubeconfig), { mode: 0o600 });
    const r = await doctor(['-o', 'json', '-n', ns], { KUBECONFIG: file });
    expect(r.code, r.stderr).toBe(0);
    expect(r.checks.length).toBeGreaterThan(3);
    expect(r.checks.every((c) => c.status === 'warn' || c.status === 'ok')).toBe(true);
    expect(r.checks.filter((c) => c.reason.includes('forbidden')).length).toBeGreaterThanOrEqual(4);
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('reads the STAKATER_* variables the real Reloader stamped: current while it runs, a missed reload once a change lands while it is stopped', async () => {
    const nsR = `ksec-doctor-reloader-${id}`;
    await ok(bed.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsR } }), nsR);
    try {
      await createProbe(bed, nsR);
      const reloader = await ReloaderProcess.start(bed, nsR, ['--reload-strategy=env-vars']);
      try {
        await reloaderReady(bed, nsR, reloader);
      } finally {
        await reloader.stop();
      }
      const object = `Deployment/${nsR}/${PROBE}`;
      const before = await doctor(['--area', 'reloads', '-o', 'json', '-n', nsR]);
      expect(about(before.checks, object)).toEqual([]);
      await ok(bed.request('PUT', `/api/v1/namespaces/${nsR}/configmaps/${PROBE}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: PROBE }, data: { n: 'changed while Reloader was down' } }), 'change');
      const after = await doctor(['--area', 'reloads', '-o', 'json', '-n', nsR]);
      expect(about(after.checks, object)).toEqual(['warn missed-reload']);
      expect(after.checks.find((c) => c.object === object)?.reason).toContain('STAKATER_RELOADER_PROBE_CONFIGMAP was set for an older ConfigMap reloader-probe');
    } finally {
      await bed.request('DELETE', `/api/v1/namespaces/${nsR}`).catch(() => undefined);
    }
  });

  it('asks the watcher\'s /readyz with --watcher-url: ok when ready, fail when not or unreachable', async () => {
    let ready = true;
    const server = createServer((req, res) => res.writeHead(req.url === '/readyz' && ready ? 200 : 503).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const readyz = async (u: string) => (await doctor(['--area', 'reloads', '-o', 'json', '-n', ns, '--watcher-url', u])).checks.find((c) => c.check === 'watcher-readyz');
      expect(await readyz(url)).toMatchObject({ status: 'ok', object: `${url}/readyz` });
      const withCredentials = url.replace('http://', `http://demo:${CANARY}@`);
      expect(await readyz(withCredentials)).toMatchObject({ status: 'ok', object: `${url}/readyz` });
      expect(JSON.stringify(await readyz(`http://demo:${CANARY}@[bad`))).not.toContain(CANARY);
      ready = false;
      expect(await readyz(url)).toMatchObject({ status: 'fail', reason: 'not ready (HTTP 503)' });
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      expect(await readyz(`http://127.0.0.1:${closedPort}`)).toMatchObject({ status: 'fail', reason: 'unreachable: ECONNREFUSED' });
    } finally {
      server.close();
    }
  });

  it('exits 3 with one line when the cluster cannot be reached', async () => {
    const kubeconfig = parse(readFileSync(bed.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    kubeconfig.clusters[0]!.cluster.server = 'https://127.0.0.1:1';
    const file = join(work, 'unreachable.kubeconfig');
    writeFileSync(file, JSON.stringify(kubeconfig), { mode: 0o600 });
    const r = await doctor([], { KUBECONFIG: file });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1/);
  });

  it('ESO stopped after syncing: the 5s ExternalSecret stays Ready with an old refreshTime, and doctor warns (ESO #2419)', async () => {
    // the rest of the suite ran meanwhile; wait out what is left of 2 intervals + 1 minute
    await sleep(Math.max(0, staleFrom - Date.now()));
    const r = await doctor(['--area', 'external-secrets', '-o', 'json', '-n', ns]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.checks.map((x) => `${x.status} ${x.check} ${x.object ?? ''}`).sort()).toEqual(
      [
        'ok api-calls ',
        `ok ready ExternalSecret/${ns}/current`,
        `ok ready ExternalSecret/${ns}/from-cluster`,
        `warn refresh ExternalSecret/${ns}/stale`,
        `ok store-ready SecretStore/${ns}/aws`,
        `fail store-ready SecretStore/${ns}/aws-no-creds`,
      ].sort(),
    );
    const stale = r.checks.find((x) => x.object === `ExternalSecret/${ns}/stale`)!;
    const late = /^Ready, but last refreshed (\d+)(s|m) ago with refreshInterval 5s: syncs are failing or the controller is stuck \(ESO #2419\)$/.exec(stale.reason);
    expect(late, stale.reason).not.toBeNull();
    expect(Number(late![1]) * (late![2] === 'm' ? 60 : 1)).toBeGreaterThan(70);
    expect(r.checks.find((x) => x.check === 'api-calls')?.reason).toBe('3 ExternalSecret(s): about 722 provider API calls per hour from their refresh intervals (one per data entry and per dataFrom, each interval)');
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    // the text a user reads for the store ESO could not use
    const text = await doctor(['--area', 'external-secrets', '-n', ns]);
    expect(text.stdout).toContain(`\n  fail  store-ready  SecretStore/${ns}/aws-no-creds: ${NO_CREDS}\n        hint: check the provider credentials and region (kubectl describe)\n`);
    expect(text.stdout).not.toContain(CANARY);
  });
});
