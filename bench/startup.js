import { BIN } from './lib/paths.js';
import { runChecked } from './lib/processes.js';
import { compareRounds, median } from './lib/stats.js';

/** Runs of each command per round; they are interleaved, one of each command in turn. */
const RUNS_PER_ROUND = 6;

const BASELINE = { label: '`node -e 0`', args: ['-e', '0'] };

const CASES = [
  { label: '`pllay-hooks --version`', args: [BIN, '--version'] },
  { label: '`pllay-hooks --help`', args: [BIN, '--help'] },
  { label: '`pllay-hooks events`', args: [BIN, 'events'] },
];

/** Start-up: wall time from spawn to exit of short commands, against Node.js starting an empty script. */
export const startup = {
  id: 'startup',
  title: 'Start-up',
  description:
    'Wall time from spawn to exit of one process, stdout to /dev/null. Each round runs every ' +
    `command ${RUNS_PER_ROUND} times, interleaved, and keeps the median of each.`,
  commands: [
    'node -e 0',
    'node bin/pllay-hooks.js --version',
    'node bin/pllay-hooks.js --help',
    'node bin/pllay-hooks.js events',
  ],

  async run({ rounds, progress }) {
    const all = [BASELINE, ...CASES];
    for (const command of all) {
      await runChecked({ args: command.args });
    }

    const perRound = new Map(all.map((command) => [command, []]));
    for (let round = 0; round < rounds; round++) {
      progress(`round ${round + 1} of ${rounds}`);
      const samples = new Map(all.map((command) => [command, []]));
      for (let run = 0; run < RUNS_PER_ROUND; run++) {
        for (const command of rotate(all, run)) {
          const { ms } = await runChecked({ args: command.args });
          samples.get(command).push(ms);
        }
      }
      for (const command of all) {
        perRound.get(command).push(median(samples.get(command)));
      }
    }

    return {
      rows: CASES.map((command) => ({
        label: command.label,
        baselineLabel: BASELINE.label,
        unit: 'ms',
        better: 'lower',
        target: 1.3,
        ...compareRounds(perRound.get(command), perRound.get(BASELINE)),
      })),
    };
  },
};

/** Returns the list starting at position `offset`, so that no command always runs first. */
function rotate(list, offset) {
  const start = offset % list.length;
  return [...list.slice(start), ...list.slice(0, start)];
}
