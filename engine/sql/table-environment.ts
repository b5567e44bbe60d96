/**
 * `StreamTableEnvironment`: Flink SQL and the Table API on a `StreamExecutionEnvironment`.
 * Statements are parsed with Flink's grammar and planned onto the environment's DataStream
 * API; `INSERT` and `SELECT` run as jobs of their own, apart from the DataStream sinks the
 * environment has pending (as in Flink, where `executeSql` submits only its own pipeline).
 * (Flink's counterpart: `StreamTableEnvironmentImpl`.)
 */
import type { DataStream } from '../api/datastream.ts';
import type { StreamExecutionEnvironment } from '../api/environment.ts';
import { Sinks } from '../api/sinks.ts';
import type { Transformation } from '../api/transformation.ts';
import type { JobClient } from '../runtime/local-executor.ts';
import type { Expr, ParsedStatement, Statement } from './ast.ts';
import { Catalog, type Column, type Row, type TableSchema } from './catalog.ts';
import { toChange, type Change } from './changelog.ts';
import { updatesRefused } from './filesystem-sink.ts';
import { SqlError, SqlValidationError, type SqlPosition } from './errors.ts';
import { compileExpr } from './expressions.ts';
import { Planner, assignWatermarks, rowScope, type PlannedTable } from './planner.ts';
import { Schema } from './schema.ts';
import { Table, TableResult, type TableRunner } from './table.ts';
import { T, isTimestamp } from './types.ts';
import { explainGraph } from './explain.ts';
import { applySetOption } from './set-options.ts';

type ParserModule = typeof import('./parser.ts');
let parser: ParserModule | undefined;

/** Loads the Flink SQL grammar (a megabyte of code) the first time a table environment is made. */
async function loadParser(): Promise<ParserModule> {
  parser ??= await import('./parser.ts');
  return parser;
}

/**
 * Runs Flink SQL and Table API programs on an execution environment.
 *
 * @example
 * const env = StreamExecutionEnvironment.create({ parallelism: 2 });
 * const tEnv = await StreamTableEnvironment.create(env);
 * tEnv.executeSql(`CREATE TABLE clicks (\`user\` STRING, url STRING, ts TIMESTAMP(3),
 *     WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
 *   WITH ('connector' = 'filesystem', 'path' = 'data/clicks.csv', 'format' = 'csv')`);
 * const perMinute = tEnv.sqlQuery(`SELECT window_start, \`user\`, COUNT(*) AS clicks
 *   FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
 *   GROUP BY window_start, window_end, \`user\``);
 * await perMinute.execute().print();
 */
export class StreamTableEnvironment implements TableRunner {
  private readonly catalog = new Catalog();
  private readonly planner: Planner;
  private jobs = 0;
  /** The options `SET` gave, in order: they apply to the environment of the jobs that follow. */
  private readonly options = new Map<string, string>();

  private constructor(
    /** The environment whose jobs run this table environment's statements. */
    readonly env: StreamExecutionEnvironment,
    /** The grammar; absent in an environment that runs statements parsed elsewhere. */
    private readonly parser: ParserModule | undefined,
  ) {
    this.planner = new Planner(env, this.catalog);
  }

  /**
   * A table environment on `env`. Asynchronous (unlike Flink's) because it loads the SQL
   * grammar on first use, so that jobs without SQL never load it.
   *
   * @example const tEnv = await StreamTableEnvironment.create(env);
   */
  static async create(env: StreamExecutionEnvironment): Promise<StreamTableEnvironment> {
    return new StreamTableEnvironment(env, await loadParser());
  }

  /**
   * @internal A table environment for statements parsed elsewhere (a `[flink-sql]` cell's, parsed
   * by the kernel): it never loads the grammar, so a taskmanager rebuilds the cell's job fast.
   */
  static forParsedStatements(env: StreamExecutionEnvironment): StreamTableEnvironment {
    return new StreamTableEnvironment(env, undefined);
  }

  private get sql(): ParserModule {
    if (!this.parser) throw new SqlError('this table environment runs parsed statements only: create one with StreamTableEnvironment.create(env)');
    return this.parser;
  }

  /**
   * Runs one statement: CREATE TABLE / VIEW and DROP TABLE at once ('SUCCESS'); INSERT INTO
   * and SELECT as a job (`await()` it; `collect()` a SELECT's rows).
   *
   * @example
   * tEnv.executeSql("CREATE TABLE out (n BIGINT) WITH ('connector' = 'print')");
   * await tEnv.executeSql('INSERT INTO out SELECT COUNT(*) FROM ...').await();
   */
  executeSql(statement: string): TableResult {
    const parsed = this.sql.parseSql(statement);
    if (parsed.length !== 1) throw new SqlValidationError(`executeSql runs one statement, got ${parsed.length}: run them one by one`);
    return this.executeStatement(parsed[0]!);
  }

