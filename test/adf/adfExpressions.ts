/**
 * A small evaluator for the subset of the Azure Data Factory expression language our pipeline
 * templates use, so tests can compute exactly what ADF would send.
 *
 * Rules followed (ADF "Expressions and functions" page, control-flow-expression-language-functions):
 * - a JSON string starting with `@` is an expression; its result keeps its type;
 * - `@@` at the start escapes a literal `@`; `@@{` inside a string is a literal `@{`;
 * - `@{ ... }` inside a string is string interpolation; the result is always a string;
 * - `{"value": "...", "type": "Expression"}` (what ADF Studio saves for dynamic content) is the
 *   same as the bare string;
 * - string literals use single quotes, `''` escapes one quote.
 *
 * Strict on purpose: an unknown function, parameter, activity or property throws (ADF fails the
 * activity at run time), so a typo in a template fails a test instead of producing `undefined`.
 */

export interface ExpressionContext {
  /** Pipeline parameter values (defaults already applied). */
  parameters?: Record<string, unknown>;
  /** `pipeline().RunId`, `pipeline().Pipeline`, ... */
  pipeline?: Partial<Record<"RunId" | "Pipeline" | "DataFactory" | "TriggerType" | "TriggerName" | "TriggerId" | "TriggerTime", string>>;
  /** Outputs of finished activities by name: `activity('X').output`. */
  activityOutputs?: Record<string, unknown>;
  /** Linked service parameter values: `linkedService().x`. */
  linkedServiceParameters?: Record<string, unknown>;
  /** The current element inside a ForEach: `item()`. */
  item?: unknown;
}

export class AdfExpressionError extends Error {}

/** True for ADF's `{"value": ..., "type": "Expression"}` wrapper. */
export function isExpressionObject(value: unknown): value is { value: string; type: "Expression" } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    && (value as Record<string, unknown>).type === "Expression" && typeof (value as Record<string, unknown>).value === "string";
}

/** Evaluates one JSON value of a definition: strings and Expression objects are evaluated, objects and arrays walked. */
export function evaluateValue(value: unknown, ctx: ExpressionContext): unknown {
  if (isExpressionObject(value)) return evaluateString(value.value, ctx);
  if (typeof value === "string") return evaluateString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => evaluateValue(v, ctx));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = evaluateValue(v, ctx);
    return out;
  }
  return value;
}

/** Evaluates a JSON string value: literal, `@expression`, or a string with `@{...}` interpolations. */
export function evaluateString(text: string, ctx: ExpressionContext): unknown {
  if (text.startsWith("@@")) return text.slice(1);
  if (text.startsWith("@") && !text.startsWith("@{")) return evaluateExpression(text.slice(1), ctx);
  if (!text.includes("@{")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("@@{", i)) {
      out += "@{";
      i += 3;
    } else if (text.startsWith("@{", i)) {
      const end = findInterpolationEnd(text, i + 2);
      out += interpolate(evaluateExpression(text.slice(i + 2, end), ctx));
      i = end + 1;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Index of the `}` closing an interpolation whose body starts at `from` (quotes and nested braces respected). */
function findInterpolationEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "'") {
        if (text[i + 1] === "'") i += 1;
        else inString = false;
      }
    } else if (c === "'") inString = true;
    else if (c === "{") depth += 1;
    else if (c === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  throw new AdfExpressionError(`Unterminated @{ in ${JSON.stringify(text)}`);
}

