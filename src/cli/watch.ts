/**
 * `ksec watch`: the in-cluster watcher (a drop-in for stakater Reloader).
 * Flags only; the implementation and the Kubernetes client load in the action.
 */
import type { Command } from 'commander';
import { addClusterOptions } from './shared-flags.js';
import { implementation } from './implementations.js';

const list = (value: string, previous: string[] = []) => previous.concat(value.split(',').map((s) => s.trim()).filter(Boolean));
/** each occurrence as given: Reloader's string slices are split (CSV) when the command runs */
const raw = (value: string, previous: string[] = []) => previous.concat(value);

export function registerWatch(program: Command): void {
  const cmd = program
    .command('watch')
    .description('roll workloads when the ConfigMaps and Secrets they use change (Reloader-compatible)');
  addClusterOptions(cmd)
    .option('--namespaces <list>', 'watch only these namespaces (comma list; default all)', list, [])
    .option('--namespaces-to-ignore <list>', 'never act in these namespaces (comma list)', list, [])
    .option('--namespace-selector <selector>', 'act only in namespaces matching this label selector, e.g. reloader=enabled (repeatable; Reloader\'s k:v and k:* forms work)', raw, [])
    .option('--resource-label-selector <selector>', 'consider only ConfigMaps/Secrets matching this label selector (repeatable; k:v and k:* work)', raw, [])
    .option('--resources-to-ignore <list>', 'configmaps and/or secrets: do not watch them', list, [])
    .option('--ignored-workload-types <list>', 'deployments, statefulsets, daemonsets, cronjobs, rollouts: never roll these', list, [])
    .option('--auto-reload-all [bool]', 'treat every workload without an auto annotation as reloader.stakater.com/auto: "true"')
    .option('--reload-strategy <name>', 'annotations (pod-template hash, default) or env-vars (Reloader\'s STAKATER_<NAME>_<TYPE> variable)', 'annotations')
    .option('--debounce <duration>', 'changes to one workload\'s configs within this window become one rollout (0 = off)', '2s')
    .option('--min-interval <duration>', 'at least this long between two rollouts of the same workload', '0s')
    .option('--patch-qps <n>', 'global limit on rollout patches per second (excess waits in a queue)', '50')
    .option('--patch-burst <n>', 'patches allowed at once before --patch-qps applies', '100')
    .option('--dry-run', 'log what would be rolled; patch nothing')
    .option('--no-events', 'do not create Kubernetes Events (Reloaded / ReloadFail) on workloads')
    .option('--leader-elect', 'run several replicas; one leads, using a coordination.k8s.io/v1 Lease (also: --enable-ha)')
    .option('--enable-ha [bool]', 'Reloader\'s name for --leader-elect')
    .option('--lease-name <name>', 'name of the Lease', 'ksec-watch')
    .option('--lease-namespace <ns>', 'namespace of the Lease (default: POD_NAMESPACE, the context\'s or service account\'s namespace)')
    .option('--lease-duration <duration>', 'how long a standby waits for a silent leader', '15s')
    .option('--renew-deadline <duration>', 'a leader that cannot renew for this long steps down', '10s')
    .option('--retry-period <duration>', 'how often the lease is renewed / tried', '2s')
    .option('--metrics-address <addr>', 'serve /healthz, /readyz and /metrics here (host:port, :port; "off" disables)', ':9090')
    .option('--watch-timeout <duration>', 'longest server-side watch; each watch uses a random value between half of it and it', '10m')
    .option('--watch-inactivity-timeout <duration>', 'reconnect a watch that sends nothing (not even a bookmark) for this long', '2m')
    .option('--rollouts-discovery-interval <duration>', 'when the Argo Rollouts API is absent at start, check this often whether it appeared (0 = never)', '1m')
    .option('--log-level <level>', 'debug, info, warn or error (also Reloader\'s trace, warning, fatal, panic)', 'info')
    .option('--log-format <format>', 'Reloader\'s: json or empty; ksec always logs JSON lines', '')
    .option('--reload-on-create [bool]', 'roll when a ConfigMap/Secret a workload uses is created (Reloader\'s flag; only "true" enables it)', 'false')
    .option('--reload-on-delete [bool]', 'roll when a ConfigMap/Secret a workload uses is deleted (Reloader\'s flag; only "true" enables it)', 'false')
    .option('--is-Argo-Rollouts [bool]', 'Reloader\'s flag: "false" leaves Argo Rollouts alone (ksec\'s default: watch them when the API is served)')
    .option('--webhook-url <url>', 'POST each ConfigMap/Secret change here instead of reloading (Reloader\'s flag)')
    .option('--sync-after-restart [bool]', 'accepted for Reloader compatibility; moot (ksec keeps state on the workloads)')
    .option('--enable-pprof [bool]', 'accepted for Reloader compatibility; moot (Go\'s pprof)')
    .option('--pprof-addr <addr>', 'accepted for Reloader compatibility; moot', ':6060')
    .option('--enable-csi-integration [bool]', 'also roll on Secrets Store CSI driver rotations (SecretProviderClassPodStatus), as Reloader does')
    .option('--configmap-annotation <key>', 'annotation naming ConfigMaps to reload', 'configmap.reloader.stakater.com/reload')
    .option('--secret-annotation <key>', 'annotation naming Secrets to reload', 'secret.reloader.stakater.com/reload')
    .option('--auto-annotation <key>', 'annotation: reload on any used ConfigMap/Secret', 'reloader.stakater.com/auto')
    .option('--configmap-auto-annotation <key>', 'annotation: reload on any used ConfigMap', 'configmap.reloader.stakater.com/auto')
    .option('--secret-auto-annotation <key>', 'annotation: reload on any used Secret', 'secret.reloader.stakater.com/auto')
    .option('--auto-search-annotation <key>', 'annotation: reload on used configs carrying the match annotation', 'reloader.stakater.com/search')
    .option('--search-match-annotation <key>', 'annotation on ConfigMaps/Secrets found by the search annotation', 'reloader.stakater.com/match')
    .option('--pause-deployment-annotation <key>', 'annotation: pause a Deployment this long after a reload', 'deployment.reloader.stakater.com/pause-period')
    .option('--pause-deployment-time-annotation <key>', 'annotation recording when a Deployment was paused', 'deployment.reloader.stakater.com/paused-at')
    .addHelpText(
      'after',
      `
Understands Reloader's annotations (reloader.stakater.com/auto, configmap|secret.reloader.stakater.com/auto
and /reload, reloader.stakater.com/search + match, reloader.stakater.com/ignore, the exclude lists and
deployment.reloader.stakater.com/pause-period; with --enable-csi-integration also
secretproviderclass.reloader.stakater.com/auto and /reload). State lives on the workloads, so restarts and leader
changes never mass-roll, and changes made while the watcher was down roll exactly once.
Logs are JSON lines on stderr; no config or secret value is ever logged. SIGTERM/SIGINT stop it (exit 0).
Every flag of stakater Reloader v1.4.14 is accepted with its syntax (--flag, --flag=true, --flag=false);
KUBERNETES_NAMESPACE, as in Reloader, limits the watch to that namespace. See "Migrating from Reloader".

Examples:
  ksec watch --kubeconfig ~/.kube/config --namespaces staging --dry-run
  ksec watch --leader-elect --debounce 5s --min-interval 1m --metrics-address :9090
  ksec watch --reload-strategy env-vars --auto-reload-all --namespaces-to-ignore kube-system
  ksec watch --context staging --as system:serviceaccount:ops:ksec-watch --dry-run   # try its RBAC first
  ksec watch --rollouts-discovery-interval 30s    # start watching Argo Rollouts within 30 s of the CRD's install
  ksec watch --enable-csi-integration             # secretproviderclass.reloader.stakater.com/auto on CSI-mounted secrets

See docs/watch.md.`,
    )
    .action(async (opts) => {
      const { runWatch } = await implementation('watch');
      await runWatch(opts);
    });
}
