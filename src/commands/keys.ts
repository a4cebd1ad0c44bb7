/**
 * `ksec keys inventory` and `ksec keys rotate-plan`: the key inventory of a
 * tree (src/seal/key-inventory.ts) as text or JSON, and as the sh script of
 * `ksec reencrypt` commands that moves everything to the newest key.
 */
import { ExitCode, KsecError, fileError } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { expandPaths, parseManifestText, type ManifestFile } from '../manifest/read.js';
import { parseFormat } from '../manifest/write.js';
import { loadCertificate } from '../seal/cert.js';
import { isReencryptCandidate, keyInventory, type Inventory, type InventoryItem, type InventoryKey } from '../seal/key-inventory.js';
import { loadPrivateKeys } from '../seal/keys.js';
import { identifyMany } from '../seal/pool.js';
import { note, progress, warn, type Progress } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { privateKeyPaths, type PrivateKeyFlags } from './shared-flags.js';

export interface KeysInventoryFlags extends PrivateKeyFlags {
  format?: string;
  namespace?: string;
  requireNewest?: boolean;
}

export interface KeysRotatePlanFlags extends PrivateKeyFlags {
  cert?: string;
  namespace?: string;
}

/** Reads the keys (with their certificates) and the tree, and takes the inventory on the worker pool. */
async function takeInventory(paths: string[], flags: PrivateKeyFlags & { namespace?: string }): Promise<Inventory> {
  const keys = await loadPrivateKeys(privateKeyPaths(flags), { certificates: true });
  if (paths.length === 0) throw new KsecError('no path given', { hint: 'pass the files or directories with SealedSecrets' });
  const files = await readSealedSecretFiles(paths);
  let bar: Progress | undefined;
  const inventory = await keyInventory(files, keys, {
    namespace: flags.namespace,
    run: (k, count, job, onResult) => identifyMany(k, count, job, onResult),
    onProgress: (_done, total) => (bar ??= progress('trying keys on sealed values', total)).tick(),
  });
  bar?.done();
  if (inventory.items.length === 0) {
    throw new KsecError('no SealedSecret found', {
      file: paths.join(', '),
      hint: inventory.summary.empty ? `${inventory.summary.empty} SealedSecret(s) hold no encryptedData` : 'give files or directories with kind: SealedSecret',
    });
  }
  const undated = inventory.keys.filter((k) => !k.notBefore);
  if (undated.length > 0 && undated.length < inventory.keys.length) {
    warn(`${undated.length} key(s) without a certificate: their age is unknown, the newest is chosen among the others (${undated.map((k) => k.fingerprint).join(', ')})`);
  }
  return inventory;
}

/**
 * The manifest files under `paths` that can hold a SealedSecret: a file whose
 * text never says "SealedSecret" is not parsed (a tree also holds Helm
 * templates and other YAML that need not parse). One that does must parse.
 */
async function readSealedSecretFiles(paths: string[]): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const path of await expandPaths(paths)) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw fileError(err, path);
    }
    if (text.includes('SealedSecret')) files.push(parseManifestText(text, path));
  }
  return files;
}

export async function runKeysInventory(paths: string[], flags: KeysInventoryFlags): Promise<void> {
  const format = parseFormat(flags.format ?? 'text', ['text', 'json']);
  const inventory = await takeInventory(paths, flags);
  await writeStdout(format === 'json' ? JSON.stringify(inventoryJson(inventory), null, 2) + '\n' : inventoryText(inventory));
  const { unopened, reencrypt, newestKey } = inventory.summary;
  if (unopened > 0 || (flags.requireNewest && (reencrypt > 0 || newestKey === null))) process.exitCode = ExitCode.findings;
}

