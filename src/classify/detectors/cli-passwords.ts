import type { Match } from "../detector.js";
import { escapeRegex, isPlaceholder, isTemplate } from "../text.js";

/**
 * Commands that take a password by a short flag of their own: attached (`mysql -pSECRET`: a space after `-p` makes it
 * prompt, and the next word is the database), or as the next word (`sshpass -p SECRET`, `redis-cli -a SECRET`).
 * `subcommand`: only after that word (`docker login -p`, not `docker run -p 8080:80`); `prefix`: only values of that
 * form (`openssl -passin pass:SECRET`, not `env:VAR`); `after`: the password follows that character (`-U user%SECRET`).
 */
interface CliPasswordFlags {
  readonly commands: readonly string[];
  readonly attached?: readonly string[];
  readonly spaced?: readonly string[];
  readonly subcommand?: string;
  readonly prefix?: string;
  readonly after?: string;
}

const CLI_PASSWORD_FLAGS: readonly CliPasswordFlags[] = [
  { commands: ["mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mysqlcheck", "mysqlpump", "mysqlslap", "mariadb", "mariadb-dump", "mariadb-admin"], attached: ["-p"] },
  { commands: ["sshpass"], attached: ["-p"], spaced: ["-p"] },
  { commands: ["redis-cli", "valkey-cli", "keydb-cli"], spaced: ["-a", "--pass"] },
  { commands: ["mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop", "mongofiles"], spaced: ["-p"] },
  { commands: ["sqlcmd", "bcp", "osql", "isql"], attached: ["-P"], spaced: ["-P"] },
  { commands: ["ldapsearch", "ldapmodify", "ldapadd", "ldapdelete", "ldapwhoami", "ldappasswd", "ldapcompare", "ldapmodrdn", "ldapexop"], spaced: ["-w"] },
  { commands: ["docker", "podman", "nerdctl", "buildah", "skopeo", "oras", "helm"], subcommand: "login", spaced: ["-p"] },
  { commands: ["keytool"], spaced: ["-storepass", "-keypass", "-srcstorepass", "-deststorepass", "-srckeypass", "-destkeypass"] },
  { commands: ["openssl"], spaced: ["-passin", "-passout", "-pass"], prefix: "pass:" },
  { commands: ["smbclient", "rpcclient"], spaced: ["-U"], after: "%" },
];
const CLI_BY_COMMAND = new Map(CLI_PASSWORD_FLAGS.flatMap((entry) => entry.commands.map((command) => [command, entry] as const)));
/** A command of the table, as a word (or at the end of a path: `/usr/bin/mysql`). */
const CLI_COMMAND = new RegExp(`(?<![\\w.\\-])(${[...CLI_BY_COMMAND.keys()].sort((a, b) => b.length - a.length).map(escapeRegex).join("|")})(?=[ \\t])`, "g");
/** Every flag of the table starts so, after a space. */
export const CLI_FLAG_HINT = /[ \t]-[pPawUskd]/;

/** Passwords given to the commands of `CLI_PASSWORD_FLAGS` by their flags, to the end of the command. */
export function scanCliPasswords(text: string, out: Match[]): void {
  CLI_COMMAND.lastIndex = 0;
  for (let m = CLI_COMMAND.exec(text); m !== null; m = CLI_COMMAND.exec(text)) {
    const entry = CLI_BY_COMMAND.get(m[1]!)!;
    let p = m.index + m[0].length;
    let pending = false;
    let subcommand = entry.subcommand === undefined;
    let operands = 0;
    for (let words = 0; words < 64; words++) {
      while (p < text.length && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++;
      if (p >= text.length || COMMAND_END.has(text.charCodeAt(p))) break;
      const word = shellWord(text, p);
      if (word === undefined) break;
      p = word.end;
      const raw = text.slice(word.start, word.end);
      if (pending) {
        pending = false;
        if (!raw.startsWith("-")) reportCliPassword(text, word.valueStart, word.valueEnd, entry, m[1]!, out);
        continue;
      }
      if (!subcommand) {
        if (raw === entry.subcommand) subcommand = true;
        else if (!raw.startsWith("-") && ++operands >= 3) break;
        continue;
      }
      if (entry.spaced?.includes(raw)) {
        pending = true;
        continue;
      }
      for (const flag of entry.attached ?? []) {
        if (raw.length <= flag.length || !raw.startsWith(flag)) continue;
        let start = word.start + flag.length;
        let end = word.end;
        const quote = text.charCodeAt(start);
        if ((quote === 34 || quote === 39) && end - start >= 2 && text.charCodeAt(end - 1) === quote) {
          start++;
          end--;
        }
        reportCliPassword(text, start, end, entry, m[1]!, out);
        break;
      }
    }
    CLI_COMMAND.lastIndex = Math.max(CLI_COMMAND.lastIndex, p);
  }
}

/** What ends a command: a line's end, a pipe, `;`, `&`, a backtick, a closing parenthesis. */
const COMMAND_END = new Set([10, 13, 124, 59, 38, 96, 41]);

/**
 * A shell word from `at`: unquoted characters and quoted parts, to a space or the command's end. `valueStart` and
 * `valueEnd` leave out the quotes of a word that is one quoted string. Undefined at a quote that does not close on its
 * line (the command's text ends there: a JSON string, a log line).
 */
function shellWord(text: string, at: number): { start: number; end: number; valueStart: number; valueEnd: number } | undefined {
  let p = at;
  while (p < text.length && p - at < 1024) {
    const c = text.charCodeAt(p);
    if (c === 32 || c === 9 || COMMAND_END.has(c)) break;
    if (c === 34 || c === 39) {
      let close = p + 1;
      while (close < text.length && close - p < 512 && text.charCodeAt(close) !== c && text.charCodeAt(close) !== 10) close++;
      if (text.charCodeAt(close) !== c) return undefined;
      p = close + 1;
      continue;
    }
    p++;
  }
  if (p === at) return undefined;
  const first = text.charCodeAt(at);
  const quoted = (first === 34 || first === 39) && p - at >= 2 && text.charCodeAt(p - 1) === first && text.indexOf(text[at]!, at + 1) === p - 1;
  return { start: at, end: p, valueStart: quoted ? at + 1 : at, valueEnd: quoted ? p - 1 : p };
}

function reportCliPassword(text: string, start: number, end: number, entry: CliPasswordFlags, command: string, out: Match[]): void {
  if (entry.prefix !== undefined) {
    if (!text.startsWith(entry.prefix, start)) return;
    start += entry.prefix.length;
  }
  if (entry.after !== undefined) {
    const at = text.indexOf(entry.after, start);
    if (at < 0 || at >= end) return;
    start = at + 1;
  }
  const value = text.slice(start, end);
  if (value.length < 4 || isTemplate(value) || isPlaceholder(value)) return;
  out.push({ class: "secret.password", start, end, detector: `cli:${command}`, confidence: 0.85 });
}
