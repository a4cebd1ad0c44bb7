/**
 * Scanning one file. A file with a UTF-16 byte order mark is read as UTF-16;
 * binary files (a NUL in the first 8,000 bytes) are counted, not scanned.
 * The rules' keywords are looked for in the bytes first (keywords.ts): a file
 * with none of them, and no escape or tag that could spell one
 * (spelledIndirectly), can have no finding, and is done unless it is a
 * manifest to syntax-check. Otherwise its text goes
 * through the text rules (credentials) and file rules (SOPS); a manifest that
 * could hold an object a family checks is read into objects (THE manifest
 * reader, or the Helm-template line reader when it does not parse) for the
 * structural rules, any other manifest only syntax-checked. Malformed input
 * becomes an error in the result, never an exception.
 */
import { basename, extname } from 'node:path';
import { isKsecError } from '../errors.js';
import { fieldTypeMessage, fieldTypeProblem } from '../manifest/field-types.js';
import { isRecord, objectRef, type KubeObject } from '../manifest/objects.js';
import { fromUtf16 } from '../manifest/utf16.js';
import { LineIndex, type Position } from '../manifest/lines.js';
import type { ManifestDocument, ManifestFile } from '../manifest/read.js';
import { AllowComments, fingerprint } from './baseline.js';
import { KeywordSet } from './keywords.js';
import { ALL_KEYWORDS, FILE_RULES, GLOBAL_RULES, OBJECT_RULES, TEXT_RULES, ruleEnabled, type RuleSelection } from './rules/index.js';
import { searchIn, spelledIndirectly, type Has, type Hit, type KeyPath, type ObjectContext, type SealedOptions } from './rules/types.js';
import { fileTooLarge } from './rules/limits.js';
import { sopsPlaintextPath } from './rules/sops.js';
import { sopsWouldEncrypt, type SopsCreationRules } from './sops-config.js';
import { MAX_READ_SIZE, type SourceFile } from './sources/source.js';
import { lazy } from './lazy.js';
import { readHelmTemplateLines } from './helm-template-lines.js';
import { provenanceOf, type Finding, type RuleInfo, type ScanError, type ScanResult } from './types.js';

/** What scanning one file needs besides the rules. */
export interface FileScanOptions {
  /** fingerprints to leave out */
  baseline?: Set<string>;
  sealed?: SealedOptions;
  /** parse manifests that no structural rule needs, to report malformed ones (default true) */
  syntaxCheck?: boolean;
  /**
   * the user's `--max-file-size`: a file over it was left out on purpose and
   * is counted (`oversize`); any other file the source could not read whole
   * is a `file-too-large` finding
   */
  maxFileSize?: number;
  /** the repository's `.sops.yaml` creation rules: a file they match must carry sops metadata */
  sopsCreationRules?: SopsCreationRules;
}

const STRUCTURED = new Set(['.yaml', '.yml', '.json']);

/** An object of a file, and where in the file a key path of it is. */
export interface Located {
  object: KubeObject;
  locate(path: KeyPath): Position;
}

/** What the findings of one file share: the file, its allow comments, the fingerprint locations used. */
export interface FileState {
  source: SourceFile;
  allow: AllowComments;
  /** base fingerprint locations already used in this file, to keep fingerprints unique */
  used: Map<string, number>;
}

/**
 * Adds a finding to `into` unless its rule is not selected, an allow comment
 * or the baseline accepts it (then counted as suppressed). A location used
 * again in the same file for the same rule gets `#n` in its fingerprint.
 */
export function makeEmit(selection: RuleSelection, options: FileScanOptions, into: ScanResult): Emit {
  return (state, rule, pos, message, location, extra = {}) => {
    if (!ruleEnabled(selection, rule)) return;
    const seen = state.used.get(`${rule.id}\0${location}`) ?? 0;
    state.used.set(`${rule.id}\0${location}`, seen + 1);
    const fp = fingerprint(rule.id, state.source.path, seen === 0 ? location : `${location}#${seen}`);
    if (state.allow.allows(rule.id, pos.line) || options.baseline?.has(fp)) {
      into.suppressed++;
      return;
    }
    into.findings.push({
      rule: rule.id,
      severity: rule.severity,
      file: state.source.path,
      line: pos.line,
      column: pos.column,
      message,
      fingerprint: fp,
      ...provenanceOf(state.source),
      ...extra,
    });
  };
}

