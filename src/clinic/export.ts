/**
 * `owners.export`: every live owner of the clinic with its pets, streamed with
 * pg-cursor on a connection of `context.cursorPool` (plain node-postgres), in
 * batches, so memory stays bounded whatever the clinic's size.
 */
import type pg from 'pg';
import Cursor from 'pg-cursor';
import { toDriverText } from '../db/db.js';
import { failureCode, toVetalyzeError } from '../db/map-error.js';
import { borrowClient } from '../db/pool.js';
import { redacted } from '../db/query-event.js';
import type { StreamSource } from '../db/replicas.js';
import { sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { leaseForStream } from '../db/stream-lease.js';
import { parseInput } from '../validation.js';
import { exportOptionsSchema, type OwnerExportOptions } from './inputs.js';
import { type Owner, ownerColumns, ownerSchema, petJson } from './rows.js';
import type { ScopeContext } from './scope-context.js';

/**
 * Rows fetched per round trip. Measured on 50,000 owners (docs/tenancy.md,
 * "Export"): 100 pays a round trip every 100 rows; past 1000 the gain is gone
 * while the batch held in memory keeps growing. @default 1000
 */
export const defaultExportBatchSize = 1_000;

/**
 * How long one export may take from first to last row, in ms, whatever the
 * connection's statement timeout: an export lasts as long as its consumer
 * reads. @default 600000 (10 minutes)
 */
export const defaultExportTimeoutMs = 600_000;

/**
 * The export statement: the same owner and pet shapes as `owners.get`, oldest
 * first. Owners in id order merge-joined with the clinic's pets grouped by owner
 * (also in owner order) stream without a per-owner lookup: 50,000 owners took
 * 385 ms against 1,270 ms with a correlated pets subquery per owner. Unnamed:
 * pg-cursor sends it as an unnamed statement, once per export.
 */
const exportStatement = statement(
  'clinic.owners.export',
  ownerSchema,
  { prepared: false },
  (p: { clinicId: number }) => sql.fragment`
    select ${ownerColumns}, coalesce(pp.pets, '[]'::json) as pets
    from (
      select * from owners o
      where o.clinic_id = ${p.clinicId} and o.archived_at is null
      order by o.id
    ) o
    left join (
      select p.clinic_id, p.owner_id, json_agg(${petJson} order by p.id) as pets
      from pets p
      where p.clinic_id = ${p.clinicId} and p.archived_at is null
      group by p.clinic_id, p.owner_id
    ) pp on pp.clinic_id = o.clinic_id and pp.owner_id = o.id
    order by o.id`,
);

/**
 * A connection from the first source that gives one: a replica that is down
 * costs the export nothing, it starts on the next (the primary is last).
 */
async function borrowForStream(
  sources: readonly StreamSource[],
): Promise<{ client: pg.PoolClient; server: string }> {
  let failure: unknown;
  for (const { pool, server } of sources) {
    try {
      return { client: await borrowClient(pool), server };
    } catch (error) {
      failure = error;
    }
  }
  throw toVetalyzeError(failure);
}

/**
 * Streams the clinic's live owners with their pets (see `owners.export`). The
 * cursor is closed and the connection released in `finally`: when the
 * iteration ends, when the consumer breaks out early, and when either side
 * throws. A connection that fails, a server that stops answering, and an
 * iterator dropped without `return()` lose the connection through the lease
 * (see `leaseForStream`): it is destroyed and its cursor-pool slot freed.
 * The export is reported to `onQuery` once, when it ends, with its row count.
 */
export async function* exportOwners(
  scope: ScopeContext,
  options?: OwnerExportOptions,
): AsyncGenerator<Owner, void, undefined> {
  const { batchSize = defaultExportBatchSize, timeoutMs = defaultExportTimeoutMs } = parseInput(
    exportOptionsSchema,
    options,
  );
  await scope.facts();
  const { context } = scope;
  const query = exportStatement({ clinicId: scope.clinicId });
  const text = toDriverText(query.sql);
  const { client, server } = await borrowForStream(
    context.streamSources?.() ?? [{ pool: context.cursorPool, server: 'primary' }],
  );
  const lease = leaseForStream(client, {
    roundTripMs: context.timeouts.statementMs,
    idleMs: context.timeouts.idleInTransactionMs,
  });
  const started = performance.now();
  let rowCount = 0;
  let cursor: Cursor | undefined;
  let broken = false;
  let failure: unknown;
  try {
    // Transaction-local settings: nothing outlives COMMIT.
    // - pg-cursor keeps one portal open until it is closed, so the connection's
    //   statement timeout would cover the whole export however slowly the consumer
    //   reads: the export's own timeout replaces it.
    // - Without statistics (a table just filled by an import) the planner took
    //   a nested loop that re-ran the pets aggregate per owner (quadratic: a
    //   50,000-owner export never finished); the merge join is linear.
    await lease.roundTrip(() =>
      client.query(
        `begin read only; set local statement_timeout = ${timeoutMs}; set local enable_nestloop = off`,
      ),
    );
    const open = client.query(new Cursor(text, [...query.values]));
    cursor = open;
    for (;;) {
      const rows: unknown[] = await lease.roundTrip(() => open.read(batchSize));
      if (rows.length === 0) break;
      for (const row of rows) {
        yield ownerSchema.parse(row);
        lease.pulled();
        rowCount++;
      }
    }
  } catch (error) {
    broken = true;
    failure = error;
    throw toVetalyzeError(error);
  } finally {
    // After a failure the cursor is not closed: pg-cursor waits for a
    // ReadyForQuery that a dead connection never sends (the export hung).
    if (!broken && !lease.lost) {
      try {
        await lease.roundTrip(async () => {
          await cursor?.close();
          await client.query('commit');
        });
      } catch {
        broken = true;
      }
    }
    // A connection that failed is destroyed, never handed out again.
    lease.end(broken);
    context.onQuery?.({
      sql: text,
      values: redacted(query.values),
      name: undefined,
      durationMs: performance.now() - started,
      rowCount,
      failed: broken || lease.lost !== undefined,
      errorCode: failureCode(failure ?? lease.lost),
      server,
    });
  }
}
