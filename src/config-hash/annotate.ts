/**
 * Stamping and checking pod-template annotations in manifests: for every
 * workload, the combined hash of the ConfigMaps and Secrets its pod template
 * references (found in the same inputs), written in place so a config change
 * rolls the workload through the ordinary GitOps apply.
 *
 * Namespaces: an object's namespace is metadata.namespace, else the
 * `namespace` option (-n), else none. A workload finds a config in its own
 * namespace first, then among configs without a namespace (they land in the
 * workload's namespace when applied with `kubectl apply -n` or by Argo CD /
 * Flux); a workload without a namespace only sees configs without one.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Document } from 'yaml';
import { KsecError } from '../errors.js';
import { applySplices, planSetStrings, reprintSplices, setString, type Splice } from '../manifest/edit.js';
import { isRecord, objectRef, type KubeObject } from '../manifest/objects.js';
import { renderJson } from '../manifest/write.js';
import { objectsOf, parseManifestText, type ManifestFile, type ManifestObject } from '../manifest/read.js';
import { combinedHash, type HashEntry } from './stamp.js';
import { configHash } from './ksec-hash.js';
import { hashableKind, producedObject } from './kinds.js';
import { findReferences, podTemplateOf, type ConfigReference } from './references.js';

/** The stamp: combinedHash over the workload's referenced configs. */
export const STAMP_ANNOTATION = 'ksec.dev/config-hash';
/** What went into the stamp, `Kind/name=<first 8 hex of its hash>,...`, so --check can say what changed. */
export const SOURCES_ANNOTATION = 'ksec.dev/config-hash-sources';

const SHORT = 8;

export interface AnnotateOptions {
  /** namespace for objects without one (-n) */
  namespace?: string;
}

export interface ConfigSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string;
  hash: string;
  /** the object that produces it (a ConfigMap, Secret, SealedSecret or ExternalSecret) */
  from: ManifestObject;
}

export type StampStatus = 'ok' | 'missing' | 'stale';

export interface WorkloadStamp {
  workload: ManifestObject;
  /** `Kind/namespace/name` of the workload */
  ref: string;
  /** path of the pod template's annotations map inside the YAML document */
  annotationsPath: (string | number)[];
  stamp: string;
  sources: string;
  current: { stamp?: string; sources?: string };
  status: StampStatus;
  /** referenced configs whose content differs from the one stamped (`Kind/name`, with added/removed noted) */
  changed: string[];
  /** referenced configs not found in the inputs (not optional) */
  missing: ConfigReference[];
}

export interface StampPlan {
  stamps: WorkloadStamp[];
  /** one line each, naming the workload; never a value */
  warnings: string[];
}

/**
 * Indexes the configs in the inputs by namespace, kind and name; conflicting
 * duplicates are an error, except a plain Secret beside the SealedSecret made
 * from it (its sealing input, kept out of the cluster): the SealedSecret is
 * what is applied, so it counts, and `warnings` says so.
 */
export function indexConfigs(objects: readonly ManifestObject[], options: AnnotateOptions = {}, warnings: string[] = []): Map<string, ConfigSource> {
  const index = new Map<string, ConfigSource>();
  for (const entry of objects) {
    const obj = entry.object;
    if (!hashableKind(obj)) continue;
    const produced = producedObject(obj);
    if (!produced) continue;
    let hash: string;
    try {
      hash = configHash(obj);
    } catch (err) {
      throw err instanceof KsecError ? err.within({ file: entry.file.path }) : err;
    }
    const namespace = produced.namespace ?? options.namespace ?? '';
    const key = configKey(namespace, produced.kind, produced.name);
    const seen = index.get(key);
    const pair = seen && sealingPair(seen.from.object, obj);
    if (seen && seen.hash !== hash && pair) {
      const plain = pair === 'second' ? obj : seen.from.object;
      warnings.push(`${objectRef(plain)}: a plain Secret beside the SealedSecret that makes ${produced.kind}/${produced.name}; the SealedSecret counts (the plain one is its sealing input)`);
      if (pair === 'first') index.set(key, { kind: produced.kind, name: produced.name, namespace, hash, from: entry });
      continue;
    }
    if (seen && seen.hash !== hash) {
      throw new KsecError(
        `${produced.kind}/${produced.name} is defined twice with different content (also by ${objectRef(seen.from.object)} in ${seen.from.file.path})`,
        {
          file: entry.file.path,
          object: objectRef(obj),
          hint: 'annotate one environment (one kustomize overlay or Helm release) at a time, or set namespaces',
        },
      );
    }
    if (!seen) index.set(key, { kind: produced.kind, name: produced.name, namespace, hash, from: entry });
  }
  return index;
}

