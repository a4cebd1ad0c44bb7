/** `{"findings":[...], "errors":[...], "summary":{...}}`: fingerprints, positions and messages, never values. */
import { provenanceOf, type ScanResult } from '../types.js';
import { countBySeverity, countErrors } from './text.js';

export function renderJson(result: ScanResult): string {
  return `${JSON.stringify(
    {
      findings: result.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        file: f.file,
        line: f.line,
        column: f.column,
        message: f.message,
        fingerprint: f.fingerprint,
        ...(f.object ? { object: f.object } : {}),
        ...(f.key ? { key: f.key } : {}),
        ...provenanceOf(f),
      })),
      errors: result.errors,
      summary: {
        files: result.files,
        bytes: result.bytes,
        findings: result.findings.length,
        bySeverity: countBySeverity(result),
        suppressed: result.suppressed,
        ...(result.gitIgnored ? { gitIgnored: result.gitIgnored } : {}),
        ...(result.maxFileSize !== undefined ? { notScanned: { maxFileSize: result.maxFileSize, files: result.oversize ?? 0 } } : {}),
        ...countErrors(result),
      },
    },
    null,
    2,
  )}\n`;
}
