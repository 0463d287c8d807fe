/**
 * A host application's walk through the whole API, the way a back office and a
 * clinic's front desk would use it. Run it against any PostgreSQL:
 *
 *   npm run build && DATABASE_URL=postgres://... node --experimental-strip-types examples/host-walkthrough.ts
 *
 * The test suite runs it too (test/examples.test.ts).
 */
import {
  createVetalyze,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
  type Vetalyze,
} from '@vetalyze/db';

/** Runs the walk on `connectionString`; returns what it saw, for the test to check. */
export async function walkthrough(
  connectionString: string,
  log: (line: string) => void = () => {},
) {
  const vz: Vetalyze = await createVetalyze({ connectionString });
  try {
    await vz.migrate();
    const [monthly] = await vz.lookups.subscriptionTypes();
    return await walk(vz, monthly?.id ?? 1, log);
  } finally {
    await vz.close();
  }
}

async function walk(vz: Vetalyze, planId: number, log: (line: string) => void) {
  const operator = await vz.users.create({
    email: `ops+${Date.now()}@vetalyze.example`,
    fullName: 'Olivia Operator',
    role: 'platform_admin',
  });
  const [cardPayment] = await vz.lookups.paymentMethods();

  // Back office: a clinic and its subscription.
  const clinic = await vz.clinics.create({
    clinicName: `Tierarztpraxis 100% Mitte ${Date.now()}`,
    countryCode: 'DE',
    ownerPhoneNumber: '+49 170 1234567',
    clinicPhoneNumber: '+49 30 1234567',
    owner: { email: `anna+${Date.now()}@praxis.example`, fullName: 'Anna Weber' },
  });
  const statuses = [await vz.clinics.status(clinic.id)];
  await vz.subscriptions.activate({
    clinicId: clinic.id,
    subscriptionTypeId: planId,
    paymentMethodId: cardPayment?.id ?? 1,
    activatedBy: operator.id,
  });
  statuses.push(await vz.clinics.status(clinic.id));
  await vz.subscriptions.suspend(clinic.id, { suspendedBy: operator.id });
  statuses.push(await vz.clinics.status(clinic.id));
  const refusal = await vz.subscriptions
    .suspend(clinic.id, { suspendedBy: operator.id })
    .catch((e) => e);
  await vz.subscriptions.reactivate(clinic.id, { reactivatedBy: operator.id });
  statuses.push(await vz.clinics.status(clinic.id));
  log(`clinic ${clinic.id} status went ${statuses.join(' -> ')}`);
  log(
    `suspending twice: ${refusal instanceof IllegalTransitionError ? refusal.message : 'allowed?!'}`,
  );

  // The `%` in the search is matched literally.
  const found = await vz.clinics.list({
    search: '100% mitte',
    status: 'active',
    countryCode: 'DE',
  });
  log(`clinics matching "100% mitte": ${found.items.length}`);

  // Front desk: owners and pets, confined to this clinic.
  const desk = vz.forClinic(clinic.id);
  const owner = await desk.owners.create({
    fullName: 'Jonas Klein',
    phoneNumber: '+49 170 765-4321',
    pets: [
      { name: 'Bello', petTypeId: 1, breed: 'Labrador', sex: 'male' },
      { name: 'Minka', petTypeId: 2 },
    ],
  });
  log(`owner ${owner.code} with pets ${owner.pets.map((pet) => pet.code).join(', ')}`);
  const byPhone = await Promise.all(
    ['+49 170 765-4321', '0170 7654321', '1707654321', '4321'].map(
      async (phone) => (await desk.owners.search({ phone })).items.length,
    ),
  );
  log(`found by phone in four spellings: ${byPhone.join(', ')}`);

  // Another clinic's scope cannot see this owner, whatever id it is handed.
  const other = await vz.clinics.create({
    clinicName: `Other clinic ${Date.now()}`,
    countryCode: 'AT',
    ownerPhoneNumber: '+43 660 1234567',
    clinicPhoneNumber: '+43 1 1234567',
    owner: { email: `otto+${Date.now()}@other.example`, fullName: 'Otto Other' },
  });
  const crossRead = await vz
    .forClinic(other.id)
    .owners.get(owner.id)
    .catch((e) => e);
  log(
    `another clinic reading owner ${owner.id}: ${crossRead instanceof NotFoundError ? 'not found' : 'VISIBLE'}`,
  );

  const badInput = await desk.owners.create({ fullName: '' }).catch((e) => e);
  log(
    `an empty name: ${badInput instanceof ValidationError ? `refused (${badInput.field})` : 'accepted?!'}`,
  );

  let exported = 0;
  for await (const _ of desk.owners.export()) exported++;
  log(`exported ${exported} owner(s)`);

  return { statuses, refusal, found, owner, byPhone, crossRead, badInput, exported };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL');
  await walkthrough(url, console.log);
}
