/**
 * The watcher's connection to the Kubernetes API. `@kubernetes/client-node`
 * is used only to load the configuration and authenticate (in-cluster service
 * account, kubeconfig, context, exec plugins); it is imported lazily because
 * it costs ~0.7 s and ~75 MB. The requests themselves are plain node:http(s)
 * so the reflector controls timeouts, streaming and keep-alive.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ExitCode, KsecError } from '../errors.js';
import { kubeconfigFiles, readKubeconfig } from '../kubeconfig-files.js';

export interface KubeResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  body?: unknown;
  /** content type of the body (default application/json) */
  contentType?: string;
  /** abort the request when no response arrives within this many ms */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The narrow surface the watcher needs; unit tests pass a fake. */
export interface KubeClient {
  readonly server: string;
  /** namespace of the current context or of the in-cluster service account */
  readonly namespace: string | undefined;
  request(method: string, path: string, options?: RequestOptions): Promise<KubeResponse>;
  /** Opens a streaming GET (watch); the caller reads and destroys the stream. */
  stream(path: string, options?: { signal?: AbortSignal }): Promise<{ status: number; stream: IncomingMessage }>;
  /** Requests issued so far (for the benchmark and metrics). */
  readonly requestCount: number;
}

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** force the in-cluster service account even when a kubeconfig exists */
  inCluster?: boolean;
}

