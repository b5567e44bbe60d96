/**
 * Where a cell uses names it does not bind: each occurrence of an identifier that refers to a
 * binding outside the cell (an earlier cell's value, or a global), with inner scopes taken into
 * account, so `function f(seen) { seen++ }` does not count as a use of an earlier `seen`.
 * The kernel rewrites such occurrences when a cell reassigns an earlier cell's `let`/`var`.
 */
import ts from 'typescript';

/** One occurrence of a free name in a cell's source. */
export interface FreeIdentifier {
  name: string;
  /** Offsets of the identifier in the cell's source. */
  start: number;
  end: number;
  /** 1-based line and column within the cell's source. */
  line: number;
  column: number;
  /** The occurrence is assigned to (`x = …`, `x++`, `x += …`, `[x] = …`, `for (x of …)`). */
  write: boolean;
  /** The occurrence is a shorthand property (`{ x }`): a rewrite has to spell out `x: …`. */
  shorthand: boolean;
}

/**
 * The occurrences of names that neither the cell's top level (`topLevel`) nor an inner scope
 * around the occurrence binds. Type positions are left out: they vanish at runtime.
 *
 * @example
 * const file = ts.createSourceFile('cell.ts', 'seen++; function f(seen: number) { return seen; }', ts.ScriptTarget.Latest, true);
 * freeIdentifiers(file, new Set(['f'])); // [{ name: 'seen', write: true, line: 1, column: 1, ... }]
 */
export function freeIdentifiers(file: ts.SourceFile, topLevel: ReadonlySet<string>): FreeIdentifier[] {
  const found: FreeIdentifier[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isIdentifier(node) && !topLevel.has(node.text) && isValueReference(node) && !boundAround(node)) {
      const start = node.getStart(file);
      const pos = file.getLineAndCharacterOfPosition(start);
      found.push({
        name: node.text,
        start,
        end: node.getEnd(),
        line: pos.line + 1,
        column: pos.character + 1,
        write: isAssignmentTarget(node),
        shorthand: ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Whether an identifier reads or writes a binding (not a property name, label, declaration or type). */
function isValueReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPartOfTypeNode(node)) return false;
  if (ts.isPropertyAccessExpression(parent)) return parent.expression === node;
  if (ts.isQualifiedName(parent)) return false;
  if (ts.isShorthandPropertyAssignment(parent)) return parent.name === node;
  if (ts.isBindingElement(parent)) return parent.initializer === node;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if (ts.isMetaProperty(parent) || ts.isImportAttribute(parent) || ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isJsxAttribute(parent) || ts.isNamespaceExport(parent) || ts.isExternalModuleReference(parent)) return false;
  const named = parent as ts.Node & { name?: ts.Node };
  if (named.name === node && !ts.isShorthandPropertyAssignment(parent)) return false;
  return true;
}

/** Whether an inner scope around `node` declares its name. */
function boundAround(node: ts.Identifier): boolean {
  const name = node.text;
  for (let scope: ts.Node = node.parent; !ts.isSourceFile(scope); scope = scope.parent) {
    if (declaresInScope(scope, name)) return true;
  }
  return false;
}

function declaresInScope(scope: ts.Node, name: string): boolean {
  let found = false;
  const add = (bound: string): void => {
    if (bound === name) found = true;
  };
  if (ts.isFunctionLike(scope)) {
    for (const parameter of scope.parameters) bindingNames(parameter.name, add);
    if (ts.isFunctionExpression(scope) && scope.name) add(scope.name.text);
    const body = (scope as ts.FunctionLikeDeclarationBase).body;
    if (body && ts.isBlock(body)) body.statements.forEach((statement) => hoistedVars(statement, add));
  } else if (ts.isClassExpression(scope) && scope.name) {
    add(scope.name.text);
  } else if (ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseBlock(scope)) {
    const statements = ts.isCaseBlock(scope) ? scope.clauses.flatMap((clause) => [...clause.statements]) : scope.statements;
    for (const statement of statements) lexicalNames(statement, add);
  } else if (ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) {
    const init = scope.initializer;
    if (init && ts.isVariableDeclarationList(init)) init.declarations.forEach((d) => bindingNames(d.name, add));
  } else if (ts.isCatchClause(scope) && scope.variableDeclaration) {
    bindingNames(scope.variableDeclaration.name, add);
  }
  return found;
}

/** Names a statement binds in its block: let/const/var, functions, classes, enums. */
function lexicalNames(statement: ts.Statement, add: (name: string) => void): void {
  if (ts.isVariableStatement(statement)) {
    statement.declarationList.declarations.forEach((d) => bindingNames(d.name, add));
  } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) && statement.name) {
    add(statement.name.text);
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

/** `var` declarations anywhere in a function body except nested functions and classes. */
function hoistedVars(node: ts.Node, add: (name: string) => void): void {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
  if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === 0) {
    node.declarations.forEach((d) => bindingNames(d.name, add));
  }
  ts.forEachChild(node, (child) => hoistedVars(child, add));
}

/** Whether an identifier is written: the target of an assignment, update or for-in/of, also inside a destructuring pattern. */
function isAssignmentTarget(node: ts.Identifier): boolean {
  let current: ts.Node = node;
  // `[x = 1]` assigns x whether or not the literal turns out to be a pattern.
  let defaulted = false;
  for (;;) {
    const parent: ts.Node = current.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) {
      current = parent;
    } else if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
      return parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken;
    } else if (ts.isBinaryExpression(parent)) {
      if (parent.left !== current || !isAssignmentOperator(parent.operatorToken.kind)) return defaulted;
      // `[x = 1] = …`: a default inside a pattern; the pattern decides.
      if (parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && isPatternPart(parent.parent)) {
        defaulted = true;
        current = parent;
        continue;
      }
      return true;
    } else if (ts.isForInStatement(parent) || ts.isForOfStatement(parent)) {
      return parent.initializer === current || defaulted;
    } else if (ts.isShorthandPropertyAssignment(parent) || ts.isPropertyAssignment(parent) || ts.isSpreadAssignment(parent) || ts.isSpreadElement(parent)) {
      if (ts.isPropertyAssignment(parent) && parent.initializer !== current) return defaulted;
      current = parent.parent;
      if (!isPatternPart(current)) return defaulted;
    } else if (ts.isArrayLiteralExpression(parent)) {
      current = parent;
    } else {
      return defaulted;
    }
  }
}

function isPatternPart(node: ts.Node): boolean {
  return ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node) || ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node) || ts.isSpreadElement(node) || ts.isSpreadAssignment(node);
}

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}
