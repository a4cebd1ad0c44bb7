/**
 * The blobs a set of commits introduced, from one `git log --raw` pass: each
 * blob once, with the first commit (parents before children) and path that
 * brought it. `.ksecignore` rules apply to paths: an ignored path does not
 * claim its blob, which a later, not ignored path may then claim.
 */
import type { BlobRef } from '../git-cat-file.js';
import { git } from '../git.js';
import type { IgnoreRules } from '../ignore-rules.js';
import type { CommitInfo } from '../types.js';

/**
 * One `git log --raw` pass: each blob the listed commits added or changed,
 * once, with the first commit (id, author, date) and path that brought it.
 * A merge is diffed against each parent (`-m`) and brings only the blobs that
 * differ from every parent (a conflict resolved by hand), not what it merged.
 */
export async function introducedBlobs(root: string, revisions: string[], ignore: IgnoreRules | undefined, what: string): Promise<BlobRef[]> {
  const out = await git(
    ['-c', 'core.quotePath=false', 'log', '--raw', '-m', '--no-abbrev', '--no-renames', '--root', '-z', '--reverse', '--format=%x01%H%x02%P%x02%an%x02%ae%x02%aI', ...revisions, '--'],
    root,
    what,
  );
  const refs: BlobRef[] = [];
  const seen = new Set<string>();
  const take = (blob: string, path: string, commit: CommitInfo | undefined) => {
    if (seen.has(blob) || ignore?.ignores(path)) return; // an ignored path does not claim the blob
    seen.add(blob);
    refs.push({ name: blob, path, ...(commit ? { commit } : {}) });
  };
  let commit: CommitInfo | undefined;
  let parents = 0;
  let parent = 0;
  // a merge's entries, per blob: its path and against how many parents it differs
  const merged = new Map<string, { path: string; parents: number; last: number }>();
  const flushMerge = () => {
    for (const [blob, entry] of merged) if (entry.parents === parents) take(blob, entry.path, commit);
    merged.clear();
  };
  const tokens = out.toString('utf8').split('\0');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n/, '');
    if (token.startsWith('\x01')) {
      const [id = '', parentList = '', author = '', email = '', date = ''] = token.slice(1).split('\x02');
      if (id === commit?.commit) {
        parent++; // the same merge again, against its next parent
        continue;
      }
      flushMerge();
      parent = 0;
      commit = { commit: id, author, email, date };
      parents = parentList.split(' ').filter(Boolean).length;
    } else if (token.startsWith(':')) {
      const [, dstMode, , dst, status] = token.split(' ');
      const path = tokens[++i] ?? '';
      if (!dstMode?.startsWith('100') || status === 'D' || !dst || /^0+$/.test(dst)) continue;
      if (parents < 2) take(dst, path, commit);
      else {
        const entry = merged.get(dst);
        if (!entry) merged.set(dst, { path, parents: 1, last: parent });
        else if (entry.last !== parent) {
          entry.parents++;
          entry.last = parent;
        }
      }
    }
  }
  flushMerge();
  return refs;
}
