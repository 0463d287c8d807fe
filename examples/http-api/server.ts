/**
 * The service: routing, authentication, the clinic-status check, error
 * replies and graceful shutdown. `startServer` is what tests and main.ts call.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVetalyze, NotFoundError, type Vetalyze } from '@vetalyze/db';
import { bearerToken, isOperatorToken, verifyClinicToken } from './auth.ts';
import { clinicRoutes } from './clinic-routes.ts';
import { errorReply, HttpError, sendJson } from './http.ts';
import { operatorRoutes } from './operator-routes.ts';
import { matchRoute, type Reply, type Route } from './router.ts';

/** Options of {@link startServer}. Give `vz` or `connectionString`. */
export interface ServerOptions {
  /** A data layer the caller made and will close; the server never closes it. */
  vz?: Vetalyze;
  /** Or: the server makes its own data layer on this URL and closes it at shutdown. */
  connectionString?: string;
  /** Secret that signs clinic tokens (auth.ts); at least 32 characters. */
  clinicTokenSecret: string;
  /** The back office's bearer token for /operator routes; at least 32 characters. */
  operatorToken: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** At shutdown, requests still running after this many ms are cut. @default 30000 */
  drainTimeoutMs?: number;
  /** Where unexpected errors are reported. @default console.error */
  logError?: (message: string, error: unknown) => void;
}

/** A listening server. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /**
   * Graceful shutdown: stops accepting connections, lets requests in flight
   * finish (each answered with `connection: close`), cuts what is still open
   * after `drainTimeoutMs`, then closes the data layer if the server made it.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Starts the HTTP service and resolves once it listens.
 *
 * @example
 * const server = await startServer({ connectionString, clinicTokenSecret, operatorToken, port: 8080 });
 * process.once('SIGTERM', () => void server.close());
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  for (const key of ['clinicTokenSecret', 'operatorToken'] as const) {
    if (options[key].length < 32) throw new Error(`${key} must have at least 32 characters`);
  }
  const ownsVz = !options.vz;
  const vz =
    options.vz ?? (await createVetalyze({ connectionString: options.connectionString ?? '' }));
  const logError = options.logError ?? ((message, error) => console.error(message, error));
  let shuttingDown = false;
  const inFlight = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    inFlight.add(response);
    response.on('close', () => inFlight.delete(response));
    // While draining, each answer closes its connection (see close()).
    if (shuttingDown) response.setHeader('connection', 'close');
    response.on('finish', () => {
      // A streamed answer's headers went out before the shutdown: once it is
      // done, its keep-alive connection is idle and can be closed. Node's own
      // server.close() would otherwise wait out the 5 s keep-alive timeout.
      if (shuttingDown) setImmediate(() => server.closeIdleConnections());
    });
    handle(vz, options, request, response).catch((error: unknown) => {
      const reply = errorReply(error);
      if (reply.status === 500) logError(`${request.method} ${request.url}`, error);
      if (response.headersSent) response.destroy();
      else sendJson(response, reply.status, reply.body, reply.headers);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  }).catch(async (error: unknown) => {
    if (ownsVz) await vz.close(); // e.g. the port is taken: leave no pool open behind
    throw error;
  });
  const { address, port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Answers not started yet say `connection: close`, so keep-alive clients
      // send their next request to another instance instead of this one.
      for (const response of inFlight) {
        if (!response.headersSent) response.setHeader('connection', 'close');
      }
      const cut = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs ?? 30_000);
      await closed;
      clearTimeout(cut);
      if (ownsVz) await vz.close();
    })();
    return closing;
  };
  return { url: `http://${address}:${port}`, close };
}

async function handle(
  vz: Vetalyze,
  options: ServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const token = bearerToken(request.headers.authorization);
  let reply: Reply;
  if (url.pathname.startsWith('/operator/')) {
    if (!isOperatorToken(options.operatorToken, token))
      throw new HttpError(401, 'UNAUTHENTICATED', 'operator token required');
    reply = await run(operatorRoutes, vz, request, response, url);
  } else {
    const clinicId = verifyClinicToken(options.clinicTokenSecret, token);
    if (clinicId === undefined)
      throw new HttpError(401, 'UNAUTHENTICATED', 'a valid clinic token is required');
    await requireActiveClinic(vz, clinicId);
    reply = await run(clinicRoutes, vz.forClinic(clinicId), request, response, url);
  }
  if (reply) sendJson(response, reply.status, reply.body);
}

function run<S>(
  routes: readonly Route<S>[],
  scope: S,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<Reply> {
  const { route, ids } = matchRoute(routes, request.method, url.pathname);
  return route.handle(scope, { request, response, url, ids });
}

/**
 * Refuses (403) a clinic whose subscription is not active: suspended, expired
 * or never paid. Asked of `vz.clinics.status`, which answers from the
 * in-process status cache (no statement on a hit) and is invalidated by every
 * subscription change, on every instance (docs/subscriptions.md).
 */
export async function requireActiveClinic(vz: Vetalyze, clinicId: number): Promise<void> {
  const status = await vz.clinics.status(clinicId).catch((error: unknown) => {
    // A token signed for a clinic that does not exist: refused like an inactive one.
    if (error instanceof NotFoundError) return 'unknown';
    throw error;
  });
  if (status !== 'active')
    throw new HttpError(403, 'CLINIC_NOT_ACTIVE', `the clinic's subscription is ${status}`);
}
