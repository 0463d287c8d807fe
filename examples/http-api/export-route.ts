/**
 * The clinic's owners and pets as CSV, streamed: one cursor batch (1,000
 * owners) in memory at a time however large the clinic, and no faster than
 * the client reads (`exportToCsv` pipes into the response and waits whenever
 * the socket's buffer is full).
 */
import type { ServerResponse } from 'node:http';
import { type ClinicScope, exportToCsv } from '@vetalyze/db';

/**
 * Streams `clinic`'s export to `response`. The first owner is read before the
 * status line, so a failure to start (no connection, a timeout) is still an
 * ordinary error status and not an empty 200 file. When the client goes away
 * mid-export, the pipeline fails, and `return()` in `finally` closes the
 * cursor and hands its connection back at once (otherwise the library would
 * only reclaim it after `idleInTransactionTimeoutMs` without a pull).
 */
export async function exportOwnersCsv(
  clinic: ClinicScope,
  response: ServerResponse,
): Promise<void> {
  const owners = clinic.owners.export();
  try {
    const first = await owners.next();
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="owners.csv"',
    });
    async function* all() {
      if (first.done) return;
      yield first.value;
      yield* owners;
    }
    await exportToCsv(all(), response).catch((error: unknown) => {
      // The client went away: nothing to answer. Anything else reaches
      // server.ts, which logs it; the response is already cut, so the client
      // sees a truncated transfer and never a complete-looking file.
      if (!clientLeft(error)) throw error;
    });
  } finally {
    await owners.return();
  }
}

function clientLeft(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}
