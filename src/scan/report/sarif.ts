/**
 * SARIF 2.1.0 for GitHub code scanning: every rule with its metadata and a
 * `security-severity` (GitHub ranks alerts by it), results with a relative
 * URI, a region and a `partialFingerprints` entry that does not move with
 * line numbers (so an alert survives unrelated edits). No value appears.
 */
import { provenanceOf, type Finding, type RuleInfo, type ScanResult, type Severity } from '../types.js';

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' };
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };

export function renderSarif(result: ScanResult, rules: readonly RuleInfo[], version: string): string {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ksec',
            semanticVersion: version,
            rules: rules.map((rule) => ({
              id: rule.id,
              name: pascal(rule.id),
              shortDescription: { text: rule.name },
              fullDescription: { text: rule.description },
              help: { text: rule.description, markdown: `**${rule.name}** (\`${rule.id}\`)\n\n${rule.description}\n\nEvery rule has a bad and a good example in ksec's docs/scan.md.` },
              defaultConfiguration: { level: LEVEL[rule.severity] },
              properties: {
                tags: ['security', rule.family === 'antipatterns' ? 'reliability' : 'secret'],
                precision: 'high',
                'security-severity': SECURITY_SEVERITY[rule.severity],
              },
            })),
          },
        },
        automationDetails: { id: 'ksec-scan/' },
        columnKind: 'unicodeCodePoints',
        results: result.findings.map((f) => sarifResult(f, index.get(f.rule))),
        invocations: [
          {
            executionSuccessful: !result.errors.some((e) => e.level === 'error'),
            toolExecutionNotifications: result.errors.map((e) => ({
              level: e.level,
              message: { text: e.hint ? `${e.message} (${e.hint})` : e.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: uri(e.file), uriBaseId: '%SRCROOT%' },
                    ...(e.line ? { region: { startLine: e.line, ...(e.column ? { startColumn: e.column } : {}) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifResult(f: Finding, ruleIndex: number | undefined) {
  return {
    ruleId: f.rule,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: f.line, startColumn: f.column },
        },
        ...(f.object ? { logicalLocations: [{ name: f.object, kind: 'object' }] } : {}),
      },
    ],
    partialFingerprints: { 'ksecFingerprint/v1': f.fingerprint },
    // the commit goes in properties: partialFingerprints stay the same whichever commit a blob is found in
    ...(f.blob || f.commit ? { properties: provenanceOf(f) } : {}),
  };
}

/** A relative URI with forward slashes, each segment percent-encoded. */
function uri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^\.\//, '')
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
