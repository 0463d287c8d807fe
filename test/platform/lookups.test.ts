import { describe, expect, it } from 'vitest';
import { createVetalyze } from '../../src/index.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';

const { vz, database, queries } = await createTestVetalyze();

describe('lookups', () => {
  it('lists the reference tables with their documented types', async () => {
    const countries = await vz.lookups.countries();
    expect(countries.find((country) => country.code === 'DE')).toEqual({
      code: 'DE',
      alpha3: 'DEU',
      name: 'Germany',
      callingCode: '49',
    });
    // By name in the database's collation: only orders every collation agrees on.
    const position = (code: string) => countries.findIndex((country) => country.code === code);
    expect(position('AF')).toBe(0);
    expect(position('DE')).toBeLessThan(position('GR'));
    expect(position('ZW')).toBeGreaterThan(position('ZA'));

    expect((await vz.lookups.petTypes())[0]).toEqual({ id: 1, code: 'dog', name: 'Dog' });
    expect((await vz.lookups.subscriptionTypes())[0]).toEqual({
      id: 1,
      code: 'monthly',
      name: 'Monthly',
      durationMonths: 1,
      price: '49.00',
      isActive: true,
    });
    expect((await vz.lookups.paymentMethods()).map((method) => method.code)).toEqual([
      'card',
      'bank_transfer',
      'cash',
      'invoice',
    ]);
  });

  it('serves a second call within the TTL without a statement', async () => {
    await vz.lookups.countries();
    const again = await countStatements(queries, () => vz.lookups.countries());
    expect(again.statements).toBe(0);
    expect(again.result.length).toBeGreaterThan(200);
    for (const call of [
      () => vz.lookups.petTypes(),
      () => vz.lookups.subscriptionTypes(),
      () => vz.lookups.paymentMethods(),
    ]) {
      expect((await countStatements(queries, call)).statements).toBe(0);
    }
  });

  it('returns frozen rows, so one caller cannot change what the others get', async () => {
    const types = await vz.lookups.petTypes();
    expect(Object.isFrozen(types)).toBe(true);
    expect(Object.isFrozen(types[0])).toBe(true);
  });

  it('shares one statement between concurrent callers on a cold cache', async () => {
    const cold: string[] = [];
    const other = await createVetalyze({
      connectionString: database.url,
      onQuery: (event) => cold.push(event.sql),
    });
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => other.lookups.petTypes()));
      expect(cold).toHaveLength(1);
      expect(new Set(results).size).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('asks the database every time when lookupTtlMs is 0', async () => {
    const sent: string[] = [];
    const uncached = await createVetalyze({
      connectionString: database.url,
      lookupTtlMs: 0,
      onQuery: (event) => sent.push(event.sql),
    });
    try {
      await uncached.lookups.paymentMethods();
      await uncached.lookups.paymentMethods();
      expect(sent).toHaveLength(2);
    } finally {
      await uncached.close();
    }
  });
});