/** The JSON document: keys, items, summary (dates as ISO strings, null when unknown). */
export function inventoryJson(inventory: Inventory): unknown {
  return {
    keys: inventory.keys.map((k) => ({
      fingerprint: k.fingerprint,
      notBefore: k.notBefore?.toISOString() ?? null,
      notAfter: k.notAfter?.toISOString() ?? null,
      items: k.items,
      newest: k.newest,
      source: k.source,
    })),
    items: inventory.items.map((i) => ({
      file: i.file,
      line: i.line,
      namespace: i.namespace,
      name: i.name,
      key: i.key,
      scope: i.scope,
      ...(i.keys.length > 1 ? { keys: i.keys } : {}),
      ...(i.problem !== undefined ? { problem: i.problem } : {}),
    })),
    summary: {
      files: inventory.summary.files,
      items: inventory.summary.items,
      newestKey: inventory.summary.newestKey,
      onNewestKey: inventory.summary.onNewest,
      reencryptCandidates: inventory.summary.reencrypt,
      unopened: inventory.summary.unopened,
      untested: inventory.summary.untested,
      unusedKeys: inventory.summary.unused,
      withoutEncryptedData: inventory.summary.empty,
      rsaOperations: inventory.summary.rsaOperations,
    },
  };
}

const RETIRE = 'safe to retire as far as this tree is concerned';

export function inventoryText(inventory: Inventory): string {
  const { keys, items, summary } = inventory;
  const out: string[] = [];
  const day = (d: Date | undefined) => (d ? d.toISOString().replace(/\.000Z$/, 'Z') : '(no certificate)');
  out.push(`keys (${keys.length}):`);
  for (const k of keysNewestFirst(keys)) {
    out.push(
      `  ${k.fingerprint}${k.newest ? '  newest' : ''}`,
      `    notBefore ${day(k.notBefore)}  notAfter ${day(k.notAfter)}${k.notAfter && k.notAfter.getTime() < Date.now() ? ' (expired)' : ''}`,
      `    opens ${k.items} SealedSecret(s)  from ${k.source}`,
    );
  }
  out.push('');
  out.push(
    `${summary.items} SealedSecret(s) in ${summary.files} file(s): ` +
      (summary.newestKey
        ? `${summary.onNewest} on the newest key, ${summary.reencrypt} on an older key, ${summary.unopened} that no given key opens`
        : `${summary.unopened} that no given key opens; the newest key is unknown (no key has a certificate)`),
  );
  const where = (i: InventoryItem) => `${i.file}:${i.line}  ${i.namespace ? `${i.namespace}/` : ''}${i.name}  (${i.scope})`;
  if (summary.newestKey && summary.reencrypt > 0) {
    out.push('', `sealed with a key older than the newest (candidates for ksec reencrypt; ksec keys rotate-plan prints the commands):`);
    for (const i of items) if (isReencryptCandidate(i, summary.newestKey)) out.push(`  ${where(i)}  ${i.keys.filter((k) => k !== summary.newestKey).join(', ')}`);
  }
  if (summary.unopened > 0) {
    out.push('', 'no given key opens:');
    for (const i of items) if (i.key === null) out.push(`  ${where(i)}  ${i.problem ?? ''}`);
  }
  const unused = keys.filter((k) => summary.unused.includes(k.fingerprint));
  if (unused.length > 0) {
    out.push('', `keys that open nothing in this tree (${RETIRE}):`);
    for (const k of unused) out.push(`  ${k.fingerprint}  ${k.source}`);
    if (summary.untested > 0) out.push(`  (${summary.untested} SealedSecret(s) could not be tried, see above: these keys may open them)`);
  }
  const newest = keys.find((k) => k.newest);
  if (newest && newest.items === 0) out.push('', `the newest key ${newest.fingerprint} opens nothing in this tree yet`);
  return out.join('\n') + '\n';
}

function keysNewestFirst(keys: InventoryKey[]): InventoryKey[] {
  return [...keys].sort((a, b) => (b.notBefore?.getTime() ?? -Infinity) - (a.notBefore?.getTime() ?? -Infinity));
}

/** Files per `ksec reencrypt` command of a plan. */
const FILES_PER_COMMAND = 100;

