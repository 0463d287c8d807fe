import { LRUCache } from 'lru-cache';

/** A clinic's subscription status, derived as documented in docs/subscriptions.md. */
export type ClinicStatus = 'active' | 'suspended' | 'expired' | 'none';

/** Settings of the clinic-status cache. */
export interface StatusCacheOptions {
  /** Most clinics kept. @default 10000 */
  max?: number;
  /** How long a status is served without asking the database, in ms. @default 300000 (5 minutes) */
  ttlMs?: number;
}

/**
 * In-process cache of clinic statuses. An entry never outlives the moment its
 * status would change by itself (the active subscription's end), and every
 * write through this library that can change a status deletes the entry.
 */
export interface ClinicStatusCache {
  get(clinicId: number): ClinicStatus | undefined;
  /** `changesAt` is the epoch ms at which the status changes without a write, if any. */
  set(clinicId: number, status: ClinicStatus, changesAt: number | null): void;
  invalidate(clinicId: number): void;
}

/** Builds the cache; `false` gives one that never holds anything. */
export function createClinicStatusCache(
  options: StatusCacheOptions | false,
  now: () => number = Date.now,
): ClinicStatusCache {
  if (options === false) {
    return { get: () => undefined, set: () => {}, invalidate: () => {} };
  }
  const ttlMs = options.ttlMs ?? 300_000;
  const cache = new LRUCache<number, ClinicStatus>({
    max: options.max ?? 10_000,
    ttl: ttlMs,
    ttlAutopurge: false,
    perf: { now },
  });
  return {
    get: (clinicId) => cache.get(clinicId),
    set: (clinicId, status, changesAt) => {
      const ttl = changesAt === null ? ttlMs : Math.min(ttlMs, changesAt - now());
      if (ttl > 0) cache.set(clinicId, status, { ttl });
    },
    invalidate: (clinicId) => {
      cache.delete(clinicId);
    },
  };
}
