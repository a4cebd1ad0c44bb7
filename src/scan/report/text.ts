/** `file:line:col: severity rule: message`, one finding a line; never a value. */
import type { ScanResult } from '../types.js';

export function renderText(result: ScanResult): string {
  const lines = result.findings.map((f) => {
    const where = f.blob ? `${f.file}@${f.blob.slice(0, 12)}` : f.file;
    return `${where}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}`;
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

export function renderSummary(result: ScanResult): string {
  const counts = countBySeverity(result);
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const findings = result.findings.length === 0 ? 'no findings' : `${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} (${parts.join(', ')})`;
  const extra = [
    result.suppressed > 0 ? `${result.suppressed} allowed` : '',
    result.errors.length > 0 ? `${result.errors.length} file error${result.errors.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `ksec scan: ${findings} in ${result.files} file${result.files === 1 ? '' : 's'}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

export function countBySeverity(result: ScanResult): Record<'critical' | 'high' | 'medium' | 'low', number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of result.findings) counts[f.severity]++;
  return counts;
}
