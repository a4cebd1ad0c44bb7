/**
 * The real ESO controller over time, behind a loopback proxy in front of moto (aws-proxy.ts) that
 * records what ESO and ksec send and plays AWS's access denied for one path:
 *
 *  - IRSA as users run it: a ClusterSecretStore from `ksec eso store --auth irsa`; ESO requests a
 *    ServiceAccount token from the apiserver (TokenRequest), exchanges it at moto's STS
 *    (AssumeRoleWithWebIdentity) for the role in the ServiceAccount's annotation, and reads Secrets
 *    Manager with the temporary keys STS returned (the controller has no credentials of its own);
 *  - refresh: a value changed in moto reaches the Secret at ESO's next refresh, and `ksec watch`
 *    then rolls the Deployment that uses it: the GitOps chain end to end;
 *  - failure modes: a property that no longer exists, a secret deleted in AWS, access denied on a
 *    path; what ESO reports, and what `ksec eso generate --check` says about the same manifests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKsec, type KsecResult } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { WatcherProcess } from '../watch/helpers.js';
import { accessDenied, startAwsProxy, type AwsProxy } from './aws-proxy.js';
import { Cluster, docs, ready, type Obj } from './cluster.js';
import { EsoController, installEsoCrds, tearDownEso, waitFor } from './controller.js';
import { client } from './seed.js';

let bed: Testbed;
let k: Cluster;
let eso: EsoController | undefined;
let watcher: WatcherProcess | undefined;
let proxy: AwsProxy;
let sm: SecretsManagerClient;
let ns: string;
let dir: string;
const run = randomBytes(4).toString('hex');
const P = `ksec-e2e-life-${run}`;
const STORE = `ksec-e2e-irsa-${run}`;
const ROLE = 'arn:aws:iam::123456789012:role/ksec-e2e-eso';
const CANARY = `CANARY-${randomBytes(6).toString('hex')}`;
let denying = false;

/** What went through the proxy. */
const sts: { raw: string }[] = [];
const smAuth: { operation: string; secretId?: string; authorization: string }[] = [];

function ksec(args: string[], env: NodeJS.ProcessEnv = {}): Promise<KsecResult> {
  return runKsec(args, { env: { ...bed.env, AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.url, ...env } });
}

const generateArgs = () => ['eso', 'generate', '--path', `${P}/app/`, '--store', STORE, '-n', ns, '--strip-prefix', '--refresh-interval', '2s', '-d', dir];

const deniedName = (name: unknown) => typeof name === 'string' && name.includes(`${P}/denied/`);

beforeAll(async () => {
  bed = testbed();
  k = new Cluster(bed);
  sm = client();
  proxy = await startAwsProxy(
    bed.awsEndpoint,
    (operation, body, _seen, request) => {
      if (operation === '' && /Action=AssumeRoleWithWebIdentity/.test(request.raw)) sts.push({ raw: request.raw });
      const secretId = (body as { SecretId?: string } | undefined)?.SecretId;
      if (operation) smAuth.push({ operation, secretId, authorization: String(request.headers['authorization'] ?? '') });
      if (denying && operation === 'GetSecretValue' && deniedName(secretId)) return accessDenied('secretsmanager:GetSecretValue');
      return undefined;
    },
    // AWS answers a batch with the secrets it may read and an AccessDeniedException entry for each other one
    (operation, _body, response) => {
      if (!denying || operation !== 'BatchGetSecretValue') return response;
      const r = response as { SecretValues?: { Name?: string; ARN?: string }[]; Errors?: unknown[] };
      const denied = (r.SecretValues ?? []).filter((v) => deniedName(v.Name));
      return {
        ...r,
        SecretValues: (r.SecretValues ?? []).filter((v) => !deniedName(v.Name)),
        Errors: [...(r.Errors ?? []), ...denied.map((v) => ({ SecretId: v.ARN, ErrorCode: 'AccessDeniedException', Message: 'not authorized' }))],
      };
    },
  );
  await sm.send(new CreateSecretCommand({ Name: `${P}/app/db`, SecretString: JSON.stringify({ user: 'app', password: `pw-1-${CANARY}` }) }));
  await sm.send(new CreateSecretCommand({ Name: `${P}/app/token`, SecretString: `tok-${CANARY}` }));
  await sm.send(new CreateSecretCommand({ Name: `${P}/app/doomed`, SecretString: `doomed-${CANARY}` }));
  await sm.send(new CreateSecretCommand({ Name: `${P}/denied/key`, SecretString: `denied-${CANARY}` }));

  await installEsoCrds(bed);
  ns = await k.namespace('ksec-esolife');
  await k.apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'eso-irsa', annotations: { 'eks.amazonaws.com/role-arn': ROLE } } } as Obj], ns);
  const store = await ksec(['eso', 'store', '--name', STORE, '--region', 'us-east-1', '--auth', 'irsa', '--service-account', 'eso-irsa', '--service-account-namespace', ns]);
  expect(store.code, store.stderr).toBe(0);
  await k.apply(docs(store.stdout));
  eso = await EsoController.start(bed, { namespace: ns, awsEndpoint: proxy.url });
  await waitFor(() => k.status('ClusterSecretStore', STORE), (s) => ready(s)?.status === 'True', `ClusterSecretStore ${STORE} ready`);
  dir = await mkdtemp(join(tmpdir(), 'ksec-eso-life-'));
}, 600_000);

