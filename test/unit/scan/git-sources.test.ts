/** Git sources on real repositories built in temp dirs: staged, range, history (rewritten and deleted files). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ignoreRules } from '../../../src/scan/ignore-rules.js';
import { scan } from '../../../src/scan/scan.js';
import { historySource } from '../../../src/scan/sources/history.js';
import { pathSource } from '../../../src/scan/sources/paths.js';
import { rangeSource } from '../../../src/scan/sources/range.js';
import { stagedSource } from '../../../src/scan/sources/staged.js';
import { type Source } from '../../../src/scan/sources/source.js';
import { KsecError } from '../../../src/errors.js';

const secret = (name: string, value: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${value}\n`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(...init: string[]): { dir: string; git: (...args: string[]) => string; write: (path: string, text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-git-'));
  dirs.push(dir);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main', ...init);
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  return { dir, git, write };
}

/** Runs `body` with a `git` on PATH that records each subcommand it is asked for. */
async function countingGit(body: () => Promise<void>): Promise<string[]> {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = mkdtempSync(join(tmpdir(), 'ksec-git-bin-'));
  dirs.push(bin);
  const log = join(bin, 'log');
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    await body();
  } finally {
    process.env.PATH = path;
  }
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

async function files(source: Source) {
  const out: { path: string; blob?: string; commit?: string }[] = [];
  for await (const f of source.files) out.push({ path: f.path, blob: f.blob, commit: f.commit });
  return out;
}

describe('path source', { timeout: 20_000 }, () => {
  it('honours .gitignore inside a work tree (tracked and untracked files)', async () => {
    const r = repo();
    r.write('.gitignore', 'ignored/\n*.local.yaml\n');
    r.write('a.yaml', configMap('a'));
    r.write('ignored/s.yaml', secret('x', 'demo-CANARY-g1'));
    r.write('dev.local.yaml', secret('y', 'demo-CANARY-g2'));
    r.write('sub/new.yaml', secret('z', 'demo-CANARY-g3'));
    r.git('add', '.gitignore', 'a.yaml');
    r.git('commit', '-qm', 'one');
    const listed = (await files(await pathSource(['.'], { cwd: r.dir }))).map((f) => f.path).sort();
    expect(listed).toEqual(['.gitignore', 'a.yaml', 'sub/new.yaml']);
  });

  it('honours .gitignore files outside a work tree, with negation and nested files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-plain-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    writeFileSync(join(dir, '.gitignore'), '*.env\n!keep.env\nbuild/\n');
    writeFileSync(join(dir, 'a/.gitignore'), 'b/secret.yaml\n');
    for (const p of ['x.env', 'keep.env', 'a/b/secret.yaml', 'a/b/ok.yaml', 'a/c.yaml']) writeFileSync(join(dir, p), 'x');
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build/out.yaml'), 'x');
    const listed = (await files(await pathSource([dir], { cwd: dir }))).map((f) => f.path.slice(dir.length + 1)).sort();
    expect(listed).toEqual(['.gitignore', 'a/.gitignore', 'a/b/ok.yaml', 'a/c.yaml', 'keep.env']);
  });

  it('skips .ksecignore paths', async () => {
    const r = repo();
    r.write('fixtures/s.yaml', secret('x', 'demo-CANARY-g4'));
    r.write('app/s.yaml', secret('y', 'demo-CANARY-g5'));
    const ignore = await ignoreRules('fixtures/\n');
    const result = await scan(await pathSource(['.'], { cwd: r.dir, ignore }));
    expect(result.findings.map((f) => f.file)).toEqual(['app/s.yaml']);
  });
});

