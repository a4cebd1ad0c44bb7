/**
 * The HTTP client for the Kubernetes API: plain node:http(s), so callers
 * control timeouts, streaming and keep-alive. Credentials come from a
 * callback (see config.ts) called before every request, so rotated tokens
 * and exec-plugin credentials are always current.
 */
import type http from 'node:http';
import type https from 'node:https';
import type { IncomingMessage } from 'node:http';

// Loaded where a request is made: node:https loads TLS, which a command that never calls the API
// server (an offline seal) should not pay for, and a bundle would hoist a top-level import.
const httpModule = () => process.getBuiltinModule('node:http');
const httpsModule = () => process.getBuiltinModule('node:https');

export interface KubeResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  body?: unknown;
  /** content type of the body (default application/json) */
  contentType?: string;
  /** the Accept header (default application/json) */
  accept?: string;
  /** abort the request when no complete response arrives within this many ms (default 30 s) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The narrow surface the callers need; unit tests pass a fake. */
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

/**
 * Fills TLS material (ca, cert, key, servername, rejectUnauthorized), `auth` and
 * headers (authorization) into the request options; may set `agent` (a proxy).
 */
export type ApplyAuth = (opts: https.RequestOptions) => Promise<void>;

export interface HttpKubeClientOptions {
  /** called on every 401, so credentials read from a file are read again */
  onUnauthorized?: () => void;
  /** the User-Agent header; none when unset */
  userAgent?: string;
  /**
   * use the agent ApplyAuth sets on each request (a kubeconfig `proxy-url`) instead of
   * the client's own keep-alive agent built from the TLS material
   */
  agentFromAuth?: boolean;
  /**
   * --request-timeout in ms: the longest any request (not a watch stream) may take, capping a
   * caller's own timeout; 0 = none beyond the caller's own; unset = 30 s for requests that set none
   */
  requestTimeoutMs?: number;
}

/** ApplyAuth failed (exec plugin, auth provider, token file, kubeconfig TLS files): the cause's message, unchanged. */
export class KubeCredentialsError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'KubeCredentialsError';
  }
}

export class HttpKubeClient implements KubeClient {
  readonly server: string;
  readonly namespace: string | undefined;
  requestCount = 0;
  private readonly url: URL;
  private readonly applyAuth: ApplyAuth;
  private agent: http.Agent | undefined;
  private readonly options: HttpKubeClientOptions;

  constructor(server: string, namespace: string | undefined, applyAuth: ApplyAuth, options: HttpKubeClientOptions = {}) {
    this.server = server.replace(/\/+$/, '');
    this.namespace = namespace;
    this.url = new URL(this.server);
    this.applyAuth = applyAuth;
    this.options = options;
  }

  /** TLS material and headers, re-read per request so rotated service-account tokens are picked up. */
  private async requestOptions(method: string, path: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = { headers: { ...headers } };
    try {
      await this.applyAuth(opts);
    } catch (err) {
      throw new KubeCredentialsError(err);
    }
    const tls = this.url.protocol === 'https:';
    let agent: http.Agent | undefined;
    if (this.options.agentFromAuth && typeof opts.agent === 'object') {
      agent = opts.agent;
    } else {
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
        this.agent = tls ? new (httpsModule().Agent)(agentOptions) : new (httpModule().Agent)({ keepAlive: true, maxSockets: 16 });
      }
      agent = this.agent;
    }
    const base = this.url.pathname.replace(/\/+$/, '');
    const userAgent = this.options.userAgent === undefined ? {} : { 'user-agent': this.options.userAgent };
    return {
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port || (tls ? 443 : 80),
      path: base + path,
      method,
      agent,
      auth: opts.auth,
      headers: { accept: 'application/json', ...userAgent, ...(opts.headers as Record<string, string>) },
    };
  }

  private send(opts: https.RequestOptions, payload: Buffer | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    this.requestCount++;
    const mod = opts.protocol === 'https:' ? httpsModule() : httpModule();
    return new Promise((resolve, reject) => {
      const req = mod.request({ ...opts, signal }, (res) => {
        if (res.statusCode === 401) this.options.onUnauthorized?.();
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
    if (options.accept !== undefined) headers.accept = options.accept;
    const opts = await this.requestOptions(method, path, headers);
    const timeoutMs = effectiveTimeout(options.timeoutMs, this.options.requestTimeoutMs);
    const signals = [options.signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const res = await this.send(opts, payload, signal);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers };
  }

  async stream(path: string, options: { signal?: AbortSignal } = {}): Promise<{ status: number; stream: IncomingMessage }> {
    const opts = await this.requestOptions('GET', path, {});
    // a watch is a long-lived response: no keep-alive pooling, or one silent watch could block other requests
    if (opts.agent === this.agent) {
      opts.agent = this.url.protocol === 'https:' ? new (httpsModule().Agent)({ ...(this.agent as https.Agent).options, keepAlive: false }) : undefined;
    }
    const res = await this.send(opts, undefined, options.signal);
    return { status: res.statusCode ?? 0, stream: res };
  }
}

/** The caller's timeout capped by --request-timeout (0: no cap); neither set: 30 s. */
function effectiveTimeout(own: number | undefined, cap: number | undefined): number | undefined {
  if (cap === undefined) return own ?? 30_000;
  if (cap === 0) return own;
  return own === undefined ? cap : Math.min(own, cap);
}
