/** The name suffix `kustomize build` gives generated ConfigMaps and Secrets (`--algorithm kustomize`). */
import { createHash } from 'node:crypto';
import { goJsonMarshal } from '../go/json.js';
import { isRecord, type KubeObject } from '../manifest/objects.js';
import { hashInputError } from './content.js';
import { hashableKind } from './kinds.js';

/**
 * The name suffix kustomize appends for configMapGenerator/secretGenerator
 * (sigs.k8s.io/kustomize/api/hasher): Go's json.Marshal of
 *   ConfigMap: {binaryData?, data, kind: "ConfigMap", name}
 *   Secret:    {data, kind: "Secret", name, stringData?, type}
 * where each field is the object's raw value (data values stay base64 text),
 * an absent field is "" (binaryData/stringData are left out unless they are
 * maps), keys sorted; then sha256, hex, the first 10 characters with
 * 0→g 1→h 3→k a→m e→t so the suffix never looks like a number or word.
 *
 * `name` is always "": kustomize reads it with `yaml.Lookup("metadata/name")`,
 * which looks for one field literally called "metadata/name" and finds none.
 * So the suffix depends on content (and type) only — verified against the
 * real `kustomize build` (test/e2e/checksum).
 */
export function kustomizeHash(obj: KubeObject): string {
  const kind = hashableKind(obj);
  const name = '';
  const fieldValue = (holder: Record<string, unknown>, key: string): unknown => {
    const v = holder[key];
    return v === undefined || v === null ? '' : v;
  };
  let encoded: Record<string, unknown>;
  if (kind === 'ConfigMap') {
    encoded = { kind: 'ConfigMap', name, data: fieldValue(obj, 'data') };
    if (isRecord(obj.binaryData)) encoded.binaryData = obj.binaryData;
  } else if (kind === 'Secret') {
    encoded = { kind: 'Secret', type: fieldValue(obj, 'type'), name, data: fieldValue(obj, 'data') };
    if (isRecord(obj.stringData)) encoded.stringData = obj.stringData;
  } else {
    throw hashInputError(obj, `kustomize hashes only ConfigMaps and Secrets, not ${obj.kind ?? 'this object'}`, 'use --algorithm ksec');
  }
  return kustomizeSuffix(createHash('sha256').update(goJsonMarshal(encoded), 'utf8').digest('hex'));
}

/** kustomize's (and kubectl's) hex-to-suffix mapping. */
export function kustomizeSuffix(hex: string): string {
  const map: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => map[c] ?? c).join('');
}