describe('--staged', { timeout: 20_000 }, () => {
  it('scans the index, not the work tree, and only added/modified files', async () => {
    const r = repo();
    r.write('keep.yaml', configMap('keep'));
    r.write('gone.yaml', secret('old', 'demo-CANARY-g6'));
    r.git('add', '.');
    r.git('commit', '-qm', 'base');
    r.write('new.yaml', secret('new', 'demo-CANARY-g7'));
    r.git('add', 'new.yaml');
    r.write('new.yaml', configMap('fixed-in-worktree-only')); // the commit would still hold the secret
    r.write('unstaged.yaml', secret('u', 'demo-CANARY-g8'));
    r.git('rm', '-q', 'gone.yaml');
    const result = await scan(await stagedSource({ cwd: r.dir }));
    expect(result.files).toBe(1);
    expect(result.findings.map((f) => [f.file, f.rule, f.line])).toEqual([['new.yaml', 'k8s-secret-plaintext', 6]]);
  });

  it('works from a subdirectory and reads kustomize env files from the index', async () => {
    const r = repo();
    r.write('k/kustomization.yaml', 'secretGenerator:\n  - name: app\n    envs: [app.env]\n');
    r.write('k/app.env', 'PASSWORD=demo-CANARY-g9\n');
    r.git('add', '.');
    const result = await scan(await stagedSource({ cwd: join(r.dir, 'k') }));
    expect(result.findings.map((f) => [f.file, f.rule])).toEqual([['k/kustomization.yaml', 'kustomize-secret-file']]);
  });

  it('honours the staged .ksecignore', async () => {
    const r = repo();
    r.write('.ksecignore', 'fixtures/\n');
    r.write('fixtures/s.yaml', secret('x', 'demo-CANARY-g13'));
    r.write('app/s.yaml', secret('y', 'demo-CANARY-g14'));
    r.git('add', '.');
    const result = await scan(await stagedSource({ cwd: r.dir }));
    expect(result.findings.map((f) => f.file)).toEqual(['app/s.yaml']);
  });

  it('reads the staged blobs, not the work tree, with two git processes', async () => {
    const r = repo();
    r.write('a.yaml', configMap('a'));
    r.write('b.yaml', secret('b', 'demo-CANARY-g15'));
    r.git('add', '.');
    const calls = await countingGit(async () => {
      const result = await scan(await stagedSource({ cwd: r.dir }));
      expect(result.findings.map((f) => f.file)).toEqual(['b.yaml']);
    });
    expect(calls).toEqual(['diff', 'cat-file']);
    r.write('a.yaml', secret('a', 'demo-CANARY-g16')); // not staged: the commit holds the ConfigMap
    r.write('b.yaml', configMap('b')); // not staged: the commit still holds the Secret
    const later = await countingGit(async () => {
      const result = await scan(await stagedSource({ cwd: r.dir }));
      expect(result.findings.map((f) => f.file)).toEqual(['b.yaml']);
    });
    expect(later).toEqual(['diff', 'cat-file']);
  });

  it.each([['2'], ['4'], ['split']])('takes .ksecignore from the index (version %s), not the work tree', async (index) => {
    const r = repo();
    r.write('.ksecignore', 'fixtures/\n');
    r.git('add', '.ksecignore');
    r.git('commit', '-qm', 'ignore fixtures');
    r.git('update-index', ...(index === 'split' ? ['--split-index'] : ['--index-version', index]));
    r.write('fixtures/s.yaml', secret('x', 'demo-CANARY-g17'));
    r.write('app/s.yaml', secret('y', 'demo-CANARY-g18'));
    r.git('add', 'fixtures', 'app');
    const reported = async () => (await scan(await stagedSource({ cwd: r.dir }))).findings.map((f) => f.file);
    expect(await reported()).toEqual(['app/s.yaml']);
    r.write('.ksecignore', 'app/\n'); // an unstaged edit
    expect(await reported()).toEqual(['app/s.yaml']);
    rmSync(join(r.dir, '.ksecignore')); // an unstaged deletion
    expect(await reported()).toEqual(['app/s.yaml']);
    r.git('rm', '-q', '--cached', '.ksecignore'); // staged deletion, and an untracked copy in the work tree
    r.write('.ksecignore', 'app/\nfixtures/\n');
    expect(await reported()).toEqual(['app/s.yaml', 'fixtures/s.yaml']);
  });

  it('reads SHA-256 repositories, symlinks and big files from the index', async () => {
    const sha256 = repo('--object-format=sha256');
    sha256.write('s.yaml', secret('s', 'demo-CANARY-g19'));
    sha256.git('add', '.');
    expect((await scan(await stagedSource({ cwd: sha256.dir }))).findings.map((f) => f.file)).toEqual(['s.yaml']);

    const r = repo();
    r.write('s.yaml', secret('s', 'demo-CANARY-g20'));
    symlinkSync('s.yaml', join(r.dir, 'link.yaml')); // its blob is the link's target name
    r.write('big.yaml', `${'# padding\n'.repeat(30_000)}${secret('big', 'demo-CANARY-g21')}`);
    r.git('add', '.');
    const calls = await countingGit(async () => {
      const result = await scan(await stagedSource({ cwd: r.dir }));
      expect(result.files).toBe(3);
      expect(result.findings.map((f) => f.file)).toEqual(['big.yaml', 's.yaml']);
    });
    expect(calls).toEqual(['diff', 'cat-file']);
  });

  it('works in a linked work tree', async () => {
    const r = repo();
    r.write('a.yaml', configMap('a'));
    r.git('add', '.');
    r.git('commit', '-qm', 'one');
    const linked = `${r.dir}-linked`;
    dirs.push(linked);
    r.git('worktree', 'add', '-q', linked);
    writeFileSync(join(linked, 's.yaml'), secret('s', 'demo-CANARY-g22'));
    execFileSync('git', ['add', 's.yaml'], { cwd: linked });
    const calls = await countingGit(async () => {
      expect((await scan(await stagedSource({ cwd: linked }))).findings.map((f) => f.file)).toEqual(['s.yaml']);
    });
    expect(calls).toEqual(['diff', 'cat-file']);
  });

  it('is an error outside a repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-norepo-'));
    dirs.push(dir);
    const failure = stagedSource({ cwd: dir });
    await expect(failure).rejects.toThrow(KsecError);
    // not git's usage text: outside a work tree `git diff --cached` is a usage error
    await expect(failure).rejects.toThrow(/^--staged needs a Git repository$/);
  });
});

