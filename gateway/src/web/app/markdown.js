// Markdown for answers: `marked` parses (GFM: tables, lists, code), DOMPurify sanitises what
// it produced before it touches the DOM, so HTML or script in an answer stays inert text or
// is dropped. Links open in a new tab without an opener.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const marked = new Marked({ gfm: true, breaks: true, async: false });

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'img'],
  FORBID_ATTR: ['style'],
};

/** Renders Markdown into `element`, sanitised. */
export function renderMarkdown(element, text) {
  const html = marked.parse(text ?? '');
  element.replaceChildren(DOMPurify.sanitize(html, { ...config, RETURN_DOM_FRAGMENT: true }));
}
