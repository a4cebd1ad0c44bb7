/**
 * `ksec sops decrypt` and `ksec sops status`: SOPS files encrypted with age.
 * Flags only; the implementation loads inside the actions.
 */
import { Option, type Command } from 'commander';
import { implementation } from './implementations.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerSops(program: Command): void {
  const sops = program
    .command('sops')
    .description('read, verify and check SOPS files encrypted with age (no plaintext on disk)')
    .addHelpText(
      'after',
      `
Examples:
  ksec sops decrypt secrets/db.enc.yaml
  ksec sops decrypt secrets/db.enc.yaml -o json --age-key-file ~/.config/sops/age/keys.txt
  ksec sops status secrets/

age identities: --age-key-file, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, $XDG_CONFIG_HOME/sops/age/keys.txt
(default ~/.config/sops/age/keys.txt); all found are tried, as sops does. X25519 (AGE-SECRET-KEY-1...)
and post-quantum (AGE-SECRET-KEY-PQ-1..., age-keygen -pq; needs Node.js >= 24.7) keys. See docs/sops.md.`,
    );

  sops
    .command('decrypt')
    .description('decrypt a SOPS file and verify its MAC; prints what `sops decrypt` prints')
    .argument('<file>', 'SOPS-encrypted YAML, JSON or dotenv file (- for stdin)')
    .option('-o, --output-format <format>', 'yaml, json or dotenv (default: the input format)')
    .option('--input-format <format>', 'yaml, json or dotenv (default: from the extension, else the content)')
    .option('--age-key-file <file>', 'age identity file (repeatable)', collect)
    .option('-w, --write <file>', 'write the plaintext to this file (atomically, mode 0600) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  ksec sops decrypt secret.enc.yaml
  ksec sops decrypt secret.enc.json -o yaml
  ksec sops decrypt app.enc.env --age-key-file keys.txt -w app.env
  ksec sops decrypt pq.enc.yaml --age-key-file pq-key.txt   # age1pq1... recipient, Node.js >= 24.7

Exit codes: 0 decrypted and MAC verified; 2 no matching identity, tampered value or MAC, bad input.`,
    )
    .action(async (file: string, opts) => {
      const { runDecrypt } = await implementation('sops');
      await runDecrypt(file, opts);
    });

  sops
    .command('status')
    .description('check SOPS files without keys: every value encrypted per the file\'s rules, metadata intact')
    .argument('<paths...>', 'files or directories')
    .addOption(new Option('-o, --output <format>', 'report format: text or json').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  ksec sops status secrets/db.enc.yaml
  ksec sops status secrets/ -o json

Exit codes: 0 all files fully encrypted with intact metadata; 1 a file is not a SOPS file,
has an unencrypted value or damaged metadata; 2 bad input.`,
    )
    .action(async (paths: string[], opts) => {
      const { runStatus } = await implementation('sops');
      await runStatus(paths, opts);
    });
}
