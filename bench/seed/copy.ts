import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * Streams COPY text chunks into `table`. The chunks come from a generator that
 * builds them on demand, so generating the next chunk overlaps the server
 * parsing the previous one, and memory stays bounded by the stream's buffer.
 * Returns the number of rows the server loaded.
 */
export async function copyInto(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  options: { freeze?: boolean } = {},
): Promise<number> {
  const freeze = options.freeze ? ', freeze' : '';
  const stream = client.query(
    copyFrom(`copy ${table} (${columns.join(', ')}) from stdin (format text${freeze})`, {
      highWaterMark: 1 << 20,
    }),
  );
  await pipeline(Readable.from(chunks, { objectMode: false, highWaterMark: 1 << 20 }), stream);
  return stream.rowCount;
}
