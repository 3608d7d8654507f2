import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { SIGNATURE_MODULE } from './lib/paths.js';
import { SECRET } from './lib/sample.js';
import { compareRounds, median } from './lib/stats.js';

/** Each round alternates the two functions of a pair this many times each, for SLICE_MS a time. */
const SLICES_PER_ROUND = 20;
const SLICE_MS = 20;

const SIZES = [
  { label: '400 B', bytes: 400 },
  { label: '1 MiB', bytes: 1024 * 1024 },
];

/** Signing: calls per CPU second of sign and verify, in process, against bare crypto.createHmac. */
export const signing = {
  id: 'signing',
  title: 'Signing',
  description:
    '`sign` and `verify` from dist/signature, the code that send, listen and replay use, run ' +
    'in a loop in the bench process on a Buffer body. The baseline signs with ' +
    "`createHmac('sha256', secret).update(body).digest('hex')`, and verifies by comparing the " +
    'raw digest with crypto.timingSafeEqual to the hex signature decoded with Buffer.from. ' +
    `Each round alternates the two functions of a pair ${SLICES_PER_ROUND} times, ` +
    `${SLICE_MS} ms at a time, after one untimed round of warm-up, and keeps the median rate ` +
    'of each over its slices. Rates are calls per second of the process\'s CPU time, so that ' +
    'time when other processes had the core is not counted.',
  commands: ['(in process) sign(body, secret), verify(body, signature, [secret])'],

  async run({ rounds, progress }) {
    const { sign, verify } = await import(SIGNATURE_MODULE);
    // One list for every call, as the capture server passes its configured secrets.
    const secrets = [SECRET];
    const pairs = SIZES.flatMap(({ label, bytes }) => {
      const body = randomBytes(bytes);
      const signature = bareSign(body);
      return [
        {
          label: `\`sign\`, ${label}`,
          baselineLabel: 'createHmac hex digest',
          subject: () => sign(body, SECRET),
          baseline: () => bareSign(body),
        },
        {
          label: `\`verify\`, ${label}`,
          baselineLabel: 'createHmac + timingSafeEqual',
          subject: () => verify(body, signature, secrets).verdict === 'valid',
          baseline: () => bareVerify(body, signature),
        },
      ];
    });

    for (const pair of pairs) {
      check(pair);
      pair.subjectRates = [];
      pair.baselineRates = [];
      alternate(pair);
    }

    for (let round = 0; round < rounds; round++) {
      progress(`round ${round + 1} of ${rounds}`);
      for (const pair of pairs) {
        const rates = alternate(pair);
        pair.subjectRates.push(rates.subject);
        pair.baselineRates.push(rates.baseline);
      }
    }

    return {
      rows: pairs.map((pair) => ({
        label: pair.label,
        baselineLabel: pair.baselineLabel,
        unit: 'calls per CPU second',
        better: 'higher',
        target: 0.95,
        ...compareRounds(pair.subjectRates, pair.baselineRates),
      })),
    };
  },
};

function bareSign(body) {
  return createHmac('sha256', SECRET).update(body).digest('hex');
}

function bareVerify(body, signature) {
  const received = Buffer.from(signature, 'hex');
  const expected = createHmac('sha256', SECRET).update(body).digest();
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Fails the benchmark when a function under test returns another result than its baseline. */
function check(pair) {
  const expected = pair.baseline();
  if (pair.subject() !== expected) {
    throw new Error(`${pair.label} returned a different result from its baseline`);
  }
}

/**
 * Runs the subject and the baseline of a pair in turn, SLICES_PER_ROUND
 * times each, and returns the median over its slices of the calls per CPU
 * second of each. The median leaves out the slices that a garbage
 * collection or another process on the same physical core slowed down.
 */
function alternate(pair) {
  const rates = { subject: [], baseline: [] };

  for (let slice = 0; slice < SLICES_PER_ROUND; slice++) {
    const order = slice % 2 === 0 ? ['subject', 'baseline'] : ['baseline', 'subject'];
    for (const side of order) {
      const { calls, ms } = runSlice(pair[side]);
      rates[side].push((calls * 1000) / ms);
    }
  }

  return { subject: median(rates.subject), baseline: median(rates.baseline) };
}

/**
 * Calls `operation` in growing batches for at least SLICE_MS of wall time,
 * and returns the calls and the CPU time they took. CPU time, unlike wall
 * time, does not count the moments when other processes had the core.
 */
function runSlice(operation) {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let calls = 0;
  let batch = 1;

  while (performance.now() - started < SLICE_MS) {
    for (let index = 0; index < batch; index++) {
      operation();
    }
    calls += batch;
    batch = Math.min(batch * 2, 256);
  }

  const cpu = process.cpuUsage(cpuStarted);
  return { calls, ms: (cpu.user + cpu.system) / 1000 };
}
