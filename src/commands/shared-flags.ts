/**
 * The values of the flags declared in src/cli/shared-flags.ts, as the options
 * the domain functions take.
 */
import type { ClusterConnection } from '../kube/connection.js';
import { parseRequestTimeout } from '../kube/connection.js';
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
