/** Parses JSON text or bytes, returning undefined instead of throwing. */
export function tryParseJson(input: Buffer | string): unknown {
  try {
    return JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The next token that a JSON scanner expects. */
type Expectation = 'value' | 'key' | 'key-or-end' | 'colon' | 'comma-or-end' | 'value-or-end' | 'nothing';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /true|false|null/y;

/**
 * Returns the offset of the first character at which `text` stops being
 * valid JSON (its length when the text ends too soon), or undefined when it
 * is valid. JSON.parse does not always say where it failed, and a person
 * fixing a file needs the line.
 */
export function jsonErrorOffset(text: string): number | undefined {
  const open: string[] = [];
  let expect: Expectation = 'value';
  let index = skipSpace(text, 0);

  while (index < text.length) {
    const next = step(text, index, expect, open);
    if (next === undefined) {
      return index;
    }
    index = skipSpace(text, next.index);
    expect = next.expect;
  }
  return expect === 'nothing' ? undefined : text.length;
}

/**
 * Describes why JSON.parse rejected `text`: where, as `:line:column` (empty
 * when the text is valid after all), and the parser's reason without the
 * quote of the text that V8 adds to some messages.
 */
export function describeJsonError(text: string, error: unknown): { where: string; reason: string } {
  const offset = jsonErrorOffset(text);
  const message = error instanceof Error ? error.message : String(error);
  const reason = message
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '');

  if (offset === undefined) {
    return { where: '', reason };
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { where: `:${line}:${column}`, reason };
}

function step(
  text: string,
  index: number,
  expect: Expectation,
  open: string[],
): { index: number; expect: Expectation } | undefined {
  const char = text[index]!;
  const afterValue = (): Expectation => (open.length === 0 ? 'nothing' : 'comma-or-end');

  if ((expect === 'key-or-end' && char === '}') || (expect === 'value-or-end' && char === ']')) {
    open.pop();
    return { index: index + 1, expect: afterValue() };
  }
  switch (expect) {
    case 'key':
    case 'key-or-end': {
      const end = match(STRING, text, index);
      return end === undefined ? undefined : { index: end, expect: 'colon' };
    }
    case 'colon':
      return char === ':' ? { index: index + 1, expect: 'value' } : undefined;
    case 'comma-or-end':
      if (char === ',') {
        return { index: index + 1, expect: open.at(-1) === '{' ? 'key' : 'value' };
      }
      if (char === (open.at(-1) === '{' ? '}' : ']')) {
        open.pop();
        return { index: index + 1, expect: afterValue() };
      }
      return undefined;
    case 'nothing':
      return undefined;
    case 'value':
    case 'value-or-end':
      if (char === '{' || char === '[') {
        open.push(char);
        return { index: index + 1, expect: char === '{' ? 'key-or-end' : 'value-or-end' };
      }
  }

  const end = match(STRING, text, index) ?? match(NUMBER, text, index) ?? match(LITERAL, text, index);
  return end === undefined ? undefined : { index: end, expect: afterValue() };
}

function match(pattern: RegExp, text: string, index: number): number | undefined {
  pattern.lastIndex = index;
  return pattern.test(text) ? pattern.lastIndex : undefined;
}

function skipSpace(text: string, index: number): number {
  let position = index;
  while (position < text.length && ' \t\n\r'.includes(text[position]!)) {
    position++;
  }
  return position;
}
