import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** The Node.js binary that runs the bench; every child runs on the same one. */
export const NODE = process.execPath;

const RESOURCE_USAGE_MODULE = new URL('./resource-usage.js', import.meta.url).href;

/** Environment for every child: no colour, no prompts, and no secret or options from the caller's shell. */
export function childEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', CI: 'true', ...extra };
  delete env.FORCE_COLOR;
  delete env.PLLAY_WEBHOOK_SECRET;
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Returns node arguments and environment that make the child write its peak
 * RSS and CPU time to `file` when it exits; readResourceUsage reads them.
 */
export function resourceUsageArgs(file) {
  return { nodeArgs: ['--import', RESOURCE_USAGE_MODULE], env: { BENCH_RESOURCE_USAGE_FILE: file } };
}

/** Reads what a child started with resourceUsageArgs wrote: `{ peakRss, cpuMicros }`. */
export function readResourceUsage(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Clock ticks per second of the CPU times in /proc/PID/stat; undefined where there is no getconf. */
const CLOCK_TICKS = readClockTicks();

function readClockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  } catch {
    return undefined;
  }
}

/**
 * Returns the CPU time (user plus system) that a running process has used
 * so far, in microseconds, with the 10 ms resolution of Linux's
 * /proc/PID/stat. Returns undefined where /proc is not available.
 */
export function cpuMicrosOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return CLOCK_TICKS ? (ticks * 1_000_000) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node ...args` to completion and returns its exit code, its wall
 * time in milliseconds (from spawn to exit) and the start of its stderr.
 * stdout goes to `stdoutFile`, or to /dev/null, so that the bench never
 * spends time reading it. The child is killed after `timeoutMs`. `onSpawn`
 * receives the child process as soon as it exists.
 */
export async function runToExit({ args, stdoutFile, timeoutMs = 60_000, env = {}, onSpawn }) {
  const stdout = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const started = performance.now();
  const child = spawn(NODE, args, { stdio: ['ignore', stdout, 'pipe'], env: childEnv(env) });
  if (typeof stdout === 'number') {
    closeSync(stdout);
  }
  onSpawn?.(child);

  const stderr = collectStart(child.stderr);
  const closed = once(child, 'close');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await once(child, 'exit');
  const ms = performance.now() - started;
  clearTimeout(timer);

  await closed;
  return { code, signal, ms, stderr: stderr.text, timedOut: signal === 'SIGKILL' };
}

/** Like runToExit, but throws with the command line and stderr when the exit code is not 0. */
export async function runChecked(options) {
  const result = await runToExit(options);
  if (result.code !== 0) {
    const failure = result.timedOut ? `was killed after ${options.timeoutMs ?? 60_000} ms` : `exited with ${result.code ?? result.signal}`;
    throw new Error(`node ${options.args.join(' ')} ${failure}\n${result.stderr}`);
  }
  return result;
}

/**
 * Starts a server process with stdout going to `stdoutFile`, and resolves
 * once a line of that file matches `ready` (which should capture what the
 * caller needs, such as the URL). Writing stdout to a file instead of a
 * pipe keeps the bench process idle while it generates load.
 */
export async function startService({ args, stdoutFile, ready, timeoutMs = 15_000, env = {} }) {
  const stdout = openSync(stdoutFile, 'w');
  const child = spawn(NODE, args, { stdio: ['ignore', stdout, 'pipe'], env: childEnv(env) });
  closeSync(stdout);

  const stderr = collectStart(child.stderr);
  const exited = once(child, 'exit');
  const deadline = performance.now() + timeoutMs;

  while (performance.now() < deadline) {
    const match = ready.exec(readFileSync(stdoutFile, 'utf8'));
    if (match) {
      return { child, match, stop: () => stopService(child, exited) };
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`node ${args.join(' ')} exited before it was ready\n${stderr.text}`);
    }
    await delay(20);
  }

  child.kill('SIGKILL');
  throw new Error(`node ${args.join(' ')} was not ready within ${timeoutMs} ms\n${stderr.text}`);
}

/** Sends SIGTERM, and SIGKILL 10 s later if needed; resolves with the exit code. */
async function stopService(child, exited) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code, signal] = await exited;
  clearTimeout(timer);
  return { code, signal };
}

/** Keeps the first 8 KiB of a stream, enough for an error message, and drains the rest. */
function collectStart(stream) {
  const collected = { text: '' };
  stream.setEncoding('utf8').on('data', (chunk) => {
    if (collected.text.length < 8192) {
      collected.text += chunk;
    }
  });
  return collected;
}
