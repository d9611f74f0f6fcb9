import type { Detector, Match, ScanContext } from "../detector.js";

const SUFFIX =
  "(?:Street|St\\.?|Avenue|Ave\\.?|Road|Rd\\.?|Boulevard|Blvd\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Court|Ct\\.?|Way|Place|Pl\\.?|Terrace|Close|Crescent|Highway|Hwy\\.?|Parkway|Pkwy\\.?|Square|Sq\\.?|Crossroad|Gardens|Grove|Hill|Row|Walk|Circle|Cir\\.?|Trail|Alley|Heights|Mews|Rise|View|Plaza|Loop|Path|Pike|Route|Rte\\.?)";
// `1600 Pennsylvania Avenue NW`, `119 Countess Close`, `Apt. 120`.
const STREET_FIRST = new RegExp(
  `(?<![\\p{L}\\p{N}])[0-9]{1,6}[A-Za-z]?,? (?:\\p{Lu}[\\p{L}'’\\-]{1,24} ){1,4}${SUFFIX}(?: (?:N|S|E|W|NE|NW|SE|SW)\\.?)?(?![\\p{L}\\p{N}])`,
  "gu",
);
// European: `Augsburger Strasse 36`, `Koskikatu 25`, `Rua Augusta 12`, `Avenida Pedro Ulisses 888`.
const STREET_WORD =
  "(?:[\\p{L}\\-]{0,30}(?:[Ss]tra(?:ss|ß)e|[Ss]tr\\.|[Gg]asse|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]atan|[Gg]ata|[Vv]ägen|[Vv]ej|[Vv]eien|[Vv]egur|[Kk]atu|[Tt]ie|[Ss]traat|[Ll]aan|[Gg]racht|[Uu]tca|[Uu]lica|[Uu]l\\.)|(?:Rue|Via|Viale|Calle|Avenida|Rua|Carrer|Plaza|Piazza|Corso|Boulevard|Chemin|Allée|Place|Largo|Travessa|Paseo) (?:(?:de|del|de la|des|du|da|do|dos|das|di|della|dei) )?(?:\\p{Lu}[\\p{L}'’\\-]{1,24} ?){1,4})";
const STREET_LAST = new RegExp(`(?<![\\p{L}\\p{N}])(?:\\p{Lu}[\\p{L}'’\\-]{0,24} ){0,2}${STREET_WORD} ?[0-9]{1,5}[A-Za-z]?(?![\\p{L}\\p{N}])`, "gu");
// The street words alone, cheap to search for: the full pattern above only runs around their occurrences.
const STREET_HINT = /[Ss]tra(?:ss|ß)e|[Ss]tr\.|[Gg]asse|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]ata|[Vv]ägen|[Vv]ej|[Vv]eien|[Vv]egur|[Kk]atu|[Tt]ie|[Ss]traat|[Ll]aan|[Gg]racht|[Uu]tca|[Uu]lica|[Uu]l\.|(?:Rue|Via|Viale|Calle|Avenida|Rua|Carrer|Plaza|Piazza|Corso|Boulevard|Chemin|Allée|Place|Largo|Travessa|Paseo) /g;
const UNIT = /(?<![\p{L}\p{N}])(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?) ?#?[0-9]{1,5}[A-Za-z]?(?![\p{L}\p{N}])/giu;
const PO_BOX = /(?<![\p{L}\p{N}])(?:P\.? ?O\.? ?Box|Post Office Box|PSC|Unit) [0-9]{1,6}(?:, ?Box [0-9]{1,6})?(?:[, ]{1,2}(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5})?|(?<![\p{L}\p{N}])(?:APO|FPO|DPO) (?:AA|AE|AP) [0-9]{5}(?![\p{L}\p{N}])/giu;

/**
 * Postal addresses: street lines in English (`number name suffix`) and continental (`name-strasse number`, `Rua name
 * number`) orders, unit designators and military or PO boxes. A street line followed on the same line by a unit, a
 * town and a postcode is reported as one span.
 */
export function addressDetector(): Detector {
  return {
    family: "address",
    scan: function scanAddresses(text: string, _context: ScanContext, out: Match[]) {
      if (text.length < 6 || !/[0-9]/.test(text)) return;
      const found: Match[] = [];
      STREET_FIRST.lastIndex = 0;
      for (let m = STREET_FIRST.exec(text); m !== null; m = STREET_FIRST.exec(text)) {
        found.push({ class: "pii.address", start: m.index, end: extend(text, m.index + m[0].length), detector: "rules:street", confidence: 0.75 });
      }
      // Continental order: search the street words, then match the full line in a window that ends at the number.
      STREET_HINT.lastIndex = 0;
      let done = 0;
      for (let h = STREET_HINT.exec(text); h !== null; h = STREET_HINT.exec(text)) {
        if (h.index < done) continue;
        STREET_LAST.lastIndex = Math.max(done, h.index - 90);
        const m = STREET_LAST.exec(text);
        if (!m || m.index > h.index) continue;
        const end = extend(text, m.index + m[0].length);
        found.push({ class: "pii.address", start: m.index, end, detector: "rules:street", confidence: 0.75 });
        done = end;
        STREET_HINT.lastIndex = end;
      }
      PO_BOX.lastIndex = 0;
      for (let m = PO_BOX.exec(text); m !== null; m = PO_BOX.exec(text)) found.push({ class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:po_box", confidence: 0.75 });
      UNIT.lastIndex = 0;
      for (let m = UNIT.exec(text); m !== null; m = UNIT.exec(text)) {
        if (!found.some((f) => m!.index >= f.start && m!.index < f.end)) found.push({ class: "pii.address", start: m.index, end: m.index + m[0].length, detector: "rules:unit", confidence: 0.6 });
      }
      for (const f of found) out.push(f);
    },
  };
}

// After a street: `, Apt. 652`, ` Suite 568`, `, Tallinn, Estonia 02151`, `, 28014 Madrid` while on the same line.
const TAIL = /^(?:,? (?:Apt\.?|Suite|Unit|Ste\.?|#) ?[0-9]{1,5}[A-Za-z]?){0,3}(?:, ?[0-9]{4,5} \p{Lu}[\p{L}'’\-]{1,24}(?: \p{Lu}[\p{L}'’\-]{1,24}){0,2})?(?:, ?\p{Lu}[\p{L}'’\-]{1,24}(?: \p{Lu}[\p{L}'’\-]{1,24}){0,2}){0,3}(?:,? [0-9]{4,5}(?:-[0-9]{3,4})?)?/u;

function extend(text: string, end: number): number {
  const m = TAIL.exec(text.slice(end, end + 120));
  return m ? end + m[0].length : end;
}
