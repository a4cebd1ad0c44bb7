/**
 * Post-quantum age in SOPS files: the demo fixtures `pq-demo*` (made by the
 * real age-keygen 1.3.1 and sops 3.13.3, see test/fixtures/sops/README.md)
 * decrypt to exactly what sops printed, on a Node.js with ML-KEM (>= 24.7;
 * `.ci/run` runs this project on Node 24 too). On an older Node.js the
 * decryption a post-quantum identity is needed for ends in the one-line
 * refusal, while an X25519 recipient beside it still works there.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExitCode, formatError, isKsecError } from '../../../src/errors.js';
import { AgeError, ageDecryptBinary, dearmor, describeIdentity, identityMayMatch, parseIdentities, type AgeIdentity } from '../../../src/sops/age.js';
import { bech32Encode } from '../../../src/sops/bech32.js';
import { decryptSopsFile, parseSopsText } from '../../../src/sops/decrypt.js';
import { readMetadata } from '../../../src/sops/metadata.js';
import { postQuantumUnavailable } from '../../../src/sops/mlkem768x25519.js';
import { renderSops } from '../../../src/sops/render.js';
import { describeRecipients, sopsStatus } from '../../../src/sops/status.js';
import { CANARY, demoKey, fixture } from './helpers.js';

const MLKEM = postQuantumUnavailable() === undefined;
const REFUSAL = `post-quantum age identities need Node.js >= 24.7; this is ${process.version}`;
const FORMATS = ['yaml', 'json', 'env'] as const;

const pqKey = () => parseIdentities(fixture('demo-age-pq-key.txt'), 'demo-age-pq-key.txt');
const pqRecipient = () => /^# public key: (age1pq1[a-z0-9]+)$/m.exec(fixture('demo-age-pq-key.txt'))![1]!;
const x25519Recipient = () => demoKey(1)[0]!.recipient!;
/** a post-quantum identity nobody encrypted to: a random seed */
const strangerPqKey = () => parseIdentities(bech32Encode('age-secret-key-pq-', randomBytes(32)).toUpperCase(), 'stranger').identities;

async function decrypt(name: string, identities: readonly AgeIdentity[]): Promise<string> {
  const result = await decryptSopsFile({ text: fixture(name) }, { path: name, identities });
  return renderSops(result.branches, result.format, name);
}

async function failure(name: string, identities: readonly AgeIdentity[]): Promise<{ message: string; line: string; exitCode: number }> {
  const err = await decryptSopsFile({ text: fixture(name) }, { path: name, identities }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKsecError(err), `${name} should fail with a KsecError`).toBe(true);
  const e = err as Error & { exitCode: number };
  return { message: e.message, line: formatError(e), exitCode: e.exitCode };
}

describe('post-quantum identities', () => {
  it('AGE-SECRET-KEY-PQ-1 lines parse beside X25519 ones; the recipient is age-keygen\'s on Node.js with ML-KEM', () => {
    const both = parseIdentities(`${fixture('demo-age-key-1.txt')}\n${fixture('demo-age-pq-key.txt')}`, 'keys.txt');
    expect(both.skipped).toEqual([]);
    expect(both.identities.map((i) => i.type)).toEqual(['X25519', 'mlkem768x25519']);
    const pq = both.identities[1]!;
    if (MLKEM) {
      expect(pq.recipient).toBe(pqRecipient());
      expect(describeIdentity(pq)).toBe(`${pqRecipient().slice(0, 16)}...${pqRecipient().slice(-8)} (post-quantum)`);
    } else {
      expect(pq.recipient).toBeUndefined();
      expect(describeIdentity(pq)).toBe('a post-quantum identity from keys.txt');
    }
    // the X25519 half alone tells whether an identity belongs to a recipient, on any Node.js
    expect(identityMayMatch(pq, pqRecipient())).toBe(true);
    expect(identityMayMatch(strangerPqKey()[0]!, pqRecipient())).toBe(!MLKEM ? false : true);
  });

  it('malformed post-quantum lines are skipped with a reason that names the kind, never the text', () => {
    const good = fixture('demo-age-pq-key.txt').match(/^AGE-SECRET-KEY-PQ-1\S+$/m)![0];
    const parsed = parseIdentities(`${good.slice(0, -1)}x\nAGE-SECRET-KEY-PQ-1${'Q'.repeat(40)}\n${bech32Encode('age-secret-key-pq-', randomBytes(31)).toUpperCase()}\n`, 'k');
    expect(parsed.identities).toEqual([]);
    expect(parsed.skipped).toEqual([1, 2, 3].map((line) => ({ line, reason: 'not a valid AGE-SECRET-KEY-PQ-1... identity' })));
  });
});