afterAll(async () => {
  await watcher?.stop('SIGTERM');
  await proxy?.close();
  await tearDownEso(bed, eso, ns, STORE);
});

async function syncedSecret(esName: string): Promise<Map<string, Buffer>> {
  const s = await waitFor(() => k.status('ExternalSecret', esName, ns), (s) => ready(s)?.status !== undefined, `ExternalSecret ${esName}`, 90_000);
  expect(ready(s), `${ready(s)?.message}\n${eso?.raw.slice(-3000)}`).toMatchObject({ status: 'True' });
  return (await k.secrets(ns)).get(esName)!.data;
}

describe('IRSA, refresh and failures with the real ESO controller', () => {
  it('IRSA: a ServiceAccount token exchanged at moto STS; ESO reads with the temporary keys', async () => {
    const r = await ksec(generateArgs());
    expect(r.code, r.stderr).toBe(0);
    const built = docs((await bed.exec('kustomize', ['build', dir])).stdout);
    await k.apply(built);
    const db = await syncedSecret('db');
    expect(db.get('password')!.toString()).toBe(`pw-1-${CANARY}`);
    expect((await syncedSecret('token')).get('token')!.toString()).toBe(`tok-${CANARY}`);

    // the exchange: a JWT the apiserver issued for the ServiceAccount, for the annotated role
    expect(sts.length).toBeGreaterThan(0);
    const form = new URLSearchParams(sts[0]!.raw);
    expect(form.get('RoleArn')).toBe(ROLE);
    const claims = JSON.parse(Buffer.from(form.get('WebIdentityToken')!.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; aud: string[] };
    expect(claims.sub).toBe(`system:serviceaccount:${ns}:eso-irsa`);
    expect(claims.aud).toContain('sts.amazonaws.com');
    // ...and Secrets Manager read with the keys STS handed out (moto's assumed-role keys start with ASIA)
    const reads = smAuth.filter((a) => a.operation === 'GetSecretValue' && a.secretId?.startsWith(`${P}/app/`));
    expect(reads.length).toBeGreaterThan(0);
    for (const a of reads) expect(a.authorization).toMatch(/Credential=ASIA/);
  });

  it('refresh: a new value in moto reaches the Secret, and ksec watch rolls the Deployment using it', async () => {
    await k.apply(
      [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'app', annotations: { 'reloader.stakater.com/auto': 'true' } },
          spec: {
            selector: { matchLabels: { app: 'app' } },
            template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ secretRef: { name: 'db' } }] }] } },
          },
        } as Obj,
      ],
      ns,
    );
    watcher = new WatcherProcess(['--kubeconfig', bed.kubeconfig, '--namespaces', ns, '--debounce', '0s']);
    await watcher.waitFor('full evaluation');
    const generation = async () => (await bed.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/app`)).json<{ metadata: { generation: number } }>().metadata.generation;
    const before = await generation();

    await sm.send(new PutSecretValueCommand({ SecretId: `${P}/app/db`, SecretString: JSON.stringify({ user: 'app', password: `pw-2-${CANARY}` }) }));
    await waitFor(async () => (await k.secrets(ns)).get('db')?.data.get('password')?.toString(), (v) => v === `pw-2-${CANARY}`, 'the refreshed Secret', 60_000);
    await watcher.waitFor('rolled', (l) => l.workload === `Deployment/${ns}/app` && String(l.changed).includes('Secret/db'), 60_000);
    await waitFor(generation, (g) => g > before, 'a new generation of Deployment app', 30_000);
    expect(watcher.raw).not.toContain(CANARY);
    // nothing changed in the structure: the committed manifests are current
    const check = await ksec([...generateArgs(), '--check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it('a property removed in AWS: ESO reports SecretSyncedError and keeps the last value; --check names the key', async () => {
    await sm.send(new PutSecretValueCommand({ SecretId: `${P}/app/db`, SecretString: JSON.stringify({ user: 'app' }) }));
    const s = await waitFor(() => k.status('ExternalSecret', 'db', ns), (s) => ready(s)?.status === 'False', 'db to fail', 60_000);
    expect(ready(s)).toMatchObject({ reason: 'SecretSyncedError' });
    await waitFor(async () => eso!.raw, (raw) => raw.includes('key password does not exist in secret'), 'ESO to log the missing key', 30_000);
    expect((await k.secrets(ns)).get('db')!.data.get('password')!.toString()).toBe(`pw-2-${CANARY}`);
    const check = await ksec([...generateArgs(), '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe(`${ns}_db.yaml: ExternalSecret ${ns}/db differs at spec.data[secretKey=password] (not produced now)\n`);
    expect(check.stdout + check.stderr).not.toContain(CANARY);
  });

  it('a secret deleted in AWS: ESO reports the error; --check says the file is no longer produced', async () => {
    await sm.send(new DeleteSecretCommand({ SecretId: `${P}/app/doomed`, ForceDeleteWithoutRecovery: true }));
    const s = await waitFor(() => k.status('ExternalSecret', 'doomed', ns), (s) => ready(s)?.status === 'False', 'doomed to fail', 60_000);
    expect(ready(s)?.reason).toBe('SecretSyncedError');
    expect((await k.secrets(ns)).get('doomed')!.data.get('doomed')!.toString()).toBe(`doomed-${CANARY}`); // deletionPolicy Retain
    const check = await ksec([...generateArgs(), '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${ns}_doomed.yaml: ExternalSecret ${ns}/doomed is no longer generated (gone from AWS, or renamed)\n`);
    expect(check.stdout).toContain(`kustomization.yaml: Kustomization differs at resources (-${ns}_doomed.yaml)\n`);
  });

  it('access denied on one path: ESO reports SecretSyncedError; generate and --check exit 3 naming the action and secret', async () => {
    const deniedDir = await mkdtemp(join(tmpdir(), 'ksec-eso-denied-'));
    const args = ['eso', 'generate', '--path', `${P}/denied/`, '--store', STORE, '-n', ns, '--strip-prefix', '--refresh-interval', '2s', '-d', deniedDir];
    const r = await ksec(args);
    expect(r.code, r.stderr).toBe(0);
    denying = true;
    await k.apply(docs((await bed.exec('kustomize', ['build', deniedDir])).stdout));
    const s = await waitFor(() => k.status('ExternalSecret', 'key', ns), (s) => ready(s)?.status === 'False', 'key to fail', 60_000);
    expect(ready(s)?.reason).toBe('SecretSyncedError');
    await waitFor(async () => eso!.raw, (raw) => raw.includes('AccessDeniedException'), 'ESO to log the denial', 30_000);
    expect((await k.secrets(ns)).has('key')).toBe(false);
    const check = await ksec([...args, '--check']);
    expect(check.code).toBe(3);
    expect(check.stderr).toContain(`AWS denied secretsmanager:GetSecretValue on 1 secret(s): ${P}/denied/key`);
    expect(check.stdout + check.stderr).not.toContain(CANARY);
  });
});
