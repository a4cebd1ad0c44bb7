import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KsecError } from '../../../src/errors.js';
import { annotationsFor } from '../../../src/seal/scope.js';
import { KeyRing, unsealSealedSecret, unsealTarget } from '../../../src/seal/unseal.js';
import { decodeStrictBase64 } from '../../../src/seal/wire.js';
import { CANARY, catchError, seal } from './unseal-fixture.js';

let keyA: KeyObject;
let keyB: KeyObject;
let small: KeyObject;

beforeAll(() => {
  keyA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keyB = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('unsealSealedSecret', () => {
  it('restores data, metadata and type for each scope', () => {
    for (const scope of ['strict', 'namespace-wide', 'cluster-wide'] as const) {
      const ss = seal({ key: keyA, data: { password: CANARY, empty: '' }, scope });
      const secret = unsealSealedSecret(ss, new KeyRing([keyA]));
      expect(secret).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'prod', labels: { app: 'web' }, annotations: annotationsFor(scope) },
        type: 'Opaque',
        data: { password: b64(CANARY), empty: '' },
      });
    }
  });

  it('keeps binary and unicode values byte for byte', () => {
    const binary = Buffer.from([0, 255, 1, 128, 10, 13, 0]);
    const ss = seal({ key: keyA, data: { bin: binary, uni: 'ключ 🔑 鍵' } });
    const secret = unsealSealedSecret(ss, new KeyRing([keyA]));
    expect(Buffer.from(secret.data!.bin!, 'base64')).toEqual(binary);
    expect(Buffer.from(secret.data!.uni!, 'base64').toString('utf8')).toBe('ключ 🔑 鍵');
  });

  it('tries every key, whichever order they come in', () => {
    const ss = seal({ key: keyB, data: { a: '1' } });
    expect(unsealSealedSecret(ss, new KeyRing([small, keyA, keyB])).data).toEqual({ a: b64('1') });
    expect(unsealSealedSecret(ss, new KeyRing([keyB, keyA])).data).toEqual({ a: b64('1') });
  });

  it('opens values sealed with different keys in one object (after a key rotation)', () => {
    const a = seal({ key: keyA, data: { old: 'x' } });
    const b = seal({ key: keyB, data: { new: 'y' } });
    a.spec.encryptedData = { ...a.spec.encryptedData, ...b.spec.encryptedData };
    expect(unsealSealedSecret(a, new KeyRing([keyA, keyB])).data).toEqual({ old: b64('x'), new: b64('y') });
  });

  it('keeps immutable and the type, drops creationTimestamp', () => {
    const ss = seal({ key: keyA, data: { a: '1' } });
    ss.spec.template = { ...ss.spec.template, type: 'kubernetes.io/basic-auth', immutable: true };
    ss.spec.template.metadata = { ...ss.spec.template.metadata, creationTimestamp: null };
    const secret = unsealSealedSecret(ss, new KeyRing([keyA]));
    expect(secret.type).toBe('kubernetes.io/basic-auth');
    expect(secret.immutable).toBe(true);
    expect(secret.metadata).not.toHaveProperty('creationTimestamp');
  });

  it('takes name and namespace from the SealedSecret, not the template', () => {
    const ss = seal({ key: keyA, data: { a: '1' }, scope: 'cluster-wide' });
    ss.metadata = { ...ss.metadata, name: 'renamed', namespace: 'other' };
    expect(unsealSealedSecret(ss, new KeyRing([keyA])).metadata).toMatchObject({ name: 'renamed', namespace: 'other' });
  });

  it('expands {{ .key }} and index references in template.data; refuses other template code', () => {
    const ss = seal({ key: keyA, data: { user: 'admin', 'pass-word': CANARY } });
    ss.spec.template!.data = { url: 'postgres://{{ .user }}:{{ index . "pass-word" }}@db', plain: 'literal' };
    const data = unsealSealedSecret(ss, new KeyRing([keyA])).data!;
    expect(Buffer.from(data.url!, 'base64').toString()).toBe(`postgres://admin:${CANARY}@db`);
    expect(Buffer.from(data.plain!, 'base64').toString()).toBe('literal');

    ss.spec.template!.data = { x: '{{ .user | upper }}' };
    expect(catchError(() => unsealSealedSecret(ss, new KeyRing([keyA]))).message).toMatch(/template.data.x uses template functions/);
    ss.spec.template!.data = { x: '{{ .nope }}' };
    expect(catchError(() => unsealSealedSecret(ss, new KeyRing([keyA]))).message).toMatch(/refers to "nope"/);
  });

  it('uses the fallback namespace for a SealedSecret without one', () => {
    const ss = seal({ key: keyA, data: { a: '1' }, namespace: 'team' });
    delete ss.metadata!.namespace;
    expect(catchError(() => unsealSealedSecret(ss, new KeyRing([keyA]))).message).toMatch(/metadata.namespace is not set/);
    expect(unsealSealedSecret(ss, new KeyRing([keyA]), { namespace: 'team' }).metadata?.namespace).toBe('team');
  });

  it('unseals an empty encryptedData to an empty Secret', () => {
    const ss = seal({ key: keyA, data: {} });
    expect(unsealSealedSecret(ss, new KeyRing([keyA])).data).toEqual({});
  });
});

