import type pg from 'pg';

/** What {@link prewarm} loaded before measuring. */
export interface PrewarmResult {
  /** Bytes of indexes and small tables loaded into shared buffers. */
  readonly sharedBytes: number;
  /** Bytes read once more so the OS caches them (what shared buffers could not hold). */
  readonly osCacheBytes: number;
}

/**
 * Loads the schema's relations with pg_prewarm before anything is measured:
 * indexes first, then tables, smallest first, into shared buffers up to three
 * quarters of `shared_buffers`; the rest is read once so the OS caches it.
 * Returns null when pg_prewarm cannot be had (no extension on the server, or
 * no right to create it). A server that has served traffic holds its working
 * set in memory; right after seeding the first latency pass did not: at
 * 10,000 clinics with 6 GB of shared buffers `owners.searchName` p95 fell
 * pass by pass, 3.27, 2.62, 1.73 ms, and the median of three measured how far
 * the warming had got. Prewarming alone did not settle that there (3.84,
 * 2.40, 1.90: pages outside shared buffers still cost 40-200 µs each, and
 * each backend faulted in the shared memory it touched); with the data set
 * prewarmed into 12 GB on huge pages it read 0.73, 0.68, 0.65
 * (docs/runs/2026-11-30-memory-ab-10000).
 */
export async function prewarm(client: pg.ClientBase): Promise<PrewarmResult | null> {
  try {
    await client.query('create extension if not exists pg_prewarm');
  } catch {
    return null;
  }
  const { rows } = await client.query<{ oid: string; bytes: string; budget: string }>(
    `select c.oid, pg_relation_size(c.oid) as bytes,
            (select setting::bigint * 8192 * 3 / 4 from pg_settings
             where name = 'shared_buffers') as budget
     from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind in ('i', 'r')
     order by c.relkind = 'r', pg_relation_size(c.oid)`,
  );
  let sharedBytes = 0;
  let osCacheBytes = 0;
  for (const row of rows) {
    const bytes = Number(row.bytes);
    const fits = osCacheBytes === 0 && sharedBytes + bytes <= Number(row.budget);
    await client.query('select pg_prewarm($1::oid, $2)', [row.oid, fits ? 'buffer' : 'read']);
    if (fits) sharedBytes += bytes;
    else osCacheBytes += bytes;
  }
  return { sharedBytes, osCacheBytes };
}
