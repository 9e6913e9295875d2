/**
 * The examples in `openapi.yaml` are real answers of `npm run dev`; this keeps them true to the
 * document: every example of a request body or a response validates against the schema of its
 * media type (strict ajv, as spec.ts compiles them), and every documented answer with a body has
 * at least one example. No stack is needed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Doc, dereference, key, loadRawDoc, operations, Validators } from "./spec";

interface Example {
  where: string;
  schema: object;
  value: unknown;
}

let doc: Doc;
let v: Validators;
const examples: Example[] = [];
const answersWithoutExamples: string[] = [];

function collect(where: string, content: Doc | undefined, isResponse: boolean): void {
  for (const [media, m] of Object.entries<Doc>(content ?? {})) {
    const found = Object.entries<Doc>(m.examples ?? {});
    if (m.example !== undefined) found.push(["example", { value: m.example }]);
    if (isResponse && found.length === 0) answersWithoutExamples.push(`${where} ${media}`);
    for (const [name, ex] of found) examples.push({ where: `${where} ${media} examples.${name}`, schema: m.schema, value: ex.value });
  }
}

beforeAll(async () => {
  doc = await dereference(loadRawDoc());
  v = new Validators();
  for (const { method, path, op } of operations(doc)) {
    collect(`${key(method, path)} request`, op.requestBody?.content, false);
    for (const [status, r] of Object.entries<Doc>(op.responses ?? {})) collect(key(method, path, status), r.content, true);
  }
});

describe("openapi.yaml examples", () => {
  it("there are examples of both start body forms and of a cancel with and without a reason", () => {
    const names = examples.map((e) => e.where);
    expect(names).toEqual(
      expect.arrayContaining([
        "POST /api/scoring-runs request application/json examples.seed",
        "POST /api/scoring-runs request application/json examples.camelCase",
        "POST /api/scoring-runs/{id}/cancel request application/json examples.withReason",
        "POST /api/scoring-runs/{id}/cancel request application/json examples.withoutReason",
      ]),
    );
  });

  it("every documented answer with a body has an example", () => {
    expect(answersWithoutExamples).toEqual([]);
  });

  it("every example validates against the schema of its media type", () => {
    expect(examples.length).toBeGreaterThan(30);
    const failures = examples.flatMap((e) => {
      const r = v.check(e.schema, e.value);
      return r.ok ? [] : [`${e.where}: ${r.errors}`];
    });
    expect(failures).toEqual([]);
  });

  it("the check can fail (an example with a field the schema does not have is refused)", () => {
    const start = examples.find((e) => e.where.endsWith("examples.seed")) as Example;
    expect(v.check(start.schema, { ...(start.value as object), deployment: "blue" }).ok).toBe(false);
    const view = examples.find((e) => e.where.startsWith("GET /api/scoring-runs/{id} 200")) as Example;
    expect(v.check(view.schema, { ...(view.value as object), extra: 1 }).ok).toBe(false);
  });
});
