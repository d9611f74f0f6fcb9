import type { Json, JsonObject } from "../agentdojo/dataset.js";
import type { ToolDef } from "./scenario.js";

/**
 * A scenario's tool server: tools whose behaviour is data (see `returns` and `effect` in the scenario format), over
 * an in-memory environment. Deterministic; a refused call is an error result, never a crash.
 */
export interface ScenarioTools {
  readonly defs: readonly ToolDef[];
  readonly state: JsonObject;
  call(server: string, tool: string, args: JsonObject): { ok: boolean; value: Json };
}

export function scenarioTools(defs: readonly ToolDef[], environment: JsonObject): ScenarioTools {
  const state = structuredClone(environment);
  const byKey = new Map(defs.map((def) => [`${def.server}/${def.name}`, def]));
  const collection = (name: string): JsonObject[] => {
    const value = state[name];
    if (Array.isArray(value)) return value as JsonObject[];
    const created: JsonObject[] = [];
    state[name] = created;
    return created;
  };
  return {
    defs,
    state,
    call(server, tool, args) {
      const def = byKey.get(`${server}/${tool}`);
      if (!def) return { ok: false, value: { error: `unknown tool \`${server}/${tool}\`` } };
      const effect = def.effect;
      if (effect?.append) collection(effect.append).push(structuredClone(args));
      if (effect?.update || effect?.remove) {
        const name = (effect.update ?? effect.remove)!;
        const key = effect.key ?? "id";
        const wanted = args[effect.arg ?? key];
        const list = collection(name);
        const index = list.findIndex((item) => item[key] === wanted);
        if (index === -1) return { ok: false, value: { error: `no record with ${key} \`${String(wanted)}\` in ${name}` } };
        if (effect.remove) list.splice(index, 1);
        else Object.assign(list[index]!, structuredClone(args));
      }
      const returns = def.returns;
      if (!returns) return { ok: true, value: effect ? "done" : null };
      if (returns.value !== undefined) return { ok: true, value: returns.value as Json };
      if (returns.from) {
        const list = collection(returns.from);
        if (!returns.key) return { ok: true, value: list };
        const wanted = args[returns.arg ?? returns.key];
        const found = list.find((item) => item[returns.key!] === wanted);
        return found ? { ok: true, value: found } : { ok: false, value: { error: `no record with ${returns.key} \`${String(wanted)}\`` } };
      }
      return { ok: true, value: null };
    },
  };
}