/** How a value reads inside `@{...}` (ADF renders booleans as True/False, objects as JSON). */
function interpolate(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Tokenizer and parser

type Token =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "ident"; value: string }
  | { kind: "punct"; value: "(" | ")" | "," | "." | "?." | "[" | "]" };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= src.length) throw new AdfExpressionError(`Unterminated string literal in ${JSON.stringify(src)}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += src[i];
        i += 1;
      }
      tokens.push({ kind: "string", value });
    } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i))!;
      tokens.push({ kind: "number", value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      tokens.push({ kind: "ident", value: m[0] });
      i += m[0].length;
    } else if (c === "?" && src[i + 1] === ".") {
      tokens.push({ kind: "punct", value: "?." });
      i += 2;
    } else if ("(),.[]".includes(c)) {
      tokens.push({ kind: "punct", value: c as "(" | ")" | "," | "." | "[" | "]" });
      i += 1;
    } else {
      throw new AdfExpressionError(`Unexpected character ${JSON.stringify(c)} in ${JSON.stringify(src)}`);
    }
  }
  return tokens;
}

export type ExpressionNode = Node;

type Node =
  | { kind: "literal"; value: unknown }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "member"; target: Node; name: string; optional: boolean }
  | { kind: "index"; target: Node; index: Node; optional: boolean };

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly src: string) {}

  parseAll(): Node {
    const node = this.parseExpr();
    if (this.pos !== this.tokens.length) this.fail("unexpected trailing input");
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isPunct(value: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === "punct" && t.value === value;
  }

  private expectPunct(value: string): void {
    if (!this.isPunct(value)) this.fail(`expected '${value}'`);
    this.pos += 1;
  }

  private fail(message: string): never {
    throw new AdfExpressionError(`${message} at token ${this.pos} in ${JSON.stringify(this.src)}`);
  }

  private parseExpr(): Node {
    let node = this.parsePrimary();
    for (;;) {
      if (this.isPunct(".") || this.isPunct("?.")) {
        const optional = this.isPunct("?.");
        this.pos += 1;
        // `?.[` is how ADF writes an optional index.
        if (optional && this.isPunct("[")) {
          node = this.parseIndex(node, true);
          continue;
        }
        const t = this.peek();
        if (t?.kind !== "ident") this.fail("expected a property name");
        this.pos += 1;
        node = { kind: "member", target: node, name: t.value, optional };
      } else if (this.isPunct("[")) {
        node = this.parseIndex(node, false);
      } else {
        return node;
      }
    }
  }

  private parseIndex(target: Node, optional: boolean): Node {
    this.expectPunct("[");
    const index = this.parseExpr();
    this.expectPunct("]");
    return { kind: "index", target, index, optional };
  }

  private parsePrimary(): Node {
    const t = this.peek();
    if (t === undefined) this.fail("unexpected end of expression");
    this.pos += 1;
    if (t.kind === "string" || t.kind === "number") return { kind: "literal", value: t.value };
    if (t.kind === "ident") {
      if (!this.isPunct("(")) {
        if (t.value === "true") return { kind: "literal", value: true };
        if (t.value === "false") return { kind: "literal", value: false };
        if (t.value === "null") return { kind: "literal", value: null };
        this.fail(`bare identifier '${t.value}' (functions need parentheses)`);
      }
      this.pos += 1;
      const args: Node[] = [];
      if (!this.isPunct(")")) {
        for (;;) {
          args.push(this.parseExpr());
          if (this.isPunct(",")) {
            this.pos += 1;
            continue;
          }
          break;
        }
      }
      this.expectPunct(")");
      return { kind: "call", name: t.value, args };
    }
    return this.fail(`unexpected '${t.value}'`);
  }
}

export function parseExpression(src: string): Node {
  return new Parser(tokenize(src), src).parseAll();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** RFC 3986 percent-encoding, as .NET's Uri.EscapeDataString (ADF's uriComponent) does. */
function uriComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function asString(value: unknown): string {
  return interpolate(value);
}

function argCount(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new AdfExpressionError(`${name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  }
}

function lookup(table: Record<string, unknown> | undefined, key: string, what: string): unknown {
  if (table === undefined || !Object.hasOwn(table, key)) throw new AdfExpressionError(`${what} '${key}' does not exist`);
  return table[key];
}

function callFunction(name: string, args: unknown[], ctx: ExpressionContext): unknown {
  switch (name) {
    case "pipeline":
      argCount(name, args, 0);
      return { parameters: ctx.parameters ?? {}, ...ctx.pipeline };
    case "linkedService":
      argCount(name, args, 0);
      if (ctx.linkedServiceParameters === undefined) throw new AdfExpressionError("linkedService() is only available inside a linked service definition");
      return ctx.linkedServiceParameters;
    case "item":
      argCount(name, args, 0);
      if (ctx.item === undefined) throw new AdfExpressionError("item() is only available inside a ForEach");
      return ctx.item;
    case "activity": {
      argCount(name, args, 1);
      const activityName = String(args[0]);
      return { output: lookup(ctx.activityOutputs, activityName, "Activity") };
    }
    case "concat":
      if (args.length < 1) throw new AdfExpressionError("concat() needs at least one argument");
      return args.map(asString).join("");
    case "string":
      argCount(name, args, 1);
      return asString(args[0]);
    case "json":
      argCount(name, args, 1);
      if (typeof args[0] !== "string") return args[0];
      try {
        return JSON.parse(args[0]);
      } catch {
        throw new AdfExpressionError(`json(): not valid JSON: ${JSON.stringify(args[0])}`);
      }
    case "uriComponent":
      argCount(name, args, 1);
      return uriComponent(asString(args[0]));
    case "coalesce":
      return args.find((a) => a !== null && a !== undefined) ?? null;
    case "empty": {
      // "Check whether a collection is empty": a string, an array or an object; null counts as empty.
      argCount(name, args, 1);
      const v = args[0];
      if (v === null || v === undefined) return true;
      if (typeof v === "string" || Array.isArray(v)) return v.length === 0;
      if (typeof v === "object") return Object.keys(v).length === 0;
      throw new AdfExpressionError(`empty() takes a string, an array or an object, got ${typeof v}`);
    }
    case "equals":
      argCount(name, args, 2);
      return JSON.stringify(args[0]) === JSON.stringify(args[1]);
    case "if":
      argCount(name, args, 3);
      return args[0] === true ? args[1] : args[2];
    default:
      throw new AdfExpressionError(`Unknown function '${name}'`);
  }
}

function evalNode(node: Node, ctx: ExpressionContext): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "call":
      return callFunction(node.name, node.args.map((a) => evalNode(a, ctx)), ctx);
    case "member":
    case "index": {
      const target = evalNode(node.target, ctx);
      if (target === null || target === undefined) {
        if (node.optional) return null;
        throw new AdfExpressionError(`Cannot read '${node.kind === "member" ? node.name : "[...]"}' of null`);
      }
      const key = node.kind === "member" ? node.name : evalNode(node.index, ctx);
      if (Array.isArray(target) && typeof key === "number") {
        if (key < 0 || key >= target.length) {
          if (node.optional) return null;
          throw new AdfExpressionError(`Index ${key} is out of range`);
        }
        return target[key];
      }
      if (typeof target === "object" && (typeof key === "string" || typeof key === "number")) {
        const k = String(key);
        if (Object.hasOwn(target, k)) return (target as Record<string, unknown>)[k];
        if (node.optional) return null;
        throw new AdfExpressionError(`Property '${k}' does not exist (has: ${Object.keys(target).join(", ") || "nothing"})`);
      }
      throw new AdfExpressionError(`Cannot index ${typeof target} with ${JSON.stringify(key)}`);
    }
  }
}

/** Evaluates an expression body (the text after `@`, or inside `@{...}`). */
export function evaluateExpression(src: string, ctx: ExpressionContext): unknown {
  return evalNode(parseExpression(src), ctx);
}

/** Every expression text in a definition (bare `@...` strings, Expression objects, and `@{...}` bodies). */
export function collectExpressions(value: unknown): string[] {
  const out: string[] = [];
  const visitString = (text: string) => {
    if (text.startsWith("@@")) return;
    if (text.startsWith("@") && !text.startsWith("@{")) {
      out.push(text.slice(1));
      return;
    }
    let i = 0;
    while ((i = text.indexOf("@{", i)) !== -1) {
      if (i > 0 && text[i - 1] === "@") {
        i += 2;
        continue;
      }
      const end = findInterpolationEnd(text, i + 2);
      out.push(text.slice(i + 2, end));
      i = end + 1;
    }
  };
  const walk = (v: unknown) => {
    if (isExpressionObject(v)) visitString(v.value);
    else if (typeof v === "string") visitString(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
