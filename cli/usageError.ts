/** A bad command line, found before anything is sent (exit 64). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
