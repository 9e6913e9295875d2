/**
 * A purpose-built Bicep parser for the infrastructure tests (the Bicep CLI cannot be installed
 * here). It reads the declarations (`param`, `var`, `resource`, `module`, `output`) and, for
 * values, the structure the type check needs: object literals with their keys, array literals,
 * the two branches of `cond ? a : b`, string literals, and nested `resource` declarations. Any
 * other expression is kept as source text. Conditions (`if (...)`) and loops (`[for ...]`) on
 * resources and modules are recorded.
 */
import { BicepSyntaxError, type Token, tokenize } from "./lexer";

interface Node {
  line: number;
  /** The value's source text. */
  text: string;
}
export type BicepValue =
  | (Node & { kind: "object"; entries: BicepEntry[]; resources: ResourceDecl[] })
  | (Node & { kind: "array"; items: BicepValue[]; loop: boolean })
  | (Node & { kind: "choice"; options: [BicepValue, BicepValue] })
  | (Node & { kind: "string"; value: string | null })
  | (Node & { kind: "other" });

export interface BicepEntry {
  /** The property name; null for an interpolated key (`'${x}': ...`). */
  key: string | null;
  line: number;
  value: BicepValue;
}

interface Declared {
  symbol: string;
  line: number;
  /** The `if (...)` condition's text, or null. */
  condition: string | null;
  loop: boolean;
  body: BicepValue;
}
export interface ResourceDecl extends Declared {
  /** As written: `Type@version`, or a child type name when nested. */
  typeRef: string;
  existing: boolean;
}
export interface ModuleDecl extends Declared {
  path: string;
}
export interface ParamDecl {
  name: string;
  line: number;
  type: string;
  hasDefault: boolean;
}

export interface BicepFile {
  params: ParamDecl[];
  vars: Array<{ name: string; line: number; value: BicepValue }>;
  resources: ResourceDecl[];
  modules: ModuleDecl[];
  outputs: Array<{ name: string; line: number; value: BicepValue }>;
}

