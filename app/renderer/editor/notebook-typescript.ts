/**
 * TypeScript for notebook cells. Each cell has its own editor model, but the kernel scopes cells
 * like one file read top to bottom, so the TypeScript service works on a hidden model that joins
 * the code cells (see cell-scope.ts). Completion, hover, signature help and diagnostics are
 * asked of that model at the mapped offset, and the answers are mapped back to the cell.
 *
 * Cell models use the language `weir-ts` (TypeScript's colouring, none of Monaco's TypeScript
 * providers, which would treat each cell as a separate file).
 */
import type { CellSpan } from './cell-scope.ts';
import { cellAt, joinCells, NOTEBOOK_IGNORED_DIAGNOSTICS } from './cell-scope.ts';
import { monaco, typescript } from './monaco.ts';
import { conf, language } from 'monaco-editor/languages/definitions/typescript/typescript.js';

/** The language id of code cells. */
export const CELL_LANGUAGE = 'weir-ts';

type Worker = Awaited<ReturnType<Awaited<ReturnType<typeof typescript.getTypeScriptWorker>>>>;

interface DisplayPart {
  text: string;
}

/** The document of one open notebook. */
export class NotebookTypeScript {
  private static readonly open = new Set<NotebookTypeScript>();
  private readonly hidden: monaco.editor.ITextModel;
  private cells: { id: string; model: monaco.editor.ITextModel }[] = [];
  private spans: CellSpan[] = [];
  private stale = true;
  private diagnosticsTimer: ReturnType<typeof setTimeout> | undefined;
  private diagnosticsRun = 0;

  constructor(name: string) {
    const uri = monaco.Uri.parse(`file:///notebook/__${name.replace(/[^\w.-]/g, '_')}__.ts`);
    monaco.editor.getModel(uri)?.dispose();
    this.hidden = monaco.editor.createModel('', 'typescript', uri);
    NotebookTypeScript.open.add(this);
  }

  /** The code cells in notebook order (call after cells are added, removed or moved). */
  setCells(cells: { id: string; model: monaco.editor.ITextModel }[]): void {
    this.cells = cells;
    this.invalidate();
  }

  /** A cell's text changed. */
  invalidate(): void {
    if (this.hidden.isDisposed()) return;
    this.stale = true;
    if (this.diagnosticsTimer) clearTimeout(this.diagnosticsTimer);
    this.diagnosticsTimer = setTimeout(() => void this.diagnose(), 400);
  }

  dispose(): void {
    if (this.diagnosticsTimer) clearTimeout(this.diagnosticsTimer);
    NotebookTypeScript.open.delete(this);
    for (const cell of this.cells) if (!cell.model.isDisposed()) monaco.editor.setModelMarkers(cell.model, 'weir-ts', []);
    this.hidden.dispose();
  }

  /** The notebook document owning a cell model, with the cell's span. */
  static owner(model: monaco.editor.ITextModel): { notebook: NotebookTypeScript; id: string } | undefined {
    for (const notebook of NotebookTypeScript.open) {
      const cell = notebook.cells.find((c) => c.model === model);
      if (cell) return { notebook, id: cell.id };
    }
    return undefined;
  }

  /** Brings the hidden model up to date and returns the span of a cell. */
  span(id: string): CellSpan | undefined {
    if (this.stale) {
      const joined = joinCells(this.cells.filter((c) => !c.model.isDisposed()).map((c) => ({ id: c.id, source: c.model.getValue() })));
      if (this.hidden.getValue() !== joined.text) this.hidden.setValue(joined.text);
      this.spans = joined.spans;
      this.stale = false;
    }
    return this.spans.find((s) => s.id === id);
  }

  get uri(): monaco.Uri {
    return this.hidden.uri;
  }

  async worker(): Promise<Worker> {
    const get = await typescript.getTypeScriptWorker();
    return get(this.hidden.uri);
  }

