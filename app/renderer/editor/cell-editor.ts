/**
 * A cell's editor. The text model exists from the start (the TypeScript service sees every
 * cell), but the Monaco editor widget is only created when the cell scrolls into view or is
 * clicked: a 50-cell notebook then opens with a handful of editors, and a plain preview of the
 * same size and font stands in for the rest.
 */
import type { CellKind } from '../../shared/notebook/model.ts';
import { h } from '../dom.ts';
import { monaco } from './monaco.ts';
import { CELL_LANGUAGE, registerCellLanguage } from './notebook-typescript.ts';

/** Line height of editors and previews, px; must match `.code-preview` in styles.css. */
export const LINE_HEIGHT = 19;
/** Vertical padding inside an editor, px. */
const PADDING = 6;

/** What a cell editor reports. */
export interface CellEditorHooks {
  onChange(source: string): void;
  /** Shift+Enter (`advance`) or Ctrl/Cmd+Enter. */
  onRun(advance: boolean): void;
  onSave(): void;
  /** Focus left the editor (markdown cells render again). */
  onBlur?(): void;
}

/** The language of each cell kind. */
export function languageOf(kind: CellKind): string {
  return kind === 'code' ? CELL_LANGUAGE : kind === 'sql' || kind === 'flink-sql' ? 'sql' : 'markdown';
}

const observer = typeof IntersectionObserver === 'undefined' ? undefined : new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) (entry.target as HTMLElement & { mountEditor?: () => void }).mountEditor?.();
    }
  },
  { rootMargin: '600px 0px' },
);

/**
 * @example
 * const editor = new CellEditor('c2', 'code', 'const x = 1;', 'Cell 2', hooks);
 * container.append(editor.element);
 */
export class CellEditor {
  readonly element: HTMLElement & { mountEditor?: () => void };
  readonly model: monaco.editor.ITextModel;
  private editor: monaco.editor.IStandaloneCodeEditor | undefined;
  private readonly preview: HTMLElement;
  private settingValue = false;

  constructor(
    readonly cellId: string,
    kind: CellKind,
    source: string,
    private readonly label: string,
    private readonly hooks: CellEditorHooks,
  ) {
    // Not `.ts`: the TypeScript service must not take a cell for a file of its own.
    const uri = monaco.Uri.parse(`file:///notebook/cells/${cellId}.${kind === 'code' ? 'cell' : kind === 'sql' || kind === 'flink-sql' ? 'sql' : 'md'}`);
    monaco.editor.getModel(uri)?.dispose();
    registerCellLanguage();
    this.model = monaco.editor.createModel(source, languageOf(kind), uri);
    this.model.onDidChangeContent(() => {
      if (!this.settingValue) this.hooks.onChange(this.model.getValue());
      if (!this.editor) this.renderPreview();
    });
    this.preview = h('pre', { class: 'code-preview', tabindex: 0, role: 'textbox', 'aria-label': label, 'aria-readonly': 'false' });
    this.preview.addEventListener('mousedown', (e) => {
      e.preventDefault();
      this.mount();
      this.focus();
    });
    this.preview.addEventListener('focus', () => {
      this.mount();
      this.focus();
    });
    this.element = h('div', { class: 'cell-editor' }, this.preview);
    this.element.mountEditor = () => this.mount();
    this.renderPreview();
    observer?.observe(this.element);
  }

  get mounted(): boolean {
    return this.editor !== undefined;
  }

  /** Creates the Monaco editor in place of the preview (once). */
  mount(): void {
    if (this.editor) return;
    observer?.unobserve(this.element);
    const editor = monaco.editor.create(this.element, {
      model: this.model,
      ariaLabel: this.label,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      automaticLayout: false,
      fontSize: 13,
      lineHeight: LINE_HEIGHT,
      lineNumbersMinChars: 3,
      lineDecorationsWidth: 8,
      glyphMargin: false,
      folding: false,
      renderLineHighlight: 'none',
      overviewRulerLanes: 0,
      hideCursorInOverviewRuler: true,
      overviewRulerBorder: false,
      fixedOverflowWidgets: true,
      tabSize: 2,
      padding: { top: PADDING, bottom: PADDING },
      scrollbar: { vertical: 'hidden', horizontal: 'auto', alwaysConsumeMouseWheel: false, useShadows: false },
      // Long lines wrap rather than run off under the cell's edge: code is never clipped.
      wordWrap: 'on',
      wrappingIndent: 'indent',
      stickyScroll: { enabled: false },
      'semanticHighlighting.enabled': false,
    });
    this.editor = editor;
    this.preview.remove();
    editor.addAction({ id: 'weir.runCellAdvance', label: 'Run cell and go to next', keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter], run: () => this.hooks.onRun(true) });
    editor.addAction({ id: 'weir.runCell', label: 'Run cell', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter], run: () => this.hooks.onRun(false) });
    editor.addAction({ id: 'weir.save', label: 'Save notebook', keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS], run: () => this.hooks.onSave() });
    editor.onDidContentSizeChange(() => this.layout());
    editor.onDidBlurEditorWidget(() => this.hooks.onBlur?.());
    this.layout();
  }

  /** Fits the editor's height to its content and its width to the cell. */
  layout(): void {
    if (!this.editor) return;
    const height = Math.max(LINE_HEIGHT + 2 * PADDING, this.editor.getContentHeight());
    const width = this.element.clientWidth;
    this.element.style.height = `${height}px`;
    this.editor.layout({ width, height });
  }

  focus(): void {
    this.mount();
    this.editor!.focus();
  }

  /**
   * Puts the cursor on a 1-based line and column of the cell and scrolls the notebook to that
   * line. The editor is as tall as its content and never scrolls itself (the notebook does),
   * so Monaco's own reveal does nothing here; and since long lines wrap, a line's place is its
   * first view line (`getTopForPosition`), not `(line - 1) * LINE_HEIGHT`.
   */
  revealLine(line: number, column: number): void {
    this.mount();
    const editor = this.editor!;
    // A location reported before the cell was edited may point past its end now.
    const position = this.model.validatePosition({ lineNumber: line, column });
    editor.setPosition(position);
    editor.focus();
    this.layout();
    const marker = h('span', { class: 'reveal-marker', 'aria-hidden': 'true' });
    marker.style.top = `${editor.getTopForPosition(position.lineNumber, position.column)}px`;
    marker.style.height = `${LINE_HEIGHT}px`;
    this.element.append(marker);
    marker.scrollIntoView({ block: 'nearest' });
    marker.remove();
  }

  /** Replaces the text (a reload from disk), without reporting it as an edit. */
  setValue(source: string): void {
    if (this.model.getValue() === source) return;
    this.settingValue = true;
    try {
      this.model.setValue(source);
    } finally {
      this.settingValue = false;
    }
  }

  dispose(): void {
    observer?.unobserve(this.element);
    this.editor?.dispose();
    this.model.dispose();
  }

  private renderPreview(): void {
    const lines = this.model.getLinesContent();
    // The preview wraps as the editor does; its height follows its text (an estimate until then).
    this.preview.style.minHeight = `${Math.max(1, lines.length) * LINE_HEIGHT + 2 * PADDING}px`;
    this.preview.textContent = lines.join('\n');
  }
}
