import type { Detector, Match, ScanContext } from "../detector.js";
import { Char, type TextProfile } from "../profile.js";
import { matchAt, stickyCopy } from "../sticky.js";
import { charClasses, escapeRegex, isPlaceholder, isSequential, isTemplate, keyWords, shannonEntropy } from "../text.js";
import { CLI_FLAG_HINT, scanCliPasswords } from "./cli-passwords.js";
import { scanKubernetesSecrets } from "./kubernetes-secret.js";

/**
 * A credential that starts with a vendor prefix (`ghp_`, `xoxb-`, `AKIA`). Prefixes are compared only where a token
 * may begin inside the text's long token runs (see `scanPrefixed`); only there does the rule's own (sticky) pattern
 * run.
 */
interface PrefixRule {
  readonly class: string;
  readonly prefixes: readonly string[];
  /**
   * The rest of the token after the prefix (regex source); the token must end there. Repetitions are bounded (1024,
   * 2048 for 1Password's service tokens: beyond any real token), since an attempt that fails is made again at the
   * next prefix inside the same run.
   */
  readonly body: string;
  /** Minimum Shannon entropy (bits/char) of the token: random bodies score above 3, `aaaa1111` below. */
  readonly minEntropy?: number;
  readonly check?: (value: string) => boolean;
  /** Extra characters that must not precede the token (beyond letters, digits, `_` and `-`). */
  readonly notAfter?: string;
  /**
   * The prefix is a common word (`key-`): a credential-named value that opens with it but lacks the shape is judged as
   * any other value, not set aside as a malformed vendor token.
   */
  readonly commonPrefix?: boolean;
}

/**
 * A credential recognised by its surroundings (`AccountKey=`, `"type": "service_account"`) or by a shape without a
 * prefix (Azure's `Q~`, Discord's three parts). `hints` are case-sensitive literals, at least one of which the text must
 * contain before the pattern runs.
 */
export interface ContextRule {
  readonly class: string;
  readonly hints: readonly string[];
  readonly pattern: RegExp;
  /** Capture group that holds the secret (0 = the whole match). */
  readonly group?: number;
  readonly minEntropy?: number;
  readonly check?: (value: string) => boolean;
  /** Only for texts at least this long (a cheap gate for prefix-less shapes). */
  readonly minToken?: number;
  /**
   * The longest run of token characters (letters, digits, `+/_-.=~`) a match implies: the rule is skipped for texts
   * without one (every rule's secret, or its anchor, is a token of 12 or more characters).
   */
  readonly minRun?: number;
  /** `Char` bits the text must all hold (`:` for `key: value`), and bits of which it must hold one. */
  readonly chars?: number;
  readonly anyChar?: number;
  /**
   * Where the (only) hint sits in every match, as the least and most characters between the match's start and the
   * hint: the pattern is then tried only that far before each occurrence of the hint, not searched (see sticky.ts).
   */
  readonly hintAt?: readonly [number, number];
}

// Boundaries: `(?<![\w-])` before and `(?![\w-])` after, so a token is never found inside a longer identifier.
const B = "(?<![A-Za-z0-9_\\-])";
const E = "(?![A-Za-z0-9_\\-])";
const rx = (source: string, flags = "g") => new RegExp(source, flags);

const mixedCase = (value: string) => /[a-z]/.test(value) && /[A-Z]/.test(value);
const hasDigit = (value: string) => /[0-9]/.test(value);

const PREFIX_RULES: readonly PrefixRule[] = [
  // Cloud providers
  { class: "secret.aws_access_key", prefixes: ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"], body: "[A-Z0-9]{16,17}(?![A-Z0-9])", minEntropy: 3, check: (v) => !v.endsWith("EXAMPLE") && /^A3T[A-Z0-9][A-Z0-9]{16}$|^[A-Z0-9]{20}$/.test(v) },
  { class: "secret.aws_bedrock_key", prefixes: ["ABSK"], body: "[A-Za-z0-9+/]{100,300}={0,2}(?![A-Za-z0-9+/=])" },
  { class: "secret.aws_bedrock_key", prefixes: ["bedrock-api-key-"], body: "[A-Za-z0-9+/]{60,1024}={0,2}" },
  // Google's OAuth client secrets.
  { class: "secret.google_client_secret", prefixes: ["GOCSPX-"], body: `[A-Za-z0-9_\\-]{28}${E}`, minEntropy: 3.5 },
  { class: "secret.google_api_key", prefixes: ["AIzaSy"], body: `[0-9A-Za-z_\\-]{33}${E}`, minEntropy: 3.5 },
  { class: "secret.digitalocean_token", prefixes: ["dop_v1_", "doo_v1_", "dor_v1_"], body: `[a-f0-9]{64}${E}` },
  { class: "secret.flyio_token", prefixes: ["fo1_"], body: `[A-Za-z0-9_\\-]{43}${E}`, minEntropy: 3.5 },
  { class: "secret.heroku_key", prefixes: ["HRKU-AA"], body: `[A-Za-z0-9_\\-]{58}${E}` },
  { class: "secret.vault_token", prefixes: ["hvs.", "hvb."], body: `[A-Za-z0-9_\\-]{90,1024}${E}`, minEntropy: 3.5 },
  { class: "secret.vault_token", prefixes: ["s."], body: `[A-Za-z0-9]{24}${E}`, check: (v) => mixedCase(v) && hasDigit(v), minEntropy: 3.5, notAfter: "." },
  { class: "secret.databricks_token", prefixes: ["dapi"], body: `[a-f0-9]{32}(?:-[0-9])?${E}`, minEntropy: 3 },
  { class: "secret.scalingo_token", prefixes: ["tk-us-"], body: `[A-Za-z0-9_\\-]{48}${E}` },
  { class: "secret.tailscale_key", prefixes: ["tskey-api-", "tskey-auth-", "tskey-client-", "tskey-scim-", "tskey-webhook-"], body: `[A-Za-z0-9]{4,32}-[A-Za-z0-9]{16,64}${E}`, minEntropy: 3 },
  // An origin CA key: `v1.0-`, 24 hex digits, `-`, 146 hex digits.
  { class: "secret.cloudflare_key", prefixes: ["v1.0-"], body: `[a-f0-9]{24}-[a-f0-9]{146}${E}`, minEntropy: 3 },
  // Source hosting and package registries
  { class: "secret.github_token", prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], body: `[A-Za-z0-9]{36}${E}`, minEntropy: 3.5 },
  { class: "secret.github_token", prefixes: ["github_pat_"], body: `[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${E}`, minEntropy: 3.5 },
  { class: "secret.gitlab_token", prefixes: ["glpat-", "gldt-", "glrt-", "glft-", "glsoat-", "glcbt-"], body: `(?:[0-9a-zA-Z]{1,5}_)?[A-Za-z0-9_\\-]{20,50}${E}`, check: (v) => !v.endsWith("_") },
  { class: "secret.gitlab_token", prefixes: ["glptt-"], body: `[A-Za-z0-9_\\-]{40}${E}` },
  { class: "secret.gitlab_token", prefixes: ["glimt-"], body: `[A-Za-z0-9_\\-]{25}${E}` },
  { class: "secret.gitlab_token", prefixes: ["gloas-"], body: `[A-Za-z0-9_\\-]{64}${E}` },
  { class: "secret.gitlab_token", prefixes: ["GR1348941"], body: `[A-Za-z0-9_\\-]{20,50}${E}`, check: (v) => !v.endsWith("_") && /[A-Za-z]/.test(v.slice(9)) },
  { class: "secret.npm_token", prefixes: ["npm_"], body: `[A-Za-z0-9]{36}${E}`, minEntropy: 3.5 },
  // A macaroon for pypi.org or test.pypi.org (its location is the first field), as PyPI documents.
  { class: "secret.pypi_token", prefixes: ["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"], body: "[A-Za-z0-9_\\-]{70,1024}" },
  { class: "secret.artifactory_key", prefixes: ["AKCp"], body: `[A-Za-z0-9]{69}${E}`, minEntropy: 3.5 },
  { class: "secret.artifactory_key", prefixes: ["cmVmdGtu"], body: `[A-Za-z0-9]{56}${E}`, minEntropy: 3.5 },
  { class: "secret.docker_token", prefixes: ["dckr_pat_"], body: `[A-Za-z0-9_\\-]{27}${E}`, minEntropy: 3.5 },
  { class: "secret.linear_key", prefixes: ["lin_api_"], body: `[A-Za-z0-9]{40}${E}`, minEntropy: 3.5 },
  { class: "secret.sourcegraph_token", prefixes: ["sgp_"], body: `(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}${E}`, minEntropy: 3 },
  // Chat and collaboration
  { class: "secret.slack_token", prefixes: ["xoxa-", "xoxb-", "xoxe-", "xoxo-", "xoxp-", "xoxr-", "xoxs-"], body: `(?:[0-9]-)?(?:[0-9]{5,14}-){1,3}[A-Za-z0-9]{8,64}${E}` },
  { class: "secret.slack_token", prefixes: ["xoxe.xoxb-", "xoxe.xoxp-", "xoxe-"], body: `[0-9]-[A-Za-z0-9]{100,1024}${E}` },
  { class: "secret.slack_token", prefixes: ["xapp-"], body: `[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}${E}` },
  { class: "secret.notion_token", prefixes: ["ntn_"], body: `[0-9]{11}[A-Za-z0-9]{35}${E}`, minEntropy: 3.5 },
  { class: "secret.notion_token", prefixes: ["secret_"], body: `[A-Za-z0-9]{43}${E}`, minEntropy: 4 },
  { class: "secret.atlassian_token", prefixes: ["ATATT3"], body: "[A-Za-z0-9_\\-=]{180,1024}" },
  { class: "secret.onepassword_token", prefixes: ["ops_eyJ"], body: "[A-Za-z0-9+/]{250,2048}={0,3}" },
  { class: "secret.onepassword_key", prefixes: ["A3-"], body: `[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}${E}`, minEntropy: 3 },
  // AI providers
  { class: "secret.anthropic_key", prefixes: ["sk-ant-api", "sk-ant-admin"], body: `[0-9]{2}-[A-Za-z0-9_\\-]{93}AA${E}` },
  // OAuth access and refresh tokens (Claude Code and other clients).
  { class: "secret.anthropic_key", prefixes: ["sk-ant-oat", "sk-ant-ort"], body: `[0-9]{2}-[A-Za-z0-9_\\-]{80,200}${E}`, minEntropy: 3.5 },
  { class: "secret.openrouter_key", prefixes: ["sk-or-v1-"], body: `[a-f0-9]{64}${E}`, minEntropy: 3 },
  { class: "secret.openai_key", prefixes: ["sk-"], body: `(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\\-]{16,1024}T3BlbkFJ[A-Za-z0-9_\\-]{16,1024}${E}` },
  { class: "secret.openai_key", prefixes: ["sk-proj-", "sk-svcacct-"], body: `[A-Za-z0-9_\\-]{100,200}${E}`, minEntropy: 4 },
  { class: "secret.huggingface_token", prefixes: ["hf_"], body: `[A-Za-z]{34}${E}`, check: mixedCase, minEntropy: 3.5 },
  { class: "secret.huggingface_token", prefixes: ["api_org_"], body: `[A-Za-z]{34}${E}`, check: mixedCase, minEntropy: 3.5 },
  { class: "secret.xai_key", prefixes: ["xai-"], body: `[A-Za-z0-9]{80}${E}`, minEntropy: 4 },
  { class: "secret.groq_key", prefixes: ["gsk_"], body: `[A-Za-z0-9]{52}${E}`, minEntropy: 4 },
  { class: "secret.perplexity_key", prefixes: ["pplx-"], body: `[A-Za-z0-9]{48}${E}`, minEntropy: 3.5 },
  // Payments, mail, monitoring
  { class: "secret.stripe_key", prefixes: ["sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"], body: `[A-Za-z0-9]{10,247}${E}`, minEntropy: 3 },
  { class: "secret.square_token", prefixes: ["sq0atp-"], body: `[A-Za-z0-9_\\-]{22}${E}` },
  { class: "secret.square_token", prefixes: ["sq0csp-"], body: `[A-Za-z0-9_\\-]{43}${E}` },
  { class: "secret.square_token", prefixes: ["EAAA"], body: `[A-Za-z0-9_\\-]{60}${E}`, minEntropy: 3.5 },
  { class: "secret.facebook_token", prefixes: ["EAAM", "EAAC"], body: `[A-Za-z0-9]{80,1024}${E}`, minEntropy: 3.5 },
  { class: "secret.shopify_token", prefixes: ["shpat_", "shpca_", "shppa_", "shpss_"], body: `[a-fA-F0-9]{32}${E}`, minEntropy: 3 },
  // Mailgun's private API key: `key-` and 32 hex digits (the prefix alone is a common word).
  { class: "secret.mailgun_key", prefixes: ["key-"], body: `[a-f0-9]{32}${E}`, minEntropy: 3.2, commonPrefix: true },
  { class: "secret.sendgrid_key", prefixes: ["SG."], body: `[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}${E}` },
  { class: "secret.twilio_key", prefixes: ["AC", "SK"], body: `[0-9a-f]{32}${E}`, minEntropy: 3 },
  { class: "secret.grafana_token", prefixes: ["glc_"], body: "[A-Za-z0-9+/]{32,400}={0,2}", minEntropy: 3.5 },
  { class: "secret.grafana_token", prefixes: ["glsa_"], body: `[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}${E}`, minEntropy: 3.5 },
  { class: "secret.sentry_token", prefixes: ["sntrys_", "sntryu_"], body: "[A-Za-z0-9+/=_\\-]{60,1024}" },
  { class: "secret.infracost_token", prefixes: ["ico-"], body: `[A-Za-z0-9]{32}${E}`, minEntropy: 3.5, notAfter: "." },
  { class: "secret.intra42_secret", prefixes: ["s-s4t2ud-", "s-s4t2af-"], body: `[a-f0-9]{64}${E}` },
  { class: "secret.octopus_key", prefixes: ["API-"], body: `[A-Z0-9]{26}${E}`, minEntropy: 3.5 },
  { class: "secret.openshift_token", prefixes: ["sha256~"], body: `[A-Za-z0-9_\\-]{43}${E}`, minEntropy: 3.5 },
  // An age (file encryption) identity: Bech32, upper case.
  { class: "secret.age_key", prefixes: ["AGE-SECRET-KEY-1"], body: `[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}${E}`, minEntropy: 3.5 },
];

