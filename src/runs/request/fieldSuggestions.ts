/**
 * From zod's issues to the details a 400 names: every problem at once, each with the field as
 * the caller wrote it, and for an unknown field the known one it was probably meant to be.
 */
import type { z } from "zod";
import { camelFields, inputFields, namedOutputFields, outputFields, SEED_FIELDS, seedFieldNames, settingsFieldNames } from "./schemas";

/** One problem with a request: `field` is the dotted path as the caller wrote it (`inputs.input_data.uri`). */
export interface ErrorDetail {
  field: string;
  message: string;
}

export type Form = "seed" | "camel";

// ---------------------------------------------------------------------------------------------
// Issues → details

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The known field an unknown one was probably meant to be (case, '_', prefix and small typos). */
function suggest(key: string, known: readonly string[]): string | null {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, "");
  const k = norm(key);
  if (k === "") return null;
  for (const candidate of known) {
    const c = norm(candidate);
    if (c === k || (k.length >= 4 && (c.startsWith(k) || k.startsWith(c)))) return candidate;
  }
  let best: { candidate: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = levenshtein(k, norm(candidate));
    if (distance <= 2 && (best === null || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate ?? null;
}

function knownFieldsAt(path: readonly PropertyKey[], form: Form): readonly string[] {
  if (path.length === 0) return form === "seed" ? seedFieldNames : camelFields;
  if (path[0] === "inputs" && path.length === 2) return inputFields;
  if (path[0] === "output" && path.length === 1) return outputFields;
  if (path[0] === "outputs" && path.length === 2) return namedOutputFields;
  if (path[0] === "settings" && path.length === 1) return settingsFieldNames;
  return [];
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}

export function toDetails(issues: readonly z.core.$ZodIssue[], form: Form): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownFieldsAt(issue.path, form);
      for (const key of issue.keys) {
        const guess = suggest(key, known);
        const hint = guess ? `; did you mean '${guess}'?` : known.length > 0 ? `; known fields: ${known.join(", ")}` : "";
        details.push({ field: dotted([...issue.path, key]), message: `is not a known field${hint}` });
      }
    } else if (issue.code === "invalid_key") {
      details.push({ field: dotted(issue.path), message: issue.issues[0]?.message ?? issue.message });
    } else {
      details.push({ field: dotted(issue.path), message: issue.message });
    }
  }
  return details;
}

/** A field of the other body form: which field to use instead. */
export function mixedFormDetail(key: string, form: Form): ErrorDetail {
  if (form === "camel") {
    const counterpart = SEED_FIELDS[key as keyof typeof SEED_FIELDS];
    return {
      field: key,
      message: `is a pipeline-parameter (snake_case) field but this body uses the camelCase form; ` + `use '${counterpart}' instead (do not mix the two forms)`,
    };
  }
  const counterpart = Object.entries(SEED_FIELDS).find(([, camel]) => camel === key)?.[0];
  return {
    field: key,
    message: counterpart
      ? `is a camelCase field but this body uses the pipeline-parameter (snake_case) form; ` + `use '${counterpart}' instead (do not mix the two forms)`
      : `is a camelCase field but this body uses the pipeline-parameter (snake_case) form, which has no ` +
        `'${key}'; send the whole body in the camelCase form (do not mix the two forms)`,
  };
}
