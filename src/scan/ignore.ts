/**
 * gitignore-style patterns, for `.ksecignore` and for directories outside a
 * Git work tree (inside one, git itself answers). Supported: comments,
 * `!` negation, trailing `/` (directories only), anchoring by a `/`, `*`,
 * `?`, `[...]` and `**`. The last matching pattern wins, and nothing below an
 * ignored directory comes back, as in Git.
 */

interface Pattern {
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

export class IgnoreRules {
  private readonly patterns: Pattern[] = [];

  /** Adds the lines of an ignore file that sits in `base` (a '/'-separated path relative to the root, '' for the root). */
  add(text: string, base = ''): this {
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      let negate = false;
      if (line.startsWith('!')) {
        negate = true;
        line = line.slice(1);
      } else if (line.startsWith('\\')) {
        line = line.slice(1);
      }
      const dirOnly = line.endsWith('/');
      if (dirOnly) line = line.replace(/\/+$/, '');
      if (line === '') continue;
      const anchored = line.includes('/');
      if (line.startsWith('/')) line = line.slice(1);
      const prefix = base === '' ? '' : `${escape(base)}/`;
      const body = globToRegex(line);
      this.patterns.push({ regex: new RegExp(anchored ? `^${prefix}${body}$` : `^${prefix}(?:.*/)?${body}$`), negate, dirOnly });
    }
    return this;
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether this one path (not its parents) is ignored. */
  matches(path: string, isDir: boolean): boolean {
    let ignored = false;
    for (const p of this.patterns) {
      if (p.dirOnly && !isDir) continue;
      if (p.regex.test(path)) ignored = !p.negate;
    }
    return ignored;
  }

  /** Whether a file path is ignored, itself or through one of its directories. */
  ignores(path: string): boolean {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) if (this.matches(parts.slice(0, i).join('/'), true)) return true;
    return this.matches(path, false);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        if (atStart && glob[i + 2] === '/') {
          out += '(?:.*/)?';
          i += 2;
          continue;
        }
        if (atStart && i + 2 === glob.length) {
          out += '.*';
          i += 1;
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escape(glob[++i]!);
    } else {
      out += escape(c);
    }
  }
  return out;
}