describe.each(FORMATS)('pq-demo(-mixed).enc.%s (sops 3.13.3, age 1.3.1)', (ext) => {
  const plain = () => fixture(`pq-demo.dec.${ext}`);

  it('the X25519 recipient of the mixed file decrypts it on any Node.js', async () => {
    expect(await decrypt(`pq-demo-mixed.enc.${ext}`, demoKey(1))).toBe(plain());
  });

  it.runIf(MLKEM)('the post-quantum identity decrypts both files to what sops decrypt printed', async () => {
    expect(plain()).toContain(CANARY);
    expect(await decrypt(`pq-demo.enc.${ext}`, pqKey().identities)).toBe(plain());
    expect(await decrypt(`pq-demo-mixed.enc.${ext}`, pqKey().identities)).toBe(plain());
    // with every identity at hand, in either order
    expect(await decrypt(`pq-demo.enc.${ext}`, [...demoKey(2), ...strangerPqKey(), ...pqKey().identities])).toBe(plain());
  });

  it.runIf(!MLKEM)('Node.js < 24.7: the post-quantum identity is refused in one line, exit 2', async () => {
    for (const [name, identities] of [
      [`pq-demo.enc.${ext}`, pqKey().identities],
      [`pq-demo.enc.${ext}`, [...demoKey(1), ...pqKey().identities]],
      [`pq-demo-mixed.enc.${ext}`, pqKey().identities],
    ] as const) {
      const f = await failure(name, identities);
      expect(f.message).toBe(REFUSAL);
      expect(f.exitCode).toBe(ExitCode.input);
      expect(f.line).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}: ${REFUSAL.replace(/[.()]/g, '\\$&')} \\(the data key for age1pq1\\S+\\.\\.\\.\\S+ \\(post-quantum\\) needs ML-KEM-768: run ksec on Node\\.js >= 24\\.7, or decrypt with sops\\)$`));
      expect(f.line).not.toContain(CANARY);
    }
    // ... and beside an X25519 identity that opens the file, it is simply not needed
    expect(await decrypt(`pq-demo-mixed.enc.${ext}`, [...pqKey().identities, ...demoKey(1)])).toBe(plain());
  });

  it('without a matching identity: one line listing the expected recipients, the post-quantum one shortened', async () => {
    for (const identities of [demoKey(2), strangerPqKey(), [...demoKey(2), ...strangerPqKey()]]) {
      const f = await failure(`pq-demo-mixed.enc.${ext}`, identities);
      expect(f.message).toBe(`no age identity matches this file: it expects one of ${x25519Recipient()}, ${pqRecipient().slice(0, 16)}...${pqRecipient().slice(-8)} (post-quantum)`);
      expect(f.line).not.toContain('\n');
      expect(f.line).not.toContain(pqRecipient()); // ~1950 characters: never in full
    }
  });

  it.runIf(MLKEM)('a tampered post-quantum stanza does not open: the ML-KEM or the X25519 part of the share, the wrapped key', () => {
    const meta = readMetadata(parseSopsText(fixture(`pq-demo.enc.${ext}`), `pq-demo.enc.${ext}`).rawMetadata, 'f');
    const file = dearmor(meta.keyGroups[0]!.age[0]!.enc);
    expect(ageDecryptBinary(file, pqKey().identities)).toHaveLength(32);
    const stanza = file.subarray(0, file.indexOf('\n---', 0, 'latin1')).toString('latin1').split('\n').slice(1).join('\n');
    const [, type, share] = stanza.split('\n')[0]!.split(' ');
    expect(type).toBe('mlkem768x25519');
    const flip = (b64: string, at: number) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[at]! ^= 1;
      return bytes.toString('base64').replace(/=+$/, '');
    };
    const body = stanza.split('\n')[1]!;
    for (const edited of [
      stanza.replace(share!, flip(share!, 10)), // ML-KEM ciphertext: implicit rejection
      stanza.replace(share!, flip(share!, 1088 + 5)), // X25519 share
      stanza.replace(`\n${body}`, `\n${flip(body, 3)}`), // the sealed file key
    ]) {
      expect(edited).not.toBe(stanza);
      const tampered = Buffer.from(file.toString('latin1').replace(stanza, edited), 'latin1');
      const err = (() => {
        try {
          ageDecryptBinary(tampered, pqKey().identities);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(AgeError);
      expect((err as AgeError).reason).toBe('no-identity');
    }
  });

  it('sops status: intact, encrypted for the recipients it lists, on any Node.js', () => {
    const only = sopsStatus(fixture(`pq-demo.enc.${ext}`), `pq-demo.enc.${ext}`);
    expect(only.problems).toEqual([]);
    expect(only.ageRecipients).toEqual([{ recipient: pqRecipient(), type: 'post-quantum', keyGroup: 1 }]);
    expect(describeRecipients(only)).toBe('age: 1 post-quantum');
    const mixed = sopsStatus(fixture(`pq-demo-mixed.enc.${ext}`), `pq-demo-mixed.enc.${ext}`);
    expect(mixed.problems).toEqual([]);
    expect(mixed.ageRecipients.map((r) => [r.recipient, r.type])).toEqual([
      [x25519Recipient(), 'X25519'],
      [pqRecipient(), 'post-quantum'],
    ]);
    expect(describeRecipients(mixed)).toBe('age: 1 X25519, 1 post-quantum');
  });
});
