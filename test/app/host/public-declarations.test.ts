/**
 * The editor's declarations of `weir` are its public API: completion after `env.` offers
 * `fromCollection` and `execute`, never `addTransformation`, `buildJob` or anything `@internal`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { publicDeclarations } from '../../../app/host/public-declarations.ts';
import { typeLibraries } from '../../../app/host/type-libraries.ts';

describe('public declarations for the editor', () => {
  it('cuts @internal members, statements and namespace members, and keeps the rest as it was', () => {
    const text = [
      'export declare class Env {',
      '    /** @internal transformations in creation order */',
      '    readonly transformations: string[];',
      '    /** Runs the job. */',
      '    execute(): void;',
      '    /** @internal */',
      '    buildJob(name: string): void;',
      '}',
      '/** @internal helper */',
      'export declare function register(): void;',
      '/** Mentions internal things, but is public. */',
      'export declare const x = 1;',
      '',
    ].join('\n');
    assert.equal(publicDeclarations(text), ['export declare class Env {', '    /** Runs the job. */', '    execute(): void;', '}', '/** Mentions internal things, but is public. */', 'export declare const x = 1;', ''].join('\n'));
  });

  it('leaves completion after env. with the public API only', async () => {
    const libraries = await typeLibraries();
    const files = new Map(libraries.map((l) => [l.path.replace('file://', ''), l.content]));
    assert.ok(files.size > 10, 'the engine declarations are there');
    const cell = "import { StreamExecutionEnvironment } from 'weir';\nconst env = StreamExecutionEnvironment.create();\nenv.";
    files.set('/notebook/cell.ts', cell);
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => ['/notebook/cell.ts'],
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) => (files.has(name) ? ts.ScriptSnapshot.fromString(files.get(name)!) : undefined),
      getCurrentDirectory: () => '/notebook',
      getCompilationSettings: () => ({ module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, allowImportingTsExtensions: true, noEmit: true, types: [] }),
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (name) => files.has(name) || ts.sys.fileExists(name),
      readFile: (name) => files.get(name) ?? ts.sys.readFile(name),
    };
    const service = ts.createLanguageService(host);
    const names = new Set(service.getCompletionsAtPosition('/notebook/cell.ts', cell.length, {})?.entries.map((e) => e.name));
    for (const publicName of ['fromCollection', 'execute', 'enableCheckpointing', 'replay']) assert.ok(names.has(publicName), `${publicName} is offered: ${[...names].join(', ')}`);
    for (const internal of ['addTransformation', 'buildJob', 'transformations', 'sinks', 'localExecutionOptions', 'restartStrategy']) assert.equal(names.has(internal), false, `${internal} is not offered`);
  });
});
