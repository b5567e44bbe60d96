// Declarations for Monaco modules that ship without them.
declare module 'monaco-editor/languages/definitions/typescript/typescript.js' {
  import type { languages } from 'monaco-editor/editor/editor.api.js';
  /** TypeScript's brackets, comments and indentation rules. */
  export const conf: languages.LanguageConfiguration;
  /** TypeScript's Monarch tokenizer. */
  export const language: languages.IMonarchLanguage;
}
