/**
 * The one way the library builds a statement. Every statement has a name,
 * `<scope>.<repository>.<call>` with an optional `:<variant>`
 * (`clinic.owners.get`, `platform.clinics.list:status-country`), that ends its
 * text as the comment `/* vetalyze <name> *\/`: pg_stat_statements keeps a
 * trailing comment in the text it stores (a leading one is cut off with the
 * space before the statement), so the server's statistics group by the
 * library's operations, and a prepared statement is known to the server by
 * the same name.
 */
import { type FragmentSqlToken, type QuerySqlToken, sql } from './sql.js';

type Schema = QuerySqlToken['parser'];

/**
 * Scope, repository and call in lowerCamelCase, then an optional variant in
 * kebab-case. No spaces or `*`, so the name can never close its comment, and
 * at most 63 bytes, PostgreSQL's limit for the prepared statement's name.
 */
const namePattern = /^[a-z]+\.[a-z][A-Za-z]*\.[a-z][A-Za-z]*(:[a-z0-9]+(-[a-z0-9]+)*)?$/;
const labelPattern = /\n\/\* vetalyze ([^\s*]+) \*\/$/;

/**
 * The library's name of a statement from its text (`'clinic.owners.get'` for
 * `'select ...\n/* vetalyze clinic.owners.get *\/'`), or undefined for a
 * statement the library did not label. The part before `:` names the
 * operation; the rest, when present, the variant of it. Use it to group
 * `onQuery` events or pg_stat_statements rows by operation, prepared or not.
 */
export function statementLabel(text: string): string | undefined {
  return labelPattern.exec(text)?.[1];
}

/** `text` without its label: what the statement does, for checks such as `isReadOnly`. */
export function withoutLabel(text: string): string {
  const label = labelPattern.exec(text);
  return label ? text.slice(0, label.index) : text;
}

/** Whether a statement is a named server-side prepared statement. */
export interface StatementOptions {
  /**
   * `true`: a named prepared statement, parsed and planned once per connection
   * (the server may keep a generic plan). `false`: an unnamed statement, parsed
   * and planned on every call, so each plan sees the call's values.
   */
  readonly prepared: boolean;
}

/** Names given to {@link statement} so far: a second one would shadow the first on the server. */
const knownNames = new Set<string>();

function checkName(name: string): void {
  if (!namePattern.test(name) || Buffer.byteLength(name) > 63) {
    throw new Error(
      `statement name ${JSON.stringify(name)} is not <scope>.<repository>.<call>[:<variant>]`,
    );
  }
}

/** The text with its name as a trailing comment (the one place the label is written). */
function labelled(name: string, text: string): string {
  return `${text.trim()}\n/* vetalyze ${name} */`;
}

/** `standIn(key)` takes the place of parameter `key` while the text is rendered. */
const standInPrefix = '\u0000vetalyze parameter ';
const standInSuffix = '\u0000';
const standIn = (key: string) => `${standInPrefix}${key}${standInSuffix}`;

function parameterKey(name: string, value: unknown, position: number): string {
  const key =
    typeof value === 'string' && value.startsWith(standInPrefix) && value.endsWith(standInSuffix)
      ? value.slice(standInPrefix.length, -standInSuffix.length)
      : undefined;
  // A stand-in inside the key means two were joined (`p.a + p.b`).
  if (key !== undefined && !key.includes(standInSuffix)) return key;
  throw new Error(
    `statement ${name}: value $${position} is not one of its parameters passed as it is ` +
      '(compute values before the call, never inside the statement builder)',
  );
}

/**
 * A statement whose text is rendered ONCE, prepared or not. On first use
 * `build` runs with a stand-in for each parameter and slonik's tag renders the
 * text; every call after that only binds the values, in the order the
 * stand-ins appeared. Rendering nested fragments on every call cost about
 * 10 µs of CPU, 5% of a point read.
 *
 * `build` must interpolate each parameter as it is: a value computed from a
 * parameter, or a constant value, is refused on first use with an error that
 * names the statement. A statement whose text depends on its input is a
 * {@link dynamicStatement}.
 *
 * @param name `<scope>.<repository>.<call>[:<variant>]`, unique; it leads the
 *   text as a comment and is the prepared statement's name.
 * @example
 * const ownerById = statement('clinic.owners.get', ownerRow, { prepared: true },
 *   (p: { clinicId: number; id: number }) =>
 *     sql.fragment`select * from owners where clinic_id = ${p.clinicId} and id = ${p.id}`);
 * await db.maybeOne(ownerById({ clinicId, id }));
 */
export function statement<RowSchema extends Schema, Params extends object>(
  name: string,
  schema: RowSchema,
  options: StatementOptions,
  build: (params: Params) => FragmentSqlToken,
): (params: Params) => QuerySqlToken<RowSchema> {
  checkName(name);
  if (knownNames.has(name)) throw new Error(`statement ${name} is defined twice`);
  knownNames.add(name);
  let rendered: { token: QuerySqlToken<RowSchema>; keys: (keyof Params)[] } | undefined;
  const render = () => {
    const standIns = new Proxy({}, { get: (_target, key) => standIn(String(key)) }) as Params;
    const fragment = build(standIns);
    const typed = sql.type(schema)`${fragment}`;
    const token: QuerySqlToken<RowSchema> = Object.freeze({
      ...typed,
      sql: labelled(name, typed.sql),
      ...(options.prepared ? { name } : {}),
    });
    const keys = token.values.map(
      (value, index) => parameterKey(name, value, index + 1) as keyof Params,
    );
    return { token, keys };
  };
  return (params) => {
    rendered ??= render();
    const { token, keys } = rendered;
    return { ...token, values: keys.map((key) => params[key]) as QuerySqlToken['values'] };
  };
}

/**
 * An unnamed statement rendered on every call, for a text that depends on the
 * input (the columns a patch changes). Its name ends its text as for
 * {@link statement}; it is never prepared: under one name, a different text
 * would be refused by node-postgres. Give each use the reason its text varies.
 */
export function dynamicStatement<RowSchema extends Schema>(
  name: string,
  schema: RowSchema,
  fragment: FragmentSqlToken,
): QuerySqlToken<RowSchema> {
  checkName(name);
  const typed = sql.type(schema)`${fragment}`;
  return { ...typed, sql: labelled(name, typed.sql) };
}
