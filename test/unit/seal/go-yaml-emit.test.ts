/**
 * The direct SealedSecret YAML emitter against the full renderer it stands in
 * for (layout.ts through the `yaml` package, itself checked against kubeseal in
 * test/e2e/seal): byte-equal wherever the emitter answers, and it answers for
 * realistic SealedSecrets, so this cannot pass by always declining.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emitGoYaml } from '../../../src/seal/go-yaml-emit.js';
import { sortKeysDeep } from '../../../src/go/yaml-key-order.js';
import { renderSealedSecretYaml, renderWithYamlLib } from '../../../src/seal/layout.js';
import { mulberry32 } from '../../helpers/prng.js';

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);

/** Strings that go-yaml or the yaml package treat specially, and ordinary ones. */
const TRICKY = [
  'true', 'True', 'yes', 'Yes', 'y', 'n', 'N', 'on', 'Off', 'null', 'NULL', '~', '<<',
  '1', '007', '-1', '+1', '0x1F', '0x1g', '0o17', '0b101', '0b12', '1e3', '1E+3', '.5', '1.', '1._', '1_000', '_1',
  '-.inf', '.NaN', '.inf', '1:20', '1:2:x', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43',
  '12abc', '3.14.15', 'a:b', 'a:', 'a::b', 'http://example.com/x?y=1', 'user@example.com', 'a=b', 'a+b/c==', '/abs/path', '_under',
  'a b', 'a  b', ' lead', 'trail ', '', "it's", 'é', 'naïve', '#x', 'a #b', 'a# b', '-x', '- x', '?x', '? x', ':x', '@x', '`x',
  '%x', '!x', '&x', '*x', '|x', '>x', '"x"', "'x'", '[x]', '{x}', 'a,b', 'x\ny', 'x\n', 'tab\there', '\u0007',
  'a'.repeat(100), `${'word '.repeat(20)}end`, 'x'.repeat(1030),
];
const WORDS = ['app', 'db', 'password', 'api-token', 'tls.crt', 'config.json', 'app.kubernetes.io/name', 'team', 'demo', 'prod', 'a1', 'k8s'];
const SCOPE_ANNOTATIONS = ['sealedsecrets.bitnami.com/namespace-wide', 'sealedsecrets.bitnami.com/cluster-wide', 'sealedsecrets.bitnami.com/managed'];

function ciphertext(rand: Rand): string {
  // hybrid ciphertexts start with the 2-byte length of the RSA part (AgA.. for 4096-bit, AQA.. for 2048-bit keys)
  const body = randomBytes(16 + int(rand, 200)).toString('base64');
  return (rand() < 0.5 ? 'AgA' : 'AQA') + body;
}

function name(rand: Rand): string {
  const parts = Array.from({ length: 1 + int(rand, 3) }, () => pick(rand, WORDS).replace(/[./]/g, '-'));
  return parts.join('-') + (rand() < 0.3 ? `-${int(rand, 100)}` : '');
}

function stringMap(rand: Rand, n: number, keys: () => string, values: () => string): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, () => [keys(), values()]));
}

/** A SealedSecret as ksec seal produces it: realistic names, labels, scope annotations, base64 ciphertexts. */
function realistic(rand: Rand): Record<string, unknown> {
  const meta: Record<string, unknown> = { name: name(rand) };
  if (rand() < 0.9) meta.namespace = name(rand);
  if (rand() < 0.5) meta.labels = stringMap(rand, 1 + int(rand, 3), () => pick(rand, WORDS), () => name(rand));
  if (rand() < 0.5) meta.annotations = { [pick(rand, SCOPE_ANNOTATIONS)]: 'true' };
  const template: Record<string, unknown> = { metadata: { ...meta, ...(rand() < 0.2 ? { annotations: {} } : {}) } };
  if (rand() < 0.8) template.type = pick(rand, ['Opaque', 'kubernetes.io/tls', 'kubernetes.io/dockerconfigjson', 'kubernetes.io/basic-auth']);
  if (rand() < 0.1) template.immutable = rand() < 0.5;
  const encryptedData = stringMap(rand, 1 + int(rand, 8), () => name(rand).replace(/-/g, pick(rand, ['_', '-', '.'])).toUpperCase(), () => ciphertext(rand));
  return { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: meta, spec: { template, encryptedData } };
}

