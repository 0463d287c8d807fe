// Compiled by check-tarball.sh in fresh ESM and CommonJS host projects against
// the packed library: strict, skipLibCheck false, no @types/pg. It touches both
// scopes' public types, so a declaration that leaks an internal type fails here.
import {
  ConflictError,
  createVetalyze,
  type Owner,
  type OwnerSummary,
  type Page,
  type Vetalyze,
} from '@vetalyze/db';

async function firstPage(vz: Vetalyze, clinicId: number): Promise<Page<OwnerSummary>> {
  const scope = vz.forClinic(clinicId);
  const owner: Owner = await scope.owners.create({
    fullName: 'Jonas Klein',
    phoneNumber: '0170 7654321',
    pets: [{ name: 'Bello', petTypeId: 1 }],
  });
  const pets = owner.pets.map((pet) => pet.name.toUpperCase());
  const page = await scope.owners.list({ limit: 20 });
  const next: string | null = page.nextCursor;
  void pets;
  void next;
  return page;
}

async function main(): Promise<void> {
  const vz = await createVetalyze({ connectionString: 'postgres://localhost/none' });
  try {
    const clinic = await vz.clinics.get(1);
    const status: 'active' | 'suspended' | 'expired' | 'none' = await vz.clinics.status(clinic.id);
    void status;
    await firstPage(vz, clinic.id);
  } catch (error) {
    if (error instanceof ConflictError) console.log(error.code);
  } finally {
    await vz.close();
  }
}

void main;
