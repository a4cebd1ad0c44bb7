/**
 * The files of a directory, as paths relative to it ('/'-separated, each
 * once), minus what .gitignore files ignore: inside a Git work tree git lists
 * them (tracked and untracked, `--exclude-standard`; sorted); outside one, a
 * walk in sorted directory order that reads each directory's .gitignore and
 * skips `.git` and `node_modules`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitRoot } from '../git.js';
import { ignoreRules, type IgnoreRules } from '../ignore-rules.js';

/** A directory's files, and how many paths .gitignore left out (an ignored directory counts once). */
export interface Listing {
  files: string[];
  ignored: number;
}

export async function listDirectory(dir: string): Promise<Listing> {
  return (await gitListing(dir)) ?? (await walk(dir));
}

/**
 * `git ls-files -co --exclude-standard`, and beside it the untracked paths
 * git ignores (`-oi --directory`: an ignored directory is one path, not its
 * files); undefined outside a work tree. Tracked files stay listed whatever
 * .gitignore says: git commits their changes.
 */
async function gitListing(dir: string): Promise<Listing | undefined> {
  let out: Buffer;
  const ignoredOut = git(['ls-files', '-z', '-o', '-i', '--exclude-standard', '--directory'], dir).catch(() => undefined);
  try {
    out = await git(['-c', 'core.quotePath=false', 'ls-files', '-z', '-c', '-o', '--exclude-standard'], dir);
  } catch (err) {
    // asked only after a failure, so a scan in a repository starts one git process
    if ((await gitRoot(dir)) === undefined) return undefined;
    throw err;
  }
  // tracked files, then untracked ones; an unmerged file comes once per stage: sort, drop repeats
  const list = out.toString('utf8').split('\0').sort();
  let n = 0;
  for (const p of list) if (p !== '' && p !== list[n - 1]) list[n++] = p;
  list.length = n;
  const ignored = await ignoredOut;
  return { files: list, ignored: ignored ? ignored.toString('latin1').split('\0').filter(Boolean).length : 0 };
}

/** A .gitignore file's rules and the directory (relative to the walk's root, '' for the root) it sits in. */
interface Level {
  base: string;
  rules: IgnoreRules;
}

/** The walk outside a work tree: a deeper .gitignore's verdict overrides a shallower one's, as in git. */
async function walk(root: string): Promise<Listing> {
  const out: string[] = [];
  let ignoredCount = 0;
  const { readDirSorted } = await import('../../manifest/read.js'); // lazily: read.ts loads yaml
  const ignored = (levels: Level[], path: string, isDir: boolean): boolean => {
    for (let i = levels.length - 1; i >= 0; i--) {
      const { base, rules } = levels[i]!;
      const rel = base === '' ? path : path.slice(base.length + 1);
      const verdict = rules.test(isDir ? `${rel}/` : rel);
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  };
  const visit = async (rel: string, inherited: Level[]): Promise<void> => {
    const dir = rel === '' ? root : join(root, rel);
    const gitignore = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
    const levels = gitignore === undefined ? inherited : [...inherited, { base: rel, rules: await ignoreRules(gitignore) }];
    for (const entry of await readDirSorted(dir)) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        if (ignored(levels, path, true)) {
          ignoredCount++;
          continue;
        }
        await visit(path, levels);
      } else if (entry.isFile()) {
        if (ignored(levels, path, false)) ignoredCount++;
        else out.push(path);
      }
    }
  };
  await visit('', []);
  return { files: out, ignored: ignoredCount };
}
