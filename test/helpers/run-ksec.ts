/** Runs the built CLI (`bin/ksec.js`) as a user would, in a child process. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KSEC_BIN = fileURLToPath(new URL('../../bin/ksec.js', import.meta.url));

export interface KsecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** node binary to use (default: the one running the tests) */
  node?: string;
}

export function runKsec(args: string[], options: RunOptions = {}): Promise<KsecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [KSEC_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(options.stdin ?? '');
  });
}
