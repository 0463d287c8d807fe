/**
 * Clinic routes: a clinic's front desk. No route takes a clinic id: the scope
 * comes from the caller's token (server.ts), so an owner id of another clinic
 * is simply not found (404), never read.
 */
import type {
  ClinicScope,
  NewOwner,
  NewPets,
  OwnerPatch,
  OwnerSearch,
  PageRequest,
  PetPatch,
} from '@vetalyze/db';
import { exportOwnersCsv } from './export-route.ts';
import { readJson } from './http.ts';
import { queryOf, type Route } from './router.ts';

// As in operator-routes.ts: the library's strict schemas check every body and query.
export const clinicRoutes: readonly Route<ClinicScope>[] = [
  {
    method: 'GET',
    path: /^\/owners$/,
    handle: async (clinic, { url }) => ({
      status: 200,
      body: await clinic.owners.list({ ...(queryOf(url) as PageRequest), withPetNames: true }),
    }),
  },
  {
    method: 'GET',
    path: /^\/owners\/search$/,
    handle: async (clinic, { url }) => ({
      status: 200,
      body: await clinic.owners.search(queryOf(url) as OwnerSearch),
    }),
  },
  {
    method: 'POST',
    path: /^\/owners$/,
    handle: async (clinic, { request }) => ({
      status: 201,
      body: await clinic.owners.create((await readJson(request)) as NewOwner),
    }),
  },
  {
    method: 'GET',
    path: /^\/owners\/(\d+)$/,
    handle: async (clinic, { ids: [id = 0] }) => ({
      status: 200,
      body: await clinic.owners.get(id),
    }),
  },
  {
    method: 'PATCH',
    path: /^\/owners\/(\d+)$/,
    handle: async (clinic, { request, ids: [id = 0] }) => ({
      status: 200,
      body: await clinic.owners.update(id, (await readJson(request)) as OwnerPatch),
    }),
  },
  {
    method: 'DELETE',
    path: /^\/owners\/(\d+)$/,
    handle: async (clinic, { ids: [id = 0] }) => {
      await clinic.owners.remove(id);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: /^\/owners\/(\d+)\/pets$/,
    handle: async (clinic, { request, ids: [ownerId = 0] }) => ({
      status: 201,
      body: await clinic.pets.add(ownerId, (await readJson(request)) as NewPets),
    }),
  },
  {
    method: 'GET',
    path: /^\/pets\/(\d+)$/,
    handle: async (clinic, { ids: [id = 0] }) => ({ status: 200, body: await clinic.pets.get(id) }),
  },
  {
    method: 'PATCH',
    path: /^\/pets\/(\d+)$/,
    handle: async (clinic, { request, ids: [id = 0] }) => ({
      status: 200,
      body: await clinic.pets.update(id, (await readJson(request)) as PetPatch),
    }),
  },
  {
    method: 'GET',
    path: /^\/exports\/owners\.csv$/,
    handle: async (clinic, { response }) => {
      await exportOwnersCsv(clinic, response);
      return undefined;
    },
  },
];
