/** The `ksec scan` command behind its flags: pick a source, scan, report, decide the exit code. */
import { setFlagsFromString } from 'node:v8';
import { ExitCode, KsecError } from '../errors.js';
import { writeStdout } from '../terminal/output.js';
import { note, progress } from '../terminal/messages.js';
import { style } from '../terminal/style.js';
import { loadBaseline, renderBaseline } from '../scan/baseline.js';
import { gitRoot } from '../scan/git.js';
import { loadKsecignore } from '../scan/ignore-rules.js';
import { renderSummary, renderText } from '../scan/report/text.js';
import { ALL_RULES, ruleEnabled, selectRules } from '../scan/rules/index.js';
import type { SealedOptions } from '../scan/rules/types.js';
import { failsAt, hasErrors, scan } from '../scan/scan.js';
import { historySource } from '../scan/sources/history.js';
import { pathSource } from '../scan/sources/paths.js';
import { rangeSource } from '../scan/sources/range.js';
import type { Source } from '../scan/sources/source.js';
import { stagedSource } from '../scan/sources/staged.js';
import type { Severity } from '../scan/types.js';

export interface ScanCommandOptions {
  staged?: boolean;
  since?: string;
  history?: boolean;
  format: string;
  output?: string;
  failOn: string;
  rules?: string;
  baseline?: string;
  writeBaseline?: string;
  cert?: string;
  key?: string[];
  maxFileSize: string;
  /** false with --no-syntax-check */
  syntaxCheck?: boolean;
  listRules?: boolean;
  version: string;
}

export async function runScan(paths: string[], options: ScanCommandOptions): Promise<number> {
  const selection = selectRules(options.rules);
  const rules = ALL_RULES.filter((r) => ruleEnabled(selection, r));
  if (options.listRules) {
    await writeStdout(rules.map((r) => `${r.id} (${r.severity}, ${r.family}): ${r.description}`).join('\n') + '\n');
    return ExitCode.ok;
  }
  const modes = [options.staged, options.since !== undefined, options.history, paths.length > 0].filter(Boolean).length;
  if (modes > 1) {
    throw new KsecError('choose one source: paths, --staged, --since REV or --history', { hint: 'run ksec scan once per source' });
  }
  const maxFileSize = Number(options.maxFileSize);
  if (!Number.isSafeInteger(maxFileSize) || maxFileSize <= 0) {
    throw new KsecError(`--max-file-size: "${options.maxFileSize}" is not a positive number of bytes`, { hint: 'e.g. --max-file-size 10485760' });
  }

  const cwd = process.cwd();
  // --staged reads .ksecignore from the index itself (one git process less in the hook)
  const ignore = options.staged
    ? undefined
    : await loadKsecignore(options.since !== undefined || options.history ? ((await gitRoot(cwd)) ?? cwd) : cwd);
  const sourceOptions = { cwd, maxFileSize, ignore };
  const baseline = options.baseline ? await loadBaseline(options.baseline) : undefined;
  const sealed = await sealedOptions(options);

  let source: Source;
  if (options.staged) source = await stagedSource(sourceOptions);
  else if (options.since !== undefined) source = await rangeSource(options.since, sourceOptions);
  else if (options.history) source = await historySource(sourceOptions);
  else source = await pathSource(paths.length > 0 ? paths : ['.'], sourceOptions);

  const bar = progress(options.history ? 'scanning history: blob' : 'scanning: file', source.total);
  let shown = 0;
  const onProgress = (done: number) => {
    bar.tick(done - shown);
    shown = done;
  };
  compileScanWorkersOnTheirOwnThread();
  let result;
  try {
    result = await scan(source, { rules: selection, baseline, sealed, syntaxCheck: options.syntaxCheck !== false, onProgress });
  } finally {
    bar.done();
  }

  if (options.writeBaseline) {
    const { writeFileAtomic } = await import('../manifest/write.js');
    await writeFileAtomic(options.writeBaseline, renderBaseline(result.findings.map((f) => f.fingerprint)));
    note(`ksec scan: wrote ${result.findings.length} fingerprint${result.findings.length === 1 ? '' : 's'} to ${options.writeBaseline}`);
    return ExitCode.ok;
  }

  const report =
    options.format === 'json'
      ? (await import('../scan/report/json.js')).renderJson(result)
      : options.format === 'sarif'
        ? (await import('../scan/report/sarif.js')).renderSarif(result, rules, options.version)
        : options.format === 'junit'
          ? (await import('../scan/report/junit.js')).renderJunit(result, rules)
          : renderText(result);
  if (options.output) await (await import('../manifest/write.js')).writeFileAtomic(options.output, report);
  else await writeStdout(report);

  for (const error of result.errors) {
    const label = error.level === 'error' ? style.red('error') : style.yellow('warning');
    note(`${label}: ${error.file}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
  }
  note(renderSummary(result));
  if (hasErrors(result)) return ExitCode.input;
  return failsAt(result, options.failOn as Severity) ? ExitCode.findings : ExitCode.ok;
}

async function sealedOptions(options: ScanCommandOptions): Promise<SealedOptions> {
  const sealed: { certificate?: SealedOptions['certificate']; privateKeys?: SealedOptions['privateKeys'] } = {};
  if (options.cert) {
    const { loadCertificate } = await import('../seal/cert.js');
    sealed.certificate = await loadCertificate(options.cert, { allowExpired: true });
  }
  if (options.key && options.key.length > 0) {
    const { loadPrivateKeys } = await import('../seal/keys.js');
    sealed.privateKeys = (await loadPrivateKeys(options.key)).map((k) => k.key);
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
