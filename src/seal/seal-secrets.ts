/**
 * Sealing the Secrets of many input files for one or more clusters, streamed:
 * each source is planned and its values handed to the pool as soon as it is
 * added, so the workers encrypt while later inputs are read and earlier
 * results are rendered.
 */
import type { SealedSecret } from '../manifest/objects.js';
import { openSealQueue, type SealQueue, type Ticket } from './pool.js';
import type { SecretSource } from './read-secrets.js';
import type { SealingScope } from './scope.js';
import { finishSeal, prepareSeal, type SealPlan } from './sealed-secret.js';
import type { Target } from './targets.js';

export interface SecretSealOptions {
  /** overrides every input's scope annotations (default: read them, strict when absent) */
  scope?: SealingScope;
  /** the sealed secret's name instead of the input's */
  name?: string;
  /** fills a missing namespace; an error when an input names another one */
  namespace?: string;
  /** namespace for an input without one when `namespace` is not given (none: such an input is refused) */
  defaultNamespace?: string;
  /** a Secret without data is sealed instead of refused */
  allowEmptyData?: boolean;
  /** called with the number of values just encrypted */
  onProgress?: (done: number) => void;
}

/** Sources sealed for every target as they are added. */
export interface Sealing {
  /** plans the source for every target (input errors are thrown here) and queues its values; returns how many (over all targets), the total onProgress counts towards */
  add(source: SecretSource): number;
  /** the SealedSecrets of source `source` (in add order) for target `target`; the calling thread helps with the RSA work while it waits */
  sealed(target: number, source: number): Promise<SealedSecret[]>;
  /** drops queued work (after an error) and lets the pool's workers go idle */
  close(): void;
}

export function startSealing(targets: Target[], options: SecretSealOptions): Sealing {
  const queue: SealQueue = openSealQueue({ onProgress: options.onProgress });
  // pending[t][s]: the plans of source s for target t and the pool ticket of their values
  const pending: { plans: SealPlan[]; ticket: Ticket<string> }[][] = targets.map(() => []);
  return {
    add(source) {
      let queued = 0;
      targets.forEach((target, t) => {
        const plans = source.secrets.map((secret) =>
          prepareSeal(secret, {
            scope: options.scope,
            name: options.name,
            namespace: options.namespace,
            defaultNamespace: options.defaultNamespace,
            allowEmptyData: options.allowEmptyData,
            file: source.file,
            inputFormat: source.format,
          }),
        );
        const jobs = plans.flatMap((plan) => plan.items.map((item) => ({ plaintext: item.plaintext, label: plan.label })));
        pending[t]!.push({ plans, ticket: queue.submit(target.cert.publicKey, jobs) });
        queued += jobs.length;
      });
      return queued;
    },
    async sealed(t, s) {
      const { plans, ticket } = pending[t]![s]!;
      const ciphertexts = await queue.result(ticket);
      let next = 0;
      return plans.map((plan) => finishSeal(plan, ciphertexts.slice(next, (next += plan.items.length))));
    },
    close() {
      queue.close();
    },
  };
}
