/**
 * The tenant (clinic) scope: `vz.forClinic(clinicId)`. Every statement it
 * sends is confined to that clinic (docs/tenancy.md); making one is free.
 */
import type { Context } from '../context.js';
import { createOwnersRepository, type OwnersRepository } from './owners.js';
import { createPetsRepository, type PetsRepository } from './pets.js';
import { createScopeContext } from './scope-context.js';
import { createStaffRepository, type StaffRepository } from './staff.js';

/**
 * The repositories of one clinic: every statement they send is confined to it.
 * Sends no statement when made: the clinic's existence is checked on first use
 * (NotFoundError `clinic`), from a shared cache after that.
 *
 * @example
 * const clinic = vz.forClinic(42);
 * const owner = await clinic.owners.create({
 *   fullName: 'Anna Müller',
 *   phoneNumber: '+49 170 123-4567',
 *   pets: [{ name: 'Bello', petTypeId: 1 }],
 * });
 * owner.code;         // 'O-000001'
 */
export interface ClinicScope {
  /** The clinic this scope is confined to. */
  readonly clinicId: number;
  /** Pet owners and their pets: create, get, list, search, update, remove, import, export. */
  readonly owners: OwnersRepository;
  /** Pets: add, get, search, update, move. */
  readonly pets: PetsRepository;
  /** Doctors and receptionists: add, list, deactivate. */
  readonly staff: StaffRepository;
}

/** The clinic scope for `clinicId` on `context`'s pools and caches: `vz.forClinic`. */
export function createClinicScope(context: Context, clinicId: number): ClinicScope {
  const scope = createScopeContext(context, clinicId);
  return {
    clinicId,
    owners: createOwnersRepository(scope),
    pets: createPetsRepository(scope),
    staff: createStaffRepository(scope),
  };
}
