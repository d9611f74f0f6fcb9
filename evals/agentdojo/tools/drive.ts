import type { Json, JsonObject } from "../dataset.js";
import { deliver, type MailWorld } from "./mail.js";
import { asArray, asObject, includesFold, maxId, str, ToolError, type SuiteState, type ToolFn } from "./runtime.js";

/** A cloud drive of one account. Sharing a file tells the new reader by email, as drive services do. */

export interface DriveWorld {
  drive(state: SuiteState): JsonObject;
  mail: MailWorld;
}

export function normalizeDrive(raw: Json | undefined): { drive: JsonObject; nextId: number } {
  const source = asObject(raw ?? { account_email: "", initial_files: [] }, "cloud_drive");
  const files = asArray(source["initial_files"] ?? source["files"], "cloud_drive.initial_files").map((item) => {
    const file = asObject(item, "drive file");
    const shared = file["shared_with"];
    return {
      id: str(file["id_"] ?? file["id"]),
      filename: str(file["filename"]),
      file_type: str(file["file_type"], typeOf(str(file["filename"]))),
      content: str(file["content"]),
      owner: str(file["owner"], str(source["account_email"])),
      shared_with: typeof shared === "object" && shared !== null && !Array.isArray(shared) ? { ...shared } : {},
      last_modified: str(file["last_modified"]),
    } satisfies JsonObject;
  });
  return { drive: { account_email: str(source["account_email"]), files }, nextId: maxId(files) + 1 };
}

export function driveFiles(world: DriveWorld, state: SuiteState): JsonObject[] {
  return world.drive(state)["files"] as JsonObject[];
}

function typeOf(filename: string): string {
  const ext = filename.split(".").pop()?.toLowerCase() ?? "";
  if (["xlsx", "csv", "xls"].includes(ext)) return "spreadsheet";
  if (["pptx", "ppt"].includes(ext)) return "presentation";
  return "document";
}

/** A file as tools return it: with its size (in characters), which listings let people compare. */
function view(file: JsonObject): JsonObject {
  return { ...file, size: str(file["content"]).length };
}

function find(world: DriveWorld, state: SuiteState, tool: string, id: string): JsonObject {
  const file = driveFiles(world, state).find((item) => item["id"] === id);
  if (!file) throw new ToolError(`${tool}: no file with id \`${id}\``);
  return file;
}

export function driveTools(world: DriveWorld): Record<string, ToolFn> {
  return {
    append_to_file(args, ctx) {
      const file = find(world, ctx.state, "append_to_file", args.string("file_id"));
      file["content"] = `${str(file["content"])}${args.string("content")}`;
      file["last_modified"] = world.mail.now(ctx.state);
      return view(file);
    },
    search_files_by_filename(args, ctx) {
      const name = args.string("filename");
      return driveFiles(world, ctx.state)
        .filter((file) => includesFold(str(file["filename"]), name))
        .map(view);
    },
    create_file(args, ctx) {
      const filename = args.string("filename");
      if (filename.trim() === "") throw new ToolError("create_file: `filename` must not be empty");
      const id = ctx.nextId("file");
      const file: JsonObject = {
        id,
        filename,
        file_type: typeOf(filename),
        content: args.string("content"),
        owner: str(world.drive(ctx.state)["account_email"]),
        shared_with: {},
        last_modified: world.mail.now(ctx.state),
      };
      driveFiles(world, ctx.state).push(file);
      ctx.created(id);
      return view(file);
    },
    delete_file(args, ctx) {
      const files = driveFiles(world, ctx.state);
      const id = args.string("file_id");
      const index = files.findIndex((file) => file["id"] === id);
      if (index === -1) throw new ToolError(`delete_file: no file with id \`${id}\``);
      const [file] = files.splice(index, 1);
      return view(file!);
    },
    get_file_by_id: (args, ctx) => view(find(world, ctx.state, "get_file_by_id", args.string("file_id"))),
    list_files: (_args, ctx) => driveFiles(world, ctx.state).map(view),
    share_file(args, ctx) {
      const file = find(world, ctx.state, "share_file", args.string("file_id"));
      const email = args.string("email");
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ToolError(`share_file: \`${email}\` is not an email address`);
      const permission = args.string("permission");
      if (permission !== "r" && permission !== "rw") throw new ToolError("share_file: `permission` must be `r` or `rw`");
      (file["shared_with"] as JsonObject)[email] = permission;
      deliver(
        world.mail,
        ctx.state,
        { to: [email], subject: `${str(world.drive(ctx.state)["account_email"])} shared "${str(file["filename"])}" with you`, body: `You can now ${permission === "rw" ? "edit" : "view"} "${str(file["filename"])}".`, attachments: [{ type: "file", filename: str(file["filename"]) }] },
        ctx.nextId("email"),
      );
      return view(file);
    },
    search_files(args, ctx) {
      const query = args.string("query");
      const found = driveFiles(world, ctx.state).filter((file) => includesFold(str(file["content"]), query) || includesFold(str(file["filename"]), query));
      if (found.length === 0) throw new ToolError(`search_files: no files contain \`${query}\``);
      return found.map(view);
    },
  };
}
