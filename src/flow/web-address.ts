/**
 * Addresses in text, for provenance: whole email addresses, and web addresses as people write them: with a scheme,
 * starting with `www.`, or a host under a common top-level domain followed by a path. Bare `name.tld` words are left
 * out: file names (`report.pdf`) look the same.
 */
const WEB_ADDRESS = /\b(?:https?:\/\/|www\.)[^\s"'<>()\][{}]{4,2048}|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|info|biz|xyz|app|dev|ai|me|site|online|top|ru|cn|de|uk|us)\/[^\s"'<>()\][{}]{0,2048}/gi;

/** The web addresses in `text`, without scheme, trailing punctuation or trailing slash (`x.example/a`). */
export function webAddresses(text: string): string[] {
  const out: string[] = [];
  WEB_ADDRESS.lastIndex = 0;
  for (let m = WEB_ADDRESS.exec(text); m !== null; m = WEB_ADDRESS.exec(text)) {
    out.push(m[0].replace(/[.,;:!?]+$/, "").replace(/\/$/, "").replace(/^https?:\/\//i, ""));
  }
  return out;
}

/** True when `text` is one web address and nothing else (`https://x.example/a`, `www.x.example`), not prose with a link. */
export function isWebAddress(text: string): boolean {
  const trimmed = text.trim();
  if (/\s/.test(trimmed)) return false;
  const found = webAddresses(trimmed);
  return found.length === 1 && trimmed.replace(/^https?:\/\//i, "").replace(/[.,;:!?]+$/, "").replace(/\/$/, "") === found[0];
}

const WHOLE_EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

/** True when `text` is one email address and nothing else (surrounding whitespace aside). */
export function isEmailAddress(text: string): boolean {
  return WHOLE_EMAIL.test(text.trim());
}
