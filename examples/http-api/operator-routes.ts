/**
 * Operator routes: the platform's back office. The clinic id is in the URL
 * here on purpose: an operator acts on any clinic, and the operator token
 * (checked in server.ts) is what allows it.
 */
import type {
  ActivateInput,
  CreateClinicInput,
  ListClinicsOptions,
  RenewInput,
  UpdateClinicInput,
  Vetalyze,
} from '@vetalyze/db';
import { readJson } from './http.ts';
import { queryOf, type Route } from './router.ts';

// Bodies go to the library as they came: its strict schemas refuse a bad one
// with a ValidationError (400), so the casts below claim nothing unchecked.
export const operatorRoutes: readonly Route<Vetalyze>[] = [
  {
    method: 'POST',
    path: /^\/operator\/clinics$/,
    handle: async (vz, { request }) => ({
      status: 201,
      body: await vz.clinics.create((await readJson(request)) as CreateClinicInput),
    }),
  },
  {
    method: 'GET',
    path: /^\/operator\/clinics$/,
    handle: async (vz, { url }) => ({
      status: 200,
      body: await vz.clinics.list(queryOf(url) as ListClinicsOptions),
    }),
  },
  {
    method: 'GET',
    path: /^\/operator\/clinics\/(\d+)$/,
    handle: async (vz, { ids: [id = 0] }) => ({ status: 200, body: await vz.clinics.get(id) }),
  },
  {
    method: 'PATCH',
    path: /^\/operator\/clinics\/(\d+)$/,
    handle: async (vz, { request, ids: [id = 0] }) => ({
      status: 200,
      body: await vz.clinics.update(id, (await readJson(request)) as UpdateClinicInput),
    }),
  },
  {
    method: 'GET',
    path: /^\/operator\/clinics\/(\d+)\/subscriptions$/,
    handle: async (vz, { ids: [id = 0] }) => ({
      status: 200,
      body: await vz.subscriptions.history(id),
    }),
  },
  {
    method: 'POST',
    path: /^\/operator\/clinics\/(\d+)\/subscriptions\/activate$/,
    handle: async (vz, { request, ids: [clinicId = 0] }) => {
      const input = (await readJson(request)) as Omit<ActivateInput, 'clinicId'>;
      return { status: 201, body: await vz.subscriptions.activate({ ...input, clinicId }) };
    },
  },
  {
    method: 'POST',
    path: /^\/operator\/clinics\/(\d+)\/subscriptions\/renew$/,
    handle: async (vz, { request, ids: [clinicId = 0] }) => {
      const input = (await readJson(request)) as Omit<RenewInput, 'clinicId'>;
      return { status: 201, body: await vz.subscriptions.renew({ ...input, clinicId }) };
    },
  },
  {
    method: 'POST',
    path: /^\/operator\/clinics\/(\d+)\/subscriptions\/suspend$/,
    handle: async (vz, { request, ids: [clinicId = 0] }) => ({
      status: 200,
      body: await vz.subscriptions.suspend(
        clinicId,
        (await readJson(request)) as { suspendedBy: number },
      ),
    }),
  },
  {
    method: 'POST',
    path: /^\/operator\/clinics\/(\d+)\/subscriptions\/reactivate$/,
    handle: async (vz, { request, ids: [clinicId = 0] }) => ({
      status: 200,
      body: await vz.subscriptions.reactivate(
        clinicId,
        (await readJson(request)) as { reactivatedBy: number },
      ),
    }),
  },
];
