/**
 * Published results on AgentDojo, read from the data folder's README (the dataset documents them; we do not keep a
 * copy of the figures in code). Missing or reworded figures give an empty list, and the report says so.
 */

export interface PublishedDefense {
  readonly name: string;
  /** Fractions 0..1; undefined where the source gives no figure. */
  readonly utility?: number;
  readonly utilityUnderAttack?: number;
  readonly attackSuccessRate?: number;
  /** The source's own words when the figure is of another kind (e.g. "77% of tasks with provable security"). */
  readonly note?: string;
}

export interface PublishedFigures {
  /** The agent model the figures were measured with, when stated. */
  readonly model?: string;
  readonly defenses: readonly PublishedDefense[];
}

export function publishedFigures(readme: string | undefined): PublishedFigures {
  if (!readme) return { defenses: [] };
  const text = readme.replace(/\s+/g, " ");
  const defenses: PublishedDefense[] = [];
  const triple = /(?:^|[:;]\s*)([A-Za-z][A-Za-z -]*?)\s+(\d+(?:\.\d+)?)%\s*\/\s*(\d+(?:\.\d+)?)%\s*\/\s*(\d+(?:\.\d+)?)%/g;
  for (const match of text.matchAll(triple)) {
    defenses.push({
      name: match[1]!.trim(),
      utility: Number(match[2]) / 100,
      utilityUnderAttack: Number(match[3]) / 100,
      attackSuccessRate: Number(match[4]) / 100,
    });
  }
  const camel = /CaMeL reports (\d+(?:\.\d+)?)% of tasks ([^.;]*)/.exec(text);
  if (camel) defenses.push({ name: "CaMeL", note: `${camel[1]}% of tasks ${camel[2]!.trim()}` });
  const progent = /Progent reports attack success cut from (\d+(?:\.\d+)?)% to (\d+(?:\.\d+)?)%/.exec(text);
  if (progent) defenses.push({ name: "Progent", attackSuccessRate: Number(progent[2]) / 100, note: `attack success cut from ${progent[1]}% to ${progent[2]}%` });
  const model = /Published figures[^(]*\(([^,)]+)/.exec(text)?.[1]?.trim();
  return { ...(model ? { model } : {}), defenses };
}
