/**
 * The ordered tree SOPS works on, the same shape for every format: maps keep
 * their key order (and duplicate or numeric-looking keys), sequences keep
 * their items, comments are items of their own, and every scalar keeps the
 * type sops gave it (an int keeps its exact decimal text, a float is a
 * float64), because the MAC and the output depend on both.
 */

export type SopsScalar =
  | { kind: 'str'; value: string; line?: number }
  /** Go int: the exact decimal text, so 64-bit values survive */
  | { kind: 'int'; value: string; line?: number }
  | { kind: 'float'; value: number; line?: number }
  | { kind: 'bool'; value: boolean; line?: number }
  | { kind: 'bytes'; value: Buffer; line?: number }
  /** a timestamp, as Go's time.Time.MarshalText prints it (RFC 3339 with nanoseconds) */
  | { kind: 'time'; value: string; line?: number }
  | { kind: 'null'; line?: number };

export interface SopsComment {
  kind: 'comment';
  /** the text after `#` */
  value: string;
  line?: number;
}

export interface SopsMapItem {
  kind: 'item';
  key: string;
  value: SopsNode;
  line?: number;
}

export interface SopsMap {
  kind: 'map';
  items: (SopsMapItem | SopsComment)[];
}

export interface SopsSeq {
  kind: 'seq';
  items: (SopsNode | SopsComment)[];
}

export type SopsNode = SopsScalar | SopsMap | SopsSeq;

/** One document; a YAML file may hold several, JSON and dotenv one. */
export type SopsBranch = SopsMap;

export type Leaf = SopsScalar | SopsComment;

export interface WalkContext {
  /** the map keys from the root to this leaf (sequence positions are not part of it, as in sops) */
  path: string[];
  /** for each enclosing map/sequence, the comments seen since its last value (sops's comments stack) */
  comments: string[][];
}

/**
 * Visits every leaf in document order, exactly as sops's walkBranch does, and
 * replaces it by what `visit` returns. Null values are skipped, as in sops.
 */
export function walkBranch(branch: SopsMap, visit: (leaf: Leaf, ctx: WalkContext) => Leaf): SopsMap {
  return walkMap(branch, [], [], visit);
}

function walkMap(map: SopsMap, path: string[], stack: string[][], visit: (leaf: Leaf, ctx: WalkContext) => Leaf): SopsMap {
  const comments: string[] = [];
  const inner = [...stack, comments];
  const items = map.items.map((item) => {
    if (item.kind === 'comment') {
      comments.push(item.value);
      return visit(item, { path, comments: inner }) as SopsComment;
    }
    const value = walkNode(item.value, [...path, item.key], inner, visit);
    comments.length = 0;
    return { ...item, value };
  });
  return { kind: 'map', items };
}

function walkSeq(seq: SopsSeq, path: string[], stack: string[][], visit: (leaf: Leaf, ctx: WalkContext) => Leaf): SopsSeq {
  const comments: string[] = [];
  const inner = [...stack, comments];
  const items = seq.items.map((item) => {
    if (item.kind === 'comment') {
      comments.push(item.value);
      return visit(item, { path, comments: inner });
    }
    // an encrypted comment inside a sequence is stored as a string item and decrypts to a comment
    const value = walkNode(item, path, inner, visit, true);
    if (value.kind !== 'comment') comments.length = 0;
    return value;
  });
  return { kind: 'seq', items };
}

function walkNode(
  node: SopsNode,
  path: string[],
  stack: string[][],
  visit: (leaf: Leaf, ctx: WalkContext) => Leaf,
  inSeq: true,
): SopsNode | SopsComment;
function walkNode(node: SopsNode, path: string[], stack: string[][], visit: (leaf: Leaf, ctx: WalkContext) => Leaf): SopsNode;
function walkNode(
  node: SopsNode,
  path: string[],
  stack: string[][],
  visit: (leaf: Leaf, ctx: WalkContext) => Leaf,
  inSeq = false,
): SopsNode | SopsComment {
  switch (node.kind) {
    case 'map':
      return walkMap(node, path, stack, visit);
    case 'seq':
      return walkSeq(node, path, stack, visit);
    case 'null':
      return node;
    default: {
      const out = visit(node, { path, comments: stack }); // visitors read the stack synchronously, never keep it
      if (out.kind === 'comment' && !inSeq) return { kind: 'str', value: out.value, line: node.line };
      return out;
    }
  }
}

/** `data.password`-style path for messages (keys only, as sops sees them). */
export function pathLabel(path: readonly string[]): string {
  return path.length === 0 ? '(root)' : path.join('.');
}
