/** The CI guard's data model: rules, findings and scan results. */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** `scan`: the scan's own verdicts (a file it could not read), on whatever rules are chosen */
export type RuleFamily = 'scan' | 'k8s-secret' | 'kustomize' | 'sops' | 'sealed-secret' | 'eso' | 'container-env' | 'credentials' | 'antipatterns';

export interface RuleInfo {
  id: string;
  family: RuleFamily;
  severity: Severity;
  /** short title */
  name: string;
  /** one line: what is wrong and how to fix it */
  description: string;
}

/**
 * One finding. `message` names keys and objects, never a value; the
 * fingerprint is a hash of rule, file and location (no value goes into it).
 */
export interface Finding extends Provenance {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  message: string;
  /** `Kind/namespace/name` when the finding is inside an object */
  object?: string;
  /** path of the offending key inside the object, e.g. `data.password` */
  key?: string;
  fingerprint: string;
}

/** The commit that first brought a blob into the history (like gitleaks' Commit, Author, Email, Date). */
export interface CommitInfo {
  commit: string;
  author: string;
  email: string;
  /** author date, ISO 8601 */
  date: string;
}

/** Where a file of a Git source came from: its blob, and the commit that introduced it (--since, --history). */
export interface Provenance extends Partial<CommitInfo> {
  blob?: string;
}

const PROVENANCE = ['blob', 'commit', 'author', 'email', 'date'] as const;

/** The provenance fields that are set, and nothing else (for findings and worker messages). */
export function provenanceOf(from: Provenance): Provenance {
  const out: Provenance = {};
  for (const key of PROVENANCE) if (from[key]) out[key] = from[key];
  return out;
}

/**
 * A file that could not be read or parsed; the scan goes on. `error`: the
 * rules that needed its structure could not run (exit 2); `warning`: a
 * malformed manifest that no structural rule needed (every text rule ran on
 * it), reported without changing the exit code.
 */
export interface ScanError {
  file: string;
  message: string;
  hint?: string;
  level: 'error' | 'warning';
  line?: number;
  column?: number;
}

export interface ScanResult {
  findings: Finding[];
  errors: ScanError[];
  /** files scanned (blobs, for git sources) */
  files: number;
  bytes: number;
  /** findings dropped by allow comments, .ksecignore or the baseline */
  suppressed: number;
  /** files over the user's `--max-file-size`, left out on purpose (unset: none) */
  oversize?: number;
  /** the user's `--max-file-size`, when they chose one */
  maxFileSize?: number;
  /** untracked paths a path scan left out because .gitignore ignores them (an ignored directory counts once) */
  gitIgnored?: number;
}
