/** Renders the watcher's Helm chart and turns the bed apiserver's OpenAPI into kubeconform schemas. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../helpers/run-ksec.js';
import type { Testbed } from '../testbed/env.js';

export const CHART = join(REPO_ROOT, 'deploy/helm/ksec-watch');

export async function renderChart(bed: Testbed, release: string, namespace: string, sets: string[] = []): Promise<{ text: string; docs: any[] }> {
  const args = ['template', release, CHART, '--namespace', namespace];
  for (const s of sets) args.push('--set', s);
  const { stdout } = await bed.exec('helm', args);
  const docs = parseAllDocuments(stdout).map((d) => d.toJSON()).filter(Boolean);
  return { text: stdout, docs };
}

/**
 * Standalone, strict kubeconform schemas (`<kind>-<group>-<version>.json`) for the given kinds,
 * from the real apiserver's /openapi/v2: every $ref inlined (kubeconform does not resolve this
 * apiserver's full definitions file), every object with declared properties closed to unknown ones.
 */
export async function schemasFromApiserver(
  bed: Testbed,
  kinds = ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'Service', 'PodDisruptionBudget', 'Secret'],
): Promise<string> {
  const res = await bed.request('GET', '/openapi/v2');
  if (res.status !== 200) throw new Error(`GET /openapi/v2: ${res.status}`);
  const definitions = res.json<{ definitions: Record<string, any> }>().definitions;
  // the string formats openapi2jsonschema rewrites the same way
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const dir = mkdtempSync(join(tmpdir(), 'ksec-schemas-'));
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      if (!kinds.includes(gvk.kind)) continue;
      const suffix = gvk.group ? `-${gvk.group.split('.')[0]}-${gvk.version}` : `-${gvk.version}`;
      writeFileSync(join(dir, `${gvk.kind.toLowerCase()}${suffix}.json`), JSON.stringify(inline(definitions, name, [])));
    }
  }
  return dir;
}

function inline(definitions: Record<string, any>, name: string, stack: string[]): any {
  if (stack.includes(name)) return {}; // recursive types (none in these kinds) stay open
  return strict(definitions[name] ?? {}, definitions, [...stack, name]);
}

function strict(node: any, definitions: Record<string, any>, stack: string[]): any {
  if (Array.isArray(node)) return node.map((n) => strict(n, definitions, stack));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return inline(definitions, node.$ref.replace('#/definitions/', ''), stack);
  const out: any = {};
  for (const [k, v] of Object.entries(node)) out[k] = k.startsWith('x-kubernetes') ? v : strict(v, definitions, stack);
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
