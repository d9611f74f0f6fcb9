/**
 * `egress.allow` patterns: where a declaration lets data leave to. A `*` stands for a part of a destination that
 * cannot change whose it is: an email address's local part (`*@acme.example`), a host's leftmost labels
 * (`*.acme.example`), a URL's path (`https://hooks.acme.example/*`), or the rest of an identifier after a prefix that
 * names it (`DE8937040044*`, accounts at one bank). Anything a `*` could stretch over to reach another organization
 * (`*`, `http*`, `https://**`, `*m`, `*@*.com`, `*acme.example`) is refused when the declaration loads, and the
 * matcher never lets a `*` cross `@`, a separator of addresses (`,` `;` whitespace) or, in a host, a `/ : ? #`: the
 * value `attacker@evil.example, boss@acme.example` is not an address at acme.example.
 */

/** What kind of destination a pattern is written for. */
type PatternKind = "email" | "url" | "host" | "identifier";

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** A host without wildcards: labels of letters, digits and `-`, at least two of them (`acme.example`). */
const LITERAL_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\.?$/i;
/**
 * Second-level labels that registries sell under (`co.uk`, `com.au`): `*.co.uk` is every company in a country. A short
 * list of the common ones, not the public suffix list; a pattern it misses still names a country's registry only.
 */
const REGISTRY_LABELS: ReadonlySet<string> = new Set(["co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "mil", "nic"]);
/** The literal start of an identifier pattern: letters and digits, and the `#` `-` `_` of channel names. */
const IDENTIFIER_PREFIX = /^#?[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** An IPv6 literal host, as URLs write it. */
const IPV6_HOST = /^\[[0-9a-f:.]+\]$/i;
/**
 * Domains under which anyone can get a subdomain (hosting, tunnels, storage, resold second levels): `*.github.io` is
 * every GitHub Pages site. The common ones, not the public suffix list's private section; a pattern that names one of
 * those this list misses still names one provider's customers only.
 */
const SHARED_PARENTS: ReadonlySet<string> = new Set([
  "github.io", "gitlab.io", "bitbucket.io", "herokuapp.com", "workers.dev", "pages.dev", "netlify.app", "vercel.app", "fly.dev",
  "onrender.com", "glitch.me", "repl.co", "replit.dev", "surge.sh", "ngrok.io", "ngrok-free.app", "ngrok.app", "trycloudflare.com",
  "loca.lt", "s3.amazonaws.com", "amazonaws.com", "cloudfront.net", "blob.core.windows.net", "core.windows.net", "azurewebsites.net",
  "azureedge.net", "appspot.com", "firebaseapp.com", "web.app", "run.app", "cloudfunctions.net", "googleusercontent.com",
  "blogspot.com", "wordpress.com", "uk.com", "us.com", "eu.com", "ltd.uk", "plc.uk", "me.uk",
]);

/** Schemes that would make an identifier prefix read as "any URL". */
const SCHEME_WORD = /^(?:https?|ftps?|wss?|mailto|file|data)/i;

/** Why `pattern` could let data leave to any organization, or undefined when it names its destinations. */
export function egressPatternProblem(pattern: string): string | undefined {
  const kind = kindOf(pattern);
  switch (kind) {
    case "email": {
      const at = pattern.lastIndexOf("@");
      if (pattern.indexOf("@") !== at) return "has more than one `@`";
      return hostProblem(pattern.slice(at + 1));
    }
    case "url": {
      const scheme = SCHEME.exec(pattern)![1]!.toLowerCase();
      if (scheme !== "http" && scheme !== "https") return `names the scheme \`${scheme}\`; only http and https destinations are matched`;
      const rest = pattern.slice(SCHEME.exec(pattern)![0].length);
      return hostProblem(hostPart(rest));
    }
    case "host":
      return hostProblem(hostPart(pattern));
    case "identifier": {
      const star = pattern.indexOf("*");
      if (star < 0) return pattern.trim().length === 0 ? "is empty" : undefined;
      const prefix = pattern.slice(0, star);
      if (star !== pattern.length - 1 || !IDENTIFIER_PREFIX.test(prefix) || (prefix.match(/[A-Za-z0-9]/g) ?? []).length < 4) {
        return "uses `*` outside an email address's local part, a host's leftmost labels, a URL's path or the end of an identifier of four or more letters and digits (`DE8937040044*`, `#support-*`)";
      }
      return SCHEME_WORD.test(pattern) ? "reads as any URL of a scheme" : undefined;
    }
  }
}

/**
 * Compiles the patterns into one test of a destination (case-insensitive). Each pattern is matched against
 * destinations of its own kind only: an address pattern against addresses (`https://evil.example/x@acme.example` is a
 * URL, not an address at acme.example), URL and host patterns against URLs, their hosts and origins, and bare hosts;
 * identifier patterns against the rest. A URL whose authority another parser could read differently (`\`, `@`,
 * `%`, spaces) matches nothing.
 */
export function compileEgressAllow(patterns: readonly string[]): (destination: string) => boolean {
  const byKind = { email: [] as RegExp[], place: [] as RegExp[], identifier: [] as RegExp[] };
  for (const pattern of patterns) {
    const kind = kindOf(pattern);
    byKind[kind === "email" ? "email" : kind === "identifier" ? "identifier" : "place"].push(patternRegex(pattern));
  }
  const any = (regexes: readonly RegExp[], candidates: readonly string[]) => regexes.some((regex) => candidates.some((candidate) => regex.test(candidate)));
  return (destination) => {
    if (SCHEME.test(destination)) {
      if (hasAmbiguousAuthority(destination)) return false;
      const candidates = [destination];
      try {
        const url = new URL(destination);
        candidates.push(url.host, `${url.protocol}//${url.host}`, `${url.protocol}//${url.host}/`);
      } catch {
        // not a URL after all: the raw string only
      }
      return any(byKind.place, candidates);
    }
    if (EMAIL_DESTINATION.test(destination)) return any(byKind.email, [destination]);
    if (/^www\./i.test(destination)) return any(byKind.place, [destination, destination.split("/")[0]!]);
    return any(byKind.place, [destination]) || any(byKind.identifier, [destination]);
  };
}

/** An address as a destination: one `@`, nothing before it that belongs to a URL (`/`, `:`, `\`), no spaces. */
const EMAIL_DESTINATION = /^[^\s@/\\:]+@[^\s@/\\:]+$/;

/**
 * Whether a URL's authority (between `//` and the first `/ ? #`) holds characters on which parsers disagree:
 * `https://hooks.acme.example\@evil.example/x` is acme.example to WHATWG and evil.example to others. Userinfo is
 * refused too: a destination with credentials in it is not a place to send data to.
 */
export function hasAmbiguousAuthority(url: string): boolean {
  const start = url.indexOf("//") + 2;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) return false; // / ? #
    if (c === 92 || c === 64 || c === 37 || c <= 32) return true; // \ @ % space and controls
  }
  return false;
}

