import type { Command } from 'commander';

import { loadSettings, type FlagNames, type FlagValues, type LoadedSettings } from '../config/index.js';
import type { Output } from '../ui/output.js';
import type { CliContext, GlobalOptions } from './context.js';

/**
 * Loads the settings of a command: its flags, then the environment, then
 * the config file named by --config (or found), with --profile applied.
 * Prints the config's warnings, and with --verbose which file was used.
 */
export async function commandSettings(
  context: CliContext,
  command: Command,
  output: Output,
  flags: FlagValues = {},
  flagNames: FlagNames = {},
): Promise<LoadedSettings> {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const loaded = await loadSettings({
    cwd: context.cwd,
    env: context.env,
    configPath: globals.config,
    profile: globals.profile,
    flags,
    flagNames,
  });

  const profile = loaded.profile === undefined ? '' : ` with profile ${loaded.profile}`;
  output.debug(loaded.configPath === undefined ? 'no config file found' : `config file ${loaded.configPath}${profile}`);
  loaded.warnings.forEach((warning) => output.warn(warning));
  return loaded;
}

/** Turns the signature format flags of `generate`, `send` and `listen` into setting values. */
export function signatureFlags(flags: { signatureHeader?: string; signaturePrefix?: string }): FlagValues {
  return { 'signature.header': flags.signatureHeader, 'signature.prefix': flags.signaturePrefix };
}

export const signatureFlagNames: FlagNames = {
  'signature.header': '--signature-header',
  'signature.prefix': '--signature-prefix',
};
