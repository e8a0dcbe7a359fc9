/**
 * A small YAML reader for Pulumi project and stack files (no YAML library is installed).
 *
 * It reads the subset those files use: block mappings and sequences by indentation, plain, single-
 * and double-quoted scalars, `#` comments, `|` and `>` block scalars, empty or JSON-compatible flow
 * collections (`[]`, `{}`, `["a", 1]`), `~`/`null`, booleans and numbers. Anything else (anchors,
 * aliases, tags, multi-line plain scalars, flow collections with plain scalars, several documents)
 * is refused with an error naming the line, rather than read wrongly.
 */

/** A YAML value as this reader produces it. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** An error in, or beyond the subset of, a YAML text; names the line. */
export class YamlError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Line {
  /** 1-based line number. */
  no: number;
  /** Indentation (spaces). */
  indent: number;
  /** The content after the indentation, comment removed, trailing spaces trimmed. */
  text: string;
  /** The raw line (for block scalars). */
  raw: string;
}

/** Removes a trailing ` # comment` that is outside quotes. */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || text[i - 1] === " ")) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

/** Parses a YAML text into a value. An empty document is `null`. */
export function parseYaml(source: string): YamlValue {
  const rawLines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  const lines: Line[] = [];
  rawLines.forEach((raw, i) => {
    const no = i + 1;
    const m = /^( *)(.*)$/.exec(raw) as RegExpExecArray;
    if (m[2].startsWith("\t")) throw new YamlError(no, "tabs are not allowed in indentation");
    const text = stripComment(m[2]);
    if (text === "") return;
    if (text === "---" && lines.length === 0) return;
    if (text === "---" || text === "...") throw new YamlError(no, "only one document is supported");
    lines.push({ no, indent: m[1].length, text, raw });
  });
  if (lines.length === 0) return null;
  const p = new Parser(lines, rawLines);
  const value = p.block(lines[0].indent);
  if (p.pos < lines.length) throw new YamlError(lines[p.pos].no, "unexpected indentation");
  return value;
}

class Parser {
  pos = 0;
  constructor(
    readonly lines: Line[],
    readonly rawLines: string[],
  ) {}

  block(indent: number): YamlValue {
    const line = this.lines[this.pos];
    return isSequenceItem(line.text) ? this.sequence(indent) : this.mapping(indent);
  }

  sequence(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlError(line.no, "unexpected indentation");
      if (!isSequenceItem(line.text)) break;
      const rest = line.text.slice(1);
      const content = rest.trimStart();
      if (content === "") {
        this.pos++;
        out.push(this.nested(indent));
        continue;
      }
      // The item's content starts at this column; treat it as a line of its own.
      const column = indent + 1 + (rest.length - content.length);
      if (!isSequenceItem(content) && !looksLikeKey(content)) {
        this.pos++;
        if (/^[|>][-+]?$/.test(content)) out.push(this.blockScalar(line, indent, content));
        else out.push(scalar(content, line.no));
        continue;
      }
      this.lines[this.pos] = { ...line, indent: column, text: content };
      out.push(this.block(column));
    }
    return out;
  }

  mapping(indent: number): { [key: string]: YamlValue } {
    const out: { [key: string]: YamlValue } = {};
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.indent < indent) break;
      if (line.indent > indent) throw new YamlError(line.no, "unexpected indentation");
      if (isSequenceItem(line.text)) break;
      const { key, value } = splitKey(line);
      if (Object.prototype.hasOwnProperty.call(out, key))
        throw new YamlError(line.no, `duplicate key "${key}"`);
      this.pos++;
      if (value === "") {
        out[key] = this.nested(indent, true);
      } else if (/^[|>][-+]?$/.test(value)) {
        out[key] = this.blockScalar(line, indent, value);
      } else {
        out[key] = scalar(value, line.no);
      }
    }
    return out;
  }

  /** The value under a `key:` or `-` with nothing after it: a deeper block, a same-level sequence, or null. */
  nested(indent: number, allowSameLevelSequence = false): YamlValue {
    const next = this.lines[this.pos];
    if (!next) return null;
    if (next.indent > indent) return this.block(next.indent);
    if (allowSameLevelSequence && next.indent === indent && isSequenceItem(next.text))
      return this.sequence(indent);
    return null;
  }

  blockScalar(owner: Line, indent: number, header: string): string {
    const body: string[] = [];
    let i = owner.no; // index of the next raw line (0-based)
    let contentIndent: number | undefined;
    while (i < this.rawLines.length) {
      const raw = this.rawLines[i];
      if (raw.trim() === "") {
        body.push("");
        i++;
        continue;
      }
      const ind = (/^( *)/.exec(raw) as RegExpExecArray)[1].length;
      if (ind <= indent) break;
      contentIndent ??= ind;
      if (ind < contentIndent)
        throw new YamlError(i + 1, "block scalar line is less indented than its first line");
      body.push(raw.slice(contentIndent));
      i++;
    }
    while (this.pos < this.lines.length && this.lines[this.pos].no <= i) this.pos++;
    while (body.length > 0 && body[body.length - 1] === "") body.pop();
    const folded = header.startsWith(">");
    let text = folded ? body.join("\n").replace(/([^\n])\n(?=[^\n])/g, "$1 ") : body.join("\n");
    if (!header.endsWith("-")) text += "\n";
    return text;
  }
}