const CONTEXT_RULES: readonly ContextRule[] = [
  // `aws_secret_access_key = …`, and `aws configure set aws_secret_access_key …` (a space for the operator).
  { class: "secret.aws_secret_key", hints: ["aws", "AWS", "Aws"], minRun: 40, anyChar: Char.colon | Char.equals | Char.space | Char.tab, pattern: rx(`(?:aws|AWS|Aws)[\\w.\\-]{0,20}(?:secret|SECRET|Secret)[\\w.\\-]{0,20}["']?(?:[ \\t]{0,3}[:=]{1,2}[ \\t]{0,3}["']?|[ \\t]{1,3})([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])`), group: 1, minEntropy: 3.5 },
  { class: "secret.gcp_service_account", hints: ["service_account"], minRun: 15, chars: Char.colon | Char.quote, pattern: rx(`"type"\\s{0,3}:\\s{0,3}"service_account"`) },
  { class: "secret.azure_client_secret", hints: ["Q~"], minRun: 37, chars: Char.tilde, pattern: rx(`(?<![A-Za-z0-9_~.\\-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\\-]{31,34}(?![A-Za-z0-9_~.\\-])`), hintAt: [4, 4], minEntropy: 3.5 },
  { class: "secret.azure_storage_key", hints: ["AccountKey="], minRun: 99, chars: Char.equals, pattern: rx(`AccountKey=([A-Za-z0-9+/]{86}==)`), group: 1 },
  { class: "secret.flyio_token", hints: ["FlyV1 fm"], minRun: 104, chars: Char.space | Char.upper, pattern: rx(`FlyV1 (fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})`), group: 1 },
  { class: "secret.npm_token", hints: [":_authToken="], chars: Char.colon | Char.equals | Char.slash, pattern: rx(`//[A-Za-z0-9.\\-]{1,253}(?::[0-9]{1,5})?/(?:[A-Za-z0-9._\\-]{1,64}/)*:_authToken=[ \\t]?([^\\s"']{8,256})`), group: 1 },
  { class: "secret.sourcegraph_token", hints: ["ourcegraph"], minRun: 40, anyChar: Char.colon | Char.equals, pattern: rx(`[Ss]ourcegraph[\\w.\\-]{0,20}["']?[ \\t]{0,3}[:=][ \\t]{0,3}["']?([a-fA-F0-9]{40})${E}`), group: 1, minEntropy: 3 },
  { class: "secret.discord_token", hints: ["."], minRun: 59, chars: Char.dot, minToken: 59, pattern: rx(`[MNO](?<![A-Za-z0-9_\\-][MNO])[A-Za-z0-9_\\-]{23,25}\\.[A-Za-z0-9_\\-]{6}\\.[A-Za-z0-9_\\-]{27,38}${E}`), minEntropy: 3.5 },
  { class: "secret.telegram_token", hints: [":AA"], minRun: 34, chars: Char.colon, pattern: rx(`(?<![A-Za-z0-9_:])[0-9]{8,10}:AA[A-Za-z0-9_\\-]{32,33}${E}`), hintAt: [8, 10] },
  { class: "secret.facebook_token", hints: ["|"], minRun: 27, chars: Char.pipe, pattern: rx(`(?<![0-9])[0-9]{15,16}\\|[A-Za-z0-9_\\-]{27}${E}`), hintAt: [15, 16] },
  { class: "secret.mailchimp_key", hints: ["-us"], minRun: 36, chars: Char.dash, pattern: rx(`${B}[0-9a-f]{32}-us[0-9]{1,2}${E}`), hintAt: [32, 32] },
  { class: "secret.slack_webhook", hints: ["hooks.slack.com/"], minRun: 55, chars: Char.dot | Char.slash, pattern: rx(`hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_\\-]{30,120}`) },
  { class: "secret.terraform_token", hints: [".atlasv1."], minRun: 83, chars: Char.dot, pattern: rx(`${B}[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=\\-]{60,70}${E}`), hintAt: [14, 14], minEntropy: 3.5 },
  { class: "secret.sumologic_key", hints: ["sumo", "Sumo", "SUMO"], minRun: 14, anyChar: Char.colon | Char.equals, pattern: rx(`[Ss][Uu][Mm][Oo][\\w.\\-]{0,24}["']?[ \\t]{0,3}[:=][ \\t]{0,3}["']?(su[A-Za-z0-9]{12})${E}`), group: 1, minEntropy: 3 },
  { class: "secret.sidekiq_secret", hints: ["CONTRIBSYS__COM"], minRun: 28, chars: Char.underscore, anyChar: Char.colon | Char.equals, pattern: rx(`BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM["']?[ \\t]{0,3}[:=][ \\t]{0,3}["']?([0-9a-f]{8}:[0-9a-f]{8})`), group: 1 },
];

/** Every prefix with the rules it starts (longest prefixes first), each rule's sticky pattern compiled once. */
const PREFIXES: { prefix: string; rules: { rule: PrefixRule; pattern: RegExp }[] }[] = [];
for (const rule of PREFIX_RULES) {
  for (const prefix of rule.prefixes) {
    let entry = PREFIXES.find((p) => p.prefix === prefix);
    if (!entry) PREFIXES.push((entry = { prefix, rules: [] }));
    entry.rules.push({ rule, pattern: new RegExp(`${escapeRegex(prefix)}${rule.body}`, "y") });
  }
}
PREFIXES.sort((a, b) => b.prefix.length - a.prefix.length);
// One pass finds every prefix at a token boundary (alternatives longest first, so `sk-ant-api` wins over `sk-`).
const PREFIX_SCAN = new RegExp(`${B}(?:${PREFIXES.map((entry) => escapeRegex(entry.prefix)).join("|")})`, "g");


/** Words that, at the end of a property or variable name, mark its value as a credential. */
const SECRET_WORDS = new Set([
  "password", "passwd", "passphrase", "pwd", "pass", "secret", "secrets", "token", "apikey", "accesskey", "secretkey",
  "privatekey", "auth", "authorization", "credential", "credentials", "cred", "creds", "bearer", "dsn", "signingkey",
  "clientsecret", "accesstoken", "authtoken", "refreshtoken", "sessiontoken", "sessionid", "cookie", "connectionstring",
  // Session cookies of PHP, Java servlets and classic ASP.
  "phpsessid", "jsessionid", "aspsessionid",
]);
/** Words that, anywhere in a name, mean the value is not secret (or is only about a secret). */
const NOT_SECRET_WORDS = new Set([
  "id", "ids", "name", "names", "url", "uri", "endpoint", "file", "path", "dir", "length", "size", "type", "count",
  "version", "format", "header", "field", "prefix", "label", "expires", "expiry", "expiration", "ttl", "provider",
  "algorithm", "alg", "public", "pub", "csrf", "xsrf", "nonce",
  // Anti-forgery and challenge tokens (Rails' `authenticity_token`, ASP.NET's `__RequestVerificationToken`).
  "authenticity", "verification", "captcha", "example", "hint", "policy", "mode", "source",
  "results", "result", "required", "enabled", "timeout", "chars", "str", "min", "max", "store", "vault", "location",
  "hash", "checksum", "fingerprint", "sha", "md5", "digest",
  // Where a listing resumes (S3's `ContinuationToken`, Google's `pageToken`): handed back to the same API, not a credential.
  "continuation", "pagination", "paging", "cursor",
]);
/**
 * Words that, when every word before a final `token` is one of them, make it a page cursor: `NextToken`,
 * `next_token`, `nextPageToken`, `nextSyncToken`, `page_token`. (`page_access_token` grants access: not all its words
 * are here.)
 */
