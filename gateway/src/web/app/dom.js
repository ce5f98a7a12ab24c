// Tiny DOM helpers: elements are built with textContent only, never innerHTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

export function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A percentage (or any figure) to two decimals. */
export const round2 = (value) => Number(Number(value).toFixed(2));

export function formatNumber(value) {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 1000 ? 2 : Math.abs(value) >= 1 ? 4 : 6;
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A table of rows (objects); columns from the rows' keys unless given. */
export function table(rows, columns, caption) {
  const keys = columns ?? [...new Set(rows.slice(0, 20).flatMap((row) => Object.keys(row)))];
  return el(
    'table',
    {},
    caption ? el('caption', { text: caption }) : undefined,
    el('thead', {}, el('tr', {}, ...keys.map((key) => el('th', { scope: 'col', text: key })))),
    el(
      'tbody',
      {},
      ...rows.map((row) => el('tr', {}, ...keys.map((key) => el('td', { text: cell(row[key]) })))),
    ),
  );
}
