import type { DiagnosticConnection } from '@vetalyze/db';
import type { CapturedStatement } from '../scenarios/recorder.js';
import type { ReplayRow } from '../scenarios/scenario.js';

/**
 * Sends captured statements through bare node-postgres exactly as the library
 * did: under the library's prepared-statement name when it used one (node-postgres
 * prepares it once per connection), unnamed otherwise (searches keep custom plans).
 * Returns the rows of the last statement.
 */
export async function replay(
  client: DiagnosticConnection,
  statements: readonly CapturedStatement[],
): Promise<ReplayRow[]> {
  let rows: ReplayRow[] = [];
  for (const statement of statements) {
    const values = [...statement.values];
    const result = await client.query(
      statement.name
        ? { name: statement.name, text: statement.sql, values }
        : { text: statement.sql, values },
    );
    rows = result.rows;
  }
  return rows;
}