/** Which of two objects making the same Secret is the plain Secret when the other is a SealedSecret: 'first' (the one seen first) or 'second'. */
function sealingPair(first: KubeObject, second: KubeObject): 'first' | 'second' | undefined {
  if (first.kind === 'Secret' && second.kind === 'SealedSecret') return 'first';
  if (first.kind === 'SealedSecret' && second.kind === 'Secret') return 'second';
  return undefined;
}

function configKey(namespace: string, kind: string, name: string): string {
  return `${namespace}\u0000${kind}\u0000${name}`;
}

/** Computes the stamp every workload in `objects` should carry and compares it with the one it has. */
export function planStamps(objects: readonly ManifestObject[], options: AnnotateOptions = {}): StampPlan {
  const warnings: string[] = [];
  const index = indexConfigs(objects, options, warnings);
  const stamps: WorkloadStamp[] = [];
  for (const entry of objects) {
    const obj = entry.object;
    const template = podTemplateOf(obj);
    if (!template) continue;
    const namespace = obj.metadata?.namespace ?? options.namespace ?? '';
    const ref = objectRef(obj, options.namespace);
    if (template.workloadRef) {
      warnings.push(`${ref}: takes its pod template from ${template.workloadRef.kind ?? 'a workload'}/${template.workloadRef.name ?? ''}; stamp that one instead`);
      continue;
    }
    if (!template.template) {
      warnings.push(`${ref}: has no pod template to stamp`);
      continue;
    }
    const references = findReferences(template.spec);
    const entries: HashEntry[] = [];
    const missing: ConfigReference[] = [];
    for (const reference of references) {
      const found =
        index.get(configKey(namespace, reference.kind, reference.name)) ??
        (namespace !== '' ? index.get(configKey('', reference.kind, reference.name)) : undefined);
      if (found) entries.push({ kind: reference.kind, name: reference.name, hash: found.hash });
      else if (!reference.optional) missing.push(reference);
    }
    const current = currentStamp(template.template);
    if (references.length === 0 && current.stamp === undefined) continue; // nothing to roll on
    for (const m of missing) warnings.push(`${ref}: references ${m.kind}/${m.name}, which is not in the inputs`);
    const stamp = combinedHash(entries);
    const sources = sourcesText(entries);
    const status: StampStatus = current.stamp === undefined ? 'missing' : current.stamp === stamp && current.sources === sources ? 'ok' : 'stale';
    stamps.push({
      workload: entry,
      ref,
      annotationsPath: [...itemPath(entry), ...template.path, 'metadata', 'annotations'],
      stamp,
      sources,
      current,
      status,
      changed: status === 'stale' ? changedSources(current.sources, sources, entries) : [],
      missing,
    });
  }
  return { stamps, warnings };
}

function currentStamp(template: Record<string, unknown>): { stamp?: string; sources?: string } {
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const annotations = isRecord(meta.annotations) ? meta.annotations : {};
  const out: { stamp?: string; sources?: string } = {};
  if (typeof annotations[STAMP_ANNOTATION] === 'string') out.stamp = annotations[STAMP_ANNOTATION];
  if (typeof annotations[SOURCES_ANNOTATION] === 'string') out.sources = annotations[SOURCES_ANNOTATION];
  return out;
}

/** The value of the sources annotation for these entries (sorted `Kind/name=<8 hex>`, comma-separated). */
export function sourcesText(entries: readonly HashEntry[]): string {
  return [...new Set(entries.map((e) => `${e.kind}/${e.name}=${e.hash.slice(0, SHORT)}`))].sort().join(',');
}

