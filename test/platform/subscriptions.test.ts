import { describe, expect, it } from 'vitest';
import type { Page } from '../../src/index.js';
import {
  ConflictError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '../../src/index.js';
import type { ActiveSubscription, SubscriptionRecord } from '../../src/platform/subscriptions.js';
import { countStatements, createTestVetalyze } from '../helpers/database.js';
import {
  connectAdmin,
  createClinic,
  databaseDate,
  endOpenPeriod,
  openRecordCount,
  plusMonths,
} from './fixtures.js';

// The admin connection's writes reach the status cache through the listener,
// at a moment the tests cannot see; they count what this instance's own writes do.
const { vz, database, queries } = await createTestVetalyze({ cacheInvalidation: false });
const admin = await connectAdmin(database.url);
const operator = await vz.users.create({
  email: 'operator@example.com',
  fullName: 'Platform Operator',
  role: 'platform_admin',
});
// A plan no longer sold, for the "not on sale" paths.
await admin.query(
  `insert into subscription_types (id, code, name, duration_months, price, is_active)
   values (99, 'legacy', 'Legacy', 1, 10.00, false)`,
);
const today = await databaseDate(admin);

const newClinic = async () => (await createClinic(vz)).id;

function activate(
  clinicId: number,
  extra: { startsOn?: string; subscriptionTypeId?: number } = {},
) {
  return vz.subscriptions.activate({
    clinicId,
    subscriptionTypeId: 1,
    paymentMethodId: 1,
    activatedBy: operator.id,
    ...extra,
  });
}

function renew(clinicId: number, extra: { subscriptionTypeId?: number } = {}) {
  return vz.subscriptions.renew({
    clinicId,
    paymentMethodId: 2,
    activatedBy: operator.id,
    ...extra,
  });
}

const suspend = (clinicId: number) =>
  vz.subscriptions.suspend(clinicId, { suspendedBy: operator.id });
const reactivate = (clinicId: number) =>
  vz.subscriptions.reactivate(clinicId, { reactivatedBy: operator.id });

/** A clinic in each derived state, made through the API (and SQL for time passing). */
async function clinicIn(state: 'none' | 'active' | 'suspended' | 'expired'): Promise<number> {
  const clinicId = await newClinic();
  if (state === 'none') return clinicId;
  await activate(clinicId);
  if (state === 'suspended') await suspend(clinicId);
  if (state === 'expired') await endOpenPeriod(admin, clinicId);
  return clinicId;
}

async function recordStatus(id: number): Promise<string | undefined> {
  const { rows } = await admin.query<{ status: string }>(
    'select status from subscription_history where id = $1',
    [id],
  );
  return rows[0]?.status;
}

async function expectIllegal(attempt: Promise<unknown>, transition: string, state: string) {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IllegalTransitionError);
  expect(error).toBeInstanceOf(ConflictError);
  expect(error).toMatchObject({ transition, currentState: state, code: 'ILLEGAL_TRANSITION' });
}

