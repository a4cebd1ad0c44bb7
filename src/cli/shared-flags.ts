/**
 * Flags that several commands take, declared once: one name, one help text and
 * one default each. Their values become domain options in
 * src/commands/shared-flags.ts.
 */
import type { Command } from 'commander';

/** Parser of a repeatable option: every value, in the order given. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Where the sealed-secrets controller runs (--controller-name, --controller-namespace) and how to reach the cluster (addClusterOptions). */
export function addControllerOptions(cmd: Command): Command {
  cmd
    .option('--controller-name <name>', 'sealed-secrets controller Service name', 'sealed-secrets-controller')
    .option('--controller-namespace <ns>', 'sealed-secrets controller namespace', 'kube-system');
  return addClusterOptions(cmd);
}

/**
 * kubectl's (and kubeseal's) connection flags, for every command that talks to a cluster:
 * one line, `addClusterOptions(cmd)`; the values become loadKubeClient's options through
 * clusterConnection() in src/commands/shared-flags.ts. Precedence is kubectl's: these flags
 * override the kubeconfig context's cluster and user fields (docs/seal.md, "Connection flags").
 */
export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, a path list, else ~/.kube/config; in a pod, its service account)')
    .option('--context <name>', 'kubeconfig context to use (default: current-context)')
    .option('--cluster <name>', 'kubeconfig cluster to use instead of the context\'s')
    .option('--user <name>', 'kubeconfig user to use instead of the context\'s')
    .option('--server <url>', 'API server URL (overrides the cluster\'s; works without a kubeconfig)')
    .option('--certificate-authority <file>', 'CA file to check the API server\'s certificate with')
    .option('--insecure-skip-tls-verify', 'do not check the API server\'s certificate (insecure)')
    .option('--token <token>', 'bearer token (overrides the user\'s credentials)')
    .option('--client-certificate <file>', 'client certificate file for TLS authentication')
    .option('--client-key <file>', 'client key file for TLS authentication')
    .option('--as <user>', 'user to impersonate (Impersonate-User)')
    .option('--as-group <group>', 'group to impersonate (Impersonate-Group); repeatable', collect)
    .option('--request-timeout <duration>', 'longest wait for one API request: seconds or a duration (10, 1s, 2m); 0 = none (default 30s)');
}

/** `--private-key` (repeatable, comma lists allowed as in kubeseal) and its kubeseal alias `--recovery-private-key`. */
export function addPrivateKeyOptions(cmd: Command, required: boolean): Command {
  const what = required ? '' : ' (optional: adds a decrypt check)';
  return cmd
    .option(
      '--private-key <file>',
      `controller private key: PEM (PKCS#1/PKCS#8) or a key backup Secret/List YAML or JSON; repeatable, all are tried${what}`,
      collect,
    )
    .option('--recovery-private-key <file>', 'alias of --private-key (kubeseal\'s name)', collect);
}

/** `-f, --file`: the SealedSecrets a command reads. */
export function addSealedSecretFileOption(cmd: Command): Command {
  return cmd.option('-f, --file <file>', 'SealedSecret file or directory (repeatable; default: stdin)', collect);
}
