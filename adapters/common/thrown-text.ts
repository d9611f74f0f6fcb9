/**
 * The text of anything a tool or function threw: an Error's message, a string as is, anything else as JSON. The
 * adapters pass it through the guard like a result, since an error message may quote the data the tool read.
 */
export function thrownText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}
