import {
  firstActiveKey,
  leanActivate,
  leanActiveList,
  leanMonthList,
  leanReactivate,
  leanSuspend,
} from '../lean/subscriptions.js';
import { deleteClinic } from './cleanup.js';
import { readTrial, type Scenario, type ScenarioDeps, type Trial } from './scenario.js';

/** Clinics the harness creates to activate subscriptions on (deleted at the end). */
const activationClinics = 16;

/** The subscription operations. */
export async function subscriptionScenarios(deps: ScenarioDeps): Promise<Scenario[]> {
  const { vz, admin, pools, prng } = deps;
  const adminId = pools.adminUserId;

  // Activation needs clinics without an open subscription: made for the purpose,
  // and each activation is deleted again right after, so they stay at 'none'.
  // They exist only while this operation is measured (prepare .. finish).
  const fresh: number[] = [];
  let made = 0;
  let nextFresh = 0;
  const dropHistory = (clinicId: number) =>
    admin.query('delete from subscription_history where clinic_id = $1', [clinicId]);

  // Suspend/reactivate toggles clinics whose subscription is active and running;
  // a data set without one (a handful of clinics) gets a clinic made for the purpose.
  const suspended = new Set<number>();
  const toggled = [...pools.activeClinicIds];
  let madeForToggle: number | null = null;
  const setSuspended = (clinicId: number) =>
    admin.query(
      `update subscription_history set status = 'suspended', suspended_by = $2, suspended_at = now()
       where clinic_id = $1 and status = 'active'`,
      [clinicId, adminId],
    );
  const setActive = (clinicId: number) =>
    admin.query(
      `update subscription_history set status = 'active', suspended_by = null, suspended_at = null
       where clinic_id = $1 and status = 'suspended'`,
      [clinicId],
    );

  return [
    {
      id: 'subscriptions.listActive',
      draw: () => {
        const page =
          prng.chance(0.5) || pools.activeCursors.length === 0
            ? undefined
            : prng.pick(pools.activeCursors);
        return readTrial(
          () =>
            vz.subscriptions.listActive({
              limit: 20,
              columns: 'brief',
              ...(page ? { cursor: page.cursor } : {}),
            }),
          undefined,
          (client) => leanActiveList(client, page?.after ?? firstActiveKey),
        );
      },
    },
    {
      id: 'subscriptions.listByMonth',
      draw: () => {
        const { year, month } = prng.pick(pools.months);
        return readTrial(
          // The seed's "filter by month/year": the page, without the month's totals.
          () => vz.subscriptions.list({ year, month, limit: 20, totals: false }),
          undefined,
          (client) => leanMonthList(client, year, month),
        );
      },
    },
    {
      id: 'subscriptions.activate',
      prepare: async () => {
        while (fresh.length < activationClinics) {
          made++;
          const clinic = await vz.clinics.create({
            clinicName: `Harness Activation Clinic ${made}`,
            countryCode: 'DE',
            ownerPhoneNumber: '+49 170 0000000',
            clinicPhoneNumber: '030 0000000',
            owner: {
              email: `bench.${deps.runId}.activation.${made}@example.org`,
              fullName: 'Harness Owner',
            },
          });
          fresh.push(clinic.id);
        }
      },
      draw: (): Trial => {
        const clinicId = fresh[nextFresh++ % fresh.length] as number;
        const remove = () => dropHistory(clinicId).then(() => {});
        const input = {
          clinicId,
          subscriptionTypeId: 1,
          paymentMethodId: 1 + prng.int(4),
          activatedBy: adminId,
        };
        return {
          run: async () => {
            await vz.subscriptions.activate(input);
          },
          lean: async (client) => {
            await leanActivate(client, input);
          },
          settle: remove,
          undo: remove,
          settleReplay: remove,
        };
      },
      finish: async () => {
        for (const clinicId of fresh.splice(0)) await deleteClinic(admin, clinicId);
      },
    },
    {
      id: 'subscriptions.suspendReactivate',
      prepare: async () => {
        if (toggled.length > 0) return;
        const clinic = await vz.clinics.create({
          clinicName: 'Harness Suspension Clinic',
          countryCode: 'DE',
          ownerPhoneNumber: '+49 170 0000000',
          clinicPhoneNumber: '030 0000000',
          owner: { email: `bench.${deps.runId}.suspension@example.org`, fullName: 'Harness Owner' },
        });
        await vz.subscriptions.activate({
          clinicId: clinic.id,
          subscriptionTypeId: 1,
          paymentMethodId: 1,
          activatedBy: adminId,
        });
        madeForToggle = clinic.id;
        toggled.push(clinic.id);
      },
      draw: (): Trial => {
        const clinicId = prng.pick(toggled);
        const action = suspended.has(clinicId) ? 'reactivate' : 'suspend';
        // Where the clinic stands after the call (or its replay), and before it.
        const markDone = () =>
          action === 'suspend' ? suspended.add(clinicId) : suspended.delete(clinicId);
        const markUndone = () =>
          action === 'suspend' ? suspended.delete(clinicId) : suspended.add(clinicId);
        return {
          run: async () => {
            if (action === 'suspend') {
              await vz.subscriptions.suspend(clinicId, { suspendedBy: adminId });
            } else {
              await vz.subscriptions.reactivate(clinicId, { reactivatedBy: adminId });
            }
            markDone();
          },
          lean: async (client) => {
            await (action === 'suspend'
              ? leanSuspend(client, clinicId, adminId)
              : leanReactivate(client, clinicId, adminId));
            markDone();
          },
          settle: async () => {},
          undo: async () => {
            await (action === 'suspend' ? setActive(clinicId) : setSuspended(clinicId));
            markUndone();
          },
          settleReplay: async () => {
            markDone();
          },
        };
      },
      finish: async () => {
        for (const clinicId of suspended) await setActive(clinicId);
        suspended.clear();
        if (madeForToggle !== null) {
          await deleteClinic(admin, madeForToggle);
          toggled.splice(toggled.indexOf(madeForToggle), 1);
          madeForToggle = null;
        }
      },
    },
  ];
}
