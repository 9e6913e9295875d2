import * as fs from "node:fs";

/**
 * Writes `<file>.<pid>.tmp`, then renames it onto `file`: a reader (or a process started after a
 * `kill -9`) sees the old content or the new, never half of it. A failed write removes its temp
 * file and throws.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // The write's own error is the one to report.
    }
    throw err;
  }
}
