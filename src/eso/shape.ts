/**
 * The shape of a secret value: a JSON object (its top-level keys and the
 * paths to its leaves), a plain string, or binary. Computed where a value
 * arrives (aws.ts, ssm.ts) so that only the shape travels further.
 */
import { isRecord } from '../manifest/objects.js';
import type { SecretShape } from './generate.js';

/** Reduces a value to its shape; the value itself is not kept. */
export function shapeOf(secretString: string | undefined, secretBinary: Uint8Array | undefined): SecretShape {
  if (secretString !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString);
    } catch {
      return { type: 'string' };
    }
    if (!isRecord(parsed)) return { type: 'string' };
    return { type: 'json', keys: Object.keys(parsed), leaves: leafPaths(parsed, []) };
  }
  if (secretBinary !== undefined) return { type: 'binary' };
  return { type: 'string' };
}

function leafPaths(value: Record<string, unknown>, at: string[]): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (isRecord(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, [...at, k]));
    else out.push([...at, k]);
  }
  return out;
}
