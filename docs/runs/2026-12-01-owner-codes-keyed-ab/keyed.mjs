import { createHash } from 'node:crypto';
import pg from '/work/main/node_modules/pg/lib/index.js';

const url = 'postgres://postgres:postgres@127.0.0.1:35930/vetalyze_bench';
const { createVetalyze } = await import('/work/main/dist/index.js');
const { createVetalyze: createOld } = await import('/tmp/wt-old/dist/index.js');
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const clinics = (await admin.query('select id from clinics order by id limit 200')).rows.map(
  (r) => r.id,
);
let ev;
const vz = await createVetalyze({
  connectionString: url,
  clinicFactsTtlMs: 86_400_000,
  validateRows: false,
  poolSize: 1,
  onQuery: (e) => {
    ev = e;
  },
});
const pool = new pg.Pool({ connectionString: url, max: 1 });
const old = await createOld({
  connectionString: url,
  clinicFactsTtlMs: 86_400_000,
  validateRows: false,
  poolSize: 1,
});
let n = 0;
const run = `${Date.now()}`;
const input = (i) => ({
  fullName: `Anna Test ${i}`,
  phoneNumber: `+1 555 01${String(i % 100).padStart(2, '0')}`,
  email: `a${i}@x.org`,
  pets: [0, 1, 2].map((j) => ({
    name: `Rex${j}`,
    petTypeId: 1,
    breed: 'Mixed',
    sex: 'male',
    birthDate: `2020-01-0${j + 1}`,
    microchip: null,
  })),
});
// capture the keyed statement text
await vz.forClinic(clinics[0]).owners.create(input(0), { idempotencyKey: `cap-${run}` });
const keyed = { name: ev.name, text: ev.sql, values: ev.values };
const keyIndexes = keyed.values.map((v, i) => (v === `cap-${run}` ? i : -1)).filter((i) => i >= 0);
const clinicIndexes = keyed.values.map((v, i) => (v === clinics[0] ? i : -1)).filter((i) => i >= 0);
const lean = `with live as (select (result ->> 'id')::int as id from idempotency_keys where clinic_id = $1 and key = $13 and expires_at > now()),
 counter as (insert into clinic_counters as k (clinic_id, last_owner_seq, last_pet_seq) select $1, 1, $2 where not exists (select from live)
   on conflict (clinic_id) do update set last_owner_seq = k.last_owner_seq + 1, last_pet_seq = k.last_pet_seq + excluded.last_pet_seq
   returning k.last_owner_seq as owner_seq, k.last_pet_seq - $2 as pet_base),
 o as (insert into owners (clinic_id, seq, full_name, phone_number, phone_digits, email) select $1, owner_seq, $3, $4, $5, $6 from counter returning id),
 p as (insert into pets (clinic_id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip)
   select $1, o.id, counter.pet_base + t.n, t.name, t.pet_type_id, t.breed, t.sex, t.birth_date, t.microchip from o, counter,
   unnest($7::text[], $8::int2[], $9::text[], $10::pet_sex[], $11::date[], $12::text[]) with ordinality as t(name, pet_type_id, breed, sex, birth_date, microchip, n)),
 saved as (insert into idempotency_keys (clinic_id, key, operation, request_hash, result, expires_at)
   select $1, $13, 'owners.create', $14, jsonb_build_object('id', id), now() + interval '1 day' from o)
 select id from o union all select id from live`;
const variants0 = {
  oldKeyed: async (c, i) =>
    (await old.forClinic(c).owners.create(input(i), { idempotencyKey: `o-${run}-${i}` })).id,
  newKeyed: async (c, i) =>
    (await vz.forClinic(c).owners.create(input(i), { idempotencyKey: `k-${run}-${i}` })).id,
  newKeyedRef: async (c, i) =>
    (
      await vz
        .forClinic(c)
        .owners.create(input(i), { idempotencyKey: `f-${run}-${i}`, returning: 'ref' })
    ).id,
  _raw: async (c, i) => {
    const values = [...keyed.values];
    for (const j of keyIndexes) values[j] = `r-${run}-${i}`;
    for (const j of clinicIndexes) values[j] = c;
    const r = await pool.query({ name: 'rk', text: keyed.text, values });
    return r.rows[0].result.id;
  },
  leanKeyed: async (c, i) => {
    const o = input(i);
    const hash = createHash('sha256').update(JSON.stringify(o)).digest();
    const r = await pool.query({
      name: 'lk',
      text: lean,
      values: [
        c,
        3,
        o.fullName,
        o.phoneNumber,
        `55501${String(i % 100).padStart(2, '0')}`,
        o.email,
        o.pets.map((p) => p.name),
        o.pets.map((p) => p.petTypeId),
        o.pets.map((p) => p.breed),
        o.pets.map((p) => p.sex),
        o.pets.map((p) => p.birthDate),
        o.pets.map((p) => p.microchip),
        `l-${run}-${i}`,
        hash,
      ],
    });
    return r.rows[0].id;
  },
};
const { _raw, ...variants } = variants0;
const cleanup = async () => {
  await admin.query(
    `delete from pets where owner_id in (select id from owners where full_name like 'Anna Test %')`,
  );
  await admin.query(`delete from owners where full_name like 'Anna Test %'`);
  await admin.query(`delete from idempotency_keys where key like '%-${run}%'`);
};
const N = Number(process.env.N ?? 300),
  rounds = Number(process.env.R ?? 9);
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++)
  for (const [name, f] of Object.entries(variants)) {
    const times = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await f(clinics[i % clinics.length], ++n);
      times.push(performance.now() - t0);
    }
    const c = process.cpuUsage(c0);
    times.sort((a, b) => a - b);
    res[name].push([(c.user + c.system) / N, times[Math.floor(N / 2)] * 1000]);
    await cleanup();
  }
const med = (a, j) => {
  const v = a.map((x) => x[j]).sort((x, y) => x - y);
  return v[Math.floor(v.length / 2)];
};
const leanP50 = med(res.leanKeyed, 1);
for (const [name, a] of Object.entries(res))
  console.log(
    'createKeyed',
    name.padEnd(10),
    'Node CPU/call',
    med(a, 0).toFixed(1),
    'µs  p50',
    med(a, 1).toFixed(1),
    'µs  p50 / lean',
    (med(a, 1) / leanP50).toFixed(3),
  );
await cleanup();
await vz.close();
await old.close();
await pool.end();
await admin.end();
