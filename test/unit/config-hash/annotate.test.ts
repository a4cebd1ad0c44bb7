import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SOURCES_ANNOTATION, STAMP_ANNOTATION, annotateFiles, planStamps } from '../../../src/config-hash/annotate.js';
import { configHash } from '../../../src/config-hash/ksec-hash.js';
import { combinedHash } from '../../../src/config-hash/stamp.js';
import { KsecError } from '../../../src/errors.js';
import { applySplices, planSetStrings } from '../../../src/manifest/edit.js';
import { objectsOf, parseManifestText } from '../../../src/manifest/read.js';
import { annotateText, goldenCases } from './golden.js';

const CANARY = 'CANARY-annotate-secret-3e7d';

describe('golden files: stamps are added in place, everything else byte for byte', () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const input = readFileSync(c.input, 'utf8');
    const expected = readFileSync(c.output, 'utf8');
    const output = annotateText(input, c.input);
    expect(output).toBe(expected);
    // every input line survives unchanged, except lines that held (or now hold) the stamp;
    // *-fallback cases show the re-printing fallback, which may reformat the edited document
    if (!c.name.includes('fallback')) {
      const outLines = new Set(output.split('\n'));
      const lost = input.split('\n').filter((l) => !outLines.has(l));
      for (const line of lost) expect(line).toMatch(/ksec\.dev\/config-hash|"?metadata"?: \{/);
    }
    // idempotent: a second run changes nothing
    expect(annotateText(output, c.input)).toBe(output);
  });
});

function plan(text: string, namespace?: string) {
  return planStamps(objectsOf([parseManifestText(text, 'x.yaml')]), namespace === undefined ? {} : { namespace });
}

const deployment = (ns?: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web${ns ? `\n  namespace: ${ns}` : ''}
spec:
  template:
    spec:
      containers:
      - name: app
        envFrom:
        - configMapRef: {name: cfg}
        - secretRef: {name: sec}${extra}
`;
const cfg = (ns?: string, value = 'v') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg${ns ? `\n  namespace: ${ns}` : ''}
data:
  k: ${value}
`;
const sealed = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: sealed-name
spec:
  encryptedData:
    k: AgBy3i4OJSWK+PiTySYZZA==
  template:
    metadata:
      name: sec
`;

describe('planStamps', () => {
  it('stamps the combined hash over what the pod template references', () => {
    const text = [cfg(), sealed, deployment()].join('---\n');
    const { stamps, warnings } = plan(text);
    expect(warnings).toEqual([]);
    expect(stamps).toHaveLength(1);
    const objects = objectsOf([parseManifestText(text, 'x.yaml')]).map((o) => o.object);
    expect(stamps[0]!.stamp).toBe(
      combinedHash([
        { kind: 'ConfigMap', name: 'cfg', hash: configHash(objects[0]!) },
        { kind: 'Secret', name: 'sec', hash: configHash(objects[1]!) },
      ]),
    );
    expect(stamps[0]!.status).toBe('missing');
  });

  it('warns about a missing required reference, not an optional one', () => {
    const { stamps, warnings } = plan([cfg(), deployment(undefined, '\n        - secretRef: {name: opt, optional: true}')].join('---\n'));
    expect(warnings).toEqual(['Deployment/web: references Secret/sec, which is not in the inputs']);
    expect(stamps[0]!.missing.map((m) => m.name)).toEqual(['sec']);
  });

  it('matches namespaces: same namespace, then configs without one; -n fills in', () => {
    expect(plan([cfg('a'), deployment('b')].join('---\n')).stamps[0]!.missing.map((m) => m.name)).toEqual(['cfg', 'sec']);
    expect(plan([cfg(), deployment('b')].join('---\n')).stamps[0]!.missing.map((m) => m.name)).toEqual(['sec']);
    expect(plan([cfg('b'), deployment()].join('---\n')).stamps[0]!.missing.map((m) => m.name)).toEqual(['cfg', 'sec']);
    expect(plan([cfg('b'), deployment()].join('---\n'), 'b').stamps[0]!.missing.map((m) => m.name)).toEqual(['sec']);
  });

  it('refuses two different configs under one name, naming both files', () => {
    expect(() => plan([cfg(undefined, 'one'), cfg(undefined, 'two'), deployment()].join('---\n'))).toThrow(/defined twice/);
    expect(plan([cfg(), cfg(), deployment()].join('---\n')).stamps).toHaveLength(1);
  });

  it('leaves workloads without references alone and skips Rollouts with a workloadRef', () => {
    const bare = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bare}\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n';
    const rollout = 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: bare}\n';
    const { stamps, warnings } = plan([bare, rollout].join('---\n'));
    expect(stamps).toEqual([]);
    expect(warnings[0]).toMatch(/Rollout\/r: takes its pod template from Deployment\/bare/);
  });

  it('reports stale stamps and names the config that changed', () => {
    const first = annotateText([cfg(), sealed, deployment()].join('---\n'), 'x.yaml');
    const { stamps } = plan(first.replace('k: v', 'k: w'));
    expect(stamps[0]!.status).toBe('stale');
    expect(stamps[0]!.changed).toEqual(['ConfigMap/cfg']);
    expect(plan(first).stamps[0]!.status).toBe('ok');
  });

  it('names the key of invalid base64 with the file, never the value', () => {
    const bad = `apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\ndata:\n  k: "${CANARY}!"\n`;
    let err: unknown;
    try {
      plan([bad, deployment()].join('---\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KsecError);
    expect((err as KsecError).file).toBe('x.yaml');
    expect((err as KsecError).message).toContain('data.k');
    expect(JSON.stringify([(err as KsecError).message, (err as KsecError).hint])).not.toContain(CANARY);
  });

  it('never puts a secret value in the stamp, sources or output beyond the input', () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData:\n  k: ${CANARY}\n`;
    const file = parseManifestText([cfg(), secret, deployment()].join('---\n'), 'x.yaml');
    const { stamps, outputs } = annotateFiles([file]);
    expect(JSON.stringify(stamps.map((s) => [s.stamp, s.sources, s.changed]))).not.toContain(CANARY);
    expect(outputs.get(file)!.split(CANARY).length).toBe(2); // only where it already was
  });
});

