// Tests that go through the dev host load the built app (the dist/app bundle), as Azure does, and its console: build them once first.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export default function setup(): void {
  const root = path.resolve(__dirname, "..");
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [path.join(root, "dist", "dev", "bundle.js")], { cwd: root, stdio: "inherit" });
  // The runs console, served by the app from dist/console (docs/console.md).
  execFileSync(process.execPath, [path.join(root, "node_modules", "vite", "bin", "vite.js"), "build", "--config", "console/vite.config.mts"], {
    cwd: root,
    stdio: "inherit",
  });
}