/** Scans one file into `into`; malformed input becomes an error there, never an exception. */
export async function scanSourceFile(
  file: SourceFile,
  selection: RuleSelection,
  options: FileScanOptions,
  into: ScanResult,
  retain?: (located: Located, state: FileState) => void,
): Promise<void> {
  if (file.unreadable) {
    into.errors.push(toScanError(file.unreadable, file.path));
    return;
  }
  if (file.oversize !== undefined) {
    if (options.maxFileSize !== undefined && file.oversize > options.maxFileSize) {
      into.oversize = (into.oversize ?? 0) + 1;
      return;
    }
    const state: FileState = { source: file, allow: new AllowComments(''), used: new Map() };
    const message = `not scanned: ${file.oversize} bytes, more than ksec reads at once (${MAX_READ_SIZE / 1024 / 1024} MiB at most); split the file, or leave it out on purpose (.ksecignore, --max-file-size)`;
    makeEmit(selection, options, into)(state, fileTooLarge, { line: 1, column: 1 }, message, 'file');
    return;
  }
  into.files++;
  into.bytes += file.content.length;
  const mustBeEncrypted = options.sopsCreationRules !== undefined && sopsWouldEncrypt(options.sopsCreationRules, file.path);
  const content = fromUtf16(file.content);
  if (isBinary(content)) {
    // sops writes text (a binary file becomes JSON): binary bytes where .sops.yaml says encrypted are plaintext
    if (mustBeEncrypted) {
      const state: FileState = { source: file, allow: new AllowComments(''), used: new Map() };
      makeEmit(selection, options, into)(state, sopsPlaintextPath, { line: 1, column: 1 }, sopsPlaintextMessage(options.sopsCreationRules!), 'file');
    }
    return;
  }
  const found = (keywords ??= new KeywordSet(ALL_KEYWORDS)).in(content);
  const indirect = isStructured(file.path) && spelledIndirectly(content);
  // cross-file rules (retain) need every object, whatever its keywords
  if (found === 0 && !indirect && !retain && !mustBeEncrypted && settledWithoutKeywords(file, options)) return;
  const text = decode(content);
  const search = searchIn(text);
  const has: Has = (literal) => keywords!.has(found, literal) ?? search(literal);
  const state: FileState = { source: file, allow: new AllowComments(text), used: new Map() };
  try {
    await scanFile(text, has, indirect, state, selection, options, makeEmit(selection, options, into), (located) => retain?.(located, state), into.errors, mustBeEncrypted);
  } catch (err) {
    into.errors.push(toScanError(err, file.path));
  }
}

export type Emit = (state: FileState, rule: RuleInfo, pos: Position, message: string, location: string, extra?: Partial<Finding>) => void;

