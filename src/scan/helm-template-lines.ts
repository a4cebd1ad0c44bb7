/**
 * A line-level reader for YAML that does not parse, above all Helm templates
 * (`{{- if ... }}` lines, `{{ include ... | nindent 4 }}`). It understands
 * block maps, block sequences, `---` separators and `|`/`>` block scalars;
 * template-only lines are skipped and values holding `{{ ... }}` are kept as
 * text (the rules treat them as placeholders). It never throws: what it
 * cannot read it leaves out. Good enough to find `kind: Secret` with literal
 * data in a chart, not a YAML parser.
 *
 * Anchors (`key: &name` with a block, `key: &name value`) are remembered
 * across documents, and an alias (`key: *name`, `<<: *name`) takes the
 * anchored value with the positions where it stands: a file that YAML
 * rejects for an alias to another document still has the plaintext it
 * points at reported, at the anchor.
 */
import type { Position } from '../manifest/lines.js';

export interface HelmTemplateDocument {
  /** 1-based line where the document starts */
  line: number;
  value: Record<string, unknown>;
  /** key path joined with '\0' -> position of the key */
  positions: Map<string, Position>;
}

interface Frame {
  /** indentation of the lines that belong to this node */
  indent: number;
  node: Record<string, unknown> | unknown[];
  path: (string | number)[];
}

interface Pending {
  indent: number;
  parent: Record<string, unknown>;
  key: string;
  path: (string | number)[];
}

const KEY_LINE = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"-][^:]*?|-[^\s:][^:]*?):(?:\s+(.*))?$/;

