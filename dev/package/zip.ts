/**
 * Zip archives as azd makes them for a Function App (each file deflated, no directory entries),
 * and back. Used for the deploy package's size (azd uploads a zip, Flex Consumption fetches it)
 * and for the extracted copy the bench and the package test load. Deflate at zlib's default
 * level; a fixed timestamp keeps the archive the same for the same files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as zlib from "node:zlib";

export interface ZipSource {
  /** The path inside the archive, with `/`. */
  name: string;
  /** The file on disk. */
  file: string;
}

const deflateRaw = promisify(zlib.deflateRaw);
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = (crcTable[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Packed {
  name: Buffer;
  crc: number;
  size: number;
  method: 0 | 8;
  body: Buffer;
}

async function pack(source: ZipSource): Promise<Packed> {
  const data = await fs.promises.readFile(source.file);
  const deflated = await deflateRaw(data);
  // Stored when deflate does not help (already compressed files), as zip tools do.
  const stored = deflated.length >= data.length;
  return { name: Buffer.from(source.name, "utf8"), crc: crc32(data), size: data.length, method: stored ? 0 : 8, body: stored ? data : deflated };
}

/** Deflates a few files at a time on libuv's thread pool: node_modules is thousands of files. */
async function packAll(sources: ZipSource[], parallel = 8): Promise<Packed[]> {
  const out = new Array<Packed>(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const i = next++;
      out[i] = await pack(sources[i] as ZipSource);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}

const dosDate = (1 << 5) | 1; // 1980-01-01
const utf8Flag = 0x0800;

function header(signature: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(signature, 0);
  return b;
}

/** A zip of the given files, in order. No zip64: fine below 65,535 files and 4 GB. */
export async function zipFiles(sources: ZipSource[]): Promise<Buffer> {
  if (sources.length > 0xffff) throw new Error(`${sources.length} files: more than a zip without zip64 holds`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of await packAll(sources)) {
    const local = header(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(utf8Flag, 6);
    local.writeUInt16LE(p.method, 8);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(p.crc, 14);
    local.writeUInt32LE(p.body.length, 18);
    local.writeUInt32LE(p.size, 22);
    local.writeUInt16LE(p.name.length, 26);
    const entry = header(0x02014b50, 46);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    local.copy(entry, 8, 6, 30); // flags … name length are the same fields
    entry.writeUInt32LE(offset, 42);
    parts.push(local, p.name, p.body);
    central.push(entry, p.name);
    offset += local.length + p.name.length + p.body.length;
  }
  const directory = Buffer.concat(central);
  const end = header(0x06054b50, 22);
  end.writeUInt16LE(sources.length, 8);
  end.writeUInt16LE(sources.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** Every file under `dir`, as archive names (`/`), sorted. */
export function filesUnder(dir: string): ZipSource[] {
  const walk = (rel: string): ZipSource[] =>
    fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) return walk(name);
      return e.isFile() ? [{ name, file: path.join(dir, name) }] : [];
    });
  return walk("").sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Writes every file of a zip under `dir`, checking each file's CRC. */
export function unzip(archive: Buffer, dir: string): string[] {
  const endAt = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error("not a zip: no end of central directory");
  const count = archive.readUInt16LE(endAt + 10);
  let at = archive.readUInt32LE(endAt + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(at) !== 0x02014b50) throw new Error(`zip entry ${i}: bad central directory header`);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    if (path.isAbsolute(name) || name.split("/").includes("..")) throw new Error(`zip entry ${name}: outside the folder`);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const body = archive.subarray(start, start + compressed);
    const data = method === 8 ? zlib.inflateRawSync(body) : body;
    if (crc32(data) !== crc) throw new Error(`zip entry ${name}: CRC mismatch`);
    if (name.endsWith("/")) continue;
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
    names.push(name);
  }
  return names;
}
