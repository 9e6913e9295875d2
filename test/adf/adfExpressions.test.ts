import { describe, expect, it } from "vitest";
import {
  AdfExpressionError,
  collectExpressions,
  type ExpressionContext,
  evaluateExpression,
  evaluateString,
  evaluateValue,
} from "./adfExpressions";

const ctx: ExpressionContext = {
  parameters: { myString: "foo", myNumber: 42, flag: true, url: "https://fa.example.net", nested: { a: [10, 20] } },
  pipeline: { RunId: "11111111-2222-3333-4444-555555555555", Pipeline: "P" },
  activityOutputs: { "Start scoring run": { id: "key-abc", job: null, list: ["x", "y"] } },
};

describe("ADF expression evaluator", () => {
  // The examples table of the ADF "Expressions and functions" page.
  it.each<[string, unknown]>([
    ["parameters", "parameters"],
    ["parameters[1]", "parameters[1]"],
    ["@@", "@"],
    [" @", " @"],
    ["@pipeline().parameters.myString", "foo"],
    ["@{pipeline().parameters.myString}", "foo"],
    ["@pipeline().parameters.myNumber", 42],
    ["@{pipeline().parameters.myNumber}", "42"],
    ["Answer is: @{pipeline().parameters.myNumber}", "Answer is: 42"],
    ["@concat('Answer is: ', string(pipeline().parameters.myNumber))", "Answer is: 42"],
    ["Answer is: @@{pipeline().parameters.myNumber}", "Answer is: @{pipeline().parameters.myNumber}"],
  ])("documented example %j → %j", (input, expected) => {
    expect(evaluateString(input, ctx)).toEqual(expected);
  });

  it("reads pipeline system variables and activity outputs", () => {
    expect(evaluateString("@pipeline().RunId", ctx)).toBe("11111111-2222-3333-4444-555555555555");
    expect(evaluateString("@activity('Start scoring run').output.id", ctx)).toBe("key-abc");
    expect(evaluateString("@activity('Start scoring run').output.list[1]", ctx)).toBe("y");
    expect(evaluateString("@pipeline().parameters.nested.a[0]", ctx)).toBe(10);
    expect(evaluateString("@pipeline().parameters['myString']", ctx)).toBe("foo");
  });

  it("concat, uriComponent (RFC 3986), json, coalesce, if/equals", () => {
    expect(evaluateString("@concat(pipeline().parameters.url, '/api/scoring-runs/', uriComponent(activity('Start scoring run').output.id), '?failOnError=true')", ctx))
      .toBe("https://fa.example.net/api/scoring-runs/key-abc?failOnError=true");
    expect(evaluateString("@uriComponent('a b/c?d=e&f!*()')", ctx)).toBe("a%20b%2Fc%3Fd%3De%26f%21%2A%28%29");
    expect(evaluateString("@json('{\"a\":1}')", ctx)).toEqual({ a: 1 });
    expect(evaluateString("@coalesce(activity('Start scoring run').output.job, 'none')", ctx)).toBe("none");
    expect(evaluateString("@if(equals(pipeline().parameters.myNumber, 42), 'yes', 'no')", ctx)).toBe("yes");
  });

  it("empty() on strings, arrays, objects and null (the function list's example: empty('') is true)", () => {
    expect(evaluateString("@empty('')", ctx)).toBe(true);
    expect(evaluateString("@empty('abc')", ctx)).toBe(false);
    expect(evaluateString("@empty(activity('Start scoring run').output.list)", ctx)).toBe(false);
    expect(evaluateString("@empty(activity('Start scoring run').output.job)", ctx)).toBe(true);
    expect(evaluateString("@empty(pipeline().parameters.nested)", ctx)).toBe(false);
    expect(() => evaluateString("@empty(pipeline().parameters.myNumber)", ctx)).toThrow(AdfExpressionError);
    expect(evaluateString("a@{if(empty(''), '', concat(', \"x\": \"', 'v', '\"'))}b", ctx)).toBe("ab");
    expect(evaluateString("a@{if(empty('v'), '', concat(', \"x\": \"', 'v', '\"'))}b", ctx)).toBe('a, "x": "v"b');
  });

  it("string literals: '' escapes a quote, braces inside quotes do not end an interpolation", () => {
    expect(evaluateString("@concat('Baba', '''s ', 'book store')", ctx)).toBe("Baba's book store");
    expect(evaluateString("x@{concat('}', '{')}y", ctx)).toBe("x}{y");
  });

  it("interpolation renders booleans as True/False and objects as JSON", () => {
    expect(evaluateString("@{pipeline().parameters.flag}", ctx)).toBe("True");
    expect(evaluateString("v=@{pipeline().parameters.nested}", ctx)).toBe('v={"a":[10,20]}');
  });

  it("null-safe access with ?. and ?.[ ]", () => {
    expect(evaluateString("@activity('Start scoring run').output.job?.name", ctx)).toBeNull();
    expect(evaluateString("@activity('Start scoring run').output?.missing", ctx)).toBeNull();
    expect(evaluateString("@activity('Start scoring run').output.list?.[5]", ctx)).toBeNull();
  });

  it("evaluates Expression objects and walks objects and arrays", () => {
    const def = {
      url: { value: "@concat(pipeline().parameters.url, '/x')", type: "Expression" },
      headers: { "Idempotency-Key": { value: "@pipeline().RunId", type: "Expression" }, Plain: "text" },
      list: ["@pipeline().parameters.myNumber", 7],
      body: { value: '{"n": "@{pipeline().parameters.myNumber}"}', type: "Expression" },
    };
    expect(evaluateValue(def, ctx)).toEqual({
      url: "https://fa.example.net/x",
      headers: { "Idempotency-Key": "11111111-2222-3333-4444-555555555555", Plain: "text" },
      list: [42, 7],
      body: '{"n": "42"}',
    });
  });

  it.each([
    ["@pipeline().parameters.nope", /Parameter|'nope' does not exist/],
    ["@activity('Missing').output", /Activity 'Missing' does not exist/],
    ["@activity('Start scoring run').output.Id", /Property 'Id' does not exist/],
    ["@activity('Start scoring run').output.job.name", /of null/],
    ["@frobnicate(1)", /Unknown function 'frobnicate'/],
    ["@concat('a'", /expected/],
    ["@concat('a)", /Unterminated string/],
    ["x @{pipeline().RunId", /Unterminated @\{/],
    ["@pipeline", /functions need parentheses/],
    ["@linkedService().x", /only available inside a linked service/],
    ["@item().output_uri", /only available inside a ForEach/],
  ])("fails loudly: %s", (input, message) => {
    expect(() => evaluateString(input, ctx)).toThrow(AdfExpressionError);
    expect(() => evaluateString(input, ctx)).toThrow(message);
  });

  it("linkedService() reads linked service parameters", () => {
    expect(evaluateString("@{linkedService().functionAppUrl}", { linkedServiceParameters: { functionAppUrl: "https://a" } })).toBe("https://a");
  });

  it("item() reads the ForEach element", () => {
    expect(evaluateString("@concat(pipeline().RunId, ':', item().output_uri)", { ...ctx, item: { output_uri: "o" } })).toBe("11111111-2222-3333-4444-555555555555:o");
  });

  it("evaluateExpression takes the body without the @", () => {
    expect(evaluateExpression("concat('a', 'b')", ctx)).toBe("ab");
  });

  it("collects every expression in a definition, skipping escaped ones", () => {
    const def = {
      a: "@pipeline().RunId",
      b: { value: "x @{pipeline().parameters.myString} y @{concat('}', 'z')}", type: "Expression" },
      c: ["@@literal", "no expressions", "@@{not one}"],
    };
    expect(collectExpressions(def)).toEqual(["pipeline().RunId", "pipeline().parameters.myString", "concat('}', 'z')"]);
  });
});