  /** @internal The statements of a script, parsed (errors located in it). */
  parseStatements(sql: string): ParsedStatement[] {
    return this.sql.parseSql(sql);
  }

  /**
   * @internal Runs one parsed statement (a `[flink-sql]` cell parses its whole text at once).
   * `beside` adds sinks of its own to a SELECT's table in the same job (the cell's live table).
   */
  executeStatement(parsed: ParsedStatement, beside?: (table: PlannedTable) => void): TableResult {
    const s = parsed.statement;
    switch (s.kind) {
      case 'createTable':
        this.createTable(s);
        return new TableResult('SUCCESS', []);
      case 'createView':
        // Planned now to report errors now; planned again where it is used, as each use scans anew.
        this.planner.planQuery(s.query);
        this.catalog.register({ kind: 'view', name: s.name, query: s.query, ...(s.columns ? { columns: s.columns } : {}) }, s.ifNotExists, s.pos);
        return new TableResult('SUCCESS', []);
      case 'dropTable':
        this.catalog.drop(s.name, s.ifExists, s.pos);
        return new TableResult('SUCCESS', []);
      case 'insert':
        return this.runJob(this.jobName(`insert-into_${s.table}`), [], () => {
          this.planner.planInsert(s);
        });
      case 'query':
        return this.collect(this.planner.planQuery(s.query), beside);
      case 'set':
        return this.set(s);
      case 'explain':
        return new TableResult('SUCCESS_WITH_CONTENT', [{ name: 'result', type: T.STRING }], undefined, [{ result: this.explain(s.statement) }]);
    }
  }

  /**
   * The plan of a SELECT or INSERT, as EXPLAIN shows it: the operator tree (Flink's "Optimized
   * Physical Plan") and the chained tasks with their parallelism. Nothing runs.
   *
   * @example
   * console.log(tEnv.explainSql('SELECT `user`, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL \'1\' MINUTE)) GROUP BY window_start, window_end, `user`'));
   */
  explainSql(statement: string): string {
    const parsed = this.sql.parseSql(statement);
    const s = parsed[0]?.statement;
    if (parsed.length !== 1 || !s || (s.kind !== 'query' && s.kind !== 'insert' && s.kind !== 'explain')) {
      throw new SqlValidationError('explainSql explains one SELECT or INSERT', s?.pos);
    }
    return this.explain(s.kind === 'explain' ? s.statement : s);
  }

  /** Builds a statement's operators as `runJob` would, and describes the graph instead of running it. */
  private explain(s: Extract<Statement, { kind: 'query' | 'insert' }>): string {
    const env = this.env as unknown as { sinks: Transformation[] };
    const pending = env.sinks.splice(0);
    try {
      if (s.kind === 'insert') this.planner.planInsert(s);
      else this.planner.planQuery(s.query).stream.sinkTo(Sinks.collect<Row>());
      return explainGraph(this.env.getStreamGraph(this.jobName('explain')));
    } finally {
      env.sinks.splice(0, env.sinks.length, ...pending);
    }
  }

  /** `SET 'key' = 'value'` applies the option to the environment; `SET` alone lists the options set. */
  private set(s: Extract<Statement, { kind: 'set' }>): TableResult {
    if (s.key === undefined) {
      const rows = [...this.options].map(([key, value]) => ({ key, value }));
      return new TableResult('SUCCESS_WITH_CONTENT', [{ name: 'key', type: T.STRING }, { name: 'value', type: T.STRING }], undefined, rows);
    }
    if (s.value === undefined) throw new SqlValidationError(`SET '${s.key}' needs a value: SET '${s.key}' = '...'`, s.pos);
    applySetOption(this.env, s.key, s.value, s.pos);
    this.options.set(s.key, s.value);
    return new TableResult('SUCCESS', []);
  }

  /** A statement's job name: the session's 'pipeline.name' when SET, else what the statement does. */
  private jobName(fallback: string): string {
    return this.options.get('pipeline.name') ?? fallback;
  }

  /**
   * Plans a SELECT into a Table, without running it.
   *
   * @example
   * const big = tEnv.sqlQuery('SELECT * FROM orders WHERE amount > 100');
   * tEnv.toDataStream(big).print();
   */
  sqlQuery(query: string): Table {
    const parsed = this.sql.parseSql(query);
    const s = parsed[0]?.statement;
    if (parsed.length !== 1 || s?.kind !== 'query') throw new SqlValidationError('sqlQuery expects one SELECT; use executeSql for DDL and INSERT', s?.pos);
    return new Table(this.planner.planQuery(s.query), this);
  }

