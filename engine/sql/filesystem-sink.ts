/**
 * The filesystem connector as a sink: JSON lines in a directory (one part file per subtask,
 * through `Sinks.jsonl`). Format 'json' is append-only and refuses an updating query, as Flink's
 * filesystem sink does; format 'changelog-json' (flink-cdc's changelog format) writes every
 * change with its kind, `{"data": {...}, "op": "+U"}`, so a file holds the whole changelog.
 * With a `PRIMARY KEY (k) NOT ENFORCED` the sink is an upsert sink: it writes +I, +U and -D, a
 * -U as the -D of its key (as upsert-kafka writes an update-before as a tombstone), so applying
 * the file by key keeps the latest row per key. A -U must not be dropped: when a filter after an
 * aggregate (HAVING) drops the +U that follows it, the -U is the only change that removes the row.
 * TIMESTAMP values are written as Flink's JSON format writes them ('2024-01-01 00:00:00.000').
 * (Flink's counterparts: `FileSystemTableSink` with the `json` format, and flink-cdc's
 * `ChangelogJsonFormatFactory`.)
 */
import type { DataStream } from '../api/datastream.ts';
import { Sinks } from '../api/sinks.ts';
import type { Column, Row } from './catalog.ts';
import { kindOf } from './changelog.ts';
import { option, type ConnectorTable } from './connectors.ts';
import { SqlUnsupportedError, SqlValidationError } from './errors.ts';
import type { PlannedTable } from './planner.ts';
import { formatValue, isTimestamp } from './types.ts';

const GUARANTEES = ['exactly-once', 'at-least-once', 'none'] as const;

/**
 * The error Flink gives when an append-only sink is handed an updating query.
 *
 * @example
 * updatesRefused('out', 'GroupAggregate(groupBy=[user], select=[user, COUNT(*)])')
 */
export function updatesRefused(sink: string, producer: string, hint = ''): SqlValidationError {
  return new SqlValidationError(`Table sink '${sink}' doesn't support consuming update changes which is produced by node ${producer}${hint}`);
}

/** Writes rows to the directory of a filesystem table, as JSON lines. */
export function filesystemSink(table: ConnectorTable, planned: PlannedTable, columns: Column[]): DataStream<never> {
  const path = option(table, 'path', true);
  const format = option(table, 'format', true);
  const guarantee = option(table, 'sink.delivery-guarantee') ?? 'at-least-once';
  if (!(GUARANTEES as readonly string[]).includes(guarantee)) {
    throw new SqlValidationError(`table '${table.name}': 'sink.delivery-guarantee' is one of ${GUARANTEES.join(', ')}, got '${guarantee}'`, table.pos);
  }
  const json = jsonRow(columns);
  let lines: DataStream<Row>;
  if (format === 'json') {
    if (planned.updating) throw updatesRefused(table.name, planned.updating.producer, ": write its changes with 'format' = 'changelog-json'");
    lines = planned.stream.map(json).name(`json ${table.name}`);
  } else if (format === 'changelog-json') {
    const op = table.primaryKey ? (row: Row) => (kindOf(row) === '-U' ? '-D' : kindOf(row)) : kindOf;
    lines = planned.stream.map((row: Row): Row => ({ data: json(row), op: op(row) })).name(`changelog-json ${table.name}`);
  } else {
    throw new SqlUnsupportedError(`table '${table.name}': the format '${format}' in the filesystem sink (it writes json and changelog-json)`, table.pos);
  }
  // Flink's filesystem sink writes into the directory 'path' names.
  const directory = /[\\/]$/.test(path) ? path : `${path}/`;
  return lines.sinkTo(Sinks.jsonl(directory, { semantics: guarantee as (typeof GUARANTEES)[number] })).name(`filesystem ${table.name}`);
}

/** A row as a JSON object of its columns, in order, with timestamps as text. */
function jsonRow(columns: Column[]): (row: Row) => Row {
  return (row) => {
    const out: Row = {};
    for (const c of columns) {
      const v = row[c.name] ?? null;
      out[c.name] = v !== null && isTimestamp(c.type) ? formatValue(v, c.type) : v;
    }
    return out;
  };
}
