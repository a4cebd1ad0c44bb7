/**
 * The one way ksec reads Kubernetes manifests: files, directories and stdin;
 * YAML (multi-document), JSON (single or concatenated) and `kind: List`.
 * YAML documents keep their parsed `Document` so edits can keep comments and
 * formatting (see edit.ts). Parse errors never quote the input: a manifest may
 * hold a secret, so messages carry only positions.
 *
 * YAML goes through fast-yaml.ts first, which reads the block subset nearly
 * every manifest is written in, without loading the `yaml` package; the
 * package parses only what the fast path declines, and the `Document` of a
 * fast-path document is parsed on first access to `document.yaml`.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Document } from 'yaml';
import { KsecError, fileError } from '../errors.js';
import { parseFastYaml } from './fast-yaml.js';
import { fieldTypeMessage, fieldTypeProblem } from './field-types.js';
import { isKubeObject, isList, objectRef, type KubeObject } from './objects.js';
import { MAX_ALIAS_COUNT, MAX_NESTING, QUIET_PARSE, isStackOverflow, valueShape, yamlLib, yamlProblem } from './yaml-lib.js';
import { clusterValue, notAllowedCharAt, notAllowedCharProblem, YamlValueProblem } from './yaml11-value.js';
import { readUserFile } from '../user-file.js';
import { fromUtf16 } from './utf16.js';

export type ManifestFormat = 'yaml' | 'json';

/** Standard input, as a path. */
export const STDIN = '-';

export interface ManifestDocument {
  /** position of the document in its file, from 0 */
  index: number;
  /** 1-based line where the document starts */
  line: number;
  /** the document as plain data (null for an empty YAML document) */
  value: unknown;
  /** JSON input: where the value is in the file's text, [start, end) (for in-place edits of one value of a stream) */
  span?: { start: number; end: number };
  /**
   * The parsed YAML document, for in-place edits (YAML input only). It may be
   * parsed on first access: to tell YAML from JSON, test the file's `format`.
   */
  yaml?: Document.Parsed;
}

export interface ManifestFile {
  /** the path as given, or '-' for stdin */
  path: string;
  format: ManifestFormat;
  /** the text without its byte order mark */
  text: string;
  documents: ManifestDocument[];
  /** the file started with a byte order mark (U+FEFF); writers that rewrite it put it back */
  bom?: true;
}

export interface ManifestObject {
  file: ManifestFile;
  document: ManifestDocument;
  /** index within a `kind: List` (or a top-level JSON array), when the object came from one */
  item?: number;
  object: KubeObject;
}

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface ReadOptions {
  /** file endings to pick up when walking a directory */
  extensions?: string[];
  /** read stdin from here instead of process.stdin (tests) */
  stdin?: () => Promise<string>;
  /**
   * Receives the files of a directory walk that are left out because they hold
   * no Kubernetes object (kustomization.yaml, Helm's values.yaml and
   * Chart.yaml, CI workflows; see isKubernetesManifest; also when only YAML
   * 1.2 reads them, isOtherYaml) or are Helm templates that do not parse
   * (isUnrenderedTemplate). A file named explicitly is never left out.
   */
  skipped?: string[];
}

/** Expands directories (recursively, sorted, skipping dot-folders and node_modules) into files. */
export async function expandPaths(inputs: string[], extensions = MANIFEST_EXTENSIONS): Promise<string[]> {
  return (await expandInputs(inputs, extensions)).map((e) => e.path);
}

