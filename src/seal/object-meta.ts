/**
 * metav1.ObjectMeta as kubeseal v0.36.6 carries a Secret's metadata into a
 * SealedSecret's template: the JSON fields in the order of the Go struct (the
 * order encoding/json prints them in), and templateMeta(), which does what
 * decoding into the typed struct and kubeseal's Seal() do to them.
 */
import type { ObjectMeta } from '../manifest/objects.js';
import { isRecord } from '../manifest/objects.js';

export const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
] as const;

/** Thrown by templateMeta for a field of the wrong type; `field` is its path under metadata. */
export class MetaFieldError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`metadata.${field} is not ${expected}`);
  }
}

/**
 * The template's metadata from a Secret's: name, generateName, namespace,
 * labels, annotations, finalizers and managedFields, typed as Go types them
 * (null strings become "", empty maps and lists and empty strings are left
 * out, managedFields entries keep their seven fields, `time` in UTC to the
 * second). Unknown fields are dropped, as Go's decoder drops them; the fields
 * the API server sets and ownerReferences are dropped, as kubeseal drops them.
 * Throws MetaFieldError where Go's decoder would fail.
 */
export function templateMeta(meta: ObjectMeta, name: string, namespace: string): ObjectMeta {
  const out: ObjectMeta = { name };
  const generateName = optionalString(meta.generateName, 'generateName');
  if (generateName) out.generateName = generateName;
  if (namespace) out.namespace = namespace;
  const labels = stringMap(meta.labels, 'labels');
  if (labels) out.labels = labels;
  const annotations = stringMap(meta.annotations, 'annotations');
  if (annotations) out.annotations = annotations;
  const finalizers = stringList(meta.finalizers, 'finalizers');
  if (finalizers) out.finalizers = finalizers;
  if (meta.managedFields !== undefined && meta.managedFields !== null) {
    if (!Array.isArray(meta.managedFields)) throw new MetaFieldError('managedFields', 'a list');
    if (meta.managedFields.length > 0) out.managedFields = meta.managedFields.map((e, i) => managedFieldsEntry(e, `managedFields[${i}]`));
  }
  return out;
}

/** A map[string]string: undefined when absent, null or empty; a null value reads as "". */
export function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw new MetaFieldError(field, 'a map of strings');
  const out = Object.create(null) as Record<string, string>;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v !== 'string') throw new MetaFieldError(`${field}.${k}`, 'a string');
    out[k] = v ?? '';
    n++;
  }
  return n > 0 ? out : undefined;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MetaFieldError(field, 'a string');
  return value;
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new MetaFieldError(field, 'a list of strings');
  const out = value.map((v, i) => {
    if (v !== null && typeof v !== 'string') throw new MetaFieldError(`${field}[${i}]`, 'a string');
    return v ?? '';
  });
  return out.length > 0 ? out : undefined;
}

const ENTRY_STRINGS = ['manager', 'operation', 'apiVersion', 'fieldsType', 'subresource'] as const;

/** metav1.ManagedFieldsEntry: its string fields (omitted when empty), time, and fieldsV1 (any JSON, kept as is). */
function managedFieldsEntry(entry: unknown, field: string): Record<string, unknown> {
  if (entry === null) return {};
  if (!isRecord(entry)) throw new MetaFieldError(field, 'a map');
  const out: Record<string, unknown> = {};
  for (const k of ENTRY_STRINGS) {
    const v = optionalString(entry[k], `${field}.${k}`);
    if (v) out[k] = v;
  }
  if (entry.time !== undefined && entry.time !== null) out.time = metaTime(entry.time, `${field}.time`);
  if (entry.fieldsV1 !== undefined && entry.fieldsV1 !== null) out.fieldsV1 = entry.fieldsV1;
  // struct order: manager, operation, apiVersion, time, fieldsType, fieldsV1, subresource (layout.ts orders them)
  return out;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * metav1.Time through JSON: time.Parse(RFC3339) then UTC to the second
 * ("2006-01-02T15:04:05Z"); the zero time prints as null.
 */
export function metaTime(value: unknown, field: string): string | null {
  const text = value instanceof Date ? value.toISOString() : value;
  if (typeof text !== 'string') throw new MetaFieldError(field, 'an RFC 3339 time');
  const m = RFC3339.exec(text);
  if (!m) throw new MetaFieldError(field, 'an RFC 3339 time');
  const [, y, mo, d, h, mi, s, , sign, oh, om] = m;
  const leap = Number(y) % 4 === 0 && (Number(y) % 100 !== 0 || Number(y) % 400 === 0);
  const maxDay = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Number(mo) - 1] ?? 0;
  if (Number(d) < 1 || Number(d) > maxDay || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new MetaFieldError(field, 'an RFC 3339 time');
  }
  if (oh !== undefined && (Number(oh) > 23 || Number(om) > 59)) throw new MetaFieldError(field, 'an RFC 3339 time');
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const utc = new Date(0);
  utc.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // not Date.UTC, which maps years 0-99 to 1900-1999
  utc.setUTCHours(Number(h), Number(mi), Number(s), 0);
  utc.setTime(utc.getTime() - offsetMinutes * 60_000);
  const iso = formatGoUtc(utc);
  return iso === '0001-01-01T00:00:00Z' ? null : iso;
}

function formatGoUtc(t: Date): string {
  const y = t.getUTCFullYear();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(y, 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}Z`;
}
