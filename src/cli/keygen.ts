/**
 * `ksec keygen`: a controller key pair the sealed-secrets controller takes as
 * its own (bring your own key). Flags and help only; the command
 * (src/commands/keygen.ts) loads inside the action.
 */
import type { Command } from 'commander';
import { implementation } from './implementations.js';

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('generate a sealed-secrets controller key: RSA key (0600), self-signed cert, and the tls Secret to apply')
    .requiredOption('--out-dir <dir>', 'directory for NAME.key, NAME.crt and NAME.yaml (created 0700 if missing)')
    .option('--name <name>', 'Secret name (default: sealed-secrets-key-<8 hex of the key>)')
    .option('-n, --namespace <ns>', 'the controller\'s namespace', 'kube-system')
    .option('--key-size <bits>', 'RSA modulus size (the controller\'s --key-size)', '4096')
    .option('--key-ttl <duration>', 'certificate validity, e.g. 87600h or 3650d (the controller\'s --key-ttl)', '87600h')
    .option('--my-cn <cn>', 'certificate subject/issuer CN (the controller\'s --my-cn; empty by default)', '')
    .option('--force', 'overwrite existing files')
    .addHelpText(
      'after',
      `
Examples:
  ksec keygen --out-dir keys/
  ksec keygen --out-dir keys/ --name sealed-secrets-key-2027 --key-ttl 17520h --my-cn sealed-secret

Then: kubectl apply -f keys/NAME.yaml, restart the controller (it picks up every Secret labelled
sealedsecrets.bitnami.com/sealed-secrets-key=active and seals with the newest), seal with
ksec seal --cert keys/NAME.crt, and keep keys/NAME.key offline (it opens every value sealed for it).
Exit codes: 0 written; 2 bad flags or files exist (use --force).`,
    )
    .action(async (opts) => {
      const { runKeygen } = await implementation('keygen');
      await runKeygen(opts);
    });
}
