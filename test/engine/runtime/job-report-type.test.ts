/**
 * `JobReport` (engine/runtime/host.ts) is typed all the way down, for both adapters alike: no
 * field, at any depth, is `unknown` or `any`, so that the workbench reads checkpoints, restarts
 * and operators as they are instead of re-parsing them by duck typing (issue 11: its checkpoints
 * were `unknown[]`). Read with the TypeScript checker over the real declaration. The one
 * exception is `collected`: the records of `Sinks.collect()` sinks, whose type only the sink
 * knows (its `values` is typed).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const hostFile = path.join(root, 'engine/runtime/host.ts');
/** Paths whose values are the user's own records. */
const USER_RECORDS = new Set(['JobReport.collected']);

/** Every path below `type` whose type is `unknown` or `any`. */
function untypedPaths(checker: ts.TypeChecker, type: ts.Type, at: string, seen: Set<ts.Type>, out: string[]): void {
  if (USER_RECORDS.has(at)) return;
  if (type.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) {
    out.push(`${at}: ${checker.typeToString(type)}`);
    return;
  }
  if (seen.has(type)) return;
  seen.add(type);
  if (type.isUnion() || type.isIntersection()) {
    for (const t of type.types) untypedPaths(checker, t, at, seen, out);
    return;
  }
  if (checker.isArrayType(type)) {
    untypedPaths(checker, checker.getTypeArguments(type as ts.TypeReference)[0]!, `${at}[]`, seen, out);
    return;
  }
  if (!(type.flags & ts.TypeFlags.Object)) return;
  const index = checker.getIndexInfosOfType(type);
  for (const info of index) untypedPaths(checker, info.type, `${at}[key]`, seen, out);
  for (const p of checker.getPropertiesOfType(type)) {
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (!decl) continue;
    // Methods are behaviour, not report data.
    if (ts.isMethodSignature(decl) || ts.isMethodDeclaration(decl)) continue;
    untypedPaths(checker, checker.getTypeOfSymbolAtLocation(p, decl), `${at}.${p.name}`, seen, out);
  }
}

describe('JobReport', () => {
  it('has no unknown or any at any depth (but the user records of collect sinks)', { timeout: 120_000 }, () => {
    const program = ts.createProgram([hostFile], { strict: true, noEmit: true, allowImportingTsExtensions: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(hostFile)!;
    const decl = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'JobReport');
    assert.ok(decl, 'engine/runtime/host.ts declares JobReport');
    const type = checker.getTypeAtLocation(decl.name);
    const found: string[] = [];
    untypedPaths(checker, type, 'JobReport', new Set(), found);
    assert.deepEqual(found, []);
    // The walk reached the nested reports it guards (a walk that stopped early would pass anything).
    const names = checker.getPropertiesOfType(type).map((p) => p.name);
    for (const field of ['checkpoints', 'operators', 'restartCauses']) assert.ok(names.includes(field), `JobReport.${field}`);
  });
});
