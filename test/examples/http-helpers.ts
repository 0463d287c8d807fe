import { once } from 'node:events';
import { Agent, type ClientRequest, type IncomingMessage, request } from 'node:http';
import pg from 'pg';
import type { Vetalyze } from '../../src/index.js';

/** Secrets of the service under test (each at least 32 characters). */
export const clinicTokenSecret = 'test-clinic-token-secret-0123456789abcdef';
export const operatorToken = 'test-operator-token-0123456789abcdef';

/** What a JSON call answered. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the JSON holds
  readonly body: any;
}

/** One request with fetch; `token` goes in `Authorization: Bearer`. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await response.text();
  const json = text && response.headers.get('content-type')?.startsWith('application/json');
  return {
    status: response.status,
    headers: response.headers,
    body: json ? JSON.parse(text) : text,
  };
}

/**
 * A download that has received its status line and first chunk and then
 * stops reading, so the server's writes fill the socket buffers and back up.
 */
export async function startPausedDownload(
  url: string,
  token: string,
): Promise<{ request: ClientRequest; response: IncomingMessage; firstChunk: Buffer }> {
  // agent: false gives the download its own connection, never shared by a later call.
  const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: false });
  req.end();
  const [response] = (await once(req, 'response')) as [IncomingMessage];
  // Paused in the listener itself: a chunk emitted before a later pause() would be lost.
  const firstChunk = await new Promise<Buffer>((resolve) =>
    response.once('data', (chunk: Buffer) => {
      response.pause();
      resolve(chunk);
    }),
  );
  return { request: req, response, firstChunk };
}

/**
 * A POST the server has taken in (it answered `100 Continue`, so its handler
 * runs) whose body is not sent yet: a request in flight, held open until
 * `send` is called. `response` is listened to at once, so a connection cut
 * before then fails the caller instead of hanging it.
 */
export async function startHeldPost(
  url: string,
  token: string,
): Promise<{ send(body: unknown): void; response: Promise<IncomingMessage> }> {
  const post = request(url, {
    method: 'POST',
    // Keep-alive, like a browser or a proxy: the server, not the client, must close it.
    agent: new Agent({ keepAlive: true }),
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      expect: '100-continue',
    },
  });
  const response = once(post, 'response').then(([answer]) => answer as IncomingMessage);
  response.catch(() => {});
  post.flushHeaders();
  await once(post, 'continue');
  return { send: (body) => post.end(JSON.stringify(body)), response };
}

/** Reads the rest of a paused download to its end. */
export async function readRest(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sessions of the database at `url` inside a transaction ('active' or
 * 'idle in transaction'), other than this query's own: an export holds one
 * from its first row to its end, and nothing else in these tests does.
 */
export async function sessionsInTransaction(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `select count(*)::int as count from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()
         and backend_type = 'client backend' and xact_start is not null`,
    );
    return rows[0]?.count ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * Gives `clinicId` `owners` owners of one pet each, with long addresses, so
 * its CSV (about 450 bytes a row) is far larger than a loopback socket's
 * buffers (a few MB): a client that stops reading stops the export mid-way.
 */
export async function fillClinic(vz: Vetalyze, clinicId: number, owners: number): Promise<void> {
  const address = `Lange Straße 1, 10115 Berlin, ${'Hinterhaus '.repeat(25)}`;
  for (let start = 0; start < owners; start += 10_000) {
    const count = Math.min(10_000, owners - start);
    await vz.forClinic(clinicId).owners.import(
      Array.from({ length: count }, (_, i) => ({
        fullName: `Owner ${start + i}`,
        address,
        pets: [{ name: `Pet ${start + i}`, petTypeId: 1 }],
      })),
    );
  }
}
