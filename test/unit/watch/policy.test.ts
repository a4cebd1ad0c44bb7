import { describe, expect, it } from 'vitest';
import {
  ANN,
  decide,
  desiredHash,
  isManaged,
  onlyChanged,
  parseGoBool,
  parseReloadList,
  reloaderEnvName,
  triggersOf,
  type ConfigRecord,
  type WorkloadRecord,
} from '../../../src/watch/policy.js';
import { NamespaceConfigs } from '../../../src/watch/state.js';

function cfg(kind: 'ConfigMap' | 'Secret', name: string, extra: Partial<ConfigRecord> = {}): ConfigRecord {
  return { kind, name, hash: `h-${kind}-${name}`, reloaderHash: `r-${name}`, ignore: false, match: false, ...extra };
}

function ns(...configs: ConfigRecord[]): NamespaceConfigs {
  const n = new NamespaceConfigs();
  for (const c of configs) n.set(c);
  return n;
}

function wl(annotations: Record<string, string>, refs: string[] = [], extra: Partial<WorkloadRecord> = {}): WorkloadRecord {
  return { kind: 'Deployment', namespace: 'app', name: 'web', annotations, podAnnotations: {}, refs, env: {}, paused: false, ...extra };
}

const names = (cs: ConfigRecord[]) => cs.map((c) => `${c.kind}/${c.name}`).sort();
const off = { autoReloadAll: false };

