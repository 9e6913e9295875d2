/**
 * Keeps secrets out of error messages: URL query strings, SAS signatures, keys, bearer tokens,
 * Authorization header values and anything that looks like a JWT.
 */

const MAX_MESSAGE_LENGTH = 1000;

/** Query/connection-string parameters whose values are never shown. */
const SECRET_PARAMS = [
  "sig",
  "signature",
  "code",
  "key",
  "token",
  "access_token",
  "id_token",
  "refresh_token",
  "client_secret",
  "secret",
  "password",
  "pwd",
  "apikey",
  "api_key",
  "api-key",
  "subscription-key",
  "x-functions-key",
  "assertion",
  "accountkey",
  "sharedaccesskey",
  "sharedaccesssignature",
];

const URL_WITH_QUERY = /\b(https?:\/\/[^\s"'<>?#]*)\?[^\s"'<>#]*/gi;
const SECRET_PARAM = new RegExp(`\\b(${SECRET_PARAMS.map(escapeRegExp).join("|")})=([^&;\\s"',]+)`, "gi");
const AUTH_HEADER = /\b(authorization|proxy-authorization|x-functions-key|ocp-apim-subscription-key)(["']?\s*[:=]\s*["']?)([^"',\r\n]+)/gi;
const BEARER = /\b(bearer|basic|sharedaccesssignature)\s+[A-Za-z0-9\-._~+/=%]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}

/** Returns `text` with secrets replaced by `[redacted]`, whitespace-collapsed and length-capped. */
export function sanitizeText(text: string, maxLength = MAX_MESSAGE_LENGTH): string {
  const cleaned = text
    .replace(URL_WITH_QUERY, "$1?[redacted]")
    .replace(AUTH_HEADER, "$1$2[redacted]")
    .replace(BEARER, "$1 [redacted]")
    .replace(JWT, "[redacted]")
    .replace(SECRET_PARAM, "$1=[redacted]")
    .replace(/\s+/g, " ")
    .trim();
  return cleaned.length > maxLength ? `${cleaned.slice(0, maxLength - 1)}…` : cleaned;
}

/** `scheme://host[:port]/path` of a URL, without userinfo, query or fragment: safe to show. */
export function displayUrl(url: string | URL): string {
  try {
    const parsed = typeof url === "string" ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}
