/**
 * Post-quantum age against the real peers: fresh `age-keygen -pq` keys (age
 * 1.3.1) and files the bed's `sops` (3.13.3) encrypts to them, in each
 * format, post-quantum only, beside an X25519 recipient, and in Shamir key
 * groups; `ksec sops decrypt` must print exactly what `sops decrypt` prints.
 *
 * Decrypting with ML-KEM needs Node.js >= 24.7: when the Node.js running the
 * tests is older, ksec runs on the Node 24 that `.ci/run` installs (see
 * test/unit/sops/node-binaries.ts); a Node.js without ML-KEM, when there is
 * one, must refuse in one line.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runKsec } from '../../helpers/run-ksec.js';
import { NODE24_INSTALL, nodeWithMlkem, nodeWithoutMlkem, type NodeBinary } from '../../unit/sops/node-binaries.js';
import { testbed, type Testbed } from '../testbed/env.js';

const CANARY = `KSEC-CANARY-pq-e2e-${randomBytes(4).toString('hex')}`;
const NO_KEYS = { HOME: '/nonexistent', XDG_CONFIG_HOME: '', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: '', SOPS_DISABLE_VERSION_CHECK: '1' };
let bed: Testbed;
let dir: string;
let node: NodeBinary;
const pq: { file: string; recipient: string }[] = [];
let x25519: { file: string; recipient: string };

const PLAIN: Record<string, string> = {
  'pq.yaml': `# a post-quantum Secret
apiVersion: v1
kind: Secret
metadata:
  name: pq-e2e
stringData:
  password: ${CANARY}
  port: "5432"
replicas: 3
ratio: 0.25
enabled: true
hosts:
  - a.example
  - b.example
`,
  'pq.json': `{"password": "${CANARY}", "port": 5432, "enabled": false, "nested": {"list": [1, "two", null], "html": "<&>"}}\n`,
  'pq.env': `DB_PASSWORD=${CANARY}\nDB_USER=app\n# a comment\nAPI_TOKEN=abc=def\n`,
};

async function keygen(name: string, args: string[]): Promise<{ file: string; recipient: string }> {
  const file = join(dir, name);
  await bed.exec('age-keygen', [...args, '-o', file]);
  const recipient = (await bed.exec('age-keygen', ['-y', file])).stdout.trim();
  return { file, recipient };
}

async function sops(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    return { ok: true, ...(await bed.exec('sops', args, { env: { ...NO_KEYS, ...env }, cwd: dir })) };
  } catch (err) {
    return { ok: false, stdout: '', stderr: String((err as Error).message) };
  }
}

/** sops-encrypts PLAIN[name] with `args`, writes `<tag>.enc.<ext>`, returns its path. */
async function encrypt(name: string, tag: string, args: string[]): Promise<string> {
  const source = join(dir, name);
  writeFileSync(source, PLAIN[name]!);
  const r = await sops(['encrypt', ...args, source]);
  if (!r.ok) throw new Error(`sops encrypt ${name}: ${r.stderr}`);
  const out = join(dir, `${tag}.enc${name.slice(name.lastIndexOf('.'))}`);
  writeFileSync(out, r.stdout);
  return out;
}

async function expectSameAsSops(file: string, keyFile: string, outputs: (string | undefined)[] = [undefined]): Promise<void> {
  for (const output of outputs) {
    const theirs = await sops(['decrypt', ...(output ? ['--output-type', output] : []), file], { SOPS_AGE_KEY_FILE: keyFile });
    const ours = await runKsec(['sops', 'decrypt', ...(output ? ['-o', output] : []), file, '--age-key-file', keyFile], { env: NO_KEYS, node: node.path });
    expect(ours.stderr).not.toContain(CANARY);
    if (!theirs.ok) {
      // e.g. nested YAML as dotenv: sops refuses, and so must ksec
      expect({ output, code: ours.code, stdout: ours.stdout }).toEqual({ output, code: 2, stdout: '' });
      continue;
    }
    expect({ output, code: ours.code, stderr: ours.stderr }).toEqual({ output, code: 0, stderr: '' });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain(CANARY);
  }
}

