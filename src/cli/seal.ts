/**
 * `ksec seal`: kubeseal's sealing flags, same names, plus many inputs and
 * several certificates in one run. Flags and help only; the command
 * (src/commands/seal.ts) loads inside the action.
 */
import type { Command } from 'commander';
import { addControllerOptions, collect } from './shared-flags.js';
import { implementation } from './implementations.js';

export function registerSeal(program: Command): void {
  const cmd = program
    .command('seal')
    .description('seal Secrets into SealedSecrets (kubeseal-compatible; no cluster needed with --cert)')
    .argument('[inputs...]', 'Secret files or directories (default: -f, else stdin)')
    .option('--cert <source>', 'certificate file, http(s) URL or PEM; repeat as NAME=SOURCE to seal for several clusters', collect)
    .option('--fetch-cert', 'print the controller certificate (from --cert or the cluster) and exit')
    .option('--validate', 'ask the controller in the cluster whether it can decrypt the input SealedSecrets (offline: ksec validate)')
    .option('--re-encrypt', 'have the controller re-seal the input SealedSecret with its newest key (offline: ksec reencrypt)')
    .option('--in-place', '(with --re-encrypt) rewrite the input file atomically, as kubeseal --re-encrypt -f FILE does');
  addControllerOptions(cmd)
    .option('-f, --secret-file <file>', 'Secret (input) file or directory; repeatable', collect)
    .option('-o, --format <format>', 'json or yaml (default: json on stdout as kubeseal, yaml for files, else from the -w extension)')
    .option('-w, --sealed-secret-file <file>', 'write to this file atomically; {cluster} is replaced per --cert')
    .option('--output-dir <dir>', 'write <name>.sealed.yaml files here (per cluster in <dir>/<cluster>/ with several --cert)')
    .option('--name <name>', 'name of the sealed secret (required with --raw and strict scope)')
    .option('-n, --namespace <ns>', 'namespace for Secrets without one; an error when an input names another')
    .option('--scope <scope>', 'strict, namespace-wide or cluster-wide (default: the input\'s annotations, else strict)')
    .option('--raw', 'seal one raw value from --from-file or stdin; prints its base64 ciphertext')
    .option('--from-file <[key=]file>', '(only with --raw) the value to seal', collect)
    .option('--merge-into <file>', 're-seal only the input\'s keys into this SealedSecret file, in place')
    .option('--allow-empty-data', 'allow a Secret without data')
    .option('--from-sops <file>', 'a SOPS-encrypted Secret (age): decrypted and MAC-checked in memory, then sealed; repeatable', collect)
    .option('--age-key-file <file>', '(with --from-sops) age identity file; also SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt', collect)
    .option('-v, --verbose', 'name every file written (otherwise one progress line and a count, on a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  ksec seal --cert examples/keys/demo-sealed-secrets.crt -f examples/secrets/app-secret.yaml -o yaml
  kubectl create secret generic db --from-literal=password=s3cr3t --dry-run=client -o yaml | ksec seal --cert cert.pem -o yaml
  ksec seal --controller-name sealed-secrets-controller --controller-namespace kube-system -f secret.yaml -w sealed.yaml
  ksec seal --cert https://sealed-secrets.example.com/v1/cert.pem secrets/        # writes secrets/*.sealed.yaml
  ksec seal --cert prod=prod.pem --cert stage=stage.pem secrets/ --output-dir sealed/   # sealed/prod/..., sealed/stage/...
  ksec seal --cert cert.pem -f new-key.yaml --merge-into sealed/db.yaml
  echo -n s3cr3t | ksec seal --cert cert.pem --raw --name db -n prod
  ksec seal --fetch-cert > cert.pem
  ksec seal --from-sops secrets/db.enc.yaml --cert cert.pem -o yaml -w sealed/db.yaml
  ksec seal --validate -f sealed/db.yaml                       # the controller decrypts it? exit 1 if not
  ksec seal --re-encrypt -f sealed/db.yaml --in-place          # rewritten with the controller's newest key
  ksec seal --fetch-cert --server https://k8s.example:6443 --token "$TOKEN" --certificate-authority ca.crt

--validate and --re-encrypt ask the controller through the API server's service proxy (/v1/verify,
/v1/rotate), as kubeseal does; ksec validate and ksec reencrypt do the same offline with keys or a
certificate. The connection flags (--server, --token, --as, ...) are kubectl's.
Output: one input file (or stdin) goes to stdout like kubeseal; directories, several inputs and
--output-dir write <base>.sealed.yaml per input file, all files or none. Exit codes: 0 ok,
1 (--validate) a SealedSecret the controller cannot decrypt, 2 bad input (YAML, kind, certificate,
namespace), 3 cluster unreachable, credentials refused or forbidden (401/403). See docs/seal.md.`,
    )
    .action(async (inputs: string[], opts) => {
      const { runSeal } = await implementation('seal');
      await runSeal(inputs, opts);
    });
}
