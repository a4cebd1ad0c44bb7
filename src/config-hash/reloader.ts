/** stakater Reloader's hash of a ConfigMap or Secret (`--algorithm reloader`). */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../manifest/objects.js';
import { configMapBytes, hashInputError, secretBytes } from './content.js';
import { hashableKind } from './kinds.js';

/**
 * Reloader's digest. Reloader's releases use SHA-1: v1.4.14's
 * `internal/pkg/crypto/sha.go` calls crypto/sha1 (nothing in that tree uses
 * SHA-512/256), although v1.4.14 carries the CSI support of PR #1073, whose
 * review proposed SHA-512/256; test/e2e/watch/reloader.test.ts compares with
 * values the real v1.4.14 stamped. 'sha512-256' is kept for a Reloader built
 * with that proposal. Both are lowercase hex.
 */
export type ReloaderDigest = 'sha1' | 'sha512-256';

export interface ReloaderHashOptions {
  digest?: ReloaderDigest;
}

/**
 * Reloader's hash of a ConfigMap or Secret, bit for bit. Following
 * `GetSHAfromConfigmap` / `GetSHAfromSecret` (internal/pkg/util/util.go):
 * one `key=value` string per entry — ConfigMap data as is, binaryData
 * re-encoded with Go's base64.StdEncoding, Secret data decoded to raw bytes —
 * sorted bytewise (sort.Strings), joined with `;`, then digested (SHA-1 by
 * default). Reloader sees Secrets from the API server, where stringData has
 * been merged into data; so does this function.
 */
export function reloaderHash(obj: KubeObject, options: ReloaderHashOptions = {}): string {
  const kind = hashableKind(obj);
  const values: Buffer[] = [];
  if (kind === 'ConfigMap') {
    const { data, binary } = configMapBytes(obj);
    for (const [key, value] of data) values.push(Buffer.concat([Buffer.from(`${key}=`, 'utf8'), value]));
    for (const [key, value] of binary) values.push(Buffer.from(`${key}=${value.toString('base64')}`, 'utf8'));
  } else if (kind === 'Secret') {
    for (const [key, value] of secretBytes(obj)) values.push(Buffer.concat([Buffer.from(`${key}=`, 'utf8'), value]));
  } else {
    throw hashInputError(obj, `Reloader hashes only ConfigMaps and Secrets, not ${obj.kind ?? 'this object'}`, 'use --algorithm ksec');
  }
  values.sort(Buffer.compare);
  const joined: Buffer[] = [];
  values.forEach((v, i) => {
    if (i > 0) joined.push(SEMICOLON);
    joined.push(v);
  });
  return createHash(options.digest ?? 'sha1')
    .update(Buffer.concat(joined))
    .digest('hex');
}

const SEMICOLON = Buffer.from(';');
