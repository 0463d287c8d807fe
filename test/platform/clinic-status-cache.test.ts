import { describe, expect, it } from 'vitest';
import {
  type ClinicStatus,
  createClinicStatusCache,
  type StatusReading,
} from '../../src/cache/clinic-status-cache.js';

/** A clock the test moves by hand, so TTLs are checked without sleeping. */
function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A load the test resolves by hand, counting calls. */
function manualLoad() {
  const pending: ((reading: StatusReading) => void)[] = [];
  const load = (_clinicId: number) =>
    new Promise<StatusReading>((resolve) => {
      pending.push(resolve);
    });
  return { load, pending };
}

const reading = (status: ClinicStatus, changesAt: number | null = null): StatusReading => ({
  status,
  changesAt,
});

describe('clinic status cache', () => {
  it('serves a status for its TTL, then forgets it', () => {
    const clock = manualClock();
    const cache = createClinicStatusCache({ ttlMs: 1_000 }, clock.now);
    cache.set(1, 'none', null);
    clock.advance(999);
    expect(cache.get(1)).toBe('none');
    clock.advance(2);
    expect(cache.get(1)).toBeUndefined();
  });

  it('never keeps an active status past the moment it changes by itself', () => {
    const clock = manualClock();
    const cache = createClinicStatusCache({ ttlMs: 300_000 }, clock.now);
    cache.set(1, 'active', clock.now() + 5_000);
    clock.advance(4_999);
    expect(cache.get(1)).toBe('active');
    clock.advance(2);
    expect(cache.get(1)).toBeUndefined();
    cache.set(2, 'active', clock.now() - 1);
    expect(cache.get(2)).toBeUndefined();
  });

  it('shares one load between concurrent misses, then serves from memory', async () => {
    const cache = createClinicStatusCache({}, manualClock().now);
    const { load, pending } = manualLoad();
    const reads = [cache.read(7, load), cache.read(7, load), cache.read(7, load)];
    expect(pending).toHaveLength(1);
    pending[0]?.(reading('suspended'));
    expect(await Promise.all(reads)).toEqual(['suspended', 'suspended', 'suspended']);
    expect(await cache.read(7, load)).toBe('suspended');
    expect(pending).toHaveLength(1);
  });

  it('does not cache a load that was running when the clinic was invalidated', async () => {
    const cache = createClinicStatusCache({}, manualClock().now);
    const { load, pending } = manualLoad();
    const before = cache.read(3, load);
    cache.invalidate(3);
    const after = cache.read(3, load);
    expect(pending).toHaveLength(2);
    pending[1]?.(reading('active'));
    pending[0]?.(reading('none'));
    expect(await before).toBe('none');
    expect(await after).toBe('active');
    expect(cache.get(3)).toBe('active');
  });

  it('does not cache a failed load', async () => {
    const cache = createClinicStatusCache({}, manualClock().now);
    await expect(cache.read(4, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.read(4, async () => reading('expired'))).toBe('expired');
  });

  it('holds nothing when turned off', async () => {
    const cache = createClinicStatusCache(false);
    let loads = 0;
    const load = async () => {
      loads++;
      return reading('active');
    };
    await cache.read(5, load);
    await cache.read(5, load);
    cache.set(5, 'active', null);
    expect(cache.get(5)).toBeUndefined();
    expect(loads).toBe(2);
  });

  it('keeps at most `max` clinics', () => {
    const cache = createClinicStatusCache({ max: 2 }, manualClock().now);
    cache.set(1, 'none', null);
    cache.set(2, 'none', null);
    cache.set(3, 'none', null);
    expect([cache.get(1), cache.get(2), cache.get(3)]).toEqual([undefined, 'none', 'none']);
  });
});
