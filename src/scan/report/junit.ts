/** JUnit XML: one test suite per rule, one failing test case per finding, one errored case per unreadable or malformed file. */
import type { RuleInfo, ScanResult } from '../types.js';
import { origin } from './text.js';

export function renderJunit(result: ScanResult, rules: readonly RuleInfo[]): string {
  const byRule = new Map<string, ScanResult['findings']>();
  for (const f of result.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const suites: string[] = [];
  let tests = 0;
  for (const rule of rules) {
    const findings = byRule.get(rule.id) ?? [];
    const cases = findings.map(
      (f) =>
        `    <testcase classname="ksec.${xml(rule.id)}" name="${xml(`${f.file}:${f.line}:${f.column}${f.commit ? `@${f.commit.slice(0, 12)}` : ''}`)}" file="${xml(f.file)}">\n` +
        `      <failure type="${xml(f.severity)}" message="${xml(f.message)}">${xml(`${f.file}:${f.line}:${f.column}: ${rule.description}${origin(f)}`)}</failure>\n` +
        '    </testcase>',
    );
    if (cases.length === 0) cases.push(`    <testcase classname="ksec.${xml(rule.id)}" name="${xml(rule.name)}"/>`);
    tests += cases.length;
    suites.push(
      `  <testsuite name="${xml(rule.id)}" tests="${cases.length}" failures="${findings.length}" errors="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  if (result.errors.length > 0) {
    // warnings (malformed files with nothing to check) are errored cases too, typed so: JUnit has no warning
    const cases = result.errors.map(
      (e) =>
        `    <testcase classname="ksec.errors" name="${xml(`${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}`)}" file="${xml(e.file)}">\n      <error type="${e.level}" message="${xml(e.message)}">${xml(e.hint ?? '')}</error>\n    </testcase>`,
    );
    tests += cases.length;
    suites.push(`  <testsuite name="ksec.errors" tests="${cases.length}" failures="0" errors="${cases.length}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ksec scan" tests="${tests}" failures="${result.findings.length}" errors="${result.errors.length}">\n${suites.join('\n')}\n</testsuites>\n`;
}

function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
