/**
 * `ksec unseal`: SealedSecrets -> Secrets offline, with the controller's
 * private keys. The Secret (or the values of --data-key) goes to stdout or to
 * the -w file, mode 0600.
 */
import { KsecError } from '../errors.js';
import { objectRef } from '../manifest/objects.js';
import { expandPaths, readObjects, STDIN, type ManifestFormat } from '../manifest/read.js';
import { formatFromPath, parseFormat, render, writeFileAtomic } from '../manifest/write.js';
import { loadPrivateKeys } from '../seal/keys.js';
import { decryptMany } from '../seal/pool.js';
import { KeyRing, unsealSealedSecrets } from '../seal/unseal.js';
import { noteSkipped, progress } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { refuseOutputOverInput } from '../user-file.js';
import { privateKeyPaths, type PrivateKeyFlags } from './shared-flags.js';

export interface UnsealFlags extends PrivateKeyFlags {
  file?: string[];
  format?: string;
  dataKey?: string[];
  write?: string;
  namespace?: string;
}

/** Values per pool call: slices keep the progress line moving on long runs; the pool parallelises each. */
const PROGRESS_SLICE = 2000;

export async function runUnseal(flags: UnsealFlags): Promise<void> {
  const format = parseFormat(flags.format ?? (flags.write ? formatFromPath(flags.write) : 'yaml')) as ManifestFormat;
  const keys = await loadPrivateKeys(privateKeyPaths(flags));
  const inputs = flags.file?.length ? flags.file : [STDIN];
  if (flags.write) await refuseOutputOverInput(flags.write, await expandPaths(inputs));
  const skipped: string[] = [];
  const objects = (await readObjects(inputs, { skipped })).filter((o) => o.object.kind === 'SealedSecret');
  noteSkipped(skipped);
  if (objects.length === 0) {
    throw new KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give a file with kind: SealedSecret' });
  }
  const ring = new KeyRing(keys.map((k) => k.key));
  const total = objects.reduce((n, o) => n + Object.keys((o.object.spec as { encryptedData?: object } | undefined)?.encryptedData ?? {}).length, 0);
  const bar = progress('unsealing', total);
  const secrets = await unsealSealedSecrets(
    objects.map((o) => ({ object: o.object, file: o.file.path })),
    ring,
    { namespace: flags.namespace },
    async (k, jobs) => {
      const out = [];
      for (let i = 0; i < jobs.length; i += PROGRESS_SLICE) {
        out.push(...(await decryptMany(k, jobs.slice(i, i + PROGRESS_SLICE))));
        bar.tick(Math.min(PROGRESS_SLICE, jobs.length - i));
      }
      return out;
    },
  );
  bar.done();

  let output: string | Buffer;
  if (flags.dataKey?.length) {
    if (secrets.length !== 1) {
      throw new KsecError(`--data-key needs exactly one SealedSecret, found ${secrets.length}`, {
        file: inputs.join(', '),
        hint: 'give one file with one SealedSecret',
      });
    }
    const secret = secrets[0]!;
    const values = flags.dataKey.map((key) => {
      const value = secret.data && Object.hasOwn(secret.data, key) ? secret.data[key] : undefined;
      if (typeof value !== 'string') {
        throw new KsecError(`the Secret has no key "${key}"`, {
          object: objectRef(secret),
          hint: `keys: ${Object.keys(secret.data ?? {}).join(', ') || '(none)'}`,
        });
      }
      return Buffer.from(value, 'base64');
    });
    output = values.length === 1 ? values[0]! : Buffer.concat(values.flatMap((v) => [v, Buffer.from('\n')]));
  } else {
    output = render(secrets, format);
  }
  if (flags.write) await writeFileAtomic(flags.write, output, 0o600);
  else await writeStdout(output);
}
