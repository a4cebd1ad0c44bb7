/**
 * `ksec checksum`: config hashes, and stamping them on workloads' pod
 * templates. Flags only; the implementation loads inside the actions.
 */
import type { Command } from 'commander';
import { implementation } from './implementations.js';

export function registerChecksum(program: Command): void {
  const checksum = program
    .command('checksum')
    .description('hash ConfigMaps and Secrets; stamp workloads so config changes roll them out')
    .argument('[inputs...]', 'files, directories or - for stdin', ['-'])
    .option('-a, --algorithm <name>', 'ksec (sha256, canonical), reloader (stakater Reloader\'s value) or kustomize (the generator name suffix)', 'ksec')
    .option('--reloader-digest <digest>', 'with --algorithm reloader: sha1 (Reloader <= v1.4) or sha512-256 (later releases)', 'sha1')
    .option('-o, --output <format>', 'text (Kind/namespace/name hash) or json', 'text')
    .option('-n, --namespace <ns>', 'namespace to show for objects without one')
    .addHelpText(
      'after',
      `
Prints one line per ConfigMap, Secret, SealedSecret and ExternalSecret (reloader and
kustomize: ConfigMaps and Secrets only). Values are never printed.

Examples:
  ksec checksum deploy/
  helm template my-app ./chart | ksec checksum -
  ksec checksum --algorithm kustomize -o json base/configmap.yaml
  ksec checksum --algorithm reloader --reloader-digest sha512-256 secret.yaml

See docs/checksum.md.`,
    )
    .action(async (inputs: string[], opts) => {
      const { runList } = await implementation('checksum');
      await runList(inputs, opts);
    });

  checksum
    .command('annotate')
    .description(`stamp ksec.dev/config-hash on every workload's pod template, in place`)
    .argument('[inputs...]', 'files, directories or - (stdin to stdout)', ['-'])
    .option('--check', 'change nothing; exit 1 when a stamp is missing or stale (for CI)')
    .option('--strict', 'a referenced ConfigMap/Secret missing from the inputs is an error, not a warning')
    .option('-n, --namespace <ns>', 'namespace of objects without one')
    .addHelpText(
      'after',
      `
Hashes what each Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob and Argo
Rollout references (env, envFrom, volumes, projected volumes) among the inputs, and writes
the combined hash to spec.template.metadata.annotations, keeping comments and formatting.
SealedSecrets and ExternalSecrets count as the Secret they produce. Files are written
all or none. Exit codes: 0 ok, 1 stale or missing (--check), 2 bad input.

Examples:
  ksec checksum annotate deploy/
  ksec checksum annotate deploy/ --check
  helm template my-app ./chart | ksec checksum annotate - | kubectl apply -f -
  kustomize build overlays/prod | ksec checksum annotate --strict -

See docs/checksum.md.`,
    )
    .action(async (inputs: string[], opts) => {
      const { runAnnotate } = await implementation('checksum');
      await runAnnotate(inputs, opts);
    });
}