/** expandPaths, saying which files a directory walk found (`walked`) and which were named. */
export async function expandInputs(inputs: string[], extensions = MANIFEST_EXTENSIONS): Promise<{ path: string; walked: boolean }[]> {
  const out: { path: string; walked: boolean }[] = [];
  for (const input of inputs) {
    if (input === STDIN) {
      out.push({ path: input, walked: false });
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch (err) {
      throw fileError(err, input);
    }
    if (info.isDirectory()) out.push(...(await walk(input, extensions)).map((path) => ({ path, walked: true })));
    else out.push({ path: input, walked: false });
  }
  return out;
}

/**
 * Whether a file is a Kubernetes manifest: some document is an object with a
 * kind (or a list holding one), other than kustomize's own configuration
 * (Kustomization, Component). Helm's values.yaml and Chart.yaml, CI
 * workflows and other YAML are not; a file with no document at all is
 * (there is nothing in it to refuse).
 */
export function isKubernetesManifest(file: ManifestFile): boolean {
  const values = file.documents.map((d) => d.value).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) return true;
  const isObject = (v: unknown) => isKubeObject(v) && !(typeof v.apiVersion === 'string' && v.apiVersion.startsWith('kustomize.config.k8s.io/'));
  return values.some((v) => (Array.isArray(v) ? v.some(isObject) : isList(v) || isObject(v)));
}

/** A directory's entries sorted by name (byte order), so every walk is deterministic. */
export async function readDirSorted(dir: string): Promise<Dirent[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fileError(err, dir);
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function walk(dir: string, extensions: string[]): Promise<string[]> {
  const entries = await readDirSorted(dir);
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      out.push(...(await walk(path, extensions)));
    } else if (entry.isFile() && extensions.includes(extname(entry.name).toLowerCase())) {
      out.push(path);
    }
  }
  return out;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return fromUtf16(Buffer.concat(chunks)).toString('utf8');
}

/** Reads and parses every manifest file named by `inputs` (files, directories, '-'). */
export async function readManifestFiles(inputs: string[], options: ReadOptions = {}): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const { path, walked } of await expandInputs(inputs, options.extensions)) {
    let file: ManifestFile;
    try {
      file = await readManifestFile(path, options);
    } catch (err) {
      if (walked && ((await isUnrenderedTemplate(path, err)) || (await isOtherYaml(path, err)))) {
        options.skipped?.push(path);
        continue;
      }
      throw err;
    }
    if (walked && !isKubernetesManifest(file)) options.skipped?.push(path);
    else files.push(file);
  }
  return files;
}

/**
 * Whether a file that did not parse is a Helm template (`{{ ... }}` in it):
 * not a Kubernetes manifest until rendered, so a directory walk leaves it out
 * like values.yaml. Any other parse error stands.
 */
export async function isUnrenderedTemplate(path: string, err: unknown): Promise<boolean> {
  if (!(err instanceof KsecError) || !/^invalid (YAML|JSON)/.test(err.message)) return false;
  const text = await readManifestText(path).catch(() => '');
  return /\{\{.*\}\}/.test(text);
}

/**
 * Whether a file the cluster's reading refuses (a merge key overriding a
 * key, a YAML 1.2 escape) is YAML that holds no Kubernetes object as YAML
 * 1.2 reads it (Helm's values.yaml, a CI workflow): a directory walk leaves it
 * out as it leaves out such files that parse. Any other error stands.
 */
async function isOtherYaml(path: string, err: unknown): Promise<boolean> {
  if (!(err instanceof KsecError) || !/^invalid YAML/.test(err.message) || extname(path).toLowerCase() === '.json') return false;
  const text = (await readManifestText(path).catch(() => '')).replace(/^\uFEFF/, '');
  try {
    const docs = yamlLib().parseAllDocuments(text, { ...QUIET_PARSE, merge: true });
    const all = Array.isArray(docs) ? docs : [docs];
    if (all.some((d) => d.errors.length > 0)) return false;
    const documents = all.map((d, index) => ({ index, line: 1, value: d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown }));
    return !isKubernetesManifest({ path, format: 'yaml', text, documents });
  } catch {
    return false;
  }
}

export async function readManifestFile(path: string, options: ReadOptions = {}): Promise<ManifestFile> {
  let text: string;
  if (path === STDIN) {
    text = await (options.stdin ?? readStdin)();
  } else {
    text = await readManifestText(path);
  }
  return parseManifestText(text, path);
}

/** A manifest file's text: UTF-8, or UTF-16 with a byte order mark (utf16.ts), as go-yaml reads it. */
async function readManifestText(path: string): Promise<string> {
  return fromUtf16(await readUserFile(path)).toString('utf8');
}

