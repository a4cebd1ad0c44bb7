import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY, FIXTURES, fixture } from '../unit/sops/helpers.js';

const KEY = FIXTURES + 'demo-age-key-1.txt';
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '' };

describe('ksec sops (built CLI)', () => {
  beforeAll(async () => {
    // the CLI must have been built (npm run -s build); fail loudly if not
    expect(statSync(join(FIXTURES, '../../../dist/bundle/ksec.js')).isFile()).toBe(true);
  });

  it('decrypt prints exactly what sops decrypt prints, in each format', async () => {
    const yaml = await runKsec(['sops', 'decrypt', FIXTURES + 'types.enc.yaml', '--age-key-file', KEY], { env: NO_KEYS });
    expect(yaml).toMatchObject({ code: 0, stderr: '' });
    expect(yaml.stdout).toBe(fixture('types.dec.yaml'));
    const json = await runKsec(['sops', 'decrypt', FIXTURES + 'types.enc.yaml', '-o', 'json'], { env: { ...NO_KEYS, SOPS_AGE_KEY_FILE: FIXTURES + 'demo-age-key-2.txt' } });
    expect(json.stdout).toBe(fixture('types.dec-from-yaml.json'));
    const env = await runKsec(['sops', 'decrypt', '-', '--input-format', 'dotenv'], { stdin: fixture('app.enc.env'), env: { ...NO_KEYS, SOPS_AGE_KEY: fixture('demo-age-key-1.txt') } });
    expect(env.stdout).toBe(fixture('app.dec.env'));
  });

  it('-w writes the plaintext atomically with mode 0600 and prints nothing', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ksec-sops-')), 'plain.yaml');
    const r = await runKsec(['sops', 'decrypt', FIXTURES + 'secret.enc.yaml', '--age-key-file', KEY, '-w', out], { env: NO_KEYS });
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(readFileSync(out, 'utf8')).toBe(fixture('secret.dec.yaml'));
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('fails with exit 2 and one line naming the file and the expected recipients, no stack, no plaintext', async () => {
    const r = await runKsec(['sops', 'decrypt', FIXTURES + 'types.enc.json', '--age-key-file', FIXTURES + 'demo-age-key-2.txt'], { env: NO_KEYS });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/types\.enc\.json: no age identity matches this file: it expects one of age1/);
    expect(r.stderr).not.toContain(CANARY);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a tampered file exits 2 and prints no plaintext', async () => {
    const tampered = fixture('types.enc.yaml').replace('note_unencrypted: stays in clear', 'note_unencrypted: changed');
    const r = await runKsec(['sops', 'decrypt', '-', '--input-format', 'yaml', '--age-key-file', KEY], { stdin: tampered, env: NO_KEYS });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/MAC mismatch/);
    expect(r.stderr).not.toContain(CANARY);
  });

  it('status: 0 for intact files, 1 with path and line for an unencrypted value', async () => {
    const ok = await runKsec(['sops', 'status', FIXTURES + 'types.enc.yaml', FIXTURES + 'app.enc.env']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/types\.enc\.yaml: ok/);
    const bad = await runKsec(['sops', 'status', FIXTURES + 'types.dec.yaml', '-o', 'json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).files[0].problems[0].code).toBe('not-sops');
    const dir = await runKsec(['sops', 'status', FIXTURES]);
    expect(dir.code).toBe(0);
    expect(dir.stdout).not.toContain('types.dec.yaml');
    expect(dir.stdout).not.toContain(CANARY);
  });

  it('status in a directory skips files that are not SOPS files, even unparsable ones', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ksec-sops-status-'));
    writeFileSync(join(d, 'broken.yaml'), 'a: [unclosed\n');
    writeFileSync(join(d, 'app.enc.env'), fixture('app.enc.env'));
    writeFileSync(join(d, 'leaky.enc.env'), fixture('app.enc.env').replace(/^DB_PASSWORD=.*$/m, `DB_PASSWORD=${CANARY}-leak`));
    const r = await runKsec(['sops', 'status', d]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('broken.yaml');
    expect(r.stdout).toMatch(/app\.enc\.env: ok/);
    expect(r.stdout).toMatch(/leaky\.enc\.env:2: value-unencrypted: value at DB_PASSWORD/);
    expect(r.stdout).not.toContain(CANARY);
  });

  it('documents every flag with examples', async () => {
    const help = await runKsec(['sops', 'decrypt', '--help']);
    expect(help.stdout).toMatch(/--age-key-file[\s\S]*--write[\s\S]*Examples:/);
  });
});
