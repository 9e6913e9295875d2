/**
 * Tokens of a Bicep file, enough for test/infra/bicep/parser.ts: identifiers, strings (with or
 * without `${...}` interpolation), numbers, punctuation and the newlines that separate object
 * properties, array items and statements. Comments are dropped.
 */

export type Token =
  | { kind: "ident"; text: string; start: number; end: number; line: number }
  | { kind: "string"; text: string; value: string | null; start: number; end: number; line: number }
  | { kind: "number" | "punct" | "newline" | "eof"; text: string; start: number; end: number; line: number };

const PUNCT = ["...", "=>", "==", "!=", "<=", ">=", "&&", "||", "??", ".?", "::", "{", "}", "[", "]", "(", ")", ",", ":", "=", ".", "?", "!", "@", "<", ">", "+", "-", "*", "/", "%", "|"];

export class BicepSyntaxError extends Error {}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new BicepSyntaxError(`line ${line}: ${message}`);
  };

  /** Index just past the string literal starting at `from` (a `'`); whether it interpolates. */
  const skipString = (from: number): { end: number; interpolated: boolean } => {
    if (src.startsWith("'''", from)) {
      const close = src.indexOf("'''", from + 3);
      if (close < 0) fail("unterminated ''' string");
      return { end: close + 3, interpolated: false };
    }
    let j = from + 1;
    let interpolated = false;
    while (j < src.length) {
      const c = src[j];
      if (c === "\\") j += 2;
      else if (c === "'") return { end: j + 1, interpolated };
      else if (c === "\n") fail("newline in a string");
      else if (c === "$" && src[j + 1] === "{") {
        interpolated = true;
        j = skipInterpolation(j + 2);
      } else j += 1;
    }
    return fail("unterminated string");
  };

  /** Index just past the `}` that closes an interpolation whose body starts at `from`. */
  const skipInterpolation = (from: number): number => {
    let depth = 0;
    let j = from;
    while (j < src.length) {
      const c = src[j];
      if (c === "'") j = skipString(j).end;
      else if (c === "{") {
        depth += 1;
        j += 1;
      } else if (c === "}") {
        if (depth === 0) return j + 1;
        depth -= 1;
        j += 1;
      } else j += 1;
    }
    return fail("unterminated ${ in a string");
  };

  const push = (kind: Token["kind"], start: number, end: number, extra: Partial<{ value: string | null }> = {}) => {
    tokens.push({ kind, text: src.slice(start, end), start, end, line, ...extra } as Token);
  };

  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      push("newline", i, i + 1);
      line += 1;
      i += 1;
    } else if (c === " " || c === "\t" || c === "\r") {
      i += 1;
    } else if (src.startsWith("//", i)) {
      while (i < src.length && src[i] !== "\n") i += 1;
    } else if (src.startsWith("/*", i)) {
      const close = src.indexOf("*/", i + 2);
      if (close < 0) fail("unterminated comment");
      line += (src.slice(i, close).match(/\n/g) ?? []).length;
      i = close + 2;
    } else if (c === "'") {
      const { end, interpolated } = skipString(i);
      const raw = src.slice(i, end);
      const value = interpolated ? null : raw.startsWith("'''") ? raw.slice(3, -3) : raw.slice(1, -1).replace(/\\(.)/g, "$1");
      push("string", i, end, { value });
      line += (raw.match(/\n/g) ?? []).length;
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      push("ident", i, i + m[0].length);
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      push("number", i, i + m[0].length);
      i += m[0].length;
    } else {
      const p = PUNCT.find((x) => src.startsWith(x, i));
      if (!p) fail(`unexpected character ${JSON.stringify(c)}`);
      push("punct", i, i + p!.length);
      i += p!.length;
    }
  }
  push("eof", src.length, src.length);
  return tokens;
}