describe('unseal failures: one clear line naming the object and key, never a value', () => {
  const expectClean = (err: KsecError) => {
    expect(err.exitCode).toBe(2);
    expect(err.object).toBe('SealedSecret/prod/db');
    expect(`${err.message} ${err.hint ?? ''}`).not.toContain(CANARY);
    expect(err.message).not.toContain('\n');
  };

  it('the wrong key', () => {
    const err = catchError(() => unsealSealedSecret(seal({ key: keyA, data: { password: CANARY } }), new KeyRing([keyB])));
    expect(err.message).toBe('encryptedData.password: none of the 1 private key(s) opens it as strict scope as "prod/db"');
    expectClean(err);
  });

  it('a key of another size', () => {
    const err = catchError(() => unsealSealedSecret(seal({ key: keyA, data: { password: CANARY } }), new KeyRing([small])));
    expect(err.message).toMatch(/sealed with a 2048-bit key; none of the 1 private key\(s\) has that size/);
    expectClean(err);
  });

  it('a SealedSecret moved to another namespace or renamed (strict scope)', () => {
    const moved = seal({ key: keyA, data: { password: CANARY }, sealAs: { scope: 'strict', namespace: 'dev', name: 'db' } });
    moved.spec.template!.metadata!.namespace = 'dev';
    const err = catchError(() => unsealSealedSecret(moved, new KeyRing([keyA])));
    expect(err.message).toBe('encryptedData.password: sealed for strict scope as "dev/db", but this SealedSecret unseals as strict scope as "prod/db"');
    expectClean(err);
  });

  it('a scope annotation added or removed after sealing', () => {
    const ss = seal({ key: keyA, data: { password: CANARY }, sealAs: { scope: 'cluster-wide', namespace: 'prod', name: 'db' } });
    const err = catchError(() => unsealSealedSecret(ss, new KeyRing([keyA])));
    expect(err.message).toMatch(/sealed for cluster-wide scope, but this SealedSecret unseals as strict scope/);
    const nsWide = seal({ key: keyA, data: { password: CANARY }, sealAs: { scope: 'namespace-wide', namespace: 'prod', name: 'db' } });
    expect(catchError(() => unsealSealedSecret(nsWide, new KeyRing([keyA]))).message).toMatch(
      /sealed for namespace-wide scope in namespace "prod"/,
    );
  });

  it('a truncated value', () => {
    const ss = seal({ key: keyA, data: { password: CANARY } });
    const raw = Buffer.from(ss.spec.encryptedData!.password!, 'base64');
    for (const cut of [1, 100, 258, 270]) {
      ss.spec.encryptedData!.password = raw.subarray(0, cut).toString('base64');
      const err = catchError(() => unsealSealedSecret(ss, new KeyRing([keyA])));
      expect(err.message).toMatch(/^encryptedData.password: ciphertext too short/);
      expectClean(err);
    }
  });

  it('a tampered AES part', () => {
    const ss = seal({ key: keyA, data: { password: CANARY } });
    const raw = Buffer.from(ss.spec.encryptedData!.password!, 'base64');
    raw[raw.length - 5]! ^= 1;
    ss.spec.encryptedData!.password = raw.toString('base64');
    const err = catchError(() => unsealSealedSecret(ss, new KeyRing([keyA])));
    expect(err.message).toMatch(/^encryptedData.password: .*truncated or tampered with/);
    expectClean(err);
  });

  it('a tampered RSA part', () => {
    const ss = seal({ key: keyA, data: { password: CANARY } });
    const raw = Buffer.from(ss.spec.encryptedData!.password!, 'base64');
    raw[10]! ^= 1;
    ss.spec.encryptedData!.password = raw.toString('base64');
    expect(catchError(() => unsealSealedSecret(ss, new KeyRing([keyA]))).message).toMatch(/none of the 1 private key/);
  });

  it('invalid base64', () => {
    const ss = seal({ key: keyA, data: { password: CANARY } });
    ss.spec.encryptedData!.password = 'not base64!';
    expect(catchError(() => unsealSealedSecret(ss, new KeyRing([keyA]))).message).toBe('encryptedData.password is not valid base64');
  });

  it('not a SealedSecret, no spec, the old spec.data format', () => {
    expect(catchError(() => unsealSealedSecret({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, new KeyRing([keyA]))).message).toMatch(
      /expected a SealedSecret .*found Secret/,
    );
    expect(catchError(() => unsealSealedSecret({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'x' } }, new KeyRing([keyA]))).message).toMatch(/no spec/);
    const old = seal({ key: keyA, data: {} });
    old.spec.data = 'AAAA';
    expect(catchError(() => unsealSealedSecret(old, new KeyRing([keyA]))).message).toMatch(/spec.data is the pre-v0.7/);
  });
});

describe('helpers', () => {
  it('decodeStrictBase64 is strict standard base64', () => {
    expect(decodeStrictBase64('aGk=')?.toString()).toBe('hi');
    expect(decodeStrictBase64('')?.length).toBe(0);
    for (const bad of ['aGk', 'a Gk=', 'aG-k', 'aGk=\n', 'aGk=aGk=', '====', 'A===', 'aG=k', 'aGké', 42, null]) expect(decodeStrictBase64(bad)).toBeUndefined();
    // whitespace where the length still divides by 4: atob would drop it
    for (const bad of ['aG k', ' aGk', 'aGk\n', 'aGk\t', 'aGVsbG8\r', 'aG\nk', 'aGVs\nbG8']) expect(decodeStrictBase64(bad)).toBeUndefined();
    // Go's StdEncoding ignores the unused bits of the last character: non-canonical input decodes as there
    expect([...decodeStrictBase64('aGl=')!]).toEqual([...Buffer.from('hi')]);
    expect([...decodeStrictBase64('AB==')!]).toEqual([0]);
  });

  it('unsealTarget needs a name under strict scope', () => {
    const ss = seal({ key: keyA, data: {} });
    delete ss.metadata!.name;
    expect(() => unsealTarget(ss)).toThrow(/metadata.name is not set/);
  });

  it('KeyRing refuses to be empty', () => {
    expect(() => new KeyRing([])).toThrow(/no private key/);
  });
});