  /** Computes diagnostics for the whole notebook and shows each under its cell. */
  private async diagnose(): Promise<void> {
    const run = ++this.diagnosticsRun;
    if (this.hidden.isDisposed()) return;
    this.span('');
    const file = this.hidden.uri.toString();
    const diagnostics = await this.worker()
      .then((worker) => Promise.all([worker.getSyntacticDiagnostics(file), worker.getSemanticDiagnostics(file)]))
      .catch((error: unknown) => {
        // The notebook was closed while the worker computed: it no longer has the document.
        if (this.hidden.isDisposed()) return undefined;
        throw error;
      });
    if (!diagnostics || run !== this.diagnosticsRun || this.hidden.isDisposed()) return;
    const [syntactic, semantic] = diagnostics;
    const markers = new Map<string, monaco.editor.IMarkerData[]>(this.cells.map((c) => [c.id, []]));
    for (const d of [...syntactic, ...semantic]) {
      if (NOTEBOOK_IGNORED_DIAGNOSTICS.has(d.code) || d.start === undefined) continue;
      const at = cellAt(this.spans, d.start);
      const cell = at && this.cells.find((c) => c.id === at.span.id);
      if (!at || !cell) continue;
      const start = cell.model.getPositionAt(at.offset);
      const end = cell.model.getPositionAt(at.offset + (d.length ?? 1));
      markers.get(cell.id)!.push({
        severity: d.category === 1 ? monaco.MarkerSeverity.Error : d.category === 0 ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info,
        message: flatten(d.messageText),
        code: String(d.code),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      });
    }
    for (const cell of this.cells) if (!cell.model.isDisposed()) monaco.editor.setModelMarkers(cell.model, 'weir-ts', markers.get(cell.id) ?? []);
  }
}

/** A request at a position of a cell model, mapped into its notebook document. */
async function mapped(model: monaco.editor.ITextModel, position: monaco.IPosition) {
  const owner = NotebookTypeScript.owner(model);
  const span = owner?.notebook.span(owner.id);
  if (!owner || !span) return undefined;
  const worker = await owner.notebook.worker();
  return { worker, file: owner.notebook.uri.toString(), offset: span.start + model.getOffsetAt(position), span };
}

/** A range of the cell model for a span of the document. */
function rangeIn(model: monaco.editor.ITextModel, span: CellSpan, start: number, length: number): monaco.IRange {
  const from = model.getPositionAt(start - span.start);
  const to = model.getPositionAt(start - span.start + length);
  return { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: to.lineNumber, endColumn: to.column };
}

