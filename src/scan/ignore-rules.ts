/**
 * Ignore rules in gitignore syntax: `.ksecignore` (paths the scan skips, from
 * the root of the scan) and the `.gitignore` files of a directory scanned
 * outside a Git work tree (inside one, git itself lists the files). Matching
 * is the `ignore` package's, which follows `git check-ignore` (bracket
 * expressions included; test/unit/scan/ignore-rules.test.ts compares them):
 * the last matching pattern wins, a trailing `/` matches directories only,
 * and nothing below an ignored directory comes back. Paths are '/'-separated,
 * relative to the directory the rules belong to, case-sensitive as git's are
 * on Linux; a directory is tested with a trailing '/'.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ignore } from 'ignore';

export type IgnoreRules = Ignore;

/** The rules of one ignore file's text. The `ignore` package is loaded on first use. */
export async function ignoreRules(text: string): Promise<IgnoreRules> {
  const { default: ignore } = await import('ignore');
  return ignore({ ignoreCase: false, allowRelativePaths: true }).add(text);
}

/** `<root>/.ksecignore`'s rules; undefined when there is no such file. */
export async function loadKsecignore(root: string): Promise<IgnoreRules | undefined> {
  const text = await readFile(join(root, '.ksecignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : ignoreRules(text);
}
