import { describe, expect, it } from "vitest";
import { toIncomingEvent } from "../../../src/events/toIncomingEvent";

describe("toIncomingEvent", () => {
  it("reads Event Grid and CloudEvents shapes alike", () => {
    const eg = toIncomingEvent({ id: "1", eventType: "T", subject: "s", eventTime: "2026-01-01T00:00:00Z", data: {} });
    const ce = toIncomingEvent({ id: "1", type: "T", subject: "s", time: new Date("2026-01-01T00:00:00Z"), data: {}, specversion: "1.0", source: "/x" });
    expect(ce).toEqual({ ...eg, eventTime: "2026-01-01T00:00:00.000Z" });
  });
  it("names what a malformed event lacks", () => {
    expect(toIncomingEvent([])).toEqual({ malformed: "the event is not a JSON object" });
    expect(toIncomingEvent({ id: "1", subject: "s" })).toEqual({ malformed: "the event has no eventType (or type), data (an object)" });
  });
});
