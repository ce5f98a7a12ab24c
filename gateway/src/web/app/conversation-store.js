// The conversation kept in sessionStorage so a reload (or a reconnect) shows it again. Only
// what the page rendered is kept (messages, tool cards, errors); at most `maxEntries`.
const key = 'warmgate.conversation';
const maxEntries = 200;

export function loadConversation() {
  try {
    const entries = JSON.parse(sessionStorage.getItem(key) ?? '[]');
    return Array.isArray(entries) ? entries : [];
  } catch {
    return [];
  }
}

export function saveConversation(entries) {
  const kept = entries.slice(-maxEntries);
  try {
    sessionStorage.setItem(key, JSON.stringify(kept));
  } catch {
    // Over the storage quota: keep the newest half.
    try {
      sessionStorage.setItem(key, JSON.stringify(kept.slice(-Math.floor(kept.length / 2))));
    } catch {
      sessionStorage.removeItem(key);
    }
  }
}
