import { loadModule, parseSync } from 'libpg-query';

/**
 * The single-shard rule, checked on PostgreSQL's own parse tree (libpg_query):
 * every tenant table a statement reads or writes is filtered by
 * `<alias>.clinic_id = $N`, where $N is the clinic-id parameter itself, as a
 * conjunct (under AND only, never OR/NOT) of the WHERE or JOIN ... ON of the
 * query level that names the table. `p.clinic_id = o.clinic_id` alone does not
 * count: Citus routes a statement to one shard only on the constant.
 * An INSERT into a tenant table must put the parameter into clinic_id.
 */

/** A parse-tree node: an object keyed by its node type, or a list, or a scalar. */
type Node = unknown;
type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Loads the WASM parser once. */
export async function loadParser(): Promise<void> {
  await loadModule();
}

/** `X::int` -> X. */
function unwrapCast(node: Node): Node {
  let current = node;
  while (isObj(current) && isObj(current.TypeCast)) current = current.TypeCast.arg;
  return current;
}

function paramNumber(node: Node): number | undefined {
  const inner = unwrapCast(node);
  return isObj(inner) && isObj(inner.ParamRef) ? (inner.ParamRef.number as number) : undefined;
}

/** ['p', 'clinic_id'] for `p.clinic_id`. */
function columnRef(node: Node): string[] | undefined {
  const inner = unwrapCast(node);
  if (!isObj(inner) || !isObj(inner.ColumnRef)) return undefined;
  const fields = inner.ColumnRef.fields as Obj[];
  return fields.map((field) => (isObj(field.String) ? String(field.String.sval) : '*'));
}

/** The conjuncts of a boolean expression, through AND only. */
function conjuncts(node: Node): Node[] {
  if (!isObj(node)) return [];
  const bool = node.BoolExpr;
  if (isObj(bool) && bool.boolop === 'AND_EXPR') return (bool.args as Node[]).flatMap(conjuncts);
  return [node];
}

/** `alias.clinic_id = $N` (either side) with values[N-1] the clinic id: returns the alias ('' when unqualified). */
function clinicFilterAlias(node: Node, isClinicParam: (n: number) => boolean): string | undefined {
  if (!isObj(node) || !isObj(node.A_Expr)) return undefined;
  const expr = node.A_Expr;
  const op = (expr.name as Obj[] | undefined)?.map((part) => (part.String as Obj)?.sval).join('.');
  if (expr.kind !== 'AEXPR_OP' || op !== '=') return undefined;
  for (const [column, param] of [
    [expr.lexpr, expr.rexpr],
    [expr.rexpr, expr.lexpr],
  ]) {
    const ref = columnRef(column);
    const number = paramNumber(param);
    if (!ref || number === undefined || !isClinicParam(number)) continue;
    if (ref.length === 2 && ref[1] === 'clinic_id') return ref[0];
    if (ref.length === 1 && ref[0] === 'clinic_id') return '';
  }
  return undefined;
}

interface Level {
  /** Tenant tables named at this level: alias (or table name) -> table. */
  readonly tables: Map<string, string>;
  /** The level's WHERE and every JOIN ... ON of its FROM. */
  readonly quals: Node[];
}

/** Walks a FROM list: table references and join conditions of this level. */
function collectFrom(items: Node[], level: Level, tenantTables: ReadonlySet<string>): void {
  for (const item of items) {
    if (!isObj(item)) continue;
    if (isObj(item.RangeVar)) {
      const range = item.RangeVar;
      const table = String(range.relname);
      const alias = isObj(range.alias) ? String(range.alias.aliasname) : table;
      if (tenantTables.has(table)) level.tables.set(alias, table);
    } else if (isObj(item.JoinExpr)) {
      const join = item.JoinExpr;
      collectFrom([join.larg, join.rarg], level, tenantTables);
      if (join.quals) level.quals.push(join.quals);
    }
  }
}

