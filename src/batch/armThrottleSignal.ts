/**
 * Every 429 Azure Resource Manager answers, also the ones the throttling policy then retries: the
 * fleet's read budget is lowered for all runs when ARM throttles any of them
 * (docs/operations.md#fleet-read-budget). One listener per process.
 */
type ThrottleListener = (retryAfterSeconds: number | null) => void;

let listener: ThrottleListener | null = null;

export function onArmThrottled(next: ThrottleListener | null): void {
  listener = next;
}

export function armThrottled(retryAfterSeconds: number | null): void {
  listener?.(retryAfterSeconds);
}
