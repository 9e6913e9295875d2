/** Settings, parsed and validated in one place. The only reader of process.env in src/. */

export interface AppConfig {
  /** Host patterns an endpoint URI may use (`*.inference.ml.azure.com`). */
  allowedHosts: string[];
  /** Dev/tests only: http loopback endpoints and ARM, no token acquisition. */
  allowLoopback: boolean;
  /** ARM base URL without a trailing slash. */
  armEndpoint: string;
  /** Client id of a user-assigned managed identity; undefined → DefaultAzureCredential. */
  managedIdentityClientId: string | undefined;
  defaultPollSeconds: number;
  maxPollsPerExecution: number;
}

export type Env = Record<string, string | undefined>;

function intSetting(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Setting ${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

export function parseConfig(env: Env): AppConfig {
  const hosts = (env.SCORING_ALLOWED_HOSTS ?? "*.inference.ml.azure.com")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== "");
  const arm = (env.AML_ARM_ENDPOINT ?? "https://management.azure.com").trim().replace(/\/+$/, "");
  return {
    allowedHosts: hosts,
    allowLoopback: (env.SCORING_ALLOW_LOOPBACK ?? "").trim().toLowerCase() === "true",
    armEndpoint: arm,
    managedIdentityClientId: env.AZURE_CLIENT_ID?.trim() || undefined,
    defaultPollSeconds: intSetting(env, "SCORING_DEFAULT_POLL_SECONDS", 120, 1, 86400),
    maxPollsPerExecution: intSetting(env, "SCORING_MAX_POLLS_PER_EXECUTION", 50, 1, 10000),
  };
}

let cached: { key: string; config: AppConfig } | undefined;

/**
 * The app's settings. Re-parsed when the environment changes, so a host that sets
 * settings after loading the app (the dev host, tests) is seen.
 */
export function getConfig(): AppConfig {
  const env = process.env;
  const key = [
    env.SCORING_ALLOWED_HOSTS, env.SCORING_ALLOW_LOOPBACK, env.AML_ARM_ENDPOINT, env.AZURE_CLIENT_ID,
    env.SCORING_DEFAULT_POLL_SECONDS, env.SCORING_MAX_POLLS_PER_EXECUTION,
  ].join("\u0000");
  if (cached?.key !== key) cached = { key, config: parseConfig(env) };
  return cached.config;
}
