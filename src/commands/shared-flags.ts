/**
 * The values of the flags declared in src/cli/shared-flags.ts, as the options
 * the domain functions take.
 */
import { KsecError } from '../errors.js';
import type { ClusterConnection } from '../kube/connection.js';
import type { ControllerRef } from '../seal/controller-api.js';

/** The flags of addClusterOptions(), as commander names them: the connection, but --as-group and --request-timeout as typed. */
export type ClusterFlags = Omit<ClusterConnection, 'asGroups' | 'requestTimeoutMs'> & { asGroup?: string[]; requestTimeout?: string };

/** The connection flags as loadKubeClient's options (an invalid --request-timeout is exit 2). */
export function clusterConnection(flags: ClusterFlags): ClusterConnection {
  const { asGroup, requestTimeout, ...same } = flags;
  const c: ClusterConnection = {
    kubeconfig: same.kubeconfig,
    context: same.context,
    cluster: same.cluster,
    user: same.user,
    server: same.server,
    certificateAuthority: same.certificateAuthority,
    insecureSkipTlsVerify: same.insecureSkipTlsVerify,
    token: same.token,
    clientCertificate: same.clientCertificate,
    clientKey: same.clientKey,
    as: same.as,
    asGroups: asGroup,
    requestTimeoutMs: requestTimeout === undefined ? undefined : parseRequestTimeout(requestTimeout),
  };
  // only the flags given, so `{ ...connection }` never overwrites with undefined
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as ClusterConnection;
}

export interface ControllerFlags extends ClusterFlags {
  controllerName?: string;
  controllerNamespace?: string;
}

export function controllerRef(flags: ControllerFlags): ControllerRef {
  return { ...clusterConnection(flags), controllerName: flags.controllerName, controllerNamespace: flags.controllerNamespace };
}

export interface PrivateKeyFlags {
  privateKey?: string[];
  recoveryPrivateKey?: string[];
}

/** Every private key file named by --private-key / --recovery-private-key, comma lists split as kubeseal does. */
export function privateKeyPaths(flags: PrivateKeyFlags): string[] {
  return [...(flags.privateKey ?? []), ...(flags.recoveryPrivateKey ?? [])].flatMap((v) => v.split(',')).filter((v) => v !== '');
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