  /**
   * The table `name` (a table, view or registered stream) as a Table.
   *
   * @example tEnv.toDataStream(tEnv.from('clicks')).print()
   */
  from(name: string): Table {
    return new Table(this.planner.scan(name, { line: 1, column: 1 }), this);
  }

  /**
   * Registers a DataStream (with a schema naming its columns) or a Table as a view that SQL can
   * read. A schema's `watermark` makes its column the event-time attribute.
   *
   * @example
   * tEnv.createTemporaryView('orders', orders, Schema.newBuilder()
   *   .column('user', 'STRING').column('amount', 'DOUBLE').column('ts', 'TIMESTAMP(3)')
   *   .watermark('ts', "ts - INTERVAL '5' SECOND").build());
   * tEnv.createTemporaryView('big_orders', tEnv.sqlQuery('SELECT * FROM orders WHERE amount > 100'));
   */
  createTemporaryView(name: string, source: DataStream<any> | Table, schema?: Schema): void {
    const table = source instanceof Table ? source.planned : this.fromStream(name, source, schema);
    this.catalog.put({ kind: 'stream', name, schema: table.schema, stream: table.stream, ...(table.updating ? { updating: table.updating } : {}) });
  }

  /**
   * A DataStream as a Table, its columns named by `schema`.
   *
   * @example
   * const t = tEnv.fromDataStream(clicks, Schema.newBuilder().column('user', 'STRING').column('n', 'INT').build());
   */
  fromDataStream(stream: DataStream<any>, schema: Schema): Table {
    return new Table(this.fromStream('(DataStream)', stream, schema), this);
  }

  /**
   * A Table's rows as a DataStream of plain objects keyed by column name (TIMESTAMP values are
   * epoch milliseconds); an event-time attribute stays the records' timestamp.
   *
   * @example
   * tEnv.toDataStream(tEnv.sqlQuery('SELECT `user`, amount FROM orders')).map((r) => r.amount).print();
   */
  toDataStream(table: Table): DataStream<Row> {
    const { updating } = table.planned;
    if (updating) throw updatesRefused('*anonymous_datastream_sink*', updating.producer, ': use toChangelogStream(table)');
    return table.planned.stream;
  }

  /**
   * A Table's changes as a DataStream of `{ kind, row }`: +I, -U, +U, -D for an updating table
   * (a GROUP BY without a window, Top-N), +I only for an insert-only one.
   *
   * @example
   * tEnv.toChangelogStream(tEnv.sqlQuery('SELECT `user`, COUNT(*) AS n FROM clicks GROUP BY `user`'))
   *   .filter((c) => c.kind !== '-U').map((c) => `${c.kind} ${c.row.user}: ${c.row.n}`).print();
   */
  toChangelogStream(table: Table): DataStream<Change> {
    return table.planned.stream.map(toChange).name('ToChangelog');
  }

  /** Names of the tables and views registered so far. @example tEnv.listTables() // ['clicks', 'clicks_per_minute'] */
  listTables(): string[] {
    return this.catalog.list();
  }

  /** @internal */
  collect(table: PlannedTable, beside?: (table: PlannedTable) => void): TableResult {
    const sink = Sinks.collect<Row>();
    const build = () => {
      table.stream.sinkTo(sink);
      beside?.(table);
    };
    return this.runJob(this.jobName('collect'), table.schema.columns, build, sink.values, table.updating !== undefined);
  }

  /** @internal */
  insertInto(table: PlannedTable, target: string): TableResult {
    const view = `__insert_source_${this.jobs}`;
    this.catalog.put({ kind: 'stream', name: view, schema: table.schema, stream: table.stream, ...(table.updating ? { updating: table.updating } : {}) });
    try {
      const pos = { line: 1, column: 1 };
      const query = { kind: 'select' as const, distinct: false, items: [{ kind: 'star' as const, pos }], from: { kind: 'table' as const, name: view, pos }, pos };
      return this.runJob(this.jobName(`insert-into_${target}`), [], () => this.planner.planInsert({ kind: 'insert', table: target, query, pos }));
    } finally {
      this.catalog.drop(view, true);
    }
  }

  /**
   * Builds a statement's sinks and runs them as one job, leaving the environment's own pending
   * sinks for its next `execute()`.
   */
  private runJob(name: string, columns: Column[], build: () => void, rows?: Row[], updating = false): TableResult {
    const env = this.env as unknown as { sinks: Transformation[] };
    const pending = env.sinks.splice(0);
    let job: JobClient;
    try {
      build();
      this.jobs++;
      job = this.env.executeAsync(name);
    } finally {
      env.sinks.splice(0, env.sinks.length, ...pending);
    }
    // The caller may never await a statement it only started; its failure is reported by await().
    job.result.catch(() => {});
    return new TableResult('SUCCESS_WITH_CONTENT', columns, job, rows, updating);
  }

