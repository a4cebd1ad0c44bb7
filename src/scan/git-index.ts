/**
 * Just enough of Git's repository layout and index to answer, without
 * starting a git process, "which blob does the index hold for this path?".
 * A pre-commit scan asks it for `.ksecignore`, where a second git process
 * would cost it 3-5 ms of a cold start.
 *
 * Every answer is "surely this", "surely none" or undefined for "ask git":
 * split indexes, unknown versions, odd environments and anything that does
 * not parse are undefined. Callers prove content by its blob id
 * (git-blob-id.ts), so a wrong guess of the work tree only costs a git call.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface Repository {
  /** the top of the work tree, as git would find it from `cwd` */
  root: string;
  /** the index file git reads: $GIT_INDEX_FILE or <git dir>/index */
  indexFile: string;
  /** the repository's git dir ($GIT_DIR or the .git found above cwd; a linked work tree's own dir) */
  gitDir: string;
}

/**
 * The repository git would use from `cwd`: $GIT_DIR and $GIT_WORK_TREE when
 * set, else the nearest `.git` directory or `gitdir:` file above cwd.
 */
export function findRepository(cwd: string, env: NodeJS.ProcessEnv = process.env): Repository | undefined {
  let gitDir: string | undefined;
  let root: string | undefined;
  if (env.GIT_DIR) {
    gitDir = resolve(cwd, env.GIT_DIR);
    // without GIT_WORK_TREE git takes core.worktree or cwd: a guess either way, checked by blob id
    root = resolve(cwd, env.GIT_WORK_TREE ?? '.');
  } else {
    for (let dir = resolve(cwd); ; dir = dirname(dir)) {
      const dotGit = join(dir, '.git');
      try {
        const stat = statSync(dotGit, { throwIfNoEntry: false });
        if (stat?.isDirectory()) gitDir = dotGit;
        else if (stat?.isFile()) gitDir = readGitdirFile(dotGit);
      } catch {
        // unreadable: look further up; whatever is read there is checked by blob id
      }
      if (gitDir) {
        root = env.GIT_WORK_TREE ? resolve(cwd, env.GIT_WORK_TREE) : dir;
        break;
      }
      if (dirname(dir) === dir) return undefined;
    }
  }
  if (!gitDir || !root) return undefined;
  // a relative GIT_INDEX_FILE is taken from the top of the work tree, where git runs hooks
  const indexFile = env.GIT_INDEX_FILE ? resolve(root, env.GIT_INDEX_FILE) : join(gitDir, 'index');
  return { root, indexFile, gitDir };
}

/** A linked work tree's or submodule's `.git` file: `gitdir: <path>`, relative to the file's directory. */
function readGitdirFile(file: string): string | undefined {
  const match = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(file, 'utf8'));
  if (!match) return undefined;
  return isAbsolute(match[1]!) ? match[1]! : resolve(dirname(file), match[1]!);
}

/**
 * The object id (hex) of `path`'s stage-0 entry in the index, null when the
 * index surely has none, undefined when this reader cannot tell. Entries are
 * sorted by path, so a path near the start (a root dotfile) costs the first
 * few entries only. Index versions 2, 3 and 4 (path prefix compression);
 * SHA-1 and SHA-256 ids by `idBytes`.
 */
export function indexEntryId(repo: Repository, path: string, idBytes = 20): string | null | undefined {
  if (hasSplitIndex(repo.gitDir)) return undefined; // most entries would be in the shared index
  let reader: IndexReader;
  try {
    reader = new IndexReader(repo.indexFile);
  } catch (err) {
    // no index yet (a new repository before its first `git add`): nothing is staged
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  try {
    return findEntry(reader, Buffer.from(path, 'utf8'), idBytes);
  } finally {
    reader.close();
  }
}

function findEntry(reader: IndexReader, want: Buffer, idBytes: number): string | null | undefined {
  if (!reader.ensure(12) || reader.buf.toString('latin1', 0, 4) !== 'DIRC') return undefined;
  const version = reader.buf.readUInt32BE(4);
  const count = reader.buf.readUInt32BE(8);
  if (version < 2 || version > 4) return undefined;
  let pos = 12;
  let previous: Buffer = Buffer.alloc(0);
  for (let i = 0; i < count; i++) {
    // ctime, mtime, dev, ino, mode, uid, gid, size: 40 bytes; then the id and 16 bits of flags
    const flagsAt = pos + 40 + idBytes;
    if (!reader.ensure(flagsAt + 4)) return undefined;
    const flags = reader.buf.readUInt16BE(flagsAt);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return undefined;
    const nameAt = flagsAt + 2 + (extended ? 2 : 0);
    let name: Buffer;
    if (version === 4) {
      // a varint of bytes to drop from the previous path, then the rest of this one, NUL-terminated
      let at = nameAt;
      if (!reader.ensure(at + 1)) return undefined;
      let byte = reader.buf[at++]!;
      let drop = byte & 0x7f;
      while (byte & 0x80) {
        if (!reader.ensure(at + 1)) return undefined;
        byte = reader.buf[at++]!;
        drop = ((drop + 1) << 7) | (byte & 0x7f);
      }
      const end = reader.indexOf0(at);
      if (end < 0 || drop > previous.length) return undefined;
      name = Buffer.concat([previous.subarray(0, previous.length - drop), reader.buf.subarray(at, end)]);
      pos = end + 1;
    } else {
      const end = reader.indexOf0(nameAt);
      if (end < 0) return undefined;
      name = Buffer.from(reader.buf.subarray(nameAt, end));
      // the entry is NUL-padded to a multiple of 8 bytes, counted from its start
      pos += (nameAt - pos + name.length + 8) & ~7;
    }
    previous = name;
    const order = Buffer.compare(name, want);
    if (order > 0) return null;
    if (order === 0 && (flags & 0x3000) === 0) return reader.buf.toString('hex', flagsAt - idBytes, flagsAt);
  }
  return null;
}

/** `git update-index --split-index` keeps most entries in $GIT_DIR/sharedindex.<id>: not read here. */
function hasSplitIndex(gitDir: string): boolean {
  try {
    return readdirSync(gitDir).some((name) => name.startsWith('sharedindex.'));
  } catch {
    return true;
  }
}

/** Reads the index file from its start, as far as the search needs (a big repository's index is megabytes). */
class IndexReader {
  buf: Buffer = Buffer.alloc(0);
  #fd: number;
  #eof = false;

  constructor(file: string) {
    this.#fd = openSync(file, 'r');
  }

  /** true when the first `n` bytes are in `buf` */
  ensure(n: number): boolean {
    while (this.buf.length < n && !this.#eof) {
      const chunk = Buffer.allocUnsafe(Math.max(16 * 1024, this.buf.length));
      const read = readSync(this.#fd, chunk, 0, chunk.length, this.buf.length);
      if (read === 0) this.#eof = true;
      this.buf = Buffer.concat([this.buf, chunk.subarray(0, read)]);
    }
    return this.buf.length >= n;
  }

  /** the offset of the next NUL at or after `from`, reading on as needed; -1 at the end of the file */
  indexOf0(from: number): number {
    for (;;) {
      const at = this.buf.indexOf(0, from);
      if (at >= 0) return at;
      if (!this.ensure(this.buf.length + 1)) return -1;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}
