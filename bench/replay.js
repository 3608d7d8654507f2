import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { writeCaptureLog } from './lib/capture-log.js';
import { BASELINES, BIN } from './lib/paths.js';
import { readResourceUsage, resourceUsageArgs, runChecked, runToExit } from './lib/processes.js';
import { SAMPLE_TYPE, SECRET, sampleBody } from './lib/sample.js';
import { median } from './lib/stats.js';
import { startTargetServer } from './lib/target-server.js';

const CONCURRENCY = 64;
const SMALL_LOG_RECORDS = 10_000;
const SEND_COUNT = 20_000;
/**
 * Upper bound on one run with the big log. A million events take 150 to 250 s
 * at the 4,000 to 6,500 events/s measured on a loaded 2-core machine, plus
 * about 15 s for the first pass. This whole benchmark took 4 min 26 s with a
 * million records at a load average of 10 on 2 cores. A replay that hits the
 * bound fails the benchmark instead of pushing `npm run bench` past 10 minutes.
 */
const REPLAY_TIMEOUT_MS = 360_000;

/**
 * Replay: a generated capture log replayed to the trivial endpoint. The big
 * log is replayed once, because a million deliveries take about a minute at
 * 15,000 events/s, and `send` runs before and after it as its baseline.
 */
export const replay = {
  id: 'replay',
  title: 'Replay',
  description:
    `A generated capture log of N records (each a ${SAMPLE_TYPE} event of about 400 bytes with ` +
    'its own id, as `listen` logs it) is replayed with `--concurrency 64` to the trivial ' +
    'endpoint of the delivery benchmark, which counts the rate from the first request to the ' +
    `last. The baseline for the rate is \`send --count ${SEND_COUNT} --concurrency 64\`, run ` +
    `before and after the replay. Peak RSS (process.resourceUsage().maxRSS, recorded at exit ` +
    `by bench/lib/resource-usage.js) of the big log is compared with that of a ${SMALL_LOG_RECORDS} ` +
    'record log, for `replay` and for `replay --dry-run`. The dry run is also timed against ' +
    'bench/baselines/read-log.js, which only splits the log into lines and parses each. The ' +
    'big runs are made once each: one round.',
  commands: [
    `node bin/pllay-hooks.js replay <tmp>/big.ndjson --to <url> --concurrency ${CONCURRENCY} --secret ${SECRET}`,
    `node bin/pllay-hooks.js replay <tmp>/small.ndjson --to <url> --concurrency ${CONCURRENCY} --secret ${SECRET}`,
    `node bin/pllay-hooks.js replay --dry-run <tmp>/big.ndjson --to <url> --secret ${SECRET}`,
    `node bin/pllay-hooks.js replay --dry-run <tmp>/small.ndjson --to <url> --secret ${SECRET}`,
    `node bin/pllay-hooks.js send ${SAMPLE_TYPE} --count ${SEND_COUNT} --concurrency ${CONCURRENCY} --to <url> --secret ${SECRET}`,
    'node bench/baselines/read-log.js <tmp>/big.ndjson',
    '(each measured command runs as node --import bench/lib/resource-usage.js ...)',
  ],

  /** Returns why the benchmark cannot run, or undefined when it can. */
  async unavailable({ tmpDir }) {
    const stdoutFile = join(tmpDir, 'replay-help.out');
    const result = await runToExit({ args: [BIN, 'replay', '--help'], stdoutFile });
    const help = await readFile(stdoutFile, 'utf8');
    // Commander prints the program's help and exits 0 for `--help` after an unknown command.
    if (result.code !== 0 || !help.startsWith('Usage: pllay-hooks replay')) {
      return 'replay command not available: `pllay-hooks replay --help` does not print the help of replay';
    }
    return undefined;
  },

  async run({ tmpDir, progress, options }) {
    const bigRecords = options.replayRecords;
    const body = sampleBody();
    const logs = { big: join(tmpDir, 'big.ndjson'), small: join(tmpDir, 'small.ndjson') };

    progress(`writing a capture log of ${bigRecords} records`);
    const bigBytes = await writeCaptureLog({ path: logs.big, count: bigRecords, body });
    await writeCaptureLog({ path: logs.small, count: SMALL_LOG_RECORDS, body });

    const target = await startTargetServer();
    try {
      const runner = new Runner({ target, tmpDir });
      const sendBefore = await runner.send(progress);
      progress(`replaying ${bigRecords} records`);
      const big = await runner.replay(logs.big, bigRecords);
      const sendAfter = await runner.send(progress);

      progress('dry runs');
      const dryBig = await runner.dryRun(logs.big);
      const read = await runChecked({ args: [`${BASELINES}read-log.js`, logs.big], timeoutMs: REPLAY_TIMEOUT_MS });
      // The big log takes about 1 GB for a million records: it goes as soon as it is no longer read.
      await rm(logs.big, { force: true });

      progress(`replaying ${SMALL_LOG_RECORDS} records`);
      const small = await runner.replay(logs.small, SMALL_LOG_RECORDS);
      const drySmall = await runner.dryRun(logs.small);

      const sendRate = median([sendBefore, sendAfter]);
      return {
        notes: [
          `The big log holds ${bigRecords.toLocaleString('en-US')} records in ${formatMiB(bigBytes)}; ` +
            'it is removed once the big runs are done, and the temporary folder when the bench ends.',
        ],
        rows: [
          single({
            label: `\`replay\`, ${bigRecords.toLocaleString('en-US')} records: events per second`,
            baselineLabel: `\`send\`, ${SEND_COUNT.toLocaleString('en-US')} events`,
            unit: 'events/s', better: 'higher', target: 0.9,
            subject: big.perSecond, baseline: sendRate,
          }),
          single({
            label: `\`replay\`, ${bigRecords.toLocaleString('en-US')} records: peak RSS`,
            baselineLabel: `${SMALL_LOG_RECORDS.toLocaleString('en-US')} records`,
            unit: 'bytes', better: 'lower', target: 1.2,
            subject: big.peakRss, baseline: small.peakRss,
          }),
          single({
            label: `\`replay --dry-run\`, ${bigRecords.toLocaleString('en-US')} records: peak RSS`,
            baselineLabel: `${SMALL_LOG_RECORDS.toLocaleString('en-US')} records`,
            unit: 'bytes', better: 'lower', target: 1.2,
            subject: dryBig.peakRss, baseline: drySmall.peakRss,
          }),
          single({
            label: `\`replay --dry-run\`, ${bigRecords.toLocaleString('en-US')} records: records per second`,
            baselineLabel: 'read and parse each line',
            unit: 'records/s', better: 'higher',
            subject: bigRecords / (dryBig.ms / 1000), baseline: bigRecords / (read.ms / 1000),
          }),
        ],
      };
    } finally {
      await target.close();
    }
  },
};

