// owners.list and owners.search (phone), contact pages: two library builds and the lean statement, side by side.
import pg from '/work/main/node_modules/pg/lib/index.js';

const url = 'postgres://postgres:postgres@127.0.0.1:35930/vetalyze_bench';
const builds = { old: '/tmp/wt-old/dist/index.js', new: '/work/main/dist/index.js' };
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const { rows: owners } = await admin.query(
  'select clinic_id, id, right(phone_digits, 4) as digits from owners tablesample system (0.3) where archived_at is null and phone_digits is not null and left(right(phone_digits, 4), 1) <> chr(48) limit 2000',
);
await admin.end();
const vzs = {};
for (const [name, path] of Object.entries(builds))
  vzs[name] = await (await import(path)).createVetalyze({
    connectionString: url,
    clinicFactsTtlMs: 86_400_000,
    validateRows: false,
    poolSize: 1,
  });
const pool = new pg.Pool({ connectionString: url, max: 1 });
const op = process.argv[2] ?? 'list';
const leanText =
  op === 'list'
    ? `select id, full_name, phone_number, email from owners where clinic_id = $1 and archived_at is null and id < $2::int8 order by id desc limit 21`
    : `select id, full_name, phone_number from owners where clinic_id = $1 and archived_at is null
       and ((phone_digits ~>=~ $2 and phone_digits ~<~ $3) or (reverse(phone_digits) ~>=~ $4 and reverse(phone_digits) ~<~ $5)) order by id desc limit 21`;
const after = (t) => t.slice(0, -1) + String.fromCharCode(t.charCodeAt(t.length - 1) + 1);
const rev = (t) => [...t].reverse().join('');
const variants = {};
for (const [name, vz] of Object.entries(vzs))
  variants[name] =
    op === 'list'
      ? (o) => vz.forClinic(o.clinic_id).owners.list({ limit: 20, columns: 'contact' })
      : (o) =>
          vz
            .forClinic(o.clinic_id)
            .owners.search({ phone: o.digits, limit: 20, columns: 'contact' });
variants.lean =
  op === 'list'
    ? (o) => pool.query({ name: 'lean', text: leanText, values: [o.clinic_id, 2147483648] })
    : (o) =>
        pool.query({
          name: 'lean',
          text: leanText,
          values: [o.clinic_id, o.digits, after(o.digits), rev(o.digits), after(rev(o.digits))],
        });
for (const f of Object.values(variants)) for (const o of owners) await f(o);
const N = 2000,
  rounds = Number(process.env.R ?? 11);
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds; r++)
  for (const [name, f] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await f(owners[(r * 7 + i) % owners.length]);
    const c = process.cpuUsage(c0);
    res[name].push([(c.user + c.system) / N, ((performance.now() - t0) * 1000) / N]);
  }
const med = (a, j) => {
  const v = a.map((x) => x[j]).sort((x, y) => x - y);
  return v[Math.floor(v.length / 2)];
};
const lean = med(res.lean, 1);
for (const [name, a] of Object.entries(res))
  console.log(
    op,
    name.padEnd(5),
    'Node CPU/call',
    med(a, 0).toFixed(1),
    'µs  wall/call',
    med(a, 1).toFixed(1),
    'µs  wall / lean',
    (med(a, 1) / lean).toFixed(3),
  );
for (const vz of Object.values(vzs)) await vz.close();
await pool.end();
