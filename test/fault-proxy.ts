/**
 * A fault injector between an S3 client and a real S3 server (RGW): an HTTP reverse proxy on 127.0.0.1 that
 * streams requests and responses through untouched, except those a rule picks, which it answers with an S3
 * error, drops, or forwards and then drops before the response (the write happened, the client never hears).
 * The Host header is forwarded as sent, so SigV4 signatures made for the proxy's address still verify.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | 503 | 500
  /** Close the connection without answering; the upstream never sees the request. */
  | 'drop'
  /** Forward the request, let the server apply it, then close the connection instead of answering. */
  | 'drop-response';

export interface FaultRule {
  method?: string;
  match?: (req: http.IncomingMessage) => boolean;
  status: Fault;
}

export interface FaultProxy {
  /** http://127.0.0.1:port, to use as the S3 endpoint. */
  readonly endpoint: string;
  /** The next n requests matching the rule get the fault. */
  failNext(n: number, rule: FaultRule): void;
  /** Every matching request gets the fault until clear(). */
  failAll(rule: FaultRule): void;
  clear(): void;
  /** Requests seen (faulted or not) for a method, or all methods. */
  count(method?: string): number;
  /** Faults injected so far, per method. */
  faults(method?: string): number;
  resetCounts(): void;
  close(): Promise<void>;
}

/** Matches S3 UploadPart requests (PUT ...?partNumber=N&uploadId=...). */
export const isUploadPart = (req: http.IncomingMessage) => req.method === 'PUT' && /[?&]partNumber=/.test(req.url ?? '');

const S3_ERRORS: Record<number, { code: string; message: string }> = {
  503: { code: 'SlowDown', message: 'Please reduce your request rate.' },
  500: { code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
};

function errorBody(status: number, req: http.IncomingMessage): string {
  const { code, message } = S3_ERRORS[status];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>`
    + `<Resource>${(req.url ?? '').replace(/[<&]/g, '')}</Resource><RequestId>fault-proxy</RequestId></Error>`;
}

// Hop-by-hop headers belong to one connection, not the message. `expect` is unsigned by SigV4 and dropping it
// saves a 100-continue round trip through the proxy.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

export async function startFaultProxy(options: { target: string }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const rules: { rule: FaultRule; remaining: number }[] = [];
  const seen = new Map<string, number>();
  const injected = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const pickFault = (req: http.IncomingMessage): Fault | undefined => {
    const entry = rules.find(({ rule, remaining }) => remaining > 0
      && (rule.method === undefined || rule.method.toUpperCase() === req.method)
      && (rule.match === undefined || rule.match(req)));
    if (!entry) return undefined;
    entry.remaining--;
    return entry.rule.status;
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, dropResponse: boolean) => {
    const upstream = http.request({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwardHeaders(req.headers),
    }, (up) => {
      if (dropResponse) {
        up.resume();
        up.once('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.statusMessage, forwardHeaders(up.headers));
      up.pipe(res);
      up.once('error', () => res.destroy());
    });
    upstream.once('error', () => req.socket.destroy());
    req.pipe(upstream);
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    bump(seen, method);
    const fault = pickFault(req);
    if (fault !== undefined) bump(injected, method);
    if (fault === 'drop') {
      req.socket.destroy();
    } else if (fault === 503 || fault === 500) {
      // Read the body first, as a real server would, so the client sees the error and not a broken pipe.
      req.resume();
      req.once('end', () => {
        const body = errorBody(fault, req);
        res.writeHead(fault, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(method === 'HEAD' ? undefined : body);
      });
    } else {
      forward(req, res, fault === 'drop-response');
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext: (n, rule) => { rules.push({ rule, remaining: n }); },
    failAll: (rule) => { rules.push({ rule, remaining: Infinity }); },
    clear: () => { rules.length = 0; },
    count: (method) => (method === undefined ? [...seen.values()].reduce((a, b) => a + b, 0) : seen.get(method.toUpperCase()) ?? 0),
    faults: (method) => (method === undefined ? [...injected.values()].reduce((a, b) => a + b, 0) : injected.get(method.toUpperCase()) ?? 0),
    resetCounts: () => { seen.clear(); injected.clear(); },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
