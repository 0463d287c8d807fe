import { z } from 'zod';
import { cursorSchema, encodeCursor, type Page, toPage } from '../paging.js';
import { parseInput } from '../validation.js';

// Clinic-scope pages go by id, newest first: the cursor holds the last id returned.
const idCursorSchema = cursorSchema(z.tuple([z.number().int().positive().max(2_147_483_647)]));

/** The cursor of the page that follows the row with this id. */
export function idCursor(id: number): string {
  return encodeCursor([id]);
}

/** The page of `rows` fetched with `limit + 1` rows, with the next page's cursor or null. */
export function toIdPage<Row extends { id: number }>(
  rows: readonly Row[],
  limit: number,
): Page<Row> {
  return toPage(
    rows,
    limit,
    (row) => [row.id],
    (row) => row,
  );
}

/**
 * The exclusive upper bound on ids for a page: the cursor's id, or one past the
 * largest integer id for the first page (compared as int8, so the index is used).
 * A cursor this API did not return is a ValidationError on `cursor`.
 */
export function idUpperBound(cursor: string | undefined): number {
  return cursor === undefined ? 2_147_483_648 : parseInput(idCursorSchema, cursor, 'cursor')[0];
}