const CLOSERS = new Set(["}", "]", ")"]);
const OPENERS: Record<string, string> = { "{": "}", "[": "]", "(": ")" };

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[], private readonly src: string) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    this.pos += 1;
    return t;
  }
  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }
  private expect(text: string): Token {
    if (!this.is(text)) this.fail(`expected '${text}', found '${this.peek().text}'`);
    return this.next();
  }
  private fail(message: string): never {
    throw new BicepSyntaxError(`line ${this.peek().line}: ${message}`);
  }
  private skipNewlines(): void {
    while (this.peek().kind === "newline") this.pos += 1;
  }
  private textFrom(startToken: Token): string {
    return this.src.slice(startToken.start, this.tokens[this.pos - 1]!.end);
  }

  /** Skips a bracketed group starting at an opener, newlines included. */
  private skipBalanced(): void {
    const close = OPENERS[this.next().text]!;
    while (!this.is(close)) {
      if (this.peek().kind === "eof") this.fail(`missing '${close}'`);
      if (this.peek().kind === "punct" && OPENERS[this.peek().text]) this.skipBalanced();
      else this.pos += 1;
    }
    this.pos += 1;
  }

  private skipDecorator(): void {
    this.expect("@");
    this.next();
    while (this.is(".")) {
      this.next();
      this.next();
    }
    if (this.is("(")) this.skipBalanced();
    this.skipNewlines();
  }

  parseFile(): BicepFile {
    const file: BicepFile = { params: [], vars: [], resources: [], modules: [], outputs: [] };
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === "eof") return file;
      if (this.is("@")) {
        this.skipDecorator();
        continue;
      }
      const keyword = t.kind === "ident" ? t.text : "";
      if (keyword === "param") file.params.push(this.parseParam());
      else if (keyword === "resource") file.resources.push(this.parseResource());
      else if (keyword === "module") file.modules.push(this.parseModule());
      else if (keyword === "var" || keyword === "output") {
        this.next();
        const name = this.next();
        while (!this.is("=")) this.next(); // an output's type
        this.next();
        const value = this.parseExpression();
        (keyword === "var" ? file.vars : file.outputs).push({ name: name.text, line: name.line, value });
      } else this.skipStatement();
    }
  }

  /** targetScope, metadata, type, func, import...: not needed, skipped whole. */
  private skipStatement(): void {
    while (this.peek().kind !== "newline" && this.peek().kind !== "eof") {
      if (this.peek().kind === "punct" && OPENERS[this.peek().text]) this.skipBalanced();
      else this.pos += 1;
    }
  }

  private parseParam(): ParamDecl {
    this.expect("param");
    const name = this.next();
    const typeStart = this.peek();
    while (!this.is("=") && this.peek().kind !== "newline" && this.peek().kind !== "eof") {
      if (this.peek().kind === "punct" && OPENERS[this.peek().text]) this.skipBalanced();
      else this.pos += 1;
    }
    const type = this.src.slice(typeStart.start, this.tokens[this.pos - 1]!.end).trim();
    const hasDefault = this.is("=");
    if (hasDefault) {
      this.next();
      this.parseExpression();
    }
    return { name: name.text, line: name.line, type, hasDefault };
  }

  /** `= [if (cond)] {...}` or `= [for ...: [if (cond)] {...}]` after a resource or module header. */
  private parseDeclarationBody(): Pick<Declared, "condition" | "loop" | "body"> {
    this.expect("=");
    if (this.is("if")) {
      this.next();
      const start = this.peek();
      this.skipBalanced();
      const condition = this.textFrom(start);
      return { condition, loop: false, body: this.parseExpression() };
    }
    const value = this.parseExpression();
    if (value.kind === "array" && value.loop) {
      const inner = value.items[0]!;
      return { condition: (value as { condition?: string }).condition ?? null, loop: true, body: inner };
    }
    return { condition: null, loop: false, body: value };
  }

  private parseResource(): ResourceDecl {
    const keyword = this.expect("resource");
    const symbol = this.next().text;
    const type = this.next();
    if (type.kind !== "string" || type.value === null) this.fail("a resource type must be a plain string");
    const existing = this.is("existing");
    if (existing) this.next();
    return { symbol, line: keyword.line, typeRef: type.value!, existing, ...this.parseDeclarationBody() };
  }

  private parseModule(): ModuleDecl {
    const keyword = this.expect("module");
    const symbol = this.next().text;
    const path = this.next();
    if (path.kind !== "string" || path.value === null) this.fail("a module path must be a plain string");
    return { symbol, line: keyword.line, path: path.value!, ...this.parseDeclarationBody() };
  }

  /** A value up to the end of its line (or a `,` or closing bracket); a ternary's two branches are kept. */
  parseExpression(): BicepValue {
    const start = this.peek();
    const first = this.parseOperands(true);
    if (!this.is("?")) return first;
    this.next();
    this.skipNewlines();
    const whenTrue = this.parseOperands(false);
    this.skipNewlines();
    this.expect(":");
    this.skipNewlines();
    const whenFalse = this.parseExpression();
    return { kind: "choice", line: start.line, text: this.textFrom(start), options: [whenTrue, whenFalse] };
  }

  /** Operands and operators up to a separator; a lone object, array or string literal is returned as such. */
  private parseOperands(stopAtQuestion: boolean): BicepValue {
    const start = this.peek();
    const parts: BicepValue[] = [];
    let count = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === "newline" || t.kind === "eof" || (t.kind === "punct" && (CLOSERS.has(t.text) || t.text === "," || t.text === ":"))) break;
      if (stopAtQuestion && this.is("?")) break;
      if (!stopAtQuestion && this.is("?")) this.fail("nested ternary without parentheses");
      count += 1;
      if (this.is("{")) parts.push(this.parseObject());
      else if (this.is("[")) parts.push(this.parseArray());
      else if (this.is("(")) this.skipBalanced();
      else if (t.kind === "string") {
        this.next();
        parts.push({ kind: "string", line: t.line, text: t.text, value: t.value });
      } else this.next();
    }
    if (count === 0) this.fail(`expected a value, found '${this.peek().text}'`);
    if (count === 1 && parts.length === 1) return parts[0]!;
    return { kind: "other", line: start.line, text: this.textFrom(start) };
  }

  private parseObject(): BicepValue {
    const open = this.expect("{");
    const entries: BicepEntry[] = [];
    const resources: ResourceDecl[] = [];
    for (;;) {
      while (this.peek().kind === "newline" || this.is(",")) this.next();
      if (this.is("}")) break;
      if (this.is("@")) {
        this.skipDecorator();
        continue;
      }
      const t = this.next();
      if (t.kind === "ident" && t.text === "resource" && !this.is(":")) {
        this.pos -= 1;
        resources.push(this.parseResource());
        continue;
      }
      if (t.kind !== "ident" && t.kind !== "string") this.fail(`expected a property name, found '${t.text}'`);
      const key = t.kind === "string" ? t.value : t.text;
      this.expect(":");
      entries.push({ key, line: t.line, value: this.parseExpression() });
    }
    this.next();
    return { kind: "object", line: open.line, text: this.textFrom(open), entries, resources };
  }

  private parseArray(): BicepValue {
    const open = this.expect("[");
    this.skipNewlines();
    if (this.is("for")) {
      while (!this.is(":")) {
        if (this.peek().kind === "punct" && OPENERS[this.peek().text]) this.skipBalanced();
        else this.next();
      }
      this.next();
      this.skipNewlines();
      let condition: string | null = null;
      if (this.is("if")) {
        this.next();
        const start = this.peek();
        this.skipBalanced();
        condition = this.textFrom(start);
      }
      const item = this.parseExpression();
      this.skipNewlines();
      this.expect("]");
      return Object.assign({ kind: "array" as const, line: open.line, text: this.textFrom(open), items: [item], loop: true }, { condition });
    }
    const items: BicepValue[] = [];
    for (;;) {
      while (this.peek().kind === "newline" || this.is(",")) this.next();
      if (this.is("]")) break;
      items.push(this.parseExpression());
    }
    this.next();
    return { kind: "array", line: open.line, text: this.textFrom(open), items, loop: false };
  }
}

export function parseBicep(src: string): BicepFile {
  return new Parser(tokenize(src), src).parseFile();
}

export { BicepSyntaxError };
