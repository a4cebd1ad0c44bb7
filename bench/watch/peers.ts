/**
 * The two tools the side-by-side benchmark runs, each as a child process confined to one
 * namespace by KUBERNETES_NAMESPACE (both honour it), in one of two modes:
 *
 *  - `out`: out of cluster, client config from KUBECONFIG (the bed's admin kubeconfig), Node's
 *    default heap for ksec (what a user running `ksec watch` on a laptop gets);
 *  - `in`: in cluster, the way a pod runs: KUBERNETES_SERVICE_HOST/PORT and the service-account
 *    files (admin token, CA, namespace). ksec reads them from KSEC_SERVICEACCOUNT_DIR and gets the
 *    chart's NODE_OPTIONS and MALLOC_ARENA_MAX (deploy/helm/ksec-watch/values.yaml); Reloader's client-go
 *    reads the fixed /var/run/secrets/kubernetes.io/serviceaccount, so it runs in a private mount
 *    namespace with a tmpfs on /run holding those files (as the bed runs the sealed-secrets
 *    controller; needs root).
 *
 * Both expose the process id (for /proc), the API requests made so far (ksec's
 * ksec_watch_api_requests_total, Reloader's client-go rest_client_requests_total) and stop().
 * Reloader always serves metrics on :9090, so one Reloader at a time on the machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Testbed } from '../../test/e2e/testbed/env.js';
import { WatcherProcess, inClusterEnv, sleep } from '../../test/e2e/watch/helpers.js';
import { REPO_ROOT } from '../../test/helpers/run-ksec.js';

export type Mode = 'in' | 'out';
export type ToolName = 'reloader' | 'ksec' | 'floor';

export interface Peer {
  readonly tool: ToolName;
  readonly pid: number;
  readonly exited: boolean;
  /** the process's output so far (for failures) */
  output(): string;
  apiRequests(): Promise<number>;
  stop(): Promise<void>;
}

/** A top-level string of the chart's values.yaml. */
function chartValue(key: string): string {
  const values = readFileSync(join(REPO_ROOT, 'deploy/helm/ksec-watch/values.yaml'), 'utf8');
  const m = new RegExp(`^${key}:\\s*"([^"]*)"`, 'm').exec(values);
  if (!m) throw new Error(`deploy/helm/ksec-watch/values.yaml has no ${key}`);
  return m[1]!;
}

/** The chart's NODE_OPTIONS (values.yaml `nodeOptions`). */
export function chartNodeOptions(): string {
  return chartValue('nodeOptions');
}

/** The environment the chart gives the watcher's runtime: NODE_OPTIONS and MALLOC_ARENA_MAX. */
export function chartRuntimeEnv(): Record<string, string> {
  return { NODE_OPTIONS: chartNodeOptions(), MALLOC_ARENA_MAX: chartValue('mallocArenaMax') };
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Sum of every sample of a Prometheus counter in a text exposition. */
export function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

/**
 * Several bench runs may take turns with Reloader: each holds this lock (its pid inside) while its
 * Reloader runs; a lock whose process is gone is taken over.
 */
const LOCK = join(tmpdir(), 'ksec-bench-reloader.lock');

function tryLock(): boolean {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const holder = Number(readFileSync(LOCK, 'utf8') || 0);
    try {
      if (holder) process.kill(holder, 0);
      return false;
    } catch {
      rmSync(LOCK, { force: true });
      return false;
    }
  }
}

