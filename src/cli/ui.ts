/**
 * Terminal conventions shared by every command: colour only on a TTY and
 * never with NO_COLOR / --no-color; progress only on an interactive stderr,
 * never in CI or a pipe; warnings and errors on stderr, results on stdout.
 */
import { fstatSync } from 'node:fs';
import { writeStderr } from '../manifest/write.js';

let colorDisabledByFlag = false;

export function disableColor(): void {
  colorDisabledByFlag = true;
}

/** Colour on stderr: a terminal, and neither NO_COLOR nor --no-color. */
export function colorEnabled(): boolean {
  if (colorDisabledByFlag) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  return stderrIsTerminal();
}

function paint(code: number, text: string): string {
  return colorEnabled() ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export const style = {
  red: (t: string) => paint(31, t),
  yellow: (t: string) => paint(33, t),
  green: (t: string) => paint(32, t),
  dim: (t: string) => paint(2, t),
  bold: (t: string) => paint(1, t),
};

/** Progress and spinners belong on a person's terminal only. */
export function interactive(): boolean {
  return !process.env.CI && stderrIsTerminal();
}

/**
 * process.stderr.isTTY, without creating the stream: that costs start-up (the net module on a
 * pipe, the tty module on a terminal), and a terminal is always a character device.
 */
let stderrTerminal: boolean | undefined;
function stderrIsTerminal(): boolean {
  if (stderrTerminal === undefined) {
    try {
      stderrTerminal = fstatSync(2).isCharacterDevice() && process.getBuiltinModule('node:tty').isatty(2);
    } catch {
      stderrTerminal = false;
    }
  }
  return stderrTerminal;
}

export function warn(message: string): void {
  writeStderr(`${style.yellow('warning')}: ${message}\n`);
}

export function note(message: string): void {
  writeStderr(`${message}\n`);
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
    done() {
      writeStderr('\r\u001b[K');
    },
  };
}