beforeAll(async () => {
  bed = testbed();
  dir = mkdtempSync(join(tmpdir(), 'ksec-e2e-sops-pq-'));
  const found = nodeWithMlkem();
  if (!found) throw new Error(`no Node.js >= 24.7 to run ksec with ML-KEM (this is ${process.version}); install one: ${NODE24_INSTALL}`);
  node = found;
  expect((await bed.exec('age', ['--version'])).stdout.trim()).toBe('v1.3.1');
  pq.push(await keygen('pq1.txt', ['-pq']), await keygen('pq2.txt', ['-pq']));
  x25519 = await keygen('x.txt', []);
  for (const k of pq) {
    expect(k.recipient).toMatch(/^age1pq1[a-z0-9]{1900,}$/);
    expect(readFileSync(k.file, 'utf8')).toMatch(/^AGE-SECRET-KEY-PQ-1[A-Z0-9]+$/m);
  }
});

describe.each(['pq.yaml', 'pq.json', 'pq.env'])('%s: ksec sops decrypt equals sops decrypt', (name) => {
  it('encrypted to one post-quantum recipient', async () => {
    const file = await encrypt(name, 'pq-only', ['--age', pq[0]!.recipient]);
    expect(readFileSync(file, 'utf8')).toContain('age1pq1');
    await expectSameAsSops(file, pq[0]!.file, name === 'pq.json' ? [undefined, 'yaml', 'dotenv'] : [undefined, 'json']);
  });

  it('encrypted to an X25519 and two post-quantum recipients: each identity alone', async () => {
    const file = await encrypt(name, 'mixed', ['--age', [x25519.recipient, pq[0]!.recipient, pq[1]!.recipient].join(',')]);
    for (const key of [x25519, ...pq]) await expectSameAsSops(file, key.file);
    const status = await runKsec(['sops', 'status', file], { env: NO_KEYS });
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain('metadata intact; age: 1 X25519, 2 post-quantum)');
  });
});

describe('post-quantum recipients in .sops.yaml', () => {
  it('creation rules and Shamir key groups (a post-quantum group and an X25519 group, threshold 2)', async () => {
    const config = join(dir, 'groups.sops.yaml');
    writeFileSync(
      config,
      `creation_rules:\n  - path_regex: .*\n    shamir_threshold: 2\n    key_groups:\n      - age:\n          - ${pq[0]!.recipient}\n      - age:\n          - ${x25519.recipient}\n`,
    );
    const source = join(dir, 'groups.yaml');
    writeFileSync(source, PLAIN['pq.yaml']!);
    const r = await sops(['--config', config, 'encrypt', source]);
    expect(r, r.stderr).toMatchObject({ ok: true });
    const file = join(dir, 'groups.enc.yaml');
    writeFileSync(file, r.stdout);
    const both = join(dir, 'both.txt');
    writeFileSync(both, `${readFileSync(x25519.file, 'utf8')}${readFileSync(pq[0]!.file, 'utf8')}`, { mode: 0o600 });
    await expectSameAsSops(file, both);
    const one = await runKsec(['sops', 'decrypt', file, '--age-key-file', pq[0]!.file], { env: NO_KEYS, node: node.path });
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/2 key groups and 2 are needed, but ksec's identities open only 1/);
    expect(one.stderr).not.toContain(CANARY);
  });
});

describe('Node.js without ML-KEM', () => {
  const old = nodeWithoutMlkem();
  it.runIf(old)(`refuses a post-quantum-only file in one line, exit 2 (${old?.version ?? 'none found'})`, async () => {
    const file = await encrypt('pq.yaml', 'refused', ['--age', pq[1]!.recipient]);
    const r = await runKsec(['sops', 'decrypt', file, '--age-key-file', pq[1]!.file], { env: NO_KEYS, node: old!.path });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`post-quantum age identities need Node.js >= 24.7; this is ${old!.version}`);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    // the X25519 recipient beside it still works there
    const mixed = await encrypt('pq.yaml', 'mixed-old-node', ['--age', `${pq[1]!.recipient},${x25519.recipient}`]);
    const ok = await runKsec(['sops', 'decrypt', mixed, '--age-key-file', x25519.file, '--age-key-file', pq[1]!.file], { env: NO_KEYS, node: old!.path });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe((await sops(['decrypt', mixed], { SOPS_AGE_KEY_FILE: pq[1]!.file })).stdout);
  });
});
