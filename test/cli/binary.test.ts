/**
 * `npm run -s package:binary` (scripts/package-binary.mjs): the single executable, built here into a
 * temporary directory from the current sources (the pinned Node it embeds is fetched once into
 * ~/.cache/ksec-package), runs with no `node` on PATH (only git: scan lists repository files with it) and prints what `node bin/ksec.js`
 * prints: every command's --help, the README's Quick start seal (ciphertexts compared by unsealing,
 * as RSA-OAEP is randomised), scan (also on worker threads), sops decrypt and checksum.
 */
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KSEC_BIN, REPO_ROOT } from '../helpers/run-ksec.js';

const dir = mkdtempSync(join(tmpdir(), 'ksec-binary-test-'));
const BINARY = join(dir, 'ksec');
/** The PATH both CLIs run with: git (scan lists a repository's files with it) and nothing else, no node. */
const EMPTY_PATH = join(dir, 'path-without-node');
const CERT = 'examples/keys/demo-sealed-secrets.crt';
const KEY = 'examples/keys/demo-sealed-secrets.key';
const SOPS = 'test/fixtures/sops/';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: REPO_ROOT, env, maxBuffer: 64 << 20, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The binary, as `env -i PATH=<empty dir>` would start it. */
const binary = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) => run(BINARY, args, { PATH: EMPTY_PATH, NO_COLOR: '1', ...env }, input);
/** The npm CLI on the Node running the tests, with the same environment. */
const node = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) => run(process.execPath, [KSEC_BIN, ...args], { PATH: EMPTY_PATH, NO_COLOR: '1', ...env }, input);

