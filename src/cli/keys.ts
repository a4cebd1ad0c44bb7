/**
 * `ksec keys`: which controller key opens what in a Git tree, offline
 * (inventory), and the `ksec reencrypt` commands that move everything to the
 * newest key (rotate-plan). Flags and help only; the command
 * (src/commands/keys.ts) loads inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions } from './shared-flags.js';
import { implementation } from './implementations.js';

const KEY_INPUTS = `
Keys (--private-key, repeatable, comma lists too): PEM private keys, controller key backups
(kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml),
or directories of them (e.g. ksec keygen's NAME.key + NAME.crt). A key's certificate gives
its dates and tells the newest key (latest notBefore, as the controller picks it): it is
read from the backup Secret's tls.crt or a PEM certificate in the same file or directory.`;

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('which controller key opens which SealedSecret (offline), and the plan to move all to the newest key')
    .addHelpText(
      'after',
      `
Examples:
  ksec keys inventory --private-key keys.yaml clusters/prod/
  ksec keys rotate-plan --private-key keys.yaml clusters/prod/ > rotate.sh`,
    );

  addPrivateKeyOptions(
    keys
      .command('inventory')
      .description('for every SealedSecret under PATHS, the key that opens it; per key: fingerprint, dates, items, newest')
      .argument('<paths...>', 'files or directories with SealedSecrets (directories are walked for .yaml/.yml/.json)'),
    true,
  )
    .option('-o, --format <format>', 'text or json', 'text')
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (the one they are applied in)')
    .option('--require-newest', 'exit 1 also when a SealedSecret is sealed with a key older than the newest (CI, after a rotation)')
    .addHelpText(
      'after',
      `
Examples:
  kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > keys.yaml
  ksec keys inventory --private-key keys.yaml clusters/prod/
  ksec keys inventory --private-key keys/ apps/ -o json | jq '.items[] | select(.key == null)'
${KEY_INPUTS}

Reports per key its fingerprint (as ksec cert prints it), notBefore/notAfter, how many
SealedSecrets it opens and whether it is the newest; SealedSecrets no given key opens;
SealedSecrets sealed with an older key (candidates for ksec reencrypt: see ksec keys rotate-plan);
and keys that open nothing in this tree. Values are never printed.
Exit codes: 0 every SealedSecret opens; 1 some SealedSecret opens with no given key (with
--require-newest: or is sealed with an older key); 2 bad input (unreadable file or key, no SealedSecret found).`,
    )
    .action(async (paths: string[], opts) => {
      const { runKeysInventory } = await implementation('keys');
      await runKeysInventory(paths, opts);
    });

  addPrivateKeyOptions(
    keys
      .command('rotate-plan')
      .description('print the exact ksec reencrypt commands that move every SealedSecret under PATHS to the newest key')
      .argument('<paths...>', 'files or directories with SealedSecrets'),
    true,
  )
    .option('--cert <file>', "the newest key's certificate file to seal for (default: the one found beside the key)")
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (the one they are applied in)')
    .addHelpText(
      'after',
      `
Examples:
  ksec keys rotate-plan --private-key keys.yaml clusters/prod/ > rotate.sh
  sh rotate.sh     # re-seals in place, then re-runs the inventory to prove nothing is left on older keys
${KEY_INPUTS}

The plan is a sh script on stdout: one ksec reencrypt --in-place per batch of files holding SealedSecrets
on older keys (with the private keys that open those files), then ksec keys inventory again.
When the newest certificate is only inside a backup Secret, the script first writes it to a
.crt file (a certificate is public). Files with a SealedSecret no key opens are left out: ksec
reencrypt would refuse them.
Exit codes: 0 plan printed (or nothing to move); 1 some SealedSecret opens with no given key (left
out of the plan); 2 bad input (no key has a certificate, so the newest is unknown; --cert that is
not the newest key's; the newest certificate has expired).`,
    )
    .action(async (paths: string[], opts) => {
      const { runKeysRotatePlan } = await implementation('keys');
      await runKeysRotatePlan(paths, opts);
    });
}
