/**
 * Where the cluster and the credentials come from, as kubectl decides:
 * --kubeconfig, KUBECONFIG (a path list, merged), ~/.kube/config, else the
 * in-cluster service account; kubectl's connection flags (connection.ts)
 * override the kubeconfig's context, cluster and user fields. In a pod the
 * service account files are read directly (the token re-read when the
 * kubelet rotates it), so the in-cluster watcher never loads
 * `@kubernetes/client-node`. With a kubeconfig, that library (imported
 * lazily: ~0.7 s and ~75 MB) loads the file and produces the credentials of
 * every auth method it supports (tokens, client certificates, exec plugins,
 * auth providers, proxy-url).
 */
import type https from 'node:https';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { ExitCode, KsecError, fileError } from '../errors.js';
import { HttpKubeClient, type ApplyAuth, type KubeClient } from './client.js';
import { checkConnection, type ClusterConnection } from './connection.js';
import { defaultConfigExists, kubeconfigFiles, kubeconfigSyntaxError, readKubeconfig } from './kubeconfig-files.js';
import { TokenFile } from './token-file.js';

export interface KubeConfigOptions extends ClusterConnection {
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
  loadFromOptions(options: { clusters: Cluster[]; users: User[]; contexts: Context[]; currentContext: string }): void;
  getContextObject(name: string): Context | null;
  getCurrentContext(): string;
  getCluster(name: string): Cluster | null;
  getUser(name: string): User | null;
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
};

/** Where a pod's service account files are (KSEC_SERVICEACCOUNT_DIR overrides, for tests and benchmarks). */
export function serviceAccountDir(): string {
  return process.env.KSEC_SERVICEACCOUNT_DIR || '/var/run/secrets/kubernetes.io/serviceaccount';
}

/** In a pod with no kubeconfig given: the service account, like client-go's rest.InClusterConfig. */
function useInCluster(options: KubeConfigOptions): boolean {
  if (options.inCluster) return true;
  if (options.kubeconfig || options.context || options.cluster || options.user || process.env.KUBECONFIG) return false;
  if (existsSync(join(homedir(), '.kube', 'config'))) return false;
  return Boolean(process.env.KUBERNETES_SERVICE_HOST) && existsSync(join(serviceAccountDir(), 'token'));
}

/**
 * A client for the configured cluster, as kubectl builds it (client-go's clientcmd):
 * the kubeconfig's context (or --context), its cluster and user (or --cluster / --user),
 * then the flags over them: --server, --certificate-authority / --insecure-skip-tls-verify
 * (either replaces the cluster's CA and skip setting), --token (replaces the user's token,
 * token file, exec plugin and auth provider), --client-certificate / --client-key,
 * --as / --as-group (Impersonate-* headers, over the user's `as` / `as-groups`),
 * --request-timeout. --server works with no kubeconfig at all.
 *
 * Errors: exit 2 for flags or a kubeconfig that cannot work (`context "x" does not exist`,
 * `cannot load the kubeconfig: ...`, `the kubeconfig names no cluster server`, a flag's
 * file that cannot be read); exit 3 when no configuration exists at all (client-go and
 * client-node would invent http://localhost:8080) or the in-cluster CA cannot be read.
 * No error carries a token or the content of a certificate or key.
 */
