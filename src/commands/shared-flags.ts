/**
 * The values of the flags declared in src/cli/shared-flags.ts, as the options
 * the domain functions take.
 */
import type { ClusterConnection } from '../kube/connection.js';
import { parseRequestTimeout } from '../kube/connection.js';
import type { ControllerRef } from '../seal/controller-api.js';

/** The flags of addClusterOptions(), as commander names them. */
export interface ClusterFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  token?: string;
  clientCertificate?: string;
  clientKey?: string;
  as?: string;
  asGroup?: string[];
  requestTimeout?: string;
}

/** The connection flags as loadKubeClient's options (an invalid --request-timeout is exit 2). */
export function clusterConnection(flags: ClusterFlags): ClusterConnection {
  const c: ClusterConnection = {
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    cluster: flags.cluster,
    user: flags.user,
    server: flags.server,
    certificateAuthority: flags.certificateAuthority,
    insecureSkipTlsVerify: flags.insecureSkipTlsVerify,
    token: flags.token,
    clientCertificate: flags.clientCertificate,
    clientKey: flags.clientKey,
    as: flags.as,
    asGroups: flags.asGroup,
    requestTimeoutMs: flags.requestTimeout === undefined ? undefined : parseRequestTimeout(flags.requestTimeout),
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