type KubeConfigLike = {
  loadFromFile(file: string): void;
  loadFromCluster(): void;
  loadFromDefault(): void;
  setCurrentContext(name: string): void;
  getContextObject(name: string): { namespace?: string } | null;
  getCurrentContext(): string;
  getCurrentCluster(): { server: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
};


/** Where a pod's service account files are (overridable for tests and benchmarks). */
export function serviceAccountDir(): string {
  return process.env.KSEC_SERVICEACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
}

/** In a pod with no kubeconfig given: the service account, like client-go's rest.InClusterConfig. */
function useInCluster(options: KubeConfigOptions): boolean {
  if (options.inCluster) return true;
  if (options.kubeconfig || options.context || process.env.KUBECONFIG) return false;
  if (existsSync(join(homedir(), '.kube', 'config'))) return false;
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(join(serviceAccountDir(), 'token'));
}

/**
 * Loads credentials the way kubectl does: --kubeconfig, KUBECONFIG, ~/.kube/config, else the
 * in-cluster service account. In a pod the service account is read directly (token re-read when
 * the kubelet rotates it), so the in-cluster watcher never loads the ~75 MB client library.
 */
export async function loadKubeClient(options: KubeConfigOptions = {}): Promise<KubeClient> {
  if (useInCluster(options)) return inClusterClient();
  const { KubeConfig } = (await import('@kubernetes/client-node')) as unknown as { KubeConfig: new () => KubeConfigLike };
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (err) {
    throw new KsecError(`cannot load the Kubernetes configuration: ${(err as Error).message}`, {
      file: options.kubeconfig,
      hint: 'pass --kubeconfig or --context, or run in a pod with a service account',
      exitCode: ExitCode.input,
      cause: err,
    });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KsecError('the Kubernetes configuration names no cluster server', {
      file: options.kubeconfig,
      hint: 'check current-context, or pass --context',
      exitCode: ExitCode.input,
    });
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const namespace = ctx?.namespace || process.env.POD_NAMESPACE || readServiceAccountNamespace();
  const userName = (kc as unknown as { getCurrentUser(): { name?: string } | null }).getCurrentUser()?.name;
  const tokenFile = userName ? await kubeconfigTokenFile(options.kubeconfig, userName) : undefined;
  if (!tokenFile) return new HttpKubeClient(cluster.server, namespace, (opts) => kc.applyToHTTPSOptions(opts));
  // client-node reads a kubeconfig token file once at load (and ignores client-go's `tokenFile` key);
  // bound service-account tokens are rotated in place, so re-read it like client-go does
  const token = new TokenFile(tokenFile);
  return new HttpKubeClient(
    cluster.server,
    namespace,
    async (opts) => {
      await kc.applyToHTTPSOptions(opts);
      const headers = { ...(opts.headers as Record<string, string>) };
      delete headers.Authorization;
      opts.headers = { ...headers, authorization: `Bearer ${token.read()}` };
    },
    () => token.invalidate(),
  );
}

/**
 * The token file of a kubeconfig user (`tokenFile`, as client-go writes it, or `token-file`),
 * when the user has no inline token; relative paths are relative to the kubeconfig file.
 * Files are searched in KUBECONFIG order; the first one naming the user decides.
 */
async function kubeconfigTokenFile(explicit: string | undefined, userName: string): Promise<string | undefined> {
  for (const file of kubeconfigFiles(explicit)) {
    const config = (await readKubeconfig(file)) as { users?: { name?: string; user?: Record<string, unknown> }[] } | undefined;
    // unreadable: client-node has already loaded (or rejected) it
    const user = config?.users?.find((u) => u?.name === userName)?.user;
    if (!user) continue;
    const path = user.tokenFile ?? user['token-file'];
    if (user.token || typeof path !== 'string' || !path) return undefined;
    return isAbsolute(path) ? path : resolve(dirname(file), path);
  }
  return undefined;
}

/**
 * A bearer token kept in a file that is rewritten when it rotates (kubelet-projected
 * service-account tokens): re-read when the file changes (mtime, inode or size, so an
 * atomic rename is seen too) or after the API server answered 401.
 */
export class TokenFile {
  private token = '';
  private version = '';

  constructor(readonly file: string) {}

  read(): string {
    const st = statSync(this.file);
    const version = `${st.mtimeMs}:${st.ino}:${st.size}`;
    if (version !== this.version) {
      this.token = readFileSync(this.file, 'utf8').trim();
      this.version = version;
    }
    return this.token;
  }

  /** Forces a re-read on the next request (after a 401). */
  invalidate(): void {
    this.version = '';
  }
}

function inClusterClient(): KubeClient {
  const dir = serviceAccountDir();
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let ca: Buffer;
  try {
    ca = readFileSync(join(dir, 'ca.crt'));
  } catch (err) {
    throw new KsecError(`cannot read the service account CA: ${(err as Error).message}`, { file: join(dir, 'ca.crt'), exitCode: ExitCode.environment });
  }
  const token = new TokenFile(join(dir, 'token'));
  const applyAuth = async (opts: https.RequestOptions) => {
    opts.ca = ca;
    opts.headers = { ...(opts.headers as Record<string, string>), authorization: `Bearer ${token.read()}` };
  };
  return new HttpKubeClient(server, process.env.POD_NAMESPACE || readServiceAccountNamespace(), applyAuth, () => token.invalidate());
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(join(serviceAccountDir(), 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export class HttpKubeClient implements KubeClient {
  readonly server: string;
  readonly namespace: string | undefined;
  requestCount = 0;
  private readonly url: URL;
  private readonly applyAuth: (opts: https.RequestOptions) => Promise<void>;
  private agent: http.Agent | undefined;
  private readonly onUnauthorized: () => void;

  constructor(
    server: string,
    namespace: string | undefined,
    applyAuth: (opts: https.RequestOptions) => Promise<void>,
    /** called on every 401, so credentials read from a file are read again */
    onUnauthorized: () => void = () => {},
  ) {
    this.server = server.replace(/\/+$/, '');
    this.namespace = namespace;
    this.url = new URL(this.server);
    this.applyAuth = applyAuth;
    this.onUnauthorized = onUnauthorized;
  }

  /** TLS material and headers, re-read per request so rotated service-account tokens are picked up. */
  private async options(method: string, path: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: { ...headers } };
    await this.applyAuth(opts);
    const tls = this.url.protocol === 'https:';
    if (!this.agent) {
      const agentOptions = {
        keepAlive: true,
        maxSockets: 16,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        servername: opts.servername,
        ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
      };
      this.agent = tls ? new https.Agent(agentOptions) : new http.Agent({ keepAlive: true, maxSockets: 16 });
    }
    const base = this.url.pathname.replace(/\/+$/, '');
    return {
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port || (tls ? 443 : 80),
      path: base + path,
      method,
      agent: this.agent,
      auth: opts.auth,
      headers: { accept: 'application/json', 'user-agent': 'ksec-watch', ...(opts.headers as Record<string, string>) },
    };
  }

  private send(opts: https.RequestOptions, payload: Buffer | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    this.requestCount++;
    const mod = opts.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({ ...opts, signal }, (res) => {
        if (res.statusCode === 401) this.onUnauthorized();
        resolve(res);
      });
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<KubeResponse> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = payload
      ? { 'content-type': options.contentType ?? 'application/json', 'content-length': String(payload.length) }
      : {};
    const opts = await this.options(method, path, headers);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const res = await this.send(opts, payload, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers };
  }

  async stream(path: string, options: { signal?: AbortSignal } = {}): Promise<{ status: number; stream: IncomingMessage }> {
    const opts = await this.options('GET', path, {});
    // a watch is a long-lived response: no keep-alive pooling, or one silent watch could block other requests
    opts.agent = this.url.protocol === 'https:' ? new https.Agent({ ...(this.agent as https.Agent).options, keepAlive: false }) : undefined;
    const res = await this.send(opts, undefined, options.signal);
    return { status: res.statusCode ?? 0, stream: res };
  }
}

/** Reads a Kubernetes Status body's message, or a short fallback; never includes object data. */
export function statusMessage(res: KubeResponse): string {
  try {
    const parsed = JSON.parse(res.body) as { message?: unknown; reason?: unknown };
    if (typeof parsed.message === 'string') return parsed.message.slice(0, 300);
  } catch {
    // not JSON
  }
  return `HTTP ${res.status}`;
}

export function kubeError(action: string, res: KubeResponse, object?: string): KsecError {
  const exitCode = res.status === 401 || res.status === 403 || res.status >= 500 || res.status === 0 ? ExitCode.environment : ExitCode.input;
  return new KsecError(`${action}: ${statusMessage(res)}`, {
    object,
    exitCode,
    hint: res.status === 403 ? 'the service account lacks an RBAC permission (see deploy/helm/ksec-watch)' : undefined,
  });
}
