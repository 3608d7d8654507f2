/**
 * The reliability cases: what pllay-hooks must do under bad input, faults
 * and load. Each row is run as a test by the file of its section, and
 * docs/reliability.md shows every row with the result that its test observed.
 */

export interface ReliabilityCase {
  id: string;
  /** Short behaviour phrase; also the test name. */
  title: string;
  expected: string;
}

export interface ReliabilitySection {
  id: string;
  heading: string;
  /** Test file that runs the cases, relative to the project root. */
  file: string;
  cases: ReliabilityCase[];
}

export const SECTIONS: ReliabilitySection[] = [
  {
    id: 'signature-header',
    heading: 'Capture: the signature header',
    file: 'test/reliability/capture-signature.test.ts',
    cases: [
      { id: 'valid', title: 'valid signature', expected: '200 and verdict `valid`' },
      {
        id: 'missing',
        title: 'missing header',
        expected: '200 and verdict `missing` with its reason',
      },
      {
        id: 'empty',
        title: 'empty header',
        expected: '200 and verdict `invalid`: the header is empty',
      },
      {
        id: 'repeated',
        title: 'repeated header',
        expected: '200 and verdict `invalid`: the header was sent twice',
      },
      {
        id: 'odd-length',
        title: 'odd-length signature',
        expected: '200 and verdict `invalid`: wrong length',
      },
      {
        id: 'non-hex',
        title: 'non-hex signature',
        expected: '200 and verdict `invalid`: not hexadecimal',
      },
      {
        id: 'upper-case',
        title: 'upper-case signature',
        expected: '200 and verdict `invalid`: upper-case digits',
      },
      {
        id: 'one-short',
        title: 'signature one character short',
        expected: '200 and verdict `invalid`: 63 characters',
      },
      {
        id: 'one-long',
        title: 'signature one character long',
        expected: '200 and verdict `invalid`: 65 characters',
      },
      {
        id: 'other-body',
        title: 'signature of another body',
        expected: '200 and verdict `invalid`: does not match',
      },
      {
        id: 'reject-invalid',
        title: 'bad signature with --reject-invalid',
        expected: '401 whose body gives the reason; the request is still logged',
      },
      {
        id: 'still-up',
        title: 'server up after every case',
        expected: 'no crash: the process runs and `GET /health` answers 200',
      },
    ],
  },
  {
    id: 'bodies',
    heading: 'Capture: request bodies',
    file: 'test/reliability/capture-bodies.test.ts',
    cases: [
      { id: 'empty', title: 'empty body', expected: '200; logged with `size` 0 and no event id' },
      {
        id: 'not-json',
        title: 'body that is not JSON',
        expected: '200; logged as sent, verdict over the raw bytes',
      },
      {
        id: 'not-envelope',
        title: 'JSON that is no envelope',
        expected: '200; logged with `event_id` and `type` null',
      },
      {
        id: 'deep',
        title: 'JSON nested 100,000 levels deep',
        expected: '200; parsed without a stack overflow, logged whole, server up',
      },
      {
        id: 'not-utf8',
        title: 'bytes that are not UTF-8',
        expected: '200; `body_base64` holds the exact bytes, and the signature over them is valid',
      },
      {
        id: 'too-large',
        title: 'declared length over the limit',
        expected:
          '413 before the body is read, connection closed, nothing logged, next request 200',
      },
      {
        id: 'too-large-chunked',
        title: 'chunked body over the limit',
        expected:
          '413 once the limit is passed, connection closed before the body ends, next request 200',
      },
      {
        id: 'chunked',
        title: 'chunked body within the limit',
        expected: '200; the body is logged byte for byte',
      },
      {
        id: 'length-short',
        title: 'body shorter than its length',
        expected:
          'client closes early: nothing logged, a warning is printed, the server carries on',
      },
      {
        id: 'length-long',
        title: 'body longer than its length',
        expected:
          'the declared bytes are logged as the request; the extra bytes are a malformed second request, so the client gets 400 and the connection closes',
      },
      {
        id: 'gzip',
        title: 'gzip content encoding',
        expected:
          'rejected, not decoded: 415 with `accept-encoding: identity` and a message that says so, a warning, nothing logged',
      },
    ],
  },
  {
    id: 'connections',
    heading: 'Capture: connections',
    file: 'test/reliability/capture-connections.test.ts',
    cases: [
      {
        id: 'slow-headers',
        title: 'headers sent byte by byte',
        expected: '408 and the connection closed when `--headers-timeout` ends; nothing logged',
      },
      {
        id: 'slow-body',
        title: 'body sent byte by byte',
        expected: '408 and the connection closed when `--request-timeout` ends; nothing logged',
      },
      {
        id: 'silent',
        title: 'connection that sends nothing',
        expected: 'closed when `--headers-timeout` ends',
      },
      {
        id: 'timeouts-config',
        title: 'timeouts from a config file',
        expected: '`listen.headersTimeout` and `listen.requestTimeout` apply as the flags do',
      },
      {
        id: 'timeouts-order',
        title: 'headers timeout over request timeout',
        expected: 'exit 2 before listening, naming both flags',
      },
      {
        id: 'many',
        title: '500 connections at once',
        expected: 'every request gets 200 and is logged',
      },
      {
        id: 'disconnect',
        title: 'client gone mid-body',
        expected: 'no record, not even a partial one; a warning; the next request is logged',
      },
      {
        id: 'methods',
        title: 'methods other than POST',
        expected: '405 with `allow: POST`; nothing logged',
      },
      {
        id: 'health',
        title: 'GET on / and /health',
        expected: '200 `{"status":"ok"}`; nothing logged',
      },
      {
        id: 'loopback',
        title: 'default bind address',
        expected: '127.0.0.1 only; the printed URL says so',
      },
      {
        id: 'all-interfaces',
        title: '--host 0.0.0.0',
        expected: 'binds all interfaces and prints a warning that names them',
      },
    ],
  },
  {
    id: 'durability',
    heading: 'Capture: durability',
    file: 'test/reliability/durability.test.ts',
    cases: [
      {
        id: 'ack-after-write',
        title: 'response after the log write',
        expected: 'when the 200 arrives, its record is already in the file',
      },
      {
        id: 'kill',
        title: 'kill -9 under load',
        expected: 'every event that got a 2xx is in the log; at most one torn last line',
      },
      {
        id: 'torn-readers',
        title: 'torn last line',
        expected:
          'skipped by the log reader, `replay` and `verify --record`; the other records are read',
      },
      {
        id: 'write-fails',
        title: 'log write fails while running',
        expected:
          '500 (never a 2xx without a record), an error naming the log, the server carries on',
      },
      {
        id: 'unwritable',
        title: 'unwritable log at start',
        expected: 'exit 2 before listening, naming the path',
      },
      {
        id: 'port-taken',
        title: 'port already taken',
        expected: 'exit 1 naming the port; no log file or folder is left behind',
      },
    ],
  },
  {
    id: 'delivery',
    heading: 'Delivery: network faults in send, replay and listen --forward-to',
    file: 'test/reliability/delivery.test.ts',
    cases: [
      {
        id: 'refused',
        title: 'connection refused',
        expected: 'exit 1, "connection refused"; replay and forwarding log each attempt',
      },
      {
        id: 'unknown-host',
        title: 'unknown host',
        expected: 'exit 1, "host not found"; no DNS query for `.invalid`',
      },
      {
        id: 'connect-timeout',
        title: 'connect never completes',
        expected: 'exit 1, "could not connect … timed out" at half the timeout',
      },
      {
        id: 'response-timeout',
        title: 'response never comes',
        expected: 'exit 1, "no response … within"; the other events are delivered',
      },
      {
        id: 'closed-early',
        title: 'server closes mid-response',
        expected: 'exit 1, "closed the connection before it finished answering"',
      },
      {
        id: 'huge-response',
        title: 'response body of gigabytes',
        expected: 'delivered; only a 1 KiB snippet is read and the connection is dropped',
      },
      {
        id: 'redirect',
        title: 'redirect response',
        expected: 'exit 1, not followed: one request, the message gives the location',
      },
      {
        id: 'silent-target',
        title: 'target accepts and never answers',
        expected:
          'each attempt times out, every event is tried, the run ends with exit 1; listen still answers the sender',
      },
    ],
  },
  {
    id: 'tls-interrupts',
    heading: 'Delivery: TLS and Ctrl-C',
    file: 'test/reliability/delivery-tls.test.ts',
    cases: [
      {
        id: 'tls-self-signed',
        title: 'self-signed TLS certificate',
        expected: 'exit 1; the message names `--ca-cert FILE` and `--insecure`',
      },
      { id: 'tls-insecure', title: 'TLS with --insecure', expected: 'delivered (exit 0)' },
      { id: 'tls-ca-cert', title: 'TLS with --ca-cert', expected: 'delivered (exit 0)' },
      {
        id: 'send-interrupt',
        title: 'Ctrl-C during send',
        expected: 'exit 130; what was delivered is reported; no new delivery starts',
      },
      {
        id: 'replay-interrupt',
        title: 'Ctrl-C during replay',
        expected: 'exit 130; the state file records what was done, so a rerun resumes',
      },
    ],
  },
  {
    id: 'secrets',
    heading: 'Secrets',
    file: 'test/reliability/secrets.test.ts',
    cases: [
      {
        id: 'generate',
        title: 'secret hidden by generate',
        expected: 'not in stdout or stderr, with `--verbose` and `--json`',
      },
      {
        id: 'send',
        title: 'secret hidden by send',
        expected: 'not in output, `--verbose` traces or the `--log` file',
      },
      {
        id: 'listen',
        title: 'secret hidden by listen',
        expected: 'not in output or the capture log, forwarding included',
      },
      {
        id: 'replay',
        title: 'secret hidden by replay',
        expected: 'not in output, the state file, the delivery log or the JUnit report',
      },
      {
        id: 'verify',
        title: 'secret hidden by verify',
        expected: 'not in output, for a valid and an invalid signature',
      },
      {
        id: 'check',
        title: 'secret hidden by check',
        expected: 'not in output or the JUnit report',
      },
      {
        id: 'config',
        title: 'secret hidden by config',
        expected: 'masked: a prefix and a fingerprint only',
      },
      {
        id: 'errors',
        title: 'secret hidden in errors',
        expected: 'not in error messages, even with `DEBUG=pllay` stack traces',
      },
      {
        id: 'constant-time',
        title: 'constant-time comparison',
        expected:
          '`verify` compares digests with `crypto.timingSafeEqual`, for a wrong signature too',
      },
    ],
  },
  {
    id: 'input-files',
    heading: 'Input files and partial output',
    file: 'test/reliability/input-files.test.ts',
    cases: [
      { id: 'payload-missing', title: 'payload file missing', expected: 'exit 2 naming the file' },
      {
        id: 'payload-folder',
        title: 'payload path is a folder',
        expected: 'exit 2 naming the file',
      },
      { id: 'payload-empty', title: 'payload file empty', expected: 'exit 2 naming the file' },
      {
        id: 'data-malformed',
        title: 'data file not JSON',
        expected: 'exit 2 naming the file, line and column',
      },
      {
        id: 'data-not-object',
        title: 'data file not an object',
        expected: 'exit 2 naming the file',
      },
      {
        id: 'config-malformed',
        title: 'config file not JSON',
        expected: 'exit 2 naming the file, line and column',
      },
      { id: 'config-empty', title: 'config file empty', expected: 'exit 2 naming the file' },
      { id: 'config-folder', title: 'config path is a folder', expected: 'exit 2 naming the file' },
      {
        id: 'config-key',
        title: 'config key misspelt',
        expected: 'exit 2 naming the file and the key',
      },
      { id: 'log-missing', title: 'replay log missing', expected: 'exit 2 naming the file' },
      { id: 'log-empty', title: 'replay log empty', expected: 'exit 2 naming the file' },
      {
        id: 'log-malformed',
        title: 'replay log without events',
        expected: 'exit 2 naming the file and the first bad line',
      },
      {
        id: 'log-some-junk',
        title: 'replay log with junk lines',
        expected: 'junk lines listed by line number and skipped; exit 2 with `--strict`',
      },
      {
        id: 'record-malformed',
        title: 'verify record log malformed',
        expected: 'exit 2 naming the file and the bad line',
      },
      {
        id: 'set-path',
        title: '--set path that does not fit',
        expected: 'exit 2 naming the path, before anything is sent or logged',
      },
      {
        id: 'unknown-type',
        title: 'unknown event type',
        expected: 'exit 2 naming the type and the nearest one',
      },
      {
        id: 'ca-cert',
        title: '--ca-cert file without certificate',
        expected: 'exit 2 naming the file',
      },
      {
        id: 'send-log',
        title: 'send --log with a bad flag',
        expected: 'exit 2 and no log file created',
      },
      {
        id: 'send-log-write',
        title: 'send --log write fails mid-run',
        expected: 'exit 2 naming the log file; no delivery starts after the failure',
      },
      {
        id: 'replay-outputs',
        title: 'replay failing at start',
        expected: 'exit 2; no state, log or report file is left behind',
      },
      {
        id: 'state-write',
        title: 'state file write fails mid-run',
        expected: 'exit 2 naming the state file; no report and no `.partial` file left',
      },
      {
        id: 'report-write',
        title: 'report write fails mid-run',
        expected: 'exit 2 naming the report; no report and no `.partial` file left',
      },
      {
        id: 'temp-missing',
        title: 'TMPDIR missing for demo',
        expected: 'exit 2 naming the folder and TMPDIR; no stack trace',
      },
    ],
  },
  {
    id: 'properties',
    heading: 'Properties (fast-check)',
    file: 'test/reliability/properties.test.ts',
    cases: [
      { id: 'sign-verify', title: 'any bytes sign and verify', expected: 'valid under any secret' },
      { id: 'flip-body', title: 'flipped body bit fails', expected: 'invalid, whichever bit' },
      {
        id: 'flip-signature',
        title: 'flipped signature bit fails',
        expected: 'invalid, whichever bit',
      },
      {
        id: 'log-round-trip',
        title: 'logged body reads back exactly',
        expected: 'byte-identical after the log writer and reader, UTF-8 or not',
      },
      {
        id: 'log-reader',
        title: 'log reader on arbitrary input',
        expected: 'never throws; finds every complete record in order, however the input is split',
      },
      {
        id: 'replay-reader',
        title: 'replay reader on arbitrary input',
        expected: 'never throws; finds every complete record in order',
      },
      {
        id: 'json-offset',
        title: 'JSON error offsets',
        expected: 'an offset exactly when JSON.parse fails',
      },
    ],
  },
];
