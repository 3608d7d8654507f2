import { ExitCode, PllayError } from '../errors.js';
import { LogWriter, noteNewFile, type NewFile } from '../log/index.js';
import type { LoggedEvent } from './extract.js';
import { openInputs, scanInputs, selectEvents, type InputScan } from './inputs.js';
import { JunitReport } from './junit.js';
import { replayDeliveryRecord } from './records.js';
import { emptySummary, replayEvents, type EventResult, type ReplayOptions, type ReplaySummary } from './run.js';
import { ReplayState } from './state.js';

export interface RunReplayOptions extends Omit<
  ReplayOptions,
  'inputs' | 'scan' | 'state' | 'onResult'
> {
  /** Log paths in the order given; `-` reads standard input. */
  paths: readonly string[];
  stdin: NodeJS.ReadableStream;
  /** Fail before sending anything when a line contains no usable event. */
  strict?: boolean;
  /** NDJSON file of each event's outcome; a later run skips what it marks delivered. */
  statePath?: string;
  /** File that gets a delivery record per event. */
  logPath?: string;
  /** File that gets a JUnit XML report. */
  reportPath?: string;
  /** List the selected events through onPlanned, and send nothing. */
  dryRun?: boolean;
  /** Called after the first pass, before any check, with what it found. */
  onScan?: (scan: InputScan) => void;
  /** Called once the logs passed the checks, before the first event. */
  onStart?: (scan: InputScan) => void;
  /** Called with each event that a dry run selects; its body is empty and its signature left out. */
  onPlanned?: (event: LoggedEvent, alreadyDelivered: boolean) => void;
  onResult?: (result: EventResult) => void;
}

/**
 * Replays logged events: reads the logs once to learn what to send and to
 * find unusable lines, then again to send, recording each event's outcome
 * in the state file, the delivery log and the report as it finishes.
 */
export async function runReplay(
  options: RunReplayOptions,
): Promise<{ scan: InputScan; summary: ReplaySummary }> {
  const opened = await openStoppable(options);
  if (opened === undefined) {
    return stoppedBeforeStart();
  }
  const { inputs, cleanup } = opened;
  const closers: Array<() => Promise<void> | void> = [cleanup];
  // A run that fails removes the state and log files it created, unless it wrote to them.
  const newFiles: NewFile[] = [options.statePath, options.logPath]
    .filter((path) => path !== undefined)
    .map(noteNewFile);

  try {
    const scan = await scanInputs(inputs, options.selection);
    options.onScan?.(scan);
    assertUsable(scan, options.strict === true);

    const state =
      options.statePath === undefined ? undefined : await ReplayState.open(options.statePath);
    if (state) {
      closers.push(() => state.close());
    }
    options.onStart?.(scan);
    if (options.dryRun) {
      return { scan, summary: await planReplay(inputs, options, scan, state) };
    }

    const log = options.logPath === undefined ? undefined : LogWriter.open(options.logPath);
    if (log) {
      closers.push(() => log.close());
    }
    const report =
      options.reportPath === undefined ? undefined : new JunitReport(options.reportPath);
    if (report) {
      closers.push(() => report.discard());
    }

    const target = options.url.href;
    const summary = await replayEvents({
      ...options,
      inputs,
      scan,
      ...(state ? { state } : {}),
      onResult: async (result) => {
        if (state && result.outcome !== 'skipped') {
          await state.record(result, target);
        }
        const record = log ? replayDeliveryRecord(result, target, options.signing) : undefined;
        if (record) {
          await log!.append(record);
        }
        await report?.add(result);
        options.onResult?.(result);
      },
    });

    await report?.finish(summary, target);
    return { scan, summary };
  } catch (error) {
    await closeAll(closers);
    newFiles.forEach((file) => file.removeIfEmpty());
    throw error;
  } finally {
    await closeAll(closers);
  }
}

/** Opens the logs, or returns undefined when the stop signal ended the reading of standard input. */
async function openStoppable(
  options: RunReplayOptions,
): Promise<Awaited<ReturnType<typeof openInputs>> | undefined> {
  try {
    return await openInputs(options.paths, options.stdin, options.stopSignal);
  } catch (error) {
    if (options.stopSignal?.aborted === true) {
      return undefined;
    }
    throw error;
  }
}

function stoppedBeforeStart(): { scan: InputScan; summary: ReplaySummary } {
  const scan: InputScan = { total: 0, found: 0, unusableCount: 0, unusable: [], torn: [] };
  return { scan, summary: { ...emptySummary(0), stopped: true } };
}

/** Runs the closers once each, the last added first. */
async function closeAll(closers: Array<() => Promise<void> | void>): Promise<void> {
  for (const close of closers.splice(0).reverse()) {
    await close();
  }
}

function assertUsable(scan: InputScan, strict: boolean): void {
  const first = scan.unusable[0];
  if (first === undefined) {
    return;
  }
  if (scan.found === 0) {
    throw new PllayError(
      'E_LOG_NO_EVENTS',
      `the logs contain no usable event: ${scan.unusableCount === 1 ? '1 line is' : `${scan.unusableCount} lines are`} unusable, the first at ${first.file}:${first.line}: ${first.reason}`,
      {
        category: 'filesystem',
        exitCode: ExitCode.usage,
        hint: 'check that the paths name logs of pllay-hooks, NDJSON of envelopes, or an app log with envelopes',
      },
    );
  }
  if (!strict) {
    return;
  }

  const lines =
    scan.unusableCount === 1 ? '1 line contains' : `${scan.unusableCount} lines contain`;
  throw new PllayError(
    'E_UNUSABLE_LINES',
    `${lines} no usable event, the first at ${first.file}:${first.line}: ${first.reason}`,
    {
      category: 'filesystem',
      exitCode: ExitCode.usage,
      hint: 'fix or remove those lines, or leave out --strict to skip them',
    },
  );
}

async function planReplay(
  inputs: Awaited<ReturnType<typeof openInputs>>['inputs'],
  options: RunReplayOptions,
  scan: InputScan,
  state: ReplayState | undefined,
): Promise<ReplaySummary> {
  const summary = emptySummary(scan.total);

  // The plan lists ids, types and places only, so the bodies are not decoded.
  const events = selectEvents(inputs, options.selection, scan, () => summary.duplicates++, {
    keepBody: false,
  });
  for await (const event of events) {
    const delivered = state?.isDelivered(event.id) === true;
    summary.skipped += delivered ? 1 : 0;
    options.onPlanned?.(event, delivered);
  }
  return summary;
}
