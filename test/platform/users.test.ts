import { inspect } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPasswordHash } from '../../src/accounts/password.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/index.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';

const heardValues: unknown[] = [];
const { vz, database, queries } = await createTestVetalyze({
  onQuery: (event) => heardValues.push(...event.values),
});
const admin = new pg.Client({ connectionString: database.url });
await admin.connect();
afterAll(() => admin.end());

const password = 'correct horse battery staple';

/** Everything an error or object would show in a log, nested causes included. */
function printed(value: unknown): string {
  return `${inspect(value, { depth: 20, showHidden: true })} ${JSON.stringify(value) ?? ''}`;
}

async function storedHash(id: number): Promise<string | null> {
  const { rows } = await admin.query<{ password_hash: string | null }>(
    'select password_hash from users where id = $1',
    [id],
  );
  return rows[0]?.password_hash ?? null;
}

describe('users.create', () => {
  it('creates an account and returns it without its password or hash', async () => {
    const user = await vz.users.create({
      email: '  Ada@Example.com ',
      fullName: ' Ada Lovelace ',
      role: 'platform_admin',
      password,
    });
    expect(user).toMatchObject({
      email: 'Ada@Example.com',
      fullName: 'Ada Lovelace',
      role: 'platform_admin',
      isActive: true,
      hasPassword: true,
    });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Object.keys(user).sort()).toEqual(
      [
        'createdAt',
        'email',
        'fullName',
        'hasPassword',
        'id',
        'isActive',
        'role',
        'updatedAt',
      ].sort(),
    );
    expect(printed(user)).not.toContain(password);
    expect(printed(user)).not.toContain('scrypt');
  });

  it('stores a salted scrypt hash in the documented format', async () => {
    const first = await vz.users.create({
      email: 'salt1@example.com',
      fullName: 'Salt One',
      role: 'doctor',
      password,
    });
    const second = await vz.users.create({
      email: 'salt2@example.com',
      fullName: 'Salt Two',
      role: 'doctor',
      password,
    });
    const format = /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/;
    const [a, b] = [await storedHash(first.id), await storedHash(second.id)];
    expect(a).toMatch(format);
    expect(b).toMatch(format);
    expect(a).not.toBe(b);
  });

  it('refuses a taken email in any case with a ConflictError on email, without leaking the password', async () => {
    await vz.users.create({ email: 'dup@example.com', fullName: 'First', role: 'receptionist' });
    const attempt = vz.users.create({
      email: 'DUP@example.COM',
      fullName: 'Second',
      role: 'doctor',
      password,
    });
    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    const error = await attempt.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ field: 'email' });
    expect(printed(error)).not.toContain(password);
    expect(printed(error)).not.toContain('scrypt$');
  });

  it('names the bad field and never echoes a rejected password', async () => {
    await expect(
      vz.users.create({ email: 'not-an-email', fullName: 'X', role: 'doctor' }),
    ).rejects.toMatchObject({ field: 'email' });
    await expect(
      vz.users.create({ email: 'x@example.com', fullName: '   ', role: 'doctor' }),
    ).rejects.toMatchObject({ field: 'fullName' });
    await expect(
      // @ts-expect-error: a role that does not exist
      vz.users.create({ email: 'x@example.com', fullName: 'X', role: 'janitor' }),
    ).rejects.toMatchObject({ field: 'role' });
    const short = 'shh1234';
    const error = await vz.users
      .create({ email: 'x@example.com', fullName: 'X', role: 'doctor', password: short })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'password' });
    expect(printed(error)).not.toContain(short);
  });
});

