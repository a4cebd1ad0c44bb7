/**
 * deploy/kustomize: the plain manifests beside the chart. `kustomize build` of each overlay is
 * valid (kubeconform -strict against the bed apiserver's own schemas), is admitted by the
 * apiserver (server-side dry run, in an overlay that moves it to a test namespace), and equals
 * `helm template` of the chart with the matching values, object for object, except for the two
 * labels only Helm sets (helm.sh/chart, app.kubernetes.io/managed-by).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { renderChart, schemasFromApiserver } from './chart.js';
import { applyDryRun, kube } from './helpers.js';

const KUSTOMIZE = join(REPO_ROOT, 'deploy/kustomize');
/** Labels the chart sets that a kustomize build has no reason to: Helm's own bookkeeping. */
const HELM_ONLY_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

let bed: Testbed;
let schemas: string;
let k: ReturnType<typeof kube>;
let ns: string;

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  schemas = await schemasFromApiserver(bed);
  ns = await k.namespace('watch-kustomize');
});

afterAll(async () => {
  if (ns) await k.deleteNamespace(ns);
});

async function build(dir: string, extra: string[] = []): Promise<{ text: string; docs: any[] }> {
  const { stdout } = await bed.exec('kustomize', ['build', ...extra, dir]);
  return { text: stdout, docs: parseAllDocuments(stdout).map((d) => d.toJSON()).filter(Boolean) };
}

const byKey = (docs: any[]) => Object.fromEntries(docs.map((d) => [`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d]));

function withoutHelmLabels(doc: any): any {
  const out = structuredClone(doc);
  for (const l of HELM_ONLY_LABELS) delete out.metadata.labels?.[l];
  return out;
}

describe.each([
  { overlay: 'cluster', sets: [] as string[], kinds: ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'] },
  { overlay: 'namespaced', sets: ['watch.watchGlobally=false'], kinds: ['Deployment', 'PodDisruptionBudget', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount'] },
])('deploy/kustomize/$overlay', ({ overlay, sets, kinds }) => {
  it('builds, and kubeconform -strict finds it valid', async () => {
    const { text, docs } = await build(join(KUSTOMIZE, overlay));
    expect(docs.map((d) => d.kind).sort()).toEqual(kinds);
    const r = await bed.exec('kubeconform', ['-strict', '-summary', '-schema-location', `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '-'], { input: text });
    expect(r.stdout).toMatch(/Invalid: 0, Errors: 0/);
    expect(r.stdout).toMatch(new RegExp(`Valid: ${kinds.length}`));
  });

  it(`equals helm template of the chart${sets.length ? ` with ${sets.join(' ')}` : ''}, Helm's own labels aside`, async () => {
    const ours = byKey((await build(join(KUSTOMIZE, overlay))).docs);
    const chart = byKey((await renderChart(bed, 'ksec-watch', 'ksec-system', sets)).docs.map(withoutHelmLabels));
    expect(Object.keys(ours).sort()).toEqual(Object.keys(chart).sort());
    for (const key of Object.keys(chart)) expect({ key, object: ours[key] }).toEqual({ key, object: chart[key] });
  });

  it('is admitted by the apiserver (server-side dry run), also moved to another namespace by an overlay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-kustomize-'));
    // kustomize takes no absolute resource path: the overlay points at the checkout relatively.
    // The namespace transformer with setRoleBindingSubjects moves the binding subjects too (the
    // plain `namespace:` field rewrites only subjects in no namespace or "default").
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'resources:',
        `  - ${relative(dir, join(KUSTOMIZE, overlay))}`,
        'transformers:',
        '  - |-',
        '    apiVersion: builtin',
        '    kind: NamespaceTransformer',
        '    metadata:',
        '      name: move',
        `      namespace: ${ns}`,
        '    setRoleBindingSubjects: allServiceAccounts',
        '    unsetOnly: false',
        '',
      ].join('\n'),
    );
    const { docs } = await build(dir, ['--load-restrictor', 'LoadRestrictionsNone']);
    expect(docs.map((d) => d.kind).sort()).toEqual(kinds);
    for (const d of docs) {
      if (d.kind.endsWith('RoleBinding')) expect(d.subjects).toEqual([{ kind: 'ServiceAccount', name: 'ksec-watch', namespace: ns }]);
      if (!d.kind.startsWith('Cluster')) expect(d.metadata.namespace).toBe(ns);
      const base = d.apiVersion.includes('/') ? `/apis/${d.apiVersion}` : `/api/${d.apiVersion}`;
      const resource = `${d.kind.toLowerCase()}s`; // every kind here pluralizes so
      const path = `${base}${d.metadata.namespace ? `/namespaces/${d.metadata.namespace}` : ''}/${resource}/${d.metadata.name}`;
      // server-side apply, dry run: admission and strict field validation, nothing stored
      const r = await applyDryRun(bed, path, d);
      expect({ object: `${d.kind}/${d.metadata.name}`, status: r.status, body: r.status === 200 || r.status === 201 ? '' : r.body.slice(0, 300) }).toEqual({
        object: `${d.kind}/${d.metadata.name}`,
        status: expect.toSatisfy((s: number) => s === 200 || s === 201),
        body: '',
      });
    }
  });
});
