/** Writes kubeconfig files for the bed's apiserver (admin, or any bearer token such as a TokenRequest SA token). */
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caFile: string;
  user: string;
  token?: string;
  clientCertFile?: string;
  clientKeyFile?: string;
  namespace?: string;
}

export function renderKubeconfig(k: KubeconfigInput): string {
  const user: Record<string, string> = {};
  if (k.token) user['token'] = k.token;
  if (k.clientCertFile) user['client-certificate-data'] = readFileSync(k.clientCertFile).toString('base64');
  if (k.clientKeyFile) user['client-key-data'] = readFileSync(k.clientKeyFile).toString('base64');
  const context: Record<string, string> = { cluster: 'ksec-testbed', user: k.user };
  if (k.namespace) context['namespace'] = k.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'ksec-testbed',
        cluster: { server: k.server, 'certificate-authority-data': readFileSync(k.caFile).toString('base64') },
      },
    ],
    users: [{ name: k.user, user }],
    contexts: [{ name: k.user, context }],
    'current-context': k.user,
  });
}

export function writeKubeconfig(path: string, k: KubeconfigInput): string {
  writeFileSync(path, renderKubeconfig(k), { mode: 0o600 });
  return path;
}