/** A realistic SealedSecret with some keys, values or shapes replaced by tricky ones. */
function tricky(rand: Rand): Record<string, unknown> {
  const obj = realistic(rand) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  const value = (): unknown => {
    const r = rand();
    if (r < 0.7) return pick(rand, TRICKY);
    if (r < 0.75) return null;
    if (r < 0.8) return rand() < 0.5;
    if (r < 0.85) return pick(rand, [0, 3, -7, 2 ** 40, 3.5, -0.25, 1e21, Number.NaN]);
    if (r < 0.9) return [pick(rand, TRICKY)];
    if (r < 0.95) return {};
    return { [pick(rand, TRICKY) || 'k']: pick(rand, TRICKY) };
  };
  for (let i = 0, n = 1 + int(rand, 3); i < n; i++) {
    const where = pick(rand, ['labels', 'annotations', 'data', 'meta'] as const);
    const key = rand() < 0.5 ? pick(rand, TRICKY) : pick(rand, WORDS);
    if (where === 'meta') obj.metadata[key] = value();
    else if (where === 'data') (obj.spec.template as Record<string, unknown>).data = { [key]: value() };
    else obj.metadata[where] = { ...(obj.metadata[where] as object | undefined), [key]: value() };
  }
  return obj;
}

describe('emitGoYaml: the full renderer\'s bytes, or no answer', () => {
  it('answers every realistic SealedSecret, byte-equal to the renderer', () => {
    const rand = mulberry32(0x5ea1);
    for (let i = 0; i < 1500; i++) {
      const sorted = sortKeysDeep(realistic(rand));
      const fast = emitGoYaml(sorted);
      expect(fast, `case ${i}`).toBeDefined();
      expect(fast, `case ${i}`).toBe(renderWithYamlLib(sorted));
    }
  }, 60_000);

  it('on tricky keys, values and shapes: byte-equal where it answers, and it still answers some', () => {
    const rand = mulberry32(0x7e57);
    let answered = 0;
    const cases = 2500;
    for (let i = 0; i < cases; i++) {
      const sorted = sortKeysDeep(tricky(rand));
      const fast = emitGoYaml(sorted);
      if (fast === undefined) continue;
      answered++;
      expect(fast, `case ${i}: ${JSON.stringify(sorted).slice(0, 400)}`).toBe(renderWithYamlLib(sorted));
    }
    expect(answered).toBeGreaterThan(cases / 10);
    expect(answered).toBeLessThan(cases);
  }, 60_000);

  it('every plain-safe tricky string, as a key and as a value, prints as the renderer prints it', () => {
    let answered = 0;
    for (const s of TRICKY) {
      for (const obj of [{ kind: 'SealedSecret', metadata: { name: s } }, { kind: 'SealedSecret', metadata: { labels: { [s]: 'v' } } }]) {
        const fast = emitGoYaml(sortKeysDeep(obj));
        if (fast === undefined) continue;
        answered++;
        expect(fast, JSON.stringify(s)).toBe(renderWithYamlLib(sortKeysDeep(obj)));
      }
    }
    expect(answered).toBeGreaterThan(TRICKY.length / 2);
  });

  it('declines what it does not print: sequences, spaces, empty strings, non-ASCII, floats, long keys', () => {
    for (const value of [['a'], 'a b', '', 'é', 3.5, 'x\ny', "it's", '#x', 'a:', undefined]) {
      expect(emitGoYaml(sortKeysDeep({ kind: 'SealedSecret', metadata: { name: value } })), JSON.stringify(value)).toBeUndefined();
    }
    expect(emitGoYaml(sortKeysDeep({ kind: 'SealedSecret', metadata: { labels: { ['k'.repeat(129)]: 'v' } } }))).toBeUndefined();
    expect(emitGoYaml(sortKeysDeep({ kind: 'SealedSecret', metadata: { labels: { yes: 'v' } } }))).toBeUndefined();
    expect(emitGoYaml({})).toBeUndefined();
  });

  it('renderSealedSecretYaml prints the same either way', () => {
    const rand = mulberry32(0xfa11);
    for (let i = 0; i < 300; i++) {
      const obj = rand() < 0.5 ? realistic(rand) : tricky(rand);
      expect(renderSealedSecretYaml(obj)).toBe(renderWithYamlLib(sortKeysDeep(obj)));
    }
  }, 60_000);
});
