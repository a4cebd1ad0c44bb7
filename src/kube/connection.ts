/**
 * kubectl's connection flags as data (client-go's clientcmd.ConfigOverrides,
 * the subset kubeseal binds): which kubeconfig, context, cluster and user,
 * and the fields that override them. How they combine with a kubeconfig is
 * config.ts's job; this module only holds and checks the values (--request-timeout's text is
 * parsed with the other flags, src/commands/shared-flags.ts).
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
