/**
 * The namespace for a Secret that names none: the namespace of the
 * kubeconfig's context. Undefined when no context gives one: such a Secret is
 * refused, as kubeseal refuses it ("secret must declare a namespace"), since a
 * value sealed for `default` would not open once kustomize or Argo CD sets the
 * real namespace. The kubeconfig is read as data, never loaded as a client.
 */
import { kubeconfigFiles, readKubeconfig } from '../kube/kubeconfig-files.js';

export interface KubeconfigContext {
  /** kubeconfig file (default: the first of $KUBECONFIG, else ~/.kube/config) */
  kubeconfig?: string;
  /** context name (default: the current context) */
  context?: string;
}

export async function defaultNamespace(ref: KubeconfigContext): Promise<string | undefined> {
  const config = (await readKubeconfig(kubeconfigFiles(ref.kubeconfig)[0]!)) as
    | { 'current-context'?: string; contexts?: { name?: string; context?: { namespace?: string } }[] }
    | undefined;
  const name = ref.context ?? config?.['current-context'];
  return config?.contexts?.find((c) => c?.name === name)?.context?.namespace || undefined;
}
