/**
 * `ksec validate`: offline checks of SealedSecrets (structure, base64, length
 * prefix vs the cert's modulus, scope annotations; with keys, a decrypt
 * check). Flags and help only; the command (src/commands/validate.ts) loads
 * inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions, addSealedSecretFileOption } from './shared-flags.js';
import { implementation } from './implementations.js';

export function registerValidate(program: Command): void {
  const cmd = addSealedSecretFileOption(
    program
      .command('validate')
      .description('check SealedSecrets offline: structure, base64, length vs the cert, scope annotations; decrypt check with keys'),
  ).option('--cert <file|url>', 'the sealing certificate: every value must fit its RSA modulus');
  addPrivateKeyOptions(cmd, false)
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (needed for the decrypt check)')
    .option('-o, --format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Examples:
  ksec validate -f sealed/
  ksec validate -f sealed/ --cert pub-cert.pem
  ksec validate -f db-sealed.yaml --private-key keys-backup.yaml -o json

Offline: no cluster. To ask the controller in the cluster instead (as kubeseal --validate): ksec seal --validate.
Each problem is one line: file:line: object: encryptedData.KEY: message [code]. Values are never printed.
Exit codes: 0 all valid; 1 a SealedSecret is invalid; 2 bad input (no SealedSecret, unreadable file or key).`,
    )
    .action(async (opts) => {
      const { runValidate } = await implementation('validate');
      await runValidate(opts);
    });
}
