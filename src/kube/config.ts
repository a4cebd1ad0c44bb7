/**
 * Where the cluster and the credentials come from, as kubectl decides:
 * --kubeconfig, KUBECONFIG, ~/.kube/config, else the in-cluster service
 * account. In a pod the service account files are read directly (the token
 * re-read when the kubelet rotates it), so the in-cluster watcher never loads
 * `@kubernetes/client-node`. With a kubeconfig, that library (imported
 * lazily: ~0.7 s and ~75 MB) loads the file and produces the credentials of
 * every auth method it supports (tokens, client certificates, exec plugins,
 * auth providers, proxy-url).
 */
import type https from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ExitCode, KsecError } from '../errors.js';
import { HttpKubeClient, type KubeClient } from './client.js';
import { defaultConfigExists, kubeconfigFiles, kubeconfigSyntaxError, readKubeconfig } from './kubeconfig-files.js';
import { TokenFile } from './token-file.js';

export interface KubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** force the in-cluster service account even when a kubeconfig exists */
  inCluster?: boolean;
  /** the User-Agent header of every request; none when unset */
  userAgent?: string;
  /** the hint of the errors for a kubeconfig that cannot be loaded or names no server */
  hint?: string;
}

type KubeConfigLike = {
  loadFromFile(file: string): void;
  loadFromDefault(): void;
  setCurrentContext(name: string): void;
  getContextObject(name: string): { namespace?: string } | null;
  getCurrentContext(): string;
  getCurrentCluster(): { server: string; proxyUrl?: string } | null;
  getCurrentUser(): { name?: string } | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
};

/** Where a pod's service account files are (KSEC_SERVICEACCOUNT_DIR overrides, for tests and benchmarks). */
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
 * A client for the configured cluster. Errors (exit 2, naming --kubeconfig when given):
 * `cannot load the kubeconfig: ...`, `the kubeconfig names no cluster server`; exit 3 when
 * no configuration exists at all (client-go and client-node would invent http://localhost:8080)
 * or the in-cluster CA cannot be read.
 */
export async function loadKubeClient(options: KubeConfigOptions = {}): Promise<KubeClient> {
  if (useInCluster(options)) return inClusterClient(options);
  if (!options.kubeconfig && !process.env.KUBECONFIG && !(await defaultConfigExists())) {
    throw new KsecError(
      `no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ${join(homedir(), '.kube', 'config')}, and not in a pod (KUBERNETES_SERVICE_HOST unset)`,
      { hint: options.hint ?? 'pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account', exitCode: ExitCode.environment },
    );
  }
  const { KubeConfig } = (await import('@kubernetes/client-node')) as unknown as { KubeConfig: new () => KubeConfigLike };
  const kc = new KubeConfig();
  // our reader first: its errors give file, line, column and the problem, never the text (a token)
  for (const file of kubeconfigFiles(options.kubeconfig)) {
    const problem = await kubeconfigSyntaxError(file);
    if (problem) {
      throw new KsecError(`cannot load the kubeconfig: ${problem.message}`, {
        file,
        hint: options.hint ?? 'fix the kubeconfig, or pass --kubeconfig or --context',
        exitCode: ExitCode.input,
      });
    }
  }
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (err) {
    throw new KsecError(`cannot load the kubeconfig: ${loadProblem(err)}`, {
      file: options.kubeconfig,
      hint: options.hint ?? 'pass --kubeconfig or --context, or run in a pod with a service account',
      exitCode: ExitCode.input,
      cause: err,
    });
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KsecError('the kubeconfig names no cluster server', {
      file: options.kubeconfig,
      hint: options.hint ?? 'check current-context, or pass --context',
      exitCode: ExitCode.input,
    });
  }
  const ctx = kc.getContextObject(kc.getCurrentContext());
  const namespace = ctx?.namespace || process.env.POD_NAMESPACE || readServiceAccountNamespace();
  const userName = kc.getCurrentUser()?.name;
  const tokenFile = userName ? await kubeconfigTokenFile(options.kubeconfig, userName) : undefined;
  const clientOptions = { userAgent: options.userAgent, agentFromAuth: Boolean(cluster.proxyUrl) };
  if (!tokenFile) return new HttpKubeClient(cluster.server, namespace, (opts) => kc.applyToHTTPSOptions(opts), clientOptions);
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
    { ...clientOptions, onUnauthorized: () => token.invalidate() },
  );
}

/**
 * client-node's reason for refusing a kubeconfig, without the input: js-yaml's
 * messages carry a code frame of the file (a token line), so only its reason
 * and position are kept; other messages to their first line.
 */
function loadProblem(err: unknown): string {
  const e = err as { name?: string; reason?: unknown; mark?: { line?: number; column?: number }; message?: string };
  if (e?.name === 'YAMLException') {
    const at = e.mark && typeof e.mark.line === 'number' ? ` at line ${e.mark.line + 1}, column ${(e.mark.column ?? 0) + 1}` : '';
    return `invalid YAML${at}${typeof e.reason === 'string' ? `: ${e.reason}` : ''}`;
  }
  return String(e?.message ?? err).split('\n')[0]!;
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

/** KUBERNETES_SERVICE_HOST/PORT, the service account's ca.crt, token (re-read on rotation) and namespace. */
function inClusterClient(options: KubeConfigOptions): KubeClient {
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
  return new HttpKubeClient(server, process.env.POD_NAMESPACE || readServiceAccountNamespace(), applyAuth, {
    userAgent: options.userAgent,
    onUnauthorized: () => token.invalidate(),
  });
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(join(serviceAccountDir(), 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