const CURSOR_WORDS = new Set(["next", "prev", "previous", "page", "sync", "resume", "resumption", "scroll", "marker", "start", "starting"]);
/** Single-word names ending in a credential word: `PGPASSWORD`, `REDISPASSWORD`, `APPSECRET`, `GHTOKEN`. */
const CREDENTIAL_SUFFIXES: readonly [string, SecretStrength][] = [["password", "password"], ["passwd", "password"], ["secret", "token"], ["token", "token"]];
/** What must not open such a word: `csrftoken`, `nexttoken`, `pagetoken`. */
const NOT_CREDENTIAL_OPENINGS = /^(?:csrf|xsrf|next|prev|page|sync|cursor|continuation|pagination|verification|authenticity|captcha|nonce)/;
/** First words that make `<word>Key` a lookup key, not a credential. */
const NOT_SECRET_KEY_OWNERS = new Set([
  "schema", "sort", "primary", "foreign", "partition", "cache", "map", "lookup", "index", "group", "sequence", "bucket",
  "row", "column", "object", "entry", "routing", "idempotency", "dedup", "dedupe", "shard", "hot", "short", "keyboard",
  "react", "unique", "composite", "translation", "i18n", "storage", "registry", "metric", "event",
  // Object keys of a store (`s3_key: uploads/2025/report.pdf`) and keys of records.
  "s3", "gcs", "blob", "asset", "image", "upload", "media", "attachment", "document", "photo", "avatar", "thumbnail",
  "video", "audio", "resource", "item", "record", "node", "job", "message", "folder",
  // A KMS key never leaves the service: `kms_key` names it (an id, an alias, an ARN).
  "kms",
]);

export type SecretStrength = "password" | "token";

/** Whether a property or variable name holds a credential, and of which kind; undefined when it does not. */
export function secretKeyKind(words: readonly string[]): SecretStrength | undefined {
  if (words.length === 0 || words.length > 6) return undefined;
  for (const word of words) if (NOT_SECRET_WORDS.has(word)) return undefined;
  const last = words[words.length - 1]!;
  const joined = words.join("");
  if (last === "token" && words.length > 1 && words.every((word, i) => i === words.length - 1 || CURSOR_WORDS.has(word))) return undefined;
  if (last === "password" || last === "passwd" || last === "pwd" || last === "passphrase" || (last === "pass" && words.length > 1)) return "password";
  if (SECRET_WORDS.has(last)) return "token";
  if (joined.endsWith("apikey") || joined.endsWith("accesskey") || joined.endsWith("secretkey") || joined.endsWith("privatekey") || joined.endsWith("authkey") || joined.endsWith("signingkey")) return "token";
  // `HEROKU_KEY`, `stripeKey`: a two-word name ending in `key` whose owner is not a lookup structure.
  if (last === "key" && words.length >= 2 && !NOT_SECRET_KEY_OWNERS.has(words[words.length - 2]!)) return "token";
  if (last === "login" && words.length >= 2) return "token"; // `SONAR_LOGIN` holds a token; checked for length below
  // Rails' `secret_key_base`: the key that signs and encrypts its sessions.
  if (joined.endsWith("secretkeybase")) return "token";
  // A secret declared so by its store (SSM's `Type: SecureString`, read as a key `SecureString`).
  if (joined === "securestring") return "password";
  // One word with a credential word at its end: `PGPASSWORD`, `MYAPPSECRET` (its value is judged as any other).
  if (words.length === 1 && !NOT_CREDENTIAL_OPENINGS.test(last)) {
    for (const [suffix, kind] of CREDENTIAL_SUFFIXES) if (last.length > suffix.length + 1 && last.endsWith(suffix)) return kind;
  }
  return undefined;
}

