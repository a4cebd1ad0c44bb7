/**
 * The floor under a pre-commit `ksec scan --staged`, for bench/startup/startup.ts: an ES module that
 * asks git for the staged blobs (`git diff --cached --raw`, the one git process the scan starts when
 * the work tree holds what is staged) and reads those files, and writes how many bytes it read. No
 * CLI, no parsing, no rules, no proof that the files are the staged blobs: what any Node tool that
 * reads what is staged pays before its own code.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';

const diff = spawnSync('git', ['diff', '--cached', '--raw', '-z', '--no-abbrev', '--diff-filter=ACMR', '--no-renames']);
if (diff.status !== 0) throw new Error(diff.stderr.toString());
const tokens = diff.stdout.toString('utf8').split('\0');
let bytes = 0;
for (let i = 0; i + 1 < tokens.length; i += 2) bytes += readFileSync(tokens[i + 1]).length;
writeSync(1, `${bytes}\n`);
