/**
 * `ksec unseal`: SealedSecret -> Secret offline, with the controller's
 * private keys (kubeseal --recovery-unseal). Flags and help only; the command
 * (src/commands/unseal.ts) loads inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions, addSealedSecretFileOption, collect } from './shared-flags.js';
import { implementation } from './implementations.js';

export function registerUnseal(program: Command): void {
  const cmd = program
    .command('unseal')
    .description('decrypt SealedSecrets offline with the controller\'s private keys (kubeseal --recovery-unseal)');
  addPrivateKeyOptions(addSealedSecretFileOption(cmd), true)
    .option('-o, --format <format>', 'yaml or json (default: from the -w extension, else yaml)')
    .option('--data-key <key>', 'print only the decoded value of this key (repeatable; one value per line when several)', collect)
    .option('-w, --write <file>', 'write the Secret to this file (atomically, mode 0600) instead of stdout')
    .option('-n, --namespace <ns>', 'namespace for a SealedSecret that has none (the one it is applied in)')
    .addHelpText(
      'after',
      `
Examples:
  ksec unseal -f db-sealed.yaml --private-key sealed-secrets.key
  kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > keys.yaml
  ksec unseal -f db-sealed.yaml --private-key keys.yaml --data-key password
  ksec unseal -f sealed/ --recovery-private-key old.key,new.key -o json -w secrets.json

The Secret goes to stdout unless -w is given; nothing is ever written beside the input.
Exit codes: 0 unsealed; 2 bad input: no key opens a value (the message says whether the
key, the scope or the namespace/name is wrong), damaged value, missing file.`,
    )
    .action(async (opts) => {
      const { runUnseal } = await implementation('unseal');
      await runUnseal(opts);
    });
}
