/**
 * `ksec seal --validate` and `ksec seal --re-encrypt`: kubeseal's online
 * modes, answered by the controller in the cluster (seal/controller-online.ts).
 * The offline commands with the same purpose are `ksec validate` and
 * `ksec reencrypt`.
 */
import { ExitCode, KsecError } from '../errors.js';
import { objectRef } from '../manifest/objects.js';
import { readObjects, type ManifestObject } from '../manifest/read.js';
import { writeFileAtomic } from '../manifest/write.js';
import { openController } from '../seal/controller-api.js';
import { rotateWithController, verifyWithController } from '../seal/controller-online.js';
import { renderSealedSecrets } from '../seal/layout.js';
import { note, noteSkipped, progress } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import type { ReencryptOnlinePlan, ValidateOnlinePlan } from './seal-plan.js';

/** One line per SealedSecret the controller cannot decrypt (stdout), a count on stderr; exit 1 when one is invalid. */
export async function runValidateOnline(plan: ValidateOnlinePlan): Promise<void> {
  const objects = await readSealedSecrets(plan.inputs, false);
  const api = await openController(plan.controller);
  const bar = progress('validating', objects.length);
  const invalid: string[] = [];
  try {
    for (const o of objects) {
      const ref = objectRef(o.object, plan.namespace);
      if (!(await verifyWithController(api, withNamespace(o.object, plan.namespace), ref))) {
        invalid.push(`${o.file.path}:${o.document.line}: ${ref}: the controller cannot decrypt it [controller-decrypt]\n`);
      }
      bar.tick();
    }
  } finally {
    bar.done();
  }
  await writeStdout(invalid.join(''));
  note(`${objects.length} SealedSecret(s) checked by the ${api.source}: ${invalid.length} invalid`);
  if (invalid.length > 0) process.exitCode = ExitCode.findings;
}

/** Every SealedSecret of the input re-sealed by the controller, written all at once (never a plaintext). */
export async function runReencryptOnline(plan: ReencryptOnlinePlan): Promise<void> {
  const objects = await readSealedSecrets([plan.input], true);
  const api = await openController(plan.controller);
  const rotated: Record<string, unknown>[] = [];
  for (const o of objects) {
    rotated.push(await rotateWithController(api, withNamespace(o.object, plan.namespace), objectRef(o.object, plan.namespace)));
  }
  const text = renderSealedSecrets(rotated, plan.output.format);
  if (plan.output.to === 'file') {
    await writeFileAtomic(plan.output.path, text, 0o600);
    return;
  }
  await writeStdout(text);
  if (plan.output.from) note(`printed to stdout; ${plan.output.from} is unchanged (kubeseal rewrites it in place: add --in-place)`);
}

/**
 * The SealedSecrets of the inputs. With `only`, any other object is an error (the file may be
 * rewritten in place and must not lose it); otherwise other objects are skipped with a note.
 */
async function readSealedSecrets(inputs: string[], only: boolean): Promise<ManifestObject[]> {
  const skipped: string[] = [];
  const all = await readObjects(inputs, { skipped });
  noteSkipped(skipped);
  const other = all.filter((o) => o.object.kind !== 'SealedSecret');
  if (only && other.length > 0) {
    const o = other[0]!;
    throw new KsecError(`${objectRef(o.object)} is not a SealedSecret`, {
      file: `${o.file.path}:${o.document.line}`,
      hint: '--re-encrypt takes SealedSecrets only (a Secret is sealed with ksec seal)',
    });
  }
  const objects = all.filter((o) => o.object.kind === 'SealedSecret');
  if (objects.length === 0) {
    throw new KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give files with kind: SealedSecret' });
  }
  if (!only && other.length > 0) note(`skipped ${other.length} object(s) that are not SealedSecrets`);
  return objects;
}

/** The object as sent to the controller: -n fills a missing metadata.namespace. */
function withNamespace(object: ManifestObject['object'], namespace: string | undefined): Record<string, unknown> {
  const o = object as unknown as Record<string, unknown>;
  const metadata = (o.metadata ?? {}) as Record<string, unknown>;
  if (!namespace || metadata.namespace) return o;
  return { ...o, metadata: { ...metadata, namespace } };
}
