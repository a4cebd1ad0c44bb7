/**
 * `ksec doctor`: the cluster's secret machinery in one report. Flags and help only; the command
 * (src/commands/doctor.ts) loads inside the action.
 */
import { Option, type Command } from 'commander';
import { addControllerOptions } from './shared-flags.js';
import { implementation } from './implementations.js';

export function registerDoctor(program: Command): void {
  addControllerOptions(
    program.command('doctor').description('check the cluster\'s Sealed Secrets, External Secrets and reloads: ok / warn / fail with a reason and a hint'),
  )
    .addOption(new Option('-o, --output <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('-n, --namespace <ns>', 'only this namespace (default: all; cluster-scoped objects and the controller\'s keys are read all the same)')
    .option('--area <list>', 'only these areas, comma-separated: sealed-secrets, external-secrets, reloads, hygiene')
    .option('--key-renew-period <duration>', 'the sealed-secrets controller\'s --key-renew-period (0: renewal off, not checked)', '720h')
    .option('--lease-name <name>', 'the Lease ksec watch holds (its --lease-name)', 'ksec-watch')
    .option('--watcher-url <url>', 'ksec watch\'s HTTP address, to ask its /readyz (e.g. through kubectl port-forward)')
    .addHelpText(
      'after',
      `
Examples:
  ksec doctor                                   # every area, the current kubeconfig context
  ksec doctor --area sealed-secrets --controller-namespace sealed-secrets
  ksec doctor -n shop                           # one namespace (namespaced RBAC is enough)
  ksec doctor -o json | jq '.[] | select(.status != "ok")'
  ksec doctor --watcher-url http://127.0.0.1:8080   # with kubectl port-forward deploy/ksec-watch 8080

Areas: sealed-secrets (controller, keys: count, renewal, expiry; each SealedSecret Synced, its
Secret present and as sealed), external-secrets (stores Ready; ExternalSecrets Ready and refreshed
within their interval; provider API calls per hour), reloads (STAKATER_* variables behind their
config, Deployments left paused, ReplicaSet churn, the watcher's Lease), hygiene (references to
missing ConfigMaps/Secrets, credentials as literal env values). Values are never printed.
Needs get/list on what it reads (docs/doctor.md#rbac); an area it may not read is a warn.
Exit codes: 0 no check fails (warnings allowed); 1 a check fails; 2 bad flags; 3 cluster unreachable.`,
    )
    .action(async (opts) => {
      const { runDoctor } = await implementation('doctor');
      await runDoctor(opts);
    });
}