describe('subscriptions.activate', () => {
  it("starts a new group from 'none': today, one type's length, the type's price", async () => {
    const clinicId = await newClinic();
    const { result: record, statements } = await countStatements(queries, () => activate(clinicId));
    expect(statements).toBe(1);
    expect(record).toMatchObject({
      clinicId,
      subscriptionTypeId: 1,
      paymentMethodId: 1,
      status: 'active',
      startsOn: today,
      endsOn: await plusMonths(admin, today, 1),
      amount: '49.00',
      activatedBy: operator.id,
      suspendedBy: null,
      suspendedAt: null,
      reactivatedBy: null,
      reactivatedAt: null,
    });
    expect(record.activatedAt).toBeInstanceOf(Date);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it('takes a start date and an amount, and clamps the end to the month', async () => {
    const clinicId = await newClinic();
    const record = await vz.subscriptions.activate({
      clinicId,
      subscriptionTypeId: 1,
      paymentMethodId: 3,
      activatedBy: operator.id,
      startsOn: '2031-01-31',
      amount: 12.5,
    });
    expect(record).toMatchObject({ startsOn: '2031-01-31', endsOn: '2031-02-28', amount: '12.50' });
    const other = await vz.subscriptions.activate({
      clinicId: await newClinic(),
      subscriptionTypeId: 4,
      paymentMethodId: 1,
      activatedBy: operator.id,
      amount: '0.10',
    });
    expect(other).toMatchObject({ amount: '0.10', endsOn: await plusMonths(admin, today, 12) });
  });

  it("from 'expired' closes the ended record and starts a new group", async () => {
    const clinicId = await clinicIn('expired');
    const [old] = await vz.subscriptions.history(clinicId);
    const record = await activate(clinicId);
    expect(record.groupId).not.toBe(old?.groupId);
    expect(await recordStatus(old?.id ?? 0)).toBe('expired');
    expect(await openRecordCount(admin, clinicId)).toBe(1);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it("from 'expired' with no open record left starts a new group", async () => {
    const clinicId = await clinicIn('expired');
    await admin.query(`update subscription_history set status = 'expired' where clinic_id = $1`, [
      clinicId,
    ]);
    expect(await vz.clinics.status(clinicId)).toBe('expired');
    await activate(clinicId);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it("is illegal from 'active' and 'suspended', naming the state", async () => {
    await expectIllegal(activate(await clinicIn('active')), 'activate', 'active');
    await expectIllegal(activate(await clinicIn('suspended')), 'activate', 'suspended');
  });

  it('refuses a type not on sale without touching the ended record', async () => {
    const clinicId = await clinicIn('expired');
    const [old] = await vz.subscriptions.history(clinicId);
    for (const subscriptionTypeId of [99, 77]) {
      const attempt = activate(clinicId, { subscriptionTypeId });
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ field: 'subscriptionTypeId' });
    }
    expect(await recordStatus(old?.id ?? 0)).toBe('active');
    expect(await vz.subscriptions.history(clinicId)).toHaveLength(1);
  });

  it('names an unknown clinic, user or payment method', async () => {
    await expect(activate(987_654)).rejects.toMatchObject({ entity: 'clinic' });
    await expect(activate(987_654)).rejects.toBeInstanceOf(NotFoundError);
    const clinicId = await newClinic();
    await expect(
      vz.subscriptions.activate({
        clinicId,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: 987_654,
      }),
    ).rejects.toMatchObject({ entity: 'user' });
    await expect(
      vz.subscriptions.activate({
        clinicId,
        subscriptionTypeId: 1,
        paymentMethodId: 50,
        activatedBy: operator.id,
      }),
    ).rejects.toMatchObject({ field: 'paymentMethodId' });
    await expect(
      vz.subscriptions.activate({
        clinicId,
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: operator.id,
        amount: '1.234',
      }),
    ).rejects.toMatchObject({ field: 'amount' });
    await expect(activate(clinicId, { startsOn: '2031-02-30' })).rejects.toMatchObject({
      field: 'startsOn',
    });
    expect(await openRecordCount(admin, clinicId)).toBe(0);
  });

  it('lets exactly one of 20 concurrent activations win; the rest get ConflictError', async () => {
    const clinicId = await newClinic();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => activate(clinicId)));
    const won = results.filter((result) => result.status === 'fulfilled');
    const lost = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const error of lost) expect(error).toBeInstanceOf(ConflictError);
    expect(await openRecordCount(admin, clinicId)).toBe(1);
    expect(await vz.subscriptions.history(clinicId)).toHaveLength(1);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });
});

describe('subscriptions.renew', () => {
  it("from 'active' continues the group where the previous period ends", async () => {
    const clinicId = await clinicIn('active');
    const [previous] = await vz.subscriptions.history(clinicId);
    const { result: next, statements } = await countStatements(queries, () =>
      renew(clinicId, { subscriptionTypeId: 2 }),
    );
    expect(statements).toBe(1);
    expect(next).toMatchObject({
      groupId: previous?.groupId,
      status: 'active',
      subscriptionTypeId: 2,
      paymentMethodId: 2,
      startsOn: previous?.endsOn,
      endsOn: await plusMonths(admin, previous?.endsOn ?? '', 3),
      amount: '139.00',
    });
    expect(await recordStatus(previous?.id ?? 0)).toBe('renewed');
    expect(await openRecordCount(admin, clinicId)).toBe(1);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it("from 'expired' with the ended record still open starts today, same group, same type", async () => {
    const clinicId = await clinicIn('expired');
    const [previous] = await vz.subscriptions.history(clinicId);
    const next = await renew(clinicId);
    expect(next).toMatchObject({
      groupId: previous?.groupId,
      subscriptionTypeId: previous?.subscriptionTypeId,
      startsOn: today,
      endsOn: await plusMonths(admin, today, 1),
    });
    expect(await recordStatus(previous?.id ?? 0)).toBe('renewed');
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it("is illegal from 'none', 'suspended' and 'expired' with no open record", async () => {
    await expectIllegal(renew(await clinicIn('none')), 'renew', 'none');
    await expectIllegal(renew(await clinicIn('suspended')), 'renew', 'suspended');
    const closed = await clinicIn('expired');
    await admin.query(`update subscription_history set status = 'expired' where clinic_id = $1`, [
      closed,
    ]);
    await expectIllegal(renew(closed), 'renew', 'expired');
  });

  it('refuses a type not on sale and leaves the active record as it was', async () => {
    const clinicId = await clinicIn('active');
    const [previous] = await vz.subscriptions.history(clinicId);
    await expect(renew(clinicId, { subscriptionTypeId: 99 })).rejects.toMatchObject({
      field: 'subscriptionTypeId',
    });
    expect(await recordStatus(previous?.id ?? 0)).toBe('active');
    expect(await vz.subscriptions.history(clinicId)).toHaveLength(1);
  });

  it('throws NotFoundError for an unknown clinic', async () => {
    await expect(renew(987_654)).rejects.toMatchObject({ entity: 'clinic' });
  });
});

describe('subscriptions.suspend and reactivate', () => {
  it("suspend: 'active' -> 'suspended', recording who and when", async () => {
    const clinicId = await clinicIn('active');
    const { result: record, statements } = await countStatements(queries, () => suspend(clinicId));
    expect(statements).toBe(1);
    expect(record).toMatchObject({ status: 'suspended', suspendedBy: operator.id });
    expect(record.suspendedAt).toBeInstanceOf(Date);
    expect(await vz.clinics.status(clinicId)).toBe('suspended');
  });

  it("reactivate: 'suspended' -> 'active', recording who reactivated it", async () => {
    const clinicId = await clinicIn('suspended');
    const { result: record, statements } = await countStatements(queries, () =>
      reactivate(clinicId),
    );
    expect(statements).toBe(1);
    expect(record).toMatchObject({
      status: 'active',
      suspendedBy: operator.id,
      reactivatedBy: operator.id,
    });
    expect(record.reactivatedAt).toBeInstanceOf(Date);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it('suspend is illegal from every other state, naming it', async () => {
    await expectIllegal(suspend(await clinicIn('none')), 'suspend', 'none');
    await expectIllegal(suspend(await clinicIn('suspended')), 'suspend', 'suspended');
    await expectIllegal(suspend(await clinicIn('expired')), 'suspend', 'expired');
  });

  it('reactivate is illegal from every other state, naming it', async () => {
    await expectIllegal(reactivate(await clinicIn('none')), 'reactivate', 'none');
    await expectIllegal(reactivate(await clinicIn('active')), 'reactivate', 'active');
    await expectIllegal(reactivate(await clinicIn('expired')), 'reactivate', 'expired');
  });

  it('a suspended record whose period ended reads expired once reactivated', async () => {
    const clinicId = await clinicIn('suspended');
    await endOpenPeriod(admin, clinicId);
    expect(await vz.clinics.status(clinicId)).toBe('suspended');
    await reactivate(clinicId);
    expect(await vz.clinics.status(clinicId)).toBe('expired');
    await renew(clinicId);
    expect(await vz.clinics.status(clinicId)).toBe('active');
  });

  it('names an unknown clinic or user', async () => {
    await expect(suspend(987_654)).rejects.toMatchObject({ entity: 'clinic' });
    await expect(reactivate(987_654)).rejects.toMatchObject({ entity: 'clinic' });
    const clinicId = await clinicIn('active');
    await expect(
      vz.subscriptions.suspend(clinicId, { suspendedBy: 987_654 }),
    ).rejects.toMatchObject({ entity: 'user' });
    await expect(vz.subscriptions.suspend(clinicId, { suspendedBy: 0 })).rejects.toMatchObject({
      field: 'suspendedBy',
    });
  });
});

describe('the clinic status cache around transitions', () => {
  const writes: [
    string,
    'none' | 'active' | 'suspended' | 'expired',
    (id: number) => Promise<unknown>,
    string,
  ][] = [
    ['activate', 'none', (id) => activate(id), 'active'],
    ['renew', 'expired', (id) => renew(id), 'active'],
    ['suspend', 'active', (id) => suspend(id), 'suspended'],
    ['reactivate', 'suspended', (id) => reactivate(id), 'active'],
  ];
  for (const [name, from, write, to] of writes) {
    it(`is invalidated by ${name}, so the next read is fresh`, async () => {
      const clinicId = await clinicIn(from);
      expect(await vz.clinics.status(clinicId)).toBe(from);
      const cached = await countStatements(queries, () => vz.clinics.status(clinicId));
      expect(cached).toEqual({ result: from, statements: 0 });
      await write(clinicId);
      const fresh = await countStatements(queries, () => vz.clinics.status(clinicId));
      expect(fresh).toEqual({ result: to, statements: 1 });
    });
  }

  it('is invalidated by a refused transition too', async () => {
    const clinicId = await clinicIn('active');
    expect(await vz.clinics.status(clinicId)).toBe('active');
    await expect(activate(clinicId)).rejects.toBeInstanceOf(IllegalTransitionError);
    expect((await countStatements(queries, () => vz.clinics.status(clinicId))).statements).toBe(1);
  });
});

describe('subscriptions.history', () => {
  it('lists every record of the clinic, newest first, in one statement', async () => {
    const clinicId = await clinicIn('active');
    await renew(clinicId);
    await renew(clinicId);
    const { result, statements } = await countStatements(queries, () =>
      vz.subscriptions.history(clinicId),
    );
    expect(statements).toBe(1);
    expect(result.map((record) => record.status)).toEqual(['active', 'renewed', 'renewed']);
    const ids = result.map((record) => record.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const starts = result.map((record) => record.startsOn);
    expect(starts).toEqual([...starts].sort().reverse());
  });

  it('returns an empty list for a clinic without records, NotFoundError for no clinic', async () => {
    expect(await vz.subscriptions.history(await newClinic())).toEqual([]);
    await expect(vz.subscriptions.history(987_654)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('subscriptions.listActive', () => {
  it('pages through running active records, soonest end first, one statement a page', async () => {
    for (const months of [1, 2, 3]) {
      const clinicId = await newClinic();
      await activate(clinicId, { subscriptionTypeId: months === 1 ? 1 : months === 2 ? 2 : 4 });
    }
    await clinicIn('suspended');
    await clinicIn('expired');
    const { rows } = await admin.query<{ clinic_id: number }>(
      `select clinic_id from subscription_history
       where status = 'active' and ends_on > current_date order by ends_on, clinic_id`,
    );
    const seen: ActiveSubscription[] = [];
    let cursor: string | undefined;
    do {
      const { result: page, statements } = await countStatements(queries, () =>
        vz.subscriptions.listActive({ limit: 3, cursor }),
      );
      expect(statements).toBe(1);
      seen.push(...page.items);
      for (const item of page.items) expect(item.clinicName).toMatch(/^Clinic /);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((record) => record.clinicId)).toEqual(rows.map((row) => row.clinic_id));
    expect(seen.every((record) => record.status === 'active' && record.endsOn > today)).toBe(true);

    // The brief pages: the same rows in the same order, each the record's six fields.
    const brief: unknown[] = [];
    cursor = undefined;
    do {
      const { result: page, statements } = await countStatements(queries, () =>
        vz.subscriptions.listActive({ limit: 3, cursor, columns: 'brief' }),
      );
      expect(statements).toBe(1);
      brief.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(brief).toEqual(
      seen.map((record) => ({
        id: record.id,
        clinicId: record.clinicId,
        clinicName: record.clinicName,
        subscriptionTypeId: record.subscriptionTypeId,
        endsOn: record.endsOn,
        amount: record.amount,
      })),
    );
  });
});

describe('subscriptions.list (by month)', () => {
  it('pages through the month by start date with count and total over the whole month', async () => {
    const starts = [
      '2032-03-01',
      '2032-03-05',
      '2032-03-05',
      '2032-03-31',
      '2032-04-01',
      '2032-02-29',
    ];
    const inMarch: number[] = [];
    for (const [index, startsOn] of starts.entries()) {
      const record = await vz.subscriptions.activate({
        clinicId: await newClinic(),
        subscriptionTypeId: 1,
        paymentMethodId: 1,
        activatedBy: operator.id,
        startsOn,
        amount: `${10 + index}.25`,
      });
      if (startsOn.startsWith('2032-03')) inMarch.push(record.id);
    }
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const { result: page, statements } = await countStatements(queries, () =>
        vz.subscriptions.list({ year: 2032, month: 3, limit: 3, cursor }),
      );
      expect(statements).toBe(1);
      expect(page).toMatchObject({ count: 4, totalAmount: '47.00' });
      seen.push(...page.items.map((record) => record.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(inMarch);

    // Without totals: the same records, page by page, without reading the whole month.
    const records: number[] = [];
    cursor = undefined;
    do {
      const page: Page<SubscriptionRecord> = await vz.subscriptions.list({
        year: 2032,
        month: 3,
        limit: 3,
        cursor,
        totals: false,
      });
      expect(page).not.toHaveProperty('count');
      expect(queries.at(-1)).not.toContain('count(');
      records.push(...page.items.map((record) => record.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(records).toEqual(inMarch);
  });

  it('returns zero totals and no items for an empty month', async () => {
    expect(await vz.subscriptions.list({ year: 2040, month: 12 })).toEqual({
      items: [],
      nextCursor: null,
      count: 0,
      totalAmount: '0.00',
    });
  });

  it('refuses a month out of range', async () => {
    await expect(vz.subscriptions.list({ year: 2032, month: 13 })).rejects.toMatchObject({
      field: 'month',
    });
  });
});

describe('subscriptions.groups', () => {
  it('aggregates each group in SQL: count, total, latest dates and current status', async () => {
    const clinicId = await clinicIn('active');
    await renew(clinicId);
    await renew(clinicId, { subscriptionTypeId: 2 });
    await endOpenPeriod(admin, clinicId);
    await activate(clinicId);
    const history = await vz.subscriptions.history(clinicId);
    const [newest] = history;
    const { result, statements } = await countStatements(queries, () =>
      vz.subscriptions.groups({ clinicId }),
    );
    expect(statements).toBe(1);
    expect(result.nextCursor).toBeNull();
    expect(result.items).toHaveLength(2);
    const [current, closed] = result.items;
    expect(current).toMatchObject({
      groupId: newest?.groupId,
      clinicId,
      recordCount: 1,
      totalAmount: '49.00',
      latestStartsOn: newest?.startsOn,
      latestEndsOn: newest?.endsOn,
      status: 'active',
    });
    expect(closed).toMatchObject({ recordCount: 3, totalAmount: '237.00', status: 'expired' });
    expect(current?.clinicName).toMatch(/^Clinic /);
  });

  it('pages through all groups without duplicates or gaps', async () => {
    const { rows } = await admin.query<{ group_id: number }>(
      `select group_id from subscription_history
       group by clinic_id, group_id order by clinic_id desc, group_id desc`,
    );
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await vz.subscriptions.groups({ limit: 4, cursor });
      seen.push(...page.items.map((group) => group.groupId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(rows.map((row) => row.group_id));
  });
});