async function scanFile(
  text: string,
  has: Has,
  /** a structured file that may spell a keyword without its letters: read for every object family */
  indirect: boolean,
  state: FileState,
  selection: RuleSelection,
  options: FileScanOptions,
  emit: Emit,
  retain: (located: Located) => void,
  errors: ScanError[],
  mustBeEncrypted: boolean,
): Promise<void> {
  const path = state.source.path;
  let lines: LineIndex | undefined;
  const lineIndex = () => (lines ??= new LineIndex(text));

  /** lines a credential format was found on: an env literal there is that finding, not a second one */
  const textHitLines = new Set<number>();
  for (const family of TEXT_RULES) {
    if (!selection.families.has(family.family)) continue;
    for (const hit of family.check(text, has)) {
      const pos = lineIndex().position(hit.offset);
      textHitLines.add(pos.line);
      emit(state, hit.rule, pos, hit.message, 'match');
    }
  }

  let sops = false;
  /** keys the sops rules reported: a plaintext Secret value there is one finding, theirs */
  const sopsKeys = new Set<string>();
  for (const family of FILE_RULES) {
    if (!family.mayApply(text, path, has)) continue;
    sops = true;
    if (!selection.families.has(family.family)) continue;
    for (const hit of await family.check(text, path)) {
      if (hit.key) sopsKeys.add(hit.key);
      emit(state, hit.rule, { line: hit.line ?? 1, column: hit.column ?? 1 }, hit.message, hit.key ?? 'file', hit.key ? { key: hit.key } : {});
    }
  }

  if (mustBeEncrypted && !sops && text.trim() !== '') {
    emit(state, sopsPlaintextPath, { line: 1, column: 1 }, sopsPlaintextMessage(options.sopsCreationRules!), 'file');
  }

  if (!isStructured(path)) return;
  const ext = extname(path).toLowerCase();
  // a SOPS file's metadata is the sops rules'; the values a Secret in it delivers are still checked,
  // since its rules (encrypted_regex, ...) can leave some in plaintext: ENC[...] or a finding
  const families = OBJECT_RULES.filter((f) => selection.families.has(f.family) && (indirect || f.mayApply(text, path, has)) && !(sops && f.family === 'kustomize'));
  const global = GLOBAL_RULES.some((g) => selection.families.has(g.family));
  if (families.length === 0 && !global) {
    if (!sops && options.syntaxCheck !== false) await checkSyntax(text, path, ext, errors);
    return;
  }

  const located = await locateObjects(text, path, errors);
  const context: ObjectContext = { file: path, readRelative: state.source.readRelative, sealed: options.sealed ?? {}, sops };
  for (const item of located) {
    if (global) retain(item);
    for (const family of families) {
      let hits: Hit[];
      try {
        hits = await family.check(item.object, context);
      } catch (err) {
        errors.push(toScanError(err, path, objectRef(item.object)));
        continue;
      }
      for (const hit of hits) {
        const ref = objectRef(item.object);
        const key = hit.path.join('.');
        if (sops && family.family === 'k8s-secret' && sopsKeys.has(key)) continue;
        const pos = item.locate(hit.path);
        if (family.family === 'container-env' && textHitLines.has(pos.line)) continue;
        emit(state, hit.rule, pos, hit.message, `${ref}#${key}`, { object: ref, key });
      }
    }
  }
}

let keywords: KeywordSet | undefined;

function sopsPlaintextMessage(rules: SopsCreationRules): string {
  const config = rules.file.replace(/^.*[\\/]/, '');
  return `the path matches a creation rule of ${config}, so sops would encrypt this file, but it is plaintext (no sops metadata); encrypt it with sops -e -i`;
}

/**
 * A file none of the rules' keywords occurs in can have no finding: only the
 * syntax check of a manifest is left. True when nothing is left (the same
 * outcome as scanning it); false: scan it.
 */
function settledWithoutKeywords(file: SourceFile, options: FileScanOptions): boolean {
  return options.syntaxCheck === false || !isStructured(file.path);
}

/** a manifest by its name: what the structural rules and the syntax check read */
function isStructured(path: string): boolean {
  return STRUCTURED.has(extname(path).toLowerCase()) || basename(path) === 'Kustomization';
}

