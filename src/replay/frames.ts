/** A JSON value found in the input, with its exact text and where it starts. */
export interface ValueFrame {
  kind: 'value';
  line: number;
  /** Position inside a top-level JSON array, counted from 0. */
  element?: number;
  /** The value's text exactly as it is in the input, without surrounding whitespace. */
  raw: string;
  value: unknown;
}

/** Text that is not a usable JSON value, and why. */
export interface UnusableFrame {
  kind: 'unusable';
  line: number;
  element?: number;
  reason: string;
}

/** A last line without a newline that does not parse: a write cut short, skipped without error. */
export interface TornFrame {
  kind: 'torn';
  line: number;
}

export type Frame = ValueFrame | UnusableFrame | TornFrame;

/** Largest JSON value spread over several lines that is buffered before it is given up. */
export const MAX_MULTILINE_CHARS = 16 * 1024 * 1024;

interface Line {
  number: number;
  text: string;
  /** False for a last line with no newline after it. */
  terminated: boolean;
}

/**
 * Splits text into JSON values as NDJSON (one value per line), as one JSON
 * document spread over lines (a pretty-printed object), or as the elements
 * of a top-level JSON array, which come out one by one so that a large
 * array needs no more memory than its largest element. Anything else is an
 * unusable frame with its line number, and the reader goes on at the next
 * line. Memory stays flat: only the current line or value is held.
 */
export async function* frameJsonValues(chunks: AsyncIterable<string>): AsyncGenerator<Frame> {
  for await (const frames of frameJsonBatches(chunks)) {
    yield* frames;
  }
}

/**
 * Frames the text as frameJsonValues does, but yields the frames of each
 * chunk together, which saves a promise per frame in a reader that does
 * not wait between frames.
 */
export async function* frameJsonBatches(chunks: AsyncIterable<string>): AsyncGenerator<Frame[]> {
  const framer = new Framer();
  const splitter = new LineSplitter();

  for await (const chunk of chunks) {
    const frames: Frame[] = [];
    for (const line of splitter.push(chunk)) {
      frames.push(...framer.push(line));
    }
    if (frames.length > 0) {
      yield frames;
    }
  }

  const last = [...splitter.end()].flatMap((line) => [...framer.push(line)]);
  yield [...last, ...framer.end()];
}

/** Cuts chunks of text into lines, holding only the text after the last line break. */
class LineSplitter {
  #pending = '';
  #number = 0;

