/**
 * Flag spellings ksec used before every flag letter got kubectl's and
 * kubeseal's meaning (`-f` input, `-o` output format, `-w` output file,
 * `--in-place` for in-place). ksec was never published, so there are no
 * compatibility shims: an old spelling is a usage error (exit 2) whose hint
 * names the new one.
 */

/** command path ("eso migrate") -> old flag -> what to write instead */
const RENAMED: Record<string, Record<string, string>> = {
  scan: { '-f': '-o FORMAT (the report format)', '--output': '-w, --write FILE' },
  'eso store': { '-o': '-w, --write FILE', '--output': '-w, --write FILE' },
  'eso migrate': { '-o': '-w, --write FILE', '--output': '-w, --write FILE' },
  reencrypt: { '-w': '--in-place' },
  'sops status': { '--json': '-o json' },
};

export interface RenamedFlag {
  command: string;
  flag: string;
  replacement: string;
}

/**
 * The first old spelling in `argv` (the words after `ksec`), if any. The
 * command path is the leading words that are not flags; only flags before
 * `--` count, written alone or as `--flag=value`.
 */
export function findRenamedFlag(argv: readonly string[]): RenamedFlag | undefined {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  const command = [words.slice(0, 2).join(' '), words[0] ?? ''].find((c) => c in RENAMED);
  if (!command) return undefined;
  const renamed = RENAMED[command]!;
  for (const arg of argv) {
    if (arg === '--') break;
    const flag = arg.startsWith('--') ? arg.split('=')[0]! : arg;
    const replacement = Object.hasOwn(renamed, flag) ? renamed[flag] : undefined;
    if (replacement) return { command, flag, replacement };
  }
  return undefined;
}
