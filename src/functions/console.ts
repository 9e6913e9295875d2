/**
 * The runs console (docs/console.md): its page and assets, read from dist/console at request time
 * (never at start-up: a cold start loads none of it). Anonymous on purpose: the files hold no data;
 * the page calls the API with the operator's function key, which the API routes still require.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { consoleSettings } from "../config";
import { type ConsoleAssets, consoleAsset } from "../http/consoleAssets";
import { names } from "../runs/names";

/** The app runs as dist/app/index.js; `npm run build` writes the console to dist/console beside it. */
const consoleDir = path.join(__dirname, "..", "console");

const builtFiles: ConsoleAssets = {
  async read(name) {
    const file = path.join(consoleDir, name);
    if (path.dirname(file) !== consoleDir) return null;
    try {
      return await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
  },
};

async function serve(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    return await consoleAsset(request.params.file, builtFiles, consoleSettings());
  } catch (err) {
    context.error(`${context.functionName} failed: ${err instanceof Error ? err.message : String(err)}`);
    return { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "The console could not be served; see the function logs." };
  }
}

// Two routes rather than one optional parameter: each is a plain path, as openapi.yaml lists them.
app.http(names.http.console, { authLevel: "anonymous", methods: ["GET"], route: "console", handler: serve });
app.http(names.http.consoleAsset, { authLevel: "anonymous", methods: ["GET"], route: "console/{file}", handler: serve });
