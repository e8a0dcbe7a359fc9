/**
 * What `plan --json` shows of a Pulumi asset or archive instead of its contents: a handler's bundle
 * is hundreds of kilobytes of minified source, which no reader of a plan wants; its hash says
 * whether it changed, its size what it weighs, its entries what is inside.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";

/** Pulumi's signature key and the signatures of assets and archives, as serialized. */
const SIG = "4dabf18193072939515e22adb298388d";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/** An asset as the plan shows it. */
export interface AssetSummary {
  /** SHA-256 of the content (hex), or undefined when the content is not available offline. */
  sha256?: string;
  /** Bytes, when known. */
  size?: number;
  /** The file it comes from, for a file asset. */
  path?: string;
  /** The remote location, for a remote asset. */
  uri?: string;
}

/** An archive as the plan shows it. */
export interface ArchiveSummary {
  /** SHA-256 over the entries' names and hashes, in name order. */
  sha256?: string;
  /** Total bytes of the entries whose size is known. */
  size: number;
  /** Each entry by name. */
  entries: Record<string, AssetSummary | ArchiveSummary>;
  /** The directory or file it comes from, for a file archive. */
  path?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

function summarizeAsset(a: Record<string, unknown>): AssetSummary {
  if (typeof a.text === "string") {
    const bytes = Buffer.from(a.text, "utf8");
    return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
  }
  if (typeof a.path === "string") {
    try {
      const bytes = readFileSync(a.path);
      return { path: a.path, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
    } catch {
      return { path: a.path };
    }
  }
  return typeof a.uri === "string" ? { uri: a.uri } : {};
}

function summarizeArchive(a: Record<string, unknown>): ArchiveSummary {
  if (isRecord(a.assets)) {
    const entries: ArchiveSummary["entries"] = {};
    let size = 0;
    const hash = createHash("sha256");
    for (const name of Object.keys(a.assets).sort()) {
      const s = summarizeArchiveOrAsset(a.assets[name]);
      entries[name] = s;
      size += s.size ?? 0;
      hash.update(`${name}\0${s.sha256 ?? "?"}\0`);
    }
    return { sha256: hash.digest("hex"), size, entries };
  }
  if (typeof a.path === "string") {
    let size = 0;
    try {
      size = statSync(a.path).size;
    } catch {
      // Left at 0: the path is shown.
    }
    return { path: a.path, size, entries: {} };
  }
  return { size: 0, entries: {} };
}

function summarizeArchiveOrAsset(v: unknown): AssetSummary | ArchiveSummary {
  if (isRecord(v) && v[SIG] === ARCHIVE_SIG) return summarizeArchive(v);
  if (isRecord(v) && v[SIG] === ASSET_SIG) return summarizeAsset(v);
  return {};
}

/**
 * `value` with every asset and archive replaced by `{ asset: AssetSummary }` or
 * `{ archive: ArchiveSummary }`; everything else as it is.
 */
export function withoutAssetContents(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAssetContents);
  if (!isRecord(value)) return value;
  if (value[SIG] === ARCHIVE_SIG) return { archive: summarizeArchive(value) };
  if (value[SIG] === ASSET_SIG) return { asset: summarizeAsset(value) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withoutAssetContents(v);
  return out;
}