export async function loadKubeClient(options: KubeConfigOptions = {}): Promise<KubeClient> {
  checkConnection(options);
  await checkFlagFiles(options);
  if (useInCluster(options)) return inClusterClient(options);
  const fromFiles = Boolean(options.kubeconfig || process.env.KUBECONFIG) || (await defaultConfigExists());
  if (!fromFiles && !options.server) {
    throw new KsecError(
      `no Kubernetes configuration found: no --kubeconfig, no KUBECONFIG, no ${join(homedir(), '.kube', 'config')}, no --server, and not in a pod (KUBERNETES_SERVICE_HOST unset)`,
      { hint: options.hint ?? 'pass --kubeconfig, set KUBECONFIG, pass --server (with --token or a client certificate), or run in a pod with a service account', exitCode: ExitCode.environment },
    );
  }
  const { KubeConfig } = (await import('@kubernetes/client-node')) as unknown as { KubeConfig: new () => KubeConfigLike };
  const kc = new KubeConfig();
  if (fromFiles) await loadKubeconfigFiles(kc, KubeConfig, options);
  const target = resolveTarget(kc, options);
  if (!target.cluster.server) {
    throw new KsecError(target.clusterName ? `the kubeconfig's cluster "${target.clusterName}" names no server` : 'the kubeconfig names no cluster server', {
      file: options.kubeconfig,
      hint: options.hint ?? 'check current-context, or pass --context, --cluster or --server',
      exitCode: ExitCode.input,
    });
  }
  kc.loadFromOptions({
    clusters: [target.cluster],
    users: [target.user],
    contexts: [{ name: 'ksec', cluster: target.cluster.name, user: target.user.name, namespace: target.namespace }],
    currentContext: 'ksec',
  });
  const namespace = target.namespace || process.env.POD_NAMESPACE || readServiceAccountNamespace();
  const raw = fromFiles && target.userName ? await rawKubeconfigUser(options.kubeconfig, target.userName) : undefined;
  const impersonation = impersonationOf(options, raw);
  const clientOptions = { userAgent: options.userAgent, agentFromAuth: Boolean(target.cluster.proxyUrl), requestTimeoutMs: options.requestTimeoutMs };
  const tokenFile = options.token === undefined && raw ? tokenFileOf(raw) : undefined;
  if (!tokenFile) {
    return new HttpKubeClient(target.cluster.server, namespace, withImpersonation((opts) => kc.applyToHTTPSOptions(opts), impersonation), clientOptions);
  }
  // client-node reads a kubeconfig token file once at load (and ignores client-go's `tokenFile` key);
  // bound service-account tokens are rotated in place, so re-read it like client-go does
  const token = new TokenFile(tokenFile);
  const applyAuth = async (opts: https.RequestOptions) => {
    await kc.applyToHTTPSOptions(opts);
    const headers = { ...(opts.headers as Record<string, string>) };
    delete headers.Authorization;
    opts.headers = { ...headers, authorization: `Bearer ${token.read()}` };
  };
  return new HttpKubeClient(target.cluster.server, namespace, withImpersonation(applyAuth, impersonation), {
    ...clientOptions,
    onUnauthorized: () => token.invalidate(),
  });
}

/** --kubeconfig, else KUBECONFIG's files merged, else ~/.kube/config; syntax errors give positions, never text. */
async function loadKubeconfigFiles(kc: KubeConfigLike, KubeConfig: new () => KubeConfigLike, options: KubeConfigOptions): Promise<void> {
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
    else mergeKubeconfigFiles(kc, KubeConfig, options);
  } catch (err) {
    if (err instanceof KsecError) throw err;
    throw new KsecError(`cannot load the kubeconfig: ${loadProblem(err)}`, {
      file: options.kubeconfig,
      hint: options.hint ?? 'pass --kubeconfig or --context, or run in a pod with a service account',
      exitCode: ExitCode.input,
      cause: err,
    });
  }
}

/**
 * KUBECONFIG's files (else ~/.kube/config) merged as client-go merges them: files that do not
 * exist are skipped, the first file to name a cluster, user or context wins it, and the first
 * non-empty current-context wins (client-node's own merge lets later files win and refuses
 * duplicates). Each file's relative paths are resolved against its own directory.
 */
function mergeKubeconfigFiles(kc: KubeConfigLike, KubeConfig: new () => KubeConfigLike, options: KubeConfigOptions): void {
  const files = kubeconfigFiles().filter((f) => existsSync(f));
  if (files.length === 0 && !options.server) {
    throw new KsecError(`cannot load the kubeconfig: no file of ${process.env.KUBECONFIG ? 'KUBECONFIG' : '~/.kube/config'} exists`, {
      file: kubeconfigFiles().join(delimiter),
      hint: options.hint ?? 'set KUBECONFIG to existing files, or pass --kubeconfig or --server',
      exitCode: ExitCode.input,
    });
  }
  const merged = { clusters: [] as Cluster[], users: [] as User[], contexts: [] as Context[], currentContext: '' };
  const addNew = <T extends { name: string }>(into: T[], from: T[]) => {
    for (const e of from) if (!into.some((x) => x.name === e.name)) into.push(e);
  };
  for (const file of files) {
    const one = new KubeConfig() as KubeConfigLike & { clusters: Cluster[]; users: User[]; contexts: Context[] };
    one.loadFromFile(file);
    addNew(merged.clusters, one.clusters);
    addNew(merged.users, one.users);
    addNew(merged.contexts, one.contexts);
    merged.currentContext ||= one.getCurrentContext() ?? '';
  }
  kc.loadFromOptions(merged);
}

