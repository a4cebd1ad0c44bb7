/**
 * The offline input of `ksec eso generate --from-spec FILE`: the AWS secret
 * names and their JSON keys, written by hand, so manifests can be made with
 * no AWS access. Two formats:
 *
 * YAML (a list, or a map with `secrets:`):
 *   secrets:
 *     - path: myapp/production/db      # the AWS secret name (required)
 *       keys: [username, password]     # JSON properties; or a map property -> Secret key
 *       name: db                       # ExternalSecret name (default: from the path)
 *       namespace: production
 *       secretKey: token               # Secret key for a whole, non-JSON value
 *       json: true                     # the value is a JSON object (default: true when keys are given)
 *
 * CSV with a header row; columns path (required), property, secretKey,
 * namespace, name. Rows with the same path are one secret; a row without a
 * property maps the whole value.
 */
import { extname } from 'node:path';
import { KsecError } from '../errors.js';
import { isRecord } from '../manifest/objects.js';
import { parseManifestText, readStdin } from '../manifest/read.js';
import type { SecretSource } from './generate.js';
import { gjsonPath } from './naming.js';
import { readUserText } from '../user-file.js';

export interface Spec {
  sources: SecretSource[];
  /** defaults the spec names; command-line flags win */
  store?: string;
  storeKind?: string;
  namespace?: string;
}

export async function readSpecFile(path: string): Promise<Spec> {
  const text = path === '-' ? await readStdin() : await readUserText(path);
  return extname(path).toLowerCase() === '.csv' ? parseCsvSpec(text, path) : parseYamlSpec(text, path);
}

export function parseYamlSpec(text: string, file: string): Spec {
  const parsed = parseManifestText(text, file, 'yaml');
  const docs = parsed.documents.filter((d) => d.value !== null && d.value !== undefined);
  if (docs.length !== 1) throw new KsecError('a spec file holds exactly one YAML document', { file, hint: 'see docs/eso.md for the spec format' });
  const root = docs[0]!.value;
  const list = Array.isArray(root) ? root : isRecord(root) ? root.secrets : undefined;
  if (!Array.isArray(list)) throw new KsecError('the spec has no list of secrets', { file, hint: 'write `secrets:` followed by a list of `- path: ...` entries' });
  const spec: Spec = { sources: [] };
  if (isRecord(root)) {
    spec.store = optionalString(root.store, 'store', file);
    spec.storeKind = optionalString(root.storeKind, 'storeKind', file);
    spec.namespace = optionalString(root.namespace, 'namespace', file);
  }
  list.forEach((entry, i) => spec.sources.push(yamlSource(entry, `secrets[${i}]`, file)));
  return checkUnique(spec, file);
}

function yamlSource(entry: unknown, where: string, file: string): SecretSource {
  if (typeof entry === 'string') entry = { path: entry };
  if (!isRecord(entry)) throw new KsecError(`${where} is not a map`, { file, hint: 'each entry needs at least `path:`' });
  const known = new Set(['path', 'keys', 'name', 'namespace', 'secretKey', 'json', 'target']);
  const unknown = Object.keys(entry).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new KsecError(`${where} has unknown field "${unknown[0]}"`, { file, hint: `fields: ${[...known].join(', ')}` });
  const path = entry.path;
  if (typeof path !== 'string' || path === '') throw new KsecError(`${where} has no path`, { file, hint: 'path is the AWS secret name' });
  const source: SecretSource = { key: path, json: false };
  const keys = entry.keys;
  if (keys !== undefined) {
    if (Array.isArray(keys) && keys.every((k): k is string => typeof k === 'string' && k !== '')) {
      source.properties = keys.map((k) => ({ property: gjsonPath([k]), secretKey: k }));
    } else if (isRecord(keys) && Object.values(keys).every((v) => typeof v === 'string' && v !== '')) {
      source.properties = Object.entries(keys).map(([k, v]) => ({ property: gjsonPath([k]), secretKey: v as string }));
    } else {
      throw new KsecError(`${where}.keys must be a list of names or a map of property to Secret key`, { file, object: path });
    }
    source.json = true;
  }
  if (entry.json !== undefined) {
    if (typeof entry.json !== 'boolean') throw new KsecError(`${where}.json must be true or false`, { file, object: path });
    source.json = entry.json;
  }
  source.name = optionalString(entry.name, `${where}.name`, file);
  source.namespace = optionalString(entry.namespace, `${where}.namespace`, file);
  source.wholeKey = optionalString(entry.secretKey, `${where}.secretKey`, file);
  source.targetName = optionalString(entry.target, `${where}.target`, file);
  return source;
}