  private createTable(s: Extract<Statement, { kind: 'createTable' }>): void {
    const physical: Column[] = [];
    const computed: { name: string; expr: Expr }[] = [];
    const columns: Column[] = [];
    const seen = new Set<string>();
    for (const c of s.columns) {
      if (seen.has(c.name)) throw new SqlValidationError(`A column named '${c.name}' already exists in table '${s.name}'`, c.pos);
      seen.add(c.name);
      if (c.computed) computed.push({ name: c.name, expr: c.computed });
      else physical.push({ name: c.name, type: c.type! });
    }
    // Computed columns' types come from their expressions over the physical columns.
    const physicalScope = rowScope(physical, [s.name]);
    for (const c of s.columns) {
      columns.push(c.computed ? { name: c.name, type: compileExpr(c.computed, physicalScope).type } : { name: c.name, type: c.type! });
    }
    const schema: TableSchema = { columns, ...(s.watermark ? { rowtime: s.watermark.column } : {}), ...(s.primaryKey ? { primaryKey: s.primaryKey } : {}) };
    if (s.watermark) {
      const rowtime = columns.find((c) => c.name === s.watermark!.column);
      if (!rowtime) throw new SqlValidationError(`The rowtime attribute field '${s.watermark.column}' is not defined in the table schema`, s.watermark.pos);
      if (!isTimestamp(rowtime.type)) throw new SqlValidationError(`The rowtime attribute '${rowtime.name}' must be TIMESTAMP or TIMESTAMP_LTZ`, s.watermark.pos);
      compileExpr(s.watermark.expr, rowScope(columns, [s.name]));
    }
    if (s.primaryKey) checkPrimaryKey(s.primaryKey, columns, physical, s.pos);
    this.catalog.register(
      {
        kind: 'connector',
        name: s.name,
        schema,
        physical,
        computed,
        ...(s.watermark ? { watermark: { column: s.watermark.column, expr: s.watermark.expr } } : {}),
        ...(s.primaryKey ? { primaryKey: s.primaryKey } : {}),
        options: s.options,
        pos: s.pos,
      },
      s.ifNotExists,
      s.pos,
    );
  }

  /** A DataStream's records as rows of `schema`: named fields picked, Dates as epoch ms, metadata from the record. */
  private fromStream(name: string, stream: DataStream<any>, schema: Schema | undefined): PlannedTable {
    if (!schema) throw new SqlValidationError(`createTemporaryView('${name}', stream): give a Schema naming the columns (Weir cannot see a stream's record type)`);
    const columns = schema.columns.map((c) => ({ name: c.name, type: c.type }));
    const fields = schema.columns;
    let rows = stream
      .process<Row>({
        processElement(record, ctx, out) {
          const row: Row = {};
          for (const f of fields) {
            const v = f.metadata ? ctx.timestamp() : record?.[f.name];
            row[f.name] = v instanceof Date ? v.getTime() : (v ?? null);
          }
          out.collect(row);
        },
      })
      .name(`Table ${name}`);
    const wm = schema.watermark;
    if (!wm) return { schema: { columns }, stream: rows };
    if (!columns.some((c) => c.name === wm.column)) throw new SqlValidationError(`watermark column '${wm.column}' of '${name}' is not in its schema`);
    if (wm.expression.replace(/\s+/g, '').toUpperCase() !== 'SOURCE_WATERMARK()') {
      rows = assignWatermarks(rows, name, { columns }, { column: wm.column, expr: this.sql.parseExpression(wm.expression) });
    } else if (!fields.find((f) => f.name === wm.column)?.metadata) {
      throw new SqlError(`SOURCE_WATERMARK() of '${name}' needs its column '${wm.column}' to be the record timestamp: columnByMetadata('${wm.column}', 'TIMESTAMP_LTZ(3)')`);
    }
    return { schema: { columns, rowtime: wm.column }, stream: rows };
  }
}

/** Flink's checks of `PRIMARY KEY (...) NOT ENFORCED`: each key column is a physical column of the table. */
function checkPrimaryKey(key: string[], columns: Column[], physical: Column[], pos: SqlPosition): void {
  const name = `PK_${key.join('_')}`;
  for (const k of key) {
    if (!columns.some((c) => c.name === k)) throw new SqlValidationError(`Invalid primary key '${name}'. Column '${k}' does not exist.`, pos);
    if (!physical.some((c) => c.name === k)) throw new SqlValidationError(`Invalid primary key '${name}'. Column '${k}' is not a physical column.`, pos);
  }
}
