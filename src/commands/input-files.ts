import { readFileSync } from 'node:fs';

import { InputFileError } from '../errors.js';
import { isPlainObject } from '../events/overrides.js';
import { describeJsonError } from '../json.js';

/** Reads a file's exact bytes, or fails with exit 2 naming the file. */
export function readInputFile(path: string, flag: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new InputFileError('E_FILE_UNREADABLE', path, `cannot read ${flag} file ${path}: ${reason}`, error);
  }

  if (bytes.length === 0) {
    throw new InputFileError('E_FILE_EMPTY', path, `${flag} file ${path} is empty`);
  }
  return bytes;
}

/** Reads a file that must hold one JSON object, as `--data` does. */
export function readJsonObjectFile(path: string, flag: string): Record<string, unknown> {
  const text = readInputFile(path, flag).toString('utf8');

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { where, reason } = describeJsonError(text, error);
    throw new InputFileError('E_FILE_INVALID_JSON', path, `${flag} file ${path}${where} is not valid JSON: ${reason}`, error);
  }

  if (!isPlainObject(value)) {
    throw new InputFileError('E_FILE_NOT_OBJECT', path, `${flag} file ${path} must hold a JSON object, not ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value;
}

