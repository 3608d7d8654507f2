import { UsageError } from './errors.js';

/** Environment variable that contains the endpoint's signing secret. */
export const SECRET_ENV = 'PLLAY_WEBHOOK_SECRET';

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
