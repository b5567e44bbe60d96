/**
 * Static analysis of one code cell, before anything runs: what it imports, which top-level
 * names it declares (its outputs) and which names it reads (its inputs), as in Observable.
 * The result is plain data, so the desktop kernel can keep it per cell and decide what to
 * re-run after an edit without parsing again.
 */
import ts from 'typescript';
import { freeIdentifiers } from './free-names.ts';

/** One name a cell binds through an import declaration. */
export interface ImportBinding {
  /** The name the binding has inside the cell. */
  local: string;
  /** What is imported: an export name, `default`, or `*` for a namespace import. */
  imported: string;
  /** The module specifier as written (`weir`, `node:fs`, `./helpers.ts`). */
  specifier: string;
  /** `import type { x }` or `import { type x }`: the binding has no runtime value. */
  typeOnly: boolean;
  /** The import attributes clause as written (`with { type: 'json' }`), if any. */
  attributes?: string;
  /** 1-based line of the binding within the cell's source. */
  line: number;
  /** 1-based column of the binding within its line. */
  column: number;
}

/** How a top-level value is declared: only `let` and `var` may be reassigned by later cells. */
export type DeclarationKind = 'const' | 'let' | 'var' | 'function' | 'class' | 'enum' | 'namespace' | 'import';

/** A top-level value a cell declares. */
export interface ValueDeclaration {
  name: string;
  kind: DeclarationKind;
  /** 1-based line within the cell's source. */
  line: number;
}

/** The first place a cell assigns a name it does not bind itself. */
export interface Assignment {
  name: string;
  /** 1-based line and column within the cell's source. */
  line: number;
  column: number;
}

/**
 * What a cell binds and reads.
 *
 * @example
 * analyzeCell("import { readFileSync } from 'node:fs';\nconst { a, b: [c] } = load();\ninterface P { x: number }");
 * // imports: [{ local: 'readFileSync', imported: 'readFileSync', specifier: 'node:fs', ... }]
 * // values: ['a', 'c'], types: ['P'], references: ['load']
 */
export interface CellAnalysis {
  /** Import bindings, in source order. */
  imports: ImportBinding[];
  /** Specifiers imported only for their side effects (`import './setup.ts'`). */
  sideEffectImports: string[];
  /**
   * Top-level names with a runtime value, in source order: const/let/var (also inside
   * destructuring, and `var` in top-level blocks, which hoists), functions, classes, enums,
   * namespaces. Ambient (`declare`) names are types.
   */
  values: string[];
  /** How each of `values` is declared (the first declaration of a name, in source order). */
  declarations: ValueDeclaration[];
  /** Top-level names without a runtime value: interfaces, type aliases, ambient declarations. */
  types: string[];
  /**
   * Names the cell assigns (`x = …`, `x++`, destructuring) without binding them, at the top
   * level or in a function, and no inner scope binds: writes to an earlier cell's variable.
   */
  assignments: Assignment[];
  /** Names the cell exports itself with `export` (so the kernel does not export them twice). */
  exports: string[];
  /**
   * Names the cell reads but does not bind at its top level: inputs from earlier cells, or
   * globals. An over-approximation, since a name shadowed in an inner scope still counts.
   */
  references: string[];
}

/** Parses a cell's TypeScript and reports its imports, declarations and references. */
export function analyzeCell(source: string): CellAnalysis {
  const file = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: ImportBinding[] = [];
  const sideEffectImports: string[] = [];
  const values = new Set<string>();
  const declarations = new Map<string, ValueDeclaration>();
  const types = new Set<string>();
  const exports = new Set<string>();

  const at = (node: ts.Node): { line: number; column: number } => {
    const pos = file.getLineAndCharacterOfPosition(node.getStart(file));
    return { line: pos.line + 1, column: pos.character + 1 };
  };

  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      collectImport(statement, file, imports, sideEffectImports, at);
      continue;
    }
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) exports.add(element.name.text);
      } else if (statement.exportClause) {
        exports.add(statement.exportClause.name.text);
      }
      continue;
    }
    if (ts.isExportAssignment(statement)) {
      if (!statement.isExportEquals) exports.add('default');
      continue;
    }
    const line = file.getLineAndCharacterOfPosition(statement.getStart(file)).line + 1;
    collectDeclaration(statement, values, types, exports, (name, kind) => {
      if (!declarations.has(name)) declarations.set(name, { name, kind, line });
    });
  }

  const bound = new Set<string>([...values, ...types, ...imports.map((b) => b.local)]);
  const references = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && isReference(node) && !bound.has(node.text)) references.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(file);

  const assignments = new Map<string, Assignment>();
  for (const use of freeIdentifiers(file, bound)) {
    if (use.write && !assignments.has(use.name)) assignments.set(use.name, { name: use.name, line: use.line, column: use.column });
  }

  return {
    imports,
    sideEffectImports,
    values: [...values],
    declarations: [...values].map((name) => declarations.get(name) ?? { name, kind: 'var', line: 1 }),
    types: [...types],
    assignments: [...assignments.values()],
    exports: [...exports],
    references: [...references],
  };
}

