/** A read that failed: what the API said, in words. */
import { ApiError } from "../api";

export function ErrorPanel({ error }: { error: Error }) {
  return (
    <div class="panel error-panel" role="alert">
      <strong>{error instanceof ApiError ? `${error.code} (HTTP ${error.status})` : "The API could not be reached"}</strong>
      <p>{error.message}</p>
    </div>
  );
}
