/**
 * Post-quantum age (issue 20): SOPS files encrypted to `age1pq1...` recipients (ML-KEM-768 + X25519,
 * stanza `mlkem768x25519`) are valid metadata for `ksec scan` and `sops status` (decrypting them is covered by
 * test/unit/sops/post-quantum.test.ts); here: without a matching identity, decryption says so in one line.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatError, isKsecError } from '../../../src/errors.js';
import { scanText } from '../../../src/scan/scan.js';
import { parseIdentities } from '../../../src/sops/age.js';
import { bech32Encode } from '../../../src/sops/bech32.js';
import { decryptSopsFile } from '../../../src/sops/decrypt.js';
import { sopsStatus } from '../../../src/sops/status.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/scan/corpus/', import.meta.url));
const SOURCE = readFileSync(join(CORPUS, 'sops/secret.sops.yaml'), 'utf8');
const raw = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** an armored age file as age writes one for a post-quantum recipient (random bytes where the cryptography goes) */
function pqAgeFile(edit: (header: string) => string = (h) => h, payload = 64): string {
  const header = edit(`age-encryption.org/v1\n-> mlkem768x25519 ${raw(randomBytes(1088 + 32))}\n${raw(randomBytes(32))}\n--- ${raw(randomBytes(32))}\n`);
  const bytes = Buffer.concat([Buffer.from(header, 'latin1'), randomBytes(payload)]);
  return ['-----BEGIN AGE ENCRYPTED FILE-----', ...bytes.toString('base64').match(/.{1,64}/g)!, '-----END AGE ENCRYPTED FILE-----'].join('\n');
}

/** the public demo identity of test/fixtures/sops (demo-age-key-1.txt) */
const X25519_DEMO_KEY = readFileSync(fileURLToPath(new URL('../../fixtures/sops/demo-age-key-1.txt', import.meta.url)), 'utf8').match(/^AGE-SECRET-KEY-1\S+/m)![0];

const pqRecipient = () => bech32Encode('age1pq', randomBytes(1184 + 32));

/** the corpus's SOPS Secret with its age entries replaced: `pq` post-quantum ones, then the first `x25519` of the originals */
function sopsFile(pq: { recipient: string; enc: string }[], keepX25519: number): string {
  const start = SOURCE.indexOf('  age:\n') + '  age:\n'.length;
  const end = SOURCE.search(/^ {2}lastmodified:/m);
  const originals = SOURCE.slice(start, end).split(/(?=^ {4}- recipient:)/m).filter((e) => e.startsWith('    - recipient:'));
  const pqEntries = pq.map((e) => `    - recipient: ${e.recipient}\n      enc: |\n${e.enc.split('\n').map((l) => `        ${l}\n`).join('')}`);
  return SOURCE.slice(0, start) + [...pqEntries, ...originals.slice(0, keepX25519)].join('') + SOURCE.slice(end);
}

describe('post-quantum age recipients', () => {
  it.each([
    ['only post-quantum recipients', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile() }], 0)],
    ['post-quantum and X25519 recipients', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile() }], 2)],
    ['two post-quantum recipients', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile() }, { recipient: pqRecipient(), enc: pqAgeFile() }], 1)],
  ])('%s: valid metadata for scan and sops status', async (_name, make) => {
    const text = make();
    expect(text).toContain('age1pq1');
    expect(sopsStatus(text, 's.yaml').problems).toEqual([]);
    expect((await scanText('s.yaml', text)).findings).toEqual([]);
  });

  it.each([
    ['a recipient of the wrong length', () => sopsFile([{ recipient: bech32Encode('age1pq', randomBytes(100)), enc: pqAgeFile() }], 1), 'recipient-invalid'],
    ['a post-quantum recipient whose file has an X25519 stanza only', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile((h) => h.replace(/-> mlkem768x25519 \S+/, `-> X25519 ${raw(randomBytes(32))}`)) }], 1), 'age-stanza-invalid'],
    ['a cut mlkem768x25519 share', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile((h) => h.replace(/(-> mlkem768x25519 )(\S+)/, (_m, p: string, s: string) => p + s.slice(0, 200))) }], 1), 'age-stanza-invalid'],
    ['a cut payload', () => sopsFile([{ recipient: pqRecipient(), enc: pqAgeFile(undefined, 40) }], 1), 'age-stanza-invalid'],
  ])('damaged: %s', async (_name, make, code) => {
    const text = make();
    expect(sopsStatus(text, 's.yaml').problems.map((p) => p.code)).toEqual([code]);
    expect((await scanText('s.yaml', text)).findings.map((f) => f.rule)).toEqual(['sops-metadata']);
  });

  it('decryption without a matching identity says so in one line, naming the post-quantum recipient shortened', async () => {
    const recipient = pqRecipient();
    const text = sopsFile([{ recipient, enc: pqAgeFile() }], 0);
    for (const [identities, start] of [
      [[], /^no age identity found/],
      [parseIdentities(`${X25519_DEMO_KEY}\n`, 'k').identities, /^no age identity matches this file/],
    ] as const) {
      const err = await decryptSopsFile({ text }, { path: 's.yaml', identities }).catch((e: unknown) => e);
      expect(isKsecError(err)).toBe(true);
      const line = formatError(err);
      expect((err as Error).message).toMatch(start);
      expect(line).toContain(`${recipient.slice(0, 16)}...${recipient.slice(-8)} (post-quantum)`);
      expect(line).not.toContain('\n');
    }
  });

  it('a malformed AGE-SECRET-KEY-PQ-1 line is skipped with that reason', () => {
    const parsed = parseIdentities(`# post-quantum\nAGE-SECRET-KEY-PQ-1${'Q'.repeat(58)}\n`, 'keys.txt');
    expect(parsed.identities).toEqual([]);
    expect(parsed.skipped).toEqual([{ line: 2, reason: 'not a valid AGE-SECRET-KEY-PQ-1... identity' }]);
  });
});
