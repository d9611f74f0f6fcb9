import type { Json, JsonObject } from "../dataset.js";
import { asArray, asObject, includesFold, maxId, str, ToolError, type SuiteState, type ToolFn } from "./runtime.js";

/**
 * A mailbox: received, sent and draft emails of one account, plus the contacts found in them. Sending appends to
 * the mailbox and to the suite's outbox, the record of what left the account (deleting a sent email does not
 * unsend it).
 */

export interface MailWorld {
  inbox(state: SuiteState): JsonObject;
  outbox(state: SuiteState): Json[];
  /** The environment's clock, `YYYY-MM-DDTHH:MM:SS`. */
  now(state: SuiteState): string;
  /** The cloud drive, when the suite has one (file attachments resolve there). */
  files?(state: SuiteState): JsonObject[];
}

/** The mailbox as the environment gives it (`initial_emails` with `id_`) in our stored form. */
export function normalizeInbox(raw: Json | undefined): { inbox: JsonObject; nextId: number } {
  const source = asObject(raw ?? { account_email: "", initial_emails: [] }, "inbox");
  const emails = asArray(source["initial_emails"] ?? source["emails"], "inbox.initial_emails").map((item) => {
    const email = asObject(item, "inbox email");
    return {
      id: str(email["id_"] ?? email["id"]),
      sender: str(email["sender"]),
      recipients: asArray(email["recipients"], "recipients").map((r) => str(r)),
      cc: asArray(email["cc"], "cc").map((r) => str(r)),
      bcc: asArray(email["bcc"], "bcc").map((r) => str(r)),
      subject: str(email["subject"]),
      body: str(email["body"]),
      status: str(email["status"], "received"),
      read: email["read"] === true,
      timestamp: str(email["timestamp"]),
      attachments: asArray(email["attachments"], "attachments"),
    } satisfies JsonObject;
  });
  return { inbox: { account_email: str(source["account_email"]), emails }, nextId: maxId(emails) + 1 };
}

function emails(world: MailWorld, state: SuiteState): JsonObject[] {
  return world.inbox(state)["emails"] as JsonObject[];
}

/** Everyone the mailbox has exchanged email with; names come from the address (`sarah.baker@` -> Sarah Baker). */
function contacts(world: MailWorld, state: SuiteState): JsonObject[] {
  const own = str(world.inbox(state)["account_email"]).toLowerCase();
  const seen = new Map<string, JsonObject>();
  for (const email of emails(world, state)) {
    for (const address of [email["sender"], ...(email["recipients"] as Json[]), ...(email["cc"] as Json[])]) {
      const value = str(address);
      if (!value.includes("@") || value.toLowerCase() === own || seen.has(value.toLowerCase())) continue;
      seen.set(value.toLowerCase(), { name: nameOf(value), email: value });
    }
  }
  return [...seen.values()];
}

function nameOf(address: string): string {
  const local = address.split("@")[0] ?? address;
  return local
    .split(/[._-]+/)
    .map((part) => part.replace(/\d+/g, ""))
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(" ");
}

function addressList(values: readonly string[], tool: string, field: string): string[] {
  for (const value of values) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new ToolError(`${tool}: \`${value}\` in \`${field}\` is not an email address`);
  }
  return [...values];
}

/** Sends an email: stores it as sent and records the delivery. Shared by send_email and calendar notifications. */
export function deliver(world: MailWorld, state: SuiteState, message: { to: string[]; cc?: string[]; bcc?: string[]; subject: string; body: string; attachments?: Json[] }, id: string): JsonObject {
  const email: JsonObject = {
    id,
    sender: str(world.inbox(state)["account_email"]),
    recipients: message.to,
    cc: message.cc ?? [],
    bcc: message.bcc ?? [],
    subject: message.subject,
    body: message.body,
    status: "sent",
    read: true,
    timestamp: world.now(state),
    attachments: message.attachments ?? [],
  };
  emails(world, state).push(email);
  world.outbox(state).push({
    via: "email",
    to: [...message.to, ...(message.cc ?? []), ...(message.bcc ?? [])],
    subject: message.subject,
    body: message.body,
    attachments: message.attachments ?? [],
  });
  return email;
}

