import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { BASELINES, BIN } from './lib/paths.js';
import { cpuMicrosOf, readResourceUsage, resourceUsageArgs, runChecked } from './lib/processes.js';
import { SAMPLE_TYPE, SECRET, sampleBody } from './lib/sample.js';
import { compareRounds } from './lib/stats.js';
import { startTargetServer } from './lib/target-server.js';

/** Events per run: about a second of sending at each concurrency on a 2-core machine. */
const CASES = [
  { concurrency: 64, count: 20_000 },
  { concurrency: 1, count: 3_000 },
];

/** Delivery: events per second of `send`, against a bare undici loop, at two concurrencies. */
export const delivery = {
  id: 'delivery',
  title: 'Delivery',
  description:
    `\`send\` and the baseline deliver N signed ${SAMPLE_TYPE} events (about 400 bytes) to the ` +
    'same trivial node:http endpoint inside the bench process, which reads each body and ' +
    'answers 200. The rate is counted at the endpoint, from the first request to the last, ' +
    'so process start-up is left out. `send` generates each event from its fixture and prints ' +
    'a line per event to a file. The baseline (bench/baselines/undici-send.js) is a bare undici ' +
    'loop that gives a copy of one event a fresh id, signs it with crypto.createHmac and POSTs it. ' +
    'Each round runs both, in alternating order. CPU time per event is the sender\'s user and ' +
    'system time from the arrival of its first event to its exit, divided by N, so that ' +
    'start-up is left out (where /proc is missing, its whole life counts). It moves less than ' +
    'the rate when other processes share the cores.',
  commands: CASES.flatMap(({ concurrency, count }) => [
    sendArgs({ concurrency, count, url: '<url>' }).join(' ').replace(BIN, 'node bin/pllay-hooks.js'),
    baselineArgs({ concurrency, count, url: '<url>', bodyFile: '<tmp>/body.json' })
      .join(' ')
      .replace(BASELINES, 'node bench/baselines/'),
  ]),

  async run({ rounds, tmpDir, progress }) {
    const bodyFile = join(tmpDir, 'body.json');
    await writeFile(bodyFile, sampleBody());
    const target = await startTargetServer();

    try {
      const rows = [];
      for (const { concurrency, count } of CASES) {
        const runs = {
          send: { args: sendArgs({ concurrency, count, url: target.url }), rates: [], cpu: [] },
          baseline: { args: baselineArgs({ concurrency, count, url: target.url, bodyFile }), rates: [], cpu: [] },
        };
        // One untimed run of each, so that the disk cache and the endpoint are warm.
        await deliverAll(runs.send, { count, target, tmpDir, record: false });
        await deliverAll(runs.baseline, { count, target, tmpDir, record: false });

        for (let round = 0; round < rounds; round++) {
          progress(`concurrency ${concurrency}, round ${round + 1} of ${rounds}`);
          const order = round % 2 === 0 ? [runs.baseline, runs.send] : [runs.send, runs.baseline];
          for (const run of order) {
            await deliverAll(run, { count, target, tmpDir, record: true });
          }
        }

        rows.push({
          label: `\`send --count ${count} --concurrency ${concurrency}\``,
          baselineLabel: `undici loop, ${concurrency} in flight`,
          unit: 'events/s',
          better: 'higher',
          target: 0.9,
          ...compareRounds(runs.send.rates, runs.baseline.rates),
        });
        rows.push({
          label: `\`send --count ${count} --concurrency ${concurrency}\`: CPU time per event`,
          baselineLabel: 'undici loop',
          unit: 'µs',
          better: 'lower',
          ...compareRounds(runs.send.cpu, runs.baseline.cpu),
        });
      }
      return { rows };
    } finally {
      await target.close();
    }
  },
};

function sendArgs({ concurrency, count, url }) {
  return [
    BIN, 'send', SAMPLE_TYPE,
    '--count', String(count),
    '--concurrency', String(concurrency),
    '--to', url,
    '--secret', SECRET,
  ];
}

function baselineArgs({ concurrency, count, url, bodyFile }) {
  return [
    `${BASELINES}undici-send.js`,
    '--url', url,
    '--count', String(count),
    '--concurrency', String(concurrency),
    '--secret', SECRET,
    '--body-file', bodyFile,
  ];
}

/** Runs one sender to completion and checks that the endpoint received every event. */
async function deliverAll(run, { count, target, tmpDir, record }) {
  const usageFile = join(tmpDir, 'sender-usage.json');
  const { nodeArgs, env } = resourceUsageArgs(usageFile);

  // The sender's CPU time when its first event arrives, so that its start-up can be left out.
  let sender;
  let cpuAtFirstEvent;
  target.reset(() => {
    cpuAtFirstEvent = cpuMicrosOf(sender.pid);
  });
  await runChecked({
    args: [...nodeArgs, ...run.args],
    env,
    stdoutFile: join(tmpDir, 'sender.out'),
    timeoutMs: 120_000,
    onSpawn: (child) => {
      sender = child;
    },
  });

  const received = target.snapshot();
  if (received.count !== count) {
    throw new Error(`node ${run.args.join(' ')} delivered ${received.count} of ${count} events`);
  }
  if (record) {
    run.rates.push(received.perSecond);
    const cpuMicros = readResourceUsage(usageFile).cpuMicros - (cpuAtFirstEvent ?? 0);
    run.cpu.push(cpuMicros / count);
  }
}
