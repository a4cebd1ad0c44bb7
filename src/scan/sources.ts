/**
 * Where the scan's files come from: paths (directories honour .gitignore:
 * git answers inside a work tree, a small matcher outside one), the Git index
 * (`--staged`, what the next commit holds), the blobs a range of commits
 * introduced (`--since REV`) and every blob ever committed (`--history`).
 * Git sources read blobs through one `git cat-file --batch` process and list
 * each blob once, however many commits or paths share it.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { ExitCode, KsecError, fileError } from '../errors.js';
import { IgnoreRules } from './ignore.js';
import { gitBlobId } from './git-blob-id.js';
import { findRepository, indexEntryId, type Repository } from './git-index.js';
import type { CommitInfo, Provenance } from './types.js';

export interface SourceFile extends Provenance {
  /** display path (relative to the directory named, or to the repository root for git sources) */
  path: string;
  content: Buffer;
  /** set when the file could not be read: the scan reports it and goes on */
  unreadable?: KsecError;
  /** reads a file next to this one (kustomize envs/files); undefined when unknown */
  readRelative(relative: string): Promise<string | undefined>;
}

export interface Source {
  /** number of files, when known up front (for progress) */
  total?: number;
  files: AsyncIterable<SourceFile>;
  /** for path sources: the paths `files` reads, so scan workers can read them themselves */
  paths?: { base: string; list: string[]; maxFileSize?: number };
}

export interface SourceOptions {
  cwd?: string;
  /** skip files larger than this many bytes */
  maxFileSize?: number;
  /** `.ksecignore` rules, relative to the root of the scan */
  ignore?: IgnoreRules;
}

export async function git(args: string[], cwd: string, what = 'git'): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) reject(gitFailure(err, stderr, cwd, what));
      else resolvePromise(stdout);
    });
  });
}

/**
 * `git` for the pre-commit path: spawnSync sets up no streams or sockets for
 * the child, which saves a 10-file pre-commit scan about 1.5 ms on Node 24.
 */
function gitSync(args: string[], cwd: string, what: string): Buffer {
  const result = spawnSync('git', args, { cwd, maxBuffer: 1 << 30 });
  if (result.error || result.status !== 0) throw gitFailure(result.error ?? new Error(`git exited ${result.status}`), result.stderr ?? Buffer.alloc(0), cwd, what);
  return result.stdout;
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

// ---- paths ---------------------------------------------------------------

export async function pathSource(inputs: string[], options: SourceOptions = {}): Promise<Source> {
  const cwd = options.cwd ?? process.cwd();
  const paths: string[] = [];
  for (const input of inputs) {
    const full = resolve(cwd, input);
    let info;
    try {
      info = await stat(full);
    } catch (err) {
      throw fileError(err, input);
    }
    if (!info.isDirectory()) {
      paths.push(input); // named explicitly: scanned even if ignored
      continue;
    }
    const listed = (await gitListing(full)) ?? (await walkIgnoring(full));
    // plain string joins: path.join/relative per file cost more than reading it
    const ignoreBase = options.ignore && !options.ignore.empty ? toPosix(relative(cwd, full)) : undefined;
    const prefix = input === '.' || input === './' ? '' : input.endsWith('/') ? input : `${input}/`;
    for (const rel of listed) {
      if (ignoreBase !== undefined && options.ignore!.ignores(ignoreBase === '' ? rel : `${ignoreBase}/${rel}`)) continue;
      paths.push(prefix + rel);
    }
  }
  const base = cwd.endsWith(sep) ? cwd : cwd + sep;
  return { total: paths.length, files: readPaths(paths, cwd, options.maxFileSize), paths: { base, list: paths, maxFileSize: options.maxFileSize } };
}

/** `git ls-files -co --exclude-standard`: tracked and untracked, minus ignored; undefined outside a work tree. */
async function gitListing(dir: string): Promise<string[] | undefined> {
  let out: Buffer;
  try {
    out = await git(['-c', 'core.quotePath=false', 'ls-files', '-z', '-c', '-o', '--exclude-standard'], dir);
  } catch (err) {
    // asked only now, so a scan in a repository starts one git process, not two
    if ((await gitRoot(dir)) === undefined) return undefined;
    throw err;
  }
  // tracked files, then untracked ones, each sorted already (so the sort is one pass); an unmerged
  // file comes once per stage. Sorting and dropping neighbours beats a Set by 40 ms on 50,000 paths.
  const list = out.toString('utf8').split('\0').sort();
  let n = 0;
  for (const p of list) if (p !== '' && p !== list[n - 1]) list[n++] = p;
  list.length = n;
  return list;
}

async function walkIgnoring(root: string): Promise<string[]> {
  const out: string[] = [];
  const rules = new IgnoreRules();
  const visit = async (rel: string): Promise<void> => {
    const dir = rel === '' ? root : join(root, rel);
    const gitignore = await readFile(join(dir, '.gitignore'), 'utf8').catch(() => undefined);
    if (gitignore !== undefined) rules.add(gitignore, toPosix(rel));
    const { readDirSorted } = await import('../manifest/read.js'); // lazily: read.ts loads yaml
    for (const entry of await readDirSorted(dir)) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === '.git' || entry.name === 'node_modules' || rules.matches(toPosix(path), true)) continue;
        await visit(path);
      } else if (entry.isFile() && !rules.matches(toPosix(path), false)) {
        out.push(path);
      }
    }
  };
  await visit('');
  return out;
}

