/** The workload stamp: one hash over the hashes of everything a workload references. */
import { createHash } from 'node:crypto';
import { compareCodePoints } from '../go/strings.js';

export interface HashEntry {
  /** the kind the workload references: ConfigMap or Secret */
  kind: string;
  name: string;
  hash: string;
}

/**
 * The workload stamp: sha256 hex over the lines `kind/name=hash\n`, sorted
 * in code-point order and deduplicated. An empty list has a stamp too (the
 * hash of nothing), so "references nothing" is a stable state.
 */
export function combinedHash(entries: readonly HashEntry[]): string {
  const lines = [...new Set(entries.map((e) => `${e.kind}/${e.name}=${e.hash}\n`))].sort(compareCodePoints);
  return createHash('sha256').update(lines.join(''), 'utf8').digest('hex');
}
