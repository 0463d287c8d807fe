import type { ClinicFacts } from '../cache/clinic-facts.js';
import type { Context } from '../context.js';
import { ValidationError } from '../errors.js';

/** What each repository of one clinic scope is built from. */
export interface ScopeContext {
  readonly context: Context;
  readonly clinicId: number;
  /**
   * The clinic's facts (existence, calling code): one statement on the first
   * use of any scope for this clinic, none after (shared cache). NotFoundError
   * ('clinic') when the clinic does not exist; ValidationError ('clinicId') when
   * the id cannot be one.
   */
  facts(): Promise<ClinicFacts>;
}

/** Binds a context to one clinic id; sends no statement. */
export function createScopeContext(context: Context, clinicId: number): ScopeContext {
  const valid = Number.isInteger(clinicId) && clinicId > 0 && clinicId <= 2_147_483_647;
  return {
    context,
    clinicId,
    facts: async () => {
      if (!valid) {
        throw new ValidationError([
          { field: 'clinicId', message: 'must be a positive integer id' },
        ]);
      }
      return context.clinicFacts.get(clinicId);
    },
  };
}
