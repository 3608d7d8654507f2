import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import type { CompletionSpec } from './spec.js';
import { zshScript } from './zsh.js';

export type { CommandSpec, CompletionSpec, OptionSpec } from './spec.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Writes the completion script of a shell. */
export function completionScript(shell: Shell, spec: CompletionSpec): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}