function parseSources(text: string | undefined): Map<string, string> | undefined {
  if (text === undefined) return undefined;
  const out = new Map<string, string>();
  for (const item of text.split(',')) {
    const at = item.lastIndexOf('=');
    if (at > 0) out.set(item.slice(0, at), item.slice(at + 1));
  }
  return out;
}

/** Which configs differ from the stamped ones; all of them when the old sources are unknown. */
function changedSources(previous: string | undefined, now: string, entries: readonly HashEntry[]): string[] {
  const before = parseSources(previous);
  const after = parseSources(now)!;
  if (!before) return entries.map((e) => `${e.kind}/${e.name}`).sort();
  const changed: string[] = [];
  for (const [name, hash] of after) {
    if (!before.has(name)) changed.push(`${name} (added)`);
    else if (before.get(name) !== hash) changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) changed.push(`${name} (removed)`);
  return changed;
}

function itemPath(entry: ManifestObject): (string | number)[] {
  if (entry.item === undefined) return [];
  return Array.isArray(entry.document.value) ? [entry.item] : ['items', entry.item];
}

/**
 * The new text of every file whose stamps change. YAML is edited by text
 * splices (everything else byte for byte) and verified by parsing the result;
 * a document where a splice cannot express an edit is re-printed through the
 * yaml Document API instead, in its own style, the others untouched. JSON is
 * spliced value by value (the other values of a stream untouched), and
 * re-rendered whole only where a splice cannot express the edit.
 */
export function applyStamps(stamps: readonly WorkloadStamp[]): Map<ManifestFile, string> {
  const byFile = new Map<ManifestFile, WorkloadStamp[]>();
  for (const s of stamps) {
    if (s.status === 'ok') continue;
    const list = byFile.get(s.workload.file) ?? [];
    list.push(s);
    byFile.set(s.workload.file, list);
  }
  const out = new Map<ManifestFile, string>();
  for (const [file, list] of byFile) out.set(file, editFile(file, list));
  return out;
}

function stampEntries(s: WorkloadStamp): [string, string][] {
  return [
    [STAMP_ANNOTATION, s.stamp],
    [SOURCES_ANNOTATION, s.sources],
  ];
}

function editFile(file: ManifestFile, stamps: readonly WorkloadStamp[]): string {
  const expected = expectedValues(file, stamps);
  if (file.format === 'yaml') {
    const edited = editYaml(file, stamps);
    if (edited !== undefined && sameValues(edited, file.path, expected)) return edited;
    throw new KsecError(`cannot stamp ${stamps.map((s) => s.ref).join(', ')} in place`, {
      file: file.path,
      hint: 'write the pod template metadata.annotations as a plain map (no alias or merge key)',
    });
  }
  const spliced = spliceJson(file, stamps);
  if (spliced !== undefined && sameValues(spliced, file.path, expected)) return spliced;
  return renderJson(expected);
}

/**
 * The YAML file with its stamps set: by text splices (only the stamped lines
 * change) in every document where they can express the edit; a document where
 * they cannot (an alias on the path, a merge key) is re-printed, alone and in
 * its own style (reprintSplices), the other documents staying byte for byte.
 */
function editYaml(file: ManifestFile, stamps: readonly WorkloadStamp[]): string | undefined {
  const byDocument = new Map<number, WorkloadStamp[]>();
  for (const s of stamps) byDocument.set(s.workload.document.index, [...(byDocument.get(s.workload.document.index) ?? []), s]);
  const splices: Splice[] = [];
  const reprint: WorkloadStamp[] = [];
  for (const [, list] of byDocument) {
    const planned = spliceDocument(file, list);
    if (planned) splices.push(...planned);
    else reprint.push(...list);
  }
  if (reprint.length > 0) {
    const reprinted = reprintDocuments(file, reprint);
    if (!reprinted) return undefined;
    splices.push(...reprinted);
  }
  try {
    return applySplices(file.text, splices);
  } catch {
    return undefined;
  }
}

