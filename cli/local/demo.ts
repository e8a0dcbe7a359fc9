/**
 * The demo of the local event loop (`local --demo`). On this repository's dev stack (its `uploads`
 * bucket): uploads one object for each route and a key with spaces and accents, sends one poison
 * message to the analysis queue, creates a watched bucket, waits for every delivery to settle; then
 * deletes a document and the bucket, and waits again. On any other stack: one sample object per
 * object route, named to match its filter, then deletes them where a route receives deletions.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type Sharp from "sharp";
import type { PlanRoute } from "../planReport";
import type { LocalLoop } from "./loop";

/** sharp, loaded only when a demo makes an image (a project without an image handler may lack it). */
function sharp(): typeof Sharp {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("sharp") as typeof Sharp;
  } catch {
    throw new Error(
      "The demo makes sample images with sharp, which is not installed: npm install --save-dev sharp",
    );
  }
}

/** One sample upload. */
export interface SampleObject {
  /** The key, decoded. */
  key: string;
  /** The Content-Type. */
  contentType: string;
  /** The bytes. */
  body: Buffer;
}

/** A minimal valid PDF: one empty page, a cross-reference table with exact offsets. */
export function minimalPdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) pdf += `${String(o).padStart(10, "0")} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

/** The demo's uploads, one per route of the dev stack (the partner webhook gets them all). */
export async function sampleObjects(): Promise<SampleObject[]> {
  const jpeg = await sharp()({ create: { width: 1200, height: 800, channels: 3, background: "#2a6f97" } })
    .jpeg({ quality: 80 })
    .toBuffer();
  const png = await sharp()({ create: { width: 640, height: 480, channels: 4, background: "#f4a261" } })
    .png()
    .toBuffer();
  const text = (s: string) => Buffer.from(s, "utf8");
  return [
    { key: "images/harbour.jpg", contentType: "image/jpeg", body: jpeg },
    { key: "images/diagram.png", contentType: "image/png", body: png },
    { key: "docs/readme.txt", contentType: "text/plain", body: text("What the local loop shows.\n") },
    {
      key: "docs/réunion été/compte rendu.txt",
      contentType: "text/plain; charset=utf-8",
      body: text("Compte rendu de la réunion d'été.\n"),
    },
    { key: "shared/notes.txt", contentType: "text/plain", body: text("Shared with the team.\n") },
    { key: "exports/report.csv", contentType: "text/csv", body: text("month,total\n2024-03,1234\n") },
    { key: "invoices/2024/march invoice.pdf", contentType: "application/pdf", body: minimalPdf() },
  ];
}

/** What the demo deletes after the uploads settled (the metadata index tombstones it). */
export const DEMO_DELETED_KEY = "docs/readme.txt";

/** The bucket the demo creates and deletes (the dev stack watches `dev-*`). */
export const DEMO_SCRATCH_BUCKET = "dev-local-scratch";

/** The poison message's body: not an S3 notification. */
export const POISON_BODY = '{"orderId":42,"note":"not an S3 notification"}';

/**
 * Runs the demo on a started loop.
 *
 * @param loop - the loop.
 * @param timeoutMs - how long every phase may take to settle, in all.
 * @param print - where lines go.
 * @returns true when everything settled in time.
 */
export async function runDemo(
  loop: LocalLoop,
  timeoutMs: number,
  print: (line: string) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const settle = async (what: string): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    const ok = await Promise.race([loop.settled().then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (!ok)
      print(
        `demo: ${what} did not settle within ${timeoutMs / 1000} s (${loop.pending} deliveries pending).`,
      );
    return ok;
  };
  const uploads = loop.topology.routes.find((r) => r.bucket === "uploads")?.bucketName;
  if (!uploads) return runSampleDemo(loop, settle, print);
  const s3 = loop.client;

  const queue = loop.topology.queues.find((q) => q.consumer);
  print(
    `demo: 1. one upload per route into ${uploads}; a poison message to the analysis queue; a watched bucket created`,
  );
  for (const o of await sampleObjects()) {
    await s3.send(
      new PutObjectCommand({ Bucket: uploads, Key: o.key, Body: o.body, ContentType: o.contentType }),
    );
    // Sent as the shared/ upload's message reaches the queue, so that both likely share a batch.
    if (o.key.startsWith("shared/") && queue) {
      loop.expectFailure(loop.sendToQueue(queue, POISON_BODY, "demo").messageId);
    }
  }
  await s3.send(new CreateBucketCommand({ Bucket: DEMO_SCRATCH_BUCKET }));
  if (!(await settle("the uploads"))) return false;

  print(`demo: 2. ${DEMO_DELETED_KEY} deleted, the watched bucket deleted`);
  await s3.send(new DeleteObjectCommand({ Bucket: uploads, Key: DEMO_DELETED_KEY }));
  await s3.send(new DeleteBucketCommand({ Bucket: DEMO_SCRATCH_BUCKET }));
  return settle("the deletions");
}

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".pdf": "application/pdf",
  ".csv": "text/csv",
  ".json": "application/json",
};

/** A sample body for a key: a real image or PDF where the suffix asks for one, else text. */
async function sampleBody(key: string): Promise<{ body: Buffer; contentType: string }> {
  const ext = /\.[^./]+$/.exec(key.toLowerCase())?.[0] ?? "";
  const contentType = CONTENT_TYPES[ext] ?? "text/plain";
  const image = () => sharp()({ create: { width: 800, height: 600, channels: 3, background: "#2a6f97" } });
  if (ext === ".jpg" || ext === ".jpeg") return { body: await image().jpeg().toBuffer(), contentType };
  if (ext === ".png") return { body: await image().png().toBuffer(), contentType };
  if (ext === ".webp") return { body: await image().webp().toBuffer(), contentType };
  if (ext === ".pdf") return { body: minimalPdf(), contentType };
  if (ext === ".json") return { body: Buffer.from('{"sample":true}\n'), contentType };
  return { body: Buffer.from(`A sample object for ${key}.\n`), contentType };
}

/** The key a route's filter admits: its prefix, a name, its suffix (or `.txt`). */
export function sampleKey(route: Pick<PlanRoute, "prefix" | "suffix" | "route">): string {
  return `${route.prefix ?? ""}sample-${route.route}${route.suffix ?? ".txt"}`;
}

/** The demo on any stack: one sample object per object route, then deletions where a route wants them. */
async function runSampleDemo(
  loop: LocalLoop,
  settle: (what: string) => Promise<boolean>,
  print: (line: string) => void,
): Promise<boolean> {
  const routes = loop.topology.routes.filter((r) => r.delivery !== "cloudtrail" && r.bucketName);
  if (routes.length === 0) {
    print("demo: the stack has no object routes; nothing to upload.");
    return true;
  }
  const wants = (r: PlanRoute, kind: string) => r.events.some((e) => e.startsWith(`s3:${kind}`));
  const uploads = new Map<string, { bucket: string; key: string }>();
  for (const r of routes) {
    const key = sampleKey(r);
    uploads.set(`${r.bucketName}/${key}`, { bucket: r.bucketName as string, key });
  }
  print(`demo: 1. one sample object per route: ${[...uploads.keys()].join(", ")}`);
  for (const { bucket, key } of uploads.values()) {
    const { body, contentType } = await sampleBody(key);
    await loop.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }
  if (!(await settle("the uploads"))) return false;
  const deletions = routes.filter((r) => wants(r, "ObjectRemoved"));
  if (deletions.length === 0) return true;
  const keys = [...new Set(deletions.map((r) => `${r.bucketName}/${sampleKey(r)}`))];
  print(`demo: 2. deleted: ${keys.join(", ")}`);
  for (const r of deletions)
    await loop.client.send(new DeleteObjectCommand({ Bucket: r.bucketName as string, Key: sampleKey(r) }));
  return settle("the deletions");
}