/** A tool run as a child process: its output kept for failures, stopped with SIGTERM. */
abstract class ChildPeer implements Peer {
  abstract readonly tool: ToolName;
  protected raw = '';
  private readonly exit: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    const onData = (d: Buffer) => {
      this.raw = (this.raw + d.toString('utf8')).slice(-20_000);
      this.onOutput();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exit = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  /** called after each chunk of output */
  protected onOutput(): void {}

  get pid(): number {
    return this.child.pid!;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  output(): string {
    return this.raw;
  }

  abstract apiRequests(): Promise<number>;

  async stop(): Promise<void> {
    if (!this.exited) this.child.kill('SIGTERM');
    await this.exit;
  }
}

class ReloaderPeer extends ChildPeer {
  readonly tool = 'reloader' as const;

  async apiRequests(): Promise<number> {
    return counterSum(await get('http://127.0.0.1:9090/metrics'), 'rest_client_requests_total');
  }

  override async stop(): Promise<void> {
    await super.stop();
    rmSync(LOCK, { force: true });
  }
}

export async function startReloader(bed: Testbed, ns: string, mode: Mode, args: string[]): Promise<Peer> {
  // another engineer's Reloader test may hold :9090 for a while
  for (let i = 0; !tryLock(); i++) {
    if (i === 1200) throw new Error(`${LOCK} stayed held for 20 minutes`);
    await sleep(1000);
  }
  for (let i = 0; !(await portFree(9090)); i++) {
    if (i === 600) throw new Error('port 9090 stayed in use for 10 minutes (another Reloader is running)');
    await sleep(1000);
  }
  const home = mkdtempSync(join(tmpdir(), 'ksec-bench-reloader-home-'));
  const base = { PATH: process.env['PATH'], HOME: home, KUBERNETES_NAMESPACE: ns };
  let child: ChildProcess;
  if (mode === 'out') {
    child = spawn(bed.tool('reloader'), args, { env: { ...base, KUBECONFIG: bed.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    const { dir } = inClusterEnv(bed.apiserverUrl, bed.caPem, bed.adminToken, ns);
    const api = new URL(bed.apiserverUrl);
    const mountAndExec =
      'set -e; mount -t tmpfs -o size=1m,mode=0755 ksec-bench-sa /run; ' +
      'mkdir -p /run/secrets/kubernetes.io/serviceaccount; ' +
      'cp "$0"/token "$0"/ca.crt "$0"/namespace /run/secrets/kubernetes.io/serviceaccount/; exec "$@"';
    // unshare and sh exec in place: the child's pid is Reloader's
    child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', mountAndExec, dir, bed.tool('reloader'), ...args], {
      env: { ...base, KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  return new ReloaderPeer(child);
}

class KsecPeer implements Peer {
  readonly tool = 'ksec' as const;
  constructor(readonly w: WatcherProcess) {}

  get pid(): number {
    return this.w.child.pid!;
  }

  get exited(): boolean {
    return this.w.child.exitCode !== null || this.w.child.signalCode !== null;
  }

  output(): string {
    return this.w.raw.slice(-20_000);
  }

  async apiRequests(): Promise<number> {
    for (let i = 0; !this.w.port; i++) {
      if (i === 100) throw new Error('ksec watch never logged its metrics port');
      await sleep(100);
    }
    return counterSum(await this.w.metrics(), 'ksec_watch_api_requests_total');
  }

  async stop(): Promise<void> {
    await this.w.stop('SIGTERM');
  }
}

/** `ksec watch` (the built bin/ksec.js) with these arguments; --metrics-address 127.0.0.1:0 is added. */
export function startKsec(bed: Testbed, ns: string, mode: Mode, args: string[]): Peer {
  const env: NodeJS.ProcessEnv =
    mode === 'out'
      ? { KUBECONFIG: bed.kubeconfig, NODE_OPTIONS: '', HOME: mkdtempSync(join(tmpdir(), 'ksec-bench-home-')) }
      : { ...inClusterEnv(bed.apiserverUrl, bed.caPem, bed.adminToken, ns).env, ...chartRuntimeEnv() };
  return new KsecPeer(new WatcherProcess(args, { ...env, KUBERNETES_NAMESPACE: ns }));
}

/** The floor (bench/watch/floor-reactor.mjs): out of cluster with the bed's admin token; no mode of its own. */
class FloorPeer extends ChildPeer {
  readonly tool = 'floor' as const;
  private port = 0;
  private announced!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.announced = resolve));

  protected override onOutput(): void {
    const m = /port (\d+)/.exec(this.raw);
    if (m && !this.port) {
      this.port = Number(m[1]);
      this.announced();
    }
  }

  async apiRequests(): Promise<number> {
    return counterSum(await get(`http://127.0.0.1:${this.port}/metrics`), 'floor_requests_total');
  }
}

export async function startFloor(bed: Testbed, ns: string): Promise<Peer> {
  const env = { PATH: process.env['PATH'], FLOOR_SERVER: bed.apiserverUrl, FLOOR_CA: bed.caPem, FLOOR_TOKEN: bed.adminToken, FLOOR_NAMESPACE: ns };
  const peer = new FloorPeer(spawn(process.execPath, [join(REPO_ROOT, 'bench/watch/floor-reactor.mjs')], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  await Promise.race([peer.ready, sleep(30_000).then(() => Promise.reject(new Error(`floor-reactor did not start:\n${peer.output()}`)))]);
  return peer;
}
