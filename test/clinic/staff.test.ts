import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, createVetalyze, NotFoundError, type Vetalyze } from '../../src/index.js';
import { createClinic } from '../platform/fixtures.js';
import { insertClinic, insertUser, setUpClinicTests, type TestClinic } from './helpers.js';

let vz: Vetalyze;
/** The same database through Citus mode, whose link is a transaction of three statements. */
let citusVz: Vetalyze;
let pool: pg.Pool;
let clinic: TestClinic;

beforeAll(async () => {
  let database: { url: string };
  ({ vz, pool, database } = await setUpClinicTests());
  citusVz = await createVetalyze({ connectionString: database.url, citus: true });
  clinic = await insertClinic(pool);
});
afterAll(() => citusVz.close());

describe('staff', () => {
  it('lists the clinic owner as clinic_owner', async () => {
    const staff = await vz.forClinic(clinic.clinicId).staff.list();
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({
      userId: clinic.ownerUserId,
      role: 'clinic_owner',
      isActive: true,
    });
  });

  it('creates an account for a new doctor, with a scrypt hash when a password is given', async () => {
    const scope = vz.forClinic(clinic.clinicId);
    const doctor = await scope.staff.add({
      role: 'doctor',
      email: 'dr.who@example.com',
      fullName: 'Dr Who',
      password: 'correct horse battery',
    });
    expect(doctor).toMatchObject({ email: 'dr.who@example.com', role: 'doctor', isActive: true });
    const { rows } = await pool.query('select role, password_hash from users where id = $1', [
      doctor.userId,
    ]);
    expect(rows[0].role).toBe('doctor');
    expect(rows[0].password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const invited = await scope.staff.add({
      role: 'receptionist',
      email: 'rec@example.com',
      fullName: 'Rita Reception',
    });
    const { rows: invitedRows } = await pool.query(
      'select password_hash from users where id = $1',
      [invited.userId],
    );
    expect(invitedRows[0].password_hash).toBeNull();
  });

  it('refuses an email that already has an account, naming email', async () => {
    const error = await vz
      .forClinic(clinic.clinicId)
      .staff.add({ role: 'doctor', email: 'DR.WHO@example.com', fullName: 'Copy' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('email');
  });

  it('links an existing free account, and refuses to link it twice', async () => {
    const scope = vz.forClinic(clinic.clinicId);
    const userId = await insertUser(pool, 'receptionist');
    const member = await scope.staff.add({ role: 'receptionist', userId });
    expect(member).toMatchObject({ userId, role: 'receptionist', isActive: true });
    const again = await scope.staff
      .add({ role: 'doctor', userId })
      .catch((caught: unknown) => caught);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).field).toBe('userId');
    const owner = await scope.staff
      .add({ role: 'doctor', userId: clinic.ownerUserId })
      .catch((caught: unknown) => caught);
    expect(owner).toBeInstanceOf(ConflictError);
  });

  it('does not see platform admins or missing accounts', async () => {
    const scope = vz.forClinic(clinic.clinicId);
    const admin = await insertUser(pool, 'platform_admin');
    for (const userId of [admin, 999_999]) {
      await expect(scope.staff.add({ role: 'doctor', userId })).rejects.toMatchObject({
        entity: 'user',
      });
    }
  });

  it('filters by role and active flag; deactivates; re-adding reactivates', async () => {
    const scope = vz.forClinic(clinic.clinicId);
    const doctor = await scope.staff.add({
      role: 'doctor',
      email: 'dr.filter@example.com',
      fullName: 'Dr Filter',
    });
    const deactivated = await scope.staff.deactivate(doctor.userId);
    expect(deactivated.isActive).toBe(false);
    expect(deactivated.deactivatedAt).toBeInstanceOf(Date);
    const again = await scope.staff.deactivate(doctor.userId);
    expect(again.deactivatedAt).toEqual(deactivated.deactivatedAt);

    const activeDoctors = await scope.staff.list({ role: 'doctor', isActive: true });
    expect(activeDoctors.map((member) => member.fullName)).toEqual(['Dr Who']);
    const inactive = await scope.staff.list({ isActive: false });
    expect(inactive.map((member) => member.userId)).toEqual([doctor.userId]);
    const owners = await scope.staff.list({ role: 'clinic_owner' });
    expect(owners.map((member) => member.userId)).toEqual([clinic.ownerUserId]);

    const back = await scope.staff.add({ role: 'receptionist', userId: doctor.userId });
    expect(back).toMatchObject({ isActive: true, role: 'receptionist', deactivatedAt: null });
  });

  it("refuses to deactivate the clinic's owner, naming role", async () => {
    const error = await vz
      .forClinic(clinic.clinicId)
      .staff.deactivate(clinic.ownerUserId)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).field).toBe('role');
    await expect(vz.forClinic(clinic.clinicId).staff.deactivate(999_999)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it.each([
    ['one statement', () => vz],
    ['Citus mode', () => citusVz],
  ])(
    "links an account to one clinic only: another clinic's staff and owner are not found (%s)",
    async (_mode, instance) => {
      // A through clinics.create, whose owner's account must come out as A's.
      const newClinic = await createClinic(instance());
      const a = { clinicId: newClinic.id, ownerUserId: newClinic.ownerUserId };
      const b = await insertClinic(pool);
      const [scopeA, scopeB] = [instance().forClinic(a.clinicId), instance().forClinic(b.clinicId)];
      const created = await scopeA.staff.add({
        role: 'doctor',
        email: `dr-${a.clinicId}@example.com`,
        fullName: 'Dr A',
      });
      const linked = await scopeA.staff.add({ role: 'doctor', userId: await insertUser(pool) });
      // Deactivated in A, the account still works for A only.
      await scopeA.staff.deactivate(linked.userId);
      for (const userId of [created.userId, linked.userId, a.ownerUserId]) {
        await expect(scopeB.staff.add({ role: 'doctor', userId })).rejects.toBeInstanceOf(
          NotFoundError,
        );
      }
      const bStaff = await scopeB.staff.list();
      expect(bStaff.map((member) => member.userId)).toEqual([b.ownerUserId]);
      expect(await scopeA.staff.add({ role: 'receptionist', userId: linked.userId })).toMatchObject(
        {
          userId: linked.userId,
          isActive: true,
        },
      );
    },
  );

  it.each([
    ['one statement', () => vz],
    ['Citus mode', () => citusVz],
  ])(
    'gives a free account to one of two clinics linking it at once, 10 times (%s)',
    async (_mode, instance) => {
      const [a, b] = [await insertClinic(pool), await insertClinic(pool)];
      const scopes = [instance().forClinic(a.clinicId), instance().forClinic(b.clinicId)];
      for (let round = 0; round < 10; round++) {
        const userId = await insertUser(pool);
        const outcomes = await Promise.allSettled(
          scopes.map((scope) => scope.staff.add({ role: 'doctor', userId })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected');
        expect(refused?.reason).toBeInstanceOf(NotFoundError);
        const { rows } = await pool.query(
          'select count(*)::int as memberships from clinic_staff where user_id = $1',
          [userId],
        );
        expect(rows[0]).toEqual({ memberships: 1 });
      }
    },
  );
});
