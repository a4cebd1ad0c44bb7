/**
 * A watcher on a PRIVATE etcd + kube-apiserver (test/e2e/testbed/control-plane.ts),
 * for cases the shared bed must not be put through (stopping the apiserver,
 * compacting etcd). Namespace `watch-private` holds ConfigMaps r1 and r2 (a
 * canary value) and Deployments r (uses r1) and other (uses r2), both
 * reloader.stakater.com/auto; rollouts are counted by an independent watch.
 */
import { privateControlPlane, type PrivateControlPlane } from '../testbed/control-plane.js';
import type { Testbed } from '../testbed/env.js';
import { ANN } from '../../../src/watch/policy.js';
import { CANARY, TemplateWatch, WatcherProcess, deployment, envFrom, eventually, kube } from './helpers.js';

export const NS = 'watch-private';

/** The helpers take the shared bed's shape; these are the parts they use. */
export function asBed(c: PrivateControlPlane): Testbed {
  return { request: (m: string, p: string, b?: unknown) => c.request(m, p, b), apiserverUrl: c.url, caPem: c.caPem, adminToken: c.adminToken } as unknown as Testbed;
}

export interface PrivateWatch {
  cp: PrivateControlPlane;
  k: ReturnType<typeof kube>;
  tw: TemplateWatch;
  w: WatcherProcess;
  /** pod-template revisions of a Deployment (1 = never rolled) */
  rev(name: string): number;
  /** the watcher's `rolled` log lines for a Deployment */
  rolled(name: string): number;
  relists(): Promise<number>;
  /** changes r1: exactly one more rollout of r (and one more `rolled` line), none of other */
  proveOneRoll(value: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateWatch(apiserverArgs: string[], watcherArgs: string[] = []): Promise<PrivateWatch> {
  const cp = await privateControlPlane({ extraApiserverArgs: apiserverArgs });
  let tw: TemplateWatch | undefined;
  let w: WatcherProcess | undefined;
  const stop = async () => {
    tw?.stop();
    await w?.stop('SIGKILL');
    await cp.stop();
  };
  try {
    const k = kube(asBed(cp));
    await k.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await k.configMap(NS, 'r1', { k: 'v1' });
    await k.configMap(NS, 'r2', { k: CANARY });
    await k.ok('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('r', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r1') }));
    await k.ok('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment('other', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r2') }));
    const templates = new TemplateWatch(asBed(cp), NS);
    tw = templates;
    await templates.start(['deployments']);
    const watcher = new WatcherProcess([
      '--kubeconfig', cp.kubeconfig,
      '--namespaces', NS,
      '--debounce', '0s',
      // watches end every 2-4 s, so each one soon restarts from the resourceVersion it holds
      '--watch-timeout', '4s',
      '--ignored-workload-types', 'statefulsets,daemonsets,cronjobs,jobs',
      '--no-events',
      ...watcherArgs,
    ]);
    w = watcher;
    await watcher.waitFor('full evaluation');
    await eventually(() => Promise.resolve(watcher.count('recorded baseline')), (n) => n === 2, 30_000, 'baselines');
    const rev = (name: string) => templates.revision('deployments', name);
    const rolled = (name: string) => watcher.count('rolled', (l) => l.workload === `Deployment/${NS}/${name}`);
    return {
      cp,
      k,
      tw: templates,
      w: watcher,
      rev,
      rolled,
      async relists() {
        return (await watcher.metrics())
          .split('\n')
          .filter((l) => l.startsWith('ksec_watch_relists_total{'))
          .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
      },
      async proveOneRoll(value) {
        const before = { r: rev('r'), other: rev('other'), rolled: rolled('r') };
        await k.setData(NS, 'configmaps', 'r1', { k: value });
        await eventually(async () => rev('r'), (n) => n === before.r + 1, 60_000, `rollout after ${value}`);
        await eventually(async () => rolled('r'), (n) => n === before.rolled + 1, 10_000, 'rolled log line');
        if (rev('other') !== before.other) throw new Error('Deployment other rolled too');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
