import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sopsStatus } from '../../../src/sops/status.js';
import { CANARY, REFERENCE, fixture } from './helpers.js';

describe('sopsStatus (keyless)', () => {
  it.each(['types.enc.yaml', 'types.enc.json', 'app.enc.env', 'secret.enc.yaml', 'maconly.enc.yaml', 'shamir.enc.yaml'])('%s is fully encrypted with intact metadata', (name) => {
    expect(sopsStatus(fixture(name), name)).toMatchObject({ isSops: true, problems: [], unencryptedValues: [] });
  });

  it.each(['secret.enc.yaml', 'secret.enc.json', 'secret.enc.env'])('reference %s is ok', (name) => {
    expect(sopsStatus(readFileSync(REFERENCE + name, 'utf8'), name).problems).toEqual([]);
  });

  it('a plain file is not a SOPS file and has no problems of its own', () => {
    expect(sopsStatus(fixture('types.dec.yaml'), 'types.yaml')).toMatchObject({ isSops: false, problems: [] });
  });

  it('reports values that should be encrypted but are not, by path and line, without the value', () => {
    const text = fixture('types.enc.yaml').replace(/^(\s+token): .*$/m, `$1: ${CANARY}-leak`);
    const status = sopsStatus(text, 'types.enc.yaml');
    const line = text.split('\n').findIndex((l) => l.includes(`${CANARY}-leak`)) + 1;
    expect(status.unencryptedValues).toEqual([{ path: 'nested.deeper.token', line }]);
    expect(status.problems).toEqual([expect.objectContaining({ code: 'value-unencrypted', path: 'nested.deeper.token', line })]);
    expect(JSON.stringify(status)).not.toContain(CANARY);
  });

  it('follows the file\'s own rules: encrypted_regex leaves metadata in clear, unencrypted_suffix keys stay clear', () => {
    const secret = fixture('secret.enc.yaml').replace(/^(\s+username): .*$/m, '$1: admin');
    expect(sopsStatus(secret, 's.yaml').unencryptedValues.map((v) => v.path)).toEqual(['stringData.username']);
    expect(sopsStatus(fixture('types.enc.yaml'), 't.yaml').unencryptedValues).toEqual([]);
  });

  it('reports missing or damaged metadata', () => {
    const text = fixture('types.enc.yaml').replace(/^ {4}mac: .*\n/m, '').replace(/^ {4}lastmodified: .*\n/m, '    lastmodified: yesterday\n');
    const codes = sopsStatus(text, 't.yaml').problems.map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['mac-missing', 'lastmodified-invalid']));
    const noKeys = fixture('types.enc.json').replace(/"age": \[[\s\S]*?\n\t\t\],/, '');
    expect(sopsStatus(noKeys, 't.json').problems.map((p) => p.code)).toContain('recipients-missing');
    const badRecipient = fixture('types.enc.json').replace(/"recipient": "age1/, '"recipient": "age2');
    expect(sopsStatus(badRecipient, 't.json').problems.map((p) => p.code)).toContain('recipient-invalid');
  });

  it('a syntax error is a problem, not an exception', () => {
    expect(sopsStatus('{"a": ', 'x.json').problems[0]?.code).toBe('parse-error');
  });
});
