/**
 * kubeseal's online modes, asked of the controller itself (through
 * controller-api.ts), as kubeseal v0.36.6 does (pkg/kubeseal
 * ValidateSealedSecret / ReEncryptSealedSecret):
 *
 * - verify: POST the SealedSecret as JSON to `/v1/verify`. The controller
 *   answers 200 when one of its keys decrypts every value, 409 when not, 500
 *   when it cannot read the object.
 * - rotate: POST it to `/v1/rotate`. The controller decrypts it and seals the
 *   Secret again with its newest key; it answers 200 with the new SealedSecret
 *   as JSON (the bare struct: no apiVersion, no kind), or 500 when it cannot
 *   decrypt or read it. kubeseal decodes it into its type, clears
 *   creationTimestamp, deletionTimestamp and generation, and prints it with
 *   apiVersion and kind.
 *
 * Offline counterparts (private keys or a certificate in hand, no cluster):
 * validate.ts and reencrypt.ts.
 */
import { KsecError } from '../errors.js';
import { isRecord } from '../manifest/objects.js';
import type { ControllerApi } from './controller-api.js';

/** True when the controller can decrypt the SealedSecret (200), false when it cannot (409). */
export async function verifyWithController(api: ControllerApi, sealedSecret: Record<string, unknown>, ref: string): Promise<boolean> {
  const res = await api.post('/v1/verify', sealedSecret);
  if (res.status === 200) return true;
  if (res.status === 409) return false;
  if (res.status === 500) {
    throw new KsecError(`the controller could not read ${ref} (HTTP 500)`, {
      file: api.source,
      hint: 'check it with ksec validate (offline structure checks); the controller\'s log says more',
    });
  }
  throw api.statusError(res, `validate ${ref}`);
}

/**
 * The SealedSecret re-encrypted by the controller with its newest key. The answer is checked to
 * be a SealedSecret with encryptedData before anything is written: never a plaintext Secret.
 */
export async function rotateWithController(api: ControllerApi, sealedSecret: Record<string, unknown>, ref: string): Promise<Record<string, unknown>> {
  const res = await api.post('/v1/rotate', sealedSecret);
  if (res.status === 409 || res.status === 500) {
    throw new KsecError(`the controller could not re-encrypt ${ref} (HTTP ${res.status}): it cannot decrypt it with any of its keys, or cannot read it`, {
      file: api.source,
      hint: 'ksec seal --validate tells whether the controller can decrypt it (it was sealed for another cluster, name or namespace?)',
    });
  }
  if (res.status !== 200) throw api.statusError(res, `re-encrypt ${ref}`);
  let rotated: unknown;
  try {
    rotated = JSON.parse(res.body);
  } catch {
    rotated = undefined;
  }
  // the controller marshals the bare struct (no apiVersion/kind); kubeseal's encoder adds them
  const kindOk = isRecord(rotated) && (rotated.kind === undefined || rotated.kind === 'SealedSecret');
  if (!isRecord(rotated) || !kindOk || !isRecord(rotated.spec) || !isRecord(rotated.spec.encryptedData)) {
    throw new KsecError(`the controller's answer for ${ref} is not a SealedSecret; nothing written`, {
      file: api.source,
      hint: 'check --controller-name / --controller-namespace point at a sealed-secrets controller',
    });
  }
  // what kubeseal clears before printing
  if (isRecord(rotated.metadata)) {
    const { creationTimestamp: _c, deletionTimestamp: _d, generation: _g, ...metadata } = rotated.metadata;
    rotated.metadata = metadata;
  }
  return { ...rotated, apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret' };
}
