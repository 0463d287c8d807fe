import { countryProfiles, randomNationalNumber } from '../generate/countries.js';
import { namePool } from '../generate/names.js';
import { firstPageId } from '../lean/lean.js';
import {
  leanClinicCreate,
  leanClinicGet,
  leanClinicList,
  leanClinicSearch,
  leanClinicUpdate,
} from '../lean/platform.js';
import { deleteClinic } from './cleanup.js';
import { readTrial, type Scenario, type ScenarioDeps, type Trial } from './scenario.js';

/** The operator-scope clinic operations. */
export async function platformScenarios(deps: ScenarioDeps): Promise<Scenario[]> {
  const { vz, admin, pools, prng } = deps;
  let created = 0;

  /** A new clinic's input, looking like one of the generator's countries. */
  const newClinicInput = () => {
    const country = prng.pick(countryProfiles);
    const pool = namePool(country.locale, country.cities);
    const first = prng.pick(pool.firstNames);
    const last = prng.pick(pool.lastNames);
    created++;
    return {
      clinicName: prng
        .pick(country.clinicNames)
        .replace('{last}', last)
        .replace('{city}', prng.pick(pool.cities)),
      countryCode: country.code,
      ownerPhoneNumber: country.international(randomNationalNumber(country, prng)),
      clinicPhoneNumber: country.national(randomNationalNumber(country, prng)),
      owner: { email: `bench.${deps.runId}.${created}@example.org`, fullName: `${first} ${last}` },
    };
  };

  // Update toggles a clinic's name between its own and the same with a suffix,
  // so repeated runs leave every clinic as it was (an even number of toggles per
  // clinic is restored in finish()).
  const suffix = ' (Main Practice)';
  const clinicState = new Map<number, { version: number; name: string }>();
  const current = await admin.query<{ id: number; version: number; clinic_name: string }>(
    'select id, version, clinic_name from clinics',
  );
  for (const row of current.rows)
    clinicState.set(row.id, { version: row.version, name: row.clinic_name });

  return [
    {
      id: 'clinics.list',
      draw: () => {
        // Page 1 half of the time, else a page further on (keyset: as cheap).
        const page =
          prng.chance(0.5) || pools.clinicCursors.length === 0
            ? undefined
            : prng.pick(pools.clinicCursors);
        return readTrial(
          () =>
            vz.clinics.list({
              limit: 20,
              columns: 'brief',
              ...(page ? { cursor: page.cursor } : {}),
            }),
          undefined,
          (client) => leanClinicList(client, page?.after ?? firstPageId),
        );
      },
    },
    {
      id: 'clinics.search',
      draw: () => {
        const search = prng.pick(pools.clinicTerms);
        return readTrial(
          () => vz.clinics.list({ limit: 20, search, columns: 'contact' }),
          `${search.length} char${search.length === 1 ? '' : 's'}`,
          (client) => leanClinicSearch(client, search),
        );
      },
    },
    {
      id: 'clinics.get',
      draw: () => {
        const id = prng.pick(pools.clinicIds);
        return readTrial(
          () => vz.clinics.get(id),
          undefined,
          (client) => leanClinicGet(client, id),
        );
      },
    },
    {
      id: 'clinics.create',
      draw: (): Trial => {
        const input = newClinicInput();
        let clinicId = 0;
        const remove = async () => {
          if (clinicId) await deleteClinic(admin, clinicId);
        };
        return {
          run: async () => {
            clinicId = (await vz.clinics.create(input)).id;
          },
          lean: async (client) => {
            clinicId = Number((await leanClinicCreate(client, input))[0]?.id);
          },
          settle: remove,
          undo: remove,
          settleReplay: async (rows) => {
            const id = Number(rows[0]?.id);
            if (id) await deleteClinic(admin, id);
          },
        };
      },
    },
    {
      id: 'clinics.update',
      draw: (): Trial => {
        const clinicId = prng.pick(pools.clinicIds);
        let before: { version: number; name: string } | undefined;
        let after: { version: number; name: string } | undefined;
        /** Where the clinic stands now, and the toggled name an update sets. */
        const next = () => {
          before = clinicState.get(clinicId) ?? { version: 1, name: 'Clinic' };
          const name = before.name.endsWith(suffix)
            ? before.name.slice(0, -suffix.length)
            : `${before.name}${suffix}`.slice(0, 200);
          return { version: before.version, name };
        };
        return {
          run: async () => {
            const { version, name } = next();
            // The seed's "update clinic" needs the new version and name, not the
            // detail's joins: the narrow return.
            const detail = await vz.clinics.update(
              clinicId,
              { version, clinicName: name },
              { returning: 'clinic' },
            );
            after = { version: detail.version, name: detail.clinicName };
            clinicState.set(clinicId, after);
          },
          lean: async (client) => {
            const { version, name } = next();
            const rows = await leanClinicUpdate(client, clinicId, version, name);
            after = { version: Number(rows[0]?.version), name };
            clinicState.set(clinicId, after);
          },
          settle: async () => {},
          undo: async () => {
            if (!before) return;
            await admin.query('update clinics set version = $2, clinic_name = $3 where id = $1', [
              clinicId,
              before.version,
              before.name,
            ]);
            clinicState.set(clinicId, before);
          },
          // The replay made the same change: the clinic is where the call left it.
          settleReplay: async () => {
            if (after) clinicState.set(clinicId, after);
          },
        };
      },
      finish: async () => {
        for (const [clinicId, state] of clinicState) {
          if (state.name.endsWith(suffix))
            await admin.query('update clinics set clinic_name = $2 where id = $1', [
              clinicId,
              state.name.slice(0, -suffix.length),
            ]);
        }
      },
    },
    {
      id: 'clinics.statusCached',
      prepare: async () => {
        for (const id of pools.clinicIds) await vz.clinics.status(id);
      },
      draw: () => {
        const id = prng.pick(pools.clinicIds);
        return readTrial(() => vz.clinics.status(id));
      },
    },
  ];
}