/**
 * Reads files in order. Synchronous reads: for many small files they beat
 * the thread-pool round trips of fs/promises several times over.
 */
async function* readPaths(paths: string[], cwd: string, maxFileSize?: number): AsyncGenerator<SourceFile> {
  const base = cwd.endsWith(sep) ? cwd : cwd + sep;
  for (const path of paths) {
    const file = readPathSync(path, base, maxFileSize);
    if (file) yield file;
  }
}

/**
 * One file of a path source (the main thread's and the scan workers' reader):
 * undefined when it is gone or too big; an unreadable file comes back with
 * `unreadable` set, so the scan reports it and goes on. With `borrow`, a file
 * that fits the scratch buffer comes back as a view of it, valid only until
 * the next call: for a reader that is done with each file before it reads the
 * next (a scan worker), this saves a buffer per file.
 */
const scratch = Buffer.allocUnsafe(64 * 1024);

export function readPathSync(path: string, base: string, maxFileSize?: number, borrow = false): SourceFile | undefined {
  const full = isAbsolute(path) ? path : base + path;
  let content: Buffer;
  try {
    const fd = openSync(full, 'r');
    try {
      // most manifests fit the scratch buffer: open, one read, close (no fstat)
      const n = readSync(fd, scratch, 0, scratch.length, 0);
      if (n < scratch.length) {
        if (maxFileSize !== undefined && n > maxFileSize) return undefined;
        if (borrow) {
          content = scratch.subarray(0, n);
        } else {
          content = Buffer.allocUnsafe(n);
          scratch.copy(content, 0, 0, n);
        }
      } else {
        if (maxFileSize !== undefined && fstatSync(fd).size > maxFileSize) return undefined;
        content = readFileSync(fd);
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined; // deleted but tracked, submodule
    return { path, content: Buffer.alloc(0), unreadable: fileError(err, path), readRelative: async () => undefined };
  }
  return { path, content, readRelative: (rel) => readFile(resolve(dirname(full), rel), 'utf8').catch(() => undefined) };
}

// ---- git -----------------------------------------------------------------

interface BlobRef {
  /** object name for cat-file: a blob id, or `:path` for the index */
  name: string;
  path: string;
  commit?: CommitInfo;
}

/** Stands for `.ksecignore` in the index among the blobs a staged scan reads. */
const KSECIGNORE_REF = '\0.ksecignore';

/**
 * Work-tree bytes a staged scan may hash to prove files are the staged blobs;
 * the rest is read through git. A fresh process hashes about 50 MB/s (V8's
 * first-tier WebAssembly code), so this costs about what a git process does.
 */
const WORKTREE_HASH_BUDGET = 128 * 1024;

/** A blob in the index that differs from HEAD: its path (from the root), id and mode. */
interface StagedBlob {
  path: string;
  id: string;
  mode: string;
}

/**
 * What `git commit` would commit now: added, copied and modified files in
 * the index. This is the pre-commit hook's start-up time, so it costs one
 * git process in the usual case:
 * - `git diff --cached --raw` names the staged blobs by id;
 * - a work-tree file whose blob id is the staged one is that blob (after
 *   `git add`, or pre-commit's stash of unstaged changes, they all are), so
 *   it is read from disk;
 * - `.ksecignore` comes from the index too, by the same proof;
 * - anything else (partly staged files, filters, symlinks, a split index,
 *   SHA-256 repositories, big files) is read through one `git cat-file`.
 */
export async function stagedSource(options: SourceOptions = {}): Promise<Source> {
  const cwd = options.cwd ?? process.cwd();
  const staged = await stagedBlobs(cwd);
  const readRelative = (path: string) => async (rel: string) => {
    const target = posix.normalize(posix.join(posix.dirname(path), toPosix(rel)));
    const blob = await git(['cat-file', 'blob', `:${target}`], cwd).catch(() => undefined);
    return blob?.toString('utf8');
  };
  const repo = staged.length > 0 && staged.every((b) => b.id.length === 40) ? findRepository(cwd) : undefined;
  const ignore = options.ignore ?? (repo ? stagedIgnoreFromDisk(repo) : undefined);
  if (!repo || ignore === undefined) {
    // everything through git, `.ksecignore` first
    const refs: BlobRef[] = staged.map(({ path }) => ({ name: `:${path}`, path }));
    if (staged.length > 0 && !options.ignore) refs.unshift({ name: ':.ksecignore', path: KSECIGNORE_REF });
    return { total: staged.length, files: throughGit(cwd, refs, options, readRelative) };
  }
  async function* files(): AsyncGenerator<SourceFile> {
    const rest: BlobRef[] = [];
    let budget = WORKTREE_HASH_BUDGET;
    for (const blob of staged) {
      if (ignore?.ignores(blob.path)) continue;
      const content = budget > 0 && blob.mode !== '120000' ? worktreeCopy(repo!.root, blob, Math.min(budget, options.maxFileSize ?? Infinity)) : undefined;
      if (content) {
        budget -= content.length;
        yield { path: blob.path, content, readRelative: readRelative(blob.path) };
      } else {
        rest.push({ name: `:${blob.path}`, path: blob.path });
      }
    }
    yield* catFile(cwd, rest, options.maxFileSize, readRelative);
  }
  return { total: staged.length, files: files() };
}

/** The staged blobs: `git diff --cached --raw`, without submodules (their entries are commits). */
async function stagedBlobs(cwd: string): Promise<StagedBlob[]> {
  let out: Buffer;
  try {
    out = gitSync(['diff', '--cached', '--raw', '-z', '--no-abbrev', '--diff-filter=ACMR', '--no-renames'], cwd, '--staged');
  } catch (err) {
    // outside a work tree `git diff --cached` is a usage error (it becomes `git diff --no-index`)
    if (err instanceof KsecError && err.exitCode !== ExitCode.environment && (await gitRoot(cwd)) === undefined) {
      throw new KsecError('--staged needs a Git repository', { file: cwd, hint: 'run it inside a work tree, or scan paths instead' });
    }
    throw err;
  }
  // `:<old mode> <new mode> <old id> <new id> <status>` NUL <path> NUL (renames and copies: two paths)
  const tokens = out.toString('utf8').split('\0');
  const blobs: StagedBlob[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.startsWith(':')) continue;
    const [, mode = '', , id = '', status = ''] = token.split(' ');
    const path = tokens[(i += /^[RC]/.test(status) ? 2 : 1)] ?? '';
    if (mode !== '160000' && path) blobs.push({ path, id, mode });
  }
  return blobs;
}

/**
 * The index's `.ksecignore` when it can be proven without git: its id from
 * the index file, and a work-tree copy that hashes to it. `null` for none;
 * undefined to ask git.
 */
function stagedIgnoreFromDisk(repo: Repository): IgnoreRules | null | undefined {
  const id = indexEntryId(repo, '.ksecignore');
  if (id === null) return null;
  if (id === undefined) return undefined;
  const content = worktreeCopy(repo.root, { path: '.ksecignore', id }, WORKTREE_HASH_BUDGET);
  return content ? new IgnoreRules().add(content.toString('utf8')) : undefined;
}

/** The work-tree file at `blob.path` when its bytes are the blob (at most `maxBytes`), else undefined. */
function worktreeCopy(root: string, blob: { path: string; id: string }, maxBytes: number): Buffer | undefined {
  // git's paths need no normalising, and path.join's costs a cold pre-commit run 0.3 ms
  const file = readPathSync(`${root}/${blob.path}`, root, maxBytes);
  if (!file || file.unreadable) return undefined;
  return gitBlobId(file.content) === blob.id ? file.content : undefined;
}

/** The staged files through one `git cat-file`, the index's `.ksecignore` first when it is asked for. */
async function* throughGit(
  cwd: string,
  refs: BlobRef[],
  options: SourceOptions,
  readRelative: (path: string) => (rel: string) => Promise<string | undefined>,
): AsyncGenerator<SourceFile> {
  let ignore = options.ignore;
  for await (const file of catFile(cwd, refs, options.maxFileSize, readRelative)) {
    if (file.path === KSECIGNORE_REF) ignore = new IgnoreRules().add(file.content.toString('utf8'));
    else if (!ignore?.ignores(file.path)) yield file;
  }
}

/** Every blob added or changed by the commits in REV..HEAD, each once, with the first commit that brought it. */
export async function rangeSource(rev: string, options: SourceOptions = {}): Promise<Source> {
  const root = await requireRoot(options.cwd ?? process.cwd(), '--since');
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

/**
 * Every blob reachable from any ref, each once, named by the commit and path
 * that first introduced it. Parents come before children (`--topo-order
 * --reverse`), so a blob is credited to the oldest commit that added it.
 */
export async function historySource(options: SourceOptions = {}): Promise<Source> {
  const root = await requireRoot(options.cwd ?? process.cwd(), '--history');
  const refs = await introducedBlobs(root, ['--all', '--topo-order'], options.ignore, '--history');
  return { total: refs.length, files: catFile(root, refs, options.maxFileSize) };
}

/**
 * One `git log --raw` pass: each blob the listed commits added or changed,
 * once, with the first commit (id, author, date) and path that brought it.
 * A merge is diffed against each parent (`-m`) and brings only the blobs that
 * differ from every parent (a conflict resolved by hand), not what it merged.
 */
async function introducedBlobs(root: string, revisions: string[], ignore: IgnoreRules | undefined, what: string): Promise<BlobRef[]> {
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

async function requireRoot(cwd: string, flag: string): Promise<string> {
  const root = await gitRoot(cwd);
  if (!root) throw new KsecError(`${flag} needs a Git repository`, { file: cwd, hint: 'run it inside a work tree, or scan paths instead' });
  return root;
}

/** Streams blobs out of one `git cat-file --batch`, in the order asked for. */
async function* catFile(
  root: string,
  refs: BlobRef[],
  maxFileSize?: number,
  relativeReader?: (path: string) => (rel: string) => Promise<string | undefined>,
): AsyncGenerator<SourceFile> {
  if (refs.length === 0) return;
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((res) => child.on('close', res));
  child.on('error', () => undefined);
  child.stdin.on('error', () => undefined);
  child.stdin.end(refs.map((r) => `${r.name}\n`).join(''));
  let buffer: Buffer = Buffer.alloc(0);
  let index = 0;
  const unknown = async () => undefined;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const eol = buffer.indexOf(10);
        if (eol === -1) break;
        const header = buffer.subarray(0, eol).toString('utf8');
        const ref = refs[index];
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
          buffer = buffer.subarray(eol + 1);
          index++;
          continue;
        }
        const parts = header.split(' ');
        const size = Number(parts[2]);
        if (buffer.length < eol + 1 + size + 1) break;
        const content = Buffer.from(buffer.subarray(eol + 1, eol + 1 + size));
        buffer = buffer.subarray(eol + 1 + size + 1);
        index++;
        if (!ref || parts[1] !== 'blob' || (maxFileSize !== undefined && size > maxFileSize)) continue;
        yield {
          path: ref.path,
          content,
          ...(ref.name.startsWith(':') ? {} : { blob: parts[0] }),
          ...ref.commit,
          readRelative: relativeReader ? relativeReader(ref.path) : unknown,
        };
      }
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0 && index < refs.length) {
    throw new KsecError(`git cat-file stopped after ${index} of ${refs.length} blobs`, { file: root, exitCode: ExitCode.environment });
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
