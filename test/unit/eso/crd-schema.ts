import { fileURLToPath } from 'node:url';
/**
 * Validates objects against the real ESO CRDs in test/fixtures/crds (ESO v2.9.0's own; see the README there)
 * (the openAPIV3Schema of the served version), with ajv. Unknown fields are
 * errors here (the API server would prune them silently, which hides typos),
 * except where the schema preserves unknown fields.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const CRD_DIR = process.env.KSEC_CRD_DIR ?? fileURLToPath(new URL('../../fixtures/crds', import.meta.url));

const FILES: Record<string, string> = {
  ExternalSecret: 'external-secrets.io_externalsecrets.yaml',
  SecretStore: 'external-secrets.io_secretstores.yaml',
  ClusterSecretStore: 'external-secrets.io_clustersecretstores.yaml',
};

const cache = new Map<string, ValidateFunction>();
const parsed = new Map<string, { spec: { versions: { name: string; schema: { openAPIV3Schema: any } }[] } }>();

function parsedCrd(file: string) {
  let crd = parsed.get(file);
  if (!crd) {
    crd = parse(readFileSync(`${CRD_DIR}/${file}`, 'utf8'));
    parsed.set(file, crd!);
  }
  return crd!;
}

/**
 * Parses the three CRDs (1.4 MB of YAML, seconds on a busy machine): call it
 * from a beforeAll with a long hook timeout so no single test pays for it.
 */
export function loadCrds(): void {
  for (const file of Object.values(FILES)) parsedCrd(file);
}


function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

/**
 * The store CRDs describe every provider (700 KB, seconds to compile); only the
 * providers the object uses are kept. With unknown fields closed, that checks
 * the object exactly as the whole schema would.
 */
function validatorFor(kind: string, version: string, providers: string[]): ValidateFunction {
  const id = `${kind}/${version}/${providers.join(',')}`;
  const hit = cache.get(id);
  if (hit) return hit;
  const file = FILES[kind];
  if (!file) throw new Error(`no CRD for ${kind}`);
  // a copy: the schema is edited below
  const crd = structuredClone(parsedCrd(file));
  const v = crd.spec.versions.find((x: { name: string }) => x.name === version);
  if (!v) throw new Error(`${kind} has no version ${version}`);
  const full = v.schema.openAPIV3Schema;
  const providerSchema = full.properties?.spec?.properties?.provider;
  if (providerSchema?.properties) {
    providerSchema.properties = Object.fromEntries(Object.entries(providerSchema.properties).filter(([p]) => providers.includes(p)));
  }
  const schema = closed(full) as Record<string, unknown>;
  // metadata is validated by the API server, not by the CRD schema
  (schema.properties as Record<string, unknown>).metadata = { type: 'object' };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const fn = ajv.compile(schema);
  cache.set(id, fn);
  return fn;
}

/** Schema errors for an ESO object, as `path message` strings; empty when valid. */
export function crdErrors(obj: { apiVersion?: string; kind?: string; spec?: unknown }): string[] {
  const version = String(obj.apiVersion ?? '').split('/')[1] ?? '';
  const provider = (obj.spec as { provider?: object } | undefined)?.provider;
  const validate = validatorFor(String(obj.kind), version, provider ? Object.keys(provider).sort() : []);
  if (validate(obj)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}