describe('triggersOf (Reloader semantics)', () => {
  const store = ns(cfg('ConfigMap', 'a'), cfg('ConfigMap', 'b'), cfg('Secret', 's'), cfg('ConfigMap', 'app-1'), cfg('ConfigMap', 'app-2'));

  it('auto: every referenced ConfigMap and Secret, nothing unreferenced', () => {
    const t = triggersOf(wl({ [ANN.auto]: 'true' }, ['ConfigMap/a', 'Secret/s', 'ConfigMap/missing']), store, off);
    expect(names(t.configs)).toEqual(['ConfigMap/a', 'Secret/s']);
  });

  it('typed auto only covers its own type', () => {
    expect(names(triggersOf(wl({ [ANN.configmapAuto]: 'true' }, ['ConfigMap/a', 'Secret/s']), store, off).configs)).toEqual(['ConfigMap/a']);
    expect(names(triggersOf(wl({ [ANN.secretAuto]: 'true' }, ['ConfigMap/a', 'Secret/s']), store, off).configs)).toEqual(['Secret/s']);
  });

  it('reload lists are comma separated anchored regexes and need no reference', () => {
    const t = triggersOf(wl({ [ANN.configmapReload]: ' a , app-.* ' }), store, off);
    expect(names(t.configs)).toEqual(['ConfigMap/a', 'ConfigMap/app-1', 'ConfigMap/app-2']);
    // anchored: "pp-1" does not match app-1
    expect(triggersOf(wl({ [ANN.configmapReload]: 'pp-1' }), store, off).configs).toEqual([]);
    expect(names(triggersOf(wl({ [ANN.secretReload]: 's' }), store, off).configs)).toEqual(['Secret/s']);
  });

  it('an invalid regex is reported and skipped, the valid entries still apply', () => {
    const t = triggersOf(wl({ [ANN.configmapReload]: 'a,([unclosed' }), store, off);
    expect(names(t.configs)).toEqual(['ConfigMap/a']);
    expect(t.warnings.join()).toMatch(/invalid regex/);
  });

  it('search + match: only referenced configs annotated match: "true"', () => {
    const s = ns(cfg('ConfigMap', 'a', { match: true }), cfg('ConfigMap', 'b'), cfg('ConfigMap', 'c', { match: true }));
    const t = triggersOf(wl({ [ANN.search]: 'true' }, ['ConfigMap/a', 'ConfigMap/b']), s, off);
    expect(names(t.configs)).toEqual(['ConfigMap/a']);
  });

  it('ignore on the config wins over everything', () => {
    const s = ns(cfg('ConfigMap', 'a', { ignore: true }), cfg('ConfigMap', 'b'));
    expect(names(triggersOf(wl({ [ANN.auto]: 'true', [ANN.configmapReload]: 'a' }, ['ConfigMap/a', 'ConfigMap/b']), s, off).configs)).toEqual(['ConfigMap/b']);
  });

  it('exclude lists drop named configs', () => {
    const t = triggersOf(wl({ [ANN.auto]: 'true', [ANN.configmapExclude]: 'a, b', [ANN.secretExclude]: 's' }, ['ConfigMap/a', 'ConfigMap/b', 'Secret/s', 'ConfigMap/app-1']), store, off);
    expect(names(t.configs)).toEqual(['ConfigMap/app-1']);
  });

  it('workload metadata first, pod template annotations only when the metadata says nothing for that type', () => {
    const w = wl({}, ['ConfigMap/a', 'Secret/s'], { podAnnotations: { [ANN.auto]: 'true' } });
    expect(names(triggersOf(w, store, off).configs)).toEqual(['ConfigMap/a', 'Secret/s']);
    const both = wl({ [ANN.auto]: 'false' }, ['ConfigMap/a'], { podAnnotations: { [ANN.auto]: 'true' } });
    expect(triggersOf(both, store, off).configs).toEqual([]);
    // secret annotations on the metadata do not hide the pod template's configmap annotations
    const split = wl({ [ANN.secretReload]: 's' }, [], { podAnnotations: { [ANN.configmapReload]: 'b' } });
    expect(names(triggersOf(split, store, off).configs)).toEqual(['ConfigMap/b', 'Secret/s']);
  });

  it('--auto-reload-all covers unannotated workloads but respects auto: "false"', () => {
    expect(names(triggersOf(wl({}, ['ConfigMap/a']), store, { autoReloadAll: true }).configs)).toEqual(['ConfigMap/a']);
    expect(triggersOf(wl({ [ANN.auto]: 'false' }, ['ConfigMap/a']), store, { autoReloadAll: true }).configs).toEqual([]);
    expect(triggersOf(wl({ [ANN.configmapAuto]: 'false' }, ['ConfigMap/a', 'Secret/s']), store, { autoReloadAll: true }).configs.map((c) => c.name)).toEqual(['s']);
    expect(isManaged(wl({}), off)).toBe(false);
    expect(isManaged(wl({}), { autoReloadAll: true })).toBe(true);
  });

  it('a non-boolean auto value is read as false and reported', () => {
    const t = triggersOf(wl({ [ANN.auto]: 'yes' }, ['ConfigMap/a']), store, off);
    expect(t.configs).toEqual([]);
    expect(t.warnings.join()).toMatch(/not a boolean/);
  });

  it("auto values are parsed like Go's strconv.ParseBool", () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) {
      expect(names(triggersOf(wl({ [ANN.auto]: v }, ['ConfigMap/a']), store, off).configs), v).toEqual(['ConfigMap/a']);
      expect(names(triggersOf(wl({ [ANN.configmapAuto]: v }, ['ConfigMap/a']), store, off).configs), v).toEqual(['ConfigMap/a']);
    }
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False', 'yes', 'tRUE', 'on']) {
      const t = triggersOf(wl({ [ANN.auto]: v }, ['ConfigMap/a']), store, off);
      expect(t.configs, v).toEqual([]);
      expect(t.warnings.length > 0, v).toBe(parseGoBool(v) === undefined);
    }
    expect(parseGoBool(undefined)).toBeUndefined();
    expect(parseGoBool('')).toBeUndefined();
  });

  it('--auto-reload-all applies only where neither auto annotation has a value (any value opts out, as in Reloader)', () => {
    const all = { autoReloadAll: true };
    expect(names(triggersOf(wl({}, ['ConfigMap/a']), store, all).configs)).toEqual(['ConfigMap/a']);
    expect(names(triggersOf(wl({ [ANN.auto]: '' }, ['ConfigMap/a']), store, all).configs)).toEqual(['ConfigMap/a']);
    expect(triggersOf(wl({ [ANN.auto]: 'False' }, ['ConfigMap/a']), store, all).configs).toEqual([]);
    expect(triggersOf(wl({ [ANN.auto]: 'nope' }, ['ConfigMap/a']), store, all).configs).toEqual([]);
    expect(names(triggersOf(wl({ [ANN.auto]: 'T' }, ['ConfigMap/a']), store, all).configs)).toEqual(['ConfigMap/a']);
  });

  it('exclude lists are read from the workload metadata only, not from the pod template', () => {
    const onTemplate = wl({}, ['ConfigMap/a', 'ConfigMap/b'], { podAnnotations: { [ANN.auto]: 'true', [ANN.configmapExclude]: 'a' } });
    expect(names(triggersOf(onTemplate, store, off).configs)).toEqual(['ConfigMap/a', 'ConfigMap/b']);
    const onMeta = wl({ [ANN.configmapExclude]: 'a' }, ['ConfigMap/a', 'ConfigMap/b'], { podAnnotations: { [ANN.auto]: 'true' } });
    expect(names(triggersOf(onMeta, store, off).configs)).toEqual(['ConfigMap/b']);
  });

  it('reload entries are anchored like Reloader ("^" + entry + "$", not grouped)', () => {
    const s = ns(cfg('ConfigMap', 'a'), cfg('ConfigMap', 'ab'), cfg('ConfigMap', 'xb'), cfg('ConfigMap', 'c'));
    // "a|b" is "^a" or "b$" in Reloader: a, ab (starts with a) and xb (ends with b); not c
    expect(names(triggersOf(wl({ [ANN.configmapReload]: 'a|b' }), s, off).configs)).toEqual(['ConfigMap/a', 'ConfigMap/ab', 'ConfigMap/xb']);
    expect(names(triggersOf(wl({ [ANN.configmapReload]: '(a|b)' }), s, off).configs)).toEqual(['ConfigMap/a']);
  });
});

