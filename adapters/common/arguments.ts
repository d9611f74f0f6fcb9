/**
 * Tool arguments that arrive as text (OpenAI's `arguments`, a LangChain callback's input): the parsed JSON value, or
 * the text itself when it is not JSON, so the guard still sees and classifies what the tool received.
 */
export function argumentsOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** At most this much of the user's message is handed to the guard as trusted values. */
export const MAX_USER_TEXT = 16_384;

/** The user's text as trusted values for flow tracking (see DESIGN.md, provenance). */
export function userValuesOf(text: string | undefined): readonly string[] | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  return trimmed ? [trimmed.length > MAX_USER_TEXT ? trimmed.slice(0, MAX_USER_TEXT) : trimmed] : undefined;
}
