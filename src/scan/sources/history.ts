/** `--history`: every blob ever committed on any ref. */
import { catFile } from '../git-cat-file.js';
import { requireGitRoot } from '../git.js';
import { introducedBlobs } from './introduced-blobs.js';
import type { Source, SourceOptions } from './source.js';

/**
 * Every blob reachable from any ref, each once, named by the commit and path
 * that first introduced it. Parents come before children (`--topo-order
 * --reverse`), so a blob is credited to the oldest commit that added it.
 */
export async function historySource(options: SourceOptions = {}): Promise<Source> {
  const root = await requireGitRoot(options.cwd ?? process.cwd(), '--history');
  const refs = await introducedBlobs(root, ['--all', '--topo-order'], options.ignore, '--history');
  return { total: refs.length, files: catFile(root, refs, options.maxFileSize) };
}
