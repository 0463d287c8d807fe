/**
 * Quickstart: a clinic with a subscription, two owners with pets, a search and
 * a list. An ES module (top-level await). Run it against any PostgreSQL, or
 * without DATABASE_URL on an embedded PostgreSQL 18:
 *
 *   npm run build && DATABASE_URL=postgres://... node examples/quickstart.ts
 *   npm run build && node examples/quickstart.ts
 *
 * README.md shows its first part (the `readme` region) word for word; test/examples/readme.test.ts
 * fails when they differ, and test/examples/quickstart.test.ts runs this file.
 */

// Without DATABASE_URL: an embedded PostgreSQL 18 in a temporary folder (from
// the harness package, @vetalyze/bench), stopped at the end.
let embedded: { url: string; stop(): Promise<void> } | undefined;
if (!process.env.DATABASE_URL) {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { startEmbeddedPostgres } = await import('@vetalyze/bench/embedded-postgres');
  const directory = await mkdtemp(join(tmpdir(), 'vetalyze-quickstart-'));
  embedded = await startEmbeddedPostgres({ directory, persistent: false });
  process.env.DATABASE_URL = embedded.url;
}

// #region readme
import { createVetalyze } from '@vetalyze/db';

const vz = await createVetalyze({ connectionString: process.env.DATABASE_URL ?? '' });
await vz.migrate(); // or, with @vetalyze/bench: npx vetalyze migrate

const clinic = await vz.clinics.create({
  clinicName: 'Tierarztpraxis Mitte',
  countryCode: 'DE',
  ownerPhoneNumber: '+49 170 1234567',
  clinicPhoneNumber: '+49 30 1234567',
  owner: { email: `anna.${Date.now()}@example.com`, fullName: 'Anna Weber' }, // emails are unique
});
const desk = vz.forClinic(clinic.id); // every statement confined to this clinic
await desk.owners.create({
  fullName: 'Jonas Klein',
  phoneNumber: '0170 7654321',
  pets: [{ name: 'Bello', petTypeId: 1 }], // 1 = dog; vz.lookups.petTypes()
});
const found = await desk.owners.search({ phone: '+49 170 765' });
console.log(`by phone: ${found.items.map((owner) => owner.fullName).join(', ')}`);
// #endregion readme

await vz.subscriptions.activate({
  clinicId: clinic.id,
  subscriptionTypeId: 1, // monthly; ids in vz.lookups.subscriptionTypes()
  paymentMethodId: 1, // card; vz.lookups.paymentMethods()
  activatedBy: clinic.owner.id,
});
console.log(`clinic ${clinic.id}: ${await vz.clinics.status(clinic.id)}`);

await desk.owners.create({ fullName: 'Mia Schmidt', pets: [{ name: 'Minka', petTypeId: 2 }] });
const page = await desk.owners.list({ withPetNames: true });
for (const owner of page.items)
  console.log(`${owner.code} ${owner.fullName}: ${owner.petNames?.join(', ')}`);
await vz.close();
await embedded?.stop();