function optionalString(value: unknown, where: string, file: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new KsecError(`${where} must be a non-empty string`, { file });
  return value;
}

const CSV_COLUMNS = ['path', 'property', 'secretKey', 'namespace', 'name'] as const;

export function parseCsvSpec(text: string, file: string): Spec {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''), file);
  const header = rows.shift();
  if (!header) throw new KsecError('the CSV spec is empty', { file, hint: `start with a header row: ${CSV_COLUMNS.join(',')}` });
  const columns = header.cells.map((c) => c.trim());
  for (const c of columns) {
    if (!(CSV_COLUMNS as readonly string[]).includes(c)) {
      throw new KsecError(`unknown CSV column "${c}" on line ${header.line}`, { file, hint: `columns: ${CSV_COLUMNS.join(', ')}` });
    }
  }
  if (!columns.includes('path')) throw new KsecError('the CSV header has no "path" column', { file, hint: `columns: ${CSV_COLUMNS.join(', ')}` });
  const byPath = new Map<string, SecretSource>();
  for (const row of rows) {
    if (row.cells.every((c) => c.trim() === '')) continue;
    const get = (name: string) => {
      const i = columns.indexOf(name);
      const v = i < 0 ? '' : (row.cells[i] ?? '').trim();
      return v === '' ? undefined : v;
    };
    const path = get('path');
    if (!path) throw new KsecError(`line ${row.line} has no path`, { file, hint: 'path is the AWS secret name' });
    let source = byPath.get(path);
    if (!source) {
      source = { key: path, json: false };
      byPath.set(path, source);
    }
    const merge = (field: 'namespace' | 'name', value: string | undefined) => {
      if (value === undefined) return;
      if (source[field] !== undefined && source[field] !== value) {
        throw new KsecError(`line ${row.line} gives ${path} a second ${field} "${value}"`, { file, hint: `use one ${field} per path` });
      }
      source[field] = value;
    };
    merge('namespace', get('namespace'));
    merge('name', get('name'));
    const property = get('property');
    if (property) {
      source.json = true;
      (source.properties ??= []).push({ property: gjsonPath([property]), secretKey: get('secretKey') ?? property });
    } else if (get('secretKey')) {
      source.wholeKey = get('secretKey');
    }
  }
  for (const source of byPath.values()) {
    if (source.properties && source.wholeKey) {
      throw new KsecError(`${source.key} has rows with and without a property`, { file, hint: 'a secret is either JSON (rows with property) or one whole value' });
    }
  }
  return checkUnique({ sources: [...byPath.values()] }, file);
}

function checkUnique(spec: Spec, file: string): Spec {
  const seen = new Set<string>();
  for (const s of spec.sources) {
    if (seen.has(s.key)) throw new KsecError(`path "${s.key}" is listed twice`, { file, hint: 'list each AWS secret once' });
    seen.add(s.key);
  }
  if (spec.sources.length === 0) throw new KsecError('the spec lists no secrets', { file });
  return spec;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; rows keep their 1-based line. */
function parseCsv(text: string, file: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (quoted) throw new KsecError(`unterminated quoted field starting on line ${rowLine}`, { file, hint: 'close the quote' });
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0] === ''));
}
