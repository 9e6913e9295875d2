/** The plain request/response the HTTP logic works on; registrations convert from and to @azure/functions. */
export interface ApiRequest {
  method: string;
  url: string;
  header(name: string): string | null;
  query: URLSearchParams;
  params: Record<string, string>;
  bodyText: string;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
