/** Helpers for the watcher's e2e tests: the watcher as a child process, a fault-injecting proxy, small REST helpers. */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { KSEC_BIN, REPO_ROOT } from '../../helpers/run-ksec.js';
import type { Testbed } from '../testbed/env.js';

export const CANARY = `canary-${randomBytes(6).toString('hex')}`;

export interface LogLine {
  msg: string;
  level: string;
  [k: string]: unknown;
}

export class WatcherProcess {
  readonly logs: LogLine[] = [];
  raw = '';
  readonly child: ChildProcess;
  private exitPromise: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [KSEC_BIN, 'watch', '--metrics-address', '127.0.0.1:0', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // one partial-line buffer per stream: a chunk of stdout must not split a line of stderr
    const reader = () => {
      let tail = '';
      return (d: Buffer) => {
        const text = d.toString('utf8');
        this.raw += text;
        tail += text;
        const lines = tail.split('\n');
        tail = lines.pop() ?? '';
        for (const l of lines) {
          try {
            this.logs.push(JSON.parse(l) as LogLine);
          } catch {
            this.logs.push({ msg: l, level: 'raw' });
          }
        }
      };
    };
    this.child.stdout!.on('data', reader());
    this.child.stderr!.on('data', reader());
    this.exitPromise = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  count(msg: string, where: (l: LogLine) => boolean = () => true): number {
    return this.logs.filter((l) => l.msg === msg && where(l)).length;
  }

  async waitFor(msg: string, where: (l: LogLine) => boolean = () => true, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find((l) => l.msg === msg && where(l));
      if (found) return found;
      if (this.child.exitCode !== null) throw new Error(`watcher exited (${this.child.exitCode}) before "${msg}":\n${this.raw.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${msg}":\n${this.raw.slice(-3000)}`);
      await sleep(50);
    }
  }

  get port(): number {
    return Number(this.logs.find((l) => l.msg === 'starting')?.port);
  }

