import type { Context } from '../context.js';

/** PLACEHOLDER: replaced by the clinic-scope work (issue 4). */
export function createClinicScope(_context: Context, clinicId: number) {
  return { clinicId };
}

export type ClinicScope = ReturnType<typeof createClinicScope>;
