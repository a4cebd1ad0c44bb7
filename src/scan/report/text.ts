/**
 * `file:line:col: severity rule: message`, one finding a line; never a value.
 * Findings of Git sources end with the commit that introduced the blob.
 */
import type { Provenance, ScanResult } from '../types.js';

export function renderText(result: ScanResult): string {
  const lines = result.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}${origin(f)}`);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** ` [commit 1a2b3c4d5e6f, 2024-05-01, Alice <alice@example.com>]`, or the blob when no commit is known. */
export function origin(f: Provenance): string {
  if (f.commit) {
    const who = f.author ? `, ${f.author}${f.email ? ` <${f.email}>` : ''}` : '';
    return ` [commit ${f.commit.slice(0, 12)}${f.date ? `, ${f.date.slice(0, 10)}` : ''}${who}]`;
  }
  return f.blob ? ` [blob ${f.blob.slice(0, 12)}]` : '';
}

export function renderSummary(result: ScanResult): string {
  const counts = countBySeverity(result);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const findings = result.findings.length === 0 ? 'no findings' : `${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} (${parts.join(', ')})`;
  const { errors, warnings } = countErrors(result);
  const extra = [
    result.suppressed > 0 ? `${result.suppressed} allowed` : '',
    result.gitIgnored ? `${result.gitIgnored} git-ignored untracked path${result.gitIgnored === 1 ? '' : 's'} skipped` : '',
    result.maxFileSize !== undefined ? `${result.oversize ?? 0} file${result.oversize === 1 ? '' : 's'} over --max-file-size ${result.maxFileSize} bytes left out` : '',
    errors > 0 ? `${errors} file error${errors === 1 ? '' : 's'}` : '',
    warnings > 0 ? `${warnings} malformed file${warnings === 1 ? '' : 's'} with nothing to check` : '',
  ].filter(Boolean);
  return `ksec scan: ${findings} in ${result.files} file${result.files === 1 ? '' : 's'}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

export function countBySeverity(result: ScanResult): Record<'critical' | 'high' | 'medium' | 'low', number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of result.findings) counts[f.severity]++;
  return counts;
}

export function countErrors(result: ScanResult): { errors: number; warnings: number } {
  const errors = result.errors.filter((e) => e.level === 'error').length;
  return { errors, warnings: result.errors.length - errors };
}