/** A file's text: its bytes as UTF-8, without a byte order mark. */
function decode(content: Buffer): string {
  const text = content.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const manifestReader = lazy(() => import('../manifest/read.js'));
const positions = lazy(() => import('../manifest/position.js'));
const syntaxCheck = lazy(() => import('../manifest/syntax.js'));

/** Helm templates are not YAML until rendered: the Helm-template line reader takes them, without complaint. */
const TEMPLATE = /\{\{.*\}\}/;
/** JSON with comments by design (editor and compiler settings): not manifests, not reported */
const JSONC = /(?:^|\/)(?:(?:ts|js)config[^/]*\.json|\.vscode\/[^/]+\.json|\.?devcontainer(?:\.json|\/[^/]+\.json))$/;

/**
 * A manifest file no structural rule needs: not read into objects, only
 * checked to parse, so a malformed one is reported (as a warning: the text
 * rules have seen all of it). Valid JSON of any shape is fine here.
 */
async function checkSyntax(text: string, path: string, ext: string, errors: ScanError[]): Promise<void> {
  if (ext === '.json') {
    if (JSONC.test(path)) return;
    try {
      JSON.parse(text);
      return;
    } catch {
      // maybe a stream of values: the manifest reader decides
    }
  }
  const { manifestSyntaxError } = await syntaxCheck();
  let error: unknown;
  try {
    error = manifestSyntaxError(text, path);
  } catch (err) {
    error = err;
  }
  if (error !== undefined && !TEMPLATE.test(text)) errors.push({ ...toScanError(error, path), level: 'warning' });
}

/** The objects of a file with a way to place a key path; the Helm-template line reader when the file does not parse. */
async function locateObjects(text: string, path: string, errors: ScanError[]): Promise<Located[]> {
  const { parseManifestText } = await manifestReader();
  let file: ManifestFile;
  try {
    file = parseManifestText(text, path);
  } catch (err) {
    if (!TEMPLATE.test(text)) errors.push(toScanError(err, path));
    if (extname(path).toLowerCase() === '.json') return [];
    return readHelmTemplateLines(text).flatMap((doc) => {
      const locate = (keyPath: KeyPath): Position => {
        for (let n = keyPath.length; n > 0; n--) {
          const pos = doc.positions.get(keyPath.slice(0, n).join('\0'));
          if (pos) return pos;
        }
        return { line: doc.line, column: 1 };
      };
      return objectsIn(doc.value).map(({ object, prefix }) => ({ object, locate: (p: KeyPath) => locate([...prefix, ...p]) }));
    });
  }
  const { positionOf } = await positions();
  const located = file.documents.flatMap((document: ManifestDocument) =>
    objectsIn(document.value).map(({ object, prefix }) => ({
      object,
      locate: (p: KeyPath) => positionOf(file, document, [...prefix, ...p]),
    })),
  );
  for (const { object, locate } of located) fieldTypeError(object, locate, path, errors);
  return located;
}

/**
 * An object the API server would refuse because a field that holds text has
 * a number or boolean (YAML 1.1: unquoted `yes`, `010`; see
 * manifest/field-types.ts) is reported as an error, as a parse error is: the
 * rules go on reading it, but kubectl would not apply it.
 */
function fieldTypeError(object: KubeObject, locate: (p: KeyPath) => Position, path: string, errors: ScanError[]): void {
  if (typeof object.kind !== 'string') return;
  const problem = fieldTypeProblem(object);
  if (!problem) return;
  const { message, hint } = fieldTypeMessage(problem);
  const at = locate(problem.path);
  errors.push({ file: path, message: `${objectRef(object)}: ${message}`, hint, level: 'error', line: at.line, column: at.column });
}

/**
 * Objects of one document: `kind: List` items and top-level arrays
 * flattened; documents without a kind (kustomization.yaml) kept as they are.
 */
function objectsIn(value: unknown): { object: KubeObject; prefix: KeyPath }[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => (isRecord(item) ? [{ object: item as KubeObject, prefix: [i] }] : []));
  }
  if (!isRecord(value)) return [];
  if (typeof value.kind === 'string' && /List$/.test(value.kind) && Array.isArray(value.items)) {
    return value.items.flatMap((item, i) => (isRecord(item) ? [{ object: item as KubeObject, prefix: ['items', i] }] : []));
  }
  return [{ object: value as KubeObject, prefix: [] }];
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

export function toScanError(err: unknown, file: string, object?: string): ScanError {
  if (isKsecError(err)) {
    const where = object && !err.object ? `${object}: ` : err.object ? `${err.object}: ` : '';
    // the manifest reader names the place of a syntax error in its message
    const at = /\bline (\d+)(?:, column (\d+))?/.exec(err.message);
    return {
      file: err.file ?? file,
      message: `${where}${err.message}`,
      ...(err.hint ? { hint: err.hint } : {}),
      level: 'error',
      ...(at ? { line: Number(at[1]), ...(at[2] ? { column: Number(at[2]) } : {}) } : {}),
    };
  }
  // not a KsecError: its message may quote input, so only its type is shown
  return { file, message: `internal error (${(err as Error)?.name ?? typeof err})`, hint: 'run with --debug and report it', level: 'error' };
}
