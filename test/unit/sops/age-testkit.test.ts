/**
 * The C2SP CCTV age test vectors (test/fixtures/age-testkit, see its README)
 * run against src/sops/age.ts: a `success` vector must decrypt to the stated
 * payload hash; every failure vector must fail with an AgeError, never
 * another exception. Vectors for features age.ts does not implement
 * (scrypt passphrases) are counted, not run. The post-quantum (`hybrid*`)
 * vectors run in full on a Node.js with ML-KEM (>= 24.7; `.ci/run` runs
 * this project on Node 24 too); on an older one each must end as expected
 * or in the one-line refusal, and every success vector in the refusal.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AgeError, ageDecrypt, ageDecryptBinary, parseIdentity, type AgeIdentity } from '../../../src/sops/age.js';
import { postQuantumUnavailable } from '../../../src/sops/mlkem768x25519.js';

const DIR = new URL('../../fixtures/age-testkit/testdata/', import.meta.url);

interface Vector {
  name: string;
  expect: string;
  payload?: string;
  identities: string[];
  passphrases: string[];
  armored: boolean;
  body: Buffer;
}

function readVector(name: string): Vector {
  const raw = readFileSync(new URL(name, DIR));
  const split = raw.indexOf('\n\n');
  const headers = raw.subarray(0, split).toString('utf8').split('\n');
  const values = (key: string) => headers.filter((h) => h.startsWith(`${key}: `)).map((h) => h.slice(key.length + 2));
  let body = raw.subarray(split + 2);
  if (values('compressed')[0] === 'zlib') body = inflateSync(body);
  return {
    name,
    expect: values('expect')[0]!,
    payload: values('payload')[0],
    identities: values('identity'),
    passphrases: values('passphrase'),
    armored: values('armored')[0] === 'yes',
    body,
  };
}

const vectors = readdirSync(DIR).sort().map(readVector);

/** Why age.ts does not run a vector, or undefined when it does. */
function unsupported(v: Vector): string | undefined {
  if (v.passphrases.length > 0) return 'scrypt (passphrase) recipients';
  return undefined;
}

const isHybrid = (v: Vector) => v.identities.some((i) => i.startsWith('AGE-SECRET-KEY-PQ-'));
const NO_MLKEM = postQuantumUnavailable();
const supported = vectors.filter((v) => unsupported(v) === undefined && (!NO_MLKEM || !isHybrid(v)));
const hybrid = vectors.filter(isHybrid);

function decrypt(v: Vector): Buffer {
  const identities: AgeIdentity[] = v.identities.map((text) => parseIdentity(text, v.name)!);
  expect(identities.every(Boolean)).toBe(true);
  return v.armored ? ageDecrypt(v.body.toString('latin1'), identities) : ageDecryptBinary(v.body, identities);
}

/** The AgeError reason each failure kind of the testkit maps to. */
const REASON: Record<string, string> = {
  'no match': 'no-identity',
  'HMAC failure': 'header-mac',
  'header failure': 'malformed',
  'armor failure': 'malformed',
  'payload failure': 'payload',
};

describe('C2SP CCTV age testkit', () => {
  it('skips only the recipient types age.ts does not implement, counted by reason', () => {
    const skipped: Record<string, number> = {};
    for (const v of vectors) {
      const reason = unsupported(v);
      if (reason) skipped[reason] = (skipped[reason] ?? 0) + 1;
    }
    expect(vectors).toHaveLength(143);
    expect(skipped).toEqual({ 'scrypt (passphrase) recipients': 26 });
    expect(hybrid).toHaveLength(19);
    expect(supported).toHaveLength(NO_MLKEM ? 98 : 117);
  });

  it.runIf(NO_MLKEM)('without ML-KEM (Node.js < 24.7), post-quantum vectors end as expected or in the one-line refusal', () => {
    for (const v of hybrid) {
      let error: unknown;
      try {
        decrypt(v);
      } catch (e) {
        error = e;
      }
      expect(error, v.name).toBeInstanceOf(AgeError);
      const reason = (error as AgeError).reason;
      if (v.expect === 'success') expect(reason, v.name).toBe('unsupported');
      else expect([REASON[v.expect], 'unsupported'], v.name).toContain(reason);
      if (reason === 'unsupported') expect((error as AgeError).message).toBe(`post-quantum age identities need Node.js >= 24.7; this is ${process.version}`);
    }
  });

  it.each(supported.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    if (v.expect === 'success') {
      const plaintext = decrypt(v);
      expect(createHash('sha256').update(plaintext).digest('hex')).toBe(v.payload);
      return;
    }
    let error: unknown;
    try {
      decrypt(v);
    } catch (e) {
      error = e;
    }
    expect(error, `${v.name} should fail (${v.expect})`).toBeInstanceOf(AgeError);
    expect((error as AgeError).reason).toBe(REASON[v.expect]);
  });
});