describe('users.get', () => {
  it('returns the account in one statement', async () => {
    const created = await vz.users.create({
      email: 'get@example.com',
      fullName: 'Get Me',
      role: 'doctor',
    });
    const { result, statements } = await countStatements(queries, () => vz.users.get(created.id));
    expect(result).toEqual(created);
    expect(statements).toBe(1);
  });

  it('throws NotFoundError for an unknown id and ValidationError for a bad one', async () => {
    await expect(vz.users.get(999_999)).rejects.toBeInstanceOf(NotFoundError);
    await expect(vz.users.get(-1)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('users.verifyPassword', () => {
  it('returns the active account for the right password, any email case, without the hash', async () => {
    const created = await vz.users.create({
      email: 'login@example.com',
      fullName: 'Log In',
      role: 'clinic_owner',
      password,
    });
    const user = await vz.users.verifyPassword('LOGIN@example.com', password);
    expect(user).toEqual(created);
    expect(printed(user)).not.toContain('scrypt');
  });

  it('returns null for a wrong password, an unknown email, an invitation and an inactive account', async () => {
    const invited = await vz.users.create({
      email: 'invited@example.com',
      fullName: 'Invited',
      role: 'doctor',
    });
    expect(invited.hasPassword).toBe(false);
    expect(await vz.users.verifyPassword('login@example.com', 'wrong password')).toBeNull();
    expect(await vz.users.verifyPassword('nobody@example.com', password)).toBeNull();
    expect(await vz.users.verifyPassword('invited@example.com', '')).toBeNull();
    expect(await vz.users.verifyPassword('invited@example.com', password)).toBeNull();

    const leaving = await vz.users.create({
      email: 'leaving@example.com',
      fullName: 'Leaving',
      role: 'doctor',
      password,
    });
    await vz.users.deactivate(leaving.id);
    expect(await vz.users.verifyPassword('leaving@example.com', password)).toBeNull();
  });
});

describe('users.setPassword', () => {
  it('turns an invitation into a login', async () => {
    const invited = await vz.users.create({
      email: 'later@example.com',
      fullName: 'Later',
      role: 'receptionist',
    });
    await vz.users.setPassword(invited.id, password);
    const user = await vz.users.verifyPassword('later@example.com', password);
    expect(user).toMatchObject({ id: invited.id, hasPassword: true });
  });

  it('throws NotFoundError for an unknown user and ValidationError for a short password', async () => {
    await expect(vz.users.setPassword(999_999, password)).rejects.toBeInstanceOf(NotFoundError);
    const user = await vz.users.create({
      email: 'short@example.com',
      fullName: 'S',
      role: 'doctor',
    });
    await expect(vz.users.setPassword(user.id, 'short')).rejects.toMatchObject({
      field: 'password',
    });
  });
});

describe('users.deactivate', () => {
  it('marks the account inactive, idempotently', async () => {
    const user = await vz.users.create({
      email: 'bye@example.com',
      fullName: 'Bye',
      role: 'doctor',
    });
    const once = await vz.users.deactivate(user.id);
    expect(once.isActive).toBe(false);
    const twice = await vz.users.deactivate(user.id);
    expect(twice).toEqual(once);
    expect((await vz.users.get(user.id)).isActive).toBe(false);
  });

  it('throws NotFoundError for an unknown user', async () => {
    await expect(vz.users.deactivate(999_999)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('onQuery listeners', () => {
  it('never receive a password or its hash', async () => {
    heardValues.length = 0;
    const user = await vz.users.create({
      email: 'listener@example.com',
      fullName: 'Lena Listener',
      role: 'doctor',
      password,
    });
    await vz.users.setPassword(user.id, `${password}!`);
    expect(heardValues).toContain('[redacted]');
    expect(printed(heardValues)).not.toContain('scrypt$');
    expect(printed(heardValues)).not.toContain(password);
  });
});

describe('password hashes', () => {
  it('verify only the password they were made from', async () => {
    const hash = await hashPassword(password);
    expect(await verifyPasswordHash(password, hash)).toBe(true);
    expect(await verifyPasswordHash(`${password}!`, hash)).toBe(false);
  });

  it('refuse a missing, malformed or absurdly expensive stored hash without throwing', async () => {
    expect(await verifyPasswordHash(password, null)).toBe(false);
    expect(await verifyPasswordHash(password, 'scrypt$garbage')).toBe(false);
    const hash = await hashPassword(password);
    const tooCostly = hash.replace('scrypt$32768$', 'scrypt$1073741824$');
    expect(await verifyPasswordHash(password, tooCostly)).toBe(false);
  });
});
