import { describe, expect, it } from 'vitest';
import { AgeError, ageDecrypt, parseIdentities, parseIdentity } from '../../../src/sops/age.js';
import { bech32Decode, bech32Encode } from '../../../src/sops/bech32.js';
import { parseSopsText } from '../../../src/sops/decrypt.js';
import { readMetadata } from '../../../src/sops/metadata.js';
import { demoKey, fixture } from './helpers.js';

const meta = () => readMetadata(parseSopsText(fixture('types.enc.yaml'), 'types.enc.yaml').rawMetadata, 'types.enc.yaml');

describe('age identities', () => {
  it('derives the recipient written by age-keygen', () => {
    const text = fixture('demo-age-key-1.txt');
    const publicKey = /public key: (age1[a-z0-9]+)/.exec(text)![1];
    const { identities, skipped } = parseIdentities(text, 'demo');
    expect(skipped).toEqual([]);
    expect(identities.map((i) => i.recipient)).toEqual([publicKey]);
  });

  it('skips plugin and malformed lines by number, never echoing them', () => {
    const parsed = parseIdentities('# c\nAGE-PLUGIN-YUBIKEY-1XYZ\nAGE-SECRET-KEY-1NOTAKEY\n', 'src');
    expect(parsed.identities).toEqual([]);
    expect(parsed.skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(JSON.stringify(parsed.skipped)).not.toContain('NOTAKEY');
  });

  it('rejects a bech32 string with a bad checksum', () => {
    const good = bech32Encode('age', Buffer.alloc(32, 7));
    expect(bech32Decode(good)?.data).toEqual(Buffer.alloc(32, 7));
    const bad = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    expect(bech32Decode(bad)).toBeUndefined();
    expect(parseIdentity('AGE-SECRET-KEY-1' + 'Q'.repeat(58), 'x')).toBeUndefined();
  });
});

describe('age decryption of the sops data key', () => {
  it('opens the stanza for either recipient and gets the same 32-byte key', () => {
    const [a, b] = meta().keyGroups[0]!.age;
    const k1 = ageDecrypt(a!.enc, demoKey(1));
    const k2 = ageDecrypt(b!.enc, demoKey(2));
    expect(k1).toHaveLength(32);
    expect(k2).toEqual(k1);
  });

  it('reports no-identity for a key that is not a recipient', () => {
    const [, b] = meta().keyGroups[0]!.age;
    expect(() => ageDecrypt(b!.enc, demoKey(1))).toThrowError(expect.objectContaining({ reason: 'no-identity' }));
  });

  it('detects a modified header (MAC) and a modified payload', () => {
    const enc = meta().keyGroups[0]!.age[0]!.enc;
    const body = Buffer.from(enc.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''), 'base64');
    const armor = (buf: Buffer) =>
      `-----BEGIN AGE ENCRYPTED FILE-----\n${buf.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END AGE ENCRYPTED FILE-----\n`;
    const macAt = body.indexOf('--- ') + 4;
    const headerTampered = Buffer.from(body);
    headerTampered[macAt] = headerTampered[macAt] === 0x41 ? 0x42 : 0x41;
    expect(() => ageDecrypt(armor(headerTampered), demoKey(1))).toThrow(AgeError);
    const payloadTampered = Buffer.from(body);
    payloadTampered[payloadTampered.length - 1]! ^= 1;
    expect(() => ageDecrypt(armor(payloadTampered), demoKey(1))).toThrowError(expect.objectContaining({ reason: 'payload' }));
  });
});
