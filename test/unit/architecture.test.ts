/**
 * The rule of the layers (docs/architecture.md), checked over the import graph of src/:
 *
 *   cli/, action/ -> commands/ -> terminal/ + domain folders
 *
 * Domain folders never import cli/, action/, commands/ or terminal/; commands/ never imports cli/ or
 * action/, and the two front ends never import each other; terminal/
 * imports no other folder of src/; and no module reaches itself again through its imports (static
 * and dynamic, `import type` included: a type cycle is a design cycle too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const DOMAIN = ['manifest', 'seal', 'sops', 'eso', 'config-hash', 'scan', 'watch', 'doctor', 'go', 'kube'];
const UPPER = ['cli', 'action', 'commands', 'terminal'];
const FRONT_ENDS = ['cli', 'action'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** src-relative module -> the src-relative modules it imports (relative specifiers only). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    // comments may name modules (`await import('./x.js')` in a doc comment): not imports
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1]!);
    const targets = specifiers.map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
    graph.set(relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

const folderOf = (module: string) => (module.includes('/') ? module.slice(0, module.indexOf('/')) : '');

/** Every violation of the layer rule, as `from -> to`. */
export function layerViolations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const folder = folderOf(from);
    for (const to of targets) {
      const target = folderOf(to);
      const upward =
        (DOMAIN.includes(folder) && UPPER.includes(target)) ||
        (folder === 'commands' && FRONT_ENDS.includes(target)) ||
        (FRONT_ENDS.includes(folder) && FRONT_ENDS.includes(target) && folder !== target) ||
        (folder === 'terminal' && target !== 'terminal') ||
        (folder === '' && from === 'errors.ts' && target !== '');
      if (upward) out.push(`${from} -> ${to}`);
    }
  }
  return out;
}

/** One module path per cycle found (a depth-first search; each cycle reported once, from where it was entered). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (module: string) => {
    state.set(module, 'open');
    stack.push(module);
    for (const next of graph.get(module) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(module, 'done');
  };
  for (const module of [...graph.keys()].sort()) if (!state.has(module)) visit(module);
  return cycles;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('cli/ksec.ts')).toContain('cli/commands.ts');
  });

  it('goes one way down: domain folders never import cli/, commands/ or terminal/', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('the checks catch what they are for', () => {
    const planted = new Map([
      ['seal/a.ts', ['terminal/messages.ts']],
      ['commands/b.ts', ['cli/main.ts', 'seal/a.ts']],
      ['scan/x.ts', ['scan/y.ts']],
      ['scan/y.ts', ['scan/x.ts']],
    ]);
    expect(layerViolations(planted)).toEqual(['seal/a.ts -> terminal/messages.ts', 'commands/b.ts -> cli/main.ts']);
    expect(importCycles(planted)).toEqual([['scan/x.ts', 'scan/y.ts', 'scan/x.ts']]);
  });
});
