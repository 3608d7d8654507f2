import { readFileSync } from 'node:fs';

import { InputFileError } from '../errors.js';
import { isPlainObject } from '../events/overrides.js';
import { describeJsonError } from '../json.js';

/** Reason in plain words that a file could not be read, and the fix. */
export interface FileErrorDescription {
  reason: string;
  hint: string;
}

/** Describes a failed read of a file without the raw system message, such as "file not found". */
export function describeFileError(error: unknown): FileErrorDescription {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return { reason: 'file not found', hint: 'check the path; a relative path starts from the current folder' };
    case 'EISDIR':
      return { reason: 'it is a folder, not a file', hint: 'pass the path of a file' };
    case 'ENOTDIR':
      return { reason: 'a part of the path is a file, not a folder', hint: 'check the path' };
    case 'EACCES':
    case 'EPERM':
      return { reason: 'permission denied', hint: 'make the file readable by the current user, or pass another file' };
    default:
      return { reason: (error as Error).message, hint: 'check that the path names a readable file' };
  }
}

/** Reads a file's exact bytes, or fails with exit 2 naming the file. */
export function readInputFile(path: string, flag: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const { reason, hint } = describeFileError(error);
    throw new InputFileError('E_FILE_UNREADABLE', path, `cannot read ${flag} file ${path}: ${reason}`, error, hint);
  }

  if (bytes.length === 0) {
    throw new InputFileError(
      'E_FILE_EMPTY',
      path,
      `${flag} file ${path} is empty`,
      undefined,
      `write the content into ${path}, or pass another file`,
    );
  }
  return bytes;
}

/** Reads a file's exact bytes as readInputFile does, or all of standard input when the path is `-`. */
export async function readInputSource(path: string, flag: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (path !== '-') {
    return readInputFile(path, flag);
  }

  const bytes = await readStdin(stdin);
  if (bytes.length === 0) {
    throw new InputFileError(
      'E_FILE_EMPTY',
      path,
      `${flag} - read nothing: standard input is empty`,
      undefined,
      `pipe the content in, such as ${flag} - < event.json, or pass a file instead of -`,
    );
  }
  return bytes;
}

/** Reads standard input to its end. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(Buffer.from(chunk as Buffer));
  }
  return Buffer.concat(chunks);
}

/** Reads a file that must hold one JSON object, as `--data` does. */
export function readJsonObjectFile(path: string, flag: string): Record<string, unknown> {
  const text = readInputFile(path, flag).toString('utf8');
  const example = `${flag} takes one JSON object, such as {"amount": 5000}`;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { where, reason } = describeJsonError(text, error);
    throw new InputFileError(
      'E_FILE_INVALID_JSON',
      path,
      `${flag} file ${path}${where} is not valid JSON: ${reason}`,
      error,
      `fix the JSON at that position; ${example}`,
    );
  }

  if (!isPlainObject(value)) {
    throw new InputFileError(
      'E_FILE_NOT_OBJECT',
      path,
      `${flag} file ${path} must hold a JSON object, not ${describeJsonType(value)}`,
      undefined,
      `put the fields in one object; ${example}`,
    );
  }
  return value;
}

function describeJsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
