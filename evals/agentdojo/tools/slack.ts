import type { Json, JsonObject } from "../dataset.js";
import { asArray, asObject, str, ToolError, type SuiteState, type SuiteTools } from "./runtime.js";

/**
 * The slack suite: a workspace (users, channels, direct and channel messages, invitations) where the agent acts as
 * a bot, and the web it can read and post to. Every web request is logged, as a server would log it: visiting an
 * attacker's URL is an effect.
 */

const BOT = "bot";

function slack(state: SuiteState): JsonObject {
  return state.data["slack"] as JsonObject;
}

function users(state: SuiteState): string[] {
  return slack(state)["users"] as string[];
}

function channels(state: SuiteState): string[] {
  return slack(state)["channels"] as string[];
}

function map(state: SuiteState, key: "user_channels" | "user_inbox" | "channel_inbox"): JsonObject {
  return slack(state)[key] as JsonObject;
}

function web(state: SuiteState): JsonObject {
  return state.data["web"] as JsonObject;
}

function userNamed(state: SuiteState, tool: string, name: string): string {
  const user = users(state).find((u) => u.toLowerCase() === name.toLowerCase());
  if (!user) throw new ToolError(`${tool}: no user \`${name}\` in the workspace`);
  return user;
}

function channelNamed(state: SuiteState, tool: string, name: string): string {
  const channel = channels(state).find((c) => c.toLowerCase() === name.replace(/^#/, "").toLowerCase());
  if (!channel) throw new ToolError(`${tool}: no channel \`${name}\``);
  return channel;
}

/** `https://www.x.com/` and `www.x.com` name the same page. */
function pageKey(url: string): string {
  return url.trim().replace(/^https?:\/\//i, "").replace(/\/$/, "").toLowerCase();
}

function request(state: SuiteState, url: string): void {
  (web(state)["web_requests"] as Json[]).push(url.trim());
}

function copyMap(raw: Json | undefined, what: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(asObject(raw ?? {}, what))) out[key] = asArray(value, `${what}.${key}`).map((v) => (typeof v === "object" && v !== null ? { ...(v as JsonObject) } : v));
  return out;
}

export const slackSuite: SuiteTools = {
  suite: "slack",
  init(tree): SuiteState {
    const source = asObject(tree["slack"], "slack");
    const webSource = asObject(tree["web"] ?? {}, "web");
    const userList = asArray(source["users"], "slack.users").map((u) => str(u));
    const channelList = asArray(source["channels"], "slack.channels").map((c) => str(c));
    // Everyone has an inbox and a channel list, every channel a history, even when empty: messages then add to them.
    const perKey = (keys: readonly string[], given: JsonObject): JsonObject => {
      const out: JsonObject = {};
      for (const key of keys) out[key] = given[key] ?? [];
      for (const [key, value] of Object.entries(given)) if (!(key in out)) out[key] = value;
      return out;
    };
    return {
      data: {
        slack: {
          users: userList,
          channels: channelList,
          user_channels: perKey(userList, copyMap(source["user_channels"], "slack.user_channels")),
          user_inbox: perKey(userList, copyMap(source["user_inbox"], "slack.user_inbox")),
          channel_inbox: perKey(channelList, copyMap(source["channel_inbox"], "slack.channel_inbox")),
          invitations: [],
        },
        web: {
          web_content: { ...asObject(webSource["web_content"] ?? {}, "web.web_content") },
          web_requests: asArray(webSource["web_requests"], "web.web_requests").filter((r) => r !== ""),
        },
      },
      meta: { next: {}, fixed: {} },
    };
  },
  tools: {
    get_channels: (_args, ctx) => [...channels(ctx.state)],
    add_user_to_channel(args, ctx) {
      const user = userNamed(ctx.state, "add_user_to_channel", args.string("user"));
      const channel = channelNamed(ctx.state, "add_user_to_channel", args.string("channel"));
      const joined = (map(ctx.state, "user_channels")[user] ??= []) as string[];
      if (!joined.includes(channel)) joined.push(channel);
      return `${user} added to ${channel}.`;
    },
    read_channel_messages(args, ctx) {
      const channel = channelNamed(ctx.state, "read_channel_messages", args.string("channel"));
      return [...((map(ctx.state, "channel_inbox")[channel] as Json[] | undefined) ?? [])];
    },
    read_inbox(args, ctx) {
      const user = userNamed(ctx.state, "read_inbox", args.string("user"));
      return [...((map(ctx.state, "user_inbox")[user] as Json[] | undefined) ?? [])];
    },
    send_direct_message(args, ctx) {
      const recipient = userNamed(ctx.state, "send_direct_message", args.string("recipient"));
      const message = { sender: BOT, recipient, body: args.string("body") };
      ((map(ctx.state, "user_inbox")[recipient] ??= []) as Json[]).push(message);
      return `Message sent to ${recipient}.`;
    },
    send_channel_message(args, ctx) {
      const channel = channelNamed(ctx.state, "send_channel_message", args.string("channel"));
      const message = { sender: BOT, recipient: channel, body: args.string("body") };
      ((map(ctx.state, "channel_inbox")[channel] ??= []) as Json[]).push(message);
      return `Message sent to ${channel}.`;
    },
    get_users_in_channel(args, ctx) {
      const channel = channelNamed(ctx.state, "get_users_in_channel", args.string("channel"));
      const memberships = map(ctx.state, "user_channels");
      return users(ctx.state).filter((user) => ((memberships[user] as string[] | undefined) ?? []).includes(channel));
    },
    invite_user_to_slack(args, ctx) {
      const user = args.string("user").trim();
      const email = args.string("user_email").trim();
      if (user === "") throw new ToolError("invite_user_to_slack: `user` must not be empty");
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ToolError(`invite_user_to_slack: \`${email}\` is not an email address`);
      if (users(ctx.state).some((u) => u.toLowerCase() === user.toLowerCase())) throw new ToolError(`invite_user_to_slack: \`${user}\` is already in the workspace`);
      users(ctx.state).push(user);
      map(ctx.state, "user_channels")[user] = [];
      map(ctx.state, "user_inbox")[user] = [];
      // The invitation email is out of our hands once sent: removing the user later does not recall it.
      (slack(ctx.state)["invitations"] as Json[]).push({ user, email });
      return `${user} invited (${email}).`;
    },
    remove_user_from_slack(args, ctx) {
      const user = userNamed(ctx.state, "remove_user_from_slack", args.string("user"));
      const list = users(ctx.state);
      list.splice(list.indexOf(user), 1);
      delete map(ctx.state, "user_channels")[user];
      delete map(ctx.state, "user_inbox")[user];
      return `${user} removed from the workspace.`;
    },
    get_webpage(args, ctx) {
      const url = args.string("url");
      request(ctx.state, url);
      const pages = web(ctx.state)["web_content"] as JsonObject;
      const key = Object.keys(pages).find((page) => pageKey(page) === pageKey(url));
      if (key === undefined) throw new ToolError(`get_webpage: 404 not found: \`${url}\``);
      return str(pages[key]);
    },
    post_webpage(args, ctx) {
      const url = args.string("url");
      request(ctx.state, url);
      const pages = web(ctx.state)["web_content"] as JsonObject;
      const key = Object.keys(pages).find((page) => pageKey(page) === pageKey(url)) ?? url.trim();
      pages[key] = args.string("content");
      return `Content posted to ${url}.`;
    },
  },
};
