import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Db } from '../db/db.js';
import { sql } from '../db/sql.js';
import { statement } from '../db/statement.js';
import { NotFoundError } from '../errors.js';

/** What the clinic scope needs to know about its clinic before its first statement. */
export interface ClinicFacts {
  readonly clinicId: number;
  /** ITU calling code of the clinic's country, digits only, for phone normalisation. */
  readonly callingCode: string;
}

/** Clinic facts by id; a miss costs one statement, then none until expired, evicted or invalidated. */
export interface ClinicFactsCache {
  /** The clinic's facts; NotFoundError when the clinic does not exist. */
  get(clinicId: number): Promise<ClinicFacts>;
  /** Forgets one clinic (its country changed, here or on another instance). */
  invalidate(clinicId: number): void;
  /** Forgets every clinic; loads still running are not cached (the invalidation listener lost its connection). */
  clear(): void;
}

/** Settings of the clinic-facts cache. */
export interface ClinicFactsCacheOptions {
  /** Most clinics kept. @default 10000 */
  readonly max?: number;
  /**
   * How long facts are served without asking the database, in ms: the
   * backstop when a change notice was missed (no listener, or its connection
   * was down). @default 300000 (5 minutes)
   */
  readonly ttlMs?: number;
}

const clinicFactsRow = z.object({ clinicId: z.number(), callingCode: z.string() });

/**
 * A clinic's facts, read by a clinic scope on a cache miss. Unnamed: it runs
 * once per clinic per `ttlMs` at most, so a prepared slot on every connection
 * would rarely be used.
 */
const clinicFactsStatement = statement(
  'clinic.facts.get',
  clinicFactsRow,
  { prepared: false },
  (p: { clinicId: number }) => sql.fragment`
    select c.id as "clinicId", co.calling_code as "callingCode"
    from clinics c
    join countries co on co.code = c.country_code
    where c.id = ${p.clinicId}`,
);

/**
 * Builds the cache; clinics are never deleted, and a country change
 * invalidates (locally at once, on other instances through the listener).
 * A load that was running when its clinic was invalidated, or when the cache
 * was cleared, returns its result but does not cache it: it may have read
 * the old country, and caching it would undo the invalidation.
 */
export function createClinicFactsCache(
  db: Db,
  options: ClinicFactsCacheOptions = {},
  now: () => number = Date.now,
): ClinicFactsCache {
  const cache = new LRUCache<number, ClinicFacts>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs ?? 300_000,
    ttlAutopurge: false,
    // Read the injected clock on every get (lru-cache otherwise reuses one
    // reading for 1 ms, with a timer to expire it).
    ttlResolution: 0,
    perf: { now },
  });
  const loading = new Map<number, Promise<ClinicFacts | null>>();
  // Bumped by `clear`: a load started in an older generation is never cached.
  let generation = 0;

  const load = (clinicId: number): Promise<ClinicFacts | null> => {
    const startedIn = generation;
    const started = db.maybeOne(clinicFactsStatement({ clinicId })).then(
      (facts) => {
        if (loading.get(clinicId) === started) {
          loading.delete(clinicId);
          if (facts && generation === startedIn) cache.set(clinicId, facts);
        }
        return facts;
      },
      (error: unknown) => {
        if (loading.get(clinicId) === started) loading.delete(clinicId);
        throw error;
      },
    );
    loading.set(clinicId, started);
    return started;
  };

  return {
    get: async (clinicId) => {
      // The hit path is one map lookup: it runs before every clinic-scope statement.
      const facts = cache.get(clinicId) ?? (await (loading.get(clinicId) ?? load(clinicId)));
      if (!facts) throw new NotFoundError('clinic', clinicId);
      return facts;
    },
    invalidate: (clinicId) => {
      cache.delete(clinicId);
      loading.delete(clinicId);
    },
    clear: () => {
      generation++;
      cache.clear();
      loading.clear();
    },
  };
}
