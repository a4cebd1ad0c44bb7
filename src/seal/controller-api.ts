/**
 * The sealed-secrets controller's HTTP API, reached as kubeseal reaches it:
 * through the Kubernetes API server's service proxy,
 * `/api/v1/namespaces/NS/services/http:NAME:PORT/proxy/<path>`, where PORT
 * is the name of the Service's first port (kubeseal's getServicePortName; the
 * chart names it "http"). The Kubernetes client (src/kube) is loaded only
 * here, when a command talks to a cluster. Every failure is a KsecError
 * naming `controller NS/NAME`: 401/403 and an unreachable API exit 3, a
 * missing Service exits 2, 502/503 (no ready controller) exit 3.
 */
import type { ClusterConnection } from '../kube/connection.js';
import type { KubeClient } from '../kube/client.js';
import { ExitCode, KsecError } from '../errors.js';

export interface ControllerRef extends ClusterConnection {
  controllerName?: string;
  controllerNamespace?: string;
}

export const DEFAULT_CONTROLLER_NAME = 'sealed-secrets-controller';
export const DEFAULT_CONTROLLER_NAMESPACE = 'kube-system';

export interface ControllerResponse {
  status: number;
  body: string;
}

export interface ControllerApi {
  /** `controller NS/NAME`, the `file` of every error */
  readonly source: string;
  get(path: string, accept: string): Promise<ControllerResponse>;
  /** POST a JSON body; a 429 (the controller's rate limit on /v1/verify) is retried as client-go does */
  post(path: string, body: unknown): Promise<ControllerResponse>;
  /** an error for a response the caller does not handle itself (`cannot ACTION: ...`) */
  statusError(res: ControllerResponse, action: string): KsecError;
}

/** client-go retries a 429 up to 10 times, waiting Retry-After seconds (1 s when absent). */
const MAX_RETRIES = 10;

/** Connects to the cluster and looks up the controller's Service (its port name). */
export async function openController(ref: ControllerRef = {}): Promise<ControllerApi> {
  const name = ref.controllerName ?? DEFAULT_CONTROLLER_NAME;
  const namespace = ref.controllerNamespace ?? DEFAULT_CONTROLLER_NAMESPACE;
  const source = `controller ${namespace}/${name}`;
  const [{ loadKubeClient }, { requestFailure, authFailure }] = await Promise.all([import('../kube/config.js'), import('../kube/errors.js')]);
  let client: KubeClient;
  try {
    client = await loadKubeClient({
      ...ref,
      hint: 'pass --kubeconfig / --context (or --server with --token), or --cert with a certificate file or URL (no cluster needed)',
    });
  } catch (err) {
    throw err instanceof KsecError ? err.within({ file: source }) : err;
  }
  const send = async (method: string, path: string, accept: string, body?: unknown): Promise<ControllerResponse> => {
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await client.request(method, path, body === undefined ? { accept } : { accept, body });
      } catch (err) {
        throw requestFailure(err, {
          server: client.server,
          file: source,
          credentialsFile: ref.kubeconfig ?? source,
          unreachableHint: 'check the cluster is up and your kubeconfig/context (or --server), or use --cert with a file or URL',
        });
      }
      if (res.status !== 429 || attempt >= MAX_RETRIES) return res;
      const wait = Number(res.headers['retry-after']);
      await new Promise((r) => setTimeout(r, (Number.isFinite(wait) && wait > 0 ? Math.min(wait, 10) : 1) * 1000));
    }
  };
  const statusError = (res: ControllerResponse, action: string): KsecError => {
    const auth = authFailure({ status: res.status, body: res.body, headers: {} }, action, source);
    if (auth) return auth;
    const hint =
      res.status === 503 || res.status === 502
        ? 'the controller pod is not ready'
        : res.status === 404
          ? 'check --controller-name / --controller-namespace'
          : 'see the controller\'s log';
    return new KsecError(`cannot ${action}: the Kubernetes API answered HTTP ${res.status}`, {
      file: source,
      hint,
      exitCode: res.status >= 500 ? ExitCode.environment : ExitCode.input,
    });
  };

  const services = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services`;
  const svc = await send('GET', `${services}/${encodeURIComponent(name)}`, 'application/json');
  if (svc.status === 404) {
    throw new KsecError(`cannot get the sealed-secrets Service ${namespace}/${name}: not found`, {
      file: source,
      hint: 'set --controller-name and --controller-namespace to the controller\'s Service',
    });
  }
  if (svc.status !== 200) throw statusError(svc, 'get the controller Service');
  let portName = 'http';
  try {
    const ports = (JSON.parse(svc.body) as { spec?: { ports?: { name?: string; port?: number }[] } }).spec?.ports ?? [];
    portName = ports[0]?.name || String(ports[0]?.port ?? 'http');
  } catch {
    // keep the default port name
  }
  const proxy = `${services}/http:${encodeURIComponent(name)}:${encodeURIComponent(portName)}/proxy`;
  return {
    source,
    get: (path, accept) => send('GET', proxy + path, accept),
    post: (path, body) => send('POST', proxy + path, 'application/json, */*', body),
    statusError,
  };
}
