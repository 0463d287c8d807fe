/**
 * The tenant (clinic) scope: `vz.forClinic(clinicId)`. Every statement it
 * sends is confined to that clinic (docs/tenancy.md); making one is free.
 */
import type { Context } from '../context.js';
import { createOwnersRepository } from './owners.js';
import { createPetsRepository } from './pets.js';
import { createScopeContext } from './scope-context.js';
import { createStaffRepository } from './staff.js';

/**
 * The repositories of one clinic. Sends no statement: the clinic's existence is
 * checked on first use (NotFoundError `clinic`), from a shared cache after that.
 *
 * @example
 * const clinic = vz.forClinic(42);
 * const owner = await clinic.owners.create({
 *   fullName: 'Anna Müller',
 *   phoneNumber: '+49 170 123-4567',
 *   pets: [{ name: 'Bello', petTypeId: 1 }],
 * });
 * owner.code;         // 'O-000001'
 * owner.pets[0].code; // 'P-000001'
 */
export function createClinicScope(context: Context, clinicId: number) {
  const scope = createScopeContext(context, clinicId);
  return {
    /** The clinic this scope is confined to. */
    clinicId,
    owners: createOwnersRepository(scope),
    pets: createPetsRepository(scope),
    staff: createStaffRepository(scope),
  };
}

/** The repositories of one clinic: `owners`, `pets`, `staff`. */
export type ClinicScope = ReturnType<typeof createClinicScope>;
