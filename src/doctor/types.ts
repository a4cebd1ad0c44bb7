/**
 * `ksec doctor`'s result: one check per line of the report. A check names its area, what it
 * checked, the object (Kind/namespace/name) when it is about one, a status, a one-line reason
 * and, when something is wrong, a hint. Reasons and hints never carry a secret value.
 */
export type DoctorArea = 'sealed-secrets' | 'external-secrets' | 'reloads' | 'hygiene';
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  area: DoctorArea;
  /** short id of the check, e.g. `controller`, `key-expiry`, `synced` */
  check: string;
  /** Kind/namespace/name (or Kind/name), when the check is about one object */
  object?: string;
  status: CheckStatus;
  reason: string;
  hint?: string;
}

export const AREAS: readonly DoctorArea[] = ['sealed-secrets', 'external-secrets', 'reloads', 'hygiene'];
