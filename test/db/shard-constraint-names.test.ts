import { describe, expect, it } from 'vitest';
import { toVetalyzeError } from '../../src/db/map-error.js';
import {
  ConflictError,
  NotFoundError,
  TenantViolationError,
  type ValidationError,
} from '../../src/index.js';

/** A driver error as node-postgres reports a constraint violation. */
function violation(code: string, constraint: string, detail?: string): Error {
  return Object.assign(new Error(`violates constraint "${constraint}"`), {
    code,
    constraint,
    detail,
  });
}

/**
 * On Citus a shard reports its copy's constraint name, `<name>_<shard id>`
 * (seen on Citus 13.2: pets_microchip_key_103093, users_email_key_102933,
 * pets_clinic_id_owner_id_fkey_103075); errors must map as on PostgreSQL.
 */
describe('constraint names with a Citus shard suffix', () => {
  it('map to the same error and field as the schema name', () => {
    const chip = toVetalyzeError(violation('23505', 'pets_microchip_key_103093'));
    expect(chip).toBeInstanceOf(ConflictError);
    expect((chip as ConflictError).field).toBe('microchip');
    expect(
      (toVetalyzeError(violation('23505', 'users_email_key_102933')) as ConflictError).field,
    ).toBe('email');
    expect(
      toVetalyzeError(violation('23503', 'pets_clinic_id_owner_id_fkey_103075')),
    ).toBeInstanceOf(TenantViolationError);
    expect(
      toVetalyzeError(
        violation('23503', 'owners_clinic_id_fkey_102990', 'Key (clinic_id)=(42) is not present'),
      ),
    ).toEqual(new NotFoundError('clinic', '42'));
    const petType = toVetalyzeError(violation('23503', 'pets_pet_type_id_fkey_103093'));
    expect((petType as ValidationError).field).toBe('petTypeId');
  });

  it('leave other names as they are', () => {
    expect((toVetalyzeError(violation('23505', 'pets_microchip_key')) as ConflictError).field).toBe(
      'microchip',
    );
    expect((toVetalyzeError(violation('23505', 'something_else_12')) as ConflictError).field).toBe(
      'something_else_12',
    );
  });
});