  async metrics(): Promise<string> {
    return new Promise((resolve, reject) => {
      http.get(`http://127.0.0.1:${this.port}/metrics`, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
  }

  async metric(name: string): Promise<number> {
    const text = await this.metrics();
    const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{') && l.includes(name));
    return line ? Number(line.split(' ').pop()) : NaN;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exitPromise;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Numbers and booleans help debugging; anything else may hold config or secret data and is withheld. */
function printable(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `(${typeof value}, withheld)`;
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${printable(last)}`);
    await sleep(100);
  }
}

/** REST helpers over the bed's admin client. */
export function kube(bed: Testbed) {
  const ok = async (method: string, path: string, body?: unknown, expect = [200, 201]) => {
    const r = await bed.request(method, path, body);
    if (!expect.includes(r.status)) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
    return r.body ? (JSON.parse(r.body) as Record<string, any>) : {};
  };
  return {
    ok,
    async namespace(prefix: string): Promise<string> {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    async deleteNamespace(name: string) {
      await bed.request('DELETE', `/api/v1/namespaces/${name}`);
    },
    configMap(ns: string, name: string, data: Record<string, string>, annotations: Record<string, string> = {}) {
      return ok('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations }, data });
    },
    secret(ns: string, name: string, stringData: Record<string, string>, annotations: Record<string, string> = {}) {
      return ok('POST', `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name, annotations }, stringData });
    },
    async setData(ns: string, kind: 'configmaps' | 'secrets', name: string, data: Record<string, string>) {
      const body = kind === 'configmaps' ? { data } : { stringData: data };
      const status = await mergePatch(bed, `/api/v1/namespaces/${ns}/${kind}/${name}`, body);
      if (status !== 200) throw new Error(`PATCH ${kind}/${name}: ${status}`);
    },
    get(path: string) {
      return ok('GET', path);
    },
  };
}

/** PATCH with merge-patch (kubeRequest sends application/json, which PATCH rejects). */
export function mergePatch(bed: Testbed, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = https.request(new URL(path, bed.apiserverUrl), {
      method: 'PATCH',
      ca: bed.caPem,
      headers: { authorization: `Bearer ${bed.adminToken}`, 'content-type': 'application/merge-patch+json', 'content-length': String(payload.length) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Server-side apply with dryRun=All and strict field validation: the apiserver admits (or refuses) the object, stores nothing. */
export function applyDryRun(bed: Testbed, path: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const url = new URL(`${path}?dryRun=All&fieldManager=ksec-e2e&fieldValidation=Strict`, bed.apiserverUrl);
    const req = https.request(url, {
      method: 'PATCH',
      ca: bed.caPem,
      headers: { authorization: `Bearer ${bed.adminToken}`, 'content-type': 'application/apply-patch+yaml', 'content-length': String(payload.length) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function deployment(name: string, opts: { annotations?: Record<string, string>; podAnnotations?: Record<string, string>; spec?: Record<string, unknown>; kind?: string } = {}) {
  const podSpec = {
    containers: [{ name: 'app', image: 'registry.invalid/app:1', ...(opts.spec ?? {}) }],
  };
  return {
    metadata: { name, annotations: opts.annotations ?? {} },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: opts.podAnnotations ?? {} }, spec: podSpec },
    },
  };
}

/** An Argo Rollout (argoproj.io/v1alpha1) with the same pod template as deployment() builds. */
export function rollout(name: string, opts: Parameters<typeof deployment>[1] = {}) {
  const d = deployment(name, opts);
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', ...d, spec: { replicas: 1, strategy: { canary: {} }, ...d.spec } };
}

type Requester = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>;

/**
 * Creates the (trimmed) Argo Rollouts CRD from test/fixtures/watch if it is absent, and waits
 * until the apiserver serves rollouts. Never deletes it: it is cluster-scoped and harmless.
 */
export async function ensureRolloutCrd(request: Requester): Promise<void> {
  const crd = parseYaml(readFileSync(join(REPO_ROOT, 'test/fixtures/watch/rollout-crd.yaml'), 'utf8'));
  const r = await request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  if (r.status !== 201 && r.status !== 409) throw new Error(`creating the Rollout CRD: ${r.status} ${r.body.slice(0, 300)}`);
  await eventually(
    async () => {
      const d = await request('GET', '/apis/argoproj.io/v1alpha1');
      return d.status === 200 && (JSON.parse(d.body) as { resources?: { name: string }[] }).resources?.some((x) => x.name === 'rollouts') === true;
    },
    (served) => served,
    60_000,
    'the rollouts API served',
  );
}

/**
 * The files a pod's service account mount holds, and the environment that makes `ksec watch`
 * use them (in-cluster mode: no kubeconfig, HOME without ~/.kube). Returns the directory too,
 * so a test can rewrite the token the way the kubelet rotates it.
 */
export function inClusterEnv(apiserverUrl: string, caPem: string, token: string, namespace: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-sa-'));
  writeFileSync(join(dir, 'token'), token, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), caPem);
  writeFileSync(join(dir, 'namespace'), namespace);
  const api = new URL(apiserverUrl);
  return { dir, env: { KSEC_SERVICEACCOUNT_DIR: dir, KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port, KUBECONFIG: '', HOME: dir } };
}

export function envFrom(cm?: string, secret?: string) {
  return {
    envFrom: [...(cm ? [{ configMapRef: { name: cm } }] : []), ...(secret ? [{ secretRef: { name: secret } }] : [])],
  };
}

export function adminKubeconfigFor(server: string, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-watch-'));
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain http unless TLS verification is explicitly off
      clusters: [{ name: 'proxy', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [{ name: 'c', context: { cluster: 'proxy', user: 'u' } }],
      'current-context': 'c',
    }),
    { mode: 0o600 },
  );
  return file;
}

export type ProxyMode = 'pass' | 'blackhole';

/**
 * A plain-http proxy in front of the bed's apiserver that can misbehave:
 * stop forwarding without closing (half-open), refuse connections (an
 * apiserver restart as the client sees it), answer the next requests with a
 * status (429, 401), or inject a 410 ERROR event into open watches.
 */
export class FaultProxy {
  mode: ProxyMode = 'pass';
  private statusQueue: number[] = [];
  private server: http.Server;
  private sockets = new Set<Socket>();
  private watches = new Set<http.ServerResponse>();
  port = 0;
  requests = 0;
  /** answer new watch requests with a 410 ERROR event instead of forwarding them */
  expireNewWatches = false;
  /** rewrite the next watch's resourceVersion to 1, so the real apiserver answers 410 */
  private readonly agent: https.Agent;

  constructor(private readonly bed: Testbed) {
    this.server = this.createServer();
    this.agent = new https.Agent({ keepAlive: true, ca: bed.caPem });
  }

  private createServer(): http.Server {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next n requests get this status instead of reaching the apiserver. */
  failNext(status: number, n: number): void {
    for (let i = 0; i < n; i++) this.statusQueue.push(status);
  }

  /** Writes a 410 Gone ERROR event into every open watch and ends it. */
  expireWatches(): number {
    const n = this.watches.size;
    for (const res of this.watches) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } })}\n`);
    }
    this.watches.clear();
    return n;
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** Cuts every open watch (connection reset); the watcher reconnects on its own. */
  dropWatches(): number {
    const n = this.watches.size;
    for (const res of this.watches) res.destroy();
    this.watches.clear();
    return n;
  }

  /** Closes every connection and stops listening for `ms` (the apiserver "restarts"). */
  async outage(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    await sleep(ms);
    this.server = this.createServer();
    await this.start(this.port);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.requests++;
    if (this.mode === 'blackhole') return; // keep the socket open, never answer
    const status = this.statusQueue.shift();
    if (status !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: status, message: `injected ${status}` }));
      return;
    }
    const isWatch = /[?&]watch=(1|true)/.test(req.url ?? '');
    if (isWatch && this.expireNewWatches) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'injected expiry' } })}\n`);
      return;
    }
    const url = req.url ?? "/";
    const upstream = https.request(
      new URL(url, this.bed.apiserverUrl),
      {
        method: req.method,
        agent: this.agent,
        headers: { ...req.headers, host: new URL(this.bed.apiserverUrl).host, authorization: `Bearer ${this.bed.adminToken}` },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (isWatch) {
          this.watches.add(res);
          res.on('close', () => this.watches.delete(res));
        }
        up.on('data', (d: Buffer) => {
          // half-open: the connection stays up but nothing more gets through
          if (this.mode === 'pass' && !res.writableEnded) res.write(d);
        });
        up.on('end', () => {
          if (this.mode === 'pass' && !res.writableEnded) res.end();
        });
        res.on('close', () => up.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}

/**
 * Counts pod-template changes (rollouts) per workload from an independent
 * list+watch on the apiserver. metadata.generation is no measure: a
 * Deployment's generation also moves when only its annotations change.
 * revision() is 1 for a workload never rolled since it was first seen.
 */
export class TemplateWatch {
  private readonly revisions = new Map<string, { template: string; revision: number }>();
  private readonly requests: http.ClientRequest[] = [];

  constructor(
    private readonly bed: Testbed,
    private readonly ns: string,
  ) {}

  static templateOf(kind: string, obj: any): string {
    return JSON.stringify(kind === 'cronjobs' ? obj.spec?.jobTemplate?.spec?.template : obj.spec?.template);
  }

  private kinds: string[] = [];

  async start(kinds: string[] = ['deployments', 'statefulsets', 'daemonsets', 'cronjobs']): Promise<void> {
    this.kinds = kinds;
    for (const kind of kinds) {
      const group = kind === 'cronjobs' ? 'batch/v1' : kind === 'rollouts' ? 'argoproj.io/v1alpha1' : 'apps/v1';
      const base = `/apis/${group}/namespaces/${this.ns}/${kind}`;
      const list = await this.bed.request('GET', base);
      const body = list.json<{ metadata: { resourceVersion: string }; items: any[] }>();
      for (const item of body.items) this.see(kind, item);
      this.watch(kind, `${base}?watch=1&resourceVersion=${body.metadata.resourceVersion}`);
    }
  }

  private see(kind: string, obj: any): void {
    const key = `${kind}/${obj.metadata.name}`;
    const template = TemplateWatch.templateOf(kind, obj);
    const seen = this.revisions.get(key);
    if (!seen) this.revisions.set(key, { template, revision: 1 });
    else if (seen.template !== template) this.revisions.set(key, { template, revision: seen.revision + 1 });
  }

  private watch(kind: string, path: string): void {
    const req = https.get(new URL(path, this.bed.apiserverUrl), { ca: this.bed.caPem, headers: { authorization: `Bearer ${this.bed.adminToken}` } }, (res) => {
      let tail = '';
      res.on('data', (d: Buffer) => {
        const lines = (tail + d.toString('utf8')).split('\n');
        tail = lines.pop() ?? '';
        for (const l of lines) {
          if (!l.trim()) continue;
          const e = JSON.parse(l) as { type: string; object: any };
          if (e.type === 'ADDED' || e.type === 'MODIFIED') this.see(kind, e.object);
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {});
    this.requests.push(req);
  }

  revision(kind: string, name: string): number {
    return this.revisions.get(`${kind}/${name}`)?.revision ?? 0;
  }

  /** Revisions of several Deployments. */
  deployments(names: string[]): Record<string, number> {
    return Object.fromEntries(names.map((n) => [n, this.revision('deployments', n)]));
  }

  stop(): void {
    for (const r of this.requests) r.destroy();
    this.requests.length = 0;
  }

  /**
   * After an apiserver restart: list and watch again. A template that changed in the gap
   * counts as one revision, so the caller reconnects before making the change it counts.
   */
  async reconnect(): Promise<void> {
    this.stop();
    await this.start(this.kinds);
  }
}
