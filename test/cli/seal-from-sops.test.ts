import { describe, expect, it } from 'vitest';
import { runKsec, REPO_ROOT } from '../helpers/run-ksec.js';
import { CANARY, FIXTURES } from '../unit/sops/helpers.js';

const CERT = REPO_ROOT + 'examples/keys/demo-sealed-secrets.crt';
const KEY = REPO_ROOT + 'examples/keys/demo-sealed-secrets.key';
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '' };

describe('ksec seal --from-sops (built CLI)', () => {
  it('seals the decrypted Secret; unsealing gives back the SOPS plaintext', async () => {
    const sealed = await runKsec(['seal', '--from-sops', FIXTURES + 'secret.enc.yaml', '--age-key-file', FIXTURES + 'demo-age-key-1.txt', '--cert', CERT, '-o', 'yaml'], { env: NO_KEYS });
    expect(sealed).toMatchObject({ code: 0, stderr: '' });
    expect(sealed.stdout).toMatch(/kind: SealedSecret[\s\S]*name: db[\s\S]*namespace: prod/);
    expect(sealed.stdout).not.toContain(CANARY);
    const unsealed = await runKsec(['unseal', '--private-key', KEY, '--data-key', 'password', '--data-key', 'token', '--data-key', 'username'], { stdin: sealed.stdout });
    expect(unsealed.stdout).toBe('KSEC-CANARY-secret-e41c\nKSEC-CANARY-token-b64\nadmin\n');
  });

  it('a SOPS file the identities cannot open seals nothing and exits 2', async () => {
    const r = await runKsec(['seal', '--from-sops', FIXTURES + 'types.enc.json', '--cert', CERT], { env: { ...NO_KEYS, SOPS_AGE_KEY_FILE: FIXTURES + 'demo-age-key-2.txt' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no age identity matches/);
  });

  it('refuses a SOPS file that is not a Secret, without printing its values', async () => {
    const r = await runKsec(['seal', '--from-sops', FIXTURES + 'types.enc.yaml', '--age-key-file', FIXTURES + 'demo-age-key-1.txt', '--cert', CERT], { env: NO_KEYS });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/document 1 is not a Secret/);
    expect(r.stderr).not.toContain(CANARY);
  });
});
