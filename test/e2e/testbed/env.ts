/**
 * What e2e tests import to use the running bed:
 *
 *   import { testbed } from './testbed/env.js';
 *   const bed = testbed();
 *   const kc = new KubeConfig(); kc.loadFromFile(bed.kubeconfig);
 *   await bed.exec('sops', ['--version']);
 *
 * The bed is found through KSEC_TESTBED_STATE (set by the vitest global setup
 * and by `npm run -s testbed:up`), falling back to the default cache location.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeRequest, type KubeTarget } from './kube.js';
import { writeKubeconfig } from './kubeconfig.js';
import { readState, type TestbedState } from './state.js';
import { stateFile, toolsDir, type Tool } from './versions.js';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export interface Testbed {
  state: TestbedState;
  /** admin kubeconfig path (user ksec-admin, group system:masters, bearer token) */
  kubeconfig: string;
  apiserverUrl: string;
  /** PEM of the bed's CA (signs the apiserver serving cert) */
  caPem: string;
  caFile: string;
  adminToken: string;
  /** moto endpoint for AWS Secrets Manager */
  awsEndpoint: string;
  /** environment for child processes and SDK clients: the bed's env over process.env, PATH with the tools first */
  env: NodeJS.ProcessEnv;
  sealedSecrets: NonNullable<TestbedState['sealedSecrets']>;
  toolsDir: string;
  /** absolute path of a bed tool */
  tool(name: Tool): string;
  /** run a bed tool (or anything on the bed's PATH); rejects with stderr on a non-zero exit */
  exec(cmd: Tool | string, args: string[], opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<ExecResult>;
  /** raw admin REST call (for setup that needs no client library) */
  request(method: string, path: string, body?: unknown): ReturnType<typeof kubeRequest>;
  /** a real ServiceAccount token (TokenRequest API); the ServiceAccount must exist */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** kubeconfig file authenticating with the given bearer token (e.g. a ServiceAccount token) */
  kubeconfigForToken(token: string, opts?: { namespace?: string; user?: string }): string;
}

export function testbed(): Testbed {
  const file = process.env['KSEC_TESTBED_STATE'] || stateFile();
  const state = readState(file);
  if (!state || !state.ready || !state.apiserver || !state.kubeconfig || !state.moto || !state.sealedSecrets) {
    throw new Error(`no running test bed (state ${file}); run the e2e project with vitest, or: eval "$(npm run -s testbed:up)"`);
  }
  const api = state.apiserver;
  const caPem = readFileSync(api.caFile, 'utf8');
  // CLI tools come from this checkout's tools dir (the bed may have been started by another checkout)
  const tools = toolsDir();
  const env: NodeJS.ProcessEnv = { ...process.env, ...state.env, KSEC_TESTBED_TOOLS: tools, PATH: `${tools}:${process.env['PATH'] ?? ''}` };
  const target: KubeTarget = { server: api.url, ca: caPem, token: api.adminToken };
  const tool = (name: Tool) => join(tools, name);
  return {
    state,
    kubeconfig: state.kubeconfig,
    apiserverUrl: api.url,
    caPem,
    caFile: api.caFile,
    adminToken: api.adminToken,
    awsEndpoint: state.moto.url,
    env,
    sealedSecrets: state.sealedSecrets,
    toolsDir: tools,
    tool,
    exec(cmd, args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = execFile(
          cmd,
          args,
          { env: { ...env, ...opts.env }, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
          (err, stdout, stderr) => {
            if (err) reject(Object.assign(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`), { stdout, stderr, cause: err }));
            else resolve({ stdout, stderr });
          },
        );
        if (opts.input !== undefined) child.stdin?.end(opts.input);
        else child.stdin?.end();
      });
    },
    request: (method, path, body) => kubeRequest(target, method, path, body),
    async serviceAccountToken(namespace, name, expirationSeconds = 3600) {
      const r = await kubeRequest(target, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds },
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`TokenRequest ${namespace}/${name}: ${r.status} ${r.body}`);
      return r.json<{ status: { token: string } }>().status.token;
    },
    kubeconfigForToken(token, opts = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'ksec-kubeconfig-'));
      return writeKubeconfig(join(dir, 'kubeconfig'), {
        server: api.url,
        caFile: api.caFile,
        user: opts.user ?? 'token-user',
        token,
        namespace: opts.namespace,
      });
    },
  };
}
