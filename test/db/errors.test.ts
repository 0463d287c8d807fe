import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/db.js';
import { sql } from '../../src/db/sql.js';
import {
  ConflictError,
  createVetalyze,
  DatabaseError,
  NotFoundError,
  TenantViolationError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  VetalyzeError,
} from '../../src/index.js';
import { createTestDatabase, createTestPool } from '../helpers/database.js';

const database = await createTestDatabase();
const db = createDb(createTestPool(database, { statementTimeoutMs: 200 }), {
  validateRows: true,
});

const user = Number(
  await db.oneFirst(
    sql.unsafe`insert into users (email, full_name, role) values ('dup@example.com', 'Dana', 'doctor') returning id`,
  ),
);

describe('driver errors become the library’s classes', () => {
  it('a unique violation is a ConflictError naming the field', async () => {
    const error = await db
      .query(
        sql.unsafe`insert into users (email, full_name, role) values ('DUP@example.com', 'D', 'doctor')`,
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('a check violation is a ValidationError naming the field', async () => {
    const error = await db
      .query(
        sql.unsafe`insert into users (email, full_name, role) values ('x@example.com', ' ', 'doctor')`,
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('fullName');
  });

  it('a missing referenced clinic is a NotFoundError; a cross-clinic link a TenantViolationError', async () => {
    const missingClinic = await db
      .query(sql.unsafe`insert into owners (clinic_id, seq, full_name) values (987654, 1, 'O')`)
      .catch((caught: unknown) => caught);
    expect(missingClinic).toBeInstanceOf(NotFoundError);
    expect(missingClinic).toMatchObject({ entity: 'clinic', key: '987654' });

    const clinic = Number(
      await db.oneFirst(sql.unsafe`
      insert into clinics (owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
      values (${user}, 'DE', 'C', '1', '2') returning id`),
    );
    const crossLink = await db
      .query(
        sql.unsafe`insert into pets (clinic_id, owner_id, seq, name, pet_type_id) values (${clinic}, 424242, 1, 'P', 1)`,
      )
      .catch((caught: unknown) => caught);
    expect(crossLink).toBeInstanceOf(TenantViolationError);
  });

  it('an unknown reference value is a ValidationError naming the field', async () => {
    const error = await db
      .query(sql.unsafe`
        insert into clinics (owner_user_id, country_code, clinic_name, owner_phone_number, clinic_phone_number)
        values (${user}, 'QQ', 'C', '1', '2')`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('countryCode');
  });

  it('a value the database cannot read is a ValidationError', async () => {
    const error = await db
      .query(sql.unsafe`select ${'not-a-date'}::date`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('a statement past the timeout is a TimeoutError', async () => {
    const error = await db.query(sql.unsafe`select pg_sleep(2)`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('a server that cannot be reached is an UnavailableError', async () => {
    const connecting = createVetalyze({ connectionString: 'postgres://u:p@127.0.0.1:1/none' });
    await expect(connecting).rejects.toBeInstanceOf(UnavailableError);
  });

  it('anything else is a DatabaseError with the driver error as cause', async () => {
    const error = await db
      .query(sql.unsafe`select * from no_such_table`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toBeInstanceOf(VetalyzeError);
    expect((error as Error).message).toMatch(/42P01/);
  });
});
