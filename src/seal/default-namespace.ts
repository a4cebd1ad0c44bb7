/**
 * The namespace for a Secret that names none: the namespace of the
 * kubeconfig's context. Undefined when no context gives one: such a Secret is
 * refused, as kubeseal refuses it ("secret must declare a namespace"), since a
 * value sealed for `default` would not open once kustomize or Argo CD sets the
 * real namespace. The kubeconfig is read as data, never loaded as a client.
 */
import { kubeconfigFiles, readKubeconfig } from '../kube/kubeconfig-files.js';

export interface KubeconfigContext {
  /** kubeconfig file (default: the files of $KUBECONFIG, else ~/.kube/config) */
  kubeconfig?: string;
  /** context name (default: the current context) */
  context?: string;
}

export async function defaultNamespace(ref: KubeconfigContext): Promise<string | undefined> {
  // KUBECONFIG lists as kubectl merges them: the first current-context, the first file naming the context
  type Config = { 'current-context'?: string; contexts?: { name?: string; context?: { namespace?: string } }[] };
  const configs = (await Promise.all(kubeconfigFiles(ref.kubeconfig).map((f) => readKubeconfig(f)))) as (Config | undefined)[];
  const name = ref.context ?? configs.find((c) => c?.['current-context'])?.['current-context'];
  for (const config of configs) {
    const context = config?.contexts?.find((c) => c?.name === name);
    if (context) return context.context?.namespace || undefined;
  }
  return undefined;
}
