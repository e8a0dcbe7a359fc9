/**
 * Image dimensions (sharp) and EXIF (exifr) from the first bytes of an object: enough for the
 * headers of JPEG, PNG, WebP, GIF, TIFF and AVIF/HEIF files without reading the whole image.
 */
import type ExifrModule from "exifr";
import { lazySharp } from "../shared/lazySharp";

let exifrLoaded: typeof ExifrModule | undefined;

/**
 * exifr, required on the first image: 75 KiB of the bundle that deletes, PDFs and other objects
 * that are not images never evaluate, so it stays out of the cold start.
 */
function exifr(): typeof ExifrModule {
  if (exifrLoaded === undefined) {
    // A plain require inside the function: the bundle wraps exifr and evaluates it only here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require("exifr") as { default?: typeof ExifrModule } & typeof ExifrModule;
    exifrLoaded = loaded.default ?? loaded;
  }
  return exifrLoaded;
}

/** Dimensions and format, as sharp reads them from the header. */
export interface ImageDimensions {
  /** Width in pixels, before EXIF orientation. */
  width: number;
  /** Height in pixels, before EXIF orientation. */
  height: number;
  /** sharp's format name: `jpeg`, `png`, `webp`, … */
  format: string;
  /** EXIF orientation (1–8), when present. */
  orientation?: number;
}

/** EXIF values kept in the index: plain strings and numbers only. */
export type ExifSummary = Record<string, string | number>;

/** The EXIF tags kept (exifr names; `latitude`/`longitude` are exifr's decimal GPS). */
export const EXIF_TAGS = [
  "Make",
  "Model",
  "LensModel",
  "Software",
  "DateTimeOriginal",
  "Orientation",
  "ExposureTime",
  "FNumber",
  "ISO",
  "FocalLength",
  "latitude",
  "longitude",
] as const;

const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|tiff?|avif|heic|heif)$/i;

/**
 * True when an object is worth reading as an image: an `image/*` Content-Type or an image file
 * extension (uploads often arrive as `application/octet-stream`).
 *
 * @param contentType - the object's Content-Type, if any.
 * @param key - the object key.
 */
export function looksLikeImage(contentType: string | undefined, key: string): boolean {
  return (contentType?.toLowerCase().startsWith("image/") ?? false) || IMAGE_EXTENSIONS.test(key);
}

/**
 * Reads dimensions from an image header; undefined when sharp does not recognise the bytes.
 *
 * @param header - the first bytes of the object.
 */
export async function readDimensions(header: Buffer): Promise<ImageDimensions | undefined> {
  try {
    const meta = await lazySharp()(header, { failOn: "none" }).metadata();
    if (meta.width === undefined || meta.height === undefined) return undefined;
    const dims: ImageDimensions = { width: meta.width, height: meta.height, format: meta.format };
    if (meta.orientation !== undefined) dims.orientation = meta.orientation;
    return dims;
  } catch {
    return undefined;
  }
}

/**
 * Reads the kept EXIF tags; undefined when the file has none (or is not a format exifr reads).
 *
 * @param header - the first bytes of the object.
 */
export async function readExif(header: Buffer): Promise<ExifSummary | undefined> {
  const reader = exifr(); // outside the try: a failure to load exifr is not "no EXIF"
  let parsed: unknown;
  try {
    parsed = await reader.parse(header, {
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      interop: false,
      ihdr: false,
      jfif: false,
      icc: false,
      iptc: false,
      xmp: false,
      translateValues: false,
      pick: [...EXIF_TAGS],
    });
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const summary: ExifSummary = {};
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) summary[name] = value.toISOString();
    else if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value)))
      summary[name] = value;
  }
  return Object.keys(summary).length > 0 ? summary : undefined;
}