/** JSON when the extension says so or the text starts with `{` / `[`; YAML otherwise. */
export function detectFormat(text: string, path: string): ManifestFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  const first = text.replace(/^\uFEFF/, '').trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'yaml';
}

export function parseManifestText(text: string, path: string, format = detectFormat(text, path)): ManifestFile {
  const clean = text.replace(/^\uFEFF/, '');
  const documents = format === 'json' ? parseJsonStream(clean, path) : parseYamlStream(clean, path);
  return clean.length === text.length ? { path, format, text: clean, documents } : { path, format, text: clean, documents, bom: true };
}

/**
 * A document the fast path read. Its `Document` is parsed (for the whole
 * file, once) only when some caller asks for it. One class for all such
 * documents, so they share one shape (a getter defined per object would give
 * each its own).
 */
class FastDocument implements ManifestDocument {
  #yaml: Document.Parsed | undefined;
  #parsed = false;
  readonly #documentAt: (index: number) => Document.Parsed | undefined;

  constructor(
    public index: number,
    public line: number,
    public value: unknown,
    documentAt: (index: number) => Document.Parsed | undefined,
  ) {
    this.#documentAt = documentAt;
  }

  get yaml(): Document.Parsed | undefined {
    if (!this.#parsed) this.yaml = this.#documentAt(this.index);
    return this.#yaml;
  }

  set yaml(doc: Document.Parsed | undefined) {
    this.#yaml = doc;
    this.#parsed = true;
  }
}

/** Whether `document` was read by fast-yaml.ts (so fastOffsets(file.text) covers it; position.ts reads its offsets from there). */
export function isFastDocument(document: ManifestDocument): boolean {
  return document instanceof FastDocument;
}

function parseYamlStream(text: string, path: string): ManifestDocument[] {
  const fast = parseFastYaml(text);
  if (!fast) return parseWithYaml(text, path);
  let parsed: Document.Parsed[] | undefined;
  const documentAt = (index: number) => (parsed ??= yamlDocuments(text).docs)[index];
  return fast.map(({ value, line }, index) => new FastDocument(index, line, value, documentAt));
}

/** The yaml package's Documents for a stream, with the options the fast path matches. */
function yamlDocuments(text: string, path = '') {
  const { LineCounter, parseAllDocuments } = yamlLib();
  const lineCounter = new LineCounter();
  let parsed;
  try {
    parsed = parseAllDocuments(text, { ...QUIET_PARSE, lineCounter, uniqueKeys: false, merge: true });
  } catch (err) {
    if (isStackOverflow(err)) throw new KsecError(`invalid YAML: nesting too deep (more than ${MAX_NESTING} levels)`, { file: path, hint: 'fix the YAML syntax' });
    throw err;
  }
  return { docs: Array.isArray(parsed) ? parsed : [parsed], lineCounter };
}

function parseWithYaml(text: string, path: string): ManifestDocument[] {
  const bad = notAllowedCharAt(text);
  if (bad !== undefined) {
    const problem = notAllowedCharProblem(text, bad);
    const line = lineAt(text, bad);
    const col = bad - text.lastIndexOf('\n', bad - 1);
    throw new KsecError(`invalid YAML at line ${line}, column ${col}: ${problem.message}`, { file: path, hint: problem.hint });
  }
  const { docs, lineCounter } = yamlDocuments(text, path);
  return docs.map((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const pos = lineCounter.linePos(error.pos[0]);
      const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
      throw new KsecError(`invalid YAML${where}: ${yamlProblem(error)}`, {
        file: path,
        hint: 'fix the YAML syntax',
      });
    }
    let value: unknown;
    try {
      value = clusterValue(doc, text);
    } catch (err) {
      if (isStackOverflow(err)) throw tooDeep(path, `document ${index + 1}`);
      if (!(err instanceof YamlValueProblem)) throw err;
      const pos = lineCounter.linePos(err.offset);
      throw new KsecError(`invalid YAML at line ${pos.line}, column ${pos.col}: ${err.message}`, { file: path, hint: err.hint });
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const shape = valueShape(value);
    if (shape === 'deep') throw tooDeep(path, `document ${index + 1} (line ${lineCounter.linePos(start).line})`);
    if (shape === 'cycle') {
      throw new KsecError(`invalid YAML in document ${index + 1} (line ${lineCounter.linePos(start).line}): an alias refers to a node that contains it`, {
        file: path,
        hint: 'fix the YAML (aliases)',
      });
    }
    return { index, line: lineCounter.linePos(start).line, value, yaml: doc };
  });
}

function tooDeep(path: string, where: string): KsecError {
  return new KsecError(`${where} nests deeper than ${MAX_NESTING} levels`, { file: path, hint: 'a Kubernetes object is never nested that deep; check the file' });
}

function parseJsonStream(text: string, path: string): ManifestDocument[] {
  const docs: ManifestDocument[] = [];
  // the spans come in order: their lines are counted as the stream is walked, once (linear in the text)
  let line = 1;
  let counted = 0;
  for (const span of splitJsonValues(text, path)) {
    line += linesBetween(text, counted, span.start);
    counted = span.start;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(span.start, span.end));
    } catch {
      throw new KsecError(`invalid JSON in the value starting at line ${line}`, {
        file: path,
        hint: 'fix the JSON syntax',
      });
    }
    if (valueShape(value) !== undefined) throw tooDeep(path, `the value starting at line ${line}`);
    docs.push({ index: docs.length, line, value, span });
  }
  return docs;
}

