import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { sql } from '../db/sql.js';
import { NotFoundError } from '../errors.js';

/** What the clinic scope needs to know about its clinic before its first statement. */
export interface ClinicFacts {
  readonly clinicId: number;
  /** ITU calling code of the clinic's country, digits only, for phone normalisation. */
  readonly callingCode: string;
}

/** Clinic facts by id; a miss costs one statement, then none until evicted or invalidated. */
export interface ClinicFactsCache {
  /** The clinic's facts; NotFoundError when the clinic does not exist. */
  get(clinicId: number): Promise<ClinicFacts>;
  invalidate(clinicId: number): void;
}

const clinicFactsRow = z.object({ clinicId: z.number(), callingCode: z.string() });

const selectClinicFacts = (clinicId: number) => sql.type(clinicFactsRow)`
  select c.id as "clinicId", co.calling_code as "callingCode"
  from clinics c
  join countries co on co.code = c.country_code
  where c.id = ${clinicId}`;

/** Builds the cache; clinics are never deleted, and a country change invalidates. */
export function createClinicFactsCache(db: Db, max = 10_000): ClinicFactsCache {
  const cache = new LRUCache<number, ClinicFacts>({
    max,
    fetchMethod: async (clinicId) => (await db.maybeOne(selectClinicFacts(clinicId))) ?? undefined,
  });
  return {
    get: async (clinicId) => {
      // The hit path skips fetch()'s promise and abort machinery: it runs before every statement.
      const facts = cache.get(clinicId) ?? (await cache.fetch(clinicId));
      if (!facts) throw new NotFoundError('clinic', clinicId);
      return facts;
    },
    invalidate: (clinicId) => {
      cache.delete(clinicId);
    },
  };
}