describe('--since', { timeout: 20_000 }, () => {
  it('scans every blob the range introduced, even when a later commit removed it', async () => {
    const r = repo();
    r.write('base.yaml', secret('base', 'demo-CANARY-g10')); // before the range: not scanned
    r.git('add', '.');
    r.git('commit', '-qm', 'base');
    r.git('branch', 'base');
    r.write('leak.yaml', secret('leak', 'demo-CANARY-g11'));
    r.git('add', '.');
    r.git('commit', '-qm', 'leak');
    const leakCommit = r.git('rev-parse', 'HEAD').trim();
    r.git('rm', '-q', 'leak.yaml');
    r.write('ok.yaml', configMap('ok'));
    r.git('add', '.');
    r.git('commit', '-qm', 'remove the leak');
    const result = await scan(await rangeSource('base', { cwd: r.dir }));
    expect(result.files).toBe(2);
    expect(result.findings.map((f) => [f.file, f.commit])).toEqual([['leak.yaml', leakCommit]]);
  });

  it('names a bad revision as bad input', async () => {
    const r = repo();
    r.write('a.yaml', configMap('a'));
    r.git('add', '.');
    r.git('commit', '-qm', 'a');
    await expect(rangeSource('no-such-branch', { cwd: r.dir })).rejects.toThrow(/^--since: "no-such-branch" is not a commit of this repository$/);
    await expect(rangeSource('--all', { cwd: r.dir })).rejects.toThrow(/not a revision/);
  });
});