export async function runKeysRotatePlan(paths: string[], flags: KeysRotatePlanFlags): Promise<void> {
  const inventory = await takeInventory(paths, flags);
  const { keys, items, summary } = inventory;
  const newest = keys.find((k) => k.newest);
  if (!newest) {
    throw new KsecError('cannot tell the newest key: no key has a certificate', {
      hint: 'give the controller key backup Secrets (they hold tls.crt), or put each key\'s .crt beside it in a directory',
    });
  }
  if (newest.notAfter && newest.notAfter.getTime() < Date.now()) {
    throw new KsecError(`the newest key's certificate expired on ${newest.notAfter.toISOString()}: ksec reencrypt refuses to seal for it`, {
      file: newest.source,
      hint: 'rotate the controller\'s key first (it makes a new one every 30 days by default; or ksec keygen), then take the inventory with the new key backup',
    });
  }
  let certPath = newest.certificateFile;
  if (flags.cert !== undefined) {
    const cert = await loadCertificate(flags.cert);
    if (cert.fingerprint !== newest.fingerprint) {
      throw new KsecError(`the certificate is for ${cert.fingerprint}, not the newest key ${newest.fingerprint}`, {
        file: flags.cert,
        hint: 'pass the newest key\'s certificate, or give the keys whose certificates say which is newest',
      });
    }
    certPath = flags.cert;
  }

  const blocked = new Set(items.filter((i) => i.key === null).map((i) => i.file));
  const candidates = items.filter((i) => isReencryptCandidate(i, newest.fingerprint));
  const files = [...new Set(candidates.map((i) => i.file))].filter((f) => !blocked.has(f));
  const leftOut = [...new Set(candidates.map((i) => i.file))].filter((f) => blocked.has(f));

  const script: string[] = ['#!/bin/sh', comment(`ksec keys rotate-plan: move every SealedSecret under ${paths.map(shellQuote).join(' ')} to the newest key`)];
  script.push(comment(`newest key: ${newest.fingerprint} (notBefore ${newest.notBefore!.toISOString()})`));
  if (files.length === 0) {
    script.push(
      leftOut.length === 0
        ? `# nothing to move: no SealedSecret here is sealed with an older key`
        : `# nothing can be moved: every file with a SealedSecret on an older key also holds one no given key opens`,
    );
  } else {
    const planned = new Set(files);
    const moved = candidates.filter((i) => planned.has(i.file));
    const from = new Map<string, number>();
    for (const i of moved) for (const k of i.keys) if (k !== newest.fingerprint) from.set(k, (from.get(k) ?? 0) + 1);
    script.push(comment(`${moved.length} SealedSecret(s) in ${files.length} file(s), from ${[...from].map(([k, n]) => `${k} (${n})`).join(', ')}`));
    script.push('set -e');
    if (!certPath) {
      certPath = `sealed-secrets-${newest.fingerprint.slice(7, 15).replace(/[^A-Za-z0-9]/g, '_')}.crt`;
      script.push(comment(`the newest certificate (public) from ${newest.source}:`), `cat > ${shellQuote(certPath)} <<'EOF'`, newest.certificatePem!.trimEnd(), 'EOF');
    }
    const namespace = flags.namespace !== undefined ? ['-n', flags.namespace] : [];
    for (let start = 0; start < files.length; start += FILES_PER_COMMAND) {
      const batch = files.slice(start, start + FILES_PER_COMMAND);
      const inBatch = new Set(batch);
      const needed = new Set(items.filter((i) => inBatch.has(i.file)).flatMap((i) => i.keys));
      const keyFiles = [...new Set(keys.filter((k) => needed.has(k.fingerprint)).map((k) => k.file!))];
      const args = ['ksec', 'reencrypt', '--cert', certPath, ...keyFiles.flatMap((f) => ['--private-key', f]), ...namespace, '--in-place', ...batch.flatMap((f) => ['-f', f])];
      script.push(args.map(shellQuote).join(' '));
    }
    const keyArgs = privateKeyPaths(flags).flatMap((p) => ['--private-key', p]);
    script.push('# prove that nothing is left on older keys:');
    script.push(['ksec', 'keys', 'inventory', '--require-newest', ...keyArgs, ...namespace, ...paths].map(shellQuote).join(' '));
  }
  await writeStdout(script.join('\n') + '\n');
  if (leftOut.length > 0) {
    warn(`left out of the plan, as they hold a SealedSecret no given key opens (ksec reencrypt would refuse them): ${leftOut.join(', ')}`);
  }
  if (summary.unopened > 0) {
    note(`${summary.unopened} SealedSecret(s) open with no given key: run ksec keys inventory for the list`);
    process.exitCode = ExitCode.findings;
  }
}

/** A comment line for sh: a line break in a path must not end the comment and start a command. */
function comment(text: string): string {
  return `# ${text.replace(/[\u0000-\u001f\u007f]/g, '?')}`;
}

/** A word for sh: as it is when it is plain, else in single quotes (a line break stays inside them). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
