/**
 * Flags that several commands take, declared once: one name, one help text and
 * one default each. Their values become domain options in
 * src/commands/shared-flags.ts.
 */
import type { Command } from 'commander';

/** Parser of a repeatable option: every value, in the order given. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Where the sealed-secrets controller runs: --controller-name, --controller-namespace, --kubeconfig, --context. */
export function addControllerOptions(cmd: Command): Command {
  return cmd
    .option('--controller-name <name>', 'sealed-secrets controller Service name', 'sealed-secrets-controller')
    .option('--controller-namespace <ns>', 'sealed-secrets controller namespace', 'kube-system')
    .option('--kubeconfig <file>', 'kubeconfig for fetching the certificate (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context');
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
