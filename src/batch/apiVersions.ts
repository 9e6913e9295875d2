/** Azure ML API versions the app asks for by default. Constants only: request validation reads them when the app loads. */

/** The seed pipeline's Jobs API version. */
export const DEFAULT_JOBS_API_VERSION = "2022-10-01";
