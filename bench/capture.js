import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { BASELINES, BIN } from './lib/paths.js';
import { cpuMicrosOf, readResourceUsage, resourceUsageArgs, startService } from './lib/processes.js';
import { postLoad } from './lib/load.js';
import { SAMPLE_TYPE, SECRET, sampleBody } from './lib/sample.js';
import { sign } from '../dist/signature/index.js';
import { compareRounds } from './lib/stats.js';

const CONNECTIONS = 50;
const WARM_UP_SECONDS = 1;
const MEASURE_SECONDS = 4;

const BASELINE = {
  name: 'baseline',
  args: [`${BASELINES}capture-server.js`, '--secret', SECRET],
  ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
};

/** `listen` as a person runs it, a line per event on stdout, and with --quiet, the log alone. */
const VARIANTS = [
  { name: 'listen', label: '`listen`', flags: [] },
  { name: 'listen-quiet', label: '`listen --quiet`', flags: ['--quiet'] },
];

/** Capture: requests per second and p99 latency of `listen` under load, against a bare verifying server. */
export const capture = {
  id: 'capture',
  title: 'Capture',
  description:
    `autocannon POSTs one signed ${SAMPLE_TYPE} event (about 400 bytes) over ${CONNECTIONS} ` +
    `connections for ${MEASURE_SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, against each ` +
    'server in turn. `listen` verifies every signature and appends every record to its log ' +
    'before it responds, and its stdout goes to a file. The baseline is a bare node:http ' +
    'server (bench/baselines/capture-server.js) that reads the body, checks the same HMAC ' +
    'with crypto.timingSafeEqual and writes nothing. Both respond 401 to a bad signature, and ' +
    'any response other than 2xx fails the run. p99 is taken from every response time. CPU time ' +
    'per request is the server\'s user and system time during the measured seconds, read from ' +
    '/proc, divided by the requests it completed in them.',
  commands: [
    `node bench/baselines/capture-server.js --secret ${SECRET}`,
    ...VARIANTS.map((variant) =>
      listenArgs(variant, `<tmp>/${variant.name}.ndjson`).join(' ').replace(BIN, 'node bin/pllay-hooks.js'),
    ),
    `autocannon -m POST -c ${CONNECTIONS} -d ${MEASURE_SECONDS} -H content-type=application/json -H pllay-signature=<hex> -b <body> http://127.0.0.1:<port>/webhooks/pllay`,
  ],

  async run({ rounds, tmpDir, progress }) {
    const body = sampleBody();
    const headers = { 'content-type': 'application/json', 'pllay-signature': sign(body, SECRET) };
    const servers = [BASELINE, ...VARIANTS.map((variant) => listenServer(variant, tmpDir))];
    const perRound = new Map(servers.map((server) => [server.name, { perSecond: [], p99: [], cpu: [] }]));

    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        progress(`round ${round + 1} of ${rounds}: ${server.name}`);
        const result = await measureServer(server, { body, headers, tmpDir });
        perRound.get(server.name).perSecond.push(result.perSecond);
        perRound.get(server.name).p99.push(result.p99);
        perRound.get(server.name).cpu.push(result.cpuPerRequest);
      }
    }

    const base = perRound.get(BASELINE.name);
    return {
      rows: VARIANTS.flatMap((variant) => {
        const measured = perRound.get(variant.name);
        return [
          {
            label: `${variant.label}: requests per second`,
            baselineLabel: 'bare node:http',
            unit: 'req/s',
            better: 'higher',
            target: 0.85,
            ...compareRounds(measured.perSecond, base.perSecond),
          },
          {
            label: `${variant.label}: p99 latency`,
            baselineLabel: 'bare node:http',
            unit: 'ms',
            better: 'lower',
            target: 1.3,
            ...compareRounds(measured.p99, base.p99),
          },
          {
            label: `${variant.label}: CPU time per request`,
            baselineLabel: 'bare node:http',
            unit: 'µs',
            better: 'lower',
            ...compareRounds(measured.cpu, base.cpu),
          },
        ];
      }),
    };
  },
};

function listenArgs(variant, logPath) {
  return [BIN, 'listen', '--port', '0', '--secret', SECRET, '--reject-invalid', '--log', logPath, ...variant.flags];
}

function listenServer(variant, tmpDir) {
  const logPath = join(tmpDir, `${variant.name}.ndjson`);
  return {
    name: variant.name,
    args: listenArgs(variant, logPath),
    ready: /Listening on (http:\/\/127\.0\.0\.1:\d+)/,
    logPath,
  };
}

/** Starts one server, warms it up, measures it, stops it, and checks that it logged every request. */
async function measureServer(server, { body, headers, tmpDir }) {
  const usageFile = join(tmpDir, `${server.name}-usage.json`);
  const { nodeArgs, env } = resourceUsageArgs(usageFile);
  const service = await startService({
    args: [...nodeArgs, ...server.args],
    env,
    stdoutFile: join(tmpDir, `${server.name}.out`),
    ready: server.ready,
  });

  let completed = 0;
  let result;
  let cpuMicros;
  try {
    const url = `${service.match[1]}/webhooks/pllay`;
    const load = { url, body, headers, connections: CONNECTIONS };
    completed += (await postLoad({ ...load, seconds: WARM_UP_SECONDS })).completed;

    const cpuBefore = cpuMicrosOf(service.child.pid);
    result = await postLoad({ ...load, seconds: MEASURE_SECONDS });
    const cpuAfter = cpuMicrosOf(service.child.pid);
    completed += result.completed;
    if (cpuBefore !== undefined && cpuAfter !== undefined) {
      cpuMicros = cpuAfter - cpuBefore;
    }
  } finally {
    await service.stop();
  }

  // Without /proc, the whole life of the server counts, start-up and warm-up included.
  const cpuPerRequest =
    cpuMicros === undefined ? readResourceUsage(usageFile).cpuMicros / completed : cpuMicros / result.completed;
  if (server.logPath) {
    const logged = await countLines(server.logPath);
    await rm(server.logPath, { force: true });
    if (logged < completed) {
      throw new Error(`${server.name} responded 2xx to ${completed} requests but logged only ${logged}`);
    }
  }
  return { ...result, cpuPerRequest };
}

async function countLines(path) {
  const file = await open(path);
  let lines = 0;
  try {
    for await (const chunk of file.createReadStream()) {
      for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) {
        lines++;
      }
    }
  } finally {
    await file.close();
  }
  return lines;
}
