/**
 * How upstream tool and prompt names appear downstream. Aggregating several servers prefixes each name with its
 * server (`fs__read_file`); a single server keeps its names, so the proxy is a drop-in replacement for it.
 */

export type PrefixMode = "auto" | "always" | "never";

export interface NamingOptions {
  readonly prefix: PrefixMode;
  /** Between server and tool name; must not occur in a server name (default `__`). */
  readonly separator: string;
}

export const DEFAULT_NAMING: NamingOptions = { prefix: "auto", separator: "__" };

/** Names as a session exposes them: resolved once per proxy from the options and the number of upstreams. */
export interface Naming {
  readonly prefixed: boolean;
  readonly separator: string;
  expose(server: string, name: string): string;
  /** The server and upstream name behind an exposed name, or undefined when it names no known server. */
  resolve(exposed: string): { readonly server: string; readonly name: string } | undefined;
}

export function createNaming(options: NamingOptions, servers: readonly string[]): Naming {
  const prefixed = options.prefix === "always" || (options.prefix === "auto" && servers.length > 1);
  const separator = options.separator;
  const known = new Set(servers);
  if (!prefixed) {
    const only = servers[0] ?? "";
    return {
      prefixed,
      separator,
      expose: (_server, name) => name,
      resolve: (exposed) => (servers.length === 1 ? { server: only, name: exposed } : undefined),
    };
  }
  return {
    prefixed,
    separator,
    expose: (server, name) => `${server}${separator}${name}`,
    resolve(exposed) {
      // Server names never contain the separator, so the first occurrence ends the server name.
      const at = exposed.indexOf(separator);
      if (at <= 0) return undefined;
      const server = exposed.slice(0, at);
      return known.has(server) ? { server, name: exposed.slice(at + separator.length) } : undefined;
    },
  };
}