describe('parseReloadList', () => {
  it('treats plain names literally and compiles the rest once', () => {
    const a = parseReloadList('foo, bar-1,x.y');
    expect(a.patterns.map((p) => p.literal ?? p.regex?.source)).toEqual(['foo', 'bar-1', '^x.y$']);
    expect(parseReloadList('foo, bar-1,x.y')).toBe(a);
  });
});

describe('reloaderEnvName', () => {
  it("follows Reloader's ConvertToEnvVarName", () => {
    expect(reloaderEnvName('ConfigMap', 'my-config.v2')).toBe('STAKATER_MY_CONFIG_V2_CONFIGMAP');
    expect(reloaderEnvName('Secret', 'db--creds')).toBe('STAKATER_DB_CREDS_SECRET');
    expect(reloaderEnvName('Secret', '-x-')).toBe('STAKATER_X__SECRET');
  });
});

describe('decide', () => {
  const configs = [cfg('ConfigMap', 'a'), cfg('Secret', 's')];
  const hash = desiredHash(configs, 'annotations');

  it('first meeting records a baseline, never rolls', () => {
    expect(decide(wl({}), configs, 'annotations')).toEqual({ action: 'baseline', hash });
  });
  it('nothing when the recorded or stamped hash is current', () => {
    expect(decide(wl({}, [], { recorded: hash }), configs, 'annotations').action).toBe('none');
    expect(decide(wl({}, [], { stamp: hash }), configs, 'annotations').action).toBe('none');
  });
  it('rolls when the recorded hash differs (a change while nobody watched)', () => {
    expect(decide(wl({}, [], { recorded: 'old' }), configs, 'annotations')).toEqual({ action: 'roll', hash });
  });
  it('env-vars: a workload already stamped by Reloader with current hashes is adopted, not rolled', () => {
    const env = { STAKATER_A_CONFIGMAP: 'r-a', STAKATER_S_SECRET: 'r-s' };
    expect(decide(wl({}, [], { env }), configs, 'env-vars').action).toBe('baseline');
    const stale = decide(wl({}, [], { env: { ...env, STAKATER_A_CONFIGMAP: 'old' } }), configs, 'env-vars');
    expect(stale).toMatchObject({ action: 'roll', env: { STAKATER_A_CONFIGMAP: 'r-a' } });
  });
  it('env-vars: a workload Reloader stamped for some configs only (the others never changed) is adopted, not rolled', () => {
    const partly = wl({}, [], { env: { STAKATER_A_CONFIGMAP: 'r-a' }, firstContainer: 'app' });
    expect(decide(partly, configs, 'env-vars')).toEqual({ action: 'baseline', hash: desiredHash(configs, 'env-vars') });
    expect(decide(wl({}, [], { firstContainer: 'app' }), configs, 'env-vars').action).toBe('baseline');
    // a variable that disagrees with its config: that config changed while nobody watched; the missing one is added
    const changed = decide(wl({}, [], { env: { STAKATER_A_CONFIGMAP: 'old' }, firstContainer: 'app' }), configs, 'env-vars');
    expect(changed).toMatchObject({ action: 'roll', env: { STAKATER_A_CONFIGMAP: 'r-a', STAKATER_S_SECRET: 'r-s' } });
  });
  it('env-vars, a live change: only the changed config\'s variable is set (as Reloader); a stale one stays stale', () => {
    const w = wl({}, [], { env: { STAKATER_A_CONFIGMAP: 'old' }, firstContainer: 'app', recorded: 'before' });
    const d = decide(w, [...configs, cfg('ConfigMap', 'b')], 'env-vars');
    expect(d).toMatchObject({ action: 'roll', env: { STAKATER_A_CONFIGMAP: 'r-a', STAKATER_S_SECRET: 'r-s', STAKATER_B_CONFIGMAP: 'r-b' } });
    const live = onlyChanged(d as Extract<typeof d, { action: 'roll' }>, w, ['Secret/s']);
    expect(live.env).toEqual({ STAKATER_S_SECRET: 'r-s' });
    expect(live.envContainers).toEqual({ STAKATER_S_SECRET: 'app' });
    expect(onlyChanged(d as Extract<typeof d, { action: 'roll' }>, w, ['ConfigMap/a', 'ConfigMap/b deleted']).env).toEqual({ STAKATER_A_CONFIGMAP: 'r-a', STAKATER_B_CONFIGMAP: 'r-b' });
  });
  it('env-vars: a new variable goes on the container using its config, an existing one stays where it is', () => {
    const w = wl({}, [], {
      env: { STAKATER_A_CONFIGMAP: 'old' },
      envContainers: { STAKATER_A_CONFIGMAP: 'side' },
      users: { 'Secret/s': 'worker' },
      firstContainer: 'app',
      recorded: 'before',
    });
    expect(decide(w, [...configs, cfg('ConfigMap', 'unused')], 'env-vars')).toMatchObject({
      action: 'roll',
      envContainers: { STAKATER_A_CONFIGMAP: 'side', STAKATER_S_SECRET: 'worker', STAKATER_UNUSED_CONFIGMAP: 'app' },
    });
  });
});