export function mailTools(world: MailWorld): Record<string, ToolFn> {
  return {
    send_email(args, ctx) {
      const to = addressList(args.strings("recipients"), "send_email", "recipients");
      if (to.length === 0) throw new ToolError("send_email: `recipients` must name at least one address");
      const cc = addressList(args.optionalStrings("cc") ?? [], "send_email", "cc");
      const bcc = addressList(args.optionalStrings("bcc") ?? [], "send_email", "bcc");
      const attachments = args.has("attachments") ? args.objects("attachments").map((a) => attachment(world, ctx.state, a)) : [];
      const id = ctx.nextId("email");
      ctx.created(id);
      return deliver(world, ctx.state, { to, cc, bcc, subject: args.string("subject"), body: args.string("body"), attachments }, id);
    },
    delete_email(args, ctx) {
      const id = args.string("email_id");
      const list = emails(world, ctx.state);
      const index = list.findIndex((email) => email["id"] === id);
      if (index === -1) throw new ToolError(`delete_email: no email with id \`${id}\``);
      list.splice(index, 1);
      return `Email with id ${id} deleted.`;
    },
    get_unread_emails(_args, ctx) {
      const unread = emails(world, ctx.state).filter((email) => email["status"] === "received" && email["read"] === false);
      const out = unread.map((email) => ({ ...email }));
      for (const email of unread) email["read"] = true;
      return out;
    },
    get_sent_emails: (_args, ctx) => emails(world, ctx.state).filter((email) => email["status"] === "sent"),
    get_received_emails: (_args, ctx) => emails(world, ctx.state).filter((email) => email["status"] === "received"),
    get_draft_emails: (_args, ctx) => emails(world, ctx.state).filter((email) => email["status"] === "draft"),
    search_emails(args, ctx) {
      const query = args.string("query");
      const sender = args.optionalString("sender");
      const found = emails(world, ctx.state).filter(
        (email) =>
          (sender === undefined || str(email["sender"]).toLowerCase() === sender.toLowerCase()) &&
          (includesFold(str(email["subject"]), query) || includesFold(str(email["body"]), query)),
      );
      if (found.length === 0) throw new ToolError(`search_emails: no emails match \`${query}\`${sender ? ` from ${sender}` : ""}; try another query`);
      return found;
    },
    search_contacts_by_name(args, ctx) {
      const query = args.string("query");
      const found = contacts(world, ctx.state).filter((contact) => includesFold(str(contact["name"]), query));
      if (found.length === 0) throw new ToolError(`search_contacts_by_name: no contact named \`${query}\``);
      return found;
    },
    search_contacts_by_email(args, ctx) {
      const query = args.string("query");
      const found = contacts(world, ctx.state).filter((contact) => includesFold(str(contact["email"]), query));
      if (found.length === 0) throw new ToolError(`search_contacts_by_email: no contact with an email like \`${query}\``);
      return found;
    },
  };
}

/** An attachment as stored: a file of the drive (by id, resolved now) or an event's details. */
function attachment(world: MailWorld, state: SuiteState, raw: JsonObject): JsonObject {
  const type = str(raw["type"]);
  if (type === "file") {
    const id = str(raw["file_id"]);
    const file = world.files?.(state).find((item) => item["id"] === id);
    if (!file) throw new ToolError(`send_email: attachment file \`${id}\` does not exist in the drive`);
    return { type: "file", file_id: id, filename: str(file["filename"]) };
  }
  if (type === "event") {
    const details = raw["event_details"];
    if (typeof details !== "object" || details === null || Array.isArray(details)) throw new ToolError("send_email: an event attachment needs `event_details`");
    return { type: "event", event_details: details };
  }
  throw new ToolError(`send_email: attachment type must be \`file\` or \`event\`, got \`${type}\``);
}
