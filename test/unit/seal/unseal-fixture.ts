/** Test helpers for the offline seal modules: SealedSecrets built straight from hybrid.ts and scope.ts. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { KsecError } from '../../../src/errors.js';
import type { SealedSecret } from '../../../src/manifest/objects.js';
import { hybridEncrypt } from '../../../src/seal/hybrid.js';
import { annotationsFor, labelFor, type SealingScope } from '../../../src/seal/scope.js';

export const CANARY = 'canary-s3cr3t-value-7f3a';

export interface SealArgs {
  key: KeyObject;
  data: Record<string, string | Buffer>;
  name?: string;
  namespace?: string;
  scope?: SealingScope;
  /** seal for this place instead of the object's own */
  sealAs?: { scope: SealingScope; namespace: string; name: string };
}

export function seal(args: SealArgs): SealedSecret {
  const name = args.name ?? 'db';
  const namespace = args.namespace ?? 'prod';
  const scope = args.scope ?? 'strict';
  const as = args.sealAs ?? { scope, namespace, name };
  const label = labelFor(as.scope, as.namespace, as.name);
  const pub = createPublicKey(args.key);
  const encryptedData = Object.fromEntries(
    Object.entries(args.data).map(([k, v]) => [k, hybridEncrypt(pub, Buffer.from(v), label).toString('base64')]),
  );
  const annotations = annotationsFor(scope);
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name, namespace, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      encryptedData,
      template: { metadata: { name, namespace, labels: { app: 'web' }, annotations }, type: 'Opaque' },
    },
  };
}

export function catchError(fn: () => unknown): KsecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KsecError) return err;
    throw err;
  }
  throw new Error('expected a KsecError');
}
