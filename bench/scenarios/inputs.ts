import type { Vetalyze } from '@vetalyze/db';
import type pg from 'pg';
import { createPrng, type Prng } from '../generate/prng.js';
import type { ActiveKey } from '../lean/subscriptions.js';

/** A next-page cursor with the keyset position it stands for (the lean reference pages by that). */
export interface PageCursor<Key> {
  readonly cursor: string;
  readonly after: Key;
}

/** Realistic inputs drawn from the loaded data, gathered once per scale (untimed). */
export interface InputPools {
  readonly clinicIds: readonly number[];
  /** Cursors of clinic list pages 2..n (page 1 has none), with the last id of the page before. */
  readonly clinicCursors: readonly PageCursor<number>[];
  /** 1-5 characters cut from real clinic names. */
  readonly clinicTerms: readonly string[];
  /** Live owners spread over the clinics. */
  readonly owners: readonly { clinicId: number; id: number }[];
  /** 1-5 characters cut from real owner names, with the owner's clinic. */
  readonly ownerNameTerms: readonly { clinicId: number; term: string }[];
  /** 3-7 leading or 4-6 trailing digits of real owners' national numbers. */
  readonly ownerPhoneTerms: readonly { clinicId: number; term: string }[];
  /** Owner list cursors of pages 2..5 of some clinics. */
  readonly ownerCursors: readonly ({ clinicId: number } & PageCursor<number>)[];
  /** Cursors of active-subscription pages 2..n. */
  readonly activeCursors: readonly PageCursor<ActiveKey>[];
  /** The twelve months up to the current one. */
  readonly months: readonly { year: number; month: number }[];
  /** Clinics whose subscription is active and running: suspend/reactivate toggles them. */
  readonly activeClinicIds: readonly number[];
  /** The platform admin the generator named as activator. */
  readonly adminUserId: number;
}

/** A substring of 1..5 characters of one word of `text` (never starting or ending in space). */
function cutTerm(text: string, prng: Prng): string {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const word = prng.pick(words);
  const length = Math.min(word.length, prng.between(1, 5));
  const start = prng.int(word.length - length + 1);
  return word.slice(start, start + length);
}

/** A phone search term a receptionist would type: the start or the end of the number. */
function phoneTerm(digits: string, prng: Prng): string {
  if (prng.chance(0.5)) {
    const length = prng.between(4, 6);
    const suffix = digits.slice(-length);
    // A leading 0 would be read as a trunk prefix: fall back to a prefix.
    if (!suffix.startsWith('0')) return suffix;
  }
  return digits.slice(0, prng.between(3, 7));
}

/**
 * Walks a keyset list from its first page, collecting up to `pages` next-page
 * cursors, each with `keyOf` the page's last item (where the next page starts).
 */
async function collectCursors<Item, Key>(
  page: (
    cursor: string | undefined,
  ) => Promise<{ items: readonly Item[]; nextCursor: string | null }>,
  keyOf: (item: Item) => Key,
  pages: number,
): Promise<PageCursor<Key>[]> {
  const cursors: PageCursor<Key>[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    const result = await page(cursor);
    const last = result.items.at(-1);
    if (!result.nextCursor || last === undefined) break;
    cursor = result.nextCursor;
    cursors.push({ cursor, after: keyOf(last) });
  }
  return cursors;
}

const idOf = (item: { id: number }) => item.id;

/** Gathers the input pools (deterministic for a seed and a data set). */
export async function gatherInputs(
  client: pg.ClientBase,
  vz: Vetalyze,
  seed: string,
  sampleSize = 2000,
): Promise<InputPools> {
  const prng = createPrng(seed, 'bench-inputs');
  const clinicRows = await client.query<{ id: number; clinic_name: string; owners: number }>(
    `select c.id, c.clinic_name, k.last_owner_seq as owners
     from clinics c join clinic_counters k on k.clinic_id = c.id order by c.id`,
  );
  const clinics = clinicRows.rows;
  const clinicIds = clinics.map((row) => row.id);
  const clinicTerms = Array.from({ length: 500 }, () =>
    cutTerm(prng.pick(clinics).clinic_name, prng),
  );

  // Owners: random (clinic, seq) pairs, so every clinic can be drawn.
  const picks = Array.from({ length: sampleSize }, () => {
    const clinic = prng.pick(clinics);
    return { clinicId: clinic.id, seq: 1 + prng.int(Math.max(1, clinic.owners)) };
  });
  const ownerRows = await client.query<{
    clinic_id: number;
    id: number;
    full_name: string;
    phone_digits: string | null;
  }>(
    `select o.clinic_id, o.id, o.full_name, o.phone_digits
     from unnest($1::int[], $2::int[]) as p(clinic_id, seq)
     join owners o on o.clinic_id = p.clinic_id and o.seq = p.seq
     where o.archived_at is null`,
    [picks.map((pick) => pick.clinicId), picks.map((pick) => pick.seq)],
  );
  const owners = ownerRows.rows;
  const ownerNameTerms = owners.map((owner) => ({
    clinicId: owner.clinic_id,
    term: cutTerm(owner.full_name, prng),
  }));
  const ownerPhoneTerms = owners
    .filter((owner) => owner.phone_digits && owner.phone_digits.length >= 7)
    .map((owner) => ({
      clinicId: owner.clinic_id,
      term: phoneTerm(owner.phone_digits ?? '', prng),
    }));

  const clinicCursors = await collectCursors(
    (cursor) => vz.clinics.list({ limit: 20, ...(cursor ? { cursor } : {}) }),
    idOf,
    60,
  );
  const ownerCursors: ({ clinicId: number } & PageCursor<number>)[] = [];
  for (let i = 0; i < Math.min(50, clinicIds.length); i++) {
    const clinicId = prng.pick(clinicIds);
    const scope = vz.forClinic(clinicId);
    for (const cursor of await collectCursors(
      (next) => scope.owners.list({ limit: 20, ...(next ? { cursor: next } : {}) }),
      idOf,
      4,
    ))
      ownerCursors.push({ clinicId, ...cursor });
  }
  const activeCursors = await collectCursors(
    (cursor) => vz.subscriptions.listActive({ limit: 20, ...(cursor ? { cursor } : {}) }),
    (item) => ({ endsOn: item.endsOn, clinicId: item.clinicId }),
    30,
  );
  const today = new Date();
  const months = Array.from({ length: 12 }, (_, back) => {
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1));
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
  });
  const active = await client.query<{ clinic_id: number }>(
    `select clinic_id from subscription_history
     where status = 'active' and ends_on > current_date + 1 order by clinic_id`,
  );
  const admin = await client.query<{ id: number }>(
    `select id from users where role = 'platform_admin' order by id limit 1`,
  );
  return {
    clinicIds,
    clinicCursors,
    clinicTerms,
    owners: owners.map((owner) => ({ clinicId: owner.clinic_id, id: owner.id })),
    ownerNameTerms,
    ownerPhoneTerms,
    ownerCursors,
    activeCursors,
    months,
    activeClinicIds: active.rows.map((row) => row.clinic_id),
    adminUserId: admin.rows[0]?.id ?? 1,
  };
}