function isSequenceItem(text: string): boolean {
  return text === "-" || text.startsWith("- ");
}

/** True when an item's content is a `key: value` (or `key:`) line rather than a scalar. */
function looksLikeKey(t: string): boolean {
  if (t.startsWith('"') || t.startsWith("'")) {
    const end = closingQuote(t, 0);
    return end >= 0 && /^:( |$)/.test(t.slice(end + 1));
  }
  if (t.startsWith("[") || t.startsWith("{")) return false;
  return /^[^:]*?:( |$)/.test(t) || /^.*?[^ ]:( |$)/.test(t);
}

function splitKey(line: Line): { key: string; value: string } {
  const t = line.text;
  if (t.startsWith('"') || t.startsWith("'")) {
    const end = closingQuote(t, 0);
    if (end < 0) throw new YamlError(line.no, "unterminated quoted key");
    const after = t.slice(end + 1);
    if (!/^:( |$)/.test(after)) throw new YamlError(line.no, `expected ":" after the key`);
    return { key: scalarString(t.slice(0, end + 1), line.no), value: after.slice(1).trim() };
  }
  const m = /^(.*?):(?: +(.*))?$/.exec(t);
  if (!m || m[1] === "") throw new YamlError(line.no, `expected "key: value", got "${t}"`);
  if (/^[&*!]/.test(m[1])) throw new YamlError(line.no, "anchors, aliases and tags are not supported");
  return { key: m[1], value: (m[2] ?? "").trim() };
}

function closingQuote(t: string, start: number): number {
  const q = t[start];
  for (let i = start + 1; i < t.length; i++) {
    if (q === '"' && t[i] === "\\") i++;
    else if (t[i] === q) {
      if (q === "'" && t[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

function scalarString(t: string, no: number): string {
  if (t.startsWith('"')) {
    try {
      return JSON.parse(t) as string;
    } catch {
      throw new YamlError(no, `unsupported escape in ${t}`);
    }
  }
  return t.slice(1, -1).replace(/''/g, "'");
}

/** Reads an inline value. */
function scalar(t: string, no: number): YamlValue {
  if (t.startsWith('"') || t.startsWith("'")) {
    const end = closingQuote(t, 0);
    if (end !== t.length - 1) throw new YamlError(no, `unexpected text after the quoted value: ${t}`);
    return scalarString(t, no);
  }
  if (/^[&*!]/.test(t)) throw new YamlError(no, "anchors, aliases and tags are not supported");
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t) as YamlValue;
    } catch {
      throw new YamlError(no, `flow collections are supported only when empty or JSON-compatible: ${t}`);
    }
  }
  if (t === "~" || t === "null" || t === "Null" || t === "NULL") return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?[0-9]+$/.test(t)) return Number(t);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(t)) return Number(t);
  if (/^0x[0-9a-fA-F]+$/.test(t)) return Number(t);
  return t;
}
