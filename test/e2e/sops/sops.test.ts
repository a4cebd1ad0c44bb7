/**
 * `ksec sops` against the real sops and age of the test bed: files encrypted
 * here by `sops` with keys from `age-keygen` (every value type, nested maps,
 * lists, numeric-looking keys, each format, several recipients,
 * encrypted_regex, unencrypted_regex, mac_only_encrypted, comments) decrypt to
 * exactly what `sops decrypt` prints, in every output format; tampering is
 * detected wherever sops detects it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runKsec } from '../../helpers/run-ksec.js';
import { testbed, type Testbed } from '../testbed/env.js';

const CANARY = `KSEC-CANARY-e2e-${randomBytes(4).toString('hex')}`;
let bed: Testbed;
let dir: string;
const keys: { file: string; recipient: string }[] = [];
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', SOPS_DISABLE_VERSION_CHECK: '1' };

async function sops(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const r = await bed.exec('sops', args, { env: { ...NO_KEYS, ...env }, cwd: dir });
    return { ok: true, ...r };
  } catch (err) {
    return { ok: false, stdout: '', stderr: String((err as Error).message) };
  }
}

/** Encrypts `plain` (written as `name`) with sops; `config` is an optional .sops.yaml body. */
async function encrypt(name: string, plain: string, args: string[], config?: string): Promise<string> {
  const source = join(dir, name);
  writeFileSync(source, plain);
  const extra: string[] = [];
  if (config) {
    writeFileSync(join(dir, `${name}.sops.yaml`), config);
    extra.push('--config', join(dir, `${name}.sops.yaml`));
  }
  const r = await sops([...extra, 'encrypt', ...args, source]);
  if (!r.ok) throw new Error(`sops encrypt ${name}: ${r.stderr}`);
  const out = join(dir, name.replace(/(\.[a-z]+)$/, '.enc$1'));
  writeFileSync(out, r.stdout);
  return out;
}

async function expectSameAsSops(file: string, keyFile: string, outputs: (string | undefined)[]): Promise<void> {
  for (const output of outputs) {
    const o = output ? ['--output-type', output] : [];
    const theirs = await sops(['decrypt', ...o, file], { SOPS_AGE_KEY_FILE: keyFile });
    const ours = await runKsec(['sops', 'decrypt', ...(output ? ['-o', output] : []), file, '--age-key-file', keyFile], { env: NO_KEYS });
    if (theirs.ok) {
      expect({ output, code: ours.code, stderr: ours.stderr }).toEqual({ output, code: 0, stderr: '' });
      expect(ours.stdout).toBe(theirs.stdout);
    } else {
      expect({ output, code: ours.code }).toEqual({ output, code: 2 });
    }
    expect(ours.stderr).not.toContain(CANARY);
  }
}

const ALL = [undefined, 'yaml', 'json', 'dotenv'];

const TYPES_YAML = `# comment at the top
password: ${CANARY}
port: 5432
negative: -12
hex: 0x1F
octal: 0o17
ratio: 0.125
large: 12345678.5
tiny: 0.000001
yes_string: "yes"
quoted_int: "42"
enabled: true
disabled: False
nothing: null
tilde: ~
empty: ""
when: 2024-05-01T10:00:00+02:00
day: 2024-05-01
multiline: |
  first
  second
keep: |+
  kept

strip: |-
  stripped
"colon": "a: b"
hash: "x #y"
leading: " space"
tab: "a\\tb"
unicode: "héllo ✓ 秘密"
"1": numeric-looking key
"007": zero-padded key
nested:
  # inner comment
  level1:
    level2:
      token: ${CANARY}-nested
list:
  - one
  - 2
  - 3.5
  - true
  - name: a map in a list
    value: ${CANARY}-list
  - - nested
    - list
  - |
    block in a list
emptymap: {}
emptylist: []
clear_unencrypted: stays clear
`;

beforeAll(async () => {
  bed = testbed();
  dir = mkdtempSync(join(tmpdir(), 'ksec-e2e-sops-'));
  for (const n of [1, 2, 3]) {
    const file = join(dir, `key${n}.txt`);
    await bed.exec('age-keygen', ['-o', file]);
    keys.push({ file, recipient: /public key: (age1[a-z0-9]+)/.exec(readFileSync(file, 'utf8'))![1]! });
  }
});

