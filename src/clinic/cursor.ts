import { z } from 'zod';
import { type Cursors, cursorBinding, type Page, toPage } from '../paging.js';
import { idSchema } from '../validation.js';

// Clinic-scope pages go by id, newest first: the cursor holds the last id returned.
const idKey = z.tuple([idSchema]);

// First page: one past the largest integer id (compared as int8, so the index is used).
const firstPageBound = 2_147_483_648;

/** Keyset paging by id, newest first, for one list of one clinic with one set of filters. */
export interface IdPaging {
  /**
   * The exclusive upper bound on ids for a page: the cursor's id, or above
   * every id for the first page. A cursor this list did not make for this
   * clinic and these filters is a ValidationError on `cursor`.
   */
  bound(cursor: string | undefined): number;
  /**
   * The page of `rows` fetched with `limit + 1` rows, each made an item by
   * `toItem` (the row itself when omitted), with the next page's cursor or null.
   */
  page<Row extends { id: number }, Item = Row>(
    rows: readonly Row[],
    limit: number,
    toItem?: (row: Row) => Item,
  ): Page<Item>;
}

/**
 * Paging for list `list` (e.g. `owners.search`) of clinic `clinicId`, whose
 * cursors are bound to `filters` (e.g. `['name', 'anna']`).
 */
export function idPaging(
  cursors: Cursors,
  list: string,
  clinicId: number,
  filters: readonly unknown[] = [],
): IdPaging {
  const binding = cursorBinding(list, clinicId, filters);
  return {
    bound: (cursor) =>
      cursor === undefined ? firstPageBound : cursors.decode(binding, cursor, idKey)[0],
    page: <Row extends { id: number }, Item>(
      rows: readonly Row[],
      limit: number,
      toItem = (row: Row) => row as unknown as Item,
    ) => toPage(rows, limit, (row) => cursors.encode(binding, [row.id]), toItem),
  };
}