describe('applying stamps', () => {
  it('refuses, with a clear error, a pod template whose metadata is an alias', () => {
    const text = `${cfg()}---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: &meta\n  name: rs\nspec:\n  template:\n    metadata: *meta\n    spec:\n      containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]\n`;
    expect(() => annotateText(text, 'alias.yaml')).toThrow(/cannot stamp ReplicaSet\/rs in place/);
  });

  it('refuses rather than hide annotations merged in with a merge key', () => {
    const text = `${cfg()}---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nx-base: &base\n  annotations: {team: a}\nspec:\n  template:\n    metadata:\n      <<: *base\n    spec:\n      containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]\n`;
    expect(() => annotateText(text, 'merge.yaml')).toThrow(/cannot stamp ReplicaSet\/rs in place/);
  });
});

describe('only the stamped lines change', () => {
  // a workload with 4-space indentation, flow maps written without padding, CRLF line ends
  const flowWorkload = (name: string, meta: string) =>
    `apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata: {name: ${name}}\r\nspec:\r\n    template:\r\n        metadata: ${meta}\r\n        spec: {containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]}\r\n`;
  const config = 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: cfg}\r\ndata:\r\n    a: "1"\r\n';
  const changedLines = (before: string, after: string) => {
    const kept = new Set(after.split('\r\n'));
    return before.split('\r\n').filter((l) => !kept.has(l));
  };

  it('an empty or null template metadata beside other workloads: the others stay byte for byte (CRLF, indentation, flow style)', () => {
    for (const empty of ['null', '~', '']) {
      const input = `${flowWorkload('web', empty).replace(`metadata: ${empty}\r\n`, `metadata:${empty ? ` ${empty}` : ''}\r\n`)}---\r\n${config}---\r\n${flowWorkload('api', '{labels: {app: api}}')}`;
      const output = annotateText(input, 'w.yaml');
      expect(output.replace(/\r\n/g, '')).not.toContain('\n');
      expect(changedLines(input, output), empty).toEqual([...(empty ? [`        metadata: ${empty}`] : []), '        metadata: {labels: {app: api}}']);
      expect(output).toContain('        metadata:\r\n            annotations:\r\n                ksec.dev/config-hash: ');
      expect(output).toContain('spec: {containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]}\r\n');
    }
  });

  it('a document a splice cannot edit is re-printed alone, in its own style; the others stay byte for byte', () => {
    // an existing stamp written as a block scalar: no splice, so that one document is re-printed
    const block = 'apiVersion: apps/v1\r\nkind: Deployment\r\nmetadata: {name: web}\r\nspec:\r\n    template:\r\n        metadata:\r\n            annotations:\r\n                ksec.dev/config-hash: |\r\n                    old\r\n        spec: {containers: [{name: c, envFrom: [{configMapRef: {name: cfg}}]}]}\r\n';
    const input = `${block}---\r\n${config}---\r\n${flowWorkload('api', '{labels: {app: api}}')}`;
    const output = annotateText(input, 'w.yaml');
    const [first, second, third] = output.split('---\r\n');
    expect(second).toBe(config);
    expect(changedLines(flowWorkload('api', '{labels: {app: api}}'), third!)).toEqual(['        metadata: {labels: {app: api}}']);
    expect(first).toContain('metadata: {name: web}\r\n'); // flow style without padding, CRLF
    expect(first).toContain('\r\n    template:\r\n        metadata:\r\n'); // 4-space indentation
    expect(first!.replace(/\r\n/g, '')).not.toContain('\n');
  });
});

