import { describe, expect, it } from 'vitest';
import { type QueryEvent, statementLabel } from '../../src/index.js';
import { createTestVetalyze } from '../helpers/database.js';
import { createClinic, unique } from './fixtures.js';

/**
 * The naming rule of every platform statement: its label is
 * `platform.<repository>.<call>[:<variant>]` after the public call that sent
 * it, and a prepared statement is known to the server by the same name, so
 * pg_stat_statements and `onQuery` group statements by the same operations.
 */

const events: QueryEvent[] = [];
const { vz } = await createTestVetalyze({ onQuery: (event) => events.push(event) });

/** Statements a call sends on behalf of more than itself. */
const shared = new Set(['shared.idempotency.lookup', 'platform.subscriptions.explainRefusal']);

/** The labels `call` sent that do not name it, or whose prepared name differs. */
async function misnamed(call: string, run: () => Promise<unknown>): Promise<string[]> {
  const from = events.length;
  await run().catch(() => undefined);
  const sent = events.slice(from);
  if (sent.length === 0) return [`${call}: sent no statement`];
  return sent.flatMap((event) => {
    const label = statementLabel(event.sql);
    const named = label?.split(':')[0] === `platform.${call}` || shared.has(label ?? '');
    const prepared = event.name === undefined || event.name === label;
    return named && prepared ? [] : [`${call}: ${label} (prepared as ${event.name})`];
  });
}

describe('platform statement names', () => {
  it('names every statement after the call that sent it', async () => {
    const operator = await vz.users.create({
      email: `operator-${unique()}@example.com`,
      fullName: 'Operator',
      role: 'platform_admin',
      password: 'a long enough password',
    });
    const clinic = await createClinic(vz);
    const activation = {
      clinicId: clinic.id,
      subscriptionTypeId: 1,
      paymentMethodId: 1,
      activatedBy: operator.id,
    };
    const calls: [string, () => Promise<unknown>][] = [
      ['clinics.create', () => createClinic(vz, { idempotencyKey: unique() })],
      ['clinics.get', () => vz.clinics.get(clinic.id)],
      ['clinics.update', () => vz.clinics.update(clinic.id, { version: 1, clinicName: 'Renamed' })],
      [
        'clinics.update',
        () =>
          vz.clinics.update(clinic.id, { version: 2, clinicName: 'R' }, { returning: 'clinic' }),
      ],
      ['clinics.update', () => vz.clinics.update(clinic.id, { version: 1, clinicName: 'Stale' })],
      ['clinics.list', () => vz.clinics.list({ status: 'none', countryCode: 'DE' })],
      ['clinics.list', () => vz.clinics.list({ search: 'renamed', status: 'none' })],
      ['clinics.status', () => vz.clinics.status(clinic.id)],
      [
        'subscriptions.activate',
        () => vz.subscriptions.activate(activation, { idempotencyKey: unique() }),
      ],
      ['subscriptions.activate', () => vz.subscriptions.activate(activation)],
      [
        'subscriptions.suspend',
        () => vz.subscriptions.suspend(clinic.id, { suspendedBy: operator.id }),
      ],
      [
        'subscriptions.reactivate',
        () => vz.subscriptions.reactivate(clinic.id, { reactivatedBy: operator.id }),
      ],
      [
        'subscriptions.renew',
        () => vz.subscriptions.renew({ ...activation, subscriptionTypeId: 1 }),
      ],
      ['subscriptions.history', () => vz.subscriptions.history(clinic.id)],
      ['subscriptions.listActive', () => vz.subscriptions.listActive()],
      ['subscriptions.listActive', () => vz.subscriptions.listActive({ columns: 'brief' })],
      ['subscriptions.list', () => vz.subscriptions.list({ year: 2026, month: 1 })],
      ['subscriptions.list', () => vz.subscriptions.list({ year: 2026, month: 1, totals: false })],
      ['subscriptions.groups', () => vz.subscriptions.groups({ clinicId: clinic.id })],
      ['users.get', () => vz.users.get(operator.id)],
      ['users.verifyPassword', () => vz.users.verifyPassword(operator.email, 'wrong password')],
      ['users.setPassword', () => vz.users.setPassword(operator.id, 'another long password')],
      ['users.deactivate', () => vz.users.deactivate(operator.id)],
      ['lookups.countries', () => vz.lookups.countries()],
      ['lookups.petTypes', () => vz.lookups.petTypes()],
    ];
    const problems: string[] = [];
    for (const [call, run] of calls) problems.push(...(await misnamed(call, run)));
    expect(problems).toEqual([]);
  });
});
