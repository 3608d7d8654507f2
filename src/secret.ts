import { UsageError } from './errors.js';

/** Environment variable that holds the endpoint's signing secret. */
export const SECRET_ENV = 'PLLAY_WEBHOOK_SECRET';

export interface ResolvedSecrets {
  secrets: string[];
  source: 'flag' | 'env' | 'none';
  /** Warnings about the values, such as stray whitespace. The secret itself is never in them. */
  warnings: string[];
}

/**
 * Picks the secrets: `--secret` (repeatable) first, else PLLAY_WEBHOOK_SECRET.
 * Several flag values are tried in order, for secret rotation. An empty value
 * counts as absent, as an unset variable expanded in `--secret "$VAR"` would be.
 *
 * NOTE: commands read secrets through loadSettings in src/config, which also
 * reads the config file; this function stays for callers not yet moved to it.
 */
export function resolveSecrets(flagValues: readonly string[] | undefined, env: NodeJS.ProcessEnv): ResolvedSecrets {
  const flagSecrets = (flagValues ?? []).filter((value) => value !== '');
  if (flagSecrets.length > 0) {
    return { secrets: flagSecrets, source: 'flag', warnings: whitespaceWarnings(flagSecrets, '--secret') };
  }

  const fromEnv = env[SECRET_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { secrets: [fromEnv], source: 'env', warnings: whitespaceWarnings([fromEnv], SECRET_ENV) };
  }

  return { secrets: [], source: 'none', warnings: [] };
}

/**
 * Returns the secret that signing uses, the first of the list (the newest
 * during a rotation). Throws a usage error that lists the ways to give one
 * when there is none.
 */
export function requireSigningSecret(resolved: { secrets: readonly string[] }): string {
  const secret = resolved.secrets[0];
  if (secret === undefined) {
    throw new UsageError(
      'E_NO_SECRET',
      'no signing secret: events must be signed with your endpoint\'s secret',
      `pass --secret SECRET, set ${SECRET_ENV}, or add "secretEnv" or "secret" to a config file (see: pllay-hooks init)`,
    );
  }
  return secret;
}

function whitespaceWarnings(values: readonly string[], origin: string): string[] {
  return values
    .filter((value) => value !== value.trim())
    .map(() => `the secret from ${origin} starts or ends with whitespace; it is used as given, which is rarely intended`);
}
