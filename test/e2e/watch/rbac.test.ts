/**
 * The watcher runs with exactly the chart's RBAC: the rendered ServiceAccount,
 * ClusterRole, Role and bindings are created in the bed, a real token comes
 * from the TokenRequest API, and the watcher runs in in-cluster mode (service
 * account files, no kubeconfig) with leader election, rolls a workload and
 * hits no 403; the same token cannot read Pods. It runs with the args the
 * chart renders, so flags and RBAC are checked together.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { ANN } from '../../../src/watch/policy.js';
import { TemplateWatch, WatcherProcess, deployment, envFrom, eventually, inClusterEnv, kube } from './helpers.js';
import { renderChart } from './chart.js';
import https from 'node:https';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let ns: string;
let w: WatcherProcess | undefined;
let tw: TemplateWatch;
/** the container args the chart renders (its --metrics-address replaced by the test's own) */
let chartArgs: string[] = [];
const clusterScoped: string[] = [];

const PATHS: Record<string, (ns: string) => string> = {
  ServiceAccount: (n) => `/api/v1/namespaces/${n}/serviceaccounts`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  Role: (n) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${n}/roles`,
  RoleBinding: (n) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${n}/rolebindings`,
};

function getWithToken(path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https.get(new URL(path, bed.apiserverUrl), { ca: bed.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  ns = await k.namespace('watch-rbac');
  const { docs } = await renderChart(bed, ns, ns);
  const container = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0];
  chartArgs = (container.args as string[]).filter((a) => !a.startsWith('--metrics-address'));
  for (const d of docs) {
    const path = PATHS[d.kind];
    if (!path) continue;
    await k.ok('POST', path(ns), d);
    if (d.kind.startsWith('Cluster')) clusterScoped.push(`${path(ns)}/${d.metadata.name}`);
  }
  await k.configMap(ns, 'cfg', { k: 'v1' });
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
  tw = new TemplateWatch(bed, ns);
  await tw.start(['deployments']);
});

afterAll(async () => {
  tw?.stop();
  await w?.stop('SIGKILL');
  for (const p of clusterScoped) await bed.request('DELETE', p);
  if (ns) await k.deleteNamespace(ns);
});

describe('ksec watch with the chart RBAC only', () => {
  it('lists, watches, elects, patches and records events with the service account token, and no more', async () => {
    const sa = `${ns}-ksec-watch`.slice(0, 63);
    const token = await bed.serviceAccountToken(ns, sa, 3600);
    // in-cluster mode, as in a pod: the service account files and KUBERNETES_SERVICE_HOST/PORT, no kubeconfig
    const api = new URL(bed.apiserverUrl);
    // the chart's own args (with the Rollout CRD installed by another test, its default
    // --ignored-workload-types=rollouts is what keeps the watcher from a 403 loop)
    w = new WatcherProcess([...chartArgs, '--debounce', '0s', '--namespaces', ns], {
      ...inClusterEnv(bed.apiserverUrl, bed.caPem, token, ns).env,
      POD_NAME: 'rbac-watcher',
    });
    expect((await w.waitFor('starting')).server).toBe(`https://${api.hostname}:${api.port}`);
    await w.waitFor('became leader');
    await w.waitFor('full evaluation');
    await k.setData(ns, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(
      async () => tw.revision('deployments', 'app'),
      (g) => g === 2,
      30_000,
      'rollout with the service account',
    );
    // the Event is created after the patch, asynchronously
    await eventually(
      async () => (await k.get(`/api/v1/namespaces/${ns}/events`)).items.some((e: any) => e.reason === 'Reloaded'),
      (found) => found,
      30_000,
      'the Reloaded event',
    );
    expect(w.raw).not.toMatch(/forbidden|HTTP 403/i);
    // nothing more: the same token cannot read pods or delete deployments
    expect(await getWithToken(`/api/v1/namespaces/${ns}/pods`, token)).toBe(403);
  });
});

describe("ksec watch with the chart's namespaced RBAC (watch.watchGlobally=false)", () => {
  let ns2: string;
  let w2: WatcherProcess | undefined;
  let tw2: TemplateWatch;
  let args: string[] = [];

  beforeAll(async () => {
    ns2 = await k.namespace('watch-rbac-ns');
    const { docs } = await renderChart(bed, ns2, ns2, ['watch.watchGlobally=false']);
    const container = docs.find((d) => d.kind === 'Deployment').spec.template.spec.containers[0];
    args = (container.args as string[]).filter((a) => !a.startsWith('--metrics-address'));
    expect(docs.some((d) => d.kind.startsWith('Cluster'))).toBe(false);
    for (const d of docs) {
      const path = PATHS[d.kind];
      if (path) await k.ok('POST', path(ns2), d);
    }
    await k.configMap(ns2, 'cfg', { k: 'v1' });
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns2}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
    tw2 = new TemplateWatch(bed, ns2);
    await tw2.start(['deployments']);
  });

  afterAll(async () => {
    tw2?.stop();
    await w2?.stop('SIGKILL');
    if (ns2) await k.deleteNamespace(ns2);
  });

  it('with only a Role, watches its namespace through KUBERNETES_NAMESPACE and rolls, with no 403', async () => {
    const token = await bed.serviceAccountToken(ns2, `${ns2}-ksec-watch`.slice(0, 63), 3600);
    // the env the chart renders: KUBERNETES_NAMESPACE from the pod's namespace; no --namespaces
    w2 = new WatcherProcess([...args, '--debounce', '0s'], {
      ...inClusterEnv(bed.apiserverUrl, bed.caPem, token, ns2).env,
      POD_NAME: 'rbac-ns-watcher',
      KUBERNETES_NAMESPACE: ns2,
    });
    expect(await w2.waitFor('starting')).toMatchObject({ namespaces: [ns2] });
    await w2.waitFor('full evaluation');
    await k.setData(ns2, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => tw2.revision('deployments', 'app'), (g) => g === 2, 30_000, 'rollout with the namespaced service account');
    expect(w2.raw).not.toMatch(/forbidden|HTTP 403/i);
    // cluster-wide reads are not allowed to this token
    expect(await getWithToken('/api/v1/configmaps', token)).toBe(403);
  });
});
