/**
 * `--staged`: what `git commit` would commit now (the pre-commit hook): the
 * added, copied and modified files of the index, read from the index through
 * one `git cat-file --batch`, which reads the index's `.ksecignore` first
 * (unless the caller gives the rules).
 */
import { posix, sep } from 'node:path';
import { ExitCode, KsecError } from '../../errors.js';
import { catFile, type BlobRef, type RelativeReader } from '../git-cat-file.js';
import { git, gitRoot } from '../git.js';
import { ignoreRules } from '../ignore-rules.js';
import type { Source, SourceFile, SourceOptions } from './source.js';

/** Stands for `.ksecignore` in the index among the blobs a staged scan reads (no path holds a NUL). */
const KSECIGNORE_REF = '\0.ksecignore';

export async function stagedSource(options: SourceOptions = {}): Promise<Source> {
  const cwd = options.cwd ?? process.cwd();
  const staged = await stagedPaths(cwd);
  const refs: BlobRef[] = staged.map((path) => ({ name: `:${path}`, path }));
  if (staged.length > 0 && !options.ignore) refs.unshift({ name: ':.ksecignore', path: KSECIGNORE_REF });
  const readRelative: RelativeReader = (path) => async (rel) => {
    const target = posix.normalize(posix.join(posix.dirname(path), sep === '/' ? rel : rel.split(sep).join('/')));
    const blob = await git(['cat-file', 'blob', `:${target}`], cwd).catch(() => undefined);
    return blob?.toString('utf8');
  };
  async function* files(): AsyncGenerator<SourceFile> {
    let ignore = options.ignore;
    for await (const file of catFile(cwd, refs, options.maxFileSize, readRelative)) {
      if (file.path === KSECIGNORE_REF) ignore = await ignoreRules(file.content.toString('utf8'));
      else if (!ignore?.ignores(file.path)) yield file;
    }
  }
  return { total: staged.length, files: files() };
}

/**
 * The paths (from the repository root) of the index's added, copied and
 * modified blobs: `git diff --cached --raw`, without submodules (their
 * entries are commits).
 */
async function stagedPaths(cwd: string): Promise<string[]> {
  let out: Buffer;
  try {
    out = await git(['diff', '--cached', '--raw', '-z', '--no-abbrev', '--diff-filter=ACMR', '--no-renames'], cwd, '--staged');
  } catch (err) {
    // outside a work tree `git diff --cached` is a usage error (it becomes `git diff --no-index`)
    if (err instanceof KsecError && err.exitCode !== ExitCode.environment && (await gitRoot(cwd)) === undefined) {
      throw new KsecError('--staged needs a Git repository', { file: cwd, hint: 'run it inside a work tree, or scan paths instead' });
    }
    throw err;
  }
  // `:<old mode> <new mode> <old id> <new id> <status>` NUL <path> NUL (renames and copies: two paths)
  const tokens = out.toString('utf8').split('\0');
  const paths: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith(':')) continue;
    const [, mode = '', , , status = ''] = token.split(' ');
    const path = tokens[(i += /^[RC]/.test(status) ? 2 : 1)] ?? '';
    if (mode !== '160000' && path) paths.push(path);
  }
  return paths;
}
