/**
 * The keys of the mappings open at each nesting depth, for fast-yaml.ts's
 * duplicate-key check. The storage is reused from one mapping to the next: a
 * list while a mapping is short, a Set once it is long.
 */

/** mappings up to this many keys check duplicates in a list, longer ones in a Set */
const SHORT_MAP = 8;

export class OpenKeys {
  private readonly lists: string[][] = [];
  private readonly counts: number[] = [];
  private readonly sets: (Set<string> | undefined)[] = [];

  /** a new, empty mapping at `depth` */
  open(depth: number): void {
    while (this.lists.length <= depth) this.lists.push([]);
    this.counts[depth] = 0;
    this.sets[depth]?.clear();
  }

  /** adds a key to the mapping at `depth`; false when the mapping has it already */
  add(depth: number, name: string): boolean {
    const n = this.counts[depth]!;
    if (n < SHORT_MAP) {
      const list = this.lists[depth]!;
      for (let i = 0; i < n; i++) if (list[i] === name) return false;
      list[n] = name;
    } else {
      let set = this.sets[depth];
      if (!set) this.sets[depth] = set = new Set();
      if (n === SHORT_MAP) for (const k of this.lists[depth]!) set.add(k);
      if (set.has(name)) return false;
      set.add(name);
    }
    this.counts[depth] = n + 1;
    return true;
  }
}