/** Splits concatenated JSON values (`{...}{...}` or one per line) by bracket depth. */
function splitJsonValues(text: string, path: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0) throw jsonShapeError(text, i, path);
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 0) throw jsonShapeError(text, i, path);
      if (depth === 0) spans.push({ start, end: i + 1 });
    } else if (depth === 0 && !/\s/.test(c)) {
      throw jsonShapeError(text, i, path);
    }
  }
  if (depth !== 0 || inString) {
    throw new KsecError('invalid JSON: unexpected end of input', { file: path, hint: 'the file looks truncated' });
  }
  return spans;
}

function jsonShapeError(text: string, offset: number, path: string): KsecError {
  return new KsecError(`invalid JSON at line ${lineAt(text, offset)}: expected an object or array`, {
    file: path,
    hint: 'a JSON manifest holds one or more objects',
  });
}

/** The 1-based line of an offset (for one error: a stream's lines are counted with linesBetween). */
function lineAt(text: string, offset: number): number {
  return 1 + linesBetween(text, 0, offset);
}

/** Line breaks in text[from, to). */
function linesBetween(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Every Kubernetes object in the files, `kind: List` items and top-level
 * JSON arrays flattened; empty documents skipped. Non-objects are an error,
 * and so is a number or boolean where the API server wants a string
 * (annotations, labels, a Secret's or ConfigMap's data; see field-types.ts).
 */
export function objectsOf(files: ManifestFile[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const file of files) {
    for (const document of file.documents) {
      const value = document.value;
      if (value === null || value === undefined) continue;
      const items = Array.isArray(value) ? value : isList(value) ? value.items : undefined;
      if (items) {
        items.forEach((item, i) => out.push({ file, document, item: i, object: asObject(item, file, document) }));
      } else {
        out.push({ file, document, object: asObject(value, file, document) });
      }
    }
  }
  return out;
}

function asObject(value: unknown, file: ManifestFile, document: ManifestDocument): KubeObject {
  if (!isKubeObject(value)) {
    throw new KsecError(`document ${document.index + 1} (line ${document.line}) is not a Kubernetes object: it has no kind`, {
      file: file.path,
      hint: 'every document needs apiVersion and kind',
    });
  }
  const problem = fieldTypeProblem(value);
  if (problem) {
    const { message, hint } = fieldTypeMessage(problem);
    throw new KsecError(`document ${document.index + 1} (line ${document.line}): ${message}`, { file: file.path, object: objectRef(value), hint });
  }
  return value;
}

/** Convenience: read inputs and return their objects. */
export async function readObjects(inputs: string[], options: ReadOptions = {}): Promise<ManifestObject[]> {
  return objectsOf(await readManifestFiles(inputs, options));
}