describe('ksec sops decrypt equals sops decrypt, byte for byte', () => {
  it('YAML with every value type, comments, nested maps and lists, numeric-looking keys; three recipients', async () => {
    const file = await encrypt('types.yaml', TYPES_YAML, ['--age', keys.map((k) => k.recipient).join(',')]);
    for (const key of keys) await expectSameAsSops(file, key.file, key === keys[0] ? ALL : [undefined]);
  });

  it('JSON with ints, floats, nulls, HTML characters and numeric-looking keys', async () => {
    const json = JSON.stringify({ b: 1, a: { '1': 'one', '0word': 'x', z: [1.5, true, null, '<&>', 1e21, 1e-7, 100, -0.5] }, empty: {}, list: [], s: `line\nbreak\t${CANARY}`, big: 9007199254740993 });
    const file = await encrypt('types.json', json.replace('9007199254740992', '9007199254740993'), ['--age', keys[0]!.recipient]);
    await expectSameAsSops(file, keys[0]!.file, ALL);
  });

  it('dotenv with comments, escaped newlines and an unencrypted suffix', async () => {
    const env = `# a comment\nDB_PASSWORD=${CANARY}\nMULTI=a\\nb\nEMPTY=\nSPACED= x \nURL=https://example.com/?a=b\nPUBLIC_unencrypted=hello\n`;
    const file = await encrypt('app.env', env, ['--age', keys[0]!.recipient]);
    await expectSameAsSops(file, keys[0]!.file, ALL);
  });

  it('a Kubernetes Secret with encrypted_regex, and unencrypted_regex', async () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\nstringData:\n  password: ${CANARY}\ndata:\n  token: ${Buffer.from(CANARY).toString('base64')}\n`;
    const a = await encrypt('secret.yaml', secret, ['--age', keys[0]!.recipient, '--encrypted-regex', '^(data|stringData)$']);
    await expectSameAsSops(a, keys[0]!.file, [undefined, 'json']);
    const b = await encrypt('secret2.yaml', secret, ['--age', keys[0]!.recipient, '--unencrypted-regex', '^(apiVersion|kind|metadata|type)$']);
    await expectSameAsSops(b, keys[0]!.file, [undefined, 'json']);
    const status = await runKsec(['sops', 'status', a, b]);
    expect(status.code).toBe(0);
  });

  it('mac_only_encrypted with encrypted_suffix; encrypted_comment_regex', async () => {
    const plain = `user: admin\npassword_secret: ${CANARY}\nport: 8080\nitems_secret:\n  - a\n  - 3\n`;
    const a = await encrypt('maconly.yaml', plain, [], `creation_rules:\n  - age: ${keys[0]!.recipient}\n    mac_only_encrypted: true\n    encrypted_suffix: _secret\n`);
    await expectSameAsSops(a, keys[0]!.file, [undefined, 'json']);
    const commented = `# sops:enc\npassword: ${CANARY}\nclear: visible\n# sops:enc\nlist:\n  - x\n`;
    const b = await encrypt('comments.yaml', commented, [], `creation_rules:\n  - age: ${keys[0]!.recipient}\n    encrypted_comment_regex: sops:enc\n`);
    await expectSameAsSops(b, keys[0]!.file, [undefined, 'json']);
  });

  it('several key groups (Shamir threshold 2): both identities decrypt it, one is not enough', async () => {
    const file = await encrypt('shamir.yaml', `password: ${CANARY}\nport: 1\n`, [], `creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [${keys[0]!.recipient}]\n      - age: [${keys[1]!.recipient}]\n`);
    const both = join(dir, 'both-keys.txt');
    writeFileSync(both, readFileSync(keys[0]!.file, 'utf8') + readFileSync(keys[1]!.file, 'utf8'));
    await expectSameAsSops(file, both, [undefined, 'json']);
    const r = await runKsec(['sops', 'decrypt', file, '--age-key-file', keys[0]!.file], { env: NO_KEYS });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/split across 2 key groups and 2 are needed/);
  });
});

/** The file with the encrypted values of two top-level keys exchanged. */
function swapValues(text: string, a: string, b: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${a}: `));
  const j = lines.findIndex((l) => l.startsWith(`${b}: `));
  [lines[i], lines[j]] = [`${a}: ${lines[j]!.slice(b.length + 2)}`, `${b}: ${lines[i]!.slice(a.length + 2)}`];
  return lines.join('\n');
}

describe('tampering is detected, as sops detects it', () => {
  it('a value, the MAC and the recipient block', async () => {
    const file = await encrypt('tamper.yaml', `a: ${CANARY}\nb: two\nc: 3\n`, ['--age', keys[0]!.recipient]);
    const text = readFileSync(file, 'utf8');
    const flip = (s: string, re: RegExp) => s.replace(re, (m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A'));
    const variants = {
      value: flip(text, /^(a: ENC\[AES256_GCM,data:)(.)/m),
      swapped: swapValues(text, 'a', 'b'),
      mac: flip(text, /(mac: ENC\[AES256_GCM,data:)(.)/),
      recipient: text.replace(/(-----BEGIN AGE ENCRYPTED FILE-----\n\s+)(\S{10})(.)/, (_, p, q, c) => p + q + (c === 'A' ? 'B' : 'A')),
    };
    for (const [name, tampered] of Object.entries(variants)) {
      expect(tampered, name).not.toBe(text);
      const path = join(dir, `tampered-${name}.yaml`);
      writeFileSync(path, tampered);
      const theirs = await sops(['decrypt', path], { SOPS_AGE_KEY_FILE: keys[0]!.file });
      const ours = await runKsec(['sops', 'decrypt', path, '--age-key-file', keys[0]!.file], { env: NO_KEYS });
      expect({ name, sops: theirs.ok, ksec: ours.code }).toEqual({ name, sops: false, ksec: 2 });
      expect(ours.stdout).toBe('');
      expect(ours.stderr).not.toContain(CANARY);
    }
  });
});
