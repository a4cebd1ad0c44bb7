/**
 * The real External Secrets Operator (the bed's `external-secrets`, v2.9.0 built from its source with
 * the AWS provider only, test/e2e/testbed/install.sh) as a child process, out of cluster, against the
 * bed's apiserver (admin kubeconfig) and the bed's moto:
 *
 *  - the root command only: the controller, without the webhook and the cert controller (they are
 *    subcommands of the same binary); no leader election;
 *  - `--namespace NS`: its caches and ExternalSecret reconciler see one namespace (the test's), so it
 *    never touches another test's objects on the shared bed; ClusterSecretStores are cluster-wide, so
 *    tests give theirs unique names;
 *  - metrics off (`--metrics-addr 0`, the default :8080 would collide), health probes on a free
 *    loopback port (`--live-addr`, default :8082), used as the readiness check; Reloader's :9090 is
 *    never bound;
 *  - AWS_SECRETSMANAGER_ENDPOINT / AWS_SSM_ENDPOINT / AWS_STS_ENDPOINT: moto (or a fault proxy in
 *    front of it). No AWS credentials in its environment: every store names its own (secretRef, or
 *    IRSA through STS), so a sync proves the store's auth block works.
 *
 * Its CRDs are those of the same source (config/crds/bases, copied into the tool cache at build time),
 * created or replaced by installEsoCrds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyObject, kubeRequest } from '../testbed/kube.js';
import { freePort } from '../testbed/proc.js';
import { esoCrdDir } from '../testbed/versions.js';
import type { Testbed } from '../testbed/env.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates or replaces every CRD of ESO's source and waits until each is Established. */
export async function installEsoCrds(bed: Testbed): Promise<void> {
  const dir = esoCrdDir();
  const target = { server: bed.apiserverUrl, ca: bed.caPem, token: bed.adminToken };
  const names: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as { metadata: { name: string } };
    await applyObject(target, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    names.push(crd.metadata.name);
  }
  for (const name of names) {
    for (let i = 0; ; i++) {
      const got = await bed.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
      const conditions = got.json<{ status?: { conditions?: { type: string; status: string }[] } }>().status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (i > 150) throw new Error(`CRD ${name} not established`);
      await sleep(200);
    }
  }
}

export interface EsoOptions {
  /** the namespace it serves */
  namespace: string;
  /** AWS endpoint for all three services (default: the bed's moto) */
  awsEndpoint?: string;
  /** per service, over awsEndpoint */
  secretsManagerEndpoint?: string;
  ssmEndpoint?: string;
  stsEndpoint?: string;
  extraArgs?: string[];
  extraEnv?: Record<string, string>;
}

export class EsoController {
  raw = '';
  private child!: ChildProcess;
  private exit!: Promise<number | null>;
  private constructor(readonly healthUrl: string) {}

  static async start(bed: Testbed, options: EsoOptions): Promise<EsoController> {
    const port = await freePort();
    const eso = new EsoController(`http://127.0.0.1:${port}`);
    const endpoint = options.awsEndpoint ?? bed.awsEndpoint;
    // HOME without ~/.kube or ~/.aws: only KUBECONFIG and the variables below apply
    const home = mkdtempSync(join(tmpdir(), 'ksec-eso-home-'));
    const args = [
      '--enable-leader-election=false',
      `--namespace=${options.namespace}`,
      '--metrics-addr=0',
      `--live-addr=127.0.0.1:${port}`,
      '--loglevel=info',
      '--zap-time-encoding=iso8601',
      '--concurrent=4',
      '--enable-cluster-external-secret-reconciler=false',
      '--enable-push-secret-reconciler=false',
      '--enable-cluster-push-secret-reconciler=false',
      '--enable-generator-state=false',
      // stores are re-validated this often (default 5m): the failure tests flip access within a test
      '--store-requeue-interval=5s',
      ...(options.extraArgs ?? []),
    ];
    eso.child = spawn(bed.tool('external-secrets'), args, {
      env: {
        PATH: process.env['PATH'],
        HOME: home,
        KUBECONFIG: bed.kubeconfig,
        AWS_SECRETSMANAGER_ENDPOINT: options.secretsManagerEndpoint ?? endpoint,
        AWS_SSM_ENDPOINT: options.ssmEndpoint ?? endpoint,
        AWS_STS_ENDPOINT: options.stsEndpoint ?? endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(home, 'no-aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
        ...options.extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (d: Buffer) => (eso.raw += d.toString('utf8'));
    eso.child.stdout!.on('data', onData);
    eso.child.stderr!.on('data', onData);
    eso.exit = new Promise((resolve) => eso.child.on('exit', (code) => resolve(code)));
    await eso.ready();
    return eso;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Waits for the manager's readiness probe (caches synced, controllers started). */
  private async ready(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`external-secrets exited:\n${this.raw.slice(-4000)}`);
      const ok = await fetch(`${this.healthUrl}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`external-secrets not ready within ${timeoutMs} ms:\n${this.raw.slice(-4000)}`);
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    if (!this.exited) this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(killer);
  }
}

/** Conditions of an ExternalSecret (or store) as ESO reports them. */
export interface EsoStatus {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  syncedResourceVersion?: string;
  refreshTime?: string;
}

/** Polls `read` until `done` holds; the last value is in the error when it never does. */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 60_000, every = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await sleep(every);
  }
}

const ESO_API = '/apis/external-secrets.io/v1';

/**
 * Releases the finalizers ESO put on a namespace's ExternalSecrets: a stopped controller cannot
 * remove them, and the namespace would stay Terminating on a kept bed (KSEC_TESTBED_KEEP=1).
 */
export async function releaseExternalSecrets(bed: Testbed, namespace: string): Promise<void> {
  const target = { server: bed.apiserverUrl, ca: bed.caPem, token: bed.adminToken };
  const listed = (await bed.request('GET', `${ESO_API}/namespaces/${namespace}/externalsecrets`)).json<{ items?: { metadata: { name: string } }[] }>();
  for (const es of listed.items ?? []) {
    await kubeRequest(target, 'PATCH', `${ESO_API}/namespaces/${namespace}/externalsecrets/${es.metadata.name}`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
  }
}

/**
 * The end of a file that ran the ESO controller: stops it, releases its finalizers, deletes the
 * namespace and the ClusterSecretStore. Never throws: a teardown must not hide the tests' result.
 */
export async function tearDownEso(bed: Testbed | undefined, eso: EsoController | undefined, namespace: string | undefined, clusterStore: string): Promise<void> {
  await eso?.stop().catch(() => undefined);
  if (!bed) return;
  if (namespace) {
    await releaseExternalSecrets(bed, namespace).catch(() => undefined);
    await bed.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
  }
  await bed.request('DELETE', `${ESO_API}/clustersecretstores/${clusterStore}`).catch(() => undefined);
}