const SLUG = /^[a-z0-9]+(?:[-_.][a-z0-9]+)+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Versions 1, 2 and 6 of RFC 9562 (the version digit opens the third group; the variant is RFC's `10xx`). */
const timeBasedUuid = (uuid: string) => (uuid[14] === "1" || uuid[14] === "2" || uuid[14] === "6") && "89abAB".includes(uuid[19]!);
const VERSION = /^v?[0-9]+(?:\.[0-9]+){1,3}(?:[-+][A-Za-z0-9.]+)?$/;
/**
 * A dotted chain of names without digits: `self.token`, `settings.SecretKey`, `env.API_KEY`. (A token with dots has
 * digits in its random parts: `dp.pt.3Xk…`.)
 */
const MEMBER_REFERENCE = /^[A-Za-z_$]{2,64}(?:\.[A-Za-z_$]{1,64}){1,8}(?:\(\))?$/;
/** A relative path to a file: `uploads/2025/11/report-9f8e7d6c5b4a.pdf` (a storage key, not a credential). */
const RELATIVE_FILE = /^(?:[\w\-.]{1,128}\/){1,32}[\w\-.]{1,128}\.[A-Za-z][A-Za-z0-9]{0,4}$/;
const PATH_OR_URL = /^(?:[a-z][a-z0-9+.\-]*:\/\/|\/|\.{1,2}\/|~\/|[A-Za-z]:\\)|\.(?:pem|p12|pfx|key|crt|cer|json|ya?ml|txt|env|jks|keystore|keytab)$/i;

/**
 * Whether a value held by a credential-named property looks like a real credential rather than a template,
 * an identifier, a path or a flag. Entropy is weighed against length, since a short password has little.
 */
export function looksLikeSecretValue(value: string, kind: SecretStrength, lastKeyWord = ""): boolean {
  const v = value.trim();
  const min = kind === "password" ? 6 : 10;
  if (v.length < min || v.length > 512) return false;
  if (isPlaceholder(v) || isSequential(v)) return false;
  // A UUID under a credential-named key is a credential (Heroku, Octopus and many others issue them), unless it is
  // time-based (version 1, 2 or 6: a timestamp and a node id), which is predictable and so names a record or a
  // request, never grants access. A vendor that really puts one in a config line is found by its own rule (npm's).
  if (UUID.test(v)) return kind === "token" && !isSequential(v.replace(/-/g, "")) && !timeBasedUuid(v);
  if (VERSION.test(v) || PATH_OR_URL.test(v) || SLUG.test(v) || RELATIVE_FILE.test(v)) return false;
  // `ACCESS_TOKEN`, `YOUR_API_KEY`: the name of a variable, not its value.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) && /[A-Z]{3}/.test(v)) return false;
  if (/^(?:true|false|yes|no|on|off|null|none|nil|undefined|required|optional|bearer|basic)$/i.test(v)) return false;
  if (/^[0-9]{1,11}$/.test(v)) return false;
  if (/\s/.test(v) && !(kind === "password" && v.length <= 64)) return false;
  if (lastKeyWord === "login" && v.length < 32) return false;
  const classes = charClasses(v);
  const entropy = shannonEntropy(v);
  if (kind === "password") return classes >= 2 && entropy >= 2.3;
  // A value that opens with a vendor's prefix but does not have that vendor's shape is an example or a near miss
  // (`dapi123...defg5` is no Databricks token): a real one is reported by its shape, never here.
  if (malformedVendorToken(v)) return false;
  // `acctest.Representation`, `config.apiKey`: a reference to a member in code, not its value.
  if (MEMBER_REFERENCE.test(v)) return false;
  // A token: random-looking. Pure-letter values must be long and high-entropy (real words are not keys).
  if (/^[A-Za-z]+$/.test(v)) return v.length >= 20 && entropy >= 3.8 && mixedCase(v);
  if (/^[a-z_.\-]+$/.test(v)) return false;
  return entropy >= (v.length >= 32 ? 3 : 2.6) && classes >= 2;
}

// Where a credential-named key may start: the assignment parser below runs only around these words.
const KEY_HINT = /pass|pwd|secret|token|key|auth|cred|bearer|dsn|cookie|session|login/gi;

// `Authorization: Bearer x`, `authorization: token x`, `Proxy-Authorization: SSWS x`, `Authorization: x`: a scheme is
// any word (its case does not matter), the credentials the token after it.
const AUTH_HEADER = /authorization["']?[ \t]{0,3}[:=][ \t]{0,3}["']?(?:([A-Za-z][A-Za-z0-9._\-]{1,30})[ \t]{1,3})?([A-Za-z0-9\-._~+/=!@#$%^&*]{6,4096})/gi;

/** Authentication schemes (RFC 9110's registry and vendors'), lowercase: the word before an Authorization's credentials. */
const AUTH_SCHEMES = new Set([
  "basic", "bearer", "token", "api-token", "apitoken", "api-key", "apikey", "key", "bot", "digest", "jwt", "negotiate", "ntlm",
  "oauth", "dpop", "ssws", "splunk", "hmac", "hawk", "mac", "sharedkey", "sharedaccesssignature", "geniekey",
]);

// `Cookie: a=b; c=d`, `Set-Cookie: a=b; Path=/`, `"cookie": "a=b"`: the header's value, up to its line's end or a quote.
const COOKIE_HEADER = /(?<![A-Za-z0-9_\-])(?:set-)?cookie(?![A-Za-z0-9_\-])["']?[ \t]{0,3}[:=][ \t]{0,3}["']?/gi;
/** Attributes of a `Set-Cookie` value: they say where and how long a cookie lives, and hold nothing secret. */
const COOKIE_ATTRIBUTES = new Set(["path", "domain", "expires", "max-age", "samesite", "secure", "httponly", "priority", "partitioned", "version", "comment"]);
/** Cookie names of sessions and logins, whose values grant what the session grants. */
const SESSION_COOKIE = /sess|sid|auth|token|jwt|login|remember|secret|pass|key|identity|credential/i;

// `curl -u user:pass`, `--user "user:pass"`, `--user "user":"pass"`, `--user user:'pass'`.
const CURL_USER = /(?:^|[ \t])(?:-u|--user)[ \t]{1,3}(?:(["'])([^\s"':]{0,128}):([^\s"']{0,128})\1|(["']?)([^\s"':]{0,128})\4:(["']?)([^\s"']{0,128})\6)(?![^\s])/g;

// `scheme://user:password@host`, `scheme://token@host`
export const URL_CREDENTIALS = /(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,20}:\/\/([^\s:/@'"<>]{0,128})(?::([^\s:/@'"<>]{1,128}))?@[A-Za-z0-9.\-\[\]]{1,253}/g;
const URL_CREDENTIALS_AT = stickyCopy(URL_CREDENTIALS);

const PRIVATE_KEY_BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;

const JWT = /(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{5,4096}\.eyJ[A-Za-z0-9_\-]{2,8192}(?:\.[A-Za-z0-9_\-]{0,4096})?(?![A-Za-z0-9_\-])/g;

/** What a property name says about its value: a credential of some strength, or nothing. */
export interface SecretKey {
  readonly kind: SecretStrength | undefined;
  readonly last: string;
  readonly detector: string;
  /** A header whose value has a grammar of its own: `Authorization` (scheme and credentials), `Cookie` (pairs). */
  readonly header: "authorization" | "cookie" | undefined;
  /** The value is a secret by declaration (SSM's `SecureString`), whatever it looks like. */
  readonly declared: boolean;
}

/**
 * Credentials: vendor tokens by shape (AWS, GitHub, GitLab, Slack, OpenAI, Anthropic, Stripe, Google and ~40 more),
 * private-key blocks, JWTs (header decoded), passwords in URLs, basic-auth and bearer headers, `curl -u`, and
 * generic values under credential-named keys (in JSON, `key=value` text, headers and CLI flags) when their length
 * and entropy look random.
 */
export function secretsDetector(): Detector<SecretKey> {
  return {
    family: "secrets",
    forKey(words) {
      const kind = secretKeyKind(words);
      const last = words[words.length - 1] ?? "";
      const header = kind === undefined ? undefined : last === "authorization" ? "authorization" : last === "cookie" && (words.length === 1 || (words.length === 2 && words[0] === "set")) ? "cookie" : undefined;
      return { kind, last, detector: `key:${words.join("_")}`, header, declared: words.join("") === "securestring" };
    },
    readsQuietText: (key) => key.kind !== undefined,
    scan: function scanSecrets(text: string, _context: ScanContext, out: Match[], profile: TextProfile, key: SecretKey) {
      if (text.length < 6) return;
      // Every vendor shape is a token of `SHORTEST_VENDOR_TOKEN` or more characters; every assignment has `=`, `:`,
      // `,` or `--`.
      if (profile.maxRun >= SHORTEST_VENDOR_TOKEN) {
        const first = out.length;
        scanPrefixed(text, out, profile);
        // An AWS access key id: its secret access key is the 40-character run on its line (a CSV row, a table's).
        if (profile.maxRun >= 40) scanAwsSecretsBeside(text, out, first, out.length);
      }
      // Every context rule's secret (or its anchor, like `service_account`) is a token of 12 or more characters.
      if (profile.maxRun >= 12) scanContextRules(text, out, profile.maxRun, profile.chars);
      const chars = profile.chars;
      // A private-key block opens with `-----BEGIN`; a JWT has dots; headers and assignments have `:` or `=`.
      if ((chars & Char.dash) !== 0 && profile.maxRun >= 10 && profile.upper > 0) scanPrivateKeys(text, out);
      if (profile.maxRun >= 16 && (chars & Char.dot) !== 0 && text.includes("eyJ")) scanJwts(text, out);
      if ((chars & (Char.colon | Char.slash | Char.at)) === (Char.colon | Char.slash | Char.at)) {
        const scheme = text.indexOf("://");
        // A password in a URL sits before an `@` that follows the scheme.
        if (scheme >= 0 && text.indexOf("@", scheme) >= 0) scanUrlCredentials(text, out);
      }
      if ((chars & (Char.colon | Char.equals)) !== 0 && profile.maxRun >= 12 && (text.includes("uthorization") || text.includes("UTHORIZATION"))) scanAuthHeaders(text, out);
      if ((chars & (Char.colon | Char.equals)) !== 0 && (text.includes("ookie") || text.includes("OOKIE"))) scanCookieHeaders(text, out);
      if ((chars & Char.dash) !== 0 && (chars & (Char.space | Char.tab)) !== 0 && text.includes("-u")) scanCurlUsers(text, out);
      // A Kubernetes Secret manifest: `kind: Secret` and a `data:` (or `stringData:`) block.
      if ((chars & Char.colon) !== 0 && text.includes("kind:") && text.includes("ata:")) scanKubernetesSecrets(text, out);
      // A container's environment in YAML: `- name: DB_PASSWORD` and, on the next line, `value: …`.
      if ((chars & Char.colon) !== 0 && text.includes("name:") && text.includes("value:")) scanYamlNamedValues(text, out);
      // `.netrc`: `machine host login alice password …`.
      if (text.includes("password") && (text.includes("machine") || text.includes("default"))) scanNetrc(text, out);
      // `mysql -p…`, `sshpass -p …`, `redis-cli -a …`: short flags that only these commands read as a password.
      if ((chars & Char.dash) !== 0 && CLI_FLAG_HINT.test(text)) scanCliPasswords(text, out);
      // `,` separates a quoted key from its value only in calls like `get("api_token", "...")`.
      // and `<key>value</key>` has a `<`.
      if ((profile.assigns || (chars & Char.lessThan) !== 0 || (chars & (Char.comma | Char.quote)) === (Char.comma | Char.quote)) && mayAssign(text, chars)) scanAssignments(text, out);
      // A whole value under a credential-named key (JSON `{"password": "..."}`).
      if (key.kind) reportKeyedValue(text, key, out);
    },
  };
}

/**
 * A whole value under a credential-named key: `{"password": "…"}`; under `Authorization`, a scheme and credentials;
 * under `Cookie`, the session cookies; a `Bearer x` under any credential name; under a declared secret, any value.
 */
function reportKeyedValue(text: string, key: SecretKey, out: Match[]): void {
  if (key.header === "authorization") {
    reportAuthorizationValue(text, out);
    return;
  }
  if (key.header === "cookie") {
    reportCookies(text, 0, text.length, out);
    return;
  }
  const lead = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  if (key.declared) {
    if (end > lead && !isPlaceholder(text)) out.push({ class: "secret.password", start: lead, end, detector: key.detector, confidence: 0.85 });
    return;
  }
  if (looksLikeSecretValue(text, key.kind!, key.last)) {
    out.push({ class: key.kind === "password" ? "secret.password" : "secret.token", start: lead, end, detector: key.detector, confidence: 0.85 });
    return;
  }
  // `{"token": "Bearer x"}`: a scheme we know, then the credentials.
  const m = SCHEME_VALUE.exec(text);
  if (m !== null && AUTH_SCHEMES.has(m[1]!.toLowerCase())) reportAuthCredentials(m[1], m[2]!, end - m[2]!.length, out);
}

// Prefixes by their first character, longest first (the order `PREFIX_SCAN` tries them in).
const PREFIXES_BY_FIRST = new Map<number, typeof PREFIXES>();
for (const entry of PREFIXES) {
  const first = entry.prefix.charCodeAt(0);
  const list = PREFIXES_BY_FIRST.get(first) ?? [];
  list.push(entry);
  PREFIXES_BY_FIRST.set(first, list);
}

/**
 * Vendor tokens. A token lies inside a run of 20 or more token characters and starts where no letter, digit, `_` or
 * `-` precedes it: at the run's start or after a `.`, `+`, `/`, `=` or `~` inside it. Only there are the prefixes
 * compared and, where one matches, its rules' patterns run. Equivalent to searching `PREFIX_SCAN` over the text.
 */
/**
 * The shortest token a vendor rule takes: Stripe's `sk_live_` and ten characters (a Slack token takes 19). The fast
 * path skips shorter runs, so it must not be longer than any rule's shortest match (`test/classify/gates.test.ts`).
 */
const SHORTEST_VENDOR_TOKEN = 18;

function scanPrefixed(text: string, out: Match[], profile: TextProfile): void {
  const runs = profile.tokenRuns;
  if (runs < 0) {
    scanPrefixedEverywhere(text, out);
    return;
  }
  let next = 0;
  for (let r = 0; r < runs; r++) {
    const runEnd = profile.tokenEnd[r]!;
    for (let at = Math.max(profile.tokenStart[r]!, next); at <= runEnd - SHORTEST_VENDOR_TOKEN; at++) {
      if (at > profile.tokenStart[r]! && !isBoundaryCode(text.charCodeAt(at - 1))) continue;
      const entries = PREFIXES_BY_FIRST.get(text.charCodeAt(at));
      if (entries === undefined) continue;
      let longest = 0;
      for (const entry of entries) {
        if (text.startsWith(entry.prefix, at)) {
          longest = entry.prefix.length;
          break;
        }
      }
      if (longest === 0) continue;
      const end = tryPrefixRules(text, at, longest, entries, out);
      // After a token, or after a prefix that led nowhere, the search resumes past it (as `PREFIX_SCAN` would).
      next = end > 0 ? end : at + longest;
      at = next - 1;
    }
  }
}

/** Inside a token run, `.`, `+`, `/`, `=` and `~` end one token and may begin another. */
const isBoundaryCode = (c: number) => c === 46 || c === 43 || c === 47 || c === 61 || c === 126;

/** Tries the rules of every prefix (of at most `longest` characters) found at `at`; returns the token's end or 0. */
function tryPrefixRules(text: string, at: number, longest: number, entries: typeof PREFIXES, out: Match[]): number {
  for (const entry of entries) {
    if (entry.prefix.length > longest || !text.startsWith(entry.prefix, at)) continue;
    for (const { rule, pattern } of entry.rules) {
      if (rule.notAfter && at > 0 && rule.notAfter.includes(text[at - 1]!)) continue;
      pattern.lastIndex = at;
      const found = pattern.exec(text);
      if (!found) continue;
      const value = found[0];
      if (isPlaceholder(value) || isSequential(value) || (rule.minEntropy !== undefined && shannonEntropy(value) < rule.minEntropy)) continue;
      if (rule.check && !rule.check(value)) continue;
      out.push({ class: rule.class, start: at, end: at + value.length, detector: `shape:${rule.class.slice(7)}`, confidence: 0.95 });
      return at + value.length;
    }
  }
  return 0;
}

/** The same search by one regex pass, for texts with more long runs than the profile lists. */
function scanPrefixedEverywhere(text: string, out: Match[]): void {
  PREFIX_SCAN.lastIndex = 0;
  for (let m = PREFIX_SCAN.exec(text); m !== null; m = PREFIX_SCAN.exec(text)) {
    const at = m.index;
    const end = tryPrefixRules(text, at, m[0].length, PREFIXES_BY_FIRST.get(text.charCodeAt(at)) ?? [], out);
    if (end > 0) PREFIX_SCAN.lastIndex = end;
  }
}

/** Whether `value` opens with a distinctive vendor prefix (four characters or more) but fails every rule of it. */
function malformedVendorToken(value: string): boolean {
  const entries = PREFIXES_BY_FIRST.get(value.charCodeAt(0));
  if (entries === undefined) return false;
  for (const entry of entries) {
    if (entry.prefix.length < 4 || !value.startsWith(entry.prefix) || entry.rules.every(({ rule }) => rule.commonPrefix)) continue;
    const sink: Match[] = [];
    return tryPrefixRules(value, 0, entry.prefix.length, entries, sink) !== value.length;
  }
  return false;
}

function scanContextRules(text: string, out: Match[], maxRun: number, chars: number): void {
  for (const rule of CONTEXT_RULES) {
    if (rule.minRun !== undefined && maxRun < rule.minRun) continue;
    if (rule.chars !== undefined && (chars & rule.chars) !== rule.chars) continue;
    if (rule.anyChar !== undefined && (chars & rule.anyChar) === 0) continue;
    if (rule.minToken !== undefined && text.length < rule.minToken) continue;
    let hinted = false;
    for (const hint of rule.hints) {
      if (text.includes(hint)) {
        hinted = true;
        break;
      }
    }
    if (!hinted) continue;
    const sticky = STICKY_RULES.get(rule);
    if (sticky !== undefined) {
      scanAtHints(text, rule, sticky, out);
      continue;
    }
    const pattern = rule.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) reportContextMatch(rule, m, out);
  }
}

export const STICKY_RULES = new Map(CONTEXT_RULES.filter((rule) => rule.hintAt !== undefined).map((rule) => [rule, stickyCopy(rule.pattern)]));

/**
 * A rule's matches found by trying its pattern at the starts its hint allows (`hintAt` before each occurrence), in
 * ascending order and never twice: the matches of its search over the whole text.
 */
export function scanAtHints(text: string, rule: ContextRule, sticky: RegExp, out: Match[]): void {
  const [least, most] = rule.hintAt!;
  const hint = rule.hints[0]!;
  let next = 0;
  for (let h = text.indexOf(hint, least); h >= 0; h = text.indexOf(hint, h + 1)) {
    for (let start = Math.max(next, h - most); start <= h - least; start++) {
      next = start + 1;
      const m = matchAt(sticky, text, start);
      if (m === null) continue;
      next = start + m[0].length;
      reportContextMatch(rule, m, out);
      break;
    }
  }
}

/** Reports a rule's match unless its secret is a placeholder, too regular (entropy) or fails the rule's check. */
export function reportContextMatch(rule: ContextRule, m: RegExpExecArray, out: Match[]): void {
  const value = m[rule.group ?? 0] ?? "";
  if (value.length === 0) return;
  if (isPlaceholder(value) || (rule.minEntropy !== undefined && shannonEntropy(value) < rule.minEntropy)) return;
  if (rule.check && !rule.check(value)) return;
  const start = m.index + (rule.group ? m[0].indexOf(value) : 0);
  out.push({ class: rule.class, start, end: start + value.length, detector: `shape:${rule.class.slice(7)}`, confidence: 0.95 });
}

function scanPrivateKeys(text: string, out: Match[]): void {
  if (!text.includes("PRIVATE KEY")) return;
  PRIVATE_KEY_BEGIN.lastIndex = 0;
  for (let m = PRIVATE_KEY_BEGIN.exec(text); m !== null; m = PRIVATE_KEY_BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const endMarker = text.indexOf("-----END", bodyStart);
    const bodyEnd = endMarker === -1 ? Math.min(text.length, bodyStart + 8192) : endMarker;
    // A real key has a base64 body; `anything` or an empty block between the markers is documentation.
    let base64Chars = 0;
    for (let i = bodyStart; i < bodyEnd; i++) {
      const c = text.charCodeAt(i);
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47) base64Chars++;
    }
    if (base64Chars < 40) continue;
    const close = endMarker === -1 ? bodyEnd : text.indexOf("-----", endMarker + 8);
    const end = close === -1 ? bodyEnd : close + 5;
    out.push({ class: "secret.private_key", start: m.index, end, detector: "shape:private_key", confidence: 0.99 });
    PRIVATE_KEY_BEGIN.lastIndex = end;
  }
}

function scanJwts(text: string, out: Match[]): void {
  JWT.lastIndex = 0;
  for (let m = JWT.exec(text); m !== null; m = JWT.exec(text)) {
    const header = decodeBase64Url(m[0].slice(0, m[0].indexOf(".")));
    // A JWT's header is a JSON object naming its algorithm or type; anything else only starts like one.
    let valid = false;
    if (header !== undefined) {
      try {
        const parsed = JSON.parse(header) as unknown;
        valid = typeof parsed === "object" && parsed !== null && ("alg" in parsed || "typ" in parsed);
      } catch {
        valid = false;
      }
    }
    if (valid) out.push({ class: "secret.jwt", start: m.index, end: m.index + m[0].length, detector: "jwt:header", confidence: 0.95 });
  }
}

function decodeBase64Url(part: string): string | undefined {
  if (part.length > 4096) return undefined;
  try {
    return Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  } catch {
    return undefined;
  }
}

/** `[A-Za-z0-9+.\-]`: what a URL scheme is made of. */
function isSchemeCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
}

/**
 * A match starts where the run of scheme characters before its `://` starts (the lookbehind), 2 to 21 long: one
 * place to try per `://` (see sticky.ts).
 */
export function scanUrlCredentials(text: string, out: Match[]): void {
  let done = 0;
  for (let colon = text.indexOf("://"); colon >= 0; colon = text.indexOf("://", colon + 1)) {
    let scheme = colon;
    while (scheme > 0 && colon - scheme <= 21 && isSchemeCode(text.charCodeAt(scheme - 1))) scheme--;
    if (colon - scheme < 2 || colon - scheme > 21 || scheme < done) continue;
    const m = matchAt(URL_CREDENTIALS_AT, text, scheme);
    if (m === null) continue;
    done = scheme + m[0].length;
    reportUrlCredentials(m, out);
  }
}

/**
 * Reports the password of a `URL_CREDENTIALS` match unless it is a template, and a user that is a token by its looks
 * (`https://<token>@git.example.com`, `https://<token>:x-oauth-basic@github.com`).
 */
export function reportUrlCredentials(m: RegExpExecArray, out: Match[]): void {
  const user = m[1] ?? "";
  const password = m[2];
  if (userIsToken(user)) {
    const start = m.index + m[0].indexOf("://") + 3;
    out.push({ class: "secret.url_password", start, end: start + user.length, detector: "url:userinfo", confidence: 0.9 });
  }
  if (password === undefined || isTemplate(password)) return;
  const start = m.index + m[0].indexOf(`:${password}@`) + 1;
  out.push({ class: "secret.url_password", start, end: start + password.length, detector: "url:userinfo", confidence: 0.9 });
}

/** A URL's user that is a credential: 20 or more random letters and digits (`git`, `alice`, `jane.doe` are names). */
function userIsToken(user: string): boolean {
  if (user.length < 20 || !/^[A-Za-z0-9_\-]+$/.test(user) || isPlaceholder(user)) return false;
  // Words joined by dashes or underscores name an account (`deploy-bot-readonly-2024`); a token has one long run.
  if (!/[A-Za-z0-9]{16}/.test(user)) return false;
  let classes = 0;
  if (/[a-z]/.test(user)) classes++;
  if (/[A-Z]/.test(user)) classes++;
  if (/[0-9]/.test(user)) classes++;
  return classes >= 2 && shannonEntropy(user) >= 3.5;
}

function scanAuthHeaders(text: string, out: Match[]): void {
  AUTH_HEADER.lastIndex = 0;
  for (let m = AUTH_HEADER.exec(text); m !== null; m = AUTH_HEADER.exec(text)) {
    const value = m[2] ?? "";
    reportAuthCredentials(m[1], value, m.index + m[0].length - value.length, out);
  }
}

/**
 * The credentials of an Authorization value, after its scheme (`Bearer`, `token`, `Basic`; any case), or alone. With a
 * scheme we know, a value of some randomness is the secret; after a word we do not know (or none), the value must look
 * like a token by itself, so `Authorization: required for this call` is prose. Returns whether it reported one.
 */
function reportAuthCredentials(scheme: string | undefined, value: string, start: number, out: Match[]): boolean {
  if (isPlaceholder(value) || isTemplate(value)) return false;
  const lower = scheme?.toLowerCase();
  if (lower === "basic") {
    // A server's challenge (`Basic realm="Restricted"`), not credentials.
    if (value.includes("=\"") || value.toLowerCase().startsWith("realm")) return false;
    const decoded = decodeBase64Url(value.replace(/=+$/, ""));
    // `user:password` once decoded; a long opaque value after `Basic` is a credential all the same.
    const userPass = decoded !== undefined && decoded.includes(":") && /^[\x20-\x7e]+$/.test(decoded);
    if (!userPass && !(value.length >= 16 && shannonEntropy(value) >= 3.5)) return false;
    out.push({ class: "secret.basic_auth", start, end: start + value.length, detector: "header:basic", confidence: 0.9 });
    return true;
  }
  if (value.startsWith("eyJ")) return false; // the JWT scan reports it with a better class
  if (lower !== undefined && AUTH_SCHEMES.has(lower)) {
    // A word after a scheme (`Bearer required`) is prose; a token is rarely all lowercase letters.
    if (value.length < 8 || shannonEntropy(value) < 2.5 || (/^[a-z]+$/.test(value) && value.length < 20)) return false;
  } else if (lower !== undefined) {
    if (!looksLikeSecretValue(value, "token")) return false;
  } else if (AUTH_SCHEMES.has(value.toLowerCase()) || value.length < 8 || shannonEntropy(value) < 2.5 || (/^[a-z]+$/.test(value) && value.length < 20)) {
    return false;
  }
  out.push({ class: "secret.bearer_token", start, end: start + value.length, detector: "header:authorization", confidence: 0.85 });
  return true;
}

/**
 * A whole value under an `Authorization` key (JSON request logs, HAR headers): the header's grammar, a scheme and its
 * credentials. Credentials of auth-params (`Digest username="…", response="…"`, `AWS4-HMAC-SHA256 Credential=…`) are
 * reported whole.
 */
function reportAuthorizationValue(text: string, out: Match[]): void {
  let start = 0;
  let end = text.length;
  while (start < end && isSpaceCode(text.charCodeAt(start))) start++;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  const value = text.slice(start, end);
  const m = AUTH_VALUE.exec(value);
  if (m === null) {
    reportAuthCredentials(undefined, value, start, out);
    return;
  }
  const scheme = m[1]!;
  const credentials = m[2]!;
  const at = start + value.length - credentials.length;
  if (!/[\s,]/.test(credentials)) {
    reportAuthCredentials(scheme, credentials, at, out);
    return;
  }
  // Auth-params: a scheme we know, or a value of `name=value` pairs after one we do not.
  if (!AUTH_SCHEMES.has(scheme.toLowerCase()) && !/^[A-Za-z][\w\-]{0,40}=/.test(credentials)) return;
  if (credentials.length < 8 || isPlaceholder(credentials)) return;
  out.push({ class: "secret.bearer_token", start: at, end: at + credentials.length, detector: "header:authorization", confidence: 0.85 });
}

const AUTH_VALUE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~\-]{0,39})[ \t]+(\S[\s\S]{0,4095})$/;
/** A value that opens with a scheme we know and one token after it: `Bearer x`, `token x`. */
const SCHEME_VALUE = /^[ \t]*([A-Za-z][A-Za-z\-]{1,20})[ \t]+([^\s]{6,4096})[ \t]*$/;

/** The cookies of a `Cookie` (or `Set-Cookie`) value in `[start, end)` that hold a session or a credential. */
function reportCookies(text: string, start: number, end: number, out: Match[]): void {
  let p = start;
  while (p < end) {
    while (p < end && (isSpaceCode(text.charCodeAt(p)) || text.charCodeAt(p) === 59)) p++;
    if (p >= end) break;
    let pairEnd = p;
    let equals = -1;
    for (; pairEnd < end && text.charCodeAt(pairEnd) !== 59; pairEnd++) if (equals < 0 && text.charCodeAt(pairEnd) === 61) equals = pairEnd;
    const hasName = equals >= 0;
    const name = hasName ? text.slice(p, equals).trim() : "";
    let valueStart = hasName ? equals + 1 : p;
    let valueEnd = pairEnd;
    while (valueStart < valueEnd && isSpaceCode(text.charCodeAt(valueStart))) valueStart++;
    while (valueEnd > valueStart && isSpaceCode(text.charCodeAt(valueEnd - 1))) valueEnd--;
    // A quoted cookie value (RFC 6265 allows one): the quotes are not part of it.
    if (valueEnd - valueStart >= 2 && text.charCodeAt(valueStart) === 34 && text.charCodeAt(valueEnd - 1) === 34) {
      valueStart++;
      valueEnd--;
    }
    const value = text.slice(valueStart, valueEnd);
    if (cookieIsSecret(name, value)) out.push({ class: "secret.token", start: valueStart, end: valueEnd, detector: "header:cookie", confidence: 0.8 });
    p = pairEnd + 1;
  }
}

/** A session-like cookie: a random-looking value, or one of some randomness under a session's name (not `theme=dark`). */
function cookieIsSecret(name: string, value: string): boolean {
  if (value.length < 8 || value.length > 4096 || /\s/.test(value) || isPlaceholder(value)) return false;
  const lower = name.toLowerCase();
  if (COOKIE_ATTRIBUTES.has(lower) || lower.includes("csrf") || lower.includes("xsrf")) return false;
  if (SESSION_COOKIE.test(name)) return looksLikeSecretValue(value, "token") || (charClasses(value) >= 2 && shannonEntropy(value) >= 3);
  // Under any other name (analytics ids `GA1.1.1234567890.1714560000`, escaped preferences, timestamps), only a value
  // shaped like a token: long, random, one run of token characters.
  return !ANALYTICS_COOKIE.test(name) && value.length >= 20 && TOKEN_SHAPED.test(value) && shannonEntropy(value) >= 3.5 && looksLikeSecretValue(value, "token");
}

/** Cookies analytics and consent tools set: ids of a visitor, never a credential. */
const ANALYTICS_COOKIE = /^(?:_ga|_gid|_gat|_gcl|_fbp|_fbc|_hj|_clck|_clsk|_uet|ajs_|amplitude|mp_|optimizely|consent|cookieconsent|OptanonConsent)/i;
/** One run of letters, digits and `-_.~+/=` with letters and digits both, no `%XX` escape and no date or dotted-number shape. */
const TOKEN_SHAPED = /^(?=[^%]*$)(?=.*[A-Za-z])(?=.*[0-9])(?![0-9.:TZ-]+$)[A-Za-z0-9\-_.~+/=]+$/;

function scanCookieHeaders(text: string, out: Match[]): void {
  COOKIE_HEADER.lastIndex = 0;
  for (let m = COOKIE_HEADER.exec(text); m !== null; m = COOKIE_HEADER.exec(text)) {
    const start = m.index + m[0].length;
    let end = start;
    // To the line's end, a quote or a backslash (an escaped quote in JSON text).
    while (end < text.length && end - start < 8192) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13 || c === 34 || c === 39 || c === 92) break;
      end++;
    }
    reportCookies(text, start, end, out);
    COOKIE_HEADER.lastIndex = end;
  }
}

function scanCurlUsers(text: string, out: Match[]): void {
  CURL_USER.lastIndex = 0;
  for (let m = CURL_USER.exec(text); m !== null; m = CURL_USER.exec(text)) {
    const user = m[2] ?? m[5] ?? "";
    const password = m[3] ?? m[7] ?? "";
    // `-u ":token"` and `-u "token:"` are both how APIs take a bare token.
    const secret = password.length > 0 ? password : user;
    if (secret.length < 4 || isTemplate(secret) || isPlaceholder(secret) || (user.length > 0 && isTemplate(user))) continue;
    const start = m.index + m[0].lastIndexOf(secret);
    out.push({ class: "secret.basic_auth", start, end: start + secret.length, detector: "curl:user", confidence: 0.85 });
  }
}

const isIdentCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
const OPERATORS = [":::=", "::=", ":=", "?=", "=>", "==", ".=", "+=", "=", ":", ","] as const;
// A declared type between a name and its value: `var apiToken string = "…"`, `apiKey: string = "…"`.
const TYPE_THEN_EQUALS = /[A-Za-z_][\w.<>\[\]]{0,30}[ \t]{1,5}=(?![=>])[ \t]{0,5}/y;
/** What ends an unquoted value: a space, a line's end, a quote. */
const VALUE_STOP = new Set([32, 9, 10, 13, 34, 39, 96]);
/**
 * What ends an unquoted value only where the value ends there: `,` `;` `<` `>` `(` `)` `{` `}` before the next
 * assignment (`Password=x;Encrypt=true`), a tag, a space or the end (`f(password=x)`); inside a run that goes on
 * (`DB_PASSWORD=C3J27X;DCG2LmlZGE`), they are part of the password.
 */
const SOFT_STOP = new Set([44, 59, 60, 62, 40, 41, 123, 125]);
/** The most spaces between a name and its operator, or the operator and its value (`terraform fmt` aligns them). */
const ALIGN = 40;

const KEY_HINT_IN = /pass|pwd|secret|token|key|auth|cred|bearer|dsn|cookie|session|login/i;

/** Whether the identifier that ends at `end` (its last 96 characters) holds a credential word (three letters or more). */
function hintedKeyEndsAt(text: string, end: number): boolean {
  let start = end;
  let letters = 0;
  while (start > 0 && end - start < 96 && isIdentCode(text.charCodeAt(start - 1))) {
    start--;
    if ((text.charCodeAt(start) | 32) >= 97 && (text.charCodeAt(start) | 32) <= 122) letters++;
  }
  return letters >= 3 && KEY_HINT_IN.test(text.slice(start, end));
}

/**
 * A cheap test that `scanAssignments` can find something: some identifier holding a credential word is followed, past
 * an optional quote and up to five spaces, by an operator (`:`, `=`, `?=`, or `,` after a quoted key), or is a flag
 * (an identifier with a `-`) followed by a space. Prose with a colon or a comma rarely passes.
 */
function mayAssign(text: string, chars: number): boolean {
  for (const operator of ASSIGNMENT_STARTS) {
    if ((chars & OPERATOR_CHARS[operator]) === 0) continue;
    for (let at = text.indexOf(operator); at >= 0; at = text.indexOf(operator, at + 1)) {
      let p = at;
      // `.=` and `+=` append to the name before them.
      if (operator === "=" && p > 0 && (text.charCodeAt(p - 1) === 46 || text.charCodeAt(p - 1) === 43)) p--;
      while (p > 0 && at - p <= ALIGN && (text.charCodeAt(p - 1) === 32 || text.charCodeAt(p - 1) === 9)) p--;
      const quote = p > 0 ? text.charCodeAt(p - 1) : 0;
      const quoted = quote === 34 || quote === 39 || quote === 96;
      if (operator === "," && quote !== 34 && quote !== 39) continue;
      if (hintedKeyEndsAt(text, quoted ? p - 1 : p)) return true;
      if (operator === "=" && !quoted && (hintedKeyBeforeType(text, p) || hintedNameAfter(text, at + 1))) return true;
    }
  }
  if ((chars & Char.lessThan) !== 0 && mayHoldElement(text)) return true;
  if ((chars & Char.dash) === 0) return false;
  // A flag's identifier ends where its run of identifier characters ends, within 96 characters of its `-`.
  let runEnd = -1;
  for (let at = text.indexOf("-"); at >= 0; at = text.indexOf("-", at + 1)) {
    if (at >= runEnd) {
      runEnd = at + 1;
      while (runEnd < text.length && isIdentCode(text.charCodeAt(runEnd))) runEnd++;
    }
    if (runEnd - at > 96) continue;
    const quote = text.charCodeAt(runEnd);
    const after = quote === 34 || quote === 39 || quote === 96 ? text.charCodeAt(runEnd + 1) : quote;
    if ((after === 32 || after === 9) && hintedKeyEndsAt(text, runEnd)) return true;
    // Every `-` up to the identifier's end shares that end.
    at = runEnd;
  }
  return false;
}

/** Whether a credential-named identifier, a space and a type name end at `end` (`apiToken string`). */
function hintedKeyBeforeType(text: string, end: number): boolean {
  let p = end;
  while (p > 0 && end - p <= 30 && isIdentCode(text.charCodeAt(p - 1))) p--;
  if (p === end || p === 0 || (text.charCodeAt(p - 1) !== 32 && text.charCodeAt(p - 1) !== 9)) return false;
  return hintedKeyEndsAt(text, p - 1);
}

/** Whether a quoted name holding a credential word starts at `start`, past up to five spaces: `name="db.password"`. */
function hintedNameAfter(text: string, start: number): boolean {
  let p = start;
  while (p < text.length && p - start < 5 && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  const quote = text.charCodeAt(p);
  if (quote !== 34 && quote !== 39) return false;
  let end = p + 1;
  while (end < text.length && end - p <= 96 && (isIdentCode(text.charCodeAt(end)) || text.charCodeAt(end) === 58)) end++;
  return text.charCodeAt(end) === quote && hintedKeyEndsAt(text, end);
}

/**
 * `<add key="ApiKey" value="…"/>`, `<property name="db.password" value="…"/>`: a setting named in one attribute of an
 * element (.NET and NuGet configuration, Spring and Ant XML) and valued in the next. `quoteAt` is the opening quote of
 * the credential-named attribute value, `nameEnd` its closing quote. Reports the `value` attribute's text when it
 * looks like a credential. Returns whether it read such a pair; when not, the caller reads the name as it would any.
 */
function reportNamedAttribute(text: string, quoteAt: number, nameEnd: number, kind: SecretStrength, words: readonly string[], out: Match[]): boolean {
  let p = quoteAt;
  while (p > 0 && quoteAt - p < 5 && (text.charCodeAt(p - 1) === 32 || text.charCodeAt(p - 1) === 9)) p--;
  if (p === 0 || text.charCodeAt(p - 1) !== 61) return false;
  p--;
  while (p > 0 && quoteAt - p < 10 && (text.charCodeAt(p - 1) === 32 || text.charCodeAt(p - 1) === 9)) p--;
  if (!ATTRIBUTE_NAME.test(text.slice(Math.max(0, p - 5), p))) return false;
  let value = matchAt(VALUE_ATTRIBUTE, text, nameEnd + 1);
  // Where group 2 ends: before the closing quote, or (element text) where the match ends.
  let valueEnd = VALUE_ATTRIBUTE.lastIndex - 1;
  if (value === null) {
    // `<entry key="jdbc.password">…</entry>`, `<setting name="ApiKey"><value>…</value></setting>`: the element's text.
    value = matchAt(ELEMENT_TEXT, text, nameEnd + 1);
    if (value === null) return false;
    valueEnd = ELEMENT_TEXT.lastIndex;
  }
  let valueStart = valueEnd - value[2]!.length;
  while (valueStart < valueEnd && isSpaceCode(text.charCodeAt(valueStart))) valueStart++;
  while (valueEnd > valueStart && isSpaceCode(text.charCodeAt(valueEnd - 1))) valueEnd--;
  const secret = text.slice(valueStart, valueEnd);
  if (!looksLikeSecretValue(secret, kind, words[words.length - 1])) return true;
  out.push({ class: kind === "password" ? "secret.password" : "secret.token", start: valueStart, end: valueEnd, detector: `attribute:${words.join("_")}`, confidence: 0.8 });
  return true;
}

/** The attribute that names a setting, ending where its `=` is: `key`, `name`, after a space. */
const ATTRIBUTE_NAME = /(?:^|[\s])(?:key|name)$/i;
/** The attribute that values it, after the name's closing quote: ` value="…"` on the same element. */
const VALUE_ATTRIBUTE = /[ \t\r\n]{1,16}value[ \t]{0,5}=[ \t]{0,5}(["'])([^"'\n<>]{1,512})\1/iy;
/** Or the element's own text, right after the name, up to the closing tag (group 2, spaces around it included). */
const ELEMENT_TEXT = /()[ \t]{0,5}>(?:[ \t\r\n]{0,64}<value>)?([^<]{1,512})(?=<\/)/iy;

/** Whether some element is named with a credential word: `<apiToken>`, `<password>`. */
function mayHoldElement(text: string): boolean {
  for (let at = text.indexOf("<"); at >= 0; at = text.indexOf("<", at + 1)) {
    let end = at + 1;
    while (end < text.length && end - at <= 96 && isIdentCode(text.charCodeAt(end))) end++;
    if (end > at + 1 && text.charCodeAt(end) === 62 && hintedKeyEndsAt(text, end)) return true;
  }
  return false;
}

const ASSIGNMENT_STARTS = [":", "=", "?", ","] as const;
// `?` has no bit of its own: `?=` holds an `=`.
const OPERATOR_CHARS: Record<(typeof ASSIGNMENT_STARTS)[number], number> = { ":": Char.colon, "=": Char.equals, "?": Char.equals, ",": Char.comma };

/** The text of `<key>…</key>` from `start` (trimmed, on one or more lines), when it looks like a credential. */
function reportElement(text: string, key: string, start: number, kind: SecretStrength, words: readonly string[], out: Match[]): void {
  const close = text.indexOf("<", start);
  if (close < 0 || close - start > 1024 || !text.startsWith(`</${key}>`, close)) return;
  let valueStart = start;
  let valueEnd = close;
  while (valueStart < valueEnd && isSpaceCode(text.charCodeAt(valueStart))) valueStart++;
  while (valueEnd > valueStart && isSpaceCode(text.charCodeAt(valueEnd - 1))) valueEnd--;
  const value = text.slice(valueStart, valueEnd);
  if (valueEnd <= valueStart || !looksLikeSecretValue(value, kind, words[words.length - 1])) return;
  out.push({ class: kind === "password" ? "secret.password" : "secret.token", start: valueStart, end: valueEnd, detector: `element:${words.join("_")}`, confidence: 0.8 });
}

const isSpaceCode = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** Where an unquoted value that starts at `start` ends (see `VALUE_STOP` and `SOFT_STOP`). */
/** Characters an unquoted value is read to at most. */
const MAX_UNQUOTED_VALUE = 512;

function unquotedValueEnd(text: string, start: number): number {
  const open = text.charCodeAt(start);
  // A value that opens with a bracket ends with the bracket that closes it (`{SumoAccessKey}`, `<password>`).
  const close = open === 123 ? 125 : open === 40 ? 41 : open === 60 ? 62 : open === 91 ? 93 : -1;
  let at = false;
  let end = start;
  while (end < text.length && end - start < MAX_UNQUOTED_VALUE) {
    const c = text.charCodeAt(end);
    if (VALUE_STOP.has(c)) break;
    if (c === close) return end + 1;
    // `token@github.com/…`: the first `@` of the value, before a host and a path or a port.
    if (c === 64 && end > start && !at) {
      at = true;
      if (matchAt(HOST_AFTER_AT, text, end + 1) !== null) break;
    }
    if (SOFT_STOP.has(c) && softStopEnds(text, end)) break;
    end++;
  }
  return end;
}

/** A host after a value's `@`, then a path or a port: `@github.com/org/repo`, `@db.internal:5432`. */
const HOST_AFTER_AT = /[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}\.){1,8}[A-Za-z]{2,63}(?:\/|:[0-9])/y;
/** What follows a soft stop when the value ends there: another `name=` or `name:`. */
const NEXT_NAME = /[A-Za-z_][\w.\-]{0,63}[ \t]{0,5}[:=]/y;
/** Or, at a `<`, a tag: `</td>`, `<br>`, `<br/>`. */
const TAG = /<\/?[A-Za-z][\w\-]{0,30}[\s>\/]/y;

/**
 * Whether the value ends at the soft stop at `at`: the stops run to a space, a quote or the end (`x);`, `x,`), or the
 * next name or a tag follows them (`x;Encrypt=true`, `x</td>`).
 */
function softStopEnds(text: string, at: number): boolean {
  if (text.charCodeAt(at) === 60 && matchAt(TAG, text, at) !== null) return true;
  let p = at;
  while (p < text.length && p - at < 16 && SOFT_STOP.has(text.charCodeAt(p))) p++;
  if (p >= text.length || p - at >= 16 || VALUE_STOP.has(text.charCodeAt(p))) return true;
  return matchAt(NEXT_NAME, text, p) !== null;
}

/**
 * `key: |` (or `>`, with chomping and indentation indicators) at `at`: a YAML block scalar, whose lines are those
 * below more indented than the line of the key (starting at `keyStart`). Returns where its last line's text ends, or
 * 0 when this is no block scalar.
 */
function blockScalarEnd(text: string, keyStart: number, at: number): number {
  let p = at + 1;
  while (p < text.length && p - at <= 2 && /[+\-1-9]/.test(text[p]!)) p++;
  while (p < text.length && p - at < 64 && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
  if (text.charCodeAt(p) === 35) while (p < text.length && p - at < 256 && text.charCodeAt(p) !== 10) p++; // a comment
  if (text.charCodeAt(p) === 13) p++;
  if (text.charCodeAt(p) !== 10) return 0;
  const lineStart = text.lastIndexOf("\n", keyStart) + 1;
  let indent = 0;
  while (lineStart + indent < keyStart && (text.charCodeAt(lineStart + indent) === 32 || text.charCodeAt(lineStart + indent) === 45)) indent++;
  let end = 0;
  let line = p + 1;
  for (let lines = 0; line < text.length && lines < 64 && line - p < 4096; lines++) {
    let q = line;
    while (q < text.length && q - p < 4096 && text.charCodeAt(q) === 32) q++;
    let lineEnd = q;
    while (lineEnd < text.length && lineEnd - p < 4096 && text.charCodeAt(lineEnd) !== 10) lineEnd++;
    let textEnd = lineEnd;
    while (textEnd > q && isSpaceCode(text.charCodeAt(textEnd - 1))) textEnd--;
    if (textEnd > q) {
      if (q - line <= indent) break;
      end = textEnd;
    }
    line = lineEnd + 1;
  }
  return end;
}

/**
 * `key = value`, `key: "value"`, `KEY := value`, `"key": "value"`, `key => 'value'`, `--key value`, `("key", "value")`,
 * `var key string = "value"`, `$key .= "value"`, `<key>value</key>` in free text. Parsed by hand from each credential
 * word outward, so prose costs one regex pass and no allocation.
 */
function scanAssignments(text: string, out: Match[]): void {
  KEY_HINT.lastIndex = 0;
  for (let m = KEY_HINT.exec(text); m !== null; m = KEY_HINT.exec(text)) {
    let s = m.index;
    while (s > 0 && m.index - s < 64 && isIdentCode(text.charCodeAt(s - 1))) s--;
    let e = m.index + m[0].length;
    while (e < text.length && e - s < 96 && isIdentCode(text.charCodeAt(e))) e++;
    KEY_HINT.lastIndex = e;
    const flag = text.charCodeAt(s) === 45; // `--token value`
    const key = text.slice(s, e);
    const words = keyWords(key);
    const kind = secretKeyKind(words);
    if (!kind) continue;
    let p = e;
    if (s > 0 && text.charCodeAt(s - 1) === 60 && text.charCodeAt(e) === 62) {
      // `<apiToken>value</apiToken>`: the element's text, on its line or the next ones.
      reportElement(text, key, e + 1, kind, words, out);
      continue;
    }
    // `https://x-access-token:TOKEN@github.com`: a URL's user and password, which the URL scan reports.
    if (s >= 3 && text.startsWith("://", s - 3)) continue;
    // `Cookie: a=b; c=d`: the cookie scan reads each pair.
    if (words[words.length - 1] === "cookie" && (words.length === 1 || (words.length === 2 && words[0] === "set"))) continue;
    const keyQuote = text.charCodeAt(p);
    if (keyQuote === 34 || keyQuote === 39) {
      // `key="ClientSecret"`, or with a prefix: `key="ida:ClientSecret"`, `name="Stripe:ApiKey"`.
      let nameStart = s;
      while (nameStart > 0 && s - nameStart < 64 && (isIdentCode(text.charCodeAt(nameStart - 1)) || text.charCodeAt(nameStart - 1) === 58)) nameStart--;
      if (nameStart > 0 && text.charCodeAt(nameStart - 1) === keyQuote && reportNamedAttribute(text, nameStart - 1, e, kind, words, out)) continue;
    }
    if (keyQuote === 34 || keyQuote === 39 || keyQuote === 96) p++;
    const afterKey = p;
    while (p < text.length && p - afterKey < ALIGN && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    let operator = OPERATORS.find((op) => text.startsWith(op, p));
    // `("api_token", "value")` passes a credential; in `a_key, b_key` the comma only separates names.
    if (operator === "," && !(keyQuote === 34 || keyQuote === 39)) continue;
    if (operator) p += operator.length;
    else if (p > afterKey && matchAt(TYPE_THEN_EQUALS, text, p) !== null) {
      // `var apiToken string = "…"`: a declared type, then `=`.
      operator = "=";
      p = TYPE_THEN_EQUALS.lastIndex;
    } else if (!flag || p === afterKey) continue;
    const afterOperator = p;
    while (p < text.length && p - afterOperator < ALIGN && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
    // `apiKey: string = "…"`: the type comes after the colon.
    if (operator === ":" && matchAt(TYPE_THEN_EQUALS, text, p) !== null) p = TYPE_THEN_EQUALS.lastIndex;
    let valueStart = p;
    let valueEnd: number;
    let value: string;
    const quote = text.charCodeAt(p);
    if (quote === 34 || quote === 39 || quote === 96) {
      valueStart = p + 1;
      valueEnd = valueStart;
      while (valueEnd < text.length && valueEnd - valueStart < 256 && text.charCodeAt(valueEnd) !== quote && text.charCodeAt(valueEnd) !== 10) valueEnd++;
      if (text.charCodeAt(valueEnd) !== quote) continue;
      value = text.slice(valueStart, valueEnd);
    } else if (operator === ":" && (quote === 124 || quote === 62) && (valueEnd = blockScalarEnd(text, s, p)) > 0) {
      // `password: |` and the lines below it, more indented than the key.
      while (valueStart < valueEnd && text.charCodeAt(valueStart) !== 10) valueStart++;
      while (valueStart < valueEnd && isSpaceCode(text.charCodeAt(valueStart))) valueStart++;
      value = text.slice(valueStart, valueEnd).replace(/[ \t]*\r?\n[ \t]*/g, "");
    } else {
      valueEnd = unquotedValueEnd(text, valueStart);
      value = text.slice(valueStart, valueEnd);
    }
    if (valueEnd <= valueStart) continue;
    if (!looksLikeSecretValue(value, kind, words[words.length - 1])) {
      // A refused value that ran to the bound, without a stop, is one blob (`pwd=pwd=pwd=…`): the key names inside it
      // would each read the same stretch again, 128 reads per character.
      if (valueEnd - valueStart >= MAX_UNQUOTED_VALUE) KEY_HINT.lastIndex = valueEnd;
      continue;
    }
    out.push({ class: kind === "password" ? "secret.password" : "secret.token", start: valueStart, end: valueEnd, detector: `assign:${words.join("_")}`, confidence: 0.8 });
    KEY_HINT.lastIndex = valueEnd;
  }
}

/** A run of 40 characters of an AWS secret access key, alone between separators. */
const AWS_SECRET_RUN = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/**
 * The secret access key beside an access key id found in `out[from, to)`: a random 40-character run of `[A-Za-z0-9/+]`
 * on the id's line, within 1024 characters of it (the IAM console's credentials CSV, a Markdown table of keys).
 */
function scanAwsSecretsBeside(text: string, out: Match[], from: number, to: number): void {
  let done = 0;
  for (let i = from; i < to; i++) {
    const id = out[i]!;
    if (id.class !== "secret.aws_access_key") continue;
    let lineStart = id.start;
    while (lineStart > done && id.start - lineStart < 1024 && text.charCodeAt(lineStart - 1) !== 10) lineStart--;
    let lineEnd = id.end;
    while (lineEnd < text.length && lineEnd - id.end < 1024 && text.charCodeAt(lineEnd) !== 10) lineEnd++;
    if (lineEnd <= lineStart) continue;
    done = lineEnd;
    const line = text.slice(lineStart, lineEnd);
    AWS_SECRET_RUN.lastIndex = 0;
    for (let m = AWS_SECRET_RUN.exec(line); m !== null; m = AWS_SECRET_RUN.exec(line)) {
      const value = m[0];
      if (!/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/[0-9]/.test(value) || shannonEntropy(value) < 4 || isPlaceholder(value)) continue;
      const start = lineStart + m.index;
      out.push({ class: "secret.aws_secret_key", start, end: start + 40, detector: "shape:aws_secret_key", confidence: 0.9 });
    }
  }
}

/**
 * `- name: DB_PASSWORD` then `value: "…"` on the next line, at the same column: an environment variable of a container
 * (Kubernetes, Compose, Helm values). The value is judged as if the name were its key.
 */
const YAML_NAMED_VALUE = /^([ \t]*(?:-[ \t]+)?)name:[ \t]*(["']?)([A-Za-z_][\w.\-/]{0,127})\2[ \t]*\r?\n([ \t]*)value:[ \t]*([^\r\n]{1,1024})/gm;

function scanYamlNamedValues(text: string, out: Match[]): void {
  YAML_NAMED_VALUE.lastIndex = 0;
  for (let m = YAML_NAMED_VALUE.exec(text); m !== null; m = YAML_NAMED_VALUE.exec(text)) {
    if (m[4]!.length !== m[1]!.length) continue;
    const words = keyWords(m[3]!);
    const kind = secretKeyKind(words);
    if (!kind) continue;
    const raw = m[5]!;
    let valueStart = m.index + m[0].length - raw.length;
    let valueEnd: number;
    const quote = raw.charCodeAt(0);
    if (quote === 34 || quote === 39) {
      const close = raw.indexOf(raw[0]!, 1);
      if (close < 0) continue;
      valueEnd = valueStart + close;
      valueStart++;
    } else {
      // To a comment or the line's end.
      const comment = raw.indexOf(" #");
      let length = comment < 0 ? raw.length : comment;
      while (length > 0 && isSpaceCode(raw.charCodeAt(length - 1))) length--;
      valueEnd = valueStart + length;
    }
    const value = text.slice(valueStart, valueEnd);
    if (valueEnd <= valueStart || !looksLikeSecretValue(value, kind, words[words.length - 1])) continue;
    out.push({ class: kind === "password" ? "secret.password" : "secret.token", start: valueStart, end: valueEnd, detector: `named:${words.join("_")}`, confidence: 0.8 });
  }
}

/** Where a `.netrc` entry starts: `machine <host>`, or `default`. */
const NETRC_ENTRY = /(?<![\w.\-])(?:machine|default)(?![\w.\-])/g;
const NETRC_KEYWORDS = new Set(["login", "password", "account", "port", "machine", "default", "macdef"]);

/** `.netrc` entries: the token after `password`, among the tokens (on one line or many) that follow `machine <host>`. */
function scanNetrc(text: string, out: Match[]): void {
  NETRC_ENTRY.lastIndex = 0;
  for (let m = NETRC_ENTRY.exec(text); m !== null; m = NETRC_ENTRY.exec(text)) {
    let p = m.index + m[0].length;
    // The host, after `machine`.
    if (m[0] === "machine") {
      const host = netrcToken(text, p);
      if (host === undefined || NETRC_KEYWORDS.has(host.text)) continue;
      p = host.end;
    }
    for (let pairs = 0; pairs < 8; pairs++) {
      const keyword = netrcToken(text, p);
      if (keyword === undefined || !NETRC_KEYWORDS.has(keyword.text) || keyword.text === "machine" || keyword.text === "default" || keyword.text === "macdef") break;
      const value = netrcToken(text, keyword.end);
      if (value === undefined) break;
      p = value.end;
      if (keyword.text !== "password") continue;
      if (isTemplate(value.text) || !NETRC_LOUD.test(value.text) || !looksLikeSecretValue(value.text, "password")) continue;
      out.push({ class: "secret.password", start: value.start, end: value.start + value.text.length, detector: "netrc:password", confidence: 0.85 });
    }
    NETRC_ENTRY.lastIndex = p;
  }
}

/**
 * What a `.netrc` password must hold to be read: a digit, a capital, `@ % - : =`, a letter beyond ASCII, or a run of
 * 12 token characters. A text without any of these is quiet (see `TextProfile.quiet`), and the stage does not run this
 * family on quiet text: the rule must find nothing there.
 */
const NETRC_LOUD = /[0-9A-Z@%:=\-\u0080-\uffff]|[a-z+/_.~]{12}/;

/** The next whitespace-separated token from `at` (a quoted one without its quotes), within 256 characters. */
function netrcToken(text: string, at: number): { text: string; start: number; end: number } | undefined {
  let p = at;
  while (p < text.length && p - at < 256 && isSpaceCode(text.charCodeAt(p))) p++;
  if (p >= text.length || !isSpaceCode(text.charCodeAt(p - 1))) return undefined;
  if (text.charCodeAt(p) === 34) {
    let close = p + 1;
    while (close < text.length && close - p <= 256 && text.charCodeAt(close) !== 34 && text.charCodeAt(close) !== 10) close++;
    if (text.charCodeAt(close) !== 34) return undefined;
    return { text: text.slice(p + 1, close), start: p + 1, end: close + 1 };
  }
  let end = p;
  while (end < text.length && end - p < 256 && !isSpaceCode(text.charCodeAt(end))) end++;
  return { text: text.slice(p, end), start: p, end };
}
