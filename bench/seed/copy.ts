import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyBinaryHeader, copyBinaryTrailer } from '../generate/copy-binary.js';

/**
 * Streams COPY chunks into `table`: text rows, or with `format: 'binary'` the
 * rows of a {@link copyBinaryBuilder} (the header and trailer are added here).
 * The chunks come from a generator that builds them on demand, so generating
 * the next chunk overlaps the server loading the previous one, and memory
 * stays bounded by the stream's buffer. Returns the number of rows the server
 * loaded.
 */
export async function copyInto(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  options: { freeze?: boolean; format?: 'text' | 'binary' } = {},
): Promise<number> {
  const format = options.format ?? 'text';
  const freeze = options.freeze ? ', freeze' : '';
  const stream = client.query(
    copyFrom(`copy ${table} (${columns.join(', ')}) from stdin (format ${format}${freeze})`, {
      highWaterMark: 1 << 20,
    }),
  );
  const source = format === 'binary' ? framed(chunks) : chunks;
  await pipeline(Readable.from(source, { objectMode: false, highWaterMark: 1 << 20 }), stream);
  return stream.rowCount;
}

/** Binary COPY rows between the format's header and trailer. */
async function* framed(chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>) {
  yield copyBinaryHeader;
  yield* chunks;
  yield copyBinaryTrailer;
}