/** One problem per tenant table reference that is not filtered by the clinic parameter. */
function checkLevel(level: Level, isClinicParam: (n: number) => boolean, where: string): string[] {
  const filtered = new Set<string>();
  for (const qual of level.quals)
    for (const conjunct of conjuncts(qual)) {
      const alias = clinicFilterAlias(conjunct, isClinicParam);
      if (alias !== undefined) filtered.add(alias);
    }
  const problems: string[] = [];
  for (const [alias, table] of level.tables) {
    const unqualifiedOk = filtered.has('') && level.tables.size === 1;
    if (!filtered.has(alias) && !unqualifiedOk)
      problems.push(
        `${where}: ${table} ${alias} is not filtered by ${alias}.clinic_id = $<clinic id>`,
      );
  }
  return problems;
}

/** Every problem of one statement; an empty list means it stays on one shard. */
export function singleShardProblems(
  text: string,
  values: readonly unknown[],
  clinicId: number,
  tenantTables: ReadonlySet<string>,
): string[] {
  const isClinicParam = (n: number) => String(values[n - 1]) === String(clinicId);
  const problems: string[] = [];
  const visit = (node: Node, path: string): void => {
    if (Array.isArray(node)) {
      for (const [index, child] of node.entries()) visit(child, `${path}[${index}]`);
      return;
    }
    if (!isObj(node)) return;
    const level: Level = { tables: new Map(), quals: [] };
    let isLevel = false;
    if (isObj(node.SelectStmt)) {
      const select = node.SelectStmt;
      collectFrom((select.fromClause as Node[]) ?? [], level, tenantTables);
      if (select.whereClause) level.quals.push(select.whereClause);
      isLevel = true;
    } else if (isObj(node.UpdateStmt) || isObj(node.DeleteStmt)) {
      const statement = (node.UpdateStmt ?? node.DeleteStmt) as Obj;
      collectFrom(
        [
          { RangeVar: statement.relation },
          ...((statement.fromClause ?? statement.usingClause ?? []) as Node[]),
        ],
        level,
        tenantTables,
      );
      if (statement.whereClause) level.quals.push(statement.whereClause);
      isLevel = true;
    } else if (isObj(node.InsertStmt)) {
      problems.push(...checkInsert(node.InsertStmt, isClinicParam, tenantTables, path));
    }
    if (isLevel) problems.push(...checkLevel(level, isClinicParam, path));
    for (const [key, child] of Object.entries(node)) visit(child, `${path}.${key}`);
  };
  visit(parseSync(text).stmts, 'stmt');
  return problems;
}

/**
 * INSERT INTO tenant (clinic_id, ...) VALUES ($N, ...) / SELECT $N, ... (or
 * SELECT t.clinic_id ... FROM tenant t): the new rows are the clinic's.
 */
function checkInsert(
  insert: Obj,
  isClinicParam: (n: number) => boolean,
  tenantTables: ReadonlySet<string>,
  path: string,
): string[] {
  const table = String((insert.relation as Obj).relname);
  if (!tenantTables.has(table)) return [];
  const columns = ((insert.cols as Obj[]) ?? []).map((col) => String((col.ResTarget as Obj).name));
  const index = columns.indexOf('clinic_id');
  if (index < 0) return [`${path}: insert into ${table} names no clinic_id column`];
  const select = (insert.selectStmt as Obj | undefined)?.SelectStmt as Obj | undefined;
  const rows = (select?.valuesLists as Obj[] | undefined)?.map(
    (list) => (list.List as Obj).items as Node[],
  ) ?? [((select?.targetList as Obj[]) ?? []).map((target) => (target.ResTarget as Obj).val)];
  // Or `<alias>.clinic_id` of a tenant table the SELECT reads: that table's
  // own filter (checked at its level) makes it the clinic's, and Citus then
  // runs the INSERT ... SELECT on the shard.
  const from: Level = { tables: new Map(), quals: [] };
  collectFrom((select?.fromClause as Node[]) ?? [], from, tenantTables);
  const bad = rows.some((row) => {
    const column = columnRef(row[index]);
    if (column?.length === 2 && column[1] === 'clinic_id' && from.tables.has(column[0] ?? ''))
      return false;
    const number = paramNumber(row[index]);
    return number === undefined || !isClinicParam(number);
  });
  return bad ? [`${path}: insert into ${table} does not put $<clinic id> into clinic_id`] : [];
}
