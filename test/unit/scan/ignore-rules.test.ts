/**
 * `.ksecignore` and .gitignore rules: what the ignore-rules module decides is
 * what `git check-ignore` decides, on files of a real directory (bracket
 * expressions, negation, anchoring, directories, `**`, escapes), and the
 * directory walk outside a work tree lists what git lists inside one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ignoreRules } from '../../../src/scan/ignore-rules.js';
import { listDirectory } from '../../../src/scan/sources/list-directory.js';

const PATTERNS = [
  '# comment',
  '*.env',
  '!keep.env',
  '/root-only.yaml',
  'build/',
  'docs/**/*.md',
  'sub/dir/x.yaml',
  '[]a]x',
  '[\\]]y',
  '[!a-c]z',
  '[a-c]w',
  'q[[:digit:]]',
  '\\#hash',
  '\\!bang',
  'sp\\ ',
  'a?c',
  '**/deep',
  'foo/**',
  'x/**/y.yaml',
  'Case.yaml',
  'neg/',
  '!neg/keep.yaml',
  'logs/*',
  '!logs/keep/',
];

const PATHS = [
  'a.env', 'dir/a.env', 'keep.env', 'x/keep.env',
  'root-only.yaml', 'x/root-only.yaml',
  'build/a.yaml', 'x/build/a.yaml', 'build.yaml',
  'docs/a/b/c.md', 'docs/c.md', 'docs/c.txt',
  'sub/dir/x.yaml', 'other/sub/dir/x.yaml',
  ']x', 'ax', 'bx', 'cx', 'x]x',
  ']y', 'y', '\\y', 'ay',
  'az', 'dz', ']z', 'z',
  'aw', 'dw',
  'q1', 'qa',
  '#hash', 'hash', '!bang', 'bang', 'sp ', 'sp',
  'abc', 'ac', 'a/c',
  'deep', 'x/y/deep', 'deep2',
  'foo/a', 'foo/b/c', 'foofoo',
  'x/y.yaml', 'x/a/b/y.yaml',
  'Case.yaml', 'case.yaml',
  'neg/keep.yaml', 'neg/other.yaml',
  'logs/a.log', 'logs/keep/b.log',
  'a.yaml', 'README.md',
];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-ignore-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-c', 'core.ignorecase=false', ...args], { cwd: dir, encoding: 'utf8' });

describe('ignore rules', { timeout: 20_000 }, () => {
  it('decide as git check-ignore does', async () => {
    const text = `${PATTERNS.join('\n')}\n`;
    const dir = tree(Object.fromEntries([['.gitignore', text], ...PATHS.map((p) => [p, 'x'])]));
    git(dir, 'init', '-q');
    const out = execFileSync('git', ['-c', 'core.ignorecase=false', 'check-ignore', '--no-index', '-z', '--stdin'], {
      cwd: dir,
      input: PATHS.join('\0') + '\0',
      encoding: 'utf8',
    });
    const byGit = new Set(out.split('\0').filter(Boolean));
    const rules = await ignoreRules(text);
    const mismatches = PATHS.filter((p) => rules.ignores(p) !== byGit.has(p)).map((p) => `${p}: git ${byGit.has(p)}`);
    expect(mismatches).toEqual([]);
    // the bracket patterns the hand-written matcher got wrong
    expect([']x', 'ax', ']y'].every((p) => byGit.has(p))).toBe(true);
    expect(byGit.size).toBeGreaterThan(20);
    expect(byGit.size).toBeLessThan(PATHS.length - 10);
  });

  it('the walk outside a work tree lists what git lists inside one, nested .gitignore files included', async () => {
    const files: Record<string, string> = { '.gitignore': `${PATTERNS.join('\n')}\n`, 'a/.gitignore': 'b/secret.yaml\n!a.env\n/top.yaml\n', 'a/b/.gitignore': '!secret.yaml\n' };
    for (const p of [...PATHS, 'a/b/secret.yaml', 'a/b/ok.yaml', 'a/a.env', 'a/top.yaml', 'a/d/top.yaml', 'a/b/c/secret.yaml']) files[p] = 'x';
    const dir = tree(files);
    const walked = await listDirectory(dir);
    git(dir, 'init', '-q');
    const listed = await listDirectory(dir);
    expect([...walked.files].sort()).toEqual(listed.files);
    expect([walked.ignored > 0, listed.ignored > 0]).toEqual([true, true]);
  });
});