function collectImport(
  statement: ts.ImportDeclaration,
  file: ts.SourceFile,
  imports: ImportBinding[],
  sideEffectImports: string[],
  at: (node: ts.Node) => { line: number; column: number },
): void {
  if (!ts.isStringLiteral(statement.moduleSpecifier)) return;
  const specifier = statement.moduleSpecifier.text;
  const clause = statement.importClause;
  if (!clause) {
    sideEffectImports.push(specifier);
    return;
  }
  const attributes = statement.attributes ? statement.attributes.getText(file) : undefined;
  const add = (name: ts.Identifier, imported: string, typeOnly: boolean): void => {
    const binding: ImportBinding = { local: name.text, imported, specifier, typeOnly: clause.isTypeOnly || typeOnly, ...at(name) };
    if (attributes !== undefined) binding.attributes = attributes;
    imports.push(binding);
  };
  if (clause.name) add(clause.name, 'default', false);
  const named = clause.namedBindings;
  if (named && ts.isNamespaceImport(named)) add(named.name, '*', false);
  if (named && ts.isNamedImports(named)) {
    for (const element of named.elements) add(element.name, (element.propertyName ?? element.name).text, element.isTypeOnly);
  }
}

function collectDeclaration(
  statement: ts.Statement,
  values: Set<string>,
  types: Set<string>,
  exports: Set<string>,
  declared: (name: string, kind: DeclarationKind) => void,
): void {
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  const ambient = modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
  const exported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  const target = ambient ? types : values;
  const declare = (name: string, kind: DeclarationKind): void => {
    target.add(name);
    if (!ambient) declared(name, kind);
    if (exported && !isDefault) exports.add(name);
  };
  if (exported && isDefault) exports.add('default');

  if (ts.isVariableStatement(statement)) {
    const list = statement.declarationList;
    const kind = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : list.flags & ts.NodeFlags.BlockScoped ? 'const' : 'var';
    for (const declaration of list.declarations) bindingNames(declaration.name, (name) => declare(name, kind));
  } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
    const kind = ts.isFunctionDeclaration(statement) ? 'function' : ts.isClassDeclaration(statement) ? 'class' : 'enum';
    if (statement.name) declare(statement.name.text, kind);
  } else if (ts.isModuleDeclaration(statement)) {
    if (ts.isIdentifier(statement.name)) declare(statement.name.text, 'namespace');
  } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
    types.add(statement.name.text);
    if (exported) exports.add(statement.name.text);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    declare(statement.name.text, 'import');
  } else {
    // `var` hoists out of top-level blocks, loops and try statements to the module scope.
    hoistedVars(statement, (name) => {
      values.add(name);
      declared(name, 'var');
    });
  }
}

function bindingNames(name: ts.BindingName, add: (name: string) => void): void {
  if (ts.isIdentifier(name)) {
    add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!ts.isOmittedExpression(element)) bindingNames(element.name, add);
  }
}

function hoistedVars(node: ts.Node, add: (name: string) => void): void {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
  if (ts.isVariableDeclarationList(node)) {
    if ((node.flags & ts.NodeFlags.BlockScoped) === 0) {
      for (const declaration of node.declarations) bindingNames(declaration.name, add);
    }
    return;
  }
  ts.forEachChild(node, (child) => hoistedVars(child, add));
}

/** Whether an identifier reads a binding, as opposed to naming a property, label or declaration. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === node;
  if (ts.isQualifiedName(parent)) return parent.left === node;
  if (ts.isBindingElement(parent) || ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  if (ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isMetaProperty(parent) || ts.isImportAttribute(parent)) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isAccessor(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isEnumMember(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isClassExpression(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isModuleDeclaration(parent) ||
      ts.isTypeParameterDeclaration(parent) ||
      ts.isImportEqualsDeclaration(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  return true;
}
