/**
 * `kustomize build | ksec checksum annotate -`: a base with generated and
 * plain configs, a SealedSecret and two workloads; kustomize rewrites the
 * references to the suffixed names, ksec must find every one (--strict) and
 * the stamp must change exactly when a referenced config changes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeKustomizeApp(dir: string, level: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `namespace: shop
resources:
- deployment.yaml
- cronjob.yaml
- plain.yaml
- sealed.yaml
configMapGenerator:
- name: web-config
  literals:
  - LOG_LEVEL=${level}
secretGenerator:
- name: web-secret
  literals:
  - password=CANARY-kustomize-pipeline-0c4f
`,
  );
  writeFileSync(
    join(dir, 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef: {name: web-config}
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: web-secret, key: password}
      volumes:
      - name: plain
        configMap: {name: plain}
`,
  );
  writeFileSync(
    join(dir, 'cronjob.yaml'),
    `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: busybox:1.37
            envFrom:
            - secretRef: {name: tls}
`,
  );
  writeFileSync(join(dir, 'plain.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n');
  writeFileSync(
    join(dir, 'sealed.yaml'),
    'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: tls\nspec:\n  encryptedData:\n    tls.key: AgBy3i4OJSWK+PiTySYZZA==\n  template:\n    type: kubernetes.io/tls\n',
  );
}
