/**
 * The scan pipeline: sources -> rules -> findings. Every file of the source
 * goes through scanSourceFile (scan-file.ts), on this thread or, for big
 * scans, on worker threads (parallel.ts); rules that look across files
 * (anti-patterns) then run over the objects kept from every file. Findings
 * and errors come back sorted by file and position.
 */
import { availableParallelism } from 'node:os';
import { objectRef } from '../manifest/objects.js';
import type { Position } from '../manifest/lines.js';
import { GLOBAL_RULES, selectRules, type RuleSelection } from './rules/index.js';
import type { KeyPath, ScannedObject } from './rules/types.js';
import { makeEmit, scanSourceFile, type FileScanOptions, type FileState } from './scan-file.js';
import type { Source, SourceFile } from './sources/source.js';
import { severityRank, type Finding, type ScanResult } from './types.js';

export interface ScanOptions extends FileScanOptions {
  rules?: RuleSelection;
  /** called after each file with the number done so far and the source's total when known */
  onProgress?: (done: number, total?: number) => void;
  /** worker threads; default: one per core for scans of 2,000 files or more (KSEC_SCAN_WORKERS overrides) */
  workers?: number;
}

interface Retained extends ScannedObject {
  file: FileState;
  locate(path: KeyPath): Position;
}

export async function scan(source: Source, options: ScanOptions = {}): Promise<ScanResult> {
  const selection = options.rules ?? selectRules(undefined);
  const result: ScanResult = {
    findings: [],
    errors: [],
    files: 0,
    bytes: 0,
    suppressed: 0,
    ...(options.maxFileSize !== undefined ? { maxFileSize: options.maxFileSize } : {}),
    ...(source.gitIgnored ? { gitIgnored: source.gitIgnored } : {}),
  };
  const retained: Retained[] = [];
  const wantGlobal = GLOBAL_RULES.some((g) => selection.families.has(g.family));
  const emit = makeEmit(selection, options, result);
  let done = 0;
  const onFile = () => options.onProgress?.(++done, source.total);

  const workers = wantGlobal ? 0 : (options.workers ?? defaultWorkers(source.total));
  if (workers > 1) {
    const { scanInWorkers } = await import('./parallel.js');
    await scanInWorkers(source, selection, options, result, workers, onFile, (file) => scanSourceFile(file, selection, options, result));
  } else {
    for await (const file of source.files) {
      onFile();
      await scanSourceFile(file, selection, options, result, wantGlobal ? (located, state) => retained.push({ ...located, id: retained.length, file: state }) : undefined);
    }
  }

  for (const family of GLOBAL_RULES) {
    if (!selection.families.has(family.family)) continue;
    for (const { target, hit } of family.check(retained)) {
      const t = target as Retained;
      emit(t.file, hit.rule, t.locate(hit.path), hit.message, `${objectRef(t.object)}#${hit.path.join('.')}`, {
        object: objectRef(t.object),
        key: hit.path.join('.'),
      });
    }
  }
  result.findings.sort(
    (a, b) => cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.rule, b.rule) || cmp(a.date ?? '', b.date ?? ''),
  );
  result.errors.sort((a, b) => cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0));
  return result;
}

/** Worker threads: KSEC_SCAN_WORKERS when set; else none below 2,000 files (or an unknown count), one per core (at most 8) from there. */
function defaultWorkers(total: number | undefined): number {
  const env = process.env.KSEC_SCAN_WORKERS;
  if (env !== undefined && env !== '') return Math.max(0, Number(env) || 0);
  if (total === undefined || total < 2000) return 0;
  return Math.min(availableParallelism(), 8);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Errors that make the exit code 2 (warnings do not). */
export function hasErrors(result: ScanResult): boolean {
  return result.errors.some((e) => e.level === 'error');
}

/** Whether a result should fail the build at a severity threshold. */
export function failsAt(result: ScanResult, failOn: Finding['severity']): boolean {
  return result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
}

/** Scans one in-memory text (library use, tests). */
export async function scanText(path: string, text: string, options: ScanOptions = {}): Promise<ScanResult> {
  const file: SourceFile = { path, content: Buffer.from(text), readRelative: async () => undefined };
  return scan({ total: 1, files: (async function* () { yield file; })() }, options);
}
