/**
 * Markdown cells, rendered with `marked` and then sanitised: the notebook file is data from
 * anywhere, so its markdown may carry HTML. Raw HTML in markdown is shown as text, and the
 * rendered tree keeps only an allowlist of elements and attributes, with links limited to
 * http(s), mailto and in-page anchors. The CSP forbids inline script in any case.
 */
import { Marked } from 'marked';

const marked = new Marked({
  gfm: true,
  renderer: {
    // Raw HTML in the markdown is displayed, not interpreted.
    html: ({ text }) => escapeHtml(text),
  },
});

const ALLOWED_ELEMENTS = new Set([
  'P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'UL', 'OL', 'LI', 'CODE', 'PRE', 'EM', 'STRONG', 'DEL', 'A', 'BLOCKQUOTE',
  'HR', 'BR', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'IMG', 'SPAN', 'INPUT',
]);
const ALLOWED_ATTRIBUTES: Record<string, string[]> = { A: ['href', 'title'], IMG: ['src', 'alt', 'title'], TH: ['align'], TD: ['align'], INPUT: ['type', 'checked', 'disabled'], OL: ['start'] };

/**
 * Renders markdown into a fragment of safe elements.
 *
 * @example
 * container.replaceChildren(renderMarkdown('# Sensors\nAverages per **minute**.'));
 */
export function renderMarkdown(text: string): DocumentFragment {
  const html = marked.parse(text, { async: false });
  const template = document.createElement('template');
  template.innerHTML = html;
  sanitise(template.content);
  return template.content;
}

function sanitise(root: DocumentFragment | Element): void {
  for (const child of [...root.children]) {
    if (!ALLOWED_ELEMENTS.has(child.tagName)) {
      child.replaceWith(document.createTextNode(child.textContent ?? ''));
      continue;
    }
    const allowed = ALLOWED_ATTRIBUTES[child.tagName] ?? [];
    for (const attribute of [...child.attributes]) {
      if (!allowed.includes(attribute.name)) child.removeAttribute(attribute.name);
    }
    if (child.tagName === 'INPUT' && child.getAttribute('type') !== 'checkbox') child.remove();
    if (child.tagName === 'A') {
      const href = child.getAttribute('href') ?? '';
      if (!/^(https?:|mailto:|#)/i.test(href)) child.removeAttribute('href');
      else {
        child.setAttribute('rel', 'noopener noreferrer');
        child.setAttribute('target', '_blank');
      }
    }
    if (child.tagName === 'IMG' && !/^data:image\//i.test(child.getAttribute('src') ?? '')) child.removeAttribute('src');
    sanitise(child);
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
