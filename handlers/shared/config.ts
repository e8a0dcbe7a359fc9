/**
 * Reading handler configuration from environment variables, once, at cold start, with errors that
 * name the variable, the value at fault and an example of a valid one.
 *
 * Pure: no AWS import.
 */
import { validateObjectFilter } from "../../model/objectFilter";

/** The environment as Lambda provides it (`process.env`). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration error: the message is complete and names the variable at fault. */
export class ConfigError extends Error {
  /** Creates the error from a complete message. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A reader bound to one handler, so that every message starts with its name. */
export interface ConfigReader {
  /**
   * A string variable; empty counts as unset.
   *
   * @param name - the variable name.
   * @param fallback - the value when unset; omitted means the variable is optional.
   */
  string(name: string, fallback?: string): string | undefined;
  /**
   * A required string variable.
   *
   * @param name - the variable name.
   * @param example - a valid value, shown in the error.
   */
  required(name: string, example: string): string;
  /**
   * A whole number within bounds.
   *
   * @param name - the variable name.
   * @param fallback - the value when unset.
   * @param bounds - inclusive minimum and maximum.
   */
  integer(name: string, fallback: number, bounds: { min: number; max: number }): number;
  /**
   * A comma-separated list of whole numbers within bounds, de-duplicated, in the order given.
   *
   * @param name - the variable name.
   * @param fallback - the value when unset, e.g. `"128,512"`.
   * @param bounds - inclusive minimum and maximum of each item.
   */
  integerList(name: string, fallback: string, bounds: { min: number; max: number }): number[];
  /**
   * One of a fixed set of values.
   *
   * @param name - the variable name.
   * @param choices - the accepted values.
   * @param fallback - the value when unset.
   */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T;
  /**
   * `true` or `false`.
   *
   * @param name - the variable name.
   * @param fallback - the value when unset.
   */
  boolean(name: string, fallback: boolean): boolean;
  /**
   * A bucket name, checked against S3's naming rules.
   *
   * @param name - the variable name.
   */
  bucket(name: string): string | undefined;
  /**
   * A key prefix or suffix, checked like a route filter (no `*`, no leading `/`).
   *
   * @param name - the variable name.
   * @param field - which filter field the value is.
   * @param fallback - the value when unset.
   */
  filterValue(name: string, field: "prefix" | "suffix", fallback?: string): string | undefined;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Creates a reader for one handler's variables.
 *
 * @param env - the environment, usually `process.env`.
 * @param owner - the handler's name, e.g. `"thumbnail handler"`; every error starts with it.
 */
export function configReader(env: Env, owner: string): ConfigReader {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const invalid = (name: string, value: string, expected: string): never => {
    throw new ConfigError(`${owner}: ${name}=${JSON.stringify(value)} is not valid: expected ${expected}.`);
  };
  const wholeNumber = (text: string, bounds: { min: number; max: number }): number | undefined => {
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    return Number.isSafeInteger(n) && n >= bounds.min && n <= bounds.max ? n : undefined;
  };
  return {
    string: (name, fallback) => raw(name) ?? fallback,
    required(name, example) {
      const value = raw(name);
      if (value === undefined) {
        throw new ConfigError(
          `${owner}: ${name} is not set. Set it, for example ${name}=${JSON.stringify(example)}.`,
        );
      }
      return value;
    },
    integer(name, fallback, bounds) {
      const value = raw(name);
      if (value === undefined) return fallback;
      return (
        wholeNumber(value, bounds) ??
        invalid(name, value, `a whole number from ${bounds.min} to ${bounds.max}`)
      );
    },
    integerList(name, fallback, bounds) {
      const value = raw(name) ?? fallback;
      const expected =
        `a comma-separated list of whole numbers from ${bounds.min} to ${bounds.max}, ` +
        `for example ${name}=${JSON.stringify(fallback)}`;
      const items = value.split(",").map((part) => part.trim());
      if (items.some((item) => item === "")) invalid(name, value, expected);
      const numbers = items.map((item) => wholeNumber(item, bounds) ?? invalid(name, value, expected));
      return [...new Set(numbers)];
    },
    choice(name, choices, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const found = choices.find((c) => c === value);
      if (found === undefined)
        invalid(name, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
      return found as (typeof choices)[number];
    },
    boolean(name, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (value === "true") return true;
      if (value === "false") return false;
      return invalid(name, value, '"true" or "false"');
    },
    bucket(name) {
      const value = raw(name);
      if (value !== undefined && (!BUCKET_NAME.test(value) || value.includes(".."))) {
        invalid(
          name,
          value,
          "an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens), not an ARN or URL",
        );
      }
      return value;
    },
    filterValue(name, field, fallback) {
      const value = raw(name) ?? fallback;
      if (value === undefined) return undefined;
      try {
        validateObjectFilter({ [field]: value }, `${owner}: ${name}`);
      } catch (error) {
        throw new ConfigError((error as Error).message);
      }
      return value;
    },
  };
}
