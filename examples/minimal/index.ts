/**
 * The smallest useful program: JPEGs uploaded under `uploads/` get a 256-pixel thumbnail under
 * `thumbnails/` of the same bucket, made by the packaged thumbnail handler (bundled with esbuild
 * from the installed package when the program runs; no closure is serialized).
 */
import { EventBucket, ThumbnailHandler } from "s3-event-routes";

const photos = new EventBucket("photos");
const thumbnails = new ThumbnailHandler("thumbnails", { destination: { bucket: photos }, sizes: [256] });
photos.addRoute({
  name: "new-photos",
  events: ["created"],
  filter: { prefix: "uploads/", suffix: ".jpg" },
  target: thumbnails.target,
});

export const bucketName = photos.bucketName;
export const functionName = thumbnails.target.functionName;
