/**
 * JSON in and out, and the one place where a library error becomes an HTTP
 * status. Errors are told apart by class (`instanceof`), never by message, so
 * a subclass added later (e.g. `PoolExhaustedError extends UnavailableError`)
 * lands on its base class's status without a change here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ConflictError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  VetalyzeError,
} from '@vetalyze/db';

/** An error the service raises itself (authentication, routing, bad JSON). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Request bodies above this are refused (413): an owner with 50 pets is about 20 kB. */
const maxBodyBytes = 1_000_000;

/**
 * The request's JSON body. Its shape is not checked here: the library checks
 * every input with a strict schema and answers a `ValidationError` (400).
 */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, 'BODY_TOO_LARGE', 'body over 1 MB');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'the body is not JSON');
  }
}

/** Writes `body` as JSON with `status` (no body for 204). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) {
    response.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/** How long a client should wait before retrying after a 503, in seconds. */
const retryAfterSeconds = '2';

/** The HTTP answer to `error`: status, headers and a JSON body with a stable `code`. */
export function errorReply(error: unknown): {
  status: number;
  headers: Record<string, string>;
  body: { error: Record<string, unknown> };
} {
  const reply = (status: number, fields: Record<string, unknown>, headers = {}) => ({
    status,
    headers,
    body: { error: fields },
  });
  if (error instanceof HttpError)
    return reply(error.status, { code: error.code, message: error.message });
  if (error instanceof ValidationError)
    return reply(400, { code: error.code, message: error.message, issues: error.issues });
  if (error instanceof NotFoundError)
    return reply(404, { code: error.code, message: error.message });
  // IllegalTransitionError is a ConflictError: a refused subscription change is a 409 too.
  if (error instanceof ConflictError)
    return reply(409, { code: error.code, message: error.message, field: error.field });
  // Nothing the caller did wrong, and a retry may succeed: UNAVAILABLE, POOL_EXHAUSTED, TIMEOUT.
  if (error instanceof UnavailableError || error instanceof TimeoutError)
    return reply(
      503,
      { code: error.code, message: error.message },
      { 'retry-after': retryAfterSeconds },
    );
  // TenantViolationError, DatabaseError and anything else: a bug to log, not to explain.
  const code = error instanceof VetalyzeError ? error.code : 'INTERNAL';
  return reply(500, { code, message: 'internal error' });
}
