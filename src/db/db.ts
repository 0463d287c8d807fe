import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { toVetalyzeError } from './map-error.js';

type QueryMethodName =
  | 'one'
  | 'maybeOne'
  | 'any'
  | 'many'
  | 'oneFirst'
  | 'maybeOneFirst'
  | 'anyFirst'
  | 'exists'
  | 'query'
  | 'transaction';

/**
 * slonik's query methods with every failure turned into the library's own error
 * class, so no bare driver error reaches a caller. `pool` is the raw pool, for
 * streaming and for code that maps its own errors.
 */
export type Db = Pick<CommonQueryMethods, QueryMethodName> & { readonly pool: DatabasePool };

function mapped<Args extends unknown[], Result>(
  run: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      throw toVetalyzeError(error);
    }
  };
}

/** Wraps a pool so every method maps its errors (see {@link Db}). */
export function createDb(pool: DatabasePool): Db {
  return {
    pool,
    one: mapped(pool.one) as Db['one'],
    maybeOne: mapped(pool.maybeOne) as Db['maybeOne'],
    any: mapped(pool.any) as Db['any'],
    many: mapped(pool.many) as Db['many'],
    oneFirst: mapped(pool.oneFirst) as Db['oneFirst'],
    maybeOneFirst: mapped(pool.maybeOneFirst) as Db['maybeOneFirst'],
    anyFirst: mapped(pool.anyFirst) as Db['anyFirst'],
    exists: mapped(pool.exists) as Db['exists'],
    query: mapped(pool.query) as Db['query'],
    transaction: mapped(pool.transaction) as Db['transaction'],
  };
}
