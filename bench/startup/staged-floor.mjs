/**
 * The floor under a pre-commit `ksec scan --staged`, for bench/startup/startup.ts: an ES module that
 * asks git for the staged paths and reads their blobs through one `git cat-file --batch`, the two
 * processes the scan starts, and writes how many bytes came back. No CLI, no parsing, no rules: what
 * any Node tool that reads the Git index pays before its own code.
 */
import { execFile, spawn } from 'node:child_process';
import { writeSync } from 'node:fs';

execFile('git', ['-c', 'core.quotePath=false', 'diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--no-renames'], { encoding: 'buffer' }, async (err, out) => {
  if (err) throw err;
  const names = out.toString('utf8').split('\0').filter(Boolean);
  const catFile = spawn('git', ['cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
  catFile.stdin.end([':.ksecignore', ...names.map((n) => `:${n}`)].join('\n') + '\n');
  let bytes = 0;
  for await (const chunk of catFile.stdout) bytes += chunk.length;
  writeSync(1, `${bytes}\n`);
});
