/**
 * Accepting findings: inline `# ksec:allow RULE[,RULE...]` comments (on the
 * finding's line or the line above) and a baseline of fingerprints
 * (`.ksecignore` paths: ignore-rules.ts). A fingerprint hashes the rule, the file and where in it (the
 * object and key, or the n-th match of the rule in the file) — never the
 * value, so a baseline cannot leak a secret and survives edits that only
 * move lines.
 */
import { KsecError } from '../errors.js';
import { readUserText } from '../user-file.js';

/** The first 32 hex digits of SHA-256 over `ksec/v1` NUL rule NUL file NUL location. */
export function fingerprint(rule: string, file: string, location: string): string {
  // node:crypto is loaded on the first finding, not with the scan: a clean scan never needs it
  return process.getBuiltinModule('node:crypto').createHash('sha256').update(`ksec/v1\0${rule}\0${file}\0${location}`).digest('hex').slice(0, 32);
}

const ALLOW = /ksec:allow[ \t]+([A-Za-z0-9_, \t-]+)/;

/** Rules allowed at a 1-based line by a comment there or on the line before. */
export class AllowComments {
  private lines: string[] | undefined;

  constructor(private readonly text: string) {}

  allows(rule: string, line: number): boolean {
    if (!this.text.includes('ksec:allow')) return false;
    this.lines ??= this.text.split('\n');
    for (const l of [line, line - 1]) {
      const match = ALLOW.exec(this.lines[l - 1] ?? '');
      if (!match) continue;
      const ids = match[1]!.split(/[\s,]+/).filter(Boolean);
      if (ids.includes(rule) || ids.includes('all')) return true;
    }
    return false;
  }
}

/**
 * A baseline file: `{"fingerprints": [...]}`, or a previous `--format json`
 * report (its findings' fingerprints), or one fingerprint per line.
 */
export async function loadBaseline(path: string): Promise<Set<string>> {
  const text = await readUserText(path);
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    const lines = trimmed.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (lines.every((l) => /^[0-9a-f]{32,64}$/.test(l))) return new Set(lines);
    throw badBaseline(path);
  }
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch {
    throw badBaseline(path);
  }
  const record = data as { fingerprints?: unknown; findings?: { fingerprint?: unknown }[] };
  const list = Array.isArray(record.fingerprints)
    ? record.fingerprints
    : Array.isArray(record.findings)
      ? record.findings.map((f) => f?.fingerprint)
      : undefined;
  if (!list || !list.every((f) => typeof f === 'string')) throw badBaseline(path);
  return new Set(list as string[]);
}

function badBaseline(path: string): KsecError {
  return new KsecError('not a ksec baseline', {
    file: path,
    hint: 'write one with: ksec scan . --format json > .ksec-baseline.json (or list one fingerprint per line)',
  });
}

/** The baseline file's text for a set of findings. */
export function renderBaseline(fingerprints: Iterable<string>): string {
  return `${JSON.stringify({ version: 1, fingerprints: [...new Set(fingerprints)].sort() }, null, 2)}\n`;
}