describe('planSetStrings', () => {
  const edit = (text: string, path: (string | number)[], entries: [string, string][]) => {
    const doc = parseManifestText(text, 'x.yaml').documents[0]!.yaml!;
    const splices = planSetStrings(doc, text, path, entries);
    return splices && applySplices(text, splices);
  };

  it('replaces a scalar keeping its quoting and trailing comment', () => {
    expect(edit('a:\n  b: "x"  # c\n', ['a'], [['b', 'y']])).toBe('a:\n  b: "y"  # c\n');
    expect(edit("a:\n  b: 'x'\n", ['a'], [['b', "it's"]])).toBe("a:\n  b: 'it''s'\n");
    expect(edit('a:\n  b: x\n', ['a'], [['b', '123']])).toBe('a:\n  b: "123"\n');
    expect(edit('a:\n  b: x\n', ['a'], [['b', 'x']])).toBe('a:\n  b: x\n');
  });

  it('quotes what go-yaml (kubectl) would read as another type, keys too, and escapes what it cannot read raw', () => {
    expect(edit('a:\n  b: x\n', ['a'], [['b', 'yes']])).toBe('a:\n  b: "yes"\n');
    expect(edit('a:\n  b: x\n', ['a'], [['on', 'y']])).toBe('a:\n  "on": "y"\n  b: x\n');
    expect(edit('a:\n  b: x\n', ['a'], [['b', '0o17']])).toBe('a:\n  b: "0o17"\n');
    expect(edit("a:\n  b: 'x'\n", ['a'], [['b', 'nel\x85']])).toBe('a:\n  b: "nel\\x85"\n');
  });

  it('creates missing maps with the document indentation', () => {
    expect(edit('a:\n   c: 1\n', ['a', 'b'], [['k', 'v']])).toBe('a:\n   b:\n      k: v\n   c: 1\n');
  });

  it('inserts into flow maps with JSON-safe quoting', () => {
    expect(edit('a: {}\n', ['a'], [['k', 'v']])).toBe('a: {"k": "v"}\n');
    expect(edit('a: {c: 1}\n', ['a', 'b'], [['k', 'v']])).toBe('a: {"b": {"k": "v"}, c: 1}\n');
  });

  it('gives up (undefined) on aliases', () => {
    expect(edit('x: &m {c: 1}\na: *m\n', ['a'], [['k', 'v']])).toBeUndefined();
    expect(edit('a: !!null null\n', ['a'], [['k', 'v']])).toBeUndefined();
  });

  it('fills a null map written as ~ or null on the lines below it, keeping a comment', () => {
    expect(edit('a: ~\n', ['a'], [['k', 'v']])).toBe('a:\n  k: v\n');
    expect(edit('a: null\n', ['a', 'b'], [['k', 'v']])).toBe('a:\n  b:\n    k: v\n');
    expect(edit('t:\r\n    m: null  # c\r\n    s: 1\r\n', ['t', 'm'], [['k', 'v']])).toBe('t:\r\n    m:  # c\r\n        k: v\r\n    s: 1\r\n');
  });

  it('fills an empty key (`a:` with nothing after it) on the lines below it', () => {
    expect(edit('a:\n', ['a'], [['k', 'v']])).toBe('a:\n  k: v\n');
    expect(edit('a:', ['a'], [['k', 'v']])).toBe('a:\n  k: v\n');
    expect(edit('t:\n    m:  # note\n    s: 1\n', ['t', 'm', 'b'], [['k', 'v']])).toBe('t:\n    m:  # note\n        b:\n            k: v\n    s: 1\n');
    expect(edit('a:\r\nz: 1\r\n', ['a', 'b'], [['k', 'v']])).toBe('a:\r\n  b:\r\n    k: v\r\nz: 1\r\n');
  });

  it('writes the stamp annotations under the known names', () => {
    expect(STAMP_ANNOTATION).toBe('ksec.dev/config-hash');
    expect(SOURCES_ANNOTATION).toBe('ksec.dev/config-hash-sources');
  });
});
