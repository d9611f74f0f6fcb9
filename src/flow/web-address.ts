/**
 * Addresses in text, for provenance: whole email addresses, and web addresses as people write them: with a scheme,
 * starting with `www.`, or a host under a common top-level domain followed by a path. Bare `name.tld` words are left
 * out: file names (`report.pdf`) look the same.
 */
// Every scan here runs on whatever a tool returns or an agent sends, so each is linear in the text: a host is tried
// only where one starts (not after a host character, nor after one and a dot), never again at each of its labels
// (`a.a.a.…` would cost the square of its length), and trailing punctuation is trimmed by a loop, not a pattern. A
// label may hold `_` (DNS allows it, and a destination read too strictly is a place not checked).
const WEB_ADDRESS = /\b(?:https?:\/\/|www\.)[^\s"'<>()\][{}]{4,2048}|(?<![a-z0-9_-])(?<![a-z0-9_-]\.)(?:[a-z0-9_-]+\.)+(?:com|net|org|io|co|info|biz|xyz|app|dev|ai|me|site|online|top|ru|cn|de|uk|us)\/[^\s"'<>()\][{}]{0,2048}/gi;
const SCHEME = /^https?:\/\//i;

/** The web addresses in `text`, without scheme, trailing punctuation or trailing slash (`x.example/a`). */
export function webAddresses(text: string): string[] {
  const out: string[] = [];
  WEB_ADDRESS.lastIndex = 0;
  for (let m = WEB_ADDRESS.exec(text); m !== null; m = WEB_ADDRESS.exec(text)) out.push(bareAddress(m[0]));
  return out;
}

/** True when `text` is one web address and nothing else (`https://x.example/a`, `www.x.example`), not prose with a link. */
export function isWebAddress(text: string): boolean {
  const trimmed = text.trim();
  if (/\s/.test(trimmed)) return false;
  const found = webAddresses(trimmed);
  return found.length === 1 && bareAddress(trimmed) === found[0];
}

/** An address as it is compared: no scheme, no trailing `.,;:!?`, then no trailing slash. */
function bareAddress(address: string): string {
  let end = address.length;
  while (end > 0 && isTrailingPunctuation(address.charCodeAt(end - 1))) end--;
  if (end > 0 && address.charCodeAt(end - 1) === 47 /* / */) end--;
  return address.slice(0, end).replace(SCHEME, "");
}

function isTrailingPunctuation(code: number): boolean {
  return code === 46 || code === 44 || code === 59 || code === 58 || code === 33 || code === 63; // . , ; : ! ?
}

const WHOLE_EMAIL = /^(?:[A-Za-z0-9._%+-]|(?<=[A-Za-z0-9])'(?=[A-Za-z0-9]))+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

/** Longer than any address SMTP carries (254), with room for surrounding whitespace. */
const MAX_EMAIL_TEXT = 320;

/** True when `text` is one email address and nothing else (surrounding whitespace aside). */
export function isEmailAddress(text: string): boolean {
  return text.length <= MAX_EMAIL_TEXT && WHOLE_EMAIL.test(text.trim());
}
