import type { Classifier } from "../classify/classifier.js";
import { webAddresses } from "./web-address.js";

/**
 * The values of a user's own words that may shape a call: each whole value (a recipient typed alone) and each
 * classified value inside it (the address in "send it to bob@corp.example", a link). Flow tracking trusts them: the user,
 * not a tool result, chose them.
 */
export function userTrustedValues(userValues: readonly string[], classifier: Classifier): string[] {
  const out = new Set(userValues);
  for (const text of userValues) for (const address of webAddresses(text)) out.add(address);
  for (const finding of classifier.classify(userValues)) {
    if (finding.encoding && finding.encoding !== "plain") continue;
    const index = Number(finding.pointer.slice(1));
    const text = userValues[index];
    if (text !== undefined && finding.pointer === `/${index}`) out.add(text.slice(finding.start, finding.end));
  }
  return [...out];
}
