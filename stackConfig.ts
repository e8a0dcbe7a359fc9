/**
 * The typed configuration of this repository's stack (declared with types, defaults and
 * descriptions in Pulumi.yaml), read once and validated with errors that name the key at fault
 * and how to set it. Not part of the package's public API.
 */
import type * as pulumi from "@pulumi/pulumi";
import { E164, EMAIL, httpsUrlProblem, LOG_RETENTION_DAYS, redactedUrl } from "./components/argCheck";

export { LOG_RETENTION_DAYS };

/** The stack's settings. */
export interface StackConfig {
  /** dev or prod. */
  environment: "dev" | "prod";
  /** Where alarms and bucket alerts go. */
  alertEmail: string;
  /** Subscriber of the activity topic. */
  activityEmail: string;
  /** SMS subscriber of the activity topic, if any. */
  activitySms?: string;
  /** The partner webhook, if any. */
  partnerWebhookUrl?: string;
  /** The partner's API key (a secret), when the webhook is set. */
  partnerApiKey?: pulumi.Output<string>;
  /** Thumbnail sizes in pixels. */
  thumbnailSizes: number[];
  /** Thumbnail format. */
  thumbnailFormat: "webp" | "jpeg" | "png";
  /** Lambda architecture. */
  lambdaArchitecture: "x86_64" | "arm64";
  /** Log retention in days. */
  logRetentionDays: number;
  /** Bucket-name prefix watched for creation/deletion, or empty for all. */
  watchBucketPrefix: string;
  /** Delivery lag (p99) above which the waiting alarms fire, seconds. Unset (no Pulumi.yaml default): 300 in prod, 900 in dev. */
  lagAlarmSeconds: number;
  /** Age of a queue's oldest message above which its alarm fires, seconds. Unset: 1,800 in prod, 3,600 in dev. */
  queueAgeAlarmSeconds: number;
}

/** The waiting alarms' thresholds when the stack sets none, per environment. */
export const WAITING_ALARM_DEFAULTS = {
  prod: { lagAlarmSeconds: 300, queueAgeAlarmSeconds: 1800 },
  dev: { lagAlarmSeconds: 900, queueAgeAlarmSeconds: 3600 },
} as const;

/**
 * Reads and validates the stack's configuration.
 *
 * @param config  `new pulumi.Config()` of the project.
 * @throws Error naming the key, what is wrong and the command that sets it.
 */
export function readStackConfig(config: pulumi.Config): StackConfig {
  const fail = (key: string, problem: string, example: string): never => {
    throw new Error(
      `Config "${config.name}:${key}" ${problem}. Set it with: pulumi config set ${key} ${example}`,
    );
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = config.get(key) ?? fallback;
    if (!allowed.includes(value as T))
      fail(key, `must be one of ${allowed.join(", ")}, got "${value}"`, allowed[0]);
    return value as T;
  };
  const email = (key: string): string => {
    const value = config.get(key);
    if (!value) return fail(key, "is required", "you@example.com");
    if (!EMAIL.test(value)) fail(key, `must be an email address, got "${value}"`, "you@example.com");
    return value;
  };

  const environment = oneOf("environment", ["dev", "prod"] as const, "dev");
  const activitySms = config.get("activitySms") || undefined;
  if (activitySms && !E164.test(activitySms)) {
    fail("activitySms", `must be a phone number in E.164 form, got "${activitySms}"`, '"+15555550100"');
  }
  const partnerWebhookUrl = config.get("partnerWebhookUrl") || undefined;
  const urlProblem = partnerWebhookUrl ? httpsUrlProblem(partnerWebhookUrl) : undefined;
  if (urlProblem === "credentials") {
    fail(
      "partnerWebhookUrl",
      `must not hold credentials (user:password@), got ${JSON.stringify(redactedUrl(partnerWebhookUrl!))}: ` +
        `they would be in plain text in the stack's config and on the API destination; the key belongs in ` +
        `partnerApiKey (pulumi config set --secret partnerApiKey <key>)`,
      "https://partner.example.com/hook",
    );
  } else if (urlProblem) {
    fail(
      "partnerWebhookUrl",
      `must be an https:// URL, got ${JSON.stringify(partnerWebhookUrl)} (a host after https://, no white space)`,
      "https://partner.example.com/hook",
    );
  }
  let partnerApiKey: pulumi.Output<string> | undefined;
  if (partnerWebhookUrl) {
    partnerApiKey = config.getSecret("partnerApiKey");
    if (!partnerApiKey) {
      throw new Error(
        `Config "${config.name}:partnerApiKey" is required when partnerWebhookUrl is set. ` +
          `Set it with: pulumi config set --secret partnerApiKey <key>`,
      );
    }
  }
  const sizes = config.getObject<unknown>("thumbnailSizes") ?? [128, 512];
  if (
    !Array.isArray(sizes) ||
    sizes.length === 0 ||
    sizes.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 16 || s > 4096)
  ) {
    fail(
      "thumbnailSizes",
      `must be a list of whole pixel sizes from 16 to 4096, got ${JSON.stringify(sizes)}`,
      "'[128,512]'",
    );
  }
  const logRetentionDays = config.getNumber("logRetentionDays") ?? 14;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    fail(
      "logRetentionDays",
      `must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${logRetentionDays}`,
      "14",
    );
  }
  const seconds = (key: keyof (typeof WAITING_ALARM_DEFAULTS)["dev"]): number => {
    const value = config.getNumber(key) ?? WAITING_ALARM_DEFAULTS[environment][key];
    if (!Number.isInteger(value) || value < 1 || value > 86_400) {
      fail(key, `must be a whole number of seconds from 1 to 86400, got ${value}`, "300");
    }
    return value;
  };
  return {
    environment,
    alertEmail: email("alertEmail"),
    activityEmail: email("activityEmail"),
    activitySms,
    partnerWebhookUrl,
    partnerApiKey,
    thumbnailSizes: sizes as number[],
    thumbnailFormat: oneOf("thumbnailFormat", ["webp", "jpeg", "png"] as const, "webp"),
    lambdaArchitecture: oneOf("lambdaArchitecture", ["x86_64", "arm64"] as const, "x86_64"),
    logRetentionDays,
    watchBucketPrefix: config.get("watchBucketPrefix") ?? "",
    lagAlarmSeconds: seconds("lagAlarmSeconds"),
    queueAgeAlarmSeconds: seconds("queueAgeAlarmSeconds"),
  };
}
