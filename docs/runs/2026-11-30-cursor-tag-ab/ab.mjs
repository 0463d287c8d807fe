import pg from '/work/main/node_modules/pg/lib/index.js';

const url = 'postgres://postgres:postgres@127.0.0.1:35930/vetalyze_bench';
const variants = {};
for (const name of process.argv.slice(2))
  variants[name] = (await import(`/work/main/dist/vz-${name}.js`)).createVetalyze;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const { rows: owners } = await admin.query(
  'select clinic_id, id from owners tablesample system (0.3) where archived_at is null limit 2000',
);
await admin.end();
const vzs = {};
for (const [name, create] of Object.entries(variants))
  vzs[name] = await create({
    connectionString: url,
    clinicFactsTtlMs: 86_400_000,
    validateRows: false,
    poolSize: 1,
  });
for (const vz of Object.values(vzs))
  for (const o of owners)
    await vz.forClinic(o.clinic_id).owners.list({ limit: 20, columns: 'contact' });
const N = 2000,
  rounds = 15;
const res = Object.fromEntries(Object.keys(vzs).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, vz] of Object.entries(vzs)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const o = owners[(r * N + i) % owners.length];
      await vz.forClinic(o.clinic_id).owners.list({ limit: 20, columns: 'contact' });
    }
    const c = process.cpuUsage(c0);
    res[name].push([(c.user + c.system) / N, ((performance.now() - t0) * 1000) / N]);
  }
}
const med = (a, j) => {
  const v = a.map((x) => x[j]).sort((x, y) => x - y);
  return v[Math.floor(v.length / 2)];
};
for (const [name, a] of Object.entries(res))
  console.log(
    name,
    'cpu/call',
    med(a, 0).toFixed(1),
    'wall/call',
    med(a, 1).toFixed(1),
    'µs (median of',
    rounds,
    'rounds of',
    N,
    ')',
  );
for (const vz of Object.values(vzs)) await vz.close();
