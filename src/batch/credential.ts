/**
 * The app's identity, created on the first call that needs a token (loading @azure/identity is
 * not free, and loopback/dev calls never need it). Token failures become BatchEndpointError
 * `AuthenticationFailed`, naming the identity but never a secret.
 */

import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import type { BatchClientSettings } from "./types";
import { BatchEndpointError } from "./errors";

/** Which identity the app uses, for messages: no secrets, only the (public) client id. */
export function describeIdentity(config: Pick<BatchClientSettings, "managedIdentityClientId">, injected?: TokenCredential): string {
  if (injected) {
    const className = injected.constructor?.name;
    return `the supplied credential${className && className !== "Object" ? ` (${className})` : ""}`;
  }
  return config.managedIdentityClientId
    ? `managed identity (client id ${config.managedIdentityClientId}, setting AZURE_CLIENT_ID)`
    : "DefaultAzureCredential (AZURE_CLIENT_ID not set)";
}

/** ManagedIdentityCredential({clientId}) when AZURE_CLIENT_ID is set, else DefaultAzureCredential. */
export async function createDefaultCredential(config: Pick<BatchClientSettings, "managedIdentityClientId">): Promise<TokenCredential> {
  // require, not import(): the bundle keeps a dynamic import() as ESM, which would load a second
  // (ESM) copy of the Azure SDK core beside the CommonJS one the REST pipeline uses.
  const identity = require("@azure/identity") as typeof import("@azure/identity");
  return config.managedIdentityClientId
    ? new identity.ManagedIdentityCredential({ clientId: config.managedIdentityClientId })
    : new identity.DefaultAzureCredential();
}

function authenticationFailed(scopes: string | string[], identity: string, cause: unknown): BatchEndpointError {
  const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
  const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : "the credential returned no token";
  return new BatchEndpointError("AuthenticationFailed", `Could not get an access token for ${scope} using ${identity}. ${reason.slice(0, 600)}`, {
    retryable: false,
    cause,
  });
}

/**
 * A TokenCredential that creates the real one lazily (once) and turns failures into
 * AuthenticationFailed. `injected` (tests, composed hosts) is used as is.
 */
export function createLazyCredential(config: Pick<BatchClientSettings, "managedIdentityClientId">, injected?: TokenCredential): TokenCredential {
  const identity = describeIdentity(config, injected);
  let created: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      let token: AccessToken | null;
      try {
        if (!injected && !created) {
          created = createDefaultCredential(config);
          created.catch(() => (created = undefined)); // a failed construction is retried next call
        }
        const credential = injected ?? (await created!);
        token = await credential.getToken(scopes, options);
      } catch (err) {
        throw authenticationFailed(scopes, identity, err);
      }
      if (!token) throw authenticationFailed(scopes, identity, undefined);
      return token;
    },
  };
}
