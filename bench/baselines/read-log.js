// The floor for `replay --dry-run`: reads an NDJSON log as a stream, splits
// it into lines and parses each with JSON.parse, and prints only the count.
//
//   node bench/baselines/read-log.js FILE
import { createReadStream } from 'node:fs';

let pending = '';
let records = 0;

for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8' })) {
  pending += chunk;
  let start = 0;
  for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', start)) {
    JSON.parse(pending.slice(start, end));
    records++;
    start = end + 1;
  }
  pending = pending.slice(start);
}

console.log(`${records} records`);
