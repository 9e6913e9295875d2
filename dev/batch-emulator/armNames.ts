/** ARM resource names (endpoints, deployments, datastores, data assets) compare without case. */

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The entry whose key names `name` in any case, as ARM finds a resource. */
export function findByName<V>(map: ReadonlyMap<string, V>, name: string): [string, V] | undefined {
  for (const entry of map) if (sameName(entry[0], name)) return entry;
  return undefined;
}