describe('--history', { timeout: 20_000 }, () => {
  it('scans every blob once: rewritten, deleted and on other branches', async () => {
    const r = repo();
    r.write('a.yaml', secret('a', 'demo-CANARY-g12'));
    r.write('copy/a.yaml', secret('a', 'demo-CANARY-g12')); // same blob, second path
    r.git('add', '.');
    r.git('commit', '-qm', 'one');
    r.write('a.yaml', secret('a', '""')); // rewritten: the old blob stays in history
    r.git('rm', '-q', '-r', 'copy');
    r.git('add', '.');
    r.git('commit', '-qm', 'two');
    r.git('checkout', '-q', '-b', 'side');
    r.write('side.json', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { t: 'ZGVtby1DQU5BUlk=' } }));
    r.git('add', '.');
    r.git('commit', '-qm', 'side');
    r.git('checkout', '-q', 'main');
    const source = await historySource({ cwd: r.dir });
    const listed = await files(source);
    expect(listed).toHaveLength(3); // old a.yaml (shared by copy/), new a.yaml, side.json
    expect(new Set(listed.map((f) => f.blob)).size).toBe(3);
    const result = await scan(await historySource({ cwd: r.dir }));
    expect(result.findings.map((f) => f.rule)).toEqual(['k8s-secret-plaintext', 'k8s-secret-plaintext']);
    expect(result.findings.every((f) => f.blob && /^[0-9a-f]{40}$/.test(f.blob))).toBe(true);
  });

  it('names the commit, author, date and path that first brought each blob', async () => {
    const r = repo();
    const commit = (message: string, date: string) => {
      execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '-qm', message], {
        cwd: r.dir,
        env: { ...process.env, GIT_AUTHOR_NAME: `Author ${message}`, GIT_AUTHOR_EMAIL: `${message}@example.com`, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: 'c', GIT_COMMITTER_EMAIL: 'c@example.com', GIT_COMMITTER_DATE: date },
      });
      return r.git('rev-parse', 'HEAD').trim();
    };
    r.write('ok.yaml', configMap('ok'));
    r.git('add', '.');
    const base = commit('base', '2024-01-01T10:00:00Z');
    r.write('leak.yaml', secret('leak', 'demo-CANARY-g13'));
    r.git('add', '.');
    const leak = commit('leak', '2024-02-01T10:00:00Z');
    r.git('mv', 'leak.yaml', 'moved.yaml'); // the same blob under a new path: still the first commit's
    r.write('ok.yaml', secret('ok', 'demo-CANARY-g14')); // rewritten into a leak
    r.git('add', '.');
    const rewrite = commit('rewrite', '2024-03-01T10:00:00Z');
    r.git('rm', '-q', 'moved.yaml'); // deleted: the history keeps it
    const remove = commit('remove', '2024-04-01T10:00:00Z');
    // a conflict resolved in a merge: its blob exists in no parent
    r.git('checkout', '-q', '-b', 'side', base);
    r.write('conflict.yaml', configMap('side'));
    r.write('side.yaml', secret('side', 'demo-CANARY-g16')); // merged as it is: the side commit's, not the merge's
    r.git('add', '.');
    const side = commit('side', '2024-05-01T10:00:00Z');
    r.git('checkout', '-q', 'main');
    r.write('conflict.yaml', configMap('main'));
    r.git('add', '.');
    commit('main', '2024-05-02T10:00:00Z');
    try {
      r.git('merge', '-q', 'side', '-m', 'merge');
    } catch {
      // the conflict is the point
    }
    r.write('conflict.yaml', secret('merged', 'demo-CANARY-g15'));
    r.git('add', '.');
    const merge = commit('merge', '2024-06-01T10:00:00Z');
    expect(r.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ')).toHaveLength(3);

    const result = await scan(await historySource({ cwd: r.dir }));
    expect(result.findings.map((f) => [f.file, f.commit, f.author, f.email, f.date])).toEqual([
      ['conflict.yaml', merge, 'Author merge', 'merge@example.com', '2024-06-01T10:00:00Z'.replace('Z', '+00:00')],
      ['leak.yaml', leak, 'Author leak', 'leak@example.com', '2024-02-01T10:00:00+00:00'],
      ['ok.yaml', rewrite, 'Author rewrite', 'rewrite@example.com', '2024-03-01T10:00:00+00:00'],
      ['side.yaml', side, 'Author side', 'side@example.com', '2024-05-01T10:00:00+00:00'],
    ]);
    expect(remove).not.toBe(rewrite);
    // --since names the commit in the range the same way
    const range = await scan(await rangeSource(base, { cwd: r.dir }));
    expect(range.findings.map((f) => [f.file, f.commit])).toEqual([
      ['conflict.yaml', merge],
      ['leak.yaml', leak],
      ['ok.yaml', rewrite],
      ['side.yaml', side],
    ]);
  });
});
