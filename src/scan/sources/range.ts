/** `--since REV`: the blobs the commits in REV..HEAD added or changed (a pull request). */
import { ExitCode, KsecError } from '../../errors.js';
import { catFile } from '../git-cat-file.js';
import { git, requireGitRoot } from '../git.js';
import { introducedBlobs } from './introduced-blobs.js';
import type { Source, SourceOptions } from './source.js';

/** Every blob added or changed by the commits in REV..HEAD, each once, with the first commit that brought it. */
export async function rangeSource(rev: string, options: SourceOptions = {}): Promise<Source> {
  const root = await requireGitRoot(options.cwd ?? process.cwd(), '--since');
  if (rev.startsWith('-')) throw new KsecError(`--since: "${rev}" is not a revision`, { hint: 'name a branch, tag or commit' });
  await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], root, `--since ${rev}`).catch((err: unknown) => {
    if (err instanceof KsecError && err.exitCode === ExitCode.environment) throw err;
    // --quiet: git says nothing, so say it here (CI checkouts are often shallow)
    throw new KsecError(`--since: "${rev}" is not a commit of this repository`, {
      file: root,
      hint: 'name a branch, tag or commit; in CI, fetch the history first, e.g. actions/checkout with fetch-depth: 0',
    });
  });
  const refs = await introducedBlobs(root, [`${rev}..HEAD`], options.ignore, '--since');
  return { total: refs.length, files: catFile(root, refs, options.maxFileSize) };
}
