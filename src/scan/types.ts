/** The CI guard's data model: rules, findings and scan results. */

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export type RuleFamily = 'k8s-secret' | 'kustomize' | 'sops' | 'sealed-secret' | 'eso' | 'credentials' | 'antipatterns';

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
export interface Finding {
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
  /** for history/range scans: the blob (and, when known, the commit) the finding is in */
  blob?: string;
  commit?: string;
}

/** A file that could not be read or parsed; the scan goes on. */
export interface ScanError {
  file: string;
  message: string;
  hint?: string;
  line?: number;
}

export interface ScanResult {
  findings: Finding[];
  errors: ScanError[];
  /** files scanned (blobs, for git sources) */
  files: number;
  bytes: number;
  /** findings dropped by allow comments, .ksecignore or the baseline */
  suppressed: number;
}
