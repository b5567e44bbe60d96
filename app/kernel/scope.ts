/**
 * Which names each cell sees from the cells before it. A notebook reads top to bottom: a cell
 * sees every import and top-level value of the cells above it, and when two cells bind the same
 * name, the later one wins for the cells after it. Types are left out: they vanish at runtime.
 */
import type { CellAnalysis, ImportBinding } from './analyze.ts';

/** Where a name visible to a cell comes from. */
export type BindingOrigin =
  /** An import written in an earlier cell, re-imported from the same module. */
  | { kind: 'import'; cell: number; binding: ImportBinding }
  /** A top-level value declared in an earlier cell, imported from that cell's module. */
  | { kind: 'cell'; cell: number };

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
  return analyses.map((analysis, cell) => {
    if (!analysis) return undefined;
    const own = new Set<string>([...analysis.values, ...analysis.types, ...analysis.imports.map((b) => b.local)]);
    const visible: VisibleBinding[] = [];
    for (const [name, origin] of table) {
      if (!own.has(name)) visible.push({ name, origin });
    }
    const referenced = new Set(analysis.references);
    const inputs = visible.filter((b) => referenced.has(b.name)).map((b) => ({ name: b.name, cell: b.origin.cell }));

    for (const binding of analysis.imports) {
      if (!binding.typeOnly) table.set(binding.local, { kind: 'import', cell, binding });
    }
    for (const name of analysis.values) table.set(name, { kind: 'cell', cell });
    return { visible, inputs };
  });
}