beforeAll(() => {
  mkdirSync(EMPTY_PATH);
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(EMPTY_PATH, 'git'));
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/package-binary.mjs'), '--out', BINARY], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every command path, from the help texts themselves: [], ['seal'], ['sops', 'decrypt'], ... */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const help = (await node([...prefix, '--help'])).stdout;
  const section = /\nCommands:\n([\s\S]*?)(\n\n|$)/.exec(help)?.[1] ?? '';
  const names = [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  const out = [prefix];
  for (const n of names) out.push(...(await commandPaths([...prefix, n])));
  return out;
}

/** A SealedSecret's Secret, by unsealing it with the demo private key (node bin/ksec.js unseal). */
function unseal(sealed: string): string {
  return execFileSync(process.execPath, [KSEC_BIN, 'unseal', '--private-key', KEY, '-o', 'json'], { cwd: REPO_ROOT, input: sealed, encoding: 'utf8' });
}

/** A SealedSecret with its ciphertexts blanked: everything else must be byte-equal. */
const blank = (sealed: string) => sealed.replace(/"Ag[A-Za-z0-9+/=]{100,}"/g, '"<ciphertext>"');

describe('dist/bin/ksec (node --build-sea)', () => {
  it('is one linux-x64 executable, and the test PATH has no node on it', async () => {
    expect(statSync(BINARY).mode & 0o111).not.toBe(0);
    // ELF header: magic, 64-bit, little-endian, e_machine x86-64 (62)
    const head = Buffer.alloc(20);
    const fd = openSync(BINARY, 'r');
    readSync(fd, head, 0, 20, 0);
    closeSync(fd);
    expect([head.subarray(0, 4).toString('latin1'), head[4], head[5], head.readUInt16LE(18)]).toEqual(['\x7fELF', 2, 1, 62]);
    const which = await run('/bin/sh', ['-c', 'command -v node || echo none'], { PATH: EMPTY_PATH });
    expect(which.stdout.trim()).toBe('none');
    const version = await binary(['--version']);
    expect(version).toEqual({ code: 0, stdout: `${execFileSync(process.execPath, [KSEC_BIN, '--version'], { encoding: 'utf8' })}`, stderr: '' });
  }, 120_000);

  it("runs every command's --help, and prints what node bin/ksec.js prints", async () => {
    const paths = await commandPaths();
    expect(paths.length).toBeGreaterThan(15);
    expect(paths).toContainEqual(['sops', 'decrypt']);
    for (const p of paths) {
      const [b, n] = await Promise.all([binary([...p, '--help']), node([...p, '--help'])]);
      expect(b.code, `ksec ${p.join(' ')} --help`).toBe(0);
      expect(b.stdout, `ksec ${p.join(' ')} --help`).toBe(n.stdout);
      expect(b.stdout).toMatch(/^Usage: ksec /);
    }
  }, 120_000);

  it("seals the README's Quick start Secret: the same SealedSecret as the npm CLI's, ciphertexts compared by unsealing", async () => {
    const args = ['seal', '--cert', CERT, '-f', 'examples/secrets/app-secret.yaml'];
    const [b, n] = await Promise.all([binary(args), node(args)]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toBe(n.stderr);
    expect(blank(b.stdout)).toBe(blank(n.stdout));
    expect(b.stdout).not.toBe(n.stdout); // fresh session keys: the ciphertexts differ...
    expect(unseal(b.stdout)).toBe(unseal(n.stdout)); // ...and open to the same Secret
  }, 120_000);

  it('seals 300 keys on the worker pool (the worker script rides inside the executable)', async () => {
    const many = join(dir, 'many.yaml');
    writeFileSync(many, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: many\n  namespace: demo\nstringData:\n${Array.from({ length: 300 }, (_, i) => `  K${i}: value-${i}\n`).join('')}`);
    const [b, n] = await Promise.all([binary(['seal', '--cert', CERT, '-f', many]), node(['seal', '--cert', CERT, '-f', many])]);
    expect(b.code, b.stderr).toBe(0);
    expect(blank(b.stdout)).toBe(blank(n.stdout));
    expect(unseal(b.stdout)).toBe(unseal(n.stdout));
  }, 120_000);

  it('scan: the same findings and exit code, in-process and on worker threads, text and SARIF', async () => {
    for (const env of [{}, { KSEC_SCAN_WORKERS: '2' }]) {
      for (const args of [['scan', 'examples'], ['scan', 'examples', '--format', 'sarif']]) {
        const [b, n] = await Promise.all([binary(args, env), node(args, env)]);
        expect(n.code).toBe(1);
        expect(b, `${args.join(' ')} ${JSON.stringify(env)}`).toEqual(n);
      }
    }
  }, 120_000);

  it('sops decrypt: the same plaintext in every format', async () => {
    for (const [file, extra] of [
      ['types.enc.yaml', []],
      ['types.enc.yaml', ['-o', 'json']],
      ['secret.enc.yaml', []],
      ['types.enc.json', []],
      ['app.enc.env', []],
    ] as const) {
      const args = ['sops', 'decrypt', SOPS + file, '--age-key-file', SOPS + 'demo-age-key-1.txt', ...extra];
      const [b, n] = await Promise.all([binary(args, { HOME: '/nonexistent' }), node(args, { HOME: '/nonexistent' })]);
      expect(n.code).toBe(0);
      expect(b, args.join(' ')).toEqual(n);
    }
  }, 120_000);

  it('checksum: the same hashes with each algorithm, and the same annotated manifests', async () => {
    for (const args of [
      ['checksum', 'examples'],
      ['checksum', 'examples', '-o', 'json'],
      ['checksum', 'examples', '--algorithm', 'reloader'],
      ['checksum', 'examples', '--algorithm', 'kustomize'],
      ['checksum', 'annotate', '--check', 'examples'],
    ]) {
      const [b, n] = await Promise.all([binary(args), node(args)]);
      expect(b, args.join(' ')).toEqual(n);
    }
    // annotate from stdin to stdout: the workloads with their stamps, comments kept
    const input = ['examples/apps/web.yaml', 'examples/secrets/app-secret.yaml'].map((f) => readFileSync(join(REPO_ROOT, f), 'utf8')).join('\n---\n');
    const [b, n] = await Promise.all([binary(['checksum', 'annotate', '-'], {}, input), node(['checksum', 'annotate', '-'], {}, input)]);
    expect(n.code).toBe(0);
    expect(n.stdout).toContain('ksec.dev/config-hash');
    expect(b).toEqual(n);
  }, 120_000);

  it('bad input: one line and exit 2, as the npm CLI', async () => {
    const [b, n] = await Promise.all([binary(['seal', '--cert', CERT, '-f', 'no/such/file.yaml']), node(['seal', '--cert', CERT, '-f', 'no/such/file.yaml'])]);
    expect(b.code).toBe(2);
    expect(b).toEqual(n);
  }, 120_000);
});
