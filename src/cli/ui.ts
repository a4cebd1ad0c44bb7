/**
 * Terminal conventions shared by every command: colour only on a TTY and
 * never with NO_COLOR / --no-color; progress only on an interactive stderr,
 * never in CI or a pipe; warnings and errors on stderr, results on stdout.
 */
import { fstatSync } from 'node:fs';

let colorDisabledByFlag = false;

export function disableColor(): void {
  colorDisabledByFlag = true;
}

export function colorEnabled(stream: NodeJS.WriteStream = process.stderr): boolean {
  if (colorDisabledByFlag) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

function paint(code: number, text: string, stream: NodeJS.WriteStream): string {
  return colorEnabled(stream) ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export const style = {
  red: (t: string, s: NodeJS.WriteStream = process.stderr) => paint(31, t, s),
  yellow: (t: string, s: NodeJS.WriteStream = process.stderr) => paint(33, t, s),
  green: (t: string, s: NodeJS.WriteStream = process.stderr) => paint(32, t, s),
  dim: (t: string, s: NodeJS.WriteStream = process.stderr) => paint(2, t, s),
  bold: (t: string, s: NodeJS.WriteStream = process.stderr) => paint(1, t, s),
};

/** Progress and spinners belong on a person's terminal only. */
export function interactive(): boolean {
  return !process.env.CI && stderrIsTerminal();
}

/**
 * process.stderr.isTTY, without creating the stream when stderr is a pipe or a file: that costs
 * start-up (the net module), and a terminal is always a character device.
 */
function stderrIsTerminal(): boolean {
  try {
    if (!fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return Boolean(process.stderr.isTTY);
}

export function warn(message: string): void {
  process.stderr.write(`${style.yellow('warning')}: ${message}\n`);
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export interface Progress {
  tick(by?: number): void;
  done(): void;
}

/** A one-line counter on stderr, redrawn at most ten times a second; silent off a TTY. */
export function progress(label: string, total?: number): Progress {
  if (!interactive()) return { tick() {}, done() {} };
  let count = 0;
  let last = 0;
  const draw = () => {
    const of = total === undefined ? '' : `/${total}`;
    process.stderr.write(`\r${style.dim(`${label} ${count}${of}`)}\u001b[K`);
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
    done() {
      process.stderr.write('\r\u001b[K');
    },
  };
}
