// Preloaded with `node --import` into a measured process: at exit it writes
// the process's resource usage to $BENCH_RESOURCE_USAGE_FILE as JSON, with
// the peak resident set size in bytes and the CPU time (user plus system)
// in microseconds.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RESOURCE_USAGE_FILE;

if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const report = { peakRss: usage.maxRSS * 1024, cpuMicros: usage.userCPUTime + usage.systemCPUTime };
    writeFileSync(file, JSON.stringify(report));
  });
}
