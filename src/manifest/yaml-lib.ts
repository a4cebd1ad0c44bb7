/**
 * The `yaml` package, loaded on first use. Importing it costs 30-90 ms of
 * start-up, so modules that need it only sometimes call `yamlLib()` inside the
 * function that needs it instead of importing it at module load. The loader is
 * synchronous (a lazy getter must be able to use it): `require` of the
 * package's CommonJS build, which is the same module instance a static
 * `import ... from 'yaml'` gets under Node, so Documents and nodes mix freely
 * (and yaml's node checks use `Symbol.for` markers, not `instanceof`).
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

export type YamlLib = typeof Yaml;

let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}

/**
 * The options of every parse of input text: no code frames in errors and no
 * warnings on stderr (both quote the input, which may hold a secret). Errors
 * are read through yamlProblem(), never through their message.
 */
export const QUIET_PARSE = { prettyErrors: false, logLevel: 'silent' } as const;

/**
 * How many alias expansions toJS allows in one document. A real manifest has
 * a handful; a nested-alias bomb (a1: [*a0 x9] ... a9) needs millions.
 */
export const MAX_ALIAS_COUNT = 1000;

/**
 * The deepest nesting of collections any reader accepts. Kubernetes objects
 * nest a few dozen levels; the readers and everything that walks their values
 * recurse, so a document of thousands of `[` or `-` levels would overflow the
 * stack. Deeper input is malformed (the same verdict from every reader).
 */
export const MAX_NESTING = 512;

/**
 * Whether `err` is V8's stack overflow. The yaml package's parser recurses
 * when it closes thousands of block levels at once and lets that escape;
 * callers report it as nesting too deep (the input is malformed), never as an
 * internal error.
 */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/**
 * What is wrong with the shape of a plain value (objects, arrays, Maps), if
 * anything: 'deep' when it nests deeper than `max` (counted through shared,
 * aliased values, each measured once), 'cycle' when it contains itself (a
 * YAML alias inside its own anchor). Iterative, so it cannot overflow.
 */
export function valueShape(value: unknown, max = MAX_NESTING): 'deep' | 'cycle' | undefined {
  const isNode = (v: unknown): v is object => v !== null && typeof v === 'object' && !ArrayBuffer.isView(v);
  const childrenOf = (v: object): unknown[] => (Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v));
  if (!isNode(value)) return undefined;
  const height = new Map<object, number>();
  const onPath = new Set<object>();
  const stack: { v: object; exit: boolean }[] = [{ v: value, exit: false }];
  while (stack.length > 0) {
    const { v, exit } = stack.pop()!;
    if (exit) {
      onPath.delete(v);
      let h = 0;
      for (const c of childrenOf(v)) if (isNode(c)) h = Math.max(h, height.get(c) ?? 0);
      if (h + 1 > max) return 'deep';
      height.set(v, h + 1);
      continue;
    }
    if (height.has(v)) continue;
    onPath.add(v);
    stack.push({ v, exit: true });
    for (const c of childrenOf(v)) {
      if (!isNode(c) || height.has(c)) continue;
      if (onPath.has(c)) return 'cycle';
      stack.push({ v: c, exit: false });
    }
  }
  return undefined;
}

/**
 * The problem of one of the yaml package's errors, by its code: the package's
 * messages quote the input (plain scalars, escape sequences, tags, anchor
 * names, unexpected tokens), so they are never shown.
 */
const PROBLEMS: Record<string, string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias names no anchor before it',
  BAD_DIRECTIVE: 'unknown or malformed directive',
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'anchor or tag in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block collection cannot be an implicit key',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  DUPLICATE_KEY: 'duplicate key (map keys must be unique)',
  IMPOSSIBLE: 'unexpected structure',
  KEY_OVER_1024_CHARS: 'an implicit key longer than 1024 characters',
  MISSING_CHAR: 'a closing quote, bracket or separator is missing',
  MULTILINE_IMPLICIT_KEY: 'an implicit key must be on a single line',
  MULTIPLE_ANCHORS: 'a node with more than one anchor',
  MULTIPLE_DOCS: 'more than one document',
  MULTIPLE_TAGS: 'a node with more than one tag',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: `nesting too deep (more than ${MAX_NESTING} levels)`,
  TAB_AS_INDENT: 'a tab used as indentation',
  TAG_RESOLVE_FAILED: 'unknown or unresolvable tag',
  UNEXPECTED_TOKEN: 'unexpected token',
  BAD_COLLECTION_TYPE: 'a tag used on the wrong kind of collection',
};

/** The package's messages that are fixed text (no input in them), shown as they are. */
const FIXED_MESSAGES = new Set([
  'A block sequence may not be used as an implicit map key',
  'A node can have at most one anchor',
  'A node can have at most one tag',
  'Alias cannot be an empty string',
  'Alias ending in : is ambiguous',
  'All sequence items must start at the same column',
  'An alias node must not specify any properties',
  'Anchor cannot be an empty string',
  'Anchor ending in : is ambiguous',
  'Block collection cannot start on same line with directives-end marker',
  'Comments must be separated from other tokens by white space characters',
  'Implicit keys need to be on a single line',
  'Implicit keys of flow sequence pairs need to be on a single line',
  'Implicit map keys need to be followed by map values',
  'Map keys must be unique',
  'Missing closing "quote',
  'Missing directives-end indicator line',
  'Missing directives-end/doc-start indicator line',
  'Nested mappings are not allowed in compact mappings',
  'Sequence item without - indicator',
  'Tabs are not allowed as indentation',
  'Tags and anchors must be separated from the next token by white space',
]);
const FIXED_FLOW_MESSAGE = /^(Missing , (or : )?between|Missing space after : in|Unexpected empty item in) flow (map|sequence|collection)( items)?$/;

export function yamlProblem(error: { code?: string; message?: string }): string {
  const message = error.message ?? '';
  if (FIXED_MESSAGES.has(message) || FIXED_FLOW_MESSAGE.test(message)) return message;
  return (error.code && PROBLEMS[error.code]) || 'malformed YAML';
}
