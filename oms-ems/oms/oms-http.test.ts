import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log.js';
import { orderEventSchema, type OrderEvent } from '../schemas/order-event.js';
import type { Order } from './oms.js';
import { parseIdempotencyKey, startOmsHttp, type OmsHttpServer } from './oms-http.js';
import { newOrderRequest, testOms, type RouterCall } from './test-fixtures.js';

interface Harness {
  url: string;
  oms: ReturnType<typeof testOms>['oms'];
  events: OrderEvent[];
  calls: RouterCall[];
}

const servers: OmsHttpServer[] = [];
const emitted: OrderEvent[][] = [];

async function start(options: { maxBodyBytes?: number; logs?: string[] } = {}): Promise<Harness> {
  const { oms, events, calls } = testOms();
  const logs = options.logs;
  const logger = logs && createLogger({ level: 'debug', destination: new Writable({ write: (chunk, _enc, done) => void (logs.push(String(chunk)), done()) }) });
  const server = await startOmsHttp({ oms, logger, maxBodyBytes: options.maxBodyBytes });
  servers.push(server);
  emitted.push(events);
  return { url: server.url, oms, events, calls };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const event of emitted.splice(0).flat()) expect(orderEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
});

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe('OMS over HTTP', () => {
  it('creates an order (201, Location) and serves it back', async () => {
    const { url } = await start();
    const created = await post(`${url}/orders`, newOrderRequest());
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/orders/O-1');
    const order = await json<Order>(created);
    expect(order).toMatchObject({ order_id: 'O-1', status: 'NEW', quantity: 1000 });
    const fetched = await fetch(`${url}/orders/O-1`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(order);
  });

  it('answers 200 with status REJECTED and the reasons when a pre-trade check fails', async () => {
    const { url, calls } = await start();
    const response = await post(`${url}/orders`, newOrderRequest({ instrument_id: 'XS0000000001' }));
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      status: 'REJECTED',
      reasons: [{ rule: 'RESTRICTED_INSTRUMENT', message: 'instrument XS0000000001 is restricted' }],
    });
    expect(calls).toEqual([]);
  });

  it('creates one order when the same request is sent five times at once with one Idempotency-Key', async () => {
    const { url, events, calls, oms } = await start();
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(`${url}/orders`, newOrderRequest(), { 'idempotency-key': 'once-only' })));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(events.map((e) => [e.event_type, e.order_id, e.idempotency_key])).toEqual([['ORDER_ACCEPTED', 'O-1', 'once-only']]);
    expect(calls).toEqual([{ op: 'route', orderId: 'O-1' }]);
    expect(oms.get('O-2')).toBeUndefined();
  });

  it('answers a later retry with the first answer, even after the order moved on', async () => {
    const { url, oms } = await start();
    const first = await (await post(`${url}/orders`, newOrderRequest(), { 'idempotency-key': '"k-1"' })).text();
    oms.onExecution({ orderId: 'O-1', execType: 'FILL', lastQty: 1000, lastPx: 185 });
    const retry = await post(`${url}/orders`, newOrderRequest(), { 'idempotency-key': 'k-1' });
    expect(retry.status).toBe(201);
    expect(await retry.text()).toBe(first);
  });

  it('refuses the same Idempotency-Key with a different body (422) and a malformed key (400)', async () => {
    const { url, events } = await start();
    await post(`${url}/orders`, newOrderRequest(), { 'idempotency-key': 'k-1' });
    const reused = await post(`${url}/orders`, newOrderRequest({ quantity: 999 }), { 'idempotency-key': 'k-1' });
    expect(reused.status).toBe(422);
    expect((await json(reused)).error).toMatch(/Idempotency-Key "k-1" was already used for a different request/);
    const malformed = await post(`${url}/orders`, newOrderRequest(), { 'idempotency-key': 'x'.repeat(129) });
    expect(malformed.status).toBe(400);
    expect(await json(malformed)).toEqual({ error: 'Idempotency-Key must be 1 to 128 visible ASCII characters' });
    expect(events).toHaveLength(1);
  });

  it('cancels an order and refuses to cancel a filled one with 409 naming the states', async () => {
    const { url, oms, events } = await start();
    await post(`${url}/orders`, newOrderRequest());
    await post(`${url}/orders`, newOrderRequest());
    const cancelled = await fetch(`${url}/orders/O-1/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ order_id: 'O-1', status: 'CANCELLED', reason: 'cancelled on request' });
    oms.onExecution({ orderId: 'O-2', execType: 'FILL', lastQty: 1000, lastPx: 185 });
    const refused = await post(`${url}/orders/O-2/cancel`, { reason: 'too late' });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toEqual({ error: 'illegal transition: CANCEL on order O-2 in status FILLED (FILLED is final)', from: 'FILLED', event: 'CANCEL' });
    expect(events.map((e) => `${e.event_type} ${e.order_id} ${e.status}`)).toEqual([
      'ORDER_ACCEPTED O-1 NEW', 'ORDER_ACCEPTED O-2 NEW', 'ORDER_CANCELLED O-1 CANCELLED', 'ORDER_FILLED O-2 FILLED',
    ]);
  });

  it('replaces an order (201 with the new order) and leaves the old one REPLACED', async () => {
    const { url, events } = await start();
    await post(`${url}/orders`, newOrderRequest());
    const replaced = await post(`${url}/orders/O-1/replace`, { limit_price: 186 }, { 'idempotency-key': 'r-1' });
    expect(replaced.status).toBe(201);
    expect(replaced.headers.get('location')).toBe('/orders/O-2');
    expect(await json(replaced)).toMatchObject({ order_id: 'O-2', status: 'NEW', limit_price: 186, replaces_order_id: 'O-1' });
    expect(await json(await fetch(`${url}/orders/O-1`))).toMatchObject({ status: 'REPLACED', replaced_by_order_id: 'O-2' });
    const again = await post(`${url}/orders/O-1/replace`, { limit_price: 186 }, { 'idempotency-key': 'r-1' });
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
    const twice = await post(`${url}/orders/O-1/replace`, { limit_price: 187 });
    expect([twice.status, (await json(twice)).from]).toEqual([409, 'REPLACED']);
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_ACCEPTED', 'ORDER_REPLACED', 'ORDER_ACCEPTED']);
  });

  it('answers 404 for an unknown order or path and 405 for a wrong method', async () => {
    const { url } = await start();
    expect(await json(await fetch(`${url}/orders/O-404`))).toEqual({ error: 'no order O-404' });
    expect((await post(`${url}/orders/O-404/cancel`, {})).status).toBe(404);
    expect((await fetch(`${url}/trades`)).status).toBe(404);
    const wrong = await fetch(`${url}/orders`);
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await fetch(`${url}/orders/O-1`, { method: 'DELETE' })).headers.get('allow')).toBe('GET');
    expect(await json(await fetch(`${url}/health`))).toEqual({ status: 'ok' });
  });

  it('refuses bad bodies with 422 naming each bad path', async () => {
    const { url, events } = await start();
    const cases: [unknown, { path: string; message: string }[]][] = [
      [{ ...newOrderRequest(), account_id: undefined }, [{ path: 'account_id', message: 'Invalid input: expected string, received undefined' }]],
      [{ ...newOrderRequest(), quantity: '1000' }, [{ path: 'quantity', message: 'Invalid input: expected number, received string' }]],
      [{ ...newOrderRequest(), colour: 'red' }, [{ path: 'colour', message: 'unknown field' }]],
      [{ ...newOrderRequest(), quantity: -5 }, [{ path: 'quantity', message: 'Too small: expected number to be >0' }]],
      [{ ...newOrderRequest(), currency: 'usd', side: 'HOLD' }, [
        { path: 'side', message: 'Invalid option: expected one of "BUY"|"SELL"' },
        { path: 'currency', message: 'ISO 4217 code (three capital letters)' },
      ]],
      [[newOrderRequest()], [{ path: '(root)', message: 'Invalid input: expected object, received array' }]],
    ];
    for (const [body, issues] of cases) {
      const response = await post(`${url}/orders`, body);
      expect(response.status, JSON.stringify(body)).toBe(422);
      expect((await json(response)).issues).toEqual(issues);
    }
    const replace = await post(`${url}/orders/O-1/replace`, { quantity: 0, side: 'SELL' });
    expect([replace.status, (await json(replace)).issues]).toEqual([422, [{ path: 'quantity', message: 'Too small: expected number to be >0' }, { path: 'side', message: 'unknown field' }]]);
    expect(events).toEqual([]);
  });

  it('refuses a body that is not JSON (400), not declared JSON (415) or empty (400)', async () => {
    const { url } = await start();
    const notJson = await post(`${url}/orders`, '{"account_id": ');
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error).toMatch(/^request body is not valid JSON: /);
    const text = await fetch(`${url}/orders`, { method: 'POST', body: JSON.stringify(newOrderRequest()) });
    expect([text.status, (await json(text)).error]).toEqual([415, 'request body must be application/json, got "text/plain;charset=UTF-8"']);
    const empty = await post(`${url}/orders`, '');
    expect([empty.status, (await json(empty)).error]).toEqual([400, 'request body is empty; expected a JSON object']);
  });

  it('refuses a body over the size limit with 413, announced or streamed', async () => {
    const { url, events } = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ ...newOrderRequest(), client_order_id: 'x'.repeat(100 * 1024) });
    const announced = await post(`${url}/orders`, big);
    expect([announced.status, (await json(announced)).error]).toEqual([413, 'request body is larger than 1024 bytes']);
    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.slice(i, i + 4096));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await post(`${url}/orders`, newOrderRequest())).status).toBe(201);
    expect(events).toHaveLength(1);
  });

  it('logs one line per request without headers or bodies', async () => {
    const logs: string[] = [];
    const { url } = await start({ logs });
    await post(`${url}/orders`, newOrderRequest({ client_order_id: 'BODY-MARKER' }), { authorization: 'Bearer s3cr3t-token', 'idempotency-key': 'k' });
    const request = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'request');
    expect(request).toMatchObject({ module: 'oms-http', method: 'POST', path: '/orders', status: 201 });
    expect(logs.join('')).not.toMatch(/s3cr3t|BODY-MARKER/);
  });
});

describe('Idempotency-Key header', () => {
  it('reads a structured-field string and a bare token as the same key', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey('"a\\"b"')).toBe('a"b');
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(() => parseIdempotencyKey('""')).toThrow(/1 to 128/);
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(/one Idempotency-Key/);
  });
});
