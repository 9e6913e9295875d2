import { describe, expect, it } from "vitest";
import { sanitizeText } from "../../../src/batch";

describe("sanitizeText", () => {
  it.each([
    ["https://a.blob.core.windows.net/c/f.csv?sv=2022&sig=S3CRET&se=2026", "S3CRET"],
    ["POST https://fn.azurewebsites.net/api/x?code=FUNCKEY==", "FUNCKEY"],
    ["DefaultEndpointsProtocol=https;AccountName=a;AccountKey=ACCOUNTKEY==;EndpointSuffix=core.windows.net", "ACCOUNTKEY"],
    ["Authorization: Bearer abc.def.ghi", "abc.def.ghi"],
    ['{"authorization":"Basic dXNlcjpwYXNz"}', "dXNlcjpwYXNz"],
    ["token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl leaked", "eyJhbGciOiJSUzI1NiJ9"],
    ["sig=ONLYPARAM&other=1", "ONLYPARAM"],
    ["x-functions-key=FK123", "FK123"],
  ])("removes the secret from %s", (text, secret) => {
    const out = sanitizeText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain("[redacted]");
  });

  it("keeps ordinary text and URLs without queries", () => {
    expect(sanitizeText("Job failed at https://ml.azure.com/runs/x")).toBe("Job failed at https://ml.azure.com/runs/x");
  });

  it("caps the length", () => {
    expect(sanitizeText("a".repeat(5000)).length).toBeLessThanOrEqual(1000);
  });
});
