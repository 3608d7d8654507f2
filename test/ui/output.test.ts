import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { Output } from '../../src/ui/output.js';

/** Two streams that record every write, in order, into one list. */
function recordingStreams(): { writes: string[]; stdout: Writable; stderr: Writable } {
  const writes: string[] = [];
  const recorder = (name: string): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(`${name}:${chunk.toString()}`);
        done();
      },
    });
  return { writes, stdout: recorder('out'), stderr: recorder('err') };
}

function outputWith(streams: { stdout: Writable; stderr: Writable }): Output {
  return new Output({ stdout: streams.stdout, stderr: streams.stderr, env: {} });
}

describe('Output.batched', () => {
  it('joins lines of one turn', async () => {
    const streams = recordingStreams();
    const output = outputWith(streams);

    await output.batched(async () => {
      output.line('one');
      output.result('two');
      output.raw('three\n');

      expect(streams.writes).toEqual([]);
      await nextTurn();
      expect(streams.writes).toEqual(['out:one\ntwo\nthree\n']);
    });
  });

  it('writes before each stderr message', async () => {
    const streams = recordingStreams();
    const output = outputWith(streams);

    await output.batched(async () => {
      output.line('first');
      output.warn('careful');
      output.line('second');
      output.info('note');
      output.line('third');
      output.error('failed');
    });

    expect(streams.writes).toEqual([
      'out:first\n',
      'err:warning: careful\n',
      'out:second\n',
      'err:note\n',
      'out:third\n',
      'err:failed\n',
    ]);
  });

  it('writes before a thrown error', async () => {
    const streams = recordingStreams();
    const output = outputWith(streams);

    const run = output.batched(async () => {
      output.line('before the error');
      throw new Error('boom');
    });
    await run.catch((error: Error) => streams.stderr.write(`error: ${error.message}\n`));

    expect(streams.writes).toEqual(['out:before the error\n', 'err:error: boom\n']);
  });

  it('writes when the batch grows large', async () => {
    const streams = recordingStreams();
    const output = outputWith(streams);
    const line = 'x'.repeat(1023);

    await output.batched(async () => {
      for (let index = 0; index < 64; index++) {
        output.line(line);
      }

      expect(streams.writes).toHaveLength(1);
      expect(streams.writes[0]).toHaveLength('out:'.length + 64 * 1024);
    });
  });

  it('writes at once outside a batch', async () => {
    const streams = recordingStreams();
    const output = outputWith(streams);

    await output.batched(async () => output.line('inside'));
    output.line('outside');

    expect(streams.writes).toEqual(['out:inside\n', 'out:outside\n']);
  });

  it('hides lines with quiet', async () => {
    const streams = recordingStreams();
    const output = new Output({ stdout: streams.stdout, stderr: streams.stderr, env: {}, quiet: true });

    await output.batched(async () => {
      output.line('hidden');
      output.result('shown');
    });

    expect(streams.writes).toEqual(['out:shown\n']);
  });
});
