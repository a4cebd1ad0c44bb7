/**
 * What a command tells the person running it, on stderr: warnings, notes and a progress counter.
 * Results go to stdout (output.ts); messages never carry a secret value.
 */
import { writeStderr } from './output.js';
import { interactive, style } from './style.js';

export function warn(message: string): void {
  writeStderr(`${style.yellow('warning')}: ${message}\n`);
}

export function note(message: string): void {
  writeStderr(`${message}\n`);
}

/** How many files of a directory walk were left out as not Kubernetes manifests, naming the first few. */
export function noteSkipped(paths: readonly string[]): void {
  if (paths.length === 0) return;
  const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ', ...' : '');
  note(`skipped ${paths.length} YAML file${paths.length === 1 ? '' : 's'} that ${paths.length === 1 ? 'is not a Kubernetes manifest' : 'are not Kubernetes manifests'} (${shown})`);
}

export interface Progress {
  tick(by?: number): void;
  /** more work to count towards: the total grows (work found while it runs, e.g. files still being read) */
  grow(by: number): void;
  /** clears the line; call it before printing anything else */
  done(): void;
}

/** A one-line counter on stderr, redrawn at most ten times a second; silent off a TTY. */
export function progress(label: string, total?: number): Progress {
  if (!interactive()) return { tick() {}, grow() {}, done() {} };
  let count = 0;
  let last = 0;
  const draw = () => {
    const of = total === undefined ? '' : `/${total}`;
    writeStderr(`\r${style.dim(`${label} ${count}${of}`)}\u001b[K`);
  };
  return {
    tick(by = 1) {
      count += by;
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        draw();
      }
    },
    grow(by) {
      total = (total ?? 0) + by;
    },
    done() {
      writeStderr('\r\u001b[K');
    },
  };
}
