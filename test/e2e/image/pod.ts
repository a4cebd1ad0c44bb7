/**
 * The watcher image as a pod, without a kubelet: `umoci unpack` makes a runtime bundle of the image,
 * and the container spec the Helm chart renders (args, env, security context, ports, probes) is
 * turned into its runc config.json the way the kubelet and a container runtime would:
 *   - process.args = the image's entrypoint + the container's args (the chart sets no command)
 *   - env: the image's, then the container's (fieldRef metadata.name/namespace resolved to the pod's
 *     name and namespace), then KUBERNETES_SERVICE_HOST/PORT, as the kubelet injects them
 *   - user runAsUser:runAsGroup (+ fsGroup), readOnlyRootFilesystem, no capabilities when the chart
 *     drops ALL, no_new_privs when allowPrivilegeEscalation is false
 *   - the service account token, ca.crt and namespace files, read-only, at
 *     /var/run/secrets/kubernetes.io/serviceaccount (mode 0644, the projected volume's default)
 *   - the host's network namespace (the bed's apiserver is on loopback), so containerPort is a
 *     host port: the test picks a free one through the chart's metrics.port
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Fails with what to install when a tool the image tests need is missing (.ci/run installs them). */
export function requireTools(...tools: string[]): void {
  for (const t of tools) {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    } catch {
      throw new Error(`'${t}' is not on PATH: apt-get install ${tools.join(' ')} (the system packages step of .ci/run installs them)`);
    }
  }
}

export interface PodInput {
  /** OCI layout and tag, e.g. dist/image/oci and 0.1.0 */
  layout: string;
  tag: string;
  podName: string;
  namespace: string;
  /** the Deployment's pod spec as `helm template` renders it */
  podSpec: any;
  apiserverUrl: string;
  caPem: string;
  token: string;
}

export class RuncPod {
  readonly id: string;
  readonly dir: string;
  readonly bundle: string;
  readonly state: string;
  readonly container: any;
  child: ChildProcess | undefined;
  raw = '';
  private exit: Promise<number | null> | undefined;

  constructor(private readonly input: PodInput) {
    this.dir = mkdtempSync(join(tmpdir(), 'ksec-image-pod-'));
    this.bundle = join(this.dir, 'bundle');
    this.state = join(this.dir, 'runc');
    this.id = `ksec-image-${input.podName}`.slice(0, 60);
    this.container = input.podSpec.containers[0];
  }

  /** umoci unpack, then the chart's container spec applied to the generated config.json. */
  prepare(): void {
    const { podSpec, namespace, podName, apiserverUrl } = this.input;
    execFileSync('umoci', ['unpack', '--image', `${this.input.layout}:${this.input.tag}`, this.bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sa = join(this.dir, 'serviceaccount');
    mkdirSync(sa);
    chmodSync(this.dir, 0o755);
    chmodSync(sa, 0o755);
    writeFileSync(join(sa, 'token'), this.input.token, { mode: 0o644 });
    writeFileSync(join(sa, 'ca.crt'), this.input.caPem, { mode: 0o644 });
    writeFileSync(join(sa, 'namespace'), namespace, { mode: 0o644 });

    const c = this.container;
    const pod = podSpec.securityContext ?? {};
    const sec = c.securityContext ?? {};
    const configFile = join(this.bundle, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    if (c.command) throw new Error('the chart sets a command; this runner expects only args');
    config.process.args = [...config.process.args, ...(c.args ?? [])];
    const fieldRef: Record<string, string> = { 'metadata.name': podName, 'metadata.namespace': namespace };
    const env = new Map<string, string>(config.process.env.map((e: string) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env.set(e.name, String(e.value));
      else if (e.valueFrom?.fieldRef) {
        const v = fieldRef[e.valueFrom.fieldRef.fieldPath];
        if (v === undefined) throw new Error(`env ${e.name}: fieldRef ${e.valueFrom.fieldRef.fieldPath} is not supported here`);
        env.set(e.name, v);
      } else throw new Error(`env ${e.name}: only value and fieldRef are supported here`);
    }
    const api = new URL(apiserverUrl);
    env.set('KUBERNETES_SERVICE_HOST', api.hostname);
    env.set('KUBERNETES_SERVICE_PORT', api.port);
    config.process.env = [...env].map(([k, v]) => `${k}=${v}`);
    config.process.terminal = false;
    config.process.user = {
      uid: sec.runAsUser ?? pod.runAsUser ?? config.process.user.uid,
      gid: sec.runAsGroup ?? pod.runAsGroup ?? config.process.user.gid,
      ...(pod.fsGroup !== undefined ? { additionalGids: [pod.fsGroup] } : {}),
    };
    config.root.readonly = sec.readOnlyRootFilesystem === true;
    if (sec.allowPrivilegeEscalation === false) config.process.noNewPrivileges = true;
    if ((sec.capabilities?.drop ?? []).includes('ALL')) {
      config.process.capabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
    }
    config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
    config.hostname = podName;
    config.mounts.push({ destination: SA_MOUNT, type: 'bind', source: sa, options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] });
    writeFileSync(configFile, JSON.stringify(config, null, 2));
  }

  get config(): any {
    return JSON.parse(readFileSync(join(this.bundle, 'config.json'), 'utf8'));
  }

  /** `runc run` in the foreground: the container's stdout/stderr are this process's pipes. */
  start(): void {
    this.child = spawn('runc', ['--root', this.state, 'run', '--bundle', this.bundle, this.id], { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer) => (this.raw += d.toString('utf8'));
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.exit = new Promise((resolve) => this.child!.on('exit', (code) => resolve(code)));
  }

  get exited(): boolean {
    return this.child?.exitCode !== null && this.child?.exitCode !== undefined;
  }

  /** The JSON log lines the watcher wrote so far. */
  logs(): { msg: string; [k: string]: unknown }[] {
    return this.raw.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
  }

  /** The container's init process on the host (`runc state`). */
  pid(): number {
    return JSON.parse(execFileSync('runc', ['--root', this.state, 'state', this.id], { encoding: 'utf8' })).pid;
  }

  /** `runc kill <id> <signal>`, then the exit code of `runc run` (= the container's) or null after timeoutMs. */
  async signal(signal: string, timeoutMs: number): Promise<{ code: number | null; ms: number }> {
    const t0 = Date.now();
    execFileSync('runc', ['--root', this.state, 'kill', this.id, signal]);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exit!, new Promise<null>((r) => (timer = setTimeout(() => r(null), timeoutMs)))]);
    clearTimeout(timer);
    return { code, ms: Date.now() - t0 };
  }

  /** Leaves nothing behind: the container (killed if still running), its state and bundle. */
  destroy(): void {
    try {
      execFileSync('runc', ['--root', this.state, 'delete', '--force', this.id], { stdio: 'ignore' });
    } catch {
      // never started, or already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An httpGet probe as the kubelet makes it: the status code, or 0 when nothing answers. */
export function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
