/**
 * The OMS over HTTP/JSON on node:http.
 *
 *   POST /orders               201 NEW order (Location), 200 REJECTED order with `reasons` (pre-trade checks)
 *   POST /orders/:id/cancel    200 CANCELLED order; body optional: { "reason": "..." }
 *   POST /orders/:id/replace   201 the NEW replacement, 200 a REJECTED replacement (the old order stays live)
 *   GET  /orders/:id           200 the order
 *   GET  /health               200 { "status": "ok" }
 *
 * A pre-trade rejection is 200, not 4xx: the request was well formed and the OMS decided; the rejected order is stored
 * and can be fetched. Refusals: 400 body empty, not UTF-8 or not JSON, or a malformed Idempotency-Key; 404 unknown
 * order or path; 405 wrong method (Allow says which); 409 a transition the life cycle forbids (`from`, `event`);
 * 413 body over `maxBodyBytes`; 415 body not application/json; 422 body against the schema (`issues: [{ path,
 * message }]`) or an Idempotency-Key already used for a different request.
 * POSTs take an `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header; a quoted sf-string or a bare
 * token, 1 to 128 visible ASCII characters): a retry gets the first answer again with `Idempotent-Replayed: true`.
 * Logs one line per request (method, path, status, ms); never headers or bodies.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../../lib/log.js';
import { HttpError, readJsonBody } from './http-body.js';
import type { Oms, OmsAnswer } from './oms.js';
import { ExecutionMismatchError, IdempotencyKeyReusedError, IllegalTransitionError, OrderNotFoundError, RequestValidationError } from './oms-errors.js';
import { cancelRequestSchema, idempotencyKeySchema, newOrderRequestSchema, parseRequest, replaceRequestSchema } from './request-schemas.js';

export interface OmsHttpOptions {
  oms: Oms;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
  maxBodyBytes?: number;
}

export interface OmsHttpServer {
  url: string;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RequestContext {
  req: IncomingMessage;
  id: string;
  idempotencyKey: string | undefined;
  json: (optional?: boolean) => Promise<unknown>;
}

type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

function orderReply(answer: OmsAnswer): Reply {
  const { order, replayed } = answer;
  const headers: Record<string, string> = { location: `/orders/${encodeURIComponent(order.order_id)}` };
  if (replayed) headers['idempotent-replayed'] = 'true';
  return { status: order.status === 'NEW' ? 201 : 200, body: order, headers };
}

function routes(oms: Oms): { pattern: RegExp; methods: Partial<Record<string, Handler>> }[] {
  return [
    { pattern: /^\/health$/, methods: { GET: () => ({ status: 200, body: { status: 'ok' } }) } },
    {
      pattern: /^\/orders$/,
      methods: {
        POST: async ({ json, idempotencyKey }) => orderReply(oms.submit(parseRequest(newOrderRequestSchema, await json(), 'new order'), idempotencyKey)),
      },
    },
    {
      pattern: /^\/orders\/([^/]+)$/,
      methods: {
        GET: ({ id }) => {
          const order = oms.get(id);
          if (order === undefined) throw new OrderNotFoundError(id);
          return { status: 200, body: order };
        },
      },
    },
    {
      pattern: /^\/orders\/([^/]+)\/cancel$/,
      methods: {
        POST: async ({ id, json, idempotencyKey }) => {
          const body = parseRequest(cancelRequestSchema, (await json(true)) ?? {}, 'cancel request');
          return orderReply(oms.cancel(id, idempotencyKey, body));
        },
      },
    },
    {
      pattern: /^\/orders\/([^/]+)\/replace$/,
      methods: {
        POST: async ({ id, json, idempotencyKey }) => orderReply(oms.replace(id, parseRequest(replaceRequestSchema, await json(), 'replace request'), idempotencyKey)),
      },
    },
  ];
}

/** An sf-string (`"abc"`, with `\"` and `\\` escapes) or, as many clients send it, the bare key. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) throw new HttpError(400, 'give one Idempotency-Key');
  const quoted = /^"((?:[^"\\]|\\["\\])*)"$/.exec(header.trim());
  const key = quoted ? quoted[1].replace(/\\(["\\])/g, '$1') : header.trim();
  if (!idempotencyKeySchema.safeParse(key).success) throw new HttpError(400, 'Idempotency-Key must be 1 to 128 visible ASCII characters');
  return key;
}

function errorReply(err: unknown): Reply {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
  if (err instanceof RequestValidationError) return { status: 422, body: { error: err.message, issues: err.issues } };
  if (err instanceof IdempotencyKeyReusedError) return { status: 422, body: { error: err.message } };
  if (err instanceof OrderNotFoundError) return { status: 404, body: { error: err.message } };
  if (err instanceof IllegalTransitionError) return { status: 409, body: { error: err.message, from: err.from, event: err.event } };
  if (err instanceof ExecutionMismatchError) return { status: 409, body: { error: err.message } };
  return { status: 500, body: { error: 'internal error' } };
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(reply.status === 413 ? { connection: 'close' } : {}),
    ...reply.headers,
  });
  res.end(text);
}

export async function startOmsHttp(options: OmsHttpOptions): Promise<OmsHttpServer> {
  const { oms, host = '127.0.0.1', port = 0, logger = silentLogger, maxBodyBytes = 64 * 1024 } = options;
  const log = logger.child({ module: 'oms-http' });
  const table = routes(oms);

  async function dispatch(req: IncomingMessage, path: string): Promise<Reply> {
    for (const { pattern, methods } of table) {
      const match = pattern.exec(path);
      if (!match) continue;
      const handler = methods[req.method ?? ''];
      if (handler === undefined) {
        return { status: 405, body: { error: `${req.method} not allowed on ${path}` }, headers: { allow: Object.keys(methods).join(', ') } };
      }
      let id = '';
      try {
        id = match[1] === undefined ? '' : decodeURIComponent(match[1]);
      } catch {
        throw new HttpError(404, `no order ${match[1]}`);
      }
      const idempotencyKey = req.method === 'POST' ? parseIdempotencyKey(req.headers['idempotency-key']) : undefined;
      return handler({ req, id, idempotencyKey, json: (optional) => readJsonBody(req, { maxBytes: maxBodyBytes, optional }) });
    }
    return { status: 404, body: { error: `no route for ${path}` } };
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? '/', 'http://oms.invalid').pathname;
    dispatch(req, path)
      .catch((err: unknown) => {
        const reply = errorReply(err);
        if (reply.status === 500) log.error({ err, method: req.method, path }, 'request failed');
        return reply;
      })
      .then((reply) => {
        send(res, reply);
        log.info({ method: req.method, path, status: reply.status, ms: Math.round(performance.now() - started) }, 'request');
      })
      .catch((err: unknown) => log.error({ err, method: req.method, path }, 'could not answer'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostText = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log.info({ host: address.address, port: address.port }, 'OMS listening');
  return {
    url: `http://${hostText}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
