import pg from 'pg';
import { platformAdmin } from '../generate/clinic.js';

/** A plain connection with the memory an index build wants. */
export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set maintenance_work_mem = '512MB'`);
  return client;
}

/** The next free id of `sequence`, never below max(id) + 1 of `table`. */
export async function nextValue(
  client: pg.ClientBase,
  table: string | null,
  sequence: string,
): Promise<number> {
  const { rows } = await client.query<{ next: string }>(
    `select greatest(
       (select case when is_called then last_value + 1 else last_value end from ${sequence}),
       ${table ? `(select coalesce(max(id), 0) + 1 from ${table})` : '1'}) as next`,
  );
  return Number(rows[0]?.next ?? 1);
}

/** The sequence behind `table`.id (an identity column). */
export async function identitySequence(client: pg.ClientBase, table: string): Promise<string> {
  const { rows } = await client.query<{ name: string }>(
    `select pg_get_serial_sequence($1, 'id') as name`,
    [table],
  );
  const name = rows[0]?.name;
  if (!name) throw new Error(`${table}.id has no identity sequence`);
  return name;
}

/** The platform admin every generated subscription names as activator; made once. */
export async function ensureAdmin(client: pg.ClientBase): Promise<number> {
  const found = await client.query<{ id: number }>(
    'select id from users where lower(email) = lower($1)',
    [platformAdmin.email],
  );
  if (found.rows[0]) return found.rows[0].id;
  const made = await client.query<{ id: number }>(
    `insert into users (email, full_name, role) values ($1, $2, 'platform_admin') returning id`,
    [platformAdmin.email, platformAdmin.fullName],
  );
  const id = made.rows[0]?.id;
  if (id === undefined) throw new Error('the platform admin account was not created');
  return id;
}
