import type { Detector, Match, ScanContext } from "../detector.js";
import { labelledValues } from "../labels.js";
import { Char, type TextProfile } from "../profile.js";
import { keyWords } from "../text.js";

// ICD-10(-CM) codes: a letter (not U), two characters, then an optional dotted extension (`E11.9`, `S72.001A`).
const ICD10 = /(?<![A-Za-z0-9.])[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?(?![A-Za-z0-9]|\.[0-9A-Z])/g;
const ICD_CUE = /icd[- ]?(?:10|9)?(?:[- ]?cm)?|diagnos[ie]s|dx\b/i;

const DIAGNOSIS_KEYS = new Set(["diagnosis", "diagnoses", "condition", "conditions", "dx", "icd", "icd10", "disease", "illness", "symptoms", "symptom", "allergies", "allergy", "disorder", "comorbidities", "problem"]);
const MEDICATION_KEYS = new Set(["medication", "medications", "meds", "drug", "drugs", "prescription", "prescriptions", "rx", "dosage", "treatment", "treatments", "therapy"]);
const HEALTH_OWNERS = new Set(["medical", "health", "patient", "clinical", "diagnosis", "mental", "chronic", "primary"]);

const CUE_LETTERS = /[dD]/;

/**
 * Labels of lines in text (`Diagnosis: asthma`) that classify their value: fewer than keys do in JSON, since text
 * labels are also product listings (`Condition: used`), bug reports (`Symptoms: app crashes`), network counters
 * (`RX: 1.2 MB`) and forms.
 */
const LABEL_DIAGNOSIS = new Set(["diagnosis", "diagnoses", "allergy", "allergies", "disease", "diseases", "illness", "illnesses", "disorder", "disorders", "comorbidities"]);
const LABEL_MEDICATION = new Set(["medication", "medications", "meds", "prescription", "prescriptions"]);
/** `condition` and `problem` only after a clinical word (`Medical condition`, `Active problems`); not `health`. */
const LABEL_OWNED = new Set(["condition", "conditions", "problem", "problems"]);
const CLINICAL_OWNERS = new Set(["medical", "patient", "clinical", "mental", "chronic", "primary", "active", "past"]);
/** Clinical abbreviations, in their own case only (`RX:` is a network counter). */
const LABEL_ABBREVIATIONS: Readonly<Record<string, LabelClass>> = { Dx: "health.diagnosis", PMH: "health.diagnosis", Rx: "health.medication" };
/** A cheap test that a text with a colon or a pipe (a table) may hold one of those labels. */
const LABEL_CUE = /diagnos|allerg|disease|illness|disorder|comorbid|medicat|meds|prescript|condition|problem|Dx|PMH|Rx/i;

type LabelClass = "health.diagnosis" | "health.medication";

/** What a label says: the class of its value, and whether it names a plural (`Prescriptions: 42` is a count). */
interface LabelKind {
  readonly class: LabelClass;
  readonly plural: boolean;
}

function labelKind(label: string): LabelKind | undefined {
  // `Diagnosis (ICD-10)`, `Current medications (as of 3/1)`, `Diagnosis #2`: the words before the aside.
  const name = label.replace(/\s*(?:\([^()]*\)|#\s*\d+)\s*$/, "");
  const abbreviation = LABEL_ABBREVIATIONS[name];
  if (abbreviation) return { class: abbreviation, plural: false };
  const words = keyWords(name);
  if (words.length === 0 || words.length > 4) return undefined;
  const last = words[words.length - 1]!;
  const plural = last.endsWith("s") && last !== "diagnosis";
  if (LABEL_DIAGNOSIS.has(last)) return { class: "health.diagnosis", plural };
  if (LABEL_MEDICATION.has(last)) return { class: "health.medication", plural };
  if (LABEL_OWNED.has(last) && words.some((w) => CLINICAL_OWNERS.has(w))) return { class: "health.diagnosis", plural };
  if (last === "list" && words[words.length - 2] === "problem") return { class: "health.diagnosis", plural: true };
  return undefined;
}

/** Values that name nothing: `none`, `n/a`, `pending`. */
const NO_VALUE = /^(?:none|n\/a|na|nil|null|unknown|pending|tbd|tba|normal|ok|not applicable|yes|no|y|n|true|false|-+|\?+)$/i;
/** Digits alone: a count or a date after a plural label (`Prescriptions: 42`); after a singular one, a code (`042`). */
const NUMBERS = /^[\d\s,.:/-]+$/;
/** A date (`2024-03-01`, `3/1/2024`): when something was prescribed or diagnosed, not what. */
const DATE = /^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})$/;
/**
 * What follows such a label in code, schemas, docs, errors and bug reports rather than in a record: a type
 * (`diagnosis: str`, `Medication[]`, `DiagnosisCode | null`), code (`patient.dx`, `z.array(…)`, `$DIAGNOSIS`, braces,
 * backticks, a trailing `;` or `,`), a message (`must not be empty`) or a sentence (`The service OOMs under load`,
 * `Unable to reproduce`, `May contain traces of nuts`).
 */
const NOT_DATA = new RegExp(
  [
    "^(?:str|string|int|integer|number|float|double|bool|boolean|list|dict|array|object|any|date|datetime|text|optional)\\s*(?:$|[[<|?;=(])",
    "^(?:must|should|cannot|can't|is required|required|invalid|the|this|it|we|unable|not|no|could|see|may)(?:\\s|$)",
    "[{}`]|^\\$|(?:\\[\\]|[;,{])$|\\|\\s*(?:null|undefined|none)\\b",
    ":\\s*(?:str|string|int|integer|number|boolean|bool)$",
  ].join("|"),
  "i",
);
/** A name in code, by its case: `patient.dx`, `z.array(z.string())` (lower case, dotted). */
const CODE_NAME = /^[a-z_$][\w$]*(?:\.[\w$]+)+(?:\(.*)?$/;

function readsAsHealthData(value: string, kind: LabelKind): boolean {
  return /[\p{L}\p{N}]/u.test(value) && !NO_VALUE.test(value) && !(kind.plural && NUMBERS.test(value)) && !DATE.test(value) && !NOT_DATA.test(value) && !CODE_NAME.test(value);
}

/** What a property name says to this family. */
export interface HealthKey {
  readonly diagnosis: boolean;
  readonly medication: boolean;
  readonly health: boolean;
  readonly detector: string;
}

/**
 * Health data, which has no shape of its own: ICD-10 codes under a health-named key or after an ICD cue, and any value
 * under diagnosis- or medication-named keys (`diagnosis`, `medical_condition`, `medications`).
 */
export function healthDetector(): Detector<HealthKey> {
  return {
    family: "health",
    forKey(words) {
      const last = words[words.length - 1] ?? "";
      const diagnosis = DIAGNOSIS_KEYS.has(last) && (last !== "condition" && last !== "conditions" && last !== "problem" || words.some((w) => HEALTH_OWNERS.has(w)) || words.length === 1 && last === "condition");
      const medication = MEDICATION_KEYS.has(last);
      return { diagnosis, medication, health: diagnosis || medication || words.some((w) => HEALTH_OWNERS.has(w)), detector: `key:${words.join("_")}` };
    },
    readsQuietText: (key) => key.health,
    scan: function scanHealth(text: string, _context: ScanContext, out: Match[], profile: TextProfile, key: HealthKey) {
      const diagnosisKey = key.diagnosis;
      const medicationKey = key.medication;
      const healthKey = key.health;
      if (!healthKey && (profile.chars & (Char.colon | Char.pipe)) !== 0 && LABEL_CUE.test(text)) scanLabels(text, out);
      // Without a health key, only an ICD-10 code (a capital before a digit) after an ICD cue (it has a `d`) counts.
      if (!healthKey && (!profile.upperDigit || !CUE_LETTERS.test(text))) return;
      const cue = !healthKey && (text.includes("ICD") || text.includes("icd") || text.includes("iagnos") || text.includes("DX") || text.includes("Dx") || text.includes("dx")) && ICD_CUE.test(text);
      if (!healthKey && !cue) return;
      if (profile.upperDigit) {
        ICD10.lastIndex = 0;
        for (let m = ICD10.exec(text); m !== null; m = ICD10.exec(text)) {
          out.push({ class: "health.icd10", start: m.index, end: m.index + m[0].length, detector: healthKey ? "key:icd10" : "cue:icd10", confidence: healthKey ? 0.85 : 0.7 });
        }
      }
      if (!diagnosisKey && !medicationKey) return;
      const trimmed = text.trim();
      // A value with no letter or digit (`_`, `-`, `?`) says nothing about anyone's health.
      if (!/[\p{L}\p{N}]/u.test(trimmed) || /^(?:none|n\/a|null|unknown)$/i.test(trimmed)) return;
      const lead = text.indexOf(trimmed);
      if (diagnosisKey) out.push({ class: "health.diagnosis", start: lead, end: lead + trimmed.length, detector: key.detector, confidence: 0.8 });
      else if (medicationKey) out.push({ class: "health.medication", start: lead, end: lead + trimmed.length, detector: key.detector, confidence: 0.8 });
    },
  };
}

/** Values of lines labelled with a diagnosis or medication word, unless they read as a type, code or a message. */
function scanLabels(text: string, out: Match[]): void {
  labelledValues(text, labelKind, (kind, start, end) => {
    if (!readsAsHealthData(text.slice(start, end), kind)) return;
    out.push({ class: kind.class, start, end, detector: `label:${kind.class.slice(7)}`, confidence: 0.75 });
  });
}
