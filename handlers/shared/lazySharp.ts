/**
 * sharp, loaded on first use: requiring it costs more at cold start than the rest of an image
 * handler together (bench/RESULTS.md), and a handler's paths that touch no pixels (deletes, keys
 * that are not images, s3:TestEvent, PDFs in the metadata index) never need it. Loaded once, with
 * the settings Lambda wants: one libvips thread per call (Lambda bills the memory, not the cores a
 * thread pool would grab) and no operation cache (each object is read once).
 */
import type SharpModule from "sharp";

/** sharp's default export. */
export type Sharp = typeof SharpModule;

let loaded: Sharp | undefined;

/** sharp, required on the first call, with concurrency 1 and no cache. */
export function lazySharp(): Sharp {
  if (loaded === undefined) {
    // A plain require, so the bundle keeps sharp external and loads it only here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sharp = require("sharp") as Sharp;
    sharp.concurrency(1);
    sharp.cache(false);
    loaded = sharp;
  }
  return loaded;
}
