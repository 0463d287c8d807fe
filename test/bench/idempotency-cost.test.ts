import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSqlPool, insertClinic } from '../clinic/helpers.js';
import { createTestVetalyze } from '../helpers/database.js';

/**
 * The cost of an idempotency key on owners.create (3 pets): PAIRS pairs of
 * calls in one process on ONE connection (poolSize 1), keyed and unkeyed in
 * alternating order, plus a retry of the keyed call (the stored result). Off
 * unless VZ_IDEMPOTENCY_PAIRS is set (it takes tens of seconds):
 *
 *   VZ_IDEMPOTENCY_PAIRS=3000 npx vitest run test/bench/idempotency-cost.test.ts
 */
const pairs = Number(process.env.VZ_IDEMPOTENCY_PAIRS ?? 0);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2
    ? (sorted[Math.floor(middle)] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

describe.skipIf(pairs === 0)('idempotency key cost', () => {
  it('measures owners.create with a key against without, p50 on one connection', async () => {
    const { vz, database } = await createTestVetalyze({
      poolSize: 1,
      cacheInvalidation: false,
      validateRows: false,
    });
    const { clinicId } = await insertClinic(createSqlPool(database));
    const owners = vz.forClinic(clinicId).owners;
    const input = (i: number) => ({
      fullName: `Owner ${i}`,
      phoneNumber: '+49 170 123-4567',
      pets: [
        { name: 'Bello', petTypeId: 1 },
        { name: 'Mimi', petTypeId: 2 },
        { name: 'Hops', petTypeId: 3 },
      ],
    });
    const timed = async (call: () => Promise<unknown>) => {
      const started = performance.now();
      await call();
      return performance.now() - started;
    };
    const plain: number[] = [];
    const keyed: number[] = [];
    const retried: number[] = [];
    const warmUp = 200;
    for (let i = 0; i < warmUp + pairs; i++) {
      const key = randomUUID();
      const withKey = () => timed(() => owners.create(input(i), { idempotencyKey: key }));
      const withoutKey = () => timed(() => owners.create(input(i)));
      const [a, b] =
        i % 2 === 0 ? [await withKey(), await withoutKey()] : [await withoutKey(), await withKey()];
      const keyedMs = i % 2 === 0 ? a : b;
      const plainMs = i % 2 === 0 ? b : a;
      const retryMs = await timed(() => owners.create(input(i), { idempotencyKey: key }));
      if (i >= warmUp) {
        keyed.push(keyedMs);
        plain.push(plainMs);
        retried.push(retryMs);
      }
    }
    const result = {
      pairs,
      plainP50Ms: Number(median(plain).toFixed(3)),
      keyedP50Ms: Number(median(keyed).toFixed(3)),
      retryP50Ms: Number(median(retried).toFixed(3)),
      keyedOverPlain: Number((median(keyed) / median(plain)).toFixed(2)),
    };
    process.stdout.write(`idempotency cost: ${JSON.stringify(result)}\n`);
    expect(result.keyedP50Ms).toBeGreaterThan(0);
  });
});