function kindOf(pattern: string): PatternKind {
  if (SCHEME.test(pattern)) return "url";
  if (pattern.includes("@")) return "email";
  return pattern.includes(".") || pattern.includes("/") ? "host" : "identifier";
}

/** The host of a host or URL pattern without its scheme: up to the first `/`, without a port. */
function hostPart(rest: string): string {
  const slash = rest.indexOf("/");
  const host = slash < 0 ? rest : rest.slice(0, slash);
  return host.replace(/:\d{1,5}$/, "");
}

/** A host may open with `*.` (any subdomains); the rest must be a literal domain of an organization. */
function hostProblem(host: string): string | undefined {
  if (IPV6_HOST.test(host)) return undefined;
  const literal = host.startsWith("*.") ? host.slice(2) : host;
  if (literal.includes("*")) return "has a `*` inside its domain: a wildcard may only stand for whole leftmost labels (`*.acme.example`)";
  if (!LITERAL_HOST.test(literal)) return `\`${literal || host}\` is not a domain of at least two labels`;
  if (!host.startsWith("*.")) return undefined;
  const domain = literal.replace(/\.$/, "").toLowerCase();
  const labels = domain.split(".");
  if (labels.every((label) => /^\d+$/.test(label))) return `\`*.${literal}\` is a range of IP addresses, not a domain`;
  if (labels.length < 2 || (labels.length === 2 && REGISTRY_LABELS.has(labels[0]!)) || SHARED_PARENTS.has(domain)) {
    return `\`*.${literal}\` is every domain registered under \`${literal}\``;
  }
  return undefined;
}

/** The regex of one pattern: each `*` bounded by what it stands for in that part of the pattern. */
function patternRegex(pattern: string): RegExp {
  const kind = kindOf(pattern);
  let source: string;
  if (kind === "email") {
    const at = pattern.lastIndexOf("@");
    source = `${globPart(pattern.slice(0, at), LOCAL_PART)}@${hostRegex(pattern.slice(at + 1))}`;
  } else if (kind === "url" || kind === "host") {
    const scheme = kind === "url" ? SCHEME.exec(pattern)![0] : "";
    const rest = pattern.slice(scheme.length);
    const slash = rest.indexOf("/");
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? "" : rest.slice(slash);
    source = `${escapeRegex(scheme)}${hostRegex(host)}${globPart(path, PATH)}`;
  } else {
    source = globPart(pattern, IDENTIFIER);
  }
  return new RegExp(`^${source}$`, "i");
}

/** What a `*` matches in each part: never `@`, never a separator between addresses. */
/** Characters of a local part (RFC 5322 atext and dots) less `/ | %`, which route or separate in some mailers. */
const LOCAL_PART = "[A-Za-z0-9.!#$&'+=?^_`{}~-]*";
const PATH = "[^\\s,;?#]*";
const IDENTIFIER = "[A-Za-z0-9_-]*";
const SUBDOMAINS = "(?:[a-z0-9-]+\\.)+";

function hostRegex(host: string): string {
  return host.startsWith("*.") ? `${SUBDOMAINS}${escapeRegex(host.slice(2))}` : globPart(host, "[a-z0-9-]*");
}

function globPart(text: string, star: string): string {
  return text.split("*").map(escapeRegex).join(star);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");
}
