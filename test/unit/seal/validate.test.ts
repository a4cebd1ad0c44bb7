import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION } from '../../../src/seal/scope.js';
import { validateSealedSecret, type ValidationProblem } from '../../../src/seal/validate.js';
import { CANARY, seal } from './unseal-fixture.js';

let keyA: KeyObject;
let keyB: KeyObject;
let big: KeyObject;

beforeAll(() => {
  keyA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keyB = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  big = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
});

const codes = (problems: ValidationProblem[]) => problems.map((p) => (p.key ? `${p.key}:${p.code}` : p.code));
const noCanary = (problems: ValidationProblem[]) => expect(JSON.stringify(problems)).not.toContain(CANARY);

function withValue(value: unknown) {
  const ss = seal({ key: keyA, data: { password: CANARY } });
  (ss.spec.encryptedData as Record<string, unknown>).password = value;
  return ss;
}

describe('validateSealedSecret: structure', () => {
  it('accepts a well-formed SealedSecret of every scope, with and without cert and keys', () => {
    for (const scope of ['strict', 'namespace-wide', 'cluster-wide'] as const) {
      const ss = seal({ key: keyA, data: { a: CANARY, empty: '' }, scope });
      expect(validateSealedSecret(ss)).toEqual([]);
      expect(validateSealedSecret(ss, { certificate: { publicKey: createPublicKey(keyA) }, privateKeys: [keyB, keyA] })).toEqual([]);
    }
  });

  it('accepts an empty encryptedData', () => {
    expect(validateSealedSecret(seal({ key: keyA, data: {} }))).toEqual([]);
  });

  it('flags objects that are not SealedSecrets', () => {
    expect(codes(validateSealedSecret({ apiVersion: 'v1', kind: 'Secret' }))).toEqual(['not-sealed-secret']);
    expect(codes(validateSealedSecret('text'))).toEqual(['not-sealed-secret']);
    expect(codes(validateSealedSecret({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret' }))).toEqual(['no-spec']);
  });

  it('flags a missing name, missing or non-map encryptedData, and the old spec.data', () => {
    const ss = seal({ key: keyA, data: { a: '1' } });
    delete ss.metadata!.name;
    expect(codes(validateSealedSecret(ss))).toEqual(['no-name']);
    const none = seal({ key: keyA, data: {} });
    delete none.spec.encryptedData;
    expect(codes(validateSealedSecret(none))).toEqual(['no-encrypted-data']);
    (none.spec as Record<string, unknown>).encryptedData = ['x'];
    expect(codes(validateSealedSecret(none))).toEqual(['encrypted-data-not-map']);
    const old = seal({ key: keyA, data: {} });
    old.spec.data = 'AAAA';
    expect(codes(validateSealedSecret(old))).toEqual(['deprecated-data']);
  });

  it('flags a value that is not a string or not base64', () => {
    expect(codes(validateSealedSecret(withValue(42)))).toEqual(['password:not-a-string']);
    for (const bad of ['abc', 'not base64!', 'QUJD\nREVG']) expect(codes(validateSealedSecret(withValue(bad)))).toEqual(['password:bad-base64']);
  });

  it('flags truncation: no prefix, a prefix longer than the value, no room for the GCM tag', () => {
    const good = Buffer.from(seal({ key: keyA, data: { p: CANARY } }).spec.encryptedData!.p!, 'base64');
    for (const cut of [1, 2, 200, 258, 258 + 15]) {
      const problems = validateSealedSecret(withValue(good.subarray(0, cut).toString('base64')));
      expect(codes(problems)).toEqual(['password:truncated']);
      noCanary(problems);
    }
    expect(codes(validateSealedSecret(withValue(good.subarray(0, 258 + 16).toString('base64'))))).toEqual([]);
  });

  it('checks the RSA length against the certificate, or against plausible sizes', () => {
    const ss = seal({ key: big, data: { password: CANARY } });
    expect(validateSealedSecret(ss)).toEqual([]);
    const problems = validateSealedSecret(ss, { certificate: { publicKey: createPublicKey(keyA) } });
    expect(problems).toEqual([
      { key: 'password', code: 'rsa-length-mismatch', message: 'sealed with a 3072-bit key, but the certificate has a 2048-bit key' },
    ]);
    const odd = Buffer.alloc(2 + 300 + 16);
    odd.writeUInt16BE(300, 0);
    expect(codes(validateSealedSecret(withValue(odd.toString('base64'))))).toEqual(['password:implausible-rsa-length']);
  });
});

describe('validateSealedSecret: scope annotations', () => {
  it('flags metadata and template declaring different scopes', () => {
    const ss = seal({ key: keyA, data: { a: '1' }, scope: 'namespace-wide' });
    ss.spec.template!.metadata!.annotations = {};
    const problems = validateSealedSecret(ss);
    expect(codes(problems)).toEqual(['scope-mismatch']);
    expect(problems[0]!.message).toMatch(/metadata declares namespace-wide scope but spec.template.metadata declares strict/);
  });

  it('flags scope annotation values the controller ignores', () => {
    const ss = seal({ key: keyA, data: { a: '1' } });
    ss.metadata!.annotations = { [CLUSTER_WIDE_ANNOTATION]: 'True' };
    ss.spec.template!.metadata!.annotations = { [CLUSTER_WIDE_ANNOTATION]: 'True', [NAMESPACE_WIDE_ANNOTATION]: 'false' };
    expect(codes(validateSealedSecret(ss))).toEqual(['scope-annotation-ignored', 'scope-annotation-ignored']);
  });
});

describe('validateSealedSecret: decrypt check with keys', () => {
  it('flags the wrong key per value', () => {
    const ss = seal({ key: keyA, data: { a: CANARY, b: CANARY } });
    const problems = validateSealedSecret(ss, { privateKeys: [keyB] });
    expect(codes(problems)).toEqual(['a:decrypt-failed', 'b:decrypt-failed']);
    expect(problems[0]!.message).toBe('none of the 1 private key(s) opens it as strict scope as "prod/db"');
    noCanary(problems);
  });

  it('names the namespace a moved SealedSecret was sealed for', () => {
    const ss = seal({ key: keyA, data: { a: CANARY }, sealAs: { scope: 'strict', namespace: 'dev', name: 'db' } });
    ss.spec.template!.metadata!.namespace = 'dev'; // kubeseal copies the namespace it sealed for into the template
    const problems = validateSealedSecret(ss, { privateKeys: [keyA] });
    expect(codes(problems)).toEqual(['a:decrypt-failed']);
    expect(problems[0]!.message).toMatch(/sealed for strict scope as "dev\/db"/);
  });

  it('flags a tampered value', () => {
    const ss = seal({ key: keyA, data: { a: CANARY } });
    const raw = Buffer.from(ss.spec.encryptedData!.a!, 'base64');
    raw[raw.length - 1]! ^= 0x80;
    ss.spec.encryptedData!.a = raw.toString('base64');
    expect(codes(validateSealedSecret(ss, { privateKeys: [keyA] }))).toEqual(['a:tampered']);
    expect(validateSealedSecret(ss)).toEqual([]);
  });

  it('needs a namespace to check strict values, and takes one from the options', () => {
    const ss = seal({ key: keyA, data: { a: CANARY }, namespace: 'team' });
    delete ss.metadata!.namespace;
    expect(codes(validateSealedSecret(ss, { privateKeys: [keyA] }))).toEqual(['no-unseal-target']);
    expect(validateSealedSecret(ss)).toEqual([]);
    expect(validateSealedSecret(ss, { privateKeys: [keyA], namespace: 'team' })).toEqual([]);
  });

  it('reports structure problems once and skips decrypting damaged values', () => {
    const problems = validateSealedSecret(withValue('%%%'), { privateKeys: [keyA] });
    expect(codes(problems)).toEqual(['password:bad-base64']);
  });
});
