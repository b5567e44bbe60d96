/**
 * `UNION ALL`: the rows of every input, one stream. The inputs need as many columns, of types
 * with a common type (a column of INT and one of BIGINT give BIGINT, values cast where needed);
 * names are the first input's. The result is updating when an input is, and keeps the event-time
 * attribute when every input has it in the same column. (Flink's counterpart:
 * `StreamPhysicalUnion`.)
 */
import type { Row } from './catalog.ts';
import { castFunction } from './casts.ts';
import { SqlValidationError, type SqlPosition } from './errors.ts';
import { unify } from './functions.ts';
import { mapChanges, type PlannedTable } from './planner.ts';
import { formatType } from './types.ts';

/** The union of planned inputs (two or more), checked and cast to their common column types. */
export function planUnionAll(inputs: PlannedTable[], pos: SqlPosition): PlannedTable {
  const first = inputs[0]!;
  const width = first.schema.columns.length;
  inputs.forEach((input, k) => {
    if (input.schema.columns.length !== width) {
      throw new SqlValidationError(`UNION ALL: input ${k + 1} has ${input.schema.columns.length} columns, the first has ${width}: each input needs the same number of columns`, pos);
    }
  });
  const columns = first.schema.columns.map((c, i) => ({
    name: c.name,
    type: unify(
      inputs.map((input) => input.schema.columns[i]!.type),
      pos,
      `UNION ALL: column ${i + 1} ('${c.name}') of types ${inputs.map((input) => formatType(input.schema.columns[i]!.type)).join(', ')}`,
    ),
  }));
  const updating = inputs.find((input) => input.updating)?.updating;
  const streams = inputs.map((input) => {
    const same = input.schema.columns.every((c, i) => c.name === columns[i]!.name && formatType(c.type) === formatType(columns[i]!.type));
    if (same) return input.stream;
    const exprs = input.schema.columns.map((c, i) => {
      const target = columns[i]!.type;
      const cast = formatType(c.type) === formatType(target) ? undefined : castFunction(c.type, target, pos);
      return { type: target, eval: (row: Row) => (cast ? cast(row[c.name] ?? null) : (row[c.name] ?? null)) };
    });
    return mapChanges(
      input.stream,
      columns.map((c) => c.name),
      exprs,
      input.updating !== undefined,
    ).name('Union input');
  });
  const rowtimeAt = first.schema.columns.findIndex((c) => c.name === first.schema.rowtime);
  const keepsRowtime = rowtimeAt >= 0 && inputs.every((input) => input.schema.columns[rowtimeAt]?.name === input.schema.rowtime);
  return {
    schema: { columns, ...(keepsRowtime ? { rowtime: columns[rowtimeAt]!.name } : {}) },
    stream: streams[0]!.union(...streams.slice(1)),
    ...(updating ? { updating } : {}),
  };
}
