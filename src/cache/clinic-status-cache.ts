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

/** A status as read from the database, with the moment it changes by itself. */
export interface StatusReading {
  readonly status: ClinicStatus;
  /** Epoch ms at which the status changes without any write (an active period's end), else null. */
  readonly changesAt: number | null;
}

/**
 * In-process cache of clinic statuses. An entry never outlives the moment its
 * status would change by itself (the active subscription's end), every
 * write through this library that can change a status deletes the entry, and
 * so does the invalidation listener when any other instance (or SQL by hand)
 * writes a subscription record (src/cache/invalidation-listener.ts).
 */
export interface ClinicStatusCache {
  /** The cached status, or undefined on a miss. */
  get(clinicId: number): ClinicStatus | undefined;
  /** `changesAt` is the epoch ms at which the status changes without a write, if any. */
  set(clinicId: number, status: ClinicStatus, changesAt: number | null): void;
  /**
   * The cached status, else `load`'s, which is then cached. Concurrent misses
   * for one clinic share one `load`. A load that was running when
   * `invalidate` was called is not cached: it may have read the old state.
   */
  read(clinicId: number, load: (clinicId: number) => Promise<StatusReading>): Promise<ClinicStatus>;
  /** Forgets the clinic's status; the next read asks the database. */
  invalidate(clinicId: number): void;
  /**
   * Forgets every status, and every load still running keeps its result to
   * itself: the invalidation listener lost its connection, so any entry may
   * be stale.
   */
  clear(): void;
}

/** Builds the cache; `false` gives one that never holds anything. */
export function createClinicStatusCache(
  options: StatusCacheOptions | false,
  now: () => number = Date.now,
): ClinicStatusCache {
  if (options === false) {
    return {
      get: () => undefined,
      set: () => {},
      read: async (clinicId, load) => (await load(clinicId)).status,
      invalidate: () => {},
      clear: () => {},
    };
  }
  const ttlMs = options.ttlMs ?? 300_000;
  const cache = new LRUCache<number, ClinicStatus>({
    max: options.max ?? 10_000,
    ttl: ttlMs,
    ttlAutopurge: false,
    // Read the clock on every get (lru-cache otherwise reuses one reading for 1 ms),
    // so an entry is gone the moment its status may have changed.
    ttlResolution: 0,
    perf: { now },
  });
  // Loads in flight, by clinic. `invalidate` removes the entry, which is how a
  // finishing load learns that its result may be stale and must not be cached.
  const loading = new Map<number, Promise<ClinicStatus>>();
  // Bumped by `clear`: a load started in an older generation is never cached.
  let generation = 0;

  const set = (clinicId: number, status: ClinicStatus, changesAt: number | null): void => {
    const ttl = changesAt === null ? ttlMs : Math.min(ttlMs, changesAt - now());
    if (ttl > 0) cache.set(clinicId, status, { ttl });
  };

  return {
    get: (clinicId) => cache.get(clinicId),
    set,
    read: (clinicId, load) => {
      const hit = cache.get(clinicId);
      if (hit !== undefined) return Promise.resolve(hit);
      const pending = loading.get(clinicId);
      if (pending) return pending;
      const startedIn = generation;
      const started = load(clinicId).then(
        (reading) => {
          if (loading.get(clinicId) === started) {
            loading.delete(clinicId);
            if (generation === startedIn) set(clinicId, reading.status, reading.changesAt);
          }
          return reading.status;
        },
        (error: unknown) => {
          if (loading.get(clinicId) === started) loading.delete(clinicId);
          throw error;
        },
      );
      loading.set(clinicId, started);
      return started;
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