interface Target {
  cluster: Cluster;
  user: User;
  namespace: string | undefined;
  /** the kubeconfig names, when one was used (errors, the raw user's token file and impersonation) */
  clusterName: string | undefined;
  userName: string | undefined;
}

/** client-go's DirectClientConfig: context, then cluster and user by name, then the flags merged over them. */
function resolveTarget(kc: KubeConfigLike, o: KubeConfigOptions): Target {
  const missing = (what: string, name: string, flag: string) =>
    new KsecError(`${what} "${name}" does not exist in the kubeconfig`, {
      file: o.kubeconfig,
      hint: `check ${flag} against the kubeconfig's ${what === 'auth info' ? 'users' : `${what}s`}`,
      exitCode: ExitCode.input,
    });
  const contextName = o.context ?? kc.getCurrentContext();
  const context = contextName ? kc.getContextObject(contextName) : null;
  if (o.context && !context) throw missing('context', o.context, '--context');
  const clusterName = o.cluster ?? context?.cluster;
  const baseCluster = clusterName ? kc.getCluster(clusterName) : null;
  if (o.cluster && !baseCluster) throw missing('cluster', o.cluster, '--cluster');
  const userName = o.user ?? context?.user;
  const baseUser = userName ? kc.getUser(userName) : null;
  if (o.user && !baseUser) throw missing('auth info', o.user, '--user');

  let cluster: Cluster = {
    ...baseCluster,
    name: 'ksec',
    server: o.server ?? baseCluster?.server ?? '',
    skipTLSVerify: baseCluster?.skipTLSVerify ?? false,
    // a --server of its own clears the kubeconfig's tls-server-name, as in client-go
    tlsServerName: o.server ? undefined : baseCluster?.tlsServerName,
  };
  if (o.insecureSkipTlsVerify || o.certificateAuthority) {
    cluster = { ...cluster, skipTLSVerify: Boolean(o.insecureSkipTlsVerify), caFile: o.certificateAuthority, caData: undefined };
  }
  // plain http (kubectl proxy) has no certificate to verify; client-node refuses it unless told to skip
  if (/^http:/i.test(cluster.server)) cluster = { ...cluster, skipTLSVerify: true };
  let user: User = { ...baseUser, name: 'ksec', impersonateUser: undefined };
  if (o.token !== undefined) user = { ...user, token: o.token, exec: undefined, authProvider: undefined };
  if (o.clientCertificate) user = { ...user, certFile: o.clientCertificate, certData: undefined };
  if (o.clientKey) user = { ...user, keyFile: o.clientKey, keyData: undefined };
  if ((user.certFile || user.certData) && !(user.keyFile || user.keyData)) {
    throw new KsecError('a client certificate needs its key: --client-certificate without --client-key (and no client-key in the kubeconfig user)', {
      hint: 'pass --client-key with the certificate\'s private key file',
    });
  }
  return {
    cluster,
    user,
    namespace: context?.namespace,
    clusterName: baseCluster ? clusterName : undefined,
    userName: baseUser ? userName : undefined,
  };
}

/** Files named by flags must be readable before any request (exit 2 naming the flag and the path). */
async function checkFlagFiles(o: ClusterConnection): Promise<void> {
  const files: [string, string | undefined][] = [
    ['--certificate-authority', o.certificateAuthority],
    ['--client-certificate', o.clientCertificate],
    ['--client-key', o.clientKey],
  ];
  for (const [flag, file] of files) {
    if (!file) continue;
    try {
      await access(file, constants.R_OK);
    } catch (err) {
      throw new KsecError(fileError(err, file, `read the ${flag} file`).message, { file, hint: `pass ${flag} a readable PEM file` });
    }
  }
}

