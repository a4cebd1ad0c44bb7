/**
 * A sealed-secrets controller of this test file's own, so its key can be renewed (SIGUSR1 makes
 * the controller generate a new key, as `--key-renew-period` would) without touching the bed's
 * shared controller, whose certificate other suites seal with.
 *
 * Same wiring as the bed's controller (test/e2e/testbed/up.ts): the real binary in the bed's
 * network namespace (the API server's service proxy refuses loopback), in a private mount
 * namespace holding the bed's in-cluster service-account files, behind a Pod + Service + Endpoints
 * + EndpointSlice of its own. It runs with `--all-namespaces=false` in `namespace`, so it keeps its
 * keys there and only unseals SealedSecrets there; the bed's controller ignores nothing, but the
 * two never compete for the same Secret name because tests use their own names.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { eventually } from '../../helpers/eventually.js';
import { spawnDaemon, stopProc, type ProcRecord } from '../testbed/proc.js';
import type { Testbed } from '../testbed/env.js';
import { kubeRequest } from '../testbed/kube.js';

export interface PrivateController {
  name: string;
  namespace: string;
  /** makes the controller generate a new newest key (SIGUSR1) */
  renewKey(): void;
  stop(): Promise<void>;
  log: string;
}

export async function startPrivateController(bed: Testbed, namespace: string, name = 'ksec-online-controller'): Promise<PrivateController> {
  const netns = bed.state.netns;
  const api = bed.state.apiserver;
  if (!netns || !api) throw new Error('the bed has no network namespace (service-proxy mode needs root)');
  const saDir = join(bed.state.runDir, 'pki', 'sealed-secrets-sa');
  const port = randomInt(20_000, 40_000);
  const log = join(bed.state.runDir, 'logs', `${name}-${namespace}.log`);
  const mountAndExec =
    'set -e; mount -t tmpfs -o size=1m,mode=0755 ksec-online-sa /run; ' +
    'mkdir -p /run/secrets/kubernetes.io/serviceaccount; ' +
    'cp "$0"/token "$0"/ca.crt "$0"/namespace /run/secrets/kubernetes.io/serviceaccount/; exec "$@"';
  const proc: ProcRecord = spawnDaemon(
    name,
    'ip',
    ['netns', 'exec', netns.name, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', mountAndExec, saDir, bed.tool('controller'),
      `--listen-addr=${netns.nsIp}:${port}`, `--listen-metrics-addr=127.0.0.1:${port + 1}`, '--key-renew-period=0', '--all-namespaces=false', '--log-level=INFO'],
    { log, env: { ...process.env, POD_NAMESPACE: namespace, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(api.port) } },
  );
  const post = async (path: string, body: unknown) => {
    const r = await bed.request('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body}`);
  };
  const labels = { name, 'app.kubernetes.io/name': name };
  const podName = `${name}-0`;
  await post(`/api/v1/namespaces/${namespace}/pods`, {
    metadata: { name: podName, labels },
    spec: { containers: [{ name: 'controller', image: 'docker.io/bitnami/sealed-secrets-controller', ports: [{ name: 'http', containerPort: port }] }] },
  });
  const admin = { server: bed.apiserverUrl, ca: bed.caPem, token: bed.adminToken };
  const status = await kubeRequest(admin, 'PATCH', `/api/v1/namespaces/${namespace}/pods/${podName}/status`, {
    status: {
      phase: 'Running',
      podIP: netns.nsIp,
      podIPs: [{ ip: netns.nsIp }],
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    },
  }, 'application/merge-patch+json');
  if (status.status !== 200) throw new Error(`pod status: ${status.status} ${status.body}`);
  const targetRef = { kind: 'Pod', namespace, name: podName };
  await post(`/api/v1/namespaces/${namespace}/services`, {
    metadata: { name, labels },
    spec: { clusterIP: 'None', ports: [{ name: 'http', port, targetPort: port, protocol: 'TCP' }] },
  });
  await post(`/api/v1/namespaces/${namespace}/endpoints`, {
    metadata: { name, labels },
    subsets: [{ addresses: [{ ip: netns.nsIp, targetRef }], ports: [{ name: 'http', port, protocol: 'TCP' }] }],
  });
  await post(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, {
    metadata: { name: `${name}-ksec`, labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'ksec-e2e' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [netns.nsIp], conditions: { ready: true }, targetRef }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  });
  await eventually(`${name} serving its certificate`, async () => {
    const r = await bed.request('GET', `/api/v1/namespaces/${namespace}/services/http:${name}:http/proxy/v1/cert.pem`);
    return r.status === 200 && r.body.includes('BEGIN CERTIFICATE') ? true : undefined;
  }, 120_000);
  return {
    name,
    namespace,
    log,
    renewKey: () => process.kill(proc.pid, 'SIGUSR1'),
    stop: () => stopProc(proc),
  };
}
