/**
 * One-line description of each command, shown in its own help and in the program's command list.
 * The program lists every command without loading its module, so the text lives here.
 */
export const COMMAND_DESCRIPTIONS = {
  events: 'list the 13 event types PLLAY sends, grouped by kind',
  generate: 'print a signed sample event: the headers and the exact body that send would deliver',
  send: 'sign sample events and POST them to your endpoint',
  listen: 'run a local capture server that verifies, shows and logs every webhook it receives',
  replay: 'send logged events again, with retries and backoff, until the app accepts them',
  verify: 'check one payload and signature; for a mismatch, find the likely cause and its fix',
  check: "score an endpoint against PLLAY's webhook best practices",
  demo: 'run the whole loop locally: a capture server, one signed event of every type, and the log',
  init: 'create a config file: asks for the target, the secret source, the listen port and the log',
  config: 'show the resolved settings and where each one came from; the secret is masked',
  completion: 'print a completion script for bash, zsh or fish: commands, options and event types',
} as const;

export type CommandName = keyof typeof COMMAND_DESCRIPTIONS;
