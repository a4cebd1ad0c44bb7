/** The `ksec scan` command: flags -> a ScanPlan -> a source, the scan, the report, the exit code. */
import { setFlagsFromString } from 'node:v8';
import { ExitCode, KsecError } from '../errors.js';
import { writeStdout } from '../terminal/output.js';
import { note, progress } from '../terminal/messages.js';
import { style } from '../terminal/style.js';
import { loadBaseline, renderBaseline } from '../scan/baseline.js';
import { gitRoot } from '../scan/git.js';
import { loadKsecignore, type IgnoreRules } from '../scan/ignore-rules.js';
import { loadSopsCreationRules } from '../scan/sops-config.js';
import { renderSummary, renderText } from '../scan/report/text.js';
import { ALL_RULES, ruleEnabled, selectRules, type RuleSelection } from '../scan/rules/index.js';
import type { SealedOptions } from '../scan/rules/types.js';
import { failsAt, hasErrors, scan } from '../scan/scan.js';
import { historySource } from '../scan/sources/history.js';
import { pathSource } from '../scan/sources/paths.js';
import { rangeSource } from '../scan/sources/range.js';
import type { Source, SourceOptions } from '../scan/sources/source.js';
import { stagedSource } from '../scan/sources/staged.js';
import type { RuleInfo, Severity } from '../scan/types.js';

/** The flags as commander gives them (plus the program's version, for SARIF). */
export interface ScanCommandOptions {
  staged?: boolean;
  since?: string;
  history?: boolean;
  format: string;
  write?: string;
  /** also write a SARIF report to this file (the report in --format still goes to -w or stdout) */
  sarifFile?: string;
  failOn: string;
  rules?: string;
  baseline?: string;
  writeBaseline?: string;
  cert?: string;
  key?: string[];
  maxFileSize?: string;
  /** --syntax-check / --no-syntax-check; neither: on for --staged and --since only */
  syntaxCheck?: boolean;
  listRules?: boolean;
  version: string;
}

/** Where the files come from: exactly one of the four sources. */
export type SourceChoice = { kind: 'paths'; paths: string[] } | { kind: 'staged' } | { kind: 'range'; since: string } | { kind: 'history' };

/** What one `ksec scan` run does, validated. */
export interface ScanPlan {
  selection: RuleSelection;
  /** the rules the selection enables (--list-rules, SARIF, JUnit) */
  rules: RuleInfo[];
  source: SourceChoice;
  /** the user's --max-file-size: bigger files are left out on purpose (undefined: every file is read, up to what ksec can) */
  maxFileSize?: number;
  syntaxCheck: boolean;
  /** fingerprints file to accept findings from */
  baseline?: string;
  /** write the findings' fingerprints here instead of a report */
  writeBaseline?: string;
  format: 'text' | 'json' | 'sarif' | 'junit';
  /** report file; stdout when undefined */
  output?: string;
  /** a SARIF copy of the report, for code scanning, whatever the format */
  sarifFile?: string;
  failOn: Severity;
  cert?: string;
  keys: string[];
  version: string;
}

const REPORT_FORMATS: readonly ScanPlan['format'][] = ['text', 'json', 'sarif', 'junit'];
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** The flags as one plan; a KsecError (exit 2) for flags that contradict each other or are out of range. */
export function planScan(paths: string[], options: ScanCommandOptions): ScanPlan {
  const selection = selectRules(options.rules);
  const rules = ALL_RULES.filter((r) => ruleEnabled(selection, r));
  const modes = [options.staged, options.since !== undefined, options.history, paths.length > 0].filter(Boolean).length;
  if (modes > 1 && !options.listRules) {
    throw new KsecError('choose one source: paths, --staged, --since REV or --history', { hint: 'run ksec scan once per source' });
  }
  if (!REPORT_FORMATS.includes(options.format as ScanPlan['format'])) {
    throw new KsecError(`unknown report format "${options.format}"`, { hint: `use one of ${REPORT_FORMATS.join(', ')}` });
  }
  if (!SEVERITIES.includes(options.failOn as Severity)) {
    throw new KsecError(`unknown severity "${options.failOn}" for fail-on`, { hint: `use one of ${SEVERITIES.join(', ')}` });
  }
  const maxFileSize = options.maxFileSize === undefined ? undefined : Number(options.maxFileSize);
  if (maxFileSize !== undefined && (!Number.isSafeInteger(maxFileSize) || maxFileSize <= 0) && !options.listRules) {
    throw new KsecError(`--max-file-size: "${options.maxFileSize}" is not a positive number of bytes`, { hint: 'e.g. --max-file-size 10485760' });
  }
  const source: SourceChoice = options.staged
    ? { kind: 'staged' }
    : options.since !== undefined
      ? { kind: 'range', since: options.since }
      : options.history
        ? { kind: 'history' }
        : { kind: 'paths', paths: paths.length > 0 ? paths : ['.'] };
  return {
    selection,
    rules,
    source,
    maxFileSize,
    // the files being changed (a commit, a pull request) are where a malformed manifest is news; a
    // whole tree or its history is checked on request (gitleaks and secretlint never lint YAML)
    syntaxCheck: options.syntaxCheck ?? (source.kind === 'staged' || source.kind === 'range'),
    baseline: options.baseline,
    writeBaseline: options.writeBaseline,
    format: options.format as ScanPlan['format'],
    output: options.write,
    sarifFile: options.sarifFile,
    failOn: options.failOn as Severity,
    cert: options.cert,
    keys: options.key ?? [],
    version: options.version,
  };
}

