import type { Json, JsonObject } from "../dataset.js";
import { deliver, type MailWorld } from "./mail.js";
import { asArray, asObject, includesFold, maxId, parseDate, parseDateTime, str, ToolError, type SuiteState, type ToolFn } from "./runtime.js";

/** A calendar of one account. Changes that concern participants notify them by email, as calendar services do. */

export interface CalendarWorld {
  calendar(state: SuiteState): JsonObject;
  mail: MailWorld;
}

export function normalizeCalendar(raw: Json | undefined): { calendar: JsonObject; nextId: number } {
  const source = asObject(raw ?? { account_email: "", current_day: "2024-01-01", initial_events: [] }, "calendar");
  const events = asArray(source["initial_events"] ?? source["events"], "calendar.initial_events").map((item) => {
    const event = asObject(item, "calendar event");
    return {
      id: str(event["id_"] ?? event["id"]),
      title: str(event["title"]),
      description: str(event["description"]),
      start_time: str(event["start_time"]),
      end_time: str(event["end_time"]),
      location: event["location"] === undefined || event["location"] === null ? null : str(event["location"]),
      participants: asArray(event["participants"], "participants").map((p) => str(p)),
      all_day: event["all_day"] === true,
      status: str(event["status"], "confirmed"),
    } satisfies JsonObject;
  });
  return {
    calendar: { account_email: str(source["account_email"]), current_day: str(source["current_day"]), events },
    nextId: maxId(events) + 1,
  };
}

function events(world: CalendarWorld, state: SuiteState): JsonObject[] {
  return world.calendar(state)["events"] as JsonObject[];
}

function find(world: CalendarWorld, state: SuiteState, tool: string, id: string): JsonObject {
  const event = events(world, state).find((item) => item["id"] === id);
  if (!event) throw new ToolError(`${tool}: no event with id \`${id}\``);
  return event;
}

/** Emails the participants other than the calendar's owner about an event. */
function notify(world: CalendarWorld, state: SuiteState, event: JsonObject, to: readonly string[], subject: string, nextEmailId: () => string): void {
  const owner = str(world.calendar(state)["account_email"]).toLowerCase();
  const recipients = to.filter((address) => address.toLowerCase() !== owner);
  if (recipients.length === 0) return;
  const body = [
    `${str(event["title"])}`,
    `When: ${str(event["start_time"]).replace("T", " ")} - ${str(event["end_time"]).replace("T", " ")}`,
    ...(event["location"] ? [`Where: ${str(event["location"])}`] : []),
    ...(event["description"] ? [str(event["description"])] : []),
  ].join("\n");
  deliver(world.mail, state, { to: [...recipients], subject, body, attachments: [{ type: "event", event_details: detailsOf(event) }] }, nextEmailId());
}

/** An event as a notification carries it: without our internal id, which means nothing to the recipient. */
function detailsOf(event: JsonObject): JsonObject {
  const { id: _id, ...details } = event;
  return details;
}

function shift(time: string, minutes: number): string {
  const date = new Date(`${time}:00Z`);
  date.setUTCMinutes(date.getUTCMinutes() + minutes);
  return date.toISOString().slice(0, 16);
}

function minutesBetween(start: string, end: string): number {
  return (Date.parse(`${end}:00Z`) - Date.parse(`${start}:00Z`)) / 60_000;
}

export function calendarTools(world: CalendarWorld): Record<string, ToolFn> {
  return {
    get_current_day: (_args, ctx) => str(world.calendar(ctx.state)["current_day"]),
    search_calendar_events(args, ctx) {
      const query = args.string("query");
      const date = args.has("date") ? parseDate("search_calendar_events", "date", args.string("date")) : undefined;
      const found = events(world, ctx.state).filter(
        (event) =>
          event["status"] !== "canceled" &&
          (date === undefined || str(event["start_time"]).startsWith(date)) &&
          (includesFold(str(event["title"]), query) || includesFold(str(event["description"]), query)),
      );
      if (found.length === 0) throw new ToolError(`search_calendar_events: no events match \`${query}\`${date ? ` on ${date}` : ""}`);
      return found;
    },
    get_day_calendar_events(args, ctx) {
      const day = parseDate("get_day_calendar_events", "day", args.string("day"));
      return events(world, ctx.state).filter((event) => event["status"] !== "canceled" && str(event["start_time"]).startsWith(day));
    },
    create_calendar_event(args, ctx) {
      const start = parseDateTime("create_calendar_event", "start_time", args.string("start_time"));
      const end = parseDateTime("create_calendar_event", "end_time", args.string("end_time"));
      if (end < start) throw new ToolError("create_calendar_event: `end_time` is before `start_time`");
      const owner = str(world.calendar(ctx.state)["account_email"]);
      const invited = args.optionalStrings("participants") ?? [];
      const participants = [owner, ...invited.filter((p) => p.toLowerCase() !== owner.toLowerCase())];
      const id = ctx.nextId("event");
      const event: JsonObject = {
        id,
        title: args.string("title"),
        description: args.optionalString("description") ?? "",
        start_time: start,
        end_time: end,
        location: args.optionalString("location") ?? null,
        participants,
        all_day: false,
        status: "confirmed",
      };
      events(world, ctx.state).push(event);
      ctx.created(id);
      notify(world, ctx.state, event, invited, `Invitation: ${str(event["title"])}`, () => ctx.nextId("email"));
      return event;
    },
    cancel_calendar_event(args, ctx) {
      const event = find(world, ctx.state, "cancel_calendar_event", args.string("event_id"));
      if (event["status"] === "canceled") throw new ToolError(`cancel_calendar_event: event \`${str(event["id"])}\` is already canceled`);
      event["status"] = "canceled";
      notify(world, ctx.state, event, event["participants"] as string[], `Canceled: ${str(event["title"])}`, () => ctx.nextId("email"));
      return `Event with id ${str(event["id"])} has been canceled and the participants have been notified.`;
    },
    reschedule_calendar_event(args, ctx) {
      const event = find(world, ctx.state, "reschedule_calendar_event", args.string("event_id"));
      const start = parseDateTime("reschedule_calendar_event", "new_start_time", args.string("new_start_time"));
      const end = args.has("new_end_time")
        ? parseDateTime("reschedule_calendar_event", "new_end_time", args.string("new_end_time"))
        : shift(start, minutesBetween(str(event["start_time"]), str(event["end_time"])));
      if (end < start) throw new ToolError("reschedule_calendar_event: the new end is before the new start");
      event["start_time"] = start;
      event["end_time"] = end;
      notify(world, ctx.state, event, event["participants"] as string[], `Rescheduled: ${str(event["title"])}`, () => ctx.nextId("email"));
      return event;
    },
    add_calendar_event_participants(args, ctx) {
      const event = find(world, ctx.state, "add_calendar_event_participants", args.string("event_id"));
      const current = event["participants"] as string[];
      const added = args.strings("participants").filter((p) => !current.some((c) => c.toLowerCase() === p.toLowerCase()));
      current.push(...added);
      notify(world, ctx.state, event, added, `Invitation: ${str(event["title"])}`, () => ctx.nextId("email"));
      return event;
    },
  };
}
