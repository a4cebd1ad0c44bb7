/**
 * `ksec cert`: what a sealing certificate is — the SHA256 fingerprint the
 * controller and kubeseal key it by, subject, validity. Flags and help only;
 * the command (src/commands/cert.ts, and the Kubernetes client for --fetch)
 * loads inside the action.
 */
import type { Command } from 'commander';
import { addControllerOptions } from './shared-flags.js';

export function registerCert(program: Command): void {
  const cmd = program
    .command('cert')
    .description('show a sealing certificate: kubeseal\'s SHA256 fingerprint, subject, validity; --fetch it from the controller')
    .option('--cert <file|url>', 'PEM certificate file, http(s) URL, or - for stdin')
    .option('--fetch', 'fetch the certificate from the controller through the Kubernetes API (like kubeseal --fetch-cert)');
  addControllerOptions(cmd)
    .option('-o, --format <format>', 'text, json or pem (pem prints the certificate itself, e.g. to save a fetched one)', 'text')
    .addHelpText(
      'after',
      `
Examples:
  ksec cert --cert examples/keys/demo-sealed-secrets.crt
  ksec cert --fetch --controller-namespace sealed-secrets --controller-name sealed-secrets -o json
  ksec cert --fetch -o pem > pub-cert.pem

Exit codes: 0 valid now; 1 expired or not yet valid (the details are still printed);
2 not a certificate / not RSA / missing file / unreachable URL; 3 cluster unreachable (--fetch).`,
    )
    .action(async (opts) => {
      const { runCert } = await import('../commands/cert.js');
      await runCert(opts);
    });
}
