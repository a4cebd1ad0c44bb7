/** Minimal admin REST calls used by the bed itself (no client library: the bed must come up before anything else). */
import https from 'node:https';

export interface KubeTarget {
  server: string;
  ca: string; // PEM
  token: string;
}

export interface KubeResponse {
  status: number;
  body: string;
  json<T = unknown>(): T;
}

export function kubeRequest(t: KubeTarget, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      new URL(path, t.server),
      {
        method,
        ca: t.ca,
        timeout: 15_000,
        headers: {
          authorization: `Bearer ${t.token}`,
          accept: 'application/json',
          ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Create, or replace if it exists (idempotent apply for the bed's few fixed objects). */
export async function applyObject(t: KubeTarget, collectionPath: string, obj: { metadata: { name: string } }): Promise<void> {
  const created = await kubeRequest(t, 'POST', collectionPath, obj);
  if (created.status === 201 || created.status === 200) return;
  if (created.status !== 409) throw new Error(`POST ${collectionPath}: ${created.status} ${created.body}`);
  const itemPath = `${collectionPath}/${obj.metadata.name}`;
  const current = await kubeRequest(t, 'GET', itemPath);
  if (current.status !== 200) throw new Error(`GET ${itemPath}: ${current.status} ${current.body}`);
  const rv = current.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  const replaced = await kubeRequest(t, 'PUT', itemPath, { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } });
  if (replaced.status !== 200) throw new Error(`PUT ${itemPath}: ${replaced.status} ${replaced.body}`);
}