/** Runs the measured commands against one endpoint, recording the peak RSS and CPU time of each. */
class Runner {
  #target;
  #tmpDir;
  #runs = 0;

  constructor({ target, tmpDir }) {
    this.#target = target;
    this.#tmpDir = tmpDir;
  }

  async send(progress) {
    progress(`send --count ${SEND_COUNT}`);
    const args = [BIN, 'send', SAMPLE_TYPE, '--count', String(SEND_COUNT), '--concurrency', String(CONCURRENCY), '--to', this.#target.url, '--secret', SECRET];
    return (await this.#deliver(args, SEND_COUNT)).perSecond;
  }

  async replay(log, records) {
    const args = [BIN, 'replay', log, '--to', this.#target.url, '--concurrency', String(CONCURRENCY), '--secret', SECRET];
    return this.#deliver(args, records);
  }

  async dryRun(log) {
    const result = await this.#run([BIN, 'replay', '--dry-run', log, '--to', this.#target.url, '--secret', SECRET]);
    if (result.received.count !== 0) {
      throw new Error(`replay --dry-run ${log} sent ${result.received.count} requests`);
    }
    return result;
  }

  async #deliver(args, expected) {
    const result = await this.#run(args);
    if (result.received.count !== expected) {
      throw new Error(`node ${args.join(' ')} delivered ${result.received.count} of ${expected} events`);
    }
    return { ...result, perSecond: result.received.perSecond };
  }

  async #run(args) {
    const run = ++this.#runs;
    const usageFile = join(this.#tmpDir, `usage-${run}.json`);
    const { nodeArgs, env } = resourceUsageArgs(usageFile);

    this.#target.reset();
    // stdout, a line per event that nothing reads, goes to /dev/null instead of a file.
    const { ms } = await runChecked({ args: [...nodeArgs, ...args], env, timeoutMs: REPLAY_TIMEOUT_MS });
    return { ms, ...readResourceUsage(usageFile), received: this.#target.snapshot() };
  }
}

/** Builds a row from a single measurement of each side. */
function single(row) {
  return { ...row, ratio: row.subject / row.baseline, ratios: [row.subject / row.baseline] };
}

function formatMiB(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}
