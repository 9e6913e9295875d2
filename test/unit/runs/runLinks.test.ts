import { describe, expect, it } from "vitest";
import { applyRunLinksOperation, MAX_LINKED_RERUNS } from "../../../src/runs/runLinks";

describe("applyRunLinksOperation", () => {
  it("adds a rerun once, in order", () => {
    let state = applyRunLinksOperation(undefined, "addRerun", "a");
    state = applyRunLinksOperation(state, "addRerun", "b");
    state = applyRunLinksOperation(state, "addRerun", "a");
    expect(state).toEqual({ reruns: ["a", "b"] });
  });

  it("an unknown operation, a bad input or a damaged state change nothing they should not", () => {
    expect(applyRunLinksOperation({ reruns: ["a"] }, "delete", "b")).toEqual({ reruns: ["a"] });
    expect(applyRunLinksOperation({ reruns: ["a"] }, "addRerun", 7)).toEqual({ reruns: ["a"] });
    expect(applyRunLinksOperation({ reruns: ["a"] }, "addRerun", "")).toEqual({ reruns: ["a"] });
    expect(applyRunLinksOperation({ reruns: "x" } as never, "addRerun", "b")).toEqual({ reruns: ["b"] });
  });

  it("keeps at most MAX_LINKED_RERUNS", () => {
    const full = { reruns: Array.from({ length: MAX_LINKED_RERUNS }, (_, i) => `r${i}`) };
    expect(applyRunLinksOperation(full, "addRerun", "one-more").reruns).toHaveLength(MAX_LINKED_RERUNS);
  });
});