export function readHelmTemplateLines(text: string): HelmTemplateDocument[] {
  const lines = text.split(/\r?\n/);
  const docs: HelmTemplateDocument[] = [];
  let doc: HelmTemplateDocument = { line: 1, value: inputMap(), positions: new Map() };
  let stack: Frame[] = [];
  let pending: Pending | undefined;
  const anchors = new Map<string, { value: unknown; doc: HelmTemplateDocument; path: (string | number)[] }>();
  /** the alias's value, with the anchor's positions copied under `path` */
  const alias = (name: string, path: (string | number)[]): { value: unknown } | undefined => {
    const anchor = anchors.get(name);
    if (!anchor) return undefined;
    const prefix = anchor.path.join('\0');
    for (const [p, pos] of anchor.doc.positions) {
      if (p === prefix) continue;
      if (prefix === '' || p.startsWith(`${prefix}\0`)) {
        const rest = prefix === '' ? p : p.slice(prefix.length + 1);
        if (!doc.positions.has([...path, rest].join('\0'))) doc.positions.set([...path, rest].join('\0'), pos);
      }
    }
    return { value: anchor.value };
  };
  const reset = (line: number) => {
    if (Object.keys(doc.value).length > 0) docs.push(doc);
    doc = { line, value: inputMap(), positions: new Map() };
    stack = [{ indent: 0, node: doc.value, path: [] }];
    pending = undefined;
  };
  reset(1);

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (/^---(\s|$)/.test(raw)) {
      reset(i + 2);
      continue;
    }
    if (/^\.\.\.(\s|$)/.test(raw)) continue;
    const indent = raw.length - raw.trimStart().length;
    let rest = raw.trim();
    if (rest === '' || rest.startsWith('#') || /^\{\{.*\}\}$/.test(rest)) continue;
    const isItem = rest === '-' || rest.startsWith('- ');

    if (pending) {
      const p = pending;
      pending = undefined;
      if (indent > p.indent || (indent === p.indent && isItem)) {
        const child: Record<string, unknown> | unknown[] = isItem ? [] : inputMap();
        p.parent[p.key] = child;
        stack.push({ indent, node: child, path: p.path });
      }
    }
    // Leave nodes this line is not part of; a sequence written at its key's
    // indentation ends at the first line there that is not an item.
    while (stack.length > 1) {
      const top = stack[stack.length - 1]!;
      if (top.indent > indent || (top.indent === indent && Array.isArray(top.node) && !isItem)) stack.pop();
      else break;
    }
    const frame = stack[stack.length - 1]!;
    if (frame.indent !== indent) continue; // continuation of a multi-line scalar, or something we cannot place

    let column = indent + 1;
    let target = frame;
    if (isItem) {
      if (!Array.isArray(frame.node)) continue;
      const seq = frame.node;
      const after = rest.slice(1).trimStart();
      const itemIndent = indent + (rest.length - after.length);
      if (after === '') {
        // `-` alone: the item's content follows on the next lines
        const item = inputMap();
        seq.push(item);
        pending = undefined;
        stack.push({ indent: indent + 2, node: item, path: [...frame.path, seq.length - 1] });
        continue;
      }
      if (!KEY_LINE.test(after) || /^\{\{/.test(after)) {
        seq.push(scalar(after));
        continue;
      }
      const item = inputMap();
      seq.push(item);
      target = { indent: itemIndent, node: item, path: [...frame.path, seq.length - 1] };
      stack.push(target);
      rest = after;
      column = itemIndent + 1;
    }
    if (Array.isArray(target.node)) continue;
    const match = KEY_LINE.exec(rest);
    if (!match) continue;
    const key = unquote(match[1]!.trim());
    let value = (match[2] ?? '').trim();
    const path = [...target.path, key];
    const anchor = /^&([^\s,\[\]{}]+)(?:\s+|$)/.exec(value);
    if (anchor) value = value.slice(anchor[0].length);
    const aliased = /^\*([^\s,\[\]{}]+)\s*(?:#.*)?$/.exec(value);
    if (aliased && key === '<<') {
      // a merge key: the anchored map's entries join this map, each where it stands
      const from = alias(aliased[1]!, target.path);
      if (from && from.value !== null && typeof from.value === 'object' && !Array.isArray(from.value)) {
        for (const [k, v] of Object.entries(from.value as Record<string, unknown>)) if (!(k in target.node)) target.node[k] = v;
      }
      continue;
    }
    doc.positions.set(path.join('\0'), { line: i + 1, column });
    if (aliased) {
      const from = alias(aliased[1]!, path);
      target.node[key] = from ? from.value : value;
      if (from) {
        const at = anchors.get(aliased[1]!)!;
        const pos = at.doc.positions.get(at.path.join('\0'));
        if (pos && (from.value === null || typeof from.value !== 'object')) doc.positions.set(path.join('\0'), pos); // a scalar: where it stands
      }
    } else if (value === '' || value.startsWith('#')) {
      target.node[key] = null;
      pending = { indent: target.indent, parent: target.node, key, path };
      if (anchor) {
        // the block that follows is the anchored value: bound once the next line makes it
        const parent = target.node;
        const name = anchor[1]!;
        const owner = doc;
        anchors.set(name, {
          get value() {
            return parent[key];
          },
          doc: owner,
          path,
        });
      }
    } else if (/^[|>][-+0-9]*(\s+#.*)?$/.test(value)) {
      const block: string[] = [];
      while (i + 1 < lines.length) {
        const next = lines[i + 1]!;
        const nextIndent = next.length - next.trimStart().length;
        if (next.trim() !== '' && nextIndent <= target.indent) break;
        block.push(next.trim());
        i++;
      }
      target.node[key] = block.join(value.startsWith('>') ? ' ' : '\n').trim();
    } else {
      target.node[key] = scalar(value);
      if (anchor) anchors.set(anchor[1]!, { value: target.node[key], doc, path });
    }
  }
  reset(lines.length + 1);
  return docs;
}

function unquote(text: string): string {
  if (text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'")))) {
    return text.slice(1, -1);
  }
  return text;
}

function scalar(text: string): unknown {
  let value = text;
  if (!value.startsWith('"') && !value.startsWith("'")) value = value.replace(/\s+#.*$/, '');
  value = value.trim();
  if (value.startsWith('"') || value.startsWith("'")) return unquote(value.replace(/\s+#[^"']*$/, ''));
  if (value === 'null' || value === '~') return null;
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^-?\d+$/.test(value)) return Number(value);
  return value;
}

/** A map for keys from the template: no prototype, so `__proto__` or `constructor` are keys like any other. */
function inputMap(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
