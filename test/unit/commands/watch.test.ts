import { describe, expect, it } from 'vitest';
import { watchOptions } from '../../../src/commands/watch.js';
import { KsecError } from '../../../src/errors.js';
import { DEFAULT_KEYS } from '../../../src/watch/policy.js';
import { csvFields, reloaderSelector } from '../../../src/watch/reloader-flags.js';

const base = {
    namespaces: [], namespacesToIgnore: [], resourcesToIgnore: [], ignoredWorkloadTypes: [], reloadStrategy: 'annotations', debounce: '2s', minInterval: '0s',
    patchQps: '10', patchBurst: '20', events: true, leaseName: 'l', leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s', metricsAddress: ':9090',
    watchTimeout: '10m', watchInactivityTimeout: '2m', rolloutsDiscoveryInterval: '1m', logLevel: 'info',
};

describe('watch flags', () => {
  it('parses durations and lists', () => {
    const o = watchOptions({ ...base, resourcesToIgnore: ['configMaps'], enableHa: true });
    expect(o).toMatchObject({ debounceMs: 2000, resourcesToIgnore: ['configmaps'], leaderElect: true, watchTimeoutSeconds: [300, 600], inactivityMs: 120_000, rolloutsDiscoveryMs: 60_000 });
    expect(watchOptions({ ...base, rolloutsDiscoveryInterval: '0' }).rolloutsDiscoveryMs).toBe(0);
  });
  it('rejects bad values with one line naming the flag', () => {
    expect(() => watchOptions({ ...base, reloadStrategy: 'restart' })).toThrow(/--reload-strategy/);
    expect(() => watchOptions({ ...base, debounce: 'soon' })).toThrow(/--debounce/);
    expect(() => watchOptions({ ...base, renewDeadline: '20s' })).toThrow(/lease timing/);
    expect(() => watchOptions({ ...base, resourcesToIgnore: ['configmaps', 'secrets'] })).toThrow(/nothing to watch/);
    expect(() => watchOptions({ ...base, patchQps: '0' })).toThrow(/--patch-qps/);
    expect(() => watchOptions({ ...base, rolloutsDiscoveryInterval: 'later' })).toThrow(/--rollouts-discovery-interval/);
  });
});

