/**
 * Which names each cell sees from the cells before it. A notebook reads top to bottom: a cell
 * sees every import and top-level value of the cells above it, and when two cells bind the same
 * name, the later one wins for the cells after it. Types are left out: they vanish at runtime.
 *
 * As in Jupyter, a cell may assign an earlier cell's `let` or `var` (`seen++`); the cell then
 * depends on the cells that wrote it before, and so do the cells that read it after. Assigning
 * an earlier `const`, function, class or import is an error found here, before anything runs.
 */
import type { CellAnalysis, DeclarationKind, ImportBinding } from './analyze.ts';

/** Where a name visible to a cell comes from. */
export type BindingOrigin =
  /** An import written in an earlier cell, re-imported from the same module. */
  | { kind: 'import'; cell: number; binding: ImportBinding }
  /** A top-level value declared in an earlier cell, imported from that cell's module. */
  | { kind: 'cell'; cell: number; declaration: DeclarationKind; line: number };

/** A name a cell can use without binding it itself. */
export interface VisibleBinding {
  name: string;
  origin: BindingOrigin;
}

/** What a code cell sees from earlier cells, and which of it it uses. */
export interface CellScope {
  /** Names from earlier cells the cell does not bind itself, each from the latest cell binding it. */
  visible: VisibleBinding[];
  /**
   * The visible names the cell references, with the 0-based index of the cell that provides
   * each: the edges along which an edit has to re-run later cells.
   */
  inputs: { name: string; cell: number }[];
  /** Earlier cells' `let`/`var` names the cell assigns, with the 0-based cell declaring each. */
  rebound: { name: string; cell: number }[];
  /** Assignments to earlier names that cannot be reassigned (a `const`, a function, an import). */
  invalidAssignments: InvalidAssignment[];
}

/** An assignment to a name an earlier cell binds for good. */
export interface InvalidAssignment {
  name: string;
  /** 1-based line and column of the assignment within the assigning cell. */
  line: number;
  column: number;
  /** 0-based index of the cell that binds the name, and how and on which 1-based line of it. */
  cell: number;
  declaration: DeclarationKind;
  declarationLine: number;
}

/** Whether a later cell may assign a name declared this way. */
export function isReassignable(kind: DeclarationKind): boolean {
  return kind === 'let' || kind === 'var';
}

/**
 * Resolves the scope of every code cell, in file order.
 *
 * @param analyses one entry per notebook cell, `undefined` for cells that are not code
 * @example
 * const [, second] = resolveScopes([analyzeCell('const a = 1;'), analyzeCell('a + 1;')]);
 * second.inputs; // [{ name: 'a', cell: 0 }]
 */
export function resolveScopes(analyses: readonly (CellAnalysis | undefined)[]): (CellScope | undefined)[] {
  const table = new Map<string, BindingOrigin>();
  /** The cells after a name's declaring cell that assigned it, by name. */
  const writers = new Map<string, number[]>();
  return analyses.map((analysis, cell) => {
    if (!analysis) return undefined;
    const own = new Set<string>([...analysis.values, ...analysis.types, ...analysis.imports.map((b) => b.local)]);
    const visible: VisibleBinding[] = [];
    for (const [name, origin] of table) {
      if (!own.has(name)) visible.push({ name, origin });
    }
    const referenced = new Set(analysis.references);
    const inputs = visible
      .filter((b) => referenced.has(b.name))
      .flatMap((b) => [b.origin.cell, ...(writers.get(b.name) ?? [])].map((from) => ({ name: b.name, cell: from })));

    const rebound: CellScope['rebound'] = [];
    const invalidAssignments: InvalidAssignment[] = [];
    for (const assignment of analysis.assignments) {
      const origin = table.get(assignment.name);
      if (!origin || own.has(assignment.name)) continue;
      if (origin.kind === 'cell' && isReassignable(origin.declaration)) {
        rebound.push({ name: assignment.name, cell: origin.cell });
        writers.set(assignment.name, [...(writers.get(assignment.name) ?? []), cell]);
        continue;
      }
      invalidAssignments.push({
        name: assignment.name,
        line: assignment.line,
        column: assignment.column,
        cell: origin.cell,
        declaration: origin.kind === 'cell' ? origin.declaration : 'import',
        declarationLine: origin.kind === 'cell' ? origin.line : origin.binding.line,
      });
    }

    for (const binding of analysis.imports) {
      if (!binding.typeOnly) {
        table.set(binding.local, { kind: 'import', cell, binding });
        writers.delete(binding.local);
      }
    }
    for (const { name, kind, line } of analysis.declarations) {
      table.set(name, { kind: 'cell', cell, declaration: kind, line });
      writers.delete(name);
    }
    return { visible, inputs, rebound, invalidAssignments };
  });
}
