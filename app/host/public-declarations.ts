/**
 * The public API of a declaration file: what TypeScript's `stripInternal` leaves, done on the
 * emitted `.d.ts` text the editor is given. Declarations whose doc comment has an `@internal`
 * tag (top-level ones, and members of classes, interfaces and namespaces) are cut out, so that
 * completion after `env.` lists the API a notebook is meant to use, not the engine's plumbing
 * (`addTransformation`, `buildJob`, `transformations`, ...).
 *
 * The engine's own build keeps them: other layers of Weir use them, and `tsc -b` checks that.
 */
import ts from 'typescript';

/**
 * `text` without its `@internal` declarations.
 *
 * @example
 * publicDeclarations('declare class E {\n  /** @internal *\/\n  buildJob(): void;\n  execute(): void;\n}\n');
 * // 'declare class E {\n  execute(): void;\n}\n'
 */
export function publicDeclarations(text: string, fileName = 'file.d.ts'): string {
  if (!text.includes('@internal')) return text;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const cuts: { from: number; to: number }[] = [];
  const visitList = (nodes: readonly ts.Node[]): void => {
    for (const node of nodes) {
      if (isInternal(text, node)) {
        cuts.push({ from: node.pos, to: node.end });
        continue;
      }
      if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) visitList(node.members);
      else if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) visitList(node.body.statements);
    }
  };
  visitList(source.statements);
  let result = text;
  for (const cut of cuts.sort((a, b) => b.from - a.from)) result = result.slice(0, cut.from) + result.slice(cut.to);
  return result;
}

/** Whether the doc comment right before `node` carries `@internal` (as `stripInternal` decides). */
function isInternal(text: string, node: ts.Node): boolean {
  const comments = ts.getLeadingCommentRanges(text, node.pos);
  const last = comments?.[comments.length - 1];
  if (!last || last.kind !== ts.SyntaxKind.MultiLineCommentTrivia) return false;
  const comment = text.slice(last.pos, last.end);
  return comment.startsWith('/**') && /(^|[\s*])@internal\b/.test(comment);
}
