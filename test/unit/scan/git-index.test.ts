/** The git-less reads of a staged scan, checked against git itself on real repositories. */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitBlobId } from '../../../src/scan/git-blob-id.js';
import { findRepository, indexEntryId } from '../../../src/scan/git-index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(...init: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-git-index-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', ...init);
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  return { dir, git, write };
}

/**
 * a repository whose index holds entries before and after `.ksecignore` in git's order, and a long
 * path followed by a short one (index v4 then drops more than 127 bytes: a two-byte varint)
 */
function populated() {
  const r = repo();
  const paths = ['.editorconfig', '.github/workflows/ci.yaml', '.gitignore', '.k', '.ksecignorf', 'a.yaml', `long/${'x'.repeat(150)}.yaml`, 'm.yaml', 'z/deep/er.yaml', '-dash'];
  for (const path of paths) r.write(path, `${path}\n`);
  r.write('.ksecignore', 'fixtures/\n');
  r.git('add', '.');
  return r;
}

describe('gitBlobId', () => {
  it("is git's blob id", () => {
    expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a'); // git hash-object
    for (const size of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 70_000, 300_000, 5]) {
      const bytes = randomBytes(size);
      expect(gitBlobId(bytes)).toBe(createHash('sha1').update(`blob ${size}\0`).update(bytes).digest('hex'));
    }
  });
});

describe('indexEntryId', { timeout: 20_000 }, () => {
  it.each([['2'], ['3'], ['4']])('finds the staged id in an index of version %s, like git', (version) => {
    const r = populated();
    r.git('update-index', '--index-version', version);
    if (version === '3') r.git('update-index', '--skip-worktree', '.editorconfig'); // an entry with extended flags
    const repository = findRepository(r.dir)!;
    expect(indexEntryId(repository, '.ksecignore')).toBe(r.git('rev-parse', ':.ksecignore'));
    expect(indexEntryId(repository, 'a.yaml')).toBe(r.git('rev-parse', ':a.yaml'));
    expect(indexEntryId(repository, 'm.yaml')).toBe(r.git('rev-parse', ':m.yaml'));
    expect(indexEntryId(repository, 'z/deep/er.yaml')).toBe(r.git('rev-parse', ':z/deep/er.yaml'));
    expect(indexEntryId(repository, '.ksec')).toBeNull();
    expect(indexEntryId(repository, 'zz')).toBeNull();
  });

  it('answers null without an index and undefined for a split index', () => {
    const r = repo();
    expect(indexEntryId(findRepository(r.dir)!, '.ksecignore')).toBeNull(); // nothing added yet
    const split = populated();
    split.git('update-index', '--split-index');
    expect(indexEntryId(findRepository(split.dir)!, '.ksecignore')).toBeUndefined();
  });

  it('skips entries of a merge conflict (stages 1-3)', () => {
    const r = repo('-b', 'main');
    r.write('.ksecignore', 'a/\n');
    r.git('add', '.');
    r.git('commit', '-qm', 'base');
    r.git('checkout', '-q', '-b', 'side');
    r.write('.ksecignore', 'b/\n');
    r.git('commit', '-qam', 'side');
    r.git('checkout', '-q', 'main');
    r.write('.ksecignore', 'c/\n');
    r.git('commit', '-qam', 'main');
    expect(() => r.git('merge', '-q', 'side')).toThrow();
    expect(indexEntryId(findRepository(r.dir)!, '.ksecignore')).toBeNull();
  });
});

describe('findRepository', { timeout: 20_000 }, () => {
  it('finds the root, git dir and index from a subdirectory and in a linked work tree', () => {
    const r = populated();
    r.git('commit', '-qm', 'one');
    const fromSub = findRepository(join(r.dir, 'z/deep'))!;
    expect(fromSub.root).toBe(r.dir);
    expect(fromSub.indexFile).toBe(join(r.dir, '.git/index'));
    const linked = join(r.dir, '..', `${r.dir.split('/').pop()}-linked`);
    dirs.push(linked);
    r.git('worktree', 'add', '-q', linked);
    const other = findRepository(linked)!;
    expect(other.root).toBe(linked);
    expect(other.gitDir).toBe(r.git('-C', linked, 'rev-parse', '--absolute-git-dir'));
    expect(indexEntryId(other, '.ksecignore')).toBe(r.git('-C', linked, 'rev-parse', ':.ksecignore'));
  });

  it('honours GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE', () => {
    const r = populated();
    const env = { GIT_DIR: join(r.dir, '.git'), GIT_WORK_TREE: r.dir, GIT_INDEX_FILE: 'other-index' };
    expect(findRepository('/', env)).toEqual({ root: r.dir, gitDir: join(r.dir, '.git'), indexFile: join(r.dir, 'other-index') });
    expect(findRepository(tmpdir(), {})).toBeUndefined();
  });
});
