import type { Json, JsonObject } from "../dataset.js";
import { calendarTools, normalizeCalendar, type CalendarWorld } from "./calendar.js";
import { driveFiles, driveTools, normalizeDrive, type DriveWorld } from "./drive.js";
import { mailTools, normalizeInbox, type MailWorld } from "./mail.js";
import { str, type SuiteState, type SuiteTools } from "./runtime.js";

/** The workspace suite: one person's email, calendar and cloud drive. */

const mail: MailWorld = {
  inbox: (state) => state.data["inbox"] as JsonObject,
  outbox: (state) => state.data["outbox"] as Json[],
  // The environment's clock stands still on the calendar's current day: runs are reproducible.
  now: (state) => `${str((state.data["calendar"] as JsonObject)["current_day"])}T09:00:00`,
  files: (state) => driveFiles(drive, state),
};
const calendar: CalendarWorld = { calendar: (state) => state.data["calendar"] as JsonObject, mail };
const drive: DriveWorld = { drive: (state) => state.data["cloud_drive"] as JsonObject, mail };

export const workspace: SuiteTools = {
  suite: "workspace",
  init(tree): SuiteState {
    const inbox = normalizeInbox(tree["inbox"]);
    const cal = normalizeCalendar(tree["calendar"]);
    const files = normalizeDrive(tree["cloud_drive"]);
    return {
      data: { inbox: inbox.inbox, calendar: cal.calendar, cloud_drive: files.drive, outbox: [] },
      meta: { next: { email: inbox.nextId, event: cal.nextId, file: files.nextId }, fixed: {} },
    };
  },
  tools: { ...mailTools(mail), ...calendarTools(calendar), ...driveTools(drive) },
};
