/** A one-cluster, one-user kubeconfig in a fresh directory (TLS verification off: the fake API servers speak plain http). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writeKubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>, namespace?: string): { dir: string; kubeconfig: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-kc-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { 'insecure-skip-tls-verify': true, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', ...(namespace ? { namespace } : {}) } }],
      'current-context': 'x',
    }),
  );
  return { dir, kubeconfig };
}
