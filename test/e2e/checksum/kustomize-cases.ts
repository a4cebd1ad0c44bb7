/**
 * Generated kustomize inputs for the hash-suffix compatibility test: one
 * kustomization with many configMapGenerator and secretGenerator entries
 * (literals with JSON/HTML-sensitive and non-ASCII characters, files, env
 * files, binary files, secret types, generator options), built once by the
 * real `kustomize build`; each output object's suffix is then recomputed with
 * kustomizeHash.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kustomizeHash } from '../../../src/config-hash/kustomize.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { objectsOf, parseManifestText } from '../../../src/manifest/read.js';
import { mulberry32 } from '../../helpers/prng.js';

// No U+2028/U+2029: go-yaml emits them raw and treats them as line breaks (re-indenting what
// follows), which YAML 1.2 readers do not, so the build output itself reads back differently.
// Their JSON escaping is covered by the Go vectors in test/fixtures/checksum/vectors.
const ALPHABET = ['a', 'Z', '0', '9', '-', '_', '.', '<', '>', '&', '"', "'", '\\', '/', 'é', 'ß', '日本', '😀', ' ', '=', ':', '#', '{', '}', '\t'];

export interface GeneratedTree {
  dir: string;
  count: number;
}

/** Writes `<dir>/kustomization.yaml` and its files; `count` generator entries in all. */
export function writeKustomizeTree(dir: string, count: number, options: { namePrefix?: string; namespace?: string } = {}): GeneratedTree {
  const random = mulberry32(4242 + count);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const text = (max: number) => {
    let s = '';
    const n = 1 + Math.floor(random() * max);
    for (let i = 0; i < n; i++) s += pick(ALPHABET);
    return s;
  };
  const key = (i: number) => `${pick(['k', 'config', 'app.properties', 'KEY_', 'x-y'])}${i}`;
  mkdirSync(join(dir, 'files'), { recursive: true });
  const configMaps: string[] = [];
  const secrets: string[] = [];
  for (let i = 0; i < count; i++) {
    const isSecret = i % 2 === 1;
    const name = `gen-${isSecret ? 's' : 'c'}${i}`;
    const lines = [`- name: ${name}`];
    const literals: string[] = [];
    const files: string[] = [];
    const envs: string[] = [];
    const entries = 1 + Math.floor(random() * 4);
    for (let j = 0; j < entries; j++) {
      const form = random();
      if (form < 0.5) {
        literals.push(JSON.stringify(`${key(j)}=${text(24)}`));
      } else if (form < 0.75) {
        const file = `files/${name}-${j}.txt`;
        writeFileSync(join(dir, file), `${text(40)}\n${text(40)}\n`);
        files.push(`${key(j)}.txt=${file}`);
      } else if (form < 0.88 && !isSecret) {
        const file = `files/${name}-${j}.bin`;
        writeFileSync(join(dir, file), Buffer.from([0xff, 0xfe, 0x00, j, Math.floor(random() * 256)]));
        files.push(`${key(j)}.bin=${file}`);
      } else {
        const file = `files/${name}-${j}.env`;
        writeFileSync(join(dir, file), `ENV_A${j}=${text(10).replace(/[\n\t]/g, '')}\nENV_B${j}=plain\n`);
        envs.push(file);
      }
    }
    if (literals.length) lines.push('  literals:', ...literals.map((l) => `  - ${l}`));
    if (files.length) lines.push('  files:', ...files.map((f) => `  - ${f}`));
    if (envs.length) lines.push('  envs:', ...envs.map((e) => `  - ${e}`));
    if (isSecret && random() < 0.3) lines.push(`  type: ${pick(['Opaque', 'example.com/custom', 'kubernetes.io/basic-auth'])}`);
    if (random() < 0.2) lines.push('  options:', '    labels:', `      tier: t${i}`, '    annotations:', `      note: "n${i}"`);
    (isSecret ? secrets : configMaps).push(lines.join('\n'));
  }
  const head = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    ...(options.namePrefix ? [`namePrefix: ${options.namePrefix}`] : []),
    ...(options.namespace ? [`namespace: ${options.namespace}`] : []),
  ];
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `${[...head, 'configMapGenerator:', ...configMaps, 'secretGenerator:', ...secrets].join('\n')}\n`,
  );
  return { dir, count };
}

export interface Comparison {
  name: string;
  kind: string;
  kustomize: string;
  ours: string;
}

/**
 * Compares every suffix in `kustomize build` output with kustomizeHash of the
 * object under its unsuffixed name (prefix included).
 */
export function compareSuffixes(buildOutput: string): Comparison[] {
  const out: Comparison[] = [];
  for (const { object } of objectsOf([parseManifestText(buildOutput, 'kustomize-build.yaml')])) {
    if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') continue;
    const name = object.metadata?.name ?? '';
    const match = /^(.*)-([a-z0-9]{10})$/.exec(name);
    if (!match) throw new Error(`${object.kind}/${name} has no hash suffix`);
    const unsuffixed: KubeObject = { ...object, metadata: { ...object.metadata, name: match[1]! } };
    out.push({ name, kind: object.kind, kustomize: match[2]!, ours: kustomizeHash(unsuffixed) });
  }
  return out;
}
