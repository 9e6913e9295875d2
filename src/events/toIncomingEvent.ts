/**
 * One shape for an incoming event, whichever schema carried it: Event Grid (eventType,
 * eventTime) or CloudEvents 1.0 (type, time), as a plain object or as @azure/eventgrid parsed it.
 */
import { isPlainObject } from "../json";
import type { BlobCreatedEvent } from "./blobCreated";

/** The fields of an incoming event the app reads (the same for every event type it handles). */
export type IncomingEvent = BlobCreatedEvent;

export function toIncomingEvent(raw: unknown): IncomingEvent | { malformed: string } {
  if (!isPlainObject(raw)) return { malformed: "the event is not a JSON object" };
  const e = raw as Record<string, unknown>;
  const eventType = e.eventType ?? e.type;
  const time = e.eventTime ?? e.time;
  const missing = [
    typeof e.id === "string" && e.id !== "" ? null : "id",
    typeof eventType === "string" ? null : "eventType (or type)",
    typeof e.subject === "string" ? null : "subject",
    isPlainObject(e.data) ? null : "data (an object)",
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) return { malformed: `the event has no ${missing.join(", ")}` };
  return {
    id: e.id as string,
    eventType: eventType as string,
    subject: e.subject as string,
    eventTime: time instanceof Date ? time.toISOString() : typeof time === "string" ? time : "",
    data: e.data as Record<string, unknown>,
  };
}
