/**
 * The bed's Go YAML reader (test/e2e/testbed/yaml-reader/main.go: sigs.k8s.io/yaml at the version
 * kubeseal pins, built by install.sh), run once over many texts: JSON lines in (one JSON string per
 * text), one verdict per line out. Used by the differential tests of ksec's YAML reader and writer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { toolsDir } from '../testbed/versions.js';

export interface Verdict {
  ok: boolean;
  /** canonical JSON (keys sorted) of the value */
  json?: string;
  /** whether a typed field holds a non-string */
  typed?: boolean;
}

/** JSON with every object's keys sorted (Go's encoding/json sorts map keys). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Runs the Go reader once over all texts. */
export function goVerdicts(reader: string, texts: string[]): Promise<Verdict[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(reader, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`yaml-reader exited ${code}: ${Buffer.concat(err).toString()}`));
      const lines = Buffer.concat(out).toString('utf8').trimEnd().split('\n');
      resolve(
        lines.map((line) => {
          const r = JSON.parse(line) as { ok: boolean; json?: unknown; typed?: string };
          return r.ok ? { ok: true, json: canonical(r.json), typed: r.typed !== '' } : { ok: false };
        }),
      );
    });
    child.stdin.end(texts.map((t) => JSON.stringify(t)).join('\n') + '\n');
  });
}

/** The reader: KSEC_YAML_READER when set (a build made by hand), else the test bed's. */
export function readerPath(): string {
  return process.env['KSEC_YAML_READER'] || join(toolsDir(), 'yaml-reader');
}

