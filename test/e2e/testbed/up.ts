/**
 * Brings the test bed up (idempotent) and returns its state:
 * etcd -> kube-apiserver (TLS, RBAC, static tokens, SA signing keys) ->
 * kube-controller-manager -> moto -> sealed-secrets controller (in a netns of
 * our own, behind a Service the kube API proxies to).
 *
 * CLI (npm run -s testbed:up): prints shell `export` lines on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { makePki } from './certs.js';
import { spawnApiserver, spawnEtcd, waitForApiserver, waitForEtcd } from './control-plane.js';
import { down } from './down.js';
import { applyObject, kubeRequest, type KubeTarget } from './kube.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createNetns, netnsFor, netnsUnavailable } from './netns.js';
import { freePort, httpGet, isAlive, spawnDaemon, waitUntil, type ProcRecord } from './proc.js';
import { readState, writeState, type TestbedState } from './state.js';
import { cacheDir, DAEMON_VERSIONS, runDir, sealedSecretsCrd, stateFile, TESTBED_DIR, TOOLS, toolsDir, versions } from './versions.js';

const log = (msg: string) => process.stderr.write(`[testbed] ${msg}\n`);

export function toolsInstalled(): boolean {
  const dir = toolsDir();
  return TOOLS.every((t) => {
    try {
      return statSync(join(dir, t)).isFile(); // follows the symlink into the versioned cache dir
    } catch {
      return false;
    }
  }) && existsSync(sealedSecretsCrd());
}

export function install(): void {
  log(`installing tools into ${cacheDir()} (cold: tens of minutes, see docs/testing.md)`);
  const r = spawnSync('bash', [join(TESTBED_DIR, 'install.sh')], { stdio: ['ignore', process.stderr, process.stderr] });
  if (r.status !== 0) throw new Error(`test bed install failed (exit ${r.status ?? r.signal}); see the messages above`);
  if (!toolsInstalled()) throw new Error(`install.sh succeeded but tools are missing in ${toolsDir()}`);
}

/** Export lines for a POSIX shell. */
export function exportLines(s: TestbedState): string {
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = Object.entries(s.env)
    .filter(([k]) => k !== 'PATH')
    .map(([k, v]) => `export ${k}=${q(v)}`);
  lines.push(`export PATH=${q(s.toolsDir)}:"$PATH"`);
  return lines.join('\n') + '\n';
}

async function healthy(s: TestbedState): Promise<boolean> {
  if (!s.ready || s.procs.length === 0 || !s.procs.every(isAlive) || !s.apiserver) return false;
  // the daemons' versions changed since it was started (CLI tools do not matter: see DAEMON_VERSIONS)
  if (DAEMON_VERSIONS.some((k) => s.versions?.[k] !== versions[k])) return false;
  try {
    const r = await httpGet(`${s.apiserver.url}/readyz`, { ca: readFileSync(s.apiserver.caFile, 'utf8'), token: s.apiserver.adminToken });
    return r.status === 200;
  } catch {
    return false;
  }
}

/** A simple cross-process lock: O_EXCL file holding the owner's pid; a dead owner's lock is taken over. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(runDir(), 'up.lock');
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(lock, 'utf8').trim() || '0');
      let alive = false;
      try {
        if (owner > 0) process.kill(owner, 0);
        alive = owner > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`test bed lock ${lock} held by pid ${owner} for too long`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* ignore */
    }
  }
}

