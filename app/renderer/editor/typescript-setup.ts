/**
 * Configures Monaco's TypeScript service for notebooks: modules with top-level await, and the
 * `weir` API and Node's builtins as declaration files fetched from the host. Cells are checked
 * together (see notebook-typescript.ts), which sets their markers itself; Monaco's own
 * diagnostics are off, since the only TypeScript models are the notebooks' hidden documents.
 */
import type { TypeLibrary } from '../../shared/workbench/service.ts';
import { typescript } from './monaco.ts';

/**
 * Sets the compiler options and loads the declarations.
 *
 * @example
 * configureTypeScript(await service.typeLibraries());
 */
export function configureTypeScript(libraries: TypeLibrary[]): void {
  const defaults = typescript.typescriptDefaults;
  defaults.setCompilerOptions({
    target: typescript.ScriptTarget.ESNext,
    module: typescript.ModuleKind.ESNext,
    moduleResolution: typescript.ModuleResolutionKind.NodeJs,
    lib: ['esnext'],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    allowNonTsExtensions: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: ['file:///node_modules/@types'],
  });
  defaults.setDiagnosticsOptions({ noSemanticValidation: true, noSyntaxValidation: true });
  defaults.setEagerModelSync(true);
  defaults.setExtraLibs(libraries.map((lib) => ({ content: lib.content, filePath: lib.path })));
}
