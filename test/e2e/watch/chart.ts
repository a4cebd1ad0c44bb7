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
 * kubeconform schemas (`<kind>-<group>-<version>.json` + `_definitions.json`)
 * from the real apiserver's /openapi/v2, strict: every object with declared
 * properties rejects unknown ones.
 */
export async function schemasFromApiserver(bed: Testbed): Promise<string> {
  const res = await bed.request('GET', '/openapi/v2');
  if (res.status !== 200) throw new Error(`GET /openapi/v2: ${res.status}`);
  const spec = res.json<{ definitions: Record<string, any> }>();
  const definitions: Record<string, any> = {};
  for (const [name, def] of Object.entries(spec.definitions)) {
    definitions[name] = strictify(JSON.parse(JSON.stringify(def).replace(/"#\/definitions\//g, '"#/definitions/')));
  }
  // the string formats openapi2jsonschema rewrites the same way
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  const dir = mkdtempSync(join(tmpdir(), 'ksec-schemas-'));
  writeFileSync(join(dir, '_definitions.json'), JSON.stringify({ definitions }));
  for (const [name, def] of Object.entries(spec.definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      const suffix = gvk.group ? `-${gvk.group.split('.')[0]}-${gvk.version}` : `-${gvk.version}`;
      const schema = { $ref: `_definitions.json#/definitions/${name}` };
      writeFileSync(join(dir, `${gvk.kind.toLowerCase()}${suffix}.json`), JSON.stringify(schema));
    }
  }
  return dir;
}

function strictify(node: any): any {
  if (Array.isArray(node)) return node.map(strictify);
  if (node && typeof node === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(node)) out[k] = strictify(v);
    if (out.$ref) out.$ref = String(out.$ref).replace('#/definitions/', '_definitions.json#/definitions/');
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    // apiVersion/kind are always allowed
    return out;
  }
  return node;
}