interface Impersonation {
  user?: string;
  groups: string[];
}

/** --as / --as-group over the kubeconfig user's `as` / `as-groups` (client-go's merge: a set flag wins). */
function impersonationOf(o: ClusterConnection, raw: Record<string, unknown> | undefined): Impersonation {
  const rawAs = typeof raw?.as === 'string' && raw.as ? raw.as : undefined;
  const rawGroups = Array.isArray(raw?.['as-groups']) ? (raw['as-groups'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  return { user: o.as ?? rawAs, groups: o.asGroups?.length ? o.asGroups : rawGroups };
}

/** Adds the Impersonate-User and Impersonate-Group headers (one header line per group) after the credentials. */
function withImpersonation(applyAuth: ApplyAuth, imp: Impersonation): ApplyAuth {
  if (!imp.user) return applyAuth;
  return async (opts) => {
    await applyAuth(opts);
    const headers: Record<string, string | string[]> = { ...(opts.headers as Record<string, string>), 'Impersonate-User': imp.user! };
    if (imp.groups.length > 0) headers['Impersonate-Group'] = imp.groups;
    opts.headers = headers;
  };
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
 * The kubeconfig user named `userName` as written (for the keys client-node drops: client-go's
 * `tokenFile`, `as`, `as-groups`). Files are searched in KUBECONFIG order; the first one naming
 * the user decides.
 */
async function rawKubeconfigUser(explicit: string | undefined, userName: string): Promise<(Record<string, unknown> & { file: string }) | undefined> {
  for (const file of kubeconfigFiles(explicit)) {
    const config = (await readKubeconfig(file)) as { users?: { name?: string; user?: Record<string, unknown> }[] } | undefined;
    // unreadable: client-node has already loaded (or rejected) it
    const user = config?.users?.find((u) => u?.name === userName)?.user;
    if (user && typeof user === 'object') return { ...user, file };
  }
  return undefined;
}

/**
 * The user's token file (`tokenFile`, as client-go writes it, or `token-file`) when it has no
 * inline token; relative paths are relative to the kubeconfig file.
 */
function tokenFileOf(user: Record<string, unknown> & { file: string }): string | undefined {
  const path = user.tokenFile ?? user['token-file'];
  if (user.token || typeof path !== 'string' || !path) return undefined;
  return isAbsolute(path) ? path : resolve(dirname(user.file), path);
}

/**
 * KUBERNETES_SERVICE_HOST/PORT, the service account's ca.crt, token (re-read on rotation) and
 * namespace. As client-go's in-cluster config, --server, --token and --certificate-authority
 * replace their part; --insecure-skip-tls-verify, --as / --as-group and --request-timeout apply too.
 */
function inClusterClient(options: KubeConfigOptions): KubeClient {
  const dir = serviceAccountDir();
  const host = process.env.KUBERNETES_SERVICE_HOST ?? '';
  const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = options.server ?? `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const caFile = options.certificateAuthority ?? join(dir, 'ca.crt');
  let ca: Buffer | undefined;
  if (!options.insecureSkipTlsVerify) {
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      throw new KsecError(`cannot read the service account CA: ${(err as Error).message}`, { file: caFile, exitCode: ExitCode.environment });
    }
  }
  const token = options.token === undefined ? new TokenFile(join(dir, 'token')) : undefined;
  const applyAuth = async (opts: https.RequestOptions) => {
    if (ca) opts.ca = ca;
    else opts.rejectUnauthorized = false;
    opts.headers = { ...(opts.headers as Record<string, string>), authorization: `Bearer ${token ? token.read() : options.token}` };
  };
  return new HttpKubeClient(server, process.env.POD_NAMESPACE || readServiceAccountNamespace(), withImpersonation(applyAuth, impersonationOf(options, undefined)), {
    userAgent: options.userAgent,
    requestTimeoutMs: options.requestTimeoutMs,
    onUnauthorized: () => token?.invalidate(),
  });
}

function readServiceAccountNamespace(): string | undefined {
  try {
    return readFileSync(join(serviceAccountDir(), 'namespace'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
