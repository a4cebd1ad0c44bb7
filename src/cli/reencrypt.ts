/**
 * `ksec reencrypt`: rotate SealedSecrets to a new certificate offline, with
 * the old private keys (kubeseal --re-encrypt needs the cluster). Flags and
 * help only; the command (src/commands/reencrypt.ts) loads inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions, addSealedSecretFileOption } from './shared-flags.js';
import { implementation } from './implementations.js';

export function registerReencrypt(program: Command): void {
  const cmd = addSealedSecretFileOption(
    program.command('reencrypt').description('re-seal SealedSecrets for a new certificate offline, using the old private keys'),
  ).requiredOption('--cert <file|url>', 'the new sealing certificate (PEM file or http(s) URL)');
  addPrivateKeyOptions(cmd, true)
    .option('--in-place', 'rewrite the files in place (atomically, all or none) instead of printing them')
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (the one they are applied in)')
    .addHelpText(
      'after',
      `
Examples:
  ksec reencrypt -f sealed/ --private-key old-keys.yaml --cert new-cert.pem --in-place
  ksec reencrypt -f db-sealed.yaml --private-key old.key --cert https://certs.example.com/prod.pem > db-new.yaml

Scope, name, namespace and everything outside encryptedData stay as they are; YAML keeps its comments.
A value already sealed for the new certificate (its key among --private-key) is left byte for byte.
Exit codes: 0 done; 2 bad input: a value no key opens (nothing is written), expired cert, bad file.`,
    )
    .action(async (opts) => {
      const { runReencrypt } = await implementation('reencrypt');
      await runReencrypt(opts);
    });
}
