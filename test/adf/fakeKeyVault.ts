/** A Key Vault stand-in: GET /secrets/<name>?api-version=... with the factory's MSI token for https://vault.azure.net. */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeKeyVault {
  baseUrl: string;
  requests: Array<{ url: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

export async function startFakeKeyVault(secrets: Record<string, string>): Promise<FakeKeyVault> {
  const requests: FakeKeyVault["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    const url = new URL(req.url ?? "/", "http://kv");
    const name = /^\/secrets\/([^/]+)$/.exec(url.pathname)?.[1];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== "Bearer msi:https://vault.azure.net") return send(401, { error: { code: "Unauthorized", message: "no token for vault.azure.net" } });
    if (!url.searchParams.get("api-version")) return send(400, { error: { code: "MissingApiVersionParameter", message: "api-version is required" } });
    if (req.method !== "GET" || name === undefined || !Object.hasOwn(secrets, name)) return send(404, { error: { code: "SecretNotFound", message: "no such secret" } });
    return send(200, { value: secrets[name], id: `${url.origin}/secrets/${name}/v1`, attributes: { enabled: true } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
