/**
 * Alias bombs and deep nesting through every reader, as a user meets them
 * (issue 19 point 8, issue 20): malformed input (exit 2, or a file error for
 * scan), fast, with bounded memory (the heap is capped at 96 MB: expanding a
 * bomb would crash), never a stack overflow or an internal error.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runKsec, type KsecResult } from '../helpers/run-ksec.js';
import { SECRET_HEAD, aliasBomb, deepBlock, deepFlow } from '../helpers/hostile-yaml.js';
import { FIXTURES, fixture } from '../unit/sops/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ksec-hostile-'));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');
const ENV = { NODE_OPTIONS: '--max-old-space-size=96', HOME: '/nonexistent', SOPS_AGE_KEY: '', SOPS_AGE_KEY_FILE: join(FIXTURES, 'demo-age-key-1.txt') };

async function run(args: string[]): Promise<KsecResult & { ms: number }> {
  const start = performance.now();
  const r = await runKsec(args, { env: ENV });
  return { ...r, ms: performance.now() - start };
}

function expectMalformed(r: KsecResult & { ms: number }, what: RegExp, label: string): void {
  expect(r.stderr, label).toMatch(what);
  expect(r.stderr, label).not.toMatch(/internal error|unexpected error|call stack|heap/i);
  expect(r.ms, label).toBeLessThan(10_000); // a spawned CLI on a shared machine; the unit tests time the reader itself
}

const MANIFESTS = {
  bomb: [`${SECRET_HEAD}stringData:\n  k: v\nx:\n${aliasBomb('  ')}`, /too many aliases/],
  'self-alias': [`${SECRET_HEAD}stringData:\n  k: v\nx: &x [*x]\n`, /alias refers to a node that contains it/],
  'deep-flow': [`${SECRET_HEAD}x: ${deepFlow(5_000)}\n`, /nest(s|ing) (too )?deep/],
  'deep-block': [`${SECRET_HEAD}x:\n${deepBlock(3_000)}data:\n  a: Yg==\n`, /nest(s|ing) (too )?deep/],
} as const;

describe('hostile YAML', { timeout: 120_000 }, () => {
  for (const [name, [text, what]] of Object.entries(MANIFESTS)) {
    it(`manifests: ${name}`, async () => {
      const path = file(`${name}.yaml`, text);
      for (const args of [['checksum', path], ['validate', '-f', path], ['seal', '-f', path, '--cert', CERT], ['unseal', '-f', path, '--private-key', join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.key')]]) {
        const r = await run(args);
        expectMalformed(r, what, args[0]!);
        expect(r.code, args[0]).toBe(2);
      }
      const scan = await run(['scan', path, '--format', 'json']);
      expectMalformed(scan, /^$|/, 'scan');
      expect(scan.code).toBe(2);
      const report = JSON.parse(scan.stdout) as { errors: { file: string; message: string; level: string }[] };
      expect(report.errors).toEqual([expect.objectContaining({ file: path, level: 'error', message: expect.stringMatching(what) })]);
    });
  }

  const enc = fixture('secret.enc.yaml');
  const SOPS = {
    bomb: [aliasBomb() + enc, /too many aliases/],
    'self-alias': [`x: &x [*x]\n${enc}`, /alias refers to a node that contains it/],
    'deep-flow': [`x: ${deepFlow(5_000)}\n${enc}`, /nesting too deep/],
    'deep-block': [`x:\n${deepBlock(3_000)}${enc}`, /nesting too deep/],
  } as const;
  for (const [name, [text, what]] of Object.entries(SOPS)) {
    it(`SOPS files: ${name}`, async () => {
      const path = file(`${name}.enc.yaml`, text);
      for (const args of [['sops', 'decrypt', path], ['seal', '--from-sops', path, '--cert', CERT]]) {
        const r = await run(args);
        expectMalformed(r, what, args.join(' '));
        expect(r.code, args.join(' ')).toBe(2);
      }
      const status = await run(['sops', 'status', path]);
      expect(status.stdout + status.stderr).toMatch(what);
      expect(status.stdout).not.toMatch(/\bok\b/);
      expectMalformed({ ...status, stderr: status.stdout + status.stderr }, what, 'sops status');
      expect(status.code).not.toBe(0);
    });
  }

  it('ksec checksum on a data value of 4 MB and more', async () => {
    const value = Buffer.alloc(4 * 1024 * 1024 + 3, 'x').toString('base64');
    const path = file('big.yaml', `${SECRET_HEAD}data:\n  k: ${value}\n`);
    const r = await runKsec(['checksum', path]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Secret\/b\/a [0-9a-f]{64}\n$/);
  });
});
