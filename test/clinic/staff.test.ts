import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, type Vetalyze } from '../../src/index.js';
import { insertClinic, insertUser, setUpClinicTests, type TestClinic } from './helpers.js';

let vz: Vetalyze;
let pool: pg.Pool;
let clinic: TestClinic;

beforeAll(async () => {
  ({ vz, pool } = await setUpClinicTests());
  clinic = await insertClinic(pool);
});

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
});
