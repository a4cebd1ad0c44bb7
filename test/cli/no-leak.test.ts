/**
 * Issue 19, point 1: no input text ever reaches the terminal. Every reader is
 * given a file whose broken part holds a canary; the canary must not appear on
 * stdout or stderr, and the error names file, line, column and the problem.
 * And `-w` onto the command's own input is refused, the file left untouched.
 */
import { linkSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toYaml } from '../../src/manifest/write.js';
import { runKsec, type KsecResult } from '../helpers/run-ksec.js';
import { CANARY as SOPS_CANARY, FIXTURES } from '../unit/sops/helpers.js';
import { cliFixture, seal, type CliFixture } from '../unit/seal/unseal-fixture.js';

const CANARY = 'CANARYx7q9';
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', KUBECONFIG: '' };

const dir = mkdtempSync(join(tmpdir(), 'ksec-no-leak-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const SECRET_HEAD = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\n';

/** Broken manifests, each with the canary in the part that breaks it. */
const BROKEN_MANIFESTS: Record<string, string> = {
  'unresolved-alias': `${SECRET_HEAD}stringData:\n  k: *${CANARY}\n`,
  'block-header': `${SECRET_HEAD}stringData:\n  k: |${CANARY}\n    v\n`,
  'bad-escape': `${SECRET_HEAD}stringData:\n  k: "\\q${CANARY}"\n`,
  'unterminated': `${SECRET_HEAD}stringData:\n  k: "${CANARY}\n`,
  'compact-mapping': `${SECRET_HEAD}stringData:\n  k: ${CANARY}: [\n`,
  'flow-garbage': `${SECRET_HEAD}stringData: {k: v ${CANARY}] }\n`,
};

/** Files the yaml package reads with a warning that quotes the text (a tag, a directive, a key). */
const WARNED_MANIFESTS: Record<string, string> = {
  'unknown-tag': `${SECRET_HEAD}stringData:\n  k: !${CANARY} v\n`,
  'bad-directive': `%${CANARY} x\n---\n${SECRET_HEAD}`,
  'collection-key': `${SECRET_HEAD}stringData:\n  ? [${CANARY}]\n  : v\n`,
};

function expectNoCanary(r: KsecResult, canary = CANARY): void {
  expect(r.stdout + r.stderr).not.toContain(canary);
  expect(r.stderr).not.toMatch(/\^|\n\s*\d+ \|/); // no code frame
}

describe('no input text in errors', { timeout: 60_000 }, () => {
  for (const [name, text] of Object.entries(BROKEN_MANIFESTS)) {
    it(`manifest readers: ${name}`, async () => {
      const path = file(`${name}.yaml`, text);
      for (const args of [['checksum', path], ['validate', '-f', path], ['seal', '-f', path, '--cert', join(FIXTURES, '../../../examples/keys/demo-sealed-secrets.crt')], ['scan', path]]) {
        const r = await runKsec(args);
        expectNoCanary(r);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toMatch(/invalid YAML at line \d+, column \d+: \S/);
      }
    });
  }

  for (const [name, text] of Object.entries(WARNED_MANIFESTS)) {
    it(`manifest readers print no warning that quotes the text: ${name}`, async () => {
      const path = file(`${name}.yaml`, text);
      for (const args of [['checksum', path], ['validate', '-f', path], ['scan', path]]) {
        const r = await runKsec(args);
        expect(r.stderr, args.join(' ')).not.toContain(CANARY);
      }
    });
  }

  it('kubeconfig: a malformed file never shows its token', async () => {
    const kc = file(
      'kubeconfig',
      'apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\nusers:\n- name: u\n  user:\n' +
        `    token: ${CANARY} : : [\n    x: "unterminated\n`,
    );
    for (const args of [['cert', '--fetch', '--kubeconfig', kc], ['seal', '--fetch-cert', '--kubeconfig', kc], ['watch', '--kubeconfig', kc]]) {
      const r = await runKsec(args, { env: NO_KEYS });
      expectNoCanary(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/kubeconfig: cannot load the kubeconfig: invalid YAML at line 10, column \d+/);
    }
    // the same through KUBECONFIG
    const r = await runKsec(['cert', '--fetch'], { env: { ...NO_KEYS, KUBECONFIG: kc } });
    expectNoCanary(r);
    expect(r.code).toBe(2);
  });

  it('SOPS files: broken YAML and warnings of the metadata never show text', async () => {
    const broken = file('broken.enc.yaml', `password: ENC[AES256_GCM,data:${CANARY}\nx: *${CANARY}\n`);
    const warning = file(
      'warn.enc.yaml',
      readFileSync(join(FIXTURES, 'secret.enc.yaml'), 'utf8').replace(/^sops:\n/m, `sops:\n    ? [${CANARY}]\n    : x\n`),
    );
    for (const path of [broken, warning]) {
      for (const args of [['sops', 'decrypt', path], ['sops', 'status', path], ['seal', '--from-sops', path, '--cert', join(FIXTURES, '../../../examples/keys/demo-sealed-secrets.crt')]]) {
        const r = await runKsec(args, { env: { ...NO_KEYS, SOPS_AGE_KEY_FILE: join(FIXTURES, 'demo-age-key-1.txt') } });
        expect(r.stderr, args.join(' ')).not.toContain(CANARY);
        expect(r.stderr).not.toContain(SOPS_CANARY);
        if (path === broken) {
          expectNoCanary(r);
          expect(r.code, args.join(' ')).not.toBe(0);
        }
      }
    }
  });

  it('eso --from-spec', async () => {
    const spec = file('spec.yaml', `secrets:\n  - name: x\n    path: *${CANARY}\n`);
    const r = await runKsec(['eso', 'generate', '--from-spec', spec]);
    expectNoCanary(r);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.yaml: invalid YAML at line 3, column \d+/);
  });

  it('scan baselines and .ksecignore', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ksec-no-leak-scan-'));
    writeFileSync(join(root, 'ok.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    writeFileSync(join(root, '.ksecignore'), `[${CANARY}\n!${CANARY}\\\n**/${CANARY}[z-a]\n`);
    const baseline = join(root, 'baseline.json');
    writeFileSync(baseline, `{"fingerprints": ["${CANARY}]`);
    const r = await runKsec(['scan', '.', '--baseline', baseline], { cwd: root });
    expectNoCanary(r);
    expect(r.code).toBe(2);
    writeFileSync(baseline, `${CANARY}\n`);
    expectNoCanary(await runKsec(['scan', '.', '--baseline', baseline], { cwd: root }));
    const ok = await runKsec(['scan', '.'], { cwd: root });
    expectNoCanary(ok);
    expect(ok.code).toBe(0);
  });
});

describe('-w onto its own input', { timeout: 60_000 }, () => {
  let fx: CliFixture;
  beforeAll(async () => {
    fx = await cliFixture();
  });

  const expectRefused = (r: KsecResult, path: string, before: string) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is the input file/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  };

  it('ksec unseal -w refuses the same path, ./x vs x, and a hard link', async () => {
    const text = toYaml(seal({ key: fx.keyA, data: { password: 'p' } }));
    const sealed = await fx.write('s.yaml', text);
    linkSync(sealed, join(fx.dir, 'hard.yaml'));
    const cases = [
      [sealed, sealed],
      ['./s.yaml', 's.yaml'],
      ['s.yaml', 'hard.yaml'],
      [fx.dir, 's.yaml'], // a directory input holds the file
    ] as const;
    for (const [input, output] of cases) {
      const r = await runKsec(['unseal', '-f', input, '--private-key', fx.keyAFile, '-w', output], { cwd: fx.dir });
      expectRefused(r, sealed, text);
    }
    const ok = await runKsec(['unseal', '-f', 's.yaml', '--private-key', fx.keyAFile, '-w', 'plain.yaml'], { cwd: fx.dir });
    expect(ok.code).toBe(0);
  });

  it('ksec sops decrypt -w refuses the same path and a hard link', async () => {
    const text = readFileSync(join(FIXTURES, 'secret.enc.yaml'), 'utf8');
    const d = mkdtempSync(join(tmpdir(), 'ksec-sops-w-'));
    const enc = join(d, 'secret.enc.yaml');
    writeFileSync(enc, text);
    linkSync(enc, join(d, 'link.yaml'));
    const env = { ...NO_KEYS, SOPS_AGE_KEY_FILE: join(FIXTURES, 'demo-age-key-1.txt') };
    for (const [input, output] of [[enc, enc], ['./secret.enc.yaml', 'secret.enc.yaml'], ['secret.enc.yaml', 'link.yaml']] as const) {
      expectRefused(await runKsec(['sops', 'decrypt', input, '-w', output], { cwd: d, env }), enc, text);
    }
    expect((await runKsec(['sops', 'decrypt', 'secret.enc.yaml', '-w', 'plain.yaml'], { cwd: d, env })).code).toBe(0);
  });
});