describe("Reloader's command line (v1.4.14, util.ConfigureReloaderFlags)", () => {
  /** Parses argv with the real flag declarations; returns what the action would get. */
  async function parse(args: string[]) {
    const { Command } = await import('commander');
    const { registerWatch } = await import('../../../src/cli/watch.js');
    const program = new Command().exitOverride();
    registerWatch(program);
    let got: any;
    const watch = program.commands.find((c) => c.name() === 'watch')!;
    watch.exitOverride().action((opts) => {
      got = opts;
    });
    await program.parseAsync(['node', 'ksec', 'watch', ...args]);
    return got as Parameters<typeof watchOptions>[0];
  }
  const noEnv = {};

  // every flag of Reloader v1.4.14 in the syntax its chart renders (deployments/kubernetes/chart/reloader/templates/deployment.yaml)
  const chartArgs = [
    '--log-format=json',
    '--log-level=warning',
    '--resources-to-ignore=configMaps',
    '--ignored-workload-types=jobs,cronjobs',
    '--namespaces-to-ignore=kube-system,other',
    '--namespace-selector="team:a"',
    '--resource-label-selector=app:*',
    '--enable-pprof',
    '--pprof-addr=:6061',
    '--enable-csi-integration=true',
    '--configmap-annotation', 'example.com/cm-reload',
    '--secret-annotation', 'example.com/secret-reload',
    '--auto-annotation', 'example.com/auto',
    '--secret-auto-annotation', 'example.com/secret-auto',
    '--configmap-auto-annotation', 'example.com/cm-auto',
    '--auto-search-annotation', 'example.com/search',
    '--search-match-annotation', 'example.com/match',
    '--pause-deployment-annotation', 'example.com/pause',
    '--pause-deployment-time-annotation', 'example.com/paused-at',
    '--is-Argo-Rollouts=true',
    '--reload-on-create=true',
    '--reload-on-delete=true',
    '--sync-after-restart=true',
    '--reload-strategy=env-vars',
    '--enable-ha=true',
    '--auto-reload-all=true',
  ];

  it('accepts all of them as the chart renders them, and the rest of them (webhook-url)', async () => {
    const o = watchOptions(await parse([...chartArgs, '--webhook-url', 'https://hooks.example/x']), noEnv);
    expect(o).toMatchObject({
      logLevel: 'warn',
      resourcesToIgnore: ['configmaps'],
      ignoredWorkloadTypes: ['jobs', 'cronjobs'],
      namespacesToIgnore: ['kube-system', 'other'],
      namespaceSelector: 'team=a',
      resourceLabelSelector: 'app',
      reloadOnCreate: true,
      reloadOnDelete: true,
      strategy: 'env-vars',
      leaderElect: true,
      autoReloadAll: true,
      dryRun: true,
      csi: true,
      keys: {
        configmapReload: 'example.com/cm-reload',
        secretReload: 'example.com/secret-reload',
        auto: 'example.com/auto',
        configmapAuto: 'example.com/cm-auto',
        secretAuto: 'example.com/secret-auto',
        search: 'example.com/search',
        match: 'example.com/match',
        pausePeriod: 'example.com/pause',
        pausedAt: 'example.com/paused-at',
        ignore: 'reloader.stakater.com/ignore',
      },
    });
    expect(o.notes.map((n) => n.flag).sort()).toEqual(['enable-pprof', 'sync-after-restart', 'webhook-url']);
    expect(JSON.stringify(o.notes)).not.toContain('hooks.example');
  });

  it('defaults are Reloader\'s: no create/delete reload, no auto-reload-all, no HA, default keys', async () => {
    const o = watchOptions(await parse([]), noEnv);
    expect(o).toMatchObject({ reloadOnCreate: false, reloadOnDelete: false, autoReloadAll: false, leaderElect: false, dryRun: false, logLevel: 'info', notes: [] });
    expect(o.keys).toEqual(DEFAULT_KEYS);
    expect(o.namespaceSelector).toBeUndefined();
  });

  it('booleans: --flag, --flag=true, --flag=false and strconv.ParseBool spellings; garbage exits 2 naming the flag', async () => {
    for (const [args, want] of [
      [['--enable-ha'], true], [['--enable-ha=true'], true], [['--enable-ha=false'], false], [['--enable-ha=1'], true], [['--enable-ha=F'], false],
    ] as const) {
      expect(watchOptions(await parse([...args]), noEnv).leaderElect, args.join()).toBe(want);
    }
    expect(watchOptions(await parse(['--auto-reload-all']), noEnv).autoReloadAll).toBe(true);
    expect(watchOptions(await parse(['--auto-reload-all=False']), noEnv).autoReloadAll).toBe(false);
    expect(() => watchOptions({ ...base, autoReloadAll: 'yes' }, noEnv)).toThrow(/--auto-reload-all: "yes" is not a boolean/);
    expect(watchOptions(await parse(['--sync-after-restart=false', '--enable-pprof=false']), noEnv).notes).toEqual([]);
  });

  it('--reload-on-create/--reload-on-delete/--is-Argo-Rollouts: only "true" enables, as in Reloader\'s controller', async () => {
    expect(watchOptions(await parse(['--reload-on-create']), noEnv).reloadOnCreate).toBe(true);
    expect(watchOptions(await parse(['--reload-on-create=True']), noEnv).reloadOnCreate).toBe(false);
    expect(watchOptions(await parse(['--reload-on-delete=false']), noEnv).reloadOnDelete).toBe(false);
    const off = watchOptions(await parse(['--is-Argo-Rollouts=false']), noEnv);
    expect(off.ignoredWorkloadTypes).toContain('rollouts');
    expect(off.notes.map((n) => n.flag)).toEqual(['is-Argo-Rollouts']);
    expect(watchOptions(await parse(['--is-Argo-Rollouts=true']), noEnv).ignoredWorkloadTypes).not.toContain('rollouts');
    expect(watchOptions(await parse([]), noEnv).ignoredWorkloadTypes).not.toContain('rollouts');
  });

  it('log level and format: logrus names map onto ksec\'s levels; unknown values warn and continue like Reloader', async () => {
    const levels = { trace: 'debug', debug: 'debug', info: 'info', warning: 'warn', warn: 'warn', error: 'error', fatal: 'error', panic: 'error', WARNING: 'warn' };
    for (const [l, want] of Object.entries(levels)) expect(watchOptions(await parse([`--log-level=${l}`]), noEnv).logLevel, l).toBe(want);
    const bad = watchOptions(await parse(['--log-level=loud', '--log-format=xml']), noEnv);
    expect(bad.logLevel).toBe('info');
    expect(bad.notes.map((n) => n.flag).sort()).toEqual(['log-format', 'log-level']);
  });

  it('selectors: repeatable, comma lists, legacy k:v / k:* / k=* rewritten like common.GetNamespaceLabelSelector', async () => {
    const o = watchOptions(await parse(['--namespace-selector=a:b,c:*', '--namespace-selector', 'd=*,e!=f', '--resource-label-selector=tier in (web,api)']), noEnv);
    expect(o.namespaceSelector).toBe('a=b,c,d,e!=f');
    expect(o.resourceLabelSelector).toBe('tier in (web,api)');
    expect(reloaderSelector(['x=y', 'k:v:w'])).toBe('x=y,k=v');
    expect(csvFields('"a,b",c')).toEqual(['a,b', 'c']);
    expect(csvFields('"say ""hi"""')).toEqual(['say "hi"']);
    const quoteInside = await parse(['--namespace-selector=a"b']);
    expect(() => watchOptions(quoteInside, noEnv)).toThrow(/--namespace-selector/);
  });

  it('KUBERNETES_NAMESPACE: single-namespace mode, where the namespace selector does not apply (as in Reloader)', async () => {
    const o = watchOptions(await parse(['--namespace-selector=team=a']), { KUBERNETES_NAMESPACE: 'apps' });
    expect(o.namespaces).toEqual(['apps']);
    expect(o.namespaceSelector).toBeUndefined();
    expect(o.notes.map((n) => n.flag)).toEqual(['KUBERNETES_NAMESPACE', 'namespace-selector']);
    expect(watchOptions(await parse(['--namespaces=x']), { KUBERNETES_NAMESPACE: 'apps' }).namespaces).toEqual(['x']);
  });

  it("Reloader's alert environment: ALERT_ON_RELOAD=true with ALERT_WEBHOOK_URL, ALERT_SINK (trimmed, lower case), ALERT_ADDITIONAL_INFO", async () => {
    const o = watchOptions(await parse([]), { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: ' http://h/x ', ALERT_SINK: ' Slack ', ALERT_ADDITIONAL_INFO: ' prod ' });
    expect(o.alert).toEqual({ url: 'http://h/x', sink: 'slack', additionalInfo: 'prod' });
    expect(watchOptions(await parse([]), { ALERT_ON_RELOAD: 'True', ALERT_WEBHOOK_URL: 'http://h' }).alert).toBeUndefined();
    const missing = watchOptions(await parse([]), { ALERT_ON_RELOAD: 'true' });
    expect(missing.alert).toBeUndefined();
    expect(missing.notes.map((n) => n.flag)).toEqual(['ALERT_ON_RELOAD']);
  });

  it('ALERT_WEBHOOK_PROXY: alerts go through it; empty means none; a value that is no proxy URL exits 2 without echoing it', async () => {
    const base = { ALERT_ON_RELOAD: 'true', ALERT_WEBHOOK_URL: 'http://h/x' };
    expect(watchOptions(await parse([]), { ...base, ALERT_WEBHOOK_PROXY: ' http://u:pw@proxy:3128 ' }).alert?.proxy?.href).toBe('http://u:pw@proxy:3128/');
    expect(watchOptions(await parse([]), { ...base, ALERT_WEBHOOK_PROXY: ' ' }).alert?.proxy).toBeUndefined();
    let err: unknown;
    try {
      watchOptions(await parse([]), { ...base, ALERT_WEBHOOK_PROXY: 'socks5://u:S3CRET@p:1080' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KsecError);
    expect((err as KsecError).message).toMatch(/ALERT_WEBHOOK_PROXY/);
    expect(JSON.stringify(err) + String(err)).not.toContain('S3CRET');
  });

  it('METRICS_COUNT_BY_NAMESPACE=enabled adds the by-namespace counter, as in Reloader', async () => {
    expect(watchOptions(await parse([]), { METRICS_COUNT_BY_NAMESPACE: 'enabled' }).countByNamespace).toBe(true);
    expect(watchOptions(await parse([]), { METRICS_COUNT_BY_NAMESPACE: 'true' }).countByNamespace).toBe(false);
  });
});
