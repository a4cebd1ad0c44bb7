import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isKsecError, type KsecError } from '../../../src/errors.js';
import { decryptDocument, decryptSopsFile, parseSopsText, type SopsFormat } from '../../../src/sops/decrypt.js';
import { renderSops } from '../../../src/sops/render.js';
import { CANARY, FIXTURES, REFERENCE, demoKey, fixture } from './helpers.js';

const decryptText = (text: string, name: string, key: 1 | 2 = 1) => decryptDocument(parseSopsText(text, name), demoKey(key));
const render = (text: string, name: string, format?: SopsFormat, key: 1 | 2 = 1) => {
  const r = decryptText(text, name, key);
  return renderSops(r.branches, format ?? r.format, name);
};

/** Runs `fn`, expects a KsecError with exit code 2 and no plaintext in it. */
function failure(fn: () => unknown): KsecError {
  try {
    fn();
  } catch (err) {
    if (!isKsecError(err)) throw err;
    expect(err.exitCode).toBe(2);
    expect(`${err.message} ${err.hint}`).not.toContain(CANARY);
    return err;
  }
  throw new Error('expected a failure');
}

describe('decrypting sops-produced files equals `sops decrypt` byte for byte', () => {
  it.each([
    ['types.enc.yaml', 'types.dec.yaml', undefined, 1],
    ['types.enc.yaml', 'types.dec-from-yaml.json', 'json', 2],
    ['types.enc.json', 'types.dec.json', undefined, 1],
    ['app.enc.env', 'app.dec.env', undefined, 1],
    ['secret.enc.yaml', 'secret.dec.yaml', undefined, 1],
    ['maconly.enc.yaml', 'maconly.dec.yaml', undefined, 1],
  ] as const)('%s -> %s', (input, expected, format, key) => {
    expect(render(fixture(input), input, format, key)).toBe(fixture(expected));
  });

  it('keeps every value type and the document order', () => {
    const r = decryptText(fixture('types.enc.yaml'), 'types.enc.yaml');
    const kinds = Object.fromEntries(r.branches[0]!.items.flatMap((i) => (i.kind === 'item' ? [[i.key, i.value.kind]] : [])));
    expect(kinds).toMatchObject({ password: 'str', port: 'int', ratio: 'float', enabled: 'bool', nothing: 'null', when: 'time', '1': 'str', nested: 'map', list: 'seq' });
    const keys = r.branches[0]!.items.flatMap((i) => (i.kind === 'item' ? [i.key] : []));
    expect(keys.indexOf('1')).toBeGreaterThan(keys.indexOf('colon'));
  });

  it('decrypts the reference files to the reference plaintext', async () => {
    const expected = JSON.parse(readFileSync(REFERENCE + 'secret.json', 'utf8'));
    for (const name of ['secret.enc.json', 'secret.enc.yaml']) {
      const r = await decryptSopsFile(REFERENCE + name, { keyFiles: [REFERENCE + 'key.txt'], env: {} });
      const plain = JSON.parse(renderSops(r.branches, 'json'));
      const { ['0word']: _zero, ...withoutZero } = expected;
      expect(plain).toEqual(name.endsWith('json') ? expected : withoutZero);
    }
    const env = await decryptSopsFile(REFERENCE + 'secret.enc.env', { keyFiles: [REFERENCE + 'key.txt'], env: {} });
    expect(renderSops(env.branches, 'dotenv')).toBe('secret=this is a secret\nanother_secret=7\n');
  });
});

