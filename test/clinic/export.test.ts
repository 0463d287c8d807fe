import { PassThrough, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportToCsv, exportToNdjson } from '../../src/clinic/export-writers.js';
import type { Owner } from '../../src/clinic/rows.js';
import { type ClinicScope, createClinicScope } from '../../src/clinic/scope.js';
import type { Context } from '../../src/context.js';
import { TimeoutError, ValidationError } from '../../src/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { createTestContext } from './context.js';
import { createSqlPool, insertClinic } from './helpers.js';
import { ownerRow } from './names.js';

// This file's own worker gets a callable gc: the flag is set at run time, and a
// fresh context exposes the function (verified: gc() is a function below).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let context: Context;
let big: ClinicScope;
let small: ClinicScope;
const bigOwners = 50_000;

beforeAll(async () => {
  const database = await createTestDatabase();
  // One cursor connection: a leaked one would make the next export wait, then fail.
  // Its 1 s statement timeout is what the slow-consumer test outlives.
  context = await createTestContext(database, { cursorPoolSize: 1, statementTimeoutMs: 1_000 });
  const pool = createSqlPool(database);
  const bigClinicId = (await insertClinic(pool)).clinicId;
  big = createClinicScope(context, bigClinicId);
  // The data goes in on a context of its own, with a 30 s statement timeout: an
  // import of 10,000 owners takes about 0.6 s idle, and ran past 1 s under load.
  const loading = await createTestContext(database, { statementTimeoutMs: 30_000 });
  const loader = createClinicScope(loading, bigClinicId);
  for (let part = 0; part < bigOwners / 10_000; part++) {
    await loader.owners.import(Array.from({ length: 10_000 }, (_, i) => ownerRow(i, part)));
  }
  small = createClinicScope(context, (await insertClinic(pool)).clinicId);
  await small.owners.create({
    fullName: 'Quote "Q", Comma',
    address: 'Line 1\nLine 2',
    pets: [
      { name: 'One', petTypeId: 1, birthDate: '2020-02-02', microchip: '276098100000001' },
      { name: 'Two', petTypeId: 2 },
    ],
  });
  await small.owners.create({ fullName: 'No Pets' });
  const archived = await small.owners.create({
    fullName: 'Archived',
    pets: [{ name: 'Gone', petTypeId: 1 }],
  });
  await small.owners.remove(archived.id);
}, 300_000);

function expectPoolIdle(): void {
  const pool = context.cursorPool;
  expect(pool.waitingCount).toBe(0);
  expect(pool.idleCount).toBe(pool.totalCount);
}

async function collect(iterable: AsyncIterable<Owner>): Promise<Owner[]> {
  const owners: Owner[] = [];
  for await (const owner of iterable) owners.push(owner);
  return owners;
}

describe('owners.export', () => {
  it('yields live owners oldest first, each as owners.get returns it', async () => {
    const owners = await collect(small.owners.export());
    expect(owners.map((owner) => owner.fullName)).toEqual(['Quote "Q", Comma', 'No Pets']);
    for (const owner of owners) expect(owner).toEqual(await small.owners.get(owner.id));
    expect(typeof gc).toBe('function');
    expectPoolIdle();
  });

  it('streams 50,000 owners with bounded heap growth', async () => {
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let pets = 0;
    for await (const owner of big.owners.export()) {
      count++;
      pets += owner.pets.length;
      if (count % 5_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(count).toBe(bigOwners);
    expect(pets).toBe(bigOwners * 1.5);

    // The control: what holding every owner costs. Streaming must stay far below it.
    gc();
    const held = await collect(big.owners.export());
    gc();
    const retained = process.memoryUsage().heapUsed - baseline;
    expect(held).toHaveLength(bigOwners);
    expect(retained).toBeGreaterThan(20 * 1024 * 1024);
    expect(peak).toBeLessThan(retained / 5);
    expect(peak).toBeLessThan(8 * 1024 * 1024);
  }, 120_000);

  it('outlives the statement timeout while a slow consumer reads', async () => {
    let count = 0;
    for await (const _ of big.owners.export({ batchSize: 1_000 })) {
      count++;
      // 1.2 s of pauses in all, past the connection's 1 s statement timeout.
      if (count % 10_000 === 0) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(count).toBe(bigOwners);
    expectPoolIdle();
  }, 60_000);

  it('releases its connection when the consumer breaks out early', async () => {
    for (let round = 0; round < 3; round++) {
      let seen = 0;
      for await (const _ of big.owners.export({ batchSize: 100 })) {
        if (++seen === 10) break;
      }
      expect(seen).toBe(10);
      expectPoolIdle();
    }
    // The single connection is usable: a full export and a plain query both run.
    expect(await collect(small.owners.export())).toHaveLength(2);
    const { rows } = await context.cursorPool.query('select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
    expectPoolIdle();
  });

  it('releases its connection when the consumer throws', async () => {
    const failure = new Error('consumer failed');
    const caught = await (async () => {
      for await (const _ of big.owners.export()) throw failure;
    })().catch((error: unknown) => error);
    expect(caught).toBe(failure);
    expectPoolIdle();
    expect(await collect(small.owners.export())).toHaveLength(2);
  });

  it('fails with TimeoutError past its own timeout, and the pool recovers', async () => {
    const error = await (async () => {
      for await (const _ of big.owners.export({ timeoutMs: 50, batchSize: 100 })) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expectPoolIdle();
    expect(await collect(small.owners.export())).toHaveLength(2);
  });

  it('validates its options before taking a connection', async () => {
    const error = await collect(small.owners.export({ batchSize: 50_000 })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expectPoolIdle();
  });
});

/** A writable that keeps what it is given, as text. */
function sink(): { writable: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const writable = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { writable, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('export writers', () => {
  it('writes NDJSON: one owner with its pets per line', async () => {
    const { writable, text } = sink();
    const result = await exportToNdjson(small.owners.export(), writable);
    expect(result).toEqual({ owners: 2, rows: 2 });
    const lines = text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.fullName, line.pets.length])).toEqual([
      ['Quote "Q", Comma', 2],
      ['No Pets', 0],
    ]);
    expect(lines[0].address).toBe('Line 1\nLine 2');
    expectPoolIdle();
  });

  it('writes CSV: a header, one row per pet, one row for an owner without pets', async () => {
    const { writable, text } = sink();
    const result = await exportToCsv(small.owners.export(), writable);
    expect(result).toEqual({ owners: 2, rows: 3 });
    const csv = text();
    expect(csv.split('\n')[0]).toBe(
      'owner_id,owner_code,owner_full_name,owner_phone_number,owner_email,owner_address,owner_notes,owner_created_at,pet_id,pet_code,pet_name,pet_type_id,pet_breed,pet_sex,pet_birth_date,pet_microchip,pet_is_deceased,pet_deceased_on',
    );
    expect(csv).toContain('"Quote ""Q"", Comma"');
    expect(csv).toContain('"Line 1\nLine 2"');
    expect(csv).toContain(',P-000001,One,1,,unknown,2020-02-02,276098100000001,false,');
    expect(csv).toMatch(/,O-000002,No Pets,,,,,[^,]+,,,,,,,,,,\n$/);
  });

  it('stops the export and releases its connection when the writable fails', async () => {
    const failing = new PassThrough();
    failing.on('data', () => failing.destroy(new Error('disk full')));
    const error = await exportToNdjson(big.owners.export(), failing).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toBe('disk full');
    expectPoolIdle();
  });
});
