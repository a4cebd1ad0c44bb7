/**
 * The namespace kubeseal gives a Secret that names none: the namespace of the
 * kubeconfig's context, else "default". The kubeconfig is read as data, never
 * loaded as a client.
 */
import { kubeconfigFiles, readKubeconfig } from '../kube/kubeconfig-files.js';

export interface KubeconfigContext {
  /** kubeconfig file (default: the first of $KUBECONFIG, else ~/.kube/config) */
  kubeconfig?: string;
  /** context name (default: the current context) */
  context?: string;
}

export async function defaultNamespace(ref: KubeconfigContext): Promise<string> {
  const config = (await readKubeconfig(kubeconfigFiles(ref.kubeconfig)[0]!)) as
    | { 'current-context'?: string; contexts?: { name?: string; context?: { namespace?: string } }[] }
    | undefined;
  const name = ref.context ?? config?.['current-context'];
  return config?.contexts?.find((c) => c?.name === name)?.context?.namespace || 'default';
}
