/** A route table: method, path pattern, handler. Path ids are captured as digits only. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.ts';

/** What a handler gets besides its scope. */
export interface RouteRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** The path's captured ids, as numbers. */
  readonly ids: readonly number[];
}

/** A JSON reply, or `undefined` when the handler wrote the response itself (a stream). */
export type Reply = { readonly status: number; readonly body?: unknown } | undefined;

/** One route; `S` is what it acts on: `Vetalyze` for operator routes, `ClinicScope` for clinic routes. */
export interface Route<S> {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: RegExp;
  readonly handle: (scope: S, request: RouteRequest) => Promise<Reply>;
}

/** The route matching the request and its ids; 404 for an unknown path, 405 for a wrong method. */
export function matchRoute<S>(
  routes: readonly Route<S>[],
  method: string | undefined,
  pathname: string,
): { route: Route<S>; ids: number[] } {
  let pathKnown = false;
  for (const route of routes) {
    const match = route.path.exec(pathname);
    if (!match) continue;
    pathKnown = true;
    if (route.method === method) return { route, ids: match.slice(1).map(Number) };
  }
  if (pathKnown) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} ${pathname}`);
  throw new HttpError(404, 'NO_ROUTE', `no route ${pathname}`);
}

/** `?name=value` query parameters as an object, numbers where `numeric` says so. */
export function queryOf(url: URL, numeric: readonly string[] = ['limit']): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) {
    // A non-number becomes NaN, which the library refuses with a ValidationError naming the key.
    query[key] = numeric.includes(key) ? Number(value) : value;
  }
  return query;
}
