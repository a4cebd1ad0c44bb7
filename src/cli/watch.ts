/**
 * `ksec watch`: the in-cluster watcher (a drop-in for stakater Reloader).
 * Flags only; the implementation and the Kubernetes client load in the action.
 */
import type { Command } from 'commander';

const list = (value: string, previous: string[] = []) => previous.concat(value.split(',').map((s) => s.trim()).filter(Boolean));

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description('roll workloads when the ConfigMaps and Secrets they use change (Reloader-compatible)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--namespaces <list>', 'watch only these namespaces (comma list; default all)', list, [])
    .option('--namespaces-to-ignore <list>', 'never act in these namespaces (comma list)', list, [])
    .option('--namespace-selector <selector>', 'act only in namespaces matching this label selector, e.g. reloader=enabled')
    .option('--resource-label-selector <selector>', 'consider only ConfigMaps/Secrets matching this label selector')
    .option('--resources-to-ignore <list>', 'configmaps and/or secrets: do not watch them', list, [])
    .option('--ignored-workload-types <list>', 'deployments, statefulsets, daemonsets, cronjobs, rollouts: never roll these', list, [])
    .option('--auto-reload-all', 'treat every workload as reloader.stakater.com/auto: "true" unless it says "false"')
    .option('--reload-strategy <name>', 'annotations (pod-template hash, default) or env-vars (Reloader\'s STAKATER_<NAME>_<TYPE> variable)', 'annotations')
    .option('--debounce <duration>', 'changes to one workload\'s configs within this window become one rollout (0 = off)', '2s')
    .option('--min-interval <duration>', 'at least this long between two rollouts of the same workload', '0s')
    .option('--patch-qps <n>', 'global limit on rollout patches per second (excess waits in a queue)', '10')
    .option('--patch-burst <n>', 'patches allowed at once before --patch-qps applies', '20')
    .option('--dry-run', 'log what would be rolled; patch nothing')
    .option('--no-events', 'do not create Kubernetes Events (Reloaded / ReloadFailed) on workloads')
    .option('--leader-elect', 'run several replicas; one leads, using a coordination.k8s.io/v1 Lease (also: --enable-ha)')
    .option('--enable-ha', 'Reloader\'s name for --leader-elect')
    .option('--lease-name <name>', 'name of the Lease', 'ksec-watch')
    .option('--lease-namespace <ns>', 'namespace of the Lease (default: POD_NAMESPACE, the context\'s or service account\'s namespace)')
    .option('--lease-duration <duration>', 'how long a standby waits for a silent leader', '15s')
    .option('--renew-deadline <duration>', 'a leader that cannot renew for this long steps down', '10s')
    .option('--retry-period <duration>', 'how often the lease is renewed / tried', '2s')
    .option('--metrics-address <addr>', 'serve /healthz, /readyz and /metrics here (host:port, :port; "off" disables)', ':9090')
    .option('--watch-timeout <duration>', 'longest server-side watch; each watch uses a random value between half of it and it', '10m')
    .option('--watch-inactivity-timeout <duration>', 'reconnect a watch that sends nothing (not even a bookmark) for this long', '2m')
    .option('--rollouts-discovery-interval <duration>', 'when the Argo Rollouts API is absent at start, check this often whether it appeared (0 = never)', '1m')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .addHelpText(
      'after',
      `
Understands Reloader's annotations (reloader.stakater.com/auto, configmap|secret.reloader.stakater.com/auto
and /reload, reloader.stakater.com/search + match, reloader.stakater.com/ignore, the exclude lists and
deployment.reloader.stakater.com/pause-period). State lives on the workloads, so restarts and leader
changes never mass-roll, and changes made while the watcher was down roll exactly once.
Logs are JSON lines on stderr; no config or secret value is ever logged. SIGTERM/SIGINT stop it (exit 0).

Examples:
  ksec watch --kubeconfig ~/.kube/config --namespaces staging --dry-run
  ksec watch --leader-elect --debounce 5s --min-interval 1m --metrics-address :9090
  ksec watch --reload-strategy env-vars --auto-reload-all --namespaces-to-ignore kube-system
  ksec watch --rollouts-discovery-interval 30s    # start watching Argo Rollouts within 30 s of the CRD's install

See docs/watch.md.`,
    )
    .action(async (opts) => {
      const { runWatch } = await import('../commands/watch.js');
      await runWatch(opts);
    });
}
