/**
 * The sops readers and emitters against what the real `sops` 3.13.3 prints
 * (test/fixtures/sops/golden, see its README): each plaintext input read by
 * ksec's parser for its format and printed by ksec's emitter for each output
 * format must give sops's `decrypt --output-type ...` bytes; the encrypted
 * files decrypt value by value to the plaintext, and the MAC over ksec's
 * value bytes is the one sops stored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { decryptDocument, parseSopsText, recoverDataKey } from '../../../src/sops/decrypt.js';
import { emitDotenvTree, parseDotenvTree } from '../../../src/sops/dotenv.js';
import { emitJsonTree, parseJsonTree } from '../../../src/sops/json.js';
import { macAdditionalData, readMetadata } from '../../../src/sops/metadata.js';
import { renderSops } from '../../../src/sops/render.js';
import { walkBranch, type Leaf, type SopsMap } from '../../../src/sops/tree.js';
import { decryptValue, macBytes, openValue, parseEncrypted } from '../../../src/sops/values.js';
import { emitYamlTree } from '../../../src/sops/yaml-emit.js';
import { parseYamlTree } from '../../../src/sops/yaml.js';
import { demoKey } from './helpers.js';

const golden = (name: string) => readFileSync(new URL(`../../fixtures/sops/golden/${name}`, import.meta.url), 'utf8');

const inputs = {
  'strings.yaml': () => parseYamlTree(golden('strings.yaml'), 'strings.yaml').branches,
  'strings.json': () => [parseJsonTree(golden('strings.json'), 'strings.json')],
  'app.env': () => [parseDotenvTree(golden('app.env'), 'app.env').branch],
  'seq-comments.yaml': () => parseYamlTree(golden('seq-comments.yaml'), 'seq-comments.yaml').branches,
};

/** [input, output format, sops's output file] */
const cases: [keyof typeof inputs, 'yaml' | 'json' | 'dotenv', string][] = [
  ['strings.yaml', 'yaml', 'strings.yaml.dec.yaml'],
  ['strings.json', 'json', 'strings.json.dec.json'],
  ['strings.json', 'yaml', 'strings.json.dec.yaml'],
  ['app.env', 'dotenv', 'app.env.dec.env'],
  ['app.env', 'json', 'app.env.dec.json'],
  ['app.env', 'yaml', 'app.env.dec.yaml'],
  ['seq-comments.yaml', 'yaml', 'seq-comments.yaml.dec.yaml'],
];

describe('sops emitters print what sops prints', () => {
  it('decrypting a file with plaintext comments before sequence items prints them once', () => {
    const doc = parseSopsText(golden('seq-comments.enc.yaml'), 'seq-comments.enc.yaml');
    expect(renderSops(decryptDocument(doc, demoKey(1)).branches, 'yaml')).toBe(golden('seq-comments.yaml.dec.yaml'));
  });

  it.each(cases)('%s as %s', (input, format, expected) => {
    expect(renderSops(inputs[input](), format)).toBe(golden(expected));
  });

  it('emitYamlTree, emitJsonTree and emitDotenvTree directly', () => {
    expect(emitYamlTree(inputs['strings.yaml']())).toBe(golden('strings.yaml.dec.yaml'));
    expect(emitJsonTree(inputs['strings.json']()[0]!) + '\n').toBe(golden('strings.json.dec.json'));
    expect(emitDotenvTree(inputs['app.env']()[0]!)).toBe(golden('app.env.dec.env'));
  });

  it('refuses Inf and NaN in JSON output, as sops does', () => {
    expect(() => renderSops(inputs['strings.yaml'](), 'json')).toThrow(KsecError);
  });

  it('refuses nested values in dotenv output, as sops does', () => {
    expect(() => renderSops(inputs['strings.json'](), 'dotenv')).toThrow(KsecError);
  });
});

/** Every leaf in sops's walk order with the additional data sops encrypts it under. */
function leaves(branches: SopsMap[]): { leaf: Leaf; additionalData: string }[] {
  const out: { leaf: Leaf; additionalData: string }[] = [];
  for (const branch of branches) {
    walkBranch(branch, (leaf, ctx) => {
      out.push({ leaf, additionalData: ctx.path.join(':') + ':' });
      return leaf;
    });
  }
  return out;
}

const withoutLines = (leaf: Leaf) => ({ ...leaf, line: undefined });

describe.each([
  ['strings.enc.yaml', 'strings.yaml'],
  ['strings.enc.json', 'strings.json'],
  ['app.enc.env', 'app.env'],
  ['seq-comments.enc.yaml', 'seq-comments.yaml'],
] as const)('values and tree walk: %s', (encrypted, plain) => {
  const doc = parseSopsText(golden(encrypted), encrypted);
  const meta = readMetadata(doc.rawMetadata, encrypted);
  const key = recoverDataKey(meta, demoKey(1), encrypted);
  const decrypted = leaves(doc.branches).map(({ leaf, additionalData }) =>
    (leaf.kind === 'str' || leaf.kind === 'comment') && parseEncrypted(leaf.value) ? decryptValue(leaf.value, key, additionalData) : leaf,
  );

  it('decrypts every value and comment, under the additional data of its path, to the plaintext one', () => {
    const expected = leaves(inputs[plain]()).map(({ leaf }) => leaf);
    expect(decrypted.map(withoutLines)).toEqual(expected.map(withoutLines));
  });

  it('hashes the values into the MAC sops stored', () => {
    const hash = createHash('sha512');
    for (const leaf of decrypted) if (leaf.kind !== 'comment') hash.update(macBytes(leaf));
    const stored = openValue(parseEncrypted(meta.mac!)!, key, macAdditionalData(meta.lastModified!)!);
    expect(stored.toString('latin1')).toBe(hash.digest('hex').toUpperCase());
  });
});
