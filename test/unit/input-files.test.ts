import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import { readInputFile, readInputSource, readJsonObjectFile } from '../../src/commands/input-files.js';
import { ExitCode, InputFileError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

const folders: Array<{ remove(): void }> = [];

afterEach(() => {
  folders.splice(0).forEach((folder) => folder.remove());
});

function folder(): string {
  const temp = tempDir();
  folders.push(temp);
  return temp.path;
}

async function inputFileError(run: () => unknown): Promise<InputFileError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputFileError);
    return error as InputFileError;
  }
  throw new Error('expected an InputFileError');
}

describe('readInputFile', () => {
  it('names a missing file', async () => {
    const path = join(folder(), 'body.json');

    const error = await inputFileError(() => readInputFile(path, '--payload'));

    expect(error.code).toBe('E_FILE_UNREADABLE');
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe(`cannot read --payload file ${path}: file not found`);
    expect(error.hint).toContain('check the path');
  });

  it('names a folder as such', async () => {
    const path = folder();

    const error = await inputFileError(() => readInputFile(path, '--payload'));

    expect(error.code).toBe('E_FILE_UNREADABLE');
    expect(error.message).toBe(`cannot read --payload file ${path}: it is a folder, not a file`);
    expect(error.message).not.toContain('EISDIR');
    expect(error.hint).toBe('pass the path of a file');
  });

  it('gives an empty file a hint', async () => {
    const path = join(folder(), 'empty.json');
    writeFileSync(path, '');

    const error = await inputFileError(() => readInputFile(path, '--data'));

    expect(error.code).toBe('E_FILE_EMPTY');
    expect(error.hint).toContain(path);
  });
});

describe('readInputSource', () => {
  it('reads standard input for -', async () => {
    const bytes = await readInputSource('-', '--payload', Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]));

    expect(bytes.toString('utf8')).toBe('{"a":1}');
  });

  it('rejects empty standard input', async () => {
    const error = await inputFileError(() => readInputSource('-', '--payload', Readable.from([])));

    expect(error.code).toBe('E_FILE_EMPTY');
    expect(error.message).toContain('standard input is empty');
    expect(error.hint).toContain('--payload - < event.json');
  });

  it('reads a file for any other path', async () => {
    const path = join(folder(), 'body.json');
    writeFileSync(path, '{"b":2}');

    const bytes = await readInputSource(path, '--payload', Readable.from([Buffer.from('unused')]));

    expect(bytes.toString('utf8')).toBe('{"b":2}');
  });
});

describe('readJsonObjectFile', () => {
  it.each([
    ['{"amount": ', 'E_FILE_INVALID_JSON', 'fix the JSON'],
    ['[1, 2]', 'E_FILE_NOT_OBJECT', 'one object'],
    ['null', 'E_FILE_NOT_OBJECT', 'one object'],
    ['"text"', 'E_FILE_NOT_OBJECT', 'one object'],
  ])('rejects %j with a hint', async (text, code, hint) => {
    const path = join(folder(), 'data.json');
    writeFileSync(path, text);

    const error = await inputFileError(() => readJsonObjectFile(path, '--data'));

    expect(error.code).toBe(code);
    expect(error.hint).toContain(hint);
    expect(error.hint).toContain('{"amount": 5000}');
  });

  it('names the JSON type that is not an object', async () => {
    const path = join(folder(), 'data.json');
    writeFileSync(path, 'null');

    const error = await inputFileError(() => readJsonObjectFile(path, '--data'));

    expect(error.message).toContain('not null');
  });
});
