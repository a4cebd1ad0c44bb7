/**
 * metav1.ObjectMeta's JSON fields in the order of the Go struct (the order
 * encoding/json prints them in), and which of them kubeseal leaves out of a
 * SealedSecret's template: the fields the API server sets or owns.
 */
export const OBJECT_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
] as const;

const KEPT_IN_TEMPLATE: ReadonlySet<string> = new Set(['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers']);

/** The ObjectMeta fields dropped from a Secret's metadata when it becomes a SealedSecret template. */
export const SERVER_SET_META_FIELDS: readonly string[] = OBJECT_META_FIELDS.filter((f) => !KEPT_IN_TEMPLATE.has(f));
