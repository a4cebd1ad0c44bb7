/**
 * etcd and kube-apiserver as the bed runs them, in reusable pieces: up.ts
 * starts the shared bed with them, and a test that must stop, restart or
 * reconfigure an apiserver starts a private one (privateControlPlane) instead
 * of touching the shared bed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, type Pki } from './certs.js';
import { kubeRequest, type KubeResponse } from './kube.js';
import { writeKubeconfig } from './kubeconfig.js';
import { freePort, httpGet, spawnDaemon, stopProc, waitUntil, type ProcRecord } from './proc.js';
import { toolsDir } from './versions.js';

export interface EtcdOptions {
  name: string;
  dataDir: string;
  clientPort: number;
  peerPort: number;
  log: string;
}

export function spawnEtcd(o: EtcdOptions): ProcRecord {
  return spawnDaemon('etcd', join(toolsDir(), 'etcd'), [
    `--name=${o.name}`,
    `--data-dir=${o.dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${o.clientPort}`,
    `--advertise-client-urls=http://127.0.0.1:${o.clientPort}`,
    `--listen-peer-urls=http://127.0.0.1:${o.peerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${o.peerPort}`,
    `--initial-cluster=${o.name}=http://127.0.0.1:${o.peerPort}`,
    '--unsafe-no-fsync', // test data only: much faster on slow disks
    '--log-level=warn',
  ], { log: o.log });
}

export async function waitForEtcd(proc: ProcRecord, clientUrl: string): Promise<void> {
  await waitUntil('etcd /health', async () => (await httpGet(`${clientUrl}/health`)).status === 200, { proc, timeoutMs: 30_000 });
}

export interface ApiserverOptions {
  etcdUrl: string;
  port: number;
  pki: Pki;
  certDir: string;
  log: string;
  /** appended after the bed's flags (a later flag wins) */
  extraArgs?: string[];
}

export function spawnApiserver(o: ApiserverOptions): ProcRecord {
  return spawnDaemon('kube-apiserver', join(toolsDir(), 'kube-apiserver'), [
    `--etcd-servers=${o.etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${o.port}`,
    `--tls-cert-file=${o.pki.serverCert}`,
    `--tls-private-key-file=${o.pki.serverKey}`,
    `--client-ca-file=${o.pki.caCert}`,
    `--token-auth-file=${o.pki.tokenFile}`,
    '--authorization-mode=RBAC',
    `--service-account-key-file=${o.pki.saPub}`,
    `--service-account-signing-key-file=${o.pki.saKey}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    // Service cluster IPs are only allocated, never routed or dialled (RFC 2544 space).
    '--service-cluster-ip-range=198.18.128.0/24',
    '--endpoint-reconciler-type=none',
    `--cert-dir=${o.certDir}`,
    '--profiling=false',
    '--enable-priority-and-fairness=false',
    '--v=1',
    ...(o.extraArgs ?? []),
  ], { log: o.log });
}

export async function waitForApiserver(proc: ProcRecord, url: string, caPem: string, token: string): Promise<void> {
  await waitUntil('kube-apiserver /readyz', async () => (await httpGet(`${url}/readyz`, { ca: caPem, token })).status === 200, { proc, timeoutMs: 90_000 });
}

export interface PrivateControlPlane {
  url: string;
  caPem: string;
  caFile: string;
  adminToken: string;
  etcdUrl: string;
  /** admin kubeconfig (bearer token) */
  kubeconfig: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
  /** SIGTERM the apiserver and wait until it is gone (etcd keeps running) */
  stopApiserver(): Promise<void>;
  /** start the apiserver again on the same port, with the same etcd, PKI and flags */
  startApiserver(): Promise<void>;
  /** etcd's current revision */
  etcdRevision(): Promise<number>;
  /** compact etcd history up to `revision` (physical: the history is gone when this returns) */
  compactEtcd(revision: number): Promise<void>;
  /** stop everything this file started and remove its files */
  stop(): Promise<void>;
}

async function etcdPost(etcdUrl: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd POST ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * A private etcd + kube-apiserver for one test file (~10-20 s to start on a loaded machine):
 * no controller manager, nothing else. The caller must call stop() (afterAll).
 */
export async function privateControlPlane(opts: { extraApiserverArgs?: string[] } = {}): Promise<PrivateControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-private-cp-'));
  const procs: ProcRecord[] = [];
  const stopAll = async () => {
    for (const p of procs.reverse()) await stopProc(p).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const etcd = spawnEtcd({ name: 'private', dataDir: join(dir, 'etcd'), clientPort, peerPort, log: join(dir, 'etcd.log') });
    procs.push(etcd);
    const pki = makePki(join(dir, 'pki'));
    await waitForEtcd(etcd, etcdUrl);
    const url = `https://127.0.0.1:${apiPort}`;
    const caPem = readFileSync(pki.caCert, 'utf8');
    const apiOptions: ApiserverOptions = {
      etcdUrl,
      port: apiPort,
      pki,
      certDir: join(dir, 'apiserver-cert-dir'),
      log: join(dir, 'kube-apiserver.log'),
      extraArgs: opts.extraApiserverArgs,
    };
    let apiserver = spawnApiserver(apiOptions);
    procs.push(apiserver);
    await waitForApiserver(apiserver, url, caPem, pki.adminToken);
    const target = { server: url, ca: caPem, token: pki.adminToken };
    return {
      url,
      caPem,
      caFile: pki.caCert,
      adminToken: pki.adminToken,
      etcdUrl,
      kubeconfig: writeKubeconfig(join(dir, 'kubeconfig'), { server: url, caFile: pki.caCert, user: 'ksec-admin', token: pki.adminToken }),
      request: (method, path, body, contentType) => kubeRequest(target, method, path, body, contentType),
      async stopApiserver() {
        await stopProc(apiserver);
      },
      async startApiserver() {
        apiserver = spawnApiserver(apiOptions);
        procs.push(apiserver);
        await waitForApiserver(apiserver, url, caPem, pki.adminToken);
      },
      async etcdRevision() {
        // any range request answers with the store's current revision in its header
        const r = await etcdPost(etcdUrl, '/v3/kv/range', { key: Buffer.from('/').toString('base64') });
        return Number(r.header.revision);
      },
      async compactEtcd(revision) {
        await etcdPost(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
