/**
 * Running git for the scan's sources: one command's stdout as bytes, its
 * failure as a KsecError (git missing from PATH: an environment error, exit 3;
 * otherwise git's own `fatal:`/`error:` line as the message), and the
 * repository root.
 */
import { execFile } from 'node:child_process';
import { ExitCode, KsecError } from '../errors.js';

/** `git ARGS` in `cwd`; `what` names the flag or source in error messages. */
export async function git(args: string[], cwd: string, what = 'git'): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) reject(gitFailure(err, stderr, cwd, what));
      else resolvePromise(stdout);
    });
  });
}

function gitFailure(err: Error, stderr: Buffer, cwd: string, what: string): KsecError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    return new KsecError(`${what} needs git, which is not on PATH`, { hint: 'install git', exitCode: ExitCode.environment });
  }
  // git's own verdict (`fatal:`/`error:`), not the usage text it may print after it
  const lines = stderr.toString('utf8').trim().split('\n');
  const reason = (lines.find((l) => /^(?:fatal|error): /.test(l)) ?? lines.pop() ?? '').replace(/^(?:fatal|error): /, '');
  return new KsecError(`${what}: ${reason || err.message}`, { file: cwd, hint: 'run it inside a Git repository with that revision' });
}

/** The repository root containing `dir`, or undefined outside a work tree. */
export async function gitRoot(dir: string): Promise<string | undefined> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], dir)).toString('utf8').trim() || undefined;
  } catch (err) {
    if (err instanceof KsecError && err.exitCode === ExitCode.environment) throw err;
    return undefined;
  }
}

/** The repository root, or a KsecError naming `flag` outside a work tree. */
export async function requireGitRoot(cwd: string, flag: string): Promise<string> {
  const root = await gitRoot(cwd);
  if (!root) throw new KsecError(`${flag} needs a Git repository`, { file: cwd, hint: 'run it inside a work tree, or scan paths instead' });
  return root;
}
