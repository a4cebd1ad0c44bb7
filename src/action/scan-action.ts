/**
 * The GitHub Action (action.yml at the repository root): `ksec scan` with the
 * Action's inputs, its outputs and the CLI's exit code. A front end like
 * cli/: inputs -> the scan command's options -> commands/scan.ts.
 *
 * Inputs (all optional; action.yml documents them):
 *   paths              files/directories, whitespace- or newline-separated (default: the workspace);
 *                      ignored when `since` is set
 *   since              a Git revision: scan the blobs the commits REV..HEAD added or changed
 *   format             text | json | sarif | junit, the report printed to the log (default text)
 *   fail-on            low | medium | high | critical (default low)
 *   sarif-file         also write a SARIF 2.1.0 report to this path (for github/codeql-action/upload-sarif)
 *   rules, baseline    as the CLI's --rules and --baseline
 *   working-directory  where to run (default: the workspace)
 * Outputs: `findings` (the number of findings reported, baseline applied) and `sarif-file` (the
 * path written, or empty). Exit code: 0 clean, 1 findings at or above fail-on, 2 bad input or
 * a file that could not be read (the CLI's codes).
 */
import * as core from '@actions/core';
import { scanCommand } from '../commands/scan.js';
import { ExitCode, exitCodeOf, formatError } from '../errors.js';
import { VERSION } from '../version.js';

export async function run(): Promise<void> {
  try {
    const cwd = core.getInput('working-directory');
    if (cwd) process.chdir(cwd);
    const since = core.getInput('since') || undefined;
    const paths = since ? [] : core.getInput('paths').split(/\s+/).filter(Boolean);
    const sarifFile = core.getInput('sarif-file') || undefined;
    const outcome = await scanCommand(paths, {
      ...(since ? { since } : {}),
      format: core.getInput('format') || 'text',
      failOn: core.getInput('fail-on') || 'low',
      ...(sarifFile ? { sarifFile } : {}),
      ...(core.getInput('rules') ? { rules: core.getInput('rules') } : {}),
      ...(core.getInput('baseline') ? { baseline: core.getInput('baseline') } : {}),
      version: VERSION,
    });
    core.setOutput('findings', String(outcome.findings));
    core.setOutput('sarif-file', sarifFile ?? '');
    if (outcome.exitCode === ExitCode.findings) core.setFailed(`ksec scan: ${outcome.findings} finding(s) at or above fail-on`);
    else if (outcome.exitCode !== ExitCode.ok) core.setFailed('ksec scan: a file could not be read or parsed (see the log)');
    process.exitCode = outcome.exitCode;
  } catch (err) {
    core.setFailed(formatError(err));
    process.exitCode = exitCodeOf(err);
  }
}