  *push(chunk: string): Generator<Line> {
    let pending = this.#pending;
    pending += this.#number === 0 && pending === '' ? chunk.replace(/^\uFEFF/, '') : chunk;

    let start = 0;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      yield { number: ++this.#number, text: pending.slice(start, newline), terminated: true };
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    this.#pending = pending.slice(start);
  }

  *end(): Generator<Line> {
    if (this.#pending !== '') {
      yield { number: ++this.#number, text: this.#pending, terminated: false };
      this.#pending = '';
    }
  }
}

const JSON_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * The start of a JSON array of events or records. A text log line such as
 * `[INFO] ...` does not match, so that it cannot swallow the lines after it.
 */
const ARRAY_START = /^\[[ \t\r\n]*([{["\]]|$)/;

function trimJsonSpace(text: string): string {
  // Most lines start and end with a bracket, so the regular expression is run only when needed.
  if (text === '' || (!isJsonSpace(text.charCodeAt(0)) && !isJsonSpace(text.charCodeAt(text.length - 1)))) {
    return text;
  }
  return text.replace(JSON_SPACE, '');
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

function tryParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Bracket depth and string state of a scan that stopped at the end of a line. */
interface ScanState {
  depth: number;
  inString: boolean;
  escaped: boolean;
}

/**
 * Advances a scan through `text` from `from`. Returns the index just after
 * the character that brings the depth back to `stopDepth`, or -1 at the end
 * of the text. `onTopLevel` sees each character outside strings at depth
 * `stopDepth + 1` and may stop the scan there by returning true.
 */
function advance(
  text: string,
  from: number,
  state: ScanState,
  stopDepth: number,
  onTopLevel?: (char: string) => boolean,
): number {
  for (let index = from; index < text.length; index++) {
    const char = text[index]!;

    if (state.inString) {
      if (state.escaped) {
        state.escaped = false;
      } else if (char === '\\') {
        state.escaped = true;
      } else if (char === '"') {
        state.inString = false;
      }
      continue;
    }

    if (state.depth === stopDepth + 1 && onTopLevel?.(char)) {
      return index;
    }
    if (char === '"') {
      state.inString = true;
    } else if (char === '{' || char === '[') {
      state.depth++;
    } else if (char === '}' || char === ']') {
      state.depth--;
      if (state.depth === stopDepth) {
        return index + 1;
      }
    }
  }
  return -1;
}

type Mode =
  | { kind: 'lines' }
  | { kind: 'object'; startLine: number; parts: string[]; size: number; state: ScanState }
  | { kind: 'array'; splitter: ArraySplitter };

class Framer {
  #mode: Mode = { kind: 'lines' };

  *push(line: Line): Generator<Frame> {
    switch (this.#mode.kind) {
      case 'lines':
        yield* this.#startValue(line, line.text);
        return;
      case 'object':
        yield* this.#continueObject(this.#mode, line);
        return;
      case 'array':
        if (!(yield* this.#resumeAfterCutArray(this.#mode.splitter, line))) {
          yield* this.#continueArray(this.#mode.splitter, line, 0);
        }
        return;
    }
  }

  /**
   * Reads a line on its own when it shows that the array was cut short, as
   * when a writer died and a later one appended. Such a line does not start
   * with `,` or `]` where only those may follow (after a whole element), or
   * is a whole JSON object where an element goes on.
   */
  *#resumeAfterCutArray(splitter: ArraySplitter, line: Line): Generator<Frame, boolean> {
    const first = trimJsonSpace(line.text)[0];
    if (first === undefined) {
      return false;
    }
    const separatorDue = first !== ',' && first !== ']';
    const elementIsWhole = separatorDue && splitter.pendingIsWhole();
    const cut =
      elementIsWhole ||
      (separatorDue && splitter.awaitsSeparator) ||
      (splitter.pending && line.text.startsWith('{') && tryParse(line.text) !== undefined);
    if (!cut) {
      return false;
    }

    this.#mode = { kind: 'lines' };
    if (elementIsWhole) {
      yield splitter.emitPending();
    }
    const where = splitter.pending ? splitter.elementLine : splitter.startLine;
    yield { kind: 'unusable', line: where, reason: 'JSON array cut short' };
    yield* this.#startValue(line, line.text);
    return true;
  }

  *end(): Generator<Frame> {
    const mode = this.#mode;
    this.#mode = { kind: 'lines' };

    if (mode.kind === 'object') {
      yield {
        kind: 'unusable',
        line: mode.startLine,
        reason: 'JSON object not closed before the end of the input',
      };
    } else if (mode.kind === 'array') {
      yield* mode.splitter.end();
    }
  }

  /** Handles text at the top level: one value, the start of a longer one, or junk. */
  *#startValue(line: Line, text: string): Generator<Frame> {
    const trimmed = trimJsonSpace(text);
    if (trimmed === '') {
      return;
    }

    if (ARRAY_START.test(trimmed)) {
      const splitter = new ArraySplitter(line.number);
      this.#mode = { kind: 'array', splitter };
      yield* this.#continueArray(splitter, line, text.indexOf('['));
      return;
    }

    const parsed = tryParse(trimmed);
    if (parsed) {
      yield { kind: 'value', line: line.number, raw: trimmed, value: parsed.value };
      return;
    }
    if (!line.terminated) {
      yield { kind: 'torn', line: line.number };
      return;
    }

    const state: ScanState = { depth: 0, inString: false, escaped: false };
    if (trimmed.startsWith('{') && advance(trimmed, 0, state, 0) === -1 && !state.inString) {
      this.#mode = {
        kind: 'object',
        startLine: line.number,
        parts: [text],
        size: text.length,
        state,
      };
      return;
    }
    yield { kind: 'unusable', line: line.number, reason: 'not valid JSON' };
  }

  /**
   * Adds a line to an object spread over lines. An unindented line that is
   * a whole JSON object by itself means the pending object was cut short,
   * as when a writer died mid-record and a later one appended: the pending
   * text is reported and the line is read on its own.
   */
  *#continueObject(mode: Extract<Mode, { kind: 'object' }>, line: Line): Generator<Frame> {
    if (line.text.startsWith('{') && tryParse(line.text)) {
      this.#mode = { kind: 'lines' };
      yield { kind: 'unusable', line: mode.startLine, reason: 'JSON object cut short' };
      yield* this.#startValue(line, line.text);
      return;
    }

    const end = advance(line.text, 0, mode.state, 0);
    if (end === -1) {
      mode.parts.push(line.text);
      mode.size += line.text.length;
      if (mode.state.inString || mode.size > MAX_MULTILINE_CHARS) {
        this.#mode = { kind: 'lines' };
        const reason = mode.state.inString
          ? 'a JSON string broken by a line break'
          : 'JSON object too large';
        yield { kind: 'unusable', line: mode.startLine, reason };
      }
      return;
    }

    this.#mode = { kind: 'lines' };
    const raw = trimJsonSpace([...mode.parts, line.text.slice(0, end)].join('\n'));
    const parsed = tryParse(raw);
    yield parsed
      ? { kind: 'value', line: mode.startLine, raw, value: parsed.value }
      : { kind: 'unusable', line: mode.startLine, reason: 'not valid JSON' };
    yield* this.#startValue(line, line.text.slice(end));
  }

  *#continueArray(splitter: ArraySplitter, line: Line, from: number): Generator<Frame> {
    const rest = yield* splitter.push(line, from);
    if (rest === undefined) {
      return;
    }

    this.#mode = { kind: 'lines' };
    if (trimJsonSpace(rest) !== '') {
      yield { kind: 'unusable', line: line.number, reason: 'text after the end of a JSON array' };
    }
  }
}

/**
 * Splits a top-level JSON array into its elements as lines arrive. Each
 * element's text is kept exactly, line breaks included.
 */
class ArraySplitter {
  readonly #startLine: number;
  #opened = false;
  #expect: 'element' | 'separator' = 'element';
  #index = 0;
  #parts: string[] = [];
  #elementLine = 0;
  #state: ScanState = { depth: 0, inString: false, escaped: false };
  #size = 0;

  constructor(startLine: number) {
    this.#startLine = startLine;
  }

  /** Whether an element has started and not ended. */
  get pending(): boolean {
    return this.#parts.length > 0;
  }

  /** Whether an element has ended and a `,` or `]` is due. */
  get awaitsSeparator(): boolean {
    return this.#parts.length === 0 && this.#expect === 'separator';
  }

  /**
   * Returns whether the element read so far is a whole JSON value by
   * itself. Only an element whose brackets are all closed is parsed.
   */
  pendingIsWhole(): boolean {
    const closed = this.#state.depth === 1 && !this.#state.inString;
    return this.pending && closed && tryParse(trimJsonSpace(this.#parts.join(''))) !== undefined;
  }

  /** Yields the element read so far. */
  emitPending(): Frame {
    return this.#emit();
  }

  /** Line on which the array started. */
  get startLine(): number {
    return this.#startLine;
  }

  /** Line on which the current element started. */
  get elementLine(): number {
    return this.#elementLine;
  }

  /** Consumes a line. Returns the text after the closing bracket once the array ends. */
  *push(line: Line, from: number): Generator<Frame, string | undefined> {
    let index = from;
    if (!this.#opened) {
      this.#opened = true;
      this.#state.depth = 1;
      index++;
    }

    while (index < line.text.length) {
      if (this.#parts.length === 0) {
        const next = this.#skipSpace(line.text, index);
        if (next === line.text.length) {
          return undefined;
        }
        index = next;
        const char = line.text[index]!;
        if (char === ']' && (this.#expect === 'separator' || this.#index === 0)) {
          return line.text.slice(index + 1);
        }
        if (this.#expect === 'separator') {
          if (char !== ',') {
            yield* this.#abandon(line, 'expected "," or "]" between array elements');
            return '';
          }
          this.#expect = 'element';
          index++;
          continue;
        }
        this.#elementLine = line.number;
      }

      const end = advance(line.text, index, this.#state, 0, (char) => char === ',' || char === ']');
      const stop = end === -1 ? line.text.length : end;
      this.#parts.push(line.text.slice(index, stop));

      // Only a `}` with no `{` before it in the element brings the depth to 0, since a `]` at the
      // element's level ends the scan first. The array is malformed, so it ends here and the
      // lines after it are read on their own.
      if (end !== -1 && this.#state.depth === 0) {
        yield this.#emit();
        return line.text.slice(end);
      }

      if (end === -1) {
        this.#size += stop - index;
        if (this.#state.inString || this.#size > MAX_MULTILINE_CHARS) {
          yield* this.#abandon(
            line,
            this.#state.inString
              ? 'a JSON string broken by a line break'
              : 'JSON array element too large',
          );
          return '';
        }
        this.#parts.push('\n');
        return undefined;
      }

      yield this.#emit();
      index = end;
    }
    return undefined;
  }

  *end(): Generator<Frame> {
    if (this.#parts.length > 0) {
      yield this.#emit();
    }
    yield {
      kind: 'unusable',
      line: this.#startLine,
      reason: 'JSON array not closed before the end of the input',
    };
  }

  #skipSpace(text: string, from: number): number {
    let index = from;
    while (index < text.length && ' \t\r\n'.includes(text[index]!)) {
      index++;
    }
    return index;
  }

  #emit(): Frame {
    const raw = trimJsonSpace(this.#parts.join(''));
    const element = this.#index++;
    const line = this.#elementLine;
    this.#parts = [];
    this.#size = 0;
    this.#expect = 'separator';

    const parsed = raw === '' ? undefined : tryParse(raw);
    return parsed
      ? { kind: 'value', line, element, raw, value: parsed.value }
      : {
          kind: 'unusable',
          line,
          element,
          reason: raw === '' ? 'empty array element' : 'not valid JSON',
        };
  }

  *#abandon(line: Line, reason: string): Generator<Frame> {
    yield {
      kind: 'unusable',
      line: this.#parts.length > 0 ? this.#elementLine : line.number,
      reason,
    };
    this.#parts = [];
  }
}
