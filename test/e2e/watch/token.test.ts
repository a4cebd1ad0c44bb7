/**
 * Bound service-account tokens rotate: the kubelet rewrites the token file and
 * the old token stops working. Each case gets token A from the TokenRequest
 * API bound to a Secret (boundObjectRef), starts the watcher with A in a file,
 * rotates the file to token B (bound to another Secret) by rename, as the
 * kubelet does, then deletes A's Secret and waits until the apiserver itself
 * rejects A (401). Short server-side watch timeouts make the watches reconnect
 * after that; a later change must still roll exactly once with no 401 in the
 * watcher's log. Both credential paths: in-cluster service-account files and a
 * kubeconfig user with client-go's `tokenFile`.
 */
import https from 'node:https';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { ANN } from '../../../src/watch/policy.js';
import { TemplateWatch, WatcherProcess, deployment, envFrom, eventually, inClusterEnv, kube } from './helpers.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let ns: string;
let tw: TemplateWatch;
const namespaces: string[] = [];
const watches: TemplateWatch[] = [];
const watchers: WatcherProcess[] = [];
const tokens: string[] = [];

function statusWithToken(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(new URL(`/api/v1/namespaces/${ns}/configmaps?limit=1`, bed.apiserverUrl), { ca: bed.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/** A token for ServiceAccount `watcher`, valid only while Secret `name` exists. */
async function boundToken(name: string): Promise<string> {
  const secret = await k.ok('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name } });
  const r = await k.ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts/watcher/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: 3600, boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name, uid: secret.metadata.uid } },
  });
  const token = r.status.token as string;
  tokens.push(token);
  return token;
}

/** Atomically replaces the token file, as the kubelet's projected volume does. */
function rotate(file: string, token: string): void {
  writeFileSync(`${file}.new`, token, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

async function proveRotation(w: WatcherProcess, file: string, secretA: string, secretB: string): Promise<void> {
  const workload = 'app';
  await w.waitFor('full evaluation');
  await eventually(() => Promise.resolve(w.count('recorded baseline', (l) => l.workload === `Deployment/${ns}/${workload}`)), (n) => n === 1, 30_000, 'baseline');
  const rev = () => tw.revision('deployments', workload);
  expect(rev()).toBe(1);
  const tokenB = await boundToken(secretB);
  rotate(file, tokenB);
  await bed.request('DELETE', `/api/v1/namespaces/${ns}/secrets/${secretA}`);
  const tokenA = tokens[tokens.length - 2]!;
  await eventually(() => statusWithToken(tokenA), (s) => s === 401, 60_000, 'the apiserver rejecting token A');
  expect(await statusWithToken(tokenB)).toBe(200);
  const sinceRejected = w.logs.length;
  // every watch reconnects at least once with the credentials read now (--watch-timeout 4s)
  const watchesBefore = await w.metric('ksec_watch_api_requests_total');
  await eventually(() => w.metric('ksec_watch_api_requests_total'), (n) => n >= watchesBefore + 6, 30_000, 'watch reconnections');
  await k.setData(ns, 'configmaps', 'cfg', { k: 'after-rotation' });
  await eventually(async () => rev(), (n) => n === 2, 30_000, 'rollout after the rotation');
  await eventually(() => w.metric(`ksec_watch_reloads_total{kind="Deployment",namespace="${ns}",result="success"}`), (n) => n === 1, 10_000, 'reload counter');
  const after = w.logs.slice(sinceRejected);
  expect(after.filter((l) => l.status === 401 || /unauthorized|401/i.test(String(l.error ?? '')))).toEqual([]);
  expect(w.count('rolled', (l) => l.workload === `Deployment/${ns}/${workload}`)).toBe(1);
  for (const t of tokens) expect(w.raw).not.toContain(t);
}

/** Each case gets its own namespace: ServiceAccount `watcher` (admin there), ConfigMap cfg, Deployment app using it. */
async function setUp(): Promise<void> {
  ns = await k.namespace('watch-token');
  namespaces.push(ns);
  await k.ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'watcher' } });
  await k.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'watcher' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace: ns }],
  });
  await k.configMap(ns, 'cfg', { k: 'v1' });
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
  tw = new TemplateWatch(bed, ns);
  watches.push(tw);
  await tw.start(['deployments']);
}

beforeAll(() => {
  bed = testbed();
  k = kube(bed);
});

afterAll(async () => {
  for (const t of watches) t.stop();
  for (const w of watchers) await w.stop('SIGKILL');
  for (const n of namespaces) await k.deleteNamespace(n);
});

const ARGS = ['--debounce', '0s', '--watch-timeout', '4s', '--ignored-workload-types', 'statefulsets,daemonsets,cronjobs,jobs,rollouts', '--no-events'];

describe('ksec watch: a rotated service-account token is re-read', () => {
  it('in-cluster: the service account token file', async () => {
    await setUp();
    const tokenA = await boundToken('bind-a');
    const { dir, env } = inClusterEnv(bed.apiserverUrl, bed.caPem, tokenA, ns);
    const w = new WatcherProcess([...ARGS, '--namespaces', ns], env);
    watchers.push(w);
    await proveRotation(w, join(dir, 'token'), 'bind-a', 'bind-b');
  });

  it('out of cluster: a kubeconfig user with tokenFile', async () => {
    await setUp();
    const tokenA = await boundToken('bind-a');
    const dir = mkdtempSync(join(tmpdir(), 'ksec-tokenfile-'));
    writeFileSync(join(dir, 'token'), tokenA, { mode: 0o600 });
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'bed', cluster: { server: bed.apiserverUrl, 'certificate-authority': bed.caFile } }],
        users: [{ name: 'watcher', user: { tokenFile: 'token' } }],
        contexts: [{ name: 'watcher', context: { cluster: 'bed', user: 'watcher', namespace: ns } }],
        'current-context': 'watcher',
      }),
      { mode: 0o600 },
    );
    const w = new WatcherProcess([...ARGS, '--kubeconfig', kubeconfig, '--namespaces', ns]);
    watchers.push(w);
    await proveRotation(w, join(dir, 'token'), 'bind-a', 'bind-b');
  });
});
