/**
 * The real stakater Reloader (the bed's `reloader` tool, built from its source at the pinned tag)
 * as a child process, out of cluster: client-go reads KUBECONFIG (the bed's admin kubeconfig), and
 * KUBERNETES_NAMESPACE confines it to the test's namespace, so it never touches anything else on a
 * shared bed. Reloader always serves its metrics on :9090 (constants.DefaultHttpListenAddr), so
 * only one can run at a time on a machine; start() says so when the port is taken.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Testbed } from '../testbed/env.js';
import { eventually, mergePatch, sleep, TemplateWatch } from './helpers.js';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

export class ReloaderProcess {
  raw = '';
  private child!: ChildProcess;
  private exit!: Promise<number | null>;

  private constructor() {}

  /**
   * Starts Reloader with these arguments, watching only `namespace`. On a shared machine another
   * test may be running its Reloader: wait up to `waitMs` for :9090 to be free, and start again
   * when another one took the port between the check and Reloader's bind (it exits at once then).
   */
  static async start(bed: Testbed, namespace: string, args: string[], extraEnv: Record<string, string> = {}, waitMs = 600_000): Promise<ReloaderProcess> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      while (!(await portFree(9090))) {
        if (Date.now() > deadline) throw new Error('port 9090 is in use; Reloader always listens there (run one Reloader test at a time)');
        await sleep(2_000);
      }
      const r = ReloaderProcess.spawn(bed, namespace, args, extraEnv);
      // Reloader binds :9090 right after starting its controllers
      const bound = await eventually(async () => r.exited || /Starting Controller|listen tcp/.test(r.raw), (v) => v, 10_000, 'reloader start').catch(() => true);
      if (bound) await sleep(1_000);
      if (!(r.exited && r.raw.includes('address already in use'))) return r;
    }
  }

  private static spawn(bed: Testbed, namespace: string, args: string[], extraEnv: Record<string, string>): ReloaderProcess {
    const r = new ReloaderProcess();
    // HOME without ~/.kube, so only KUBECONFIG applies
    const home = mkdtempSync(join(tmpdir(), 'ksec-reloader-home-'));
    r.child = spawn(bed.tool('reloader'), args, {
      env: { PATH: process.env['PATH'], HOME: home, KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: namespace, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (d: Buffer) => (r.raw += d.toString('utf8'));
    r.child.stdout!.on('data', onData);
    r.child.stderr!.on('data', onData);
    r.exit = new Promise((resolve) => r.child.on('exit', (code) => resolve(code)));
    return r;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(): Promise<void> {
    if (!this.exited) this.child.kill('SIGTERM');
    await this.exit;
  }
}

/** A Deployment Reloader and ksec both manage (auto), used to prove Reloader handles updates. */
export const PROBE = 'reloader-probe';

export async function createProbe(bed: Testbed, ns: string): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const r = await bed.request('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 200)}`);
  };
  await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: PROBE }, data: { n: '0' } });
  await post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: PROBE }, stringData: { n: '0' } });
  await post(`/apis/apps/v1/namespaces/${ns}/deployments`, {
    metadata: { name: PROBE, annotations: { 'reloader.stakater.com/auto': 'true' } },
    spec: {
      selector: { matchLabels: { app: PROBE } },
      template: {
        metadata: { labels: { app: PROBE } },
        spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ configMapRef: { name: PROBE } }, { secretRef: { name: PROBE } }] }] },
      },
    },
  });
}

/**
 * Waits until Reloader handles updates of both ConfigMaps and Secrets: changes the probe's
 * ConfigMap until the probe Deployment's pod template changes, then the same with its Secret
 * (an update made before Reloader's informers listed would never be seen as one).
 */
export async function reloaderReady(bed: Testbed, ns: string, reloader: ReloaderProcess, timeoutMs = 90_000): Promise<void> {
  const template = async () =>
    TemplateWatch.templateOf('deployments', (await bed.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${PROBE}`)).json());
  let n = 0;
  for (const kind of ['configmaps', 'secrets'] as const) {
    const before = await template();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (reloader.exited) throw new Error(`reloader exited:\n${reloader.raw.slice(-3000)}`);
      n++;
      const body = kind === 'configmaps' ? { data: { n: String(n) } } : { stringData: { n: String(n) } };
      const status = await mergePatch(bed, `/api/v1/namespaces/${ns}/${kind}/${PROBE}`, body);
      if (status !== 200) throw new Error(`PATCH ${kind}/${PROBE}: ${status}`);
      const changed = await eventually(template, (t) => t !== before, 2_000, 'probe').then(
        () => true,
        () => false,
      );
      if (changed) break;
      if (Date.now() > deadline) throw new Error(`reloader did not react to ${kind} updates within ${timeoutMs} ms:\n${reloader.raw.slice(-3000)}`);
      await sleep(200);
    }
  }
}
