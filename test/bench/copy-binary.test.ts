import { text } from 'node:stream/consumers';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyColumns,
  type IdCursor,
  ownersRows,
  petsRows,
  planClinic,
} from '../../bench/generate/clinic.js';
import { copyBinaryBuilder } from '../../bench/generate/copy-binary.js';
import { DayStrings } from '../../bench/generate/dates.js';
import { defaultGeneratorOptions } from '../../bench/generate/options.js';
import { copyInto } from '../../bench/seed/copy.js';
import { copyBinaryToText, ownerFieldTypes, petFieldTypes } from '../helpers/copy-binary.js';
import { createTestDatabase } from '../helpers/database.js';

describe('COPY binary rows', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: (await createTestDatabase()).url });
    await client.connect();
    await client.query(`set timezone = 'UTC'`);
  });
  afterAll(() => client.end());

  /** What the server loaded into `table`, as it writes COPY text. */
  async function loaded(table: string, columns: readonly string[]): Promise<string> {
    const stream = client.query(
      copyTo(`copy (select ${columns.join(', ')} from ${table} order by id) to stdout`),
    );
    return text(stream);
  }

  it('load as the server reads them: generated owners and pets, every field', async () => {
    const options = {
      ...defaultGeneratorOptions(),
      ownersPerClinic: 200,
      anchorDate: '2026-06-15',
    };
    const ids: IdCursor = { user: 2, clinic: 1, subscription: 1, group: 1, owner: 1 };
    const days = new DayStrings();
    const owners: Buffer[] = [];
    const pets: Buffer[] = [];
    let petId = 1;
    for (let ordinal = 1; ordinal <= 12; ordinal++) {
      const plan = planClinic(options, ordinal, ids, 1, days);
      owners.push(ownersRows(options, plan));
      const { bytes, count } = petsRows(options, plan, petId);
      pets.push(bytes);
      petId += count;
    }
    for (const [table, chunks, types] of [
      ['owners', owners, ownerFieldTypes],
      ['pets', pets, petFieldTypes],
    ] as const) {
      await client.query(`create temp table ${table}_copy (like ${table} including all)`);
      const columns = copyColumns[table];
      const rows = await copyInto(client, `${table}_copy`, columns, chunks, { format: 'binary' });
      const expected = chunks.map((chunk) => copyBinaryToText(chunk, types)).join('');
      expect(rows).toBe(expected.split('\n').length - 1);
      expect(await loaded(`${table}_copy`, columns), table).toBe(expected);
      // Nulls, timestamps, and (pets) both booleans and dates before and after 2000 appear.
      expect(expected).toMatch(/\\N\t.*\d\d:\d\d:00\+00\n/);
      if (table === 'pets')
        for (const pattern of [/\tt\t/, /\tf\t/, /\t19\d\d-/, /\t20[12]\d-/])
          expect(expected).toMatch(pattern);
    }
  });

  it('encode text of any script, negative numbers and times before 2000', async () => {
    await client.query(
      'create temp table odd (id int4, small int2, note text, day date, at timestamptz, yes bool)',
    );
    const rows = copyBinaryBuilder(8);
    const values = [
      [1, -32768, 'Zoë Ōkubo 大橋 😺', 0, 0, true],
      [2, 32767, '', 10_956, 1439, false],
      [-2147483648, 0, 'a'.repeat(3000), -25_567, 61, true],
    ] as const;
    for (const [id, small, note, day, minute, yes] of values) {
      rows.row(6);
      rows.int4(id);
      rows.int2(small);
      rows.text(note);
      rows.date(day);
      rows.timestamptz(day, minute);
      rows.bool(yes);
    }
    rows.row(6);
    for (let field = 0; field < 6; field++) rows.null();
    await copyInto(client, 'odd', ['id', 'small', 'note', 'day', 'at', 'yes'], [rows.bytes()], {
      format: 'binary',
    });
    const { rows: read } = await client.query(
      `select id, small, note, day::text, to_char(at, 'YYYY-MM-DD HH24:MI') as at, yes from odd
       order by id nulls last`,
    );
    expect(read).toEqual([
      {
        id: -2147483648,
        small: 0,
        note: 'a'.repeat(3000),
        day: '1900-01-01',
        at: '1900-01-01 01:01',
        yes: true,
      },
      {
        id: 1,
        small: -32768,
        note: 'Zoë Ōkubo 大橋 😺',
        day: '1970-01-01',
        at: '1970-01-01 00:00',
        yes: true,
      },
      { id: 2, small: 32767, note: '', day: '1999-12-31', at: '1999-12-31 23:59', yes: false },
      { id: null, small: null, note: null, day: null, at: null, yes: null },
    ]);
  });
});
