#!/usr/bin/env node
// The CLI is written in TypeScript under cli/ and built to dist/cli (npm install builds it; so does npm run build).
const path = require("node:path");
const fs = require("node:fs");
const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  console.error("scoring-run is not built yet: run `npm run build` in " + path.resolve(__dirname, ".."));
  process.exit(69);
}
require(entry);
