/**
 * The floor for bench/watch/side-by-side.ts (BENCH_TOOLS=floor): the least a reloader can do per
 * change, so the bench shows what the API server, etcd and the bench's own watch cost by themselves.
 * It lists the namespace's Deployments once (which ConfigMaps each uses through envFrom), watches
 * ConfigMaps, and on each MODIFIED event PATCHes the pod template of every Deployment using that
 * ConfigMap (one strategic-merge PATCH, an annotation holding the ConfigMap's resourceVersion), over
 * one keep-alive connection pool. No hashing, no state, no events, no leader election.
 *
 *   FLOOR_SERVER=https://... FLOOR_CA=<PEM> FLOOR_TOKEN=... FLOOR_NAMESPACE=... node bench/watch/floor-reactor.mjs
 *
 * Prints `port N` once ready; GET http://127.0.0.1:N/metrics gives `floor_requests_total`.
 */
import http from 'node:http';
import https from 'node:https';

const server = new URL(process.env.FLOOR_SERVER);
const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ca: process.env.FLOOR_CA });
const headers = { authorization: `Bearer ${process.env.FLOOR_TOKEN}`, accept: 'application/json' };
const ns = process.env.FLOOR_NAMESPACE;
let requests = 0;

function call(method, path, body, contentType) {
  requests++;
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(
      { hostname: server.hostname, port: server.port, path, method, agent, headers: payload ? { ...headers, 'content-type': contentType, 'content-length': payload.length } : headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** configMap name -> names of the Deployments that use it */
const users = new Map();
const deployments = await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
for (const d of deployments.items) {
  for (const c of d.spec.template.spec.containers ?? []) {
    for (const e of c.envFrom ?? []) {
      const cm = e.configMapRef?.name;
      if (cm) users.set(cm, [...(users.get(cm) ?? []), d.metadata.name]);
    }
  }
}

function watch(resourceVersion) {
  requests++;
  const req = https.request(
    { hostname: server.hostname, port: server.port, path: `/api/v1/namespaces/${ns}/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`, headers, ca: agent.options.ca },
    (res) => {
      let tail = '';
      let last = resourceVersion;
      res.on('data', (chunk) => {
        const lines = (tail + chunk.toString('utf8')).split('\n');
        tail = lines.pop();
        for (const line of lines) {
          if (!line) continue;
          const event = JSON.parse(line);
          last = event.object?.metadata?.resourceVersion ?? last;
          if (event.type !== 'MODIFIED') continue;
          for (const name of users.get(event.object.metadata.name) ?? []) {
            const patch = { spec: { template: { metadata: { annotations: { 'floor.bench/config-version': last } } } } };
            call('PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`, patch, 'application/strategic-merge-patch+json').catch((err) => process.stderr.write(`${err.message}\n`));
          }
        }
      });
      res.on('end', () => watch(last));
    },
  );
  req.on('error', (err) => {
    process.stderr.write(`watch: ${err.message}\n`);
    setTimeout(() => watch(resourceVersion), 500);
  });
  req.end();
}
const list = await call('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`);
watch(list.metadata.resourceVersion);

const metrics = http.createServer((_, res) => res.end(`floor_requests_total ${requests}\n`));
metrics.listen(0, '127.0.0.1', () => process.stdout.write(`port ${metrics.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
