import type { ToolAnnotations } from "../../../src/model/tool.js";

/**
 * The MCP annotations our suite servers publish, as a careful server author would: hints about each tool, which
 * clients and the guard may use when no configuration says better. They describe the tool, not a policy.
 */

/** Tools that reach people or systems outside the account (mail, web, payments, invitations, bookings). */
const OPEN_WORLD = new Set([
  "send_email",
  "share_file",
  "create_calendar_event",
  "add_calendar_event_participants",
  "reschedule_calendar_event",
  "cancel_calendar_event",
  "get_webpage",
  "post_webpage",
  "send_money",
  "schedule_transaction",
  "update_scheduled_transaction",
  "invite_user_to_slack",
  "reserve_hotel",
  "reserve_car_rental",
  "reserve_restaurant",
]);

const DESTRUCTIVE = /^(delete_|remove_|cancel_|update_|reschedule_)/;
const READ_ONLY = /^(get_|search_|list_|read_|check_)/;

export function annotationsFor(tool: string): ToolAnnotations {
  const readOnly = READ_ONLY.test(tool);
  return {
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && DESTRUCTIVE.test(tool),
    idempotentHint: readOnly,
    openWorldHint: OPEN_WORLD.has(tool),
  };
}
