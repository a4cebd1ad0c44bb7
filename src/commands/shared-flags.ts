/**
 * The values of the flags declared in src/cli/shared-flags.ts, as the options
 * the domain functions take.
 */
import type { ControllerRef } from '../seal/cert.js';

export interface ControllerFlags {
  controllerName?: string;
  controllerNamespace?: string;
  kubeconfig?: string;
  context?: string;
}

export function controllerRef(flags: ControllerFlags): ControllerRef {
  return {
    controllerName: flags.controllerName,
    controllerNamespace: flags.controllerNamespace,
    kubeconfig: flags.kubeconfig,
    context: flags.context,
  };
}

export interface PrivateKeyFlags {
  privateKey?: string[];
  recoveryPrivateKey?: string[];
}

/** Every private key file named by --private-key / --recovery-private-key, comma lists split as kubeseal does. */
export function privateKeyPaths(flags: PrivateKeyFlags): string[] {
  return [...(flags.privateKey ?? []), ...(flags.recoveryPrivateKey ?? [])].flatMap((v) => v.split(',')).filter((v) => v !== '');
}
