/**
 * kubectl's connection flags as data (client-go's clientcmd.ConfigOverrides,
 * the subset kubeseal binds): which kubeconfig, context, cluster and user,
 * and the fields that override them. How they combine with a kubeconfig is
 * config.ts's job; this module only holds and checks the values.
 */
import { KsecError } from '../errors.js';

export interface ClusterConnection {
  /** --kubeconfig: the one kubeconfig file (else KUBECONFIG's list, else ~/.kube/config) */
  kubeconfig?: string;
  /** --context: the context to use instead of current-context */
  context?: string;
  /** --cluster: the kubeconfig cluster to use instead of the context's */
  cluster?: string;
  /** --user: the kubeconfig user to use instead of the context's */
  user?: string;
  /** --server: the API server URL (works with no kubeconfig at all) */
  server?: string;
  /** --certificate-authority: CA file that replaces the cluster's CA and its insecure-skip-tls-verify */
  certificateAuthority?: string;
  /** --insecure-skip-tls-verify: do not check the server's certificate (replaces the cluster's CA) */
  insecureSkipTlsVerify?: boolean;
  /** --token: bearer token; replaces the user's token, token file, exec plugin and auth provider */
  token?: string;
  /** --client-certificate / --client-key: files that replace the user's client certificate / key */
  clientCertificate?: string;
  clientKey?: string;
  /** --as / --as-group: Impersonate-User and Impersonate-Group headers */
  as?: string;
  asGroups?: string[];
  /** --request-timeout in milliseconds; 0 = no timeout; unset = 30 s per request */
  requestTimeoutMs?: number;
}

/**
 * client-go's ParseTimeout: a non-negative integer is seconds, anything else a Go duration
 * (`1.5s`, `2m`, `1h30m`, `300ms`, `10us`, `5ns`); `0` means no timeout. Exit 2 otherwise,
 * with kubectl's wording.
 */
export function parseRequestTimeout(text: string): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const ms = goDurationMs(t);
  if (ms === undefined || ms < 0) {
    throw new KsecError(`invalid --request-timeout "${text}": a timeout is a single integer in seconds, or an integer followed by a unit (e.g. 1s | 2m | 3h)`, {
      hint: '0 means no timeout',
    });
  }
  return ms;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; undefined when it would not parse. */
function goDurationMs(text: string): number | undefined {
  const m = /^([-+]?)(.*)$/.exec(text)!;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2]!;
  if (body === '0') return 0;
  if (body === '') return undefined;
  const re = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const part = re.exec(body);
    if (!part) return undefined;
    total += Number(part[1]) * UNIT_MS[part[2]!]!;
    at = re.lastIndex;
  }
  return sign * total;
}

/** Flag combinations kubectl refuses, before anything is loaded (exit 2). */
export function checkConnection(c: ClusterConnection): void {
  if (c.asGroups?.length && !c.as) {
    throw new KsecError('--as-group needs --as: impersonating groups requires impersonating a user', { hint: 'add --as USER' });
  }
  if (c.insecureSkipTlsVerify && c.certificateAuthority) {
    throw new KsecError('--certificate-authority and --insecure-skip-tls-verify do not combine', {
      hint: 'pass the CA to check the server, or skip the check, not both',
    });
  }
  if (c.server !== undefined && !/^https?:\/\/[^/]/i.test(c.server)) {
    throw new KsecError(`--server must be an http(s) URL such as https://host:6443, not "${c.server.slice(0, 100)}"`, {
      hint: 'the API server address from the kubeconfig\'s clusters[].cluster.server',
    });
  }
}
