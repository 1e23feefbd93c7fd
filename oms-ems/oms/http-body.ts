/** Reading a JSON request body on node:http with a size limit, and the HTTP errors doing so can end in. */
import type { IncomingMessage } from 'node:http';

/** A request refused by the HTTP layer itself, before the OMS sees it. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
  }
}

const jsonMediaType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The body parsed as JSON; undefined when it is empty and `optional`. Refuses with 413 a body over `maxBytes`
 * (announced or streamed), 415 a body that is not declared JSON, 400 one that is empty, not UTF-8 or not JSON.
 */
export async function readJsonBody(req: IncomingMessage, options: { maxBytes: number; optional?: boolean }): Promise<unknown> {
  const { maxBytes, optional = false } = options;
  const tooLarge = (): HttpError => new HttpError(413, `request body is larger than ${maxBytes} bytes`);
  const announced = Number(req.headers['content-length'] ?? NaN);
  if (announced > maxBytes) throw tooLarge();

  const bytes = await collect(req, maxBytes, tooLarge);
  if (bytes.length === 0) {
    if (optional) return undefined;
    throw new HttpError(400, 'request body is empty; expected a JSON object');
  }
  const contentType = req.headers['content-type'];
  if (contentType === undefined || !jsonMediaType.test(contentType)) {
    throw new HttpError(415, `request body must be application/json, got ${contentType === undefined ? 'no Content-Type' : JSON.stringify(contentType)}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The body's bytes. Past the limit the rest is read and dropped rather than the stream destroyed: destroying a request
 * destroys its socket, and the client would see a reset instead of the 413.
 */
function collect(req: IncomingMessage, maxBytes: number, tooLarge: () => HttpError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
      else {
        refused = true;
        chunks.length = 0;
        reject(tooLarge());
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
