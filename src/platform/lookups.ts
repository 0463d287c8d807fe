import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Context } from '../context.js';
import { type QuerySqlToken, sql } from '../db/sql.js';
import { statement } from '../db/statement.js';

/** A country: ISO 3166-1 codes, English name, ITU calling code (digits only). */
export interface Country {
  /** ISO 3166-1 alpha-2, e.g. 'DE'. */
  readonly code: string;
  /** ISO 3166-1 alpha-3, e.g. 'DEU'. */
  readonly alpha3: string;
  readonly name: string;
  /** ITU calling code, digits only, e.g. '49'. */
  readonly callingCode: string;
}
/** A species a pet can be recorded as. */
export interface PetType {
  readonly id: number;
  readonly code: string;
  readonly name: string;
}
/** A plan the platform sells: its length in months and its price (exact decimal string). */
export interface SubscriptionType {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly durationMonths: number;
  /** Exact decimal string, e.g. '49.00'. */
  readonly price: string;
  /** False for plans no longer sold; old records still refer to them. */
  readonly isActive: boolean;
}
/** A way a clinic can pay. */
export interface PaymentMethod {
  readonly id: number;
  readonly code: string;
  readonly name: string;
}

/** Reference tables, read once and then served from memory for `lookupTtlMs`. */
export interface LookupsRepository {
  /** Every country, by name. Cached: a second call within the TTL sends no statement. */
  countries(): Promise<readonly Country[]>;
  /** Every pet type, by id. Cached like {@link LookupsRepository.countries}. */
  petTypes(): Promise<readonly PetType[]>;
  /**
   * Every subscription type, by id, including those no longer sold (`isActive`
   * false): old records still refer to them. Cached like the others.
   */
  subscriptionTypes(): Promise<readonly SubscriptionType[]>;
  /** Every payment method, by id. Cached like the others. */
  paymentMethods(): Promise<readonly PaymentMethod[]>;
}

const countryRow = z.object({
  code: z.string(),
  alpha3: z.string(),
  name: z.string(),
  callingCode: z.string(),
});
const petTypeRow = z.object({ id: z.number(), code: z.string(), name: z.string() });
const subscriptionTypeRow = z.object({
  id: z.number(),
  code: z.string(),
  name: z.string(),
  durationMonths: z.number(),
  price: z.string(),
  isActive: z.boolean(),
});
const paymentMethodRow = z.object({ id: z.number(), code: z.string(), name: z.string() });

/*
 * Unnamed statements: each runs once per `lookupTtlMs` (its rows are cached),
 * so a prepared slot on every connection would never pay for itself.
 */

const queries = {
  countries: statement(
    'platform.lookups.countries',
    countryRow,
    { prepared: false },
    () =>
      sql.fragment`
      select code, alpha3, name, calling_code as "callingCode"
      from countries order by name`,
  ),
  petTypes: statement(
    'platform.lookups.petTypes',
    petTypeRow,
    { prepared: false },
    () => sql.fragment`select id, code, name from pet_types order by id`,
  ),
  subscriptionTypes: statement(
    'platform.lookups.subscriptionTypes',
    subscriptionTypeRow,
    { prepared: false },
    () => sql.fragment`
      select id, code, name, duration_months as "durationMonths", price, is_active as "isActive"
      from subscription_types order by id`,
  ),
  paymentMethods: statement(
    'platform.lookups.paymentMethods',
    paymentMethodRow,
    { prepared: false },
    () => sql.fragment`select id, code, name from payment_methods order by id`,
  ),
};

/**
 * One reference table's rows as a function: frozen (every caller shares them)
 * and fetched through lru-cache's `fetchMethod`, so concurrent callers on a cold
 * cache share one statement. A TTL of 0 turns caching off.
 */
function cachedTable<Row extends object>(
  context: Context,
  query: (params: object) => QuerySqlToken<z.ZodType<Row>>,
): () => Promise<readonly Row[]> {
  const load = async (): Promise<readonly Row[]> => {
    const rows = await context.readDb.any(query({}));
    return Object.freeze(rows.map((row) => Object.freeze(row)));
  };
  if (context.lookupTtlMs === 0) return load;
  const cache = new LRUCache<'rows', readonly Row[]>({
    max: 1,
    ttl: context.lookupTtlMs,
    fetchMethod: load,
  });
  return () => cache.forceFetch('rows');
}

/** Builds the lookups repository (see {@link LookupsRepository}). */
export function createLookupsRepository(context: Context): LookupsRepository {
  return {
    countries: cachedTable(context, queries.countries),
    petTypes: cachedTable(context, queries.petTypes),
    subscriptionTypes: cachedTable(context, queries.subscriptionTypes),
    paymentMethods: cachedTable(context, queries.paymentMethods),
  };
}
