/**
 * `ksec cert`: what a sealing certificate is — the SHA256 fingerprint the
 * controller and kubeseal key it by, subject, validity. Flags and help only;
 * the command (src/commands/cert.ts, and the Kubernetes client for --fetch)
 * loads inside the action.
 */
import type { Command } from 'commander';
import { addControllerOptions } from './shared-flags.js';
import { implementation } from './implementations.js';

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
  ksec cert --fetch --server https://k8s.example.com:6443 --token "$TOKEN" --certificate-authority ca.crt
  ksec cert --fetch --context prod --as deployer --request-timeout 10s

Connection flags are kubectl's (--kubeconfig, --context, --cluster, --user, --server, --token, --as,
--as-group, --client-certificate, --client-key, --certificate-authority, --insecure-skip-tls-verify,
--request-timeout); see docs/seal.md "Connection flags".

Exit codes: 0 valid now; 1 expired or not yet valid (the details are still printed);
2 not a certificate / not RSA / missing file / unreachable URL; 3 cluster unreachable, credentials
refused or forbidden (--fetch).`,
    )
    .action(async (opts) => {
      const { runCert } = await implementation('cert');
      await runCert(opts);
    });
}
