/**
 * `ksec sops` (built CLI) on the post-quantum demo fixtures (test/fixtures/sops/pq-demo*, made by the
 * real age-keygen -pq and sops): decrypted on a Node.js with ML-KEM (>= 24.7) exactly as sops printed
 * them, refused in one line on an older one. Both kinds of Node.js are looked for (the one running the
 * tests, the Node 24 `.ci/run` installs, `node` on PATH; test/unit/sops/node-binaries.ts), and .ci/run
 * has both.
 */
import { describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';
import { CANARY, FIXTURES, fixture } from '../unit/sops/helpers.js';
import { nodeWithMlkem, nodeWithoutMlkem } from '../unit/sops/node-binaries.js';

const PQ_KEY = FIXTURES + 'demo-age-pq-key.txt';
const X25519_KEY = FIXTURES + 'demo-age-key-1.txt';
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '' };
const withMlkem = nodeWithMlkem();
const withoutMlkem = nodeWithoutMlkem();

describe('ksec sops with post-quantum age keys (built CLI)', () => {
  it.runIf(withMlkem)(`decrypts what sops decrypts, each format, key from a flag or SOPS_AGE_KEY (${withMlkem?.version})`, async () => {
    for (const ext of ['yaml', 'json', 'env']) {
      for (const name of [`pq-demo.enc.${ext}`, `pq-demo-mixed.enc.${ext}`]) {
        const r = await runKsec(['sops', 'decrypt', FIXTURES + name, '--age-key-file', PQ_KEY], { env: NO_KEYS, node: withMlkem!.path });
        expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
        expect(r.stdout).toBe(fixture(`pq-demo.dec.${ext}`));
      }
    }
    const env = await runKsec(['sops', 'decrypt', '-', '--input-format', 'json'], {
      stdin: fixture('pq-demo.enc.json'),
      env: { ...NO_KEYS, SOPS_AGE_KEY: fixture('demo-age-pq-key.txt') },
      node: withMlkem!.path,
    });
    expect(env).toMatchObject({ code: 0, stderr: '', stdout: fixture('pq-demo.dec.json') });
  });

  it.runIf(withoutMlkem)(`refuses in one line, exit 2, on Node.js < 24.7 (${withoutMlkem?.version})`, async () => {
    for (const name of ['pq-demo.enc.yaml', 'pq-demo.enc.env', 'pq-demo-mixed.enc.json']) {
      const r = await runKsec(['sops', 'decrypt', FIXTURES + name, '--age-key-file', PQ_KEY], { env: NO_KEYS, node: withoutMlkem!.path });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`post-quantum age identities need Node.js >= 24.7; this is ${withoutMlkem!.version}`);
      expect(r.stderr).not.toContain(CANARY);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // the X25519 recipient beside the post-quantum one still works there
    const mixed = await runKsec(['sops', 'decrypt', FIXTURES + 'pq-demo-mixed.enc.yaml', '--age-key-file', PQ_KEY, '--age-key-file', X25519_KEY], {
      env: NO_KEYS,
      node: withoutMlkem!.path,
    });
    expect(mixed).toMatchObject({ code: 0, stderr: '', stdout: fixture('pq-demo.dec.yaml') });
  });

  it('sops status says what each file is encrypted for, without keys, on any Node.js', async () => {
    const r = await runKsec(['sops', 'status', FIXTURES + 'pq-demo.enc.yaml', FIXTURES + 'pq-demo-mixed.enc.env', FIXTURES + 'types.enc.yaml'], { env: NO_KEYS });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `${FIXTURES}pq-demo.enc.yaml: ok (yaml, fully encrypted, metadata intact; age: 1 post-quantum)`,
      `${FIXTURES}pq-demo-mixed.enc.env: ok (dotenv, fully encrypted, metadata intact; age: 1 X25519, 1 post-quantum)`,
      `${FIXTURES}types.enc.yaml: ok (yaml, fully encrypted, metadata intact; age: 2 X25519)`,
    ]);
    const json = JSON.parse((await runKsec(['sops', 'status', FIXTURES + 'pq-demo-mixed.enc.json', '-o', 'json'], { env: NO_KEYS })).stdout);
    expect(json.files[0].ageRecipients.map((r: { type: string }) => r.type)).toEqual(['X25519', 'post-quantum']);
  });
});