export interface UpResult {
  state: TestbedState;
  /** false when an already running bed was reused (then the caller must not tear it down) */
  started: boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Start or reuse the bed. `user` registers this process as a user of the bed
 * (the vitest global setup does); pair it with release().
 */
export async function up(opts: { startedBy?: 'cli' | 'vitest'; user?: boolean } = {}): Promise<UpResult> {
  mkdirSync(runDir(), { recursive: true });
  return withLock(async () => {
    const existing = readState();
    if (existing && (await healthy(existing))) {
      log(`reusing the running bed (${stateFile()})`);
      // this checkout's CLI tools (its tools dir may differ from the one the bed was started with)
      if (!toolsInstalled()) install();
      if (opts.user) {
        existing.users = [...(existing.users ?? []).filter(pidAlive), process.pid];
        writeState(existing);
      }
      return { state: existing, started: false };
    }
    if (existing) {
      log('found a stale or broken bed; cleaning it up first');
      await down();
    }
    if (!toolsInstalled()) install();
    const t0 = Date.now();
    const state = await start(opts.startedBy ?? 'cli', opts.user ? [process.pid] : []);
    log(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    return { state, started: true };
  });
}

function bin(name: string): string {
  return join(toolsDir(), name);
}

/**
 * Unregister this process as a user; stop the bed if a test run started it and no
 * other live test run still uses it. A bed started by hand keeps running.
 */
export async function release(): Promise<void> {
  const stop = await withLock(async () => {
    const s = readState();
    if (!s) return false;
    s.users = (s.users ?? []).filter((p) => p !== process.pid && pidAlive(p));
    writeState(s);
    return s.startedBy === 'vitest' && s.users.length === 0;
  });
  if (stop) await down();
}

async function start(startedBy: 'cli' | 'vitest', users: number[]): Promise<TestbedState> {
  const run = runDir();
  const logs = join(run, 'logs');
  rmSync(logs, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const state: TestbedState = {
    schema: 1,
    startedAt: new Date().toISOString(),
    cacheDir: cacheDir(),
    runDir: run,
    toolsDir: toolsDir(),
    versions,
    upPid: process.pid,
    procs: [],
    env: {},
    ready: false,
    startedBy,
    users,
  };
  const save = () => writeState(state);
  const track = (p: ProcRecord) => {
    state.procs.push(p);
    save();
    return p;
  };
  save();
  try {
    await startAll(state, logs, track, save);
  } catch (e) {
    log(`start failed; stopping what was started. Logs stay in ${logs}`);
    try {
      await down();
    } catch (e2) {
      log(`cleanup after failure also failed: ${String(e2)}`);
    }
    throw e;
  }
  state.ready = true;
  save();
  return state;
}

async function startAll(state: TestbedState, logs: string, track: (p: ProcRecord) => ProcRecord, save: () => void): Promise<void> {
  const run = state.runDir;
  // ---- etcd -------------------------------------------------------------
  const dataDir = mkdtempSync(join(tmpdir(), 'ksec-testbed-etcd-'));
  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  state.etcd = { clientUrl: `http://127.0.0.1:${etcdClient}`, dataDir };
  save();
  const etcd = track(spawnEtcd({ name: 'ksec-testbed', dataDir, clientPort: etcdClient, peerPort: etcdPeer, log: join(logs, 'etcd.log') }));
  await waitForEtcd(etcd, state.etcd.clientUrl);
  log(`etcd ready on ${state.etcd.clientUrl}`);

  // ---- kube-apiserver ----------------------------------------------------
  const nsUnavailable = netnsUnavailable();
  const netns = nsUnavailable ? undefined : netnsFor(state.cacheDir);
  const pki = makePki(join(run, 'pki'), netns ? [netns.hostIp] : []);
  const apiPort = await freePort();
  const apiUrl = `https://127.0.0.1:${apiPort}`;
  state.apiserver = { url: apiUrl, port: apiPort, caFile: pki.caCert, adminToken: pki.adminToken, pkiDir: pki.dir };
  save();
  const apiserver = track(
    spawnApiserver({
      etcdUrl: state.etcd.clientUrl,
      port: apiPort,
      pki,
      certDir: join(run, 'pki', 'apiserver-cert-dir'),
      log: join(logs, 'kube-apiserver.log'),
    }),
  );
  const ca = readFileSync(pki.caCert, 'utf8');
  await waitForApiserver(apiserver, apiUrl, ca, pki.adminToken);
  const kubeconfig = writeKubeconfig(join(run, 'kubeconfig'), { server: apiUrl, caFile: pki.caCert, user: 'ksec-admin', token: pki.adminToken });
  state.kubeconfig = kubeconfig;
  save();
  log(`kube-apiserver ready on ${apiUrl}`);
  const kube: KubeTarget = { server: apiUrl, ca, token: pki.adminToken };

  // ---- kube-controller-manager --------------------------------------------
  const kcm = track(
    spawnDaemon('kube-controller-manager', bin('kube-controller-manager'), [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      `--cert-dir=${join(run, 'pki', 'kcm-cert-dir')}`,
      `--service-account-private-key-file=${pki.saKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=false',
      '--leader-elect=false',
      '--controllers=deployment-controller,replicaset-controller,serviceaccount-controller,serviceaccount-token-controller,namespace-controller,garbage-collector-controller,root-ca-certificate-publisher-controller,clusterrole-aggregation-controller',
      '--concurrent-deployment-syncs=2',
      '--v=1',
    ], { log: join(logs, 'kube-controller-manager.log') }),
  );
  await waitUntil(
    'kube-controller-manager (default ServiceAccount in namespace default)',
    async () => (await kubeRequest(kube, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    { proc: kcm, timeoutMs: 60_000 },
  );
  log('kube-controller-manager ready');

  // ---- moto (AWS Secrets Manager) -------------------------------------------
  const motoPort = await freePort();
  state.moto = { url: `http://127.0.0.1:${motoPort}` };
  save();
  const moto = track(spawnDaemon('moto', bin('moto_server'), ['-H', '127.0.0.1', '-p', String(motoPort)], { log: join(logs, 'moto.log') }));
  await waitUntil('moto server', async () => (await httpGet(`${state.moto!.url}/moto-api/`)).status > 0, { proc: moto, timeoutMs: 60_000 });
  log(`moto ready on ${state.moto.url}`);

  // ---- sealed-secrets controller -------------------------------------------
  await startSealedSecrets(state, kube, pki.controllerToken, logs, track, save, netns, nsUnavailable);

  state.env = {
    KSEC_TESTBED_STATE: stateFile(),
    KSEC_TESTBED_TOOLS: state.toolsDir,
    KUBECONFIG: kubeconfig,
    KSEC_TESTBED_APISERVER: apiUrl,
    KSEC_TESTBED_CA: pki.caCert,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: state.moto.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // keep the SDK away from ~/.aws and from the instance metadata service
    AWS_CONFIG_FILE: join(run, 'aws-config-none'),
    AWS_SHARED_CREDENTIALS_FILE: join(run, 'aws-credentials-none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    KSEC_TESTBED_SEALED_SECRETS_MODE: state.sealedSecrets!.mode,
    KSEC_TESTBED_SEALED_SECRETS_URL: state.sealedSecrets!.url,
    KSEC_TESTBED_SEALED_SECRETS_CERT_URL: state.sealedSecrets!.certUrl,
    PATH: state.toolsDir,
  };
  save();
}

const SS_NAME = 'sealed-secrets-controller';
const SS_NS = 'kube-system';
const SS_PORT = 8080;

async function startSealedSecrets(
  state: TestbedState,
  kube: KubeTarget,
  controllerToken: string,
  logs: string,
  track: (p: ProcRecord) => ProcRecord,
  save: () => void,
  netns: ReturnType<typeof netnsFor> | undefined,
  nsUnavailable: string | undefined,
): Promise<void> {
  // CRD from the controller's own tagged source
  const crd = parseYaml(readFileSync(sealedSecretsCrd(), 'utf8')) as { metadata: { name: string } };
  await applyObject(kube, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await waitUntil('SealedSecret CRD established', async () => {
    const r = await kubeRequest(kube, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    const conds = r.status === 200 ? (r.json<{ status?: { conditions?: { type: string; status: string }[] } }>().status?.conditions ?? []) : [];
    return conds.some((c) => c.type === 'Established' && c.status === 'True');
  });

  // In-cluster config for the controller: it reads fixed paths under /var/run/secrets, so it
  // runs in a private mount namespace with a tmpfs there holding these files.
  const saDir = join(state.runDir, 'pki', 'sealed-secrets-sa');
  mkdirSync(saDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(saDir, 'token'), controllerToken, { mode: 0o600 });
  writeFileSync(join(saDir, 'ca.crt'), kube.ca);
  writeFileSync(join(saDir, 'namespace'), SS_NS);
  const port = state.apiserver!.port;
  const controllerArgs = ['--key-renew-period=0', '--update-status=true', '--log-level=INFO'];
  const env = { ...process.env, POD_NAMESPACE: SS_NS, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) };
  const mountAndExec =
    'set -e; mount -t tmpfs -o size=1m,mode=0755 ksec-testbed-sa /run; ' +
    'mkdir -p /run/secrets/kubernetes.io/serviceaccount; ' +
    'cp "$0"/token "$0"/ca.crt "$0"/namespace /run/secrets/kubernetes.io/serviceaccount/; exec "$@"';

  if (netns) {
    createNetns(netns);
    state.netns = netns;
    save();
    // apiserver (host 127.0.0.1) <- unix socket <- netns 127.0.0.1:<port> <- controller
    const sock = join(state.runDir, 'apiserver.sock');
    const fwd = join(TESTBED_DIR, 'forward.mjs');
    const hostFwd = track(spawnDaemon('forward-host', process.execPath, [fwd, `unix:${sock}`, `tcp:127.0.0.1:${port}`], { log: join(logs, 'forward-host.log') }));
    await waitUntil('host forwarder socket', async () => existsSync(sock), { proc: hostFwd, timeoutMs: 10_000 });
    const nsFwd = track(
      spawnDaemon('forward-netns', 'ip', ['netns', 'exec', netns.name, process.execPath, fwd, `tcp:127.0.0.1:${port}`, `unix:${sock}`], {
        log: join(logs, 'forward-netns.log'),
      }),
    );
    await waitUntil('netns forwarder', async () => readFileSync(nsFwd.log, 'utf8').includes('forwarding'), { proc: nsFwd, timeoutMs: 10_000 });
    const controller = track(
      spawnDaemon(
        'sealed-secrets-controller',
        'ip',
        ['netns', 'exec', netns.name, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', mountAndExec, saDir, bin('controller'),
          `--listen-addr=${netns.nsIp}:${SS_PORT}`, '--listen-metrics-addr=127.0.0.1:8081', ...controllerArgs],
        { log: join(logs, 'sealed-secrets-controller.log'), env },
      ),
    );
    // What a real cluster has: a controller Pod with its IP, a Service, and its endpoints.
    // The apiserver's service proxy only dials endpoints whose targetRef is a Pod with that IP
    // (there is no kubelet: the bed writes the Pod's status itself).
    const podName = `${SS_NAME}-0`;
    const labels = { name: SS_NAME, 'app.kubernetes.io/name': 'sealed-secrets' };
    await applyObject(kube, `/api/v1/namespaces/${SS_NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName, namespace: SS_NS, labels },
      spec: {
        containers: [{ name: 'controller', image: `docker.io/bitnami/sealed-secrets-controller:${versions.SEALED_SECRETS_VERSION.slice(1)}`, ports: [{ name: 'http', containerPort: SS_PORT }] }],
      },
    } as { metadata: { name: string } });
    const podStatus = await kubeRequest(
      kube,
      'PATCH',
      `/api/v1/namespaces/${SS_NS}/pods/${podName}/status`,
      {
        status: {
          phase: 'Running',
          podIP: netns.nsIp,
          podIPs: [{ ip: netns.nsIp }],
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
        },
      },
      'application/merge-patch+json',
    );
    if (podStatus.status !== 200) throw new Error(`patching the controller Pod status: ${podStatus.status} ${podStatus.body}`);
    const targetRef = { kind: 'Pod', namespace: SS_NS, name: podName };
    await applyObject(kube, `/api/v1/namespaces/${SS_NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SS_NAME, namespace: SS_NS, labels },
      spec: { clusterIP: 'None', ports: [{ name: 'http', port: SS_PORT, targetPort: SS_PORT, protocol: 'TCP' }] },
    } as { metadata: { name: string } });
    await applyObject(kube, `/api/v1/namespaces/${SS_NS}/endpoints`, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: SS_NAME, namespace: SS_NS, labels },
      subsets: [{ addresses: [{ ip: netns.nsIp, targetRef }], ports: [{ name: 'http', port: SS_PORT, protocol: 'TCP' }] }],
    } as { metadata: { name: string } });
    await applyObject(kube, `/apis/discovery.k8s.io/v1/namespaces/${SS_NS}/endpointslices`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${SS_NAME}-ksec-testbed`,
        namespace: SS_NS,
        labels: { 'kubernetes.io/service-name': SS_NAME, 'endpointslice.kubernetes.io/managed-by': 'ksec-testbed' },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [netns.nsIp], conditions: { ready: true }, targetRef }],
      ports: [{ name: 'http', port: SS_PORT, protocol: 'TCP' }],
    } as { metadata: { name: string } });
    const certPath = `/api/v1/namespaces/${SS_NS}/services/http:${SS_NAME}:${SS_PORT}/proxy/v1/cert.pem`;
    state.sealedSecrets = {
      mode: 'service-proxy',
      controllerName: SS_NAME,
      controllerNamespace: SS_NS,
      url: `http://${netns.nsIp}:${SS_PORT}`,
      certUrl: `${state.apiserver!.url}${certPath}`,
      reason: undefined,
    };
    save();
    await waitUntil(
      'sealed-secrets controller cert through the kube API service proxy',
      async () => {
        const r = await kubeRequest(kube, 'GET', certPath);
        return r.status === 200 && r.body.includes('BEGIN CERTIFICATE');
      },
      { proc: controller, timeoutMs: 120_000, intervalMs: 500 },
    );
    log(`sealed-secrets controller ready (netns ${netns.name}, ${netns.nsIp}:${SS_PORT}, via the kube API service proxy)`);
    return;
  }
  throw new Error(
    `cannot run the sealed-secrets controller: ${nsUnavailable}. The bed needs root for its network and mount namespaces (see docs/testing.md).`,
  );
}

// CLI
if (process.argv[1] && /up\.[cm]?[tj]s$/.test(process.argv[1])) {
  up()
    .then(({ state }) => {
      process.stdout.write(exportLines(state));
    })
    .catch((e: unknown) => {
      process.stderr.write(`[testbed] ERROR: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}