export async function runScan(paths: string[], options: ScanCommandOptions): Promise<number> {
  return (await scanCommand(paths, options)).exitCode;
}

/** What a `ksec scan` run ended with: its exit code and the number of findings it reported. */
export interface ScanOutcome {
  exitCode: number;
  findings: number;
}

/** `ksec scan` (the CLI and the GitHub Action): scan, write the report(s) and the summary. */
export async function scanCommand(paths: string[], options: ScanCommandOptions): Promise<ScanOutcome> {
  const plan = planScan(paths, options);
  if (options.listRules) {
    await writeStdout(plan.rules.map((r) => `${r.id} (${r.severity}, ${r.family}): ${r.description}`).join('\n') + '\n');
    return { exitCode: ExitCode.ok, findings: 0 };
  }
  const cwd = process.cwd();
  const ignore = await ksecignoreOf(plan.source, cwd);
  const baseline = plan.baseline ? await loadBaseline(plan.baseline) : undefined;
  const sealed = await sealedOptions(plan.cert, plan.keys);
  const source = await openSource(plan.source, { cwd, maxFileSize: plan.maxFileSize, ignore });
  // paths are relative to the current directory; Git sources' to the repository root
  const sopsCreationRules = await loadSopsCreationRules(plan.source.kind === 'paths' ? cwd : ((await gitRoot(cwd)) ?? cwd));

  const bar = progress(plan.source.kind === 'history' ? 'scanning history: blob' : 'scanning: file', source.total);
  let shown = 0;
  const onProgress = (done: number) => {
    bar.tick(done - shown);
    shown = done;
  };
  compileScanWorkersOnTheirOwnThread();
  let result;
  try {
    result = await scan(source, { rules: plan.selection, baseline, sealed, syntaxCheck: plan.syntaxCheck, onProgress, ...(sopsCreationRules ? { sopsCreationRules } : {}), ...(plan.maxFileSize !== undefined ? { maxFileSize: plan.maxFileSize } : {}) });
  } finally {
    bar.done();
  }

  if (plan.writeBaseline) {
    const { writeFileAtomic } = await import('../manifest/write.js');
    await writeFileAtomic(plan.writeBaseline, renderBaseline(result.findings.map((f) => f.fingerprint)));
    note(`ksec scan: wrote ${result.findings.length} fingerprint${result.findings.length === 1 ? '' : 's'} to ${plan.writeBaseline}`);
    return { exitCode: ExitCode.ok, findings: result.findings.length };
  }

  const report =
    plan.format === 'json'
      ? (await import('../scan/report/json.js')).renderJson(result)
      : plan.format === 'sarif'
        ? (await import('../scan/report/sarif.js')).renderSarif(result, plan.rules, plan.version)
        : plan.format === 'junit'
          ? (await import('../scan/report/junit.js')).renderJunit(result, plan.rules)
          : renderText(result);
  const { writeFileAtomic } = await import('../manifest/write.js');
  if (plan.output) await writeFileAtomic(plan.output, report);
  else await writeStdout(report);
  if (plan.sarifFile) {
    const sarif = plan.format === 'sarif' ? report : (await import('../scan/report/sarif.js')).renderSarif(result, plan.rules, plan.version);
    await writeFileAtomic(plan.sarifFile, sarif);
  }

  for (const error of result.errors) {
    const label = error.level === 'error' ? style.red('error') : style.yellow('warning');
    note(`${label}: ${error.file}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
  }
  note(renderSummary(result));
  const exitCode = hasErrors(result) ? ExitCode.input : failsAt(result, plan.failOn) ? ExitCode.findings : ExitCode.ok;
  return { exitCode, findings: result.findings.length };
}

/**
 * The `.ksecignore` rules of the root of the scan: the current directory for
 * paths, the repository root for --since and --history; none for --staged,
 * which reads the index's own.
 */
async function ksecignoreOf(choice: SourceChoice, cwd: string): Promise<IgnoreRules | undefined> {
  if (choice.kind === 'staged') return undefined;
  return loadKsecignore(choice.kind === 'paths' ? cwd : ((await gitRoot(cwd)) ?? cwd));
}

function openSource(choice: SourceChoice, options: SourceOptions): Promise<Source> {
  switch (choice.kind) {
    case 'staged':
      return stagedSource(options);
    case 'range':
      return rangeSource(choice.since, options);
    case 'history':
      return historySource(options);
    case 'paths':
      return pathSource(choice.paths, options);
  }
}

/** The certificate and private keys SealedSecrets are checked against (--cert, --key). */
async function sealedOptions(cert: string | undefined, keys: string[]): Promise<SealedOptions> {
  const sealed: { certificate?: SealedOptions['certificate']; privateKeys?: SealedOptions['privateKeys'] } = {};
  if (cert) {
    const { loadCertificate } = await import('../seal/cert.js');
    sealed.certificate = await loadCertificate(cert, { allowExpired: true });
  }
  if (keys.length > 0) {
    const { loadPrivateKeys } = await import('../seal/keys.js');
    sealed.privateKeys = (await loadPrivateKeys(keys)).map((k) => k.key);
  }
  return sealed;
}

/**
 * The scan's worker threads (big scans) keep every core busy, where V8's
 * background compiler threads would compete with them. V8 reads this flag
 * when an isolate starts, so it applies to the isolates started after it
 * (the workers), not to this thread's; `--concurrent-recompilation` or its
 * negation among Node's own options is the user's choice and stays.
 */
function compileScanWorkersOnTheirOwnThread(): void {
  if (process.execArgv.some((a) => a.includes('concurrent-recompilation'))) return;
  setFlagsFromString('--no-concurrent-recompilation');
}