/** Registers the `weir-ts` language and its providers (once). */
export function registerCellLanguage(): void {
  if (monaco.languages.getLanguages().some((l) => l.id === CELL_LANGUAGE)) return;
  monaco.languages.register({ id: CELL_LANGUAGE, aliases: ['TypeScript (notebook cell)'] });
  monaco.languages.setLanguageConfiguration(CELL_LANGUAGE, conf);
  monaco.languages.setMonarchTokensProvider(CELL_LANGUAGE, language);

  monaco.languages.registerCompletionItemProvider(CELL_LANGUAGE, {
    triggerCharacters: ['.', '"', "'", '`', '/', '@', '<'],
    async provideCompletionItems(model, position) {
      const at = await mapped(model, position);
      if (!at || model.isDisposed()) return undefined;
      const info = await at.worker.getCompletionsAtPosition(at.file, at.offset);
      if (!info || model.isDisposed()) return undefined;
      const word = model.getWordUntilPosition(position);
      const wordRange = { startLineNumber: position.lineNumber, startColumn: word.startColumn, endLineNumber: position.lineNumber, endColumn: word.endColumn };
      return {
        suggestions: (info.entries as { name: string; kind: string; sortText: string; insertText?: string; kindModifiers?: string; replacementSpan?: { start: number; length: number } }[]).map((entry) => ({
          label: entry.name,
          insertText: entry.insertText ?? entry.name,
          sortText: entry.sortText,
          kind: completionKind(entry.kind),
          range: entry.replacementSpan ? rangeIn(model, at.span, entry.replacementSpan.start, entry.replacementSpan.length) : wordRange,
          tags: entry.kindModifiers?.includes('deprecated') ? [monaco.languages.CompletionItemTag.Deprecated] : [],
          // Remembered for resolveCompletionItem.
          weir: { file: at.file, offset: at.offset, notebook: at.worker },
        })),
      };
    },
    async resolveCompletionItem(item) {
      const context = (item as unknown as { weir?: { file: string; offset: number; notebook: Worker } }).weir;
      if (!context) return item;
      const label = typeof item.label === 'string' ? item.label : item.label.label;
      const details = await context.notebook.getCompletionEntryDetails(context.file, context.offset, label);
      if (!details) return item;
      return { ...item, detail: parts(details.displayParts), documentation: { value: documentation(details) } };
    },
  });

  monaco.languages.registerHoverProvider(CELL_LANGUAGE, {
    async provideHover(model, position) {
      const at = await mapped(model, position);
      if (!at || model.isDisposed()) return undefined;
      const info = await at.worker.getQuickInfoAtPosition(at.file, at.offset);
      if (!info || model.isDisposed()) return undefined;
      const contents = [{ value: `\`\`\`typescript\n${parts(info.displayParts)}\n\`\`\`` }];
      const docs = documentation(info);
      if (docs) contents.push({ value: docs });
      return { range: rangeIn(model, at.span, info.textSpan.start, info.textSpan.length), contents };
    },
  });

  monaco.languages.registerSignatureHelpProvider(CELL_LANGUAGE, {
    signatureHelpTriggerCharacters: ['(', ','],
    async provideSignatureHelp(model, position) {
      const at = await mapped(model, position);
      if (!at || model.isDisposed()) return undefined;
      const info = await at.worker.getSignatureHelpItems(at.file, at.offset, { triggerReason: { kind: 'invoked' } });
      if (!info || model.isDisposed()) return undefined;
      return {
        value: {
          activeSignature: info.selectedItemIndex,
          activeParameter: info.argumentIndex,
          signatures: (info.items as { prefixDisplayParts: DisplayPart[]; suffixDisplayParts: DisplayPart[]; separatorDisplayParts: DisplayPart[]; parameters: { displayParts: DisplayPart[]; documentation: DisplayPart[] }[]; documentation: DisplayPart[] }[]).map((item) => ({
            label: parts(item.prefixDisplayParts) + item.parameters.map((p) => parts(p.displayParts)).join(parts(item.separatorDisplayParts)) + parts(item.suffixDisplayParts),
            documentation: { value: parts(item.documentation) },
            parameters: item.parameters.map((p) => ({ label: parts(p.displayParts), documentation: { value: parts(p.documentation) } })),
          })),
        },
        dispose() {},
      };
    },
  });
}

function parts(displayParts: DisplayPart[] | undefined): string {
  return (displayParts ?? []).map((p) => p.text).join('');
}

function documentation(details: { documentation?: DisplayPart[]; tags?: { name: string; text?: DisplayPart[] | string }[] }): string {
  let text = parts(details.documentation);
  for (const tag of details.tags ?? []) {
    const body = Array.isArray(tag.text) ? parts(tag.text) : (tag.text ?? '');
    text += `\n\n*@${tag.name}*${body ? ` — ${tag.name === 'example' ? `\n\`\`\`ts\n${body}\n\`\`\`` : body}` : ''}`;
  }
  return text;
}

function flatten(message: string | { messageText: string; next?: unknown[] }): string {
  if (typeof message === 'string') return message;
  const next = (message.next ?? []) as (string | { messageText: string; next?: unknown[] })[];
  return [message.messageText, ...next.map((m) => `  ${flatten(m)}`)].join('\n');
}

function completionKind(kind: string): monaco.languages.CompletionItemKind {
  const k = monaco.languages.CompletionItemKind;
  switch (kind) {
    case 'primitive type':
    case 'keyword':
      return k.Keyword;
    case 'var':
    case 'local var':
    case 'let':
    case 'const':
    case 'local let':
    case 'local const':
    case 'parameter':
      return k.Variable;
    case 'property':
    case 'getter':
    case 'setter':
      return k.Field;
    case 'function':
    case 'local function':
    case 'method':
    case 'construct':
    case 'call':
    case 'index':
      return k.Function;
    case 'enum':
      return k.Enum;
    case 'module':
    case 'external module name':
      return k.Module;
    case 'class':
    case 'local class':
      return k.Class;
    case 'interface':
      return k.Interface;
    case 'type':
      return k.TypeParameter;
    case 'alias':
      return k.Reference;
  }
  return k.Property;
}
