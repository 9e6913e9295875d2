#!/usr/bin/env node
// The CLI is written in TypeScript under cli/ and built to dist/cli (npm run build).
require("../dist/cli/main.js");
