/**
 * Cursors are opaque, authenticated (HMAC) and bound to their list, clinic and
 * filters: anything else is a ValidationError on `cursor` with no statement sent.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../src/index.js';
import { createCursors, cursorBinding } from '../src/paging.js';
import { countStatements, createTestVetalyze } from './helpers/database.js';
import { createClinic } from './platform/fixtures.js';

const idKey = z.tuple([z.number()]);

describe('createCursors', () => {
  const cursors = createCursors();
  const binding = cursorBinding('owners.list', 7);
  const cursor = cursors.encode(binding, [42]);

  it('round-trips a key under its binding', () => {
    expect(cursors.decode(binding, cursor, idKey)).toEqual([42]);
  });

  it('refuses every altered, truncated or extended cursor', () => {
    // Every other character at every position: the tag's last character has
    // unused low bits, so a decoder that ignored them would accept a neighbour.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    const altered = [...cursor].flatMap((char, at) =>
      [...alphabet]
        .filter((other) => other !== char)
        .map((other) => cursor.slice(0, at) + other + cursor.slice(at + 1)),
    );
    const truncated = Array.from({ length: cursor.length }, (_, at) => cursor.slice(0, at));
    for (const forged of [...altered, ...truncated, `${cursor}A`, `${cursor}.x`]) {
      expect(() => cursors.decode(binding, forged, idKey), forged).toThrow(ValidationError);
    }
  });

  it('refuses a hand-made cursor: the old format, base64url JSON of a key', () => {
    const handMade = Buffer.from('[1000000]').toString('base64url');
    expect(() => cursors.decode(binding, handMade, idKey)).toThrow(ValidationError);
    const payload = cursor.split('.')[0] ?? '';
    const raised = Buffer.from('[1000000]').toString('base64url');
    expect(() => cursors.decode(binding, cursor.replace(payload, raised), idKey)).toThrow(
      ValidationError,
    );
  });

  it('refuses a cursor of another list, clinic or filter, or of another secret', () => {
    for (const other of [
      cursorBinding('clinics.list', null),
      cursorBinding('owners.list', 8),
      cursorBinding('owners.search', 7, ['name', 'x']),
    ]) {
      expect(() => cursors.decode(other, cursor, idKey)).toThrow(ValidationError);
    }
    expect(() => createCursors().decode(binding, cursor, idKey)).toThrow(ValidationError);
  });

  it('accepts another instance’s cursor when both share a secret', () => {
    const secret = 'a shared secret of at least thirty-two characters';
    const made = createCursors(secret).encode(binding, [9]);
    expect(createCursors(secret).decode(binding, made, idKey)).toEqual([9]);
  });
});

describe('lists refuse foreign cursors before any statement', async () => {
  const { vz, queries } = await createTestVetalyze();
  const clinicA = await createClinic(vz);
  const clinicB = await createClinic(vz);
  await createClinic(vz);
  const a = vz.forClinic(clinicA.id);
  const b = vz.forClinic(clinicB.id);
  for (let i = 0; i < 3; i++) {
    await a.owners.create({
      fullName: `Anna ${i}`,
      phoneNumber: `0170 123456${i}`,
      pets: [{ name: `Rex ${i}`, petTypeId: 1 }],
    });
    await b.owners.create({ fullName: `Anna ${i}` });
  }
  const cursorOf = async (page: Promise<{ nextCursor: string | null }>) => {
    const cursor = (await page).nextCursor;
    if (cursor === null) throw new Error('expected a next page');
    return cursor;
  };
  const cursors = {
    clinicsList: await cursorOf(vz.clinics.list({ limit: 1 })),
    ownersListA: await cursorOf(a.owners.list({ limit: 1 })),
    ownersSearchA: await cursorOf(a.owners.search({ name: 'Anna', limit: 1 })),
    petsSearchA: await cursorOf(a.pets.search({ name: 'Rex', limit: 1 })),
  };
  const handMade = Buffer.from('[1]').toString('base64url');

  const refusals: Array<[string, () => Promise<unknown>]> = [
    ['a clinics.list cursor on owners.list', () => a.owners.list({ cursor: cursors.clinicsList })],
    [
      'an owners.list cursor on clinics.list',
      () => vz.clinics.list({ cursor: cursors.ownersListA }),
    ],
    ['clinic A’s cursor in clinic B', () => b.owners.list({ cursor: cursors.ownersListA })],
    [
      'an owners.list cursor on owners.search',
      () => a.owners.search({ name: 'Anna', cursor: cursors.ownersListA }),
    ],
    [
      'a search cursor for another term',
      () => a.owners.search({ name: 'Ann', cursor: cursors.ownersSearchA }),
    ],
    [
      'a search cursor for a phone search',
      () => a.owners.search({ phone: '0170', cursor: cursors.ownersSearchA }),
    ],
    [
      'an owners cursor on pets.search',
      () => a.pets.search({ name: 'Rex', cursor: cursors.ownersSearchA }),
    ],
    [
      'a pets cursor on owners.search',
      () => a.owners.search({ name: 'Rex', cursor: cursors.petsSearchA }),
    ],
    [
      'a clinics.list cursor with a filter',
      () => vz.clinics.list({ status: 'none', cursor: cursors.clinicsList }),
    ],
    [
      'a clinics.list cursor on subscriptions.groups',
      () => vz.subscriptions.groups({ cursor: cursors.clinicsList }),
    ],
    ['a hand-made cursor on owners.list', () => a.owners.list({ cursor: handMade })],
    [
      'a hand-made cursor on subscriptions.listActive',
      () => vz.subscriptions.listActive({ cursor: handMade }),
    ],
    ['a truncated cursor', () => a.owners.list({ cursor: cursors.ownersListA.slice(0, -2) })],
  ];

  it.each(refusals)('refuses %s', async (_label, call) => {
    const { result: error, statements } = await countStatements(queries, () =>
      call().then(
        () => undefined,
        (caught: unknown) => caught,
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('cursor');
    expect(statements).toBe(0);
  });

  it('accepts its own cursors, with another page size too', async () => {
    const page = await a.owners.list({ limit: 2, cursor: cursors.ownersListA });
    expect(page.items.map((owner) => owner.fullName)).toEqual(['Anna 1', 'Anna 0']);
    const search = await a.owners.search({ name: 'Anna', limit: 5, cursor: cursors.ownersSearchA });
    expect(search.items).toHaveLength(2);
  });

  it('accepts a cursor made by another instance with the same cursorSecret', async () => {
    const cursorSecret = 'one secret for every instance of the app, 32+ chars';
    const first = await createTestVetalyze({ cursorSecret });
    const second = await createTestVetalyze({ cursorSecret });
    // Two databases, the same clinic id: the cursor is checked, not the rows.
    const one = await createClinic(first.vz);
    const two = await createClinic(second.vz);
    expect(two.id).toBe(one.id);
    for (let i = 0; i < 2; i++) {
      await first.vz.forClinic(one.id).owners.create({ fullName: `X ${i}` });
    }
    const cursor = await cursorOf(first.vz.forClinic(one.id).owners.list({ limit: 1 }));
    await expect(second.vz.forClinic(two.id).owners.list({ cursor })).resolves.toMatchObject({
      items: [],
    });
    await expect(vz.forClinic(one.id).owners.list({ cursor })).rejects.toMatchObject({
      field: 'cursor',
    });
  });
});
