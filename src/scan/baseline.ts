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

/**
 * Rules allowed at a 1-based line by a comment there or on the line before.
 * The text is read once, on the first question, into the rules each
 * commented line allows; every question after that is a lookup, so a file's
 * findings cost time linear in their number, not in number x file size.
 */
export class AllowComments {
  /** 1-based line -> rule ids its comment allows; undefined until first asked */
  private byLine: Map<number, string[]> | undefined;

  constructor(private readonly text: string) {}

  allows(rule: string, line: number): boolean {
    this.byLine ??= allowsByLine(this.text);
    if (this.byLine.size === 0) return false;
    for (const l of [line, line - 1]) {
      const ids = this.byLine.get(l);
      if (ids && (ids.includes(rule) || ids.includes('all'))) return true;
    }
    return false;
  }
}

function allowsByLine(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let at = text.indexOf('ksec:allow');
  if (at === -1) return out;
  let line = 1;
  let counted = 0; // offset up to which newlines are counted into `line`
  while (at !== -1) {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++, (counted = i + 1);
    const start = text.lastIndexOf('\n', at) + 1;
    const endOfLine = text.indexOf('\n', at);
    const end = endOfLine === -1 ? text.length : endOfLine;
    const match = ALLOW.exec(text.slice(start, end));
    if (match && !out.has(line)) out.set(line, match[1]!.split(/[\s,]+/).filter(Boolean));
    at = endOfLine === -1 ? -1 : text.indexOf('ksec:allow', end);
  }
  return out;
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
    hint: 'write one with: ksec scan . -o json > .ksec-baseline.json (or list one fingerprint per line)',
  });
}

/** The baseline file's text for a set of findings. */
export function renderBaseline(fingerprints: Iterable<string>): string {
  return `${JSON.stringify({ version: 1, fingerprints: [...new Set(fingerprints)].sort() }, null, 2)}\n`;
}
