import { beforeAll, describe, expect, it, vi } from 'vitest';
import { signClinicToken } from '../../examples/http-api/auth.js';
import { errorReply } from '../../examples/http-api/http.js';
import { type RunningServer, startServer } from '../../examples/http-api/server.js';
import {
  PoolExhaustedError,
  TimeoutError,
  UnavailableError,
  type Vetalyze,
} from '../../src/index.js';
import { createTestVetalyze, type TestDatabase } from '../helpers/database.js';
import {
  call,
  clinicTokenSecret,
  fillClinic,
  operatorToken,
  readRest,
  sessionsInTransaction,
  startHeldPost,
  startPausedDownload,
} from './http-helpers.js';

let vz: Vetalyze;
let database: TestDatabase;
let server: RunningServer;
let operatorId: number;
const bigClinicOwners = 30_000;

beforeAll(async () => {
  ({ vz, database } = await createTestVetalyze({
    // One export connection: a leaked one makes the next export fail (503).
    cursorPoolSize: 1,
    // A stalled export is reclaimed by the library after this without a pull;
    // set far beyond the test's waits, so only the server's own release counts.
    idleInTransactionTimeoutMs: 300_000,
    // How long the second export waits for the held one before its 503.
    connectionTimeoutMs: 3_000,
  }));
  server = await startServer({ vz, clinicTokenSecret, operatorToken });
  operatorId = (
    await vz.users.create({
      email: 'olivia@ops.example',
      fullName: 'Olivia Operator',
      role: 'platform_admin',
    })
  ).id;
  return () => server.close();
}, 300_000);

const operator = (method: string, path: string, body?: unknown) =>
  call(server.url, method, path, { token: operatorToken, body });

async function activeClinic(name: string): Promise<{ id: number; token: string }> {
  const created = await operator('POST', '/operator/clinics', {
    clinicName: name,
    countryCode: 'DE',
    ownerPhoneNumber: '+49 170 1234567',
    clinicPhoneNumber: '+49 30 1234567',
    owner: { email: `${name.toLowerCase().replaceAll(' ', '.')}@praxis.example`, fullName: name },
  });
  expect(created.status).toBe(201);
  const activated = await operator(
    'POST',
    `/operator/clinics/${created.body.id}/subscriptions/activate`,
    { subscriptionTypeId: 1, paymentMethodId: 1, activatedBy: operatorId },
  );
  expect(activated.status).toBe(201);
  return { id: created.body.id, token: signClinicToken(clinicTokenSecret, created.body.id) };
}