describe('tampering is always detected', () => {
  const yaml = fixture('types.enc.yaml');

  it('a modified value fails authentication and names its path', () => {
    const tampered = yaml.replace(/^(password: ENC\[AES256_GCM,data:)(.)/m, (_, p, c) => p + (c === 'A' ? 'B' : 'A'));
    expect(tampered).not.toBe(yaml);
    expect(failure(() => decryptText(tampered, 't.yaml')).message).toMatch(/value at password .*failed authentication/);
  });

  it('a value moved to another key fails authentication (the key path is additional data)', () => {
    const pw = /^password: (.*)$/m.exec(yaml)![1]!;
    const tampered = yaml.replace(/^colon: .*$/m, `colon: ${pw}`);
    expect(failure(() => decryptText(tampered, 't.yaml')).message).toMatch(/value at colon/);
  });

  it('reordered list items or a changed clear value fail the MAC', () => {
    const lines = yaml.split('\n');
    const i = lines.findIndex((l) => l === 'list:');
    [lines[i + 1], lines[i + 2]] = [lines[i + 2]!, lines[i + 1]!];
    expect(failure(() => decryptText(lines.join('\n'), 't.yaml')).message).toMatch(/MAC mismatch/);
    const clear = yaml.replace('note_unencrypted: stays in clear', 'note_unencrypted: changed');
    expect(failure(() => decryptText(clear, 't.yaml')).message).toMatch(/MAC mismatch/);
  });

  it('a modified MAC or lastmodified fails the MAC authentication', () => {
    const mac = yaml.replace(/(mac: ENC\[AES256_GCM,data:)(.)/, (_, p, c) => p + (c === 'A' ? 'B' : 'A'));
    expect(failure(() => decryptText(mac, 't.yaml')).message).toMatch(/MAC failed authentication/);
    const lm = yaml.replace(/lastmodified: "(\d{4})/, (_, y) => `lastmodified: "${Number(y) - 1}`);
    expect(failure(() => decryptText(lm, 't.yaml')).message).toMatch(/MAC failed authentication/);
  });

  it('a modified recipient block is reported as damaged', () => {
    const lines = yaml.split('\n');
    const i = lines.findIndex((l) => l.includes('BEGIN AGE ENCRYPTED FILE')) + 2;
    lines[i] = lines[i]!.slice(0, 20) + (lines[i]![20] === 'A' ? 'B' : 'A') + lines[i]!.slice(21);
    const tampered = lines.join('\n');
    const err = failure(() => decryptText(tampered, 't.yaml'));
    expect(err.message).toMatch(/age data key .* is damaged|no age identity matches/);
  });

  it('a plaintext value slipped into an encrypted file is refused', () => {
    const tampered = yaml.replace(/^password: .*$/m, `password: ${CANARY}-slipped`);
    expect(failure(() => decryptText(tampered, 't.yaml')).message).toMatch(/value at password .*not a sops-encrypted value/);
  });
});

describe('clear errors for keys', () => {
  it('no matching identity names the recipients the file expects', () => {
    const err = failure(() => decryptDocument(parseSopsText(fixture('types.enc.json'), 'x.json'), demoKey(2)));
    const recipient = /"recipient": "(age1[a-z0-9]+)"/.exec(fixture('types.enc.json'))![1]!;
    expect(err.message).toContain(recipient);
  });

  it('no identity at all says where ksec looked', async () => {
    await expect(decryptSopsFile(FIXTURES + 'types.enc.json', { env: { HOME: '/nonexistent' } })).rejects.toThrow(/no age identity found/);
  });

  it('finds identities in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and XDG_CONFIG_HOME', async () => {
    const key = fixture('demo-age-key-1.txt');
    for (const env of [{ SOPS_AGE_KEY: key }, { SOPS_AGE_KEY_FILE: FIXTURES + 'demo-age-key-1.txt' }]) {
      const r = await decryptSopsFile(FIXTURES + 'app.enc.env', { env: { HOME: '/nonexistent', ...env } });
      expect(renderSops(r.branches, 'dotenv')).toBe(fixture('app.dec.env'));
    }
  });

  it('Shamir key groups: combines the parts when the identities open enough groups', () => {
    const doc = parseSopsText(fixture('shamir.enc.yaml'), 'shamir.enc.yaml');
    const r = decryptDocument(doc, [...demoKey(1), ...demoKey(2)]);
    expect(renderSops(r.branches, 'yaml')).toBe(fixture('shamir.dec.yaml'));
    expect(failure(() => decryptDocument(doc, demoKey(2))).message).toMatch(/2 key groups and 2 are needed, but ksec's identities open only 1/);
  });

  it('PGP/KMS-only files are refused with the key types named', () => {
    const text = fixture('types.enc.json').replace(/"age": \[[\s\S]*?\n\t\t\],/, '"kms": [{"arn": "arn:aws:kms:eu-west-1:111122223333:key/demo", "enc": "x", "created_at": "2024-01-01T00:00:00Z"}],');
    expect(failure(() => decryptText(text, 'kms.json')).message).toMatch(/encrypted only for 1 AWS KMS key; ksec decrypts age keys only/);
  });
});