/** The splices of one document's stamps, or undefined when a splice cannot express one of them. */
function spliceDocument(file: ManifestFile, stamps: readonly WorkloadStamp[]): Splice[] | undefined {
  const splices: Splice[] = [];
  for (const s of stamps) {
    const doc = s.workload.document.yaml;
    if (!doc) return undefined;
    const planned = planSetStrings(doc, file.text, s.annotationsPath, stampEntries(s));
    if (!planned) return undefined;
    splices.push(...planned);
  }
  // two stamps of one document (a List) must not overlap, and the document must read back as planned
  try {
    applySplices(file.text, splices);
  } catch {
    return undefined;
  }
  return splices;
}

/**
 * Splices the stamps into a JSON file, one or several concatenated values: each value is edited
 * within its own span, planned on the yaml package's parse of that value (JSON is YAML), so the
 * other values stay byte for byte. Undefined when a splice cannot express an edit.
 */
function spliceJson(file: ManifestFile, stamps: readonly WorkloadStamp[]): string | undefined {
  const byDocument = new Map<number, WorkloadStamp[]>();
  for (const s of stamps) byDocument.set(s.workload.document.index, [...(byDocument.get(s.workload.document.index) ?? []), s]);
  const splices: Splice[] = [];
  for (const [index, list] of byDocument) {
    const span = file.documents[index]?.span;
    if (!span) return undefined;
    const text = file.text.slice(span.start, span.end);
    const doc = parseManifestText(text, file.path, 'yaml').documents;
    if (doc.length !== 1 || !doc[0]!.yaml) return undefined;
    for (const s of list) {
      const planned = planSetStrings(doc[0]!.yaml, text, s.annotationsPath, stampEntries(s));
      if (!planned) return undefined;
      splices.push(...planned.map((p) => ({ ...p, start: p.start + span.start, end: p.end + span.start })));
    }
  }
  return applySplices(file.text, splices);
}

/** The fallback: splices re-printing the documents of these stamps through the yaml Document API (clones, so the input stays intact). */
function reprintDocuments(file: ManifestFile, stamps: readonly WorkloadStamp[]): Splice[] | undefined {
  const copies = new Map<number, ManifestFile['documents'][number]>();
  for (const s of stamps) {
    const original = s.workload.document;
    if (!original.yaml) return undefined;
    const copy = copies.get(original.index) ?? { ...original, yaml: original.yaml.clone() as Document.Parsed };
    copies.set(original.index, copy);
    try {
      for (const [key, value] of stampEntries(s)) setString(copy.yaml!, [...s.annotationsPath, key], value);
    } catch {
      return undefined; // e.g. an alias on the path
    }
  }
  const documents = file.documents.map((d) => copies.get(d.index) ?? d);
  return reprintSplices({ ...file, documents }, new Set(copies.keys()));
}

/** Every document's value as it must read after the edit. */
function expectedValues(file: ManifestFile, stamps: readonly WorkloadStamp[]): unknown[] {
  const values = file.documents.map((d) => structuredClone(d.value));
  for (const s of stamps) {
    let node: unknown = values[s.workload.document.index];
    for (const key of s.annotationsPath) {
      const holder = node as Record<string | number, unknown>;
      if (!isRecord(holder[key]) && !Array.isArray(holder[key])) holder[key] = {};
      node = holder[key];
    }
    for (const [key, value] of stampEntries(s)) (node as Record<string, unknown>)[key] = value;
  }
  return values;
}

function sameValues(text: string, path: string, expected: unknown[]): boolean {
  try {
    const reparsed = parseManifestText(text, path);
    const values = reparsed.documents.map((d) => d.value);
    return isDeepStrictEqual(values, expected);
  } catch {
    return false;
  }
}

/** Convenience for library users: plan, then the new texts. */
export function annotateFiles(files: ManifestFile[], options: AnnotateOptions = {}): StampPlan & { outputs: Map<ManifestFile, string> } {
  const plan = planStamps(objectsOf(files), options);
  return { ...plan, outputs: applyStamps(plan.stamps) };
}

/** One line per workload whose stamp is missing or stale, for `--check`. */
export function describeStale(stamp: WorkloadStamp): string {
  if (stamp.status === 'missing') return `${stamp.ref}: config hash missing (run ksec checksum annotate)`;
  const what = stamp.changed.length ? `changed: ${stamp.changed.join(', ')}` : 'stamp differs';
  return `${stamp.ref}: config hash stale (${what})`;
}
