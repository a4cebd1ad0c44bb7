/**
 * Pure builders for the External Secrets Operator objects ksec writes:
 * ExternalSecret, SecretStore and ClusterSecretStore (AWS provider), in the
 * `external-secrets.io/v1` shape (v1beta1 has the same fields for what we set).
 * Builders take names and keys, never values.
 */
import type { KubeObject } from '../manifest/objects.js';

export const ESO_GROUP = 'external-secrets.io';
export const ESO_API_VERSIONS = ['v1', 'v1beta1'] as const;
export type EsoApiVersion = (typeof ESO_API_VERSIONS)[number];

export const CREATION_POLICIES = ['Owner', 'Orphan', 'Merge', 'None'] as const;
export type CreationPolicy = (typeof CREATION_POLICIES)[number];
export const DELETION_POLICIES = ['Retain', 'Delete', 'Merge'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export const STORE_KINDS = ['ClusterSecretStore', 'SecretStore'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export const AWS_SERVICES = ['SecretsManager', 'ParameterStore'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

export function esoApiVersion(version: EsoApiVersion): string {
  return `${ESO_GROUP}/${version}`;
}

export interface StoreRef {
  name: string;
  kind: StoreKind;
}

export interface DataEntry {
  secretKey: string;
  remoteRef: {
    key: string;
    property?: string;
    /** `Base64` for values ksec stored base64-encoded (binary data in `migrate`) */
    decodingStrategy?: 'Base64';
  };
}

export type DataFromEntry =
  | { extract: { key: string }; rewrite?: { regexp: { source: string; target: string } }[] }
  | {
      find: { path?: string; name: { regexp: string } };
      rewrite?: { regexp: { source: string; target: string } }[];
    };

export interface ExternalSecretInput {
  apiVersion: EsoApiVersion;
  name: string;
  namespace?: string;
  store: StoreRef;
  refreshInterval: string;
  target: {
    name: string;
    creationPolicy: CreationPolicy;
    deletionPolicy: DeletionPolicy;
    /** `target.template.type`, e.g. kubernetes.io/dockerconfigjson */
    templateType?: string;
    /** labels and annotations for the Secret ESO creates */
    templateLabels?: Record<string, string>;
    templateAnnotations?: Record<string, string>;
  };
  data?: DataEntry[];
  dataFrom?: DataFromEntry[];
  annotations?: Record<string, string>;
}

export function buildExternalSecret(input: ExternalSecretInput): KubeObject {
  const metadata: Record<string, unknown> = { name: input.name };
  if (input.namespace) metadata.namespace = input.namespace;
  if (input.annotations && Object.keys(input.annotations).length > 0) metadata.annotations = { ...input.annotations };
  const target: Record<string, unknown> = {
    name: input.target.name,
    creationPolicy: input.target.creationPolicy,
    deletionPolicy: input.target.deletionPolicy,
  };
  const template: Record<string, unknown> = {};
  if (input.target.templateType) template.type = input.target.templateType;
  const templateMetadata: Record<string, unknown> = {};
  if (input.target.templateLabels && Object.keys(input.target.templateLabels).length) templateMetadata.labels = { ...input.target.templateLabels };
  if (input.target.templateAnnotations && Object.keys(input.target.templateAnnotations).length) {
    templateMetadata.annotations = { ...input.target.templateAnnotations };
  }
  if (Object.keys(templateMetadata).length) template.metadata = templateMetadata;
  if (Object.keys(template).length) target.template = template;
  const spec: Record<string, unknown> = {
    refreshInterval: input.refreshInterval,
    secretStoreRef: { name: input.store.name, kind: input.store.kind },
    target,
  };
  if (input.data && input.data.length > 0) spec.data = input.data.map((d) => ({ secretKey: d.secretKey, remoteRef: { ...d.remoteRef } }));
  if (input.dataFrom && input.dataFrom.length > 0) spec.dataFrom = input.dataFrom.map((d) => structuredClone(d));
  return { apiVersion: esoApiVersion(input.apiVersion), kind: 'ExternalSecret', metadata, spec };
}

export type AwsAuth =
  | { kind: 'default' }
  | { kind: 'irsa'; serviceAccount: string; serviceAccountNamespace?: string; audiences?: string[] }
  | {
      kind: 'secret-ref';
      secretName: string;
      secretNamespace?: string;
      accessKeyIdKey: string;
      secretAccessKeyKey: string;
      sessionTokenKey?: string;
    };

export interface StoreConditions {
  namespaces?: string[];
  namespaceRegexes?: string[];
  namespaceSelector?: Record<string, string>;
}

export interface SecretStoreInput {
  apiVersion: EsoApiVersion;
  kind: StoreKind;
  name: string;
  /** SecretStore only */
  namespace?: string;
  service: AwsService;
  region: string;
  role?: string;
  /** prepended by ESO to every remote key read through this store */
  prefix?: string;
  auth: AwsAuth;
  /** ClusterSecretStore only */
  conditions?: StoreConditions;
}

export function buildSecretStore(input: SecretStoreInput): KubeObject {
  const aws: Record<string, unknown> = { service: input.service, region: input.region };
  if (input.role) aws.role = input.role;
  if (input.prefix) aws.prefix = input.prefix;
  const auth = authOf(input.auth);
  if (auth) aws.auth = auth;
  const spec: Record<string, unknown> = { provider: { aws } };
  const c = input.conditions;
  if (c && (c.namespaces?.length || c.namespaceRegexes?.length || (c.namespaceSelector && Object.keys(c.namespaceSelector).length))) {
    const condition: Record<string, unknown> = {};
    if (c.namespaceSelector && Object.keys(c.namespaceSelector).length) condition.namespaceSelector = { matchLabels: { ...c.namespaceSelector } };
    if (c.namespaces?.length) condition.namespaces = [...c.namespaces];
    if (c.namespaceRegexes?.length) condition.namespaceRegexes = [...c.namespaceRegexes];
    spec.conditions = [condition];
  }
  const metadata: Record<string, unknown> = { name: input.name };
  if (input.kind === 'SecretStore' && input.namespace) metadata.namespace = input.namespace;
  return { apiVersion: esoApiVersion(input.apiVersion), kind: input.kind, metadata, spec };
}

function authOf(auth: AwsAuth): Record<string, unknown> | undefined {
  switch (auth.kind) {
    case 'default':
      return undefined;
    case 'irsa': {
      const ref: Record<string, unknown> = { name: auth.serviceAccount };
      if (auth.serviceAccountNamespace) ref.namespace = auth.serviceAccountNamespace;
      if (auth.audiences?.length) ref.audiences = [...auth.audiences];
      return { jwt: { serviceAccountRef: ref } };
    }
    case 'secret-ref': {
      const sel = (key: string) => {
        const s: Record<string, unknown> = { name: auth.secretName, key };
        if (auth.secretNamespace) s.namespace = auth.secretNamespace;
        return s;
      };
      const secretRef: Record<string, unknown> = {
        accessKeyIDSecretRef: sel(auth.accessKeyIdKey),
        secretAccessKeySecretRef: sel(auth.secretAccessKeyKey),
      };
      if (auth.sessionTokenKey) secretRef.sessionTokenSecretRef = sel(auth.sessionTokenKey);
      return { secretRef };
    }
  }
}

/** A kustomization.yaml listing the generated files. */
export function buildKustomization(resources: string[]): KubeObject {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...resources] };
}
