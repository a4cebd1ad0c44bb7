/**
 * A loopback proxy in front of the bed's moto for failures moto cannot make
 * by itself: throttling and access denied. It answers chosen requests the way
 * Secrets Manager does (HTTP 400, JSON body with `__type`, the awsJson1_1
 * protocol) and forwards the rest to moto untouched, counting both.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  status: number;
  body: unknown;
}

/** The request as it arrived: its raw body (STS's query protocol is a form, not JSON) and headers. */
export interface ProxiedRequest {
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Decides per request: a fault to answer with, or undefined to forward. */
export type FaultRule = (operation: string, body: unknown, seen: number, request: ProxiedRequest) => Fault | undefined;

/** Changes a forwarded JSON response (e.g. moves a denied secret of a batch into its Errors, as AWS does). */
export type ResponseRule = (operation: string, body: unknown, response: unknown) => unknown;

export interface AwsProxy {
  url: string;
  /** requests per operation, faults included */
  seen: Record<string, number>;
  faults: number;
  close(): Promise<void>;
}

export const throttling: Fault = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };

export function accessDenied(action: string): Fault {
  return {
    status: 400,
    body: {
      __type: 'AccessDeniedException',
      Message: `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startAwsProxy(target: string, rule: FaultRule, respond?: ResponseRule): Promise<AwsProxy> {
  const seen: Record<string, number> = {};
  let faults = 0;
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
      seen[operation] = (seen[operation] ?? 0) + 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        parsed = undefined;
      }
      const fault = rule(operation, parsed, seen[operation]!, { raw: body.toString('utf8'), headers: req.headers });
      if (fault) {
        faults++;
        res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'ksec-proxy' });
        res.end(JSON.stringify(fault.body));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const upstream = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      let out = Buffer.from(await upstream.arrayBuffer());
      if (respond && upstream.ok) {
        try {
          out = Buffer.from(JSON.stringify(respond(operation, parsed, JSON.parse(out.toString('utf8')))));
        } catch {
          // not JSON: forwarded as it is
        }
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.1' });
      res.end(out);
    } catch (err) {
      res.writeHead(502);
      res.end(String(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get faults() {
      return faults;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
