/**
 * The clusters a seal run seals for, each a name and a sealing certificate.
 * Certificates come from their sources (file, URL or PEM text, see cert.ts),
 * or from the controller through the Kubernetes API.
 */
import { fetchControllerCertificate, loadCertificate, type ControllerRef, type SealingCertificate } from './cert.js';

export interface Target {
  /** names output files and directories when there are several targets; "default" for the controller's */
  cluster: string;
  cert: SealingCertificate;
}

export interface NamedCertificateSource {
  cluster: string;
  /** a file path, file:// or http(s) URL, or PEM text */
  source: string;
}

export type TargetCertificates =
  | { from: 'sources'; sources: NamedCertificateSource[] }
  | { from: 'controller'; controller: ControllerRef };

/** Every target's certificate, loaded (expired ones refused); in the order given. */
export async function loadTargets(certificates: TargetCertificates): Promise<Target[]> {
  if (certificates.from === 'controller') {
    return [{ cluster: 'default', cert: await fetchControllerCertificate(certificates.controller) }];
  }
  return Promise.all(certificates.sources.map(async (s) => ({ cluster: s.cluster, cert: await loadCertificate(s.source) })));
}