describe('examples/http-api: operator routes', () => {
  it('refuses a missing or wrong operator token (401)', async () => {
    expect((await call(server.url, 'GET', '/operator/clinics')).status).toBe(401);
    const wrong = await call(server.url, 'GET', '/operator/clinics', {
      token: `${operatorToken}x`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('creates, reads and lists clinics, activates and suspends a subscription', async () => {
    const clinic = await activeClinic('Praxis Operator');
    const detail = await operator('GET', `/operator/clinics/${clinic.id}`);
    expect(detail.body).toMatchObject({ id: clinic.id, status: 'active' });
    const suspended = await operator(
      'POST',
      `/operator/clinics/${clinic.id}/subscriptions/suspend`,
      { suspendedBy: operatorId },
    );
    expect(suspended.body.status).toBe('suspended');
    const history = await operator('GET', `/operator/clinics/${clinic.id}/subscriptions`);
    expect(history.body).toHaveLength(1);
    const listed = await operator('GET', '/operator/clinics?search=praxis%20operator&limit=5');
    expect(listed.body.items.map((item: { id: number }) => item.id)).toEqual([clinic.id]);
  });

  it('answers 409 for a taken email and for an illegal transition', async () => {
    const clinic = await activeClinic('Praxis Conflict');
    const again = await operator('POST', '/operator/clinics', {
      clinicName: 'Praxis Conflict 2',
      countryCode: 'DE',
      ownerPhoneNumber: '+49 170 1',
      clinicPhoneNumber: '+49 30 1',
      owner: { email: 'PRAXIS.CONFLICT@praxis.example', fullName: 'Someone' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', field: 'email' });
    const twice = await operator('POST', `/operator/clinics/${clinic.id}/subscriptions/activate`, {
      subscriptionTypeId: 1,
      paymentMethodId: 1,
      activatedBy: operatorId,
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('ILLEGAL_TRANSITION');
  });
});

describe('examples/http-api: clinic routes', () => {
  it('creates, reads, updates, lists, searches and removes owners and pets', async () => {
    const { token } = await activeClinic('Praxis Desk');
    const desk = (method: string, path: string, body?: unknown) =>
      call(server.url, method, path, { token, body });

    const created = await desk('POST', '/owners', {
      fullName: 'Jonas Klein',
      phoneNumber: '0170 7654321',
      pets: [{ name: 'Bello', petTypeId: 1 }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'O-000001', pets: [{ code: 'P-000001' }] });
    const ownerId = created.body.id;

    const added = await desk('POST', `/owners/${ownerId}/pets`, [{ name: 'Minka', petTypeId: 2 }]);
    expect(added.status).toBe(201);
    const petId = added.body[0].id;
    const pet = await desk('PATCH', `/pets/${petId}`, {
      version: added.body[0].version,
      breed: 'EKH',
    });
    expect(pet.body).toMatchObject({ id: petId, breed: 'EKH' });
    expect((await desk('GET', `/pets/${petId}`)).body.owner.id).toBe(ownerId);

    const updated = await desk('PATCH', `/owners/${ownerId}`, {
      version: created.body.version,
      email: 'jonas@example.com',
    });
    expect(updated.body).toMatchObject({ email: 'jonas@example.com' });
    expect((await desk('GET', `/owners/${ownerId}`)).body.pets).toHaveLength(2);

    const listed = await desk('GET', '/owners?limit=10');
    expect(listed.body.items).toMatchObject([{ id: ownerId, petNames: ['Bello', 'Minka'] }]);
    const found = await desk('GET', '/owners/search?phone=%2B49%20170%20765');
    expect(found.body.items.map((owner: { id: number }) => owner.id)).toEqual([ownerId]);

    expect((await desk('DELETE', `/owners/${ownerId}`)).status).toBe(204);
    expect((await desk('GET', `/owners/${ownerId}`)).status).toBe(404);
  });

  it("answers 404 when clinic A's token names clinic B's owner or pet", async () => {
    const a = await activeClinic('Praxis A');
    const b = await activeClinic('Praxis B');
    const owner = await call(server.url, 'POST', '/owners', {
      token: b.token,
      body: { fullName: 'Only In B', pets: [{ name: 'Rex', petTypeId: 1 }] },
    });
    const asA = (method: string, path: string, body?: unknown) =>
      call(server.url, method, path, { token: a.token, body });
    const read = await asA('GET', `/owners/${owner.body.id}`);
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe('NOT_FOUND');
    expect(
      (await asA('PATCH', `/owners/${owner.body.id}`, { version: 1, notes: 'x' })).status,
    ).toBe(404);
    expect((await asA('DELETE', `/owners/${owner.body.id}`)).status).toBe(404);
    expect((await asA('GET', `/pets/${owner.body.pets[0].id}`)).status).toBe(404);
    expect((await asA('GET', '/owners')).body.items).toEqual([]);
    // Still there for B.
    expect((await call(server.url, 'GET', `/owners/${owner.body.id}`, b)).status).toBe(200);
  });

  it('refuses tokens that are forged, tampered with or expired (401)', async () => {
    const a = await activeClinic('Praxis Tokens');
    const b = await activeClinic('Praxis Other');
    const [, expires, signature] = a.token.split('.');
    const tokens = [
      '',
      'not-a-token',
      signClinicToken('another-secret-of-at-least-32-characters', a.id),
      `${b.id}.${expires}.${signature}`, // A's signature on B's id
      signClinicToken(clinicTokenSecret, a.id, -1),
    ];
    for (const token of tokens) {
      const answer = await call(server.url, 'GET', '/owners', { token });
      expect(answer.status, token).toBe(401);
    }
  });

  it('refuses a clinic whose subscription is not active (403), and serves it again once reactivated', async () => {
    const clinic = await activeClinic('Praxis Suspended');
    const desk = () => call(server.url, 'GET', '/owners', clinic);
    expect((await desk()).status).toBe(200);
    await operator('POST', `/operator/clinics/${clinic.id}/subscriptions/suspend`, {
      suspendedBy: operatorId,
    });
    const refused = await desk();
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'CLINIC_NOT_ACTIVE' });
    expect(refused.body.error.message).toContain('suspended');
    await operator('POST', `/operator/clinics/${clinic.id}/subscriptions/reactivate`, {
      reactivatedBy: operatorId,
    });
    expect((await desk()).status).toBe(200);

    const unpaid = await operator('POST', '/operator/clinics', {
      clinicName: 'Praxis Unpaid',
      countryCode: 'DE',
      ownerPhoneNumber: '+49 170 2',
      clinicPhoneNumber: '+49 30 2',
      owner: { email: 'unpaid@praxis.example', fullName: 'Unpaid' },
    });
    const token = signClinicToken(clinicTokenSecret, unpaid.body.id);
    expect((await call(server.url, 'GET', '/owners', { token })).status).toBe(403);
  });

  it('answers 400 for invalid input, naming the field, and for a body that is not JSON', async () => {
    const { token } = await activeClinic('Praxis Validation');
    const empty = await call(server.url, 'POST', '/owners', { token, body: { fullName: '' } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION', issues: [{ field: 'fullName' }] });
    const unknownKey = await call(server.url, 'POST', '/owners', {
      token,
      body: { fullName: 'A', clinicId: 1 },
    });
    expect(unknownKey.status).toBe(400);
    const badLimit = await call(server.url, 'GET', '/owners?limit=many', { token });
    expect(badLimit.body.error.issues[0].field).toBe('limit');
    const notJson = await call(server.url, 'POST', '/owners', { token, rawBody: '{"fullName":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('BAD_JSON');
  });

  it('answers 409 for a stale version', async () => {
    const { token } = await activeClinic('Praxis Stale');
    const owner = await call(server.url, 'POST', '/owners', { token, body: { fullName: 'A' } });
    const patch = { version: owner.body.version, notes: 'first' };
    expect(
      (await call(server.url, 'PATCH', `/owners/${owner.body.id}`, { token, body: patch })).status,
    ).toBe(200);
    const stale = await call(server.url, 'PATCH', `/owners/${owner.body.id}`, {
      token,
      body: patch,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'CONFLICT', field: 'version' });
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    const { token } = await activeClinic('Praxis Routes');
    expect((await call(server.url, 'GET', '/nothing', { token })).status).toBe(404);
    expect((await call(server.url, 'PUT', '/owners', { token })).status).toBe(405);
  });
});

describe('examples/http-api: CSV export', () => {
  it('streams the clinic as CSV, one row per pet', async () => {
    const { token } = await activeClinic('Praxis Export');
    await call(server.url, 'POST', '/owners', {
      token,
      body: {
        fullName: 'Two Pets',
        pets: [
          { name: 'A', petTypeId: 1 },
          { name: 'B', petTypeId: 2 },
        ],
      },
    });
    await call(server.url, 'POST', '/owners', { token, body: { fullName: '=HYPERLINK()' } });
    const csv = await call(server.url, 'GET', '/exports/owners.csv', { token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (csv.body as string).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^owner_id,owner_code,owner_full_name,/);
    expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual([
      'Two Pets',
      'Two Pets',
      "'=HYPERLINK()",
    ]);
  });

  it('stops and releases its connection when the client disconnects mid-export; a second export meanwhile gets 503 with Retry-After', async () => {
    const big = await activeClinic('Praxis Big');
    await fillClinic(vz, big.id, bigClinicOwners);
    const exportUrl = new URL('/exports/owners.csv', server.url).toString();

    const download = await startPausedDownload(exportUrl, big.token);
    expect(download.response.statusCode).toBe(200);
    // Backpressure: the client reads nothing more, the export waits mid-way in its transaction.
    await vi.waitFor(async () => expect(await sessionsInTransaction(database.url)).toBe(1), {
      timeout: 30_000,
      interval: 100,
    });

    // The one export connection is held: another export waits connectionTimeoutMs, then 503.
    const second = await call(server.url, 'GET', '/exports/owners.csv', big);
    expect(second.status).toBe(503);
    expect(second.body.error.code).toBe('POOL_EXHAUSTED');
    expect(second.headers.get('retry-after')).toBe('2');
    // Seconds later the export still waits for the client: without backpressure
    // it would have read all 30,000 owners into the socket's queue by now.
    expect(await sessionsInTransaction(database.url)).toBe(1);

    download.request.destroy(); // the client goes away mid-export
    await vi.waitFor(async () => expect(await sessionsInTransaction(database.url)).toBe(0), {
      timeout: 30_000,
      interval: 100,
    });
    // The connection is back in the pool: a full export runs on it.
    const whole = await call(server.url, 'GET', '/exports/owners.csv', big);
    expect(whole.status).toBe(200);
    expect((whole.body as string).trimEnd().split('\n')).toHaveLength(bigClinicOwners + 1);
  }, 300_000);
});

describe('examples/http-api: error mapping', () => {
  it('maps unavailable, pool-exhausted and timeout errors to 503 with Retry-After', () => {
    for (const error of [
      new UnavailableError('down'),
      new PoolExhaustedError('busy'),
      new TimeoutError('slow'),
    ]) {
      const reply = errorReply(error);
      expect(reply.status, error.name).toBe(503);
      expect(reply.headers['retry-after']).toBe('2');
      expect(reply.body.error.code).toBe(error.code);
    }
    expect(errorReply(new Error('secret detail')).body.error).toEqual({
      code: 'INTERNAL',
      message: 'internal error',
    });
  });
});

describe('examples/http-api: close()', () => {
  it('answers requests in flight, cuts what is still open after drainTimeoutMs, and closes the data layer it made', async () => {
    const big = await activeClinic('Praxis Closing');
    await fillClinic(vz, big.id, 20_000);
    // A second server on the same database, owning its data layer.
    const own = await startServer({
      connectionString: database.url,
      clinicTokenSecret,
      operatorToken,
      drainTimeoutMs: 2_000,
    });
    const stuck = await startPausedDownload(`${own.url}/exports/owners.csv`, big.token);
    await vi.waitFor(async () => expect(await sessionsInTransaction(database.url)).toBe(1), {
      timeout: 30_000,
      interval: 100,
    });
    const post = await startHeldPost(`${own.url}/owners`, big.token);

    const started = performance.now();
    const closing = own.close();
    expect(own.close()).toBe(closing);
    post.send({ fullName: 'Sent While Closing' });
    const answer = await post.response;
    expect(answer.statusCode).toBe(201);
    expect(answer.headers.connection).toBe('close');
    await vi.waitFor(() => closing, { timeout: 60_000 });
    // The export that never read on was cut at the drain deadline, not waited for.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
    await expect(readRest(stuck.response)).rejects.toThrow(/aborted/);
    // Its connection went back and the server's pools are closed: nothing of it is left.
    expect(await sessionsInTransaction(database.url)).toBe(0);
    await expect(fetch(own.url)).rejects.toThrow();
  }, 300_000);
});
