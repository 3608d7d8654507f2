import { UsageError } from './errors.js';

/** Environment variable that contains the endpoint's signing secret unless a config file's `secretEnv` names another. */
export const SECRET_ENV = 'PLLAY_WEBHOOK_SECRET';

export interface SecretRequest {
  secrets: readonly string[];
  /** Variable that the secret is read from, which the hint names. SECRET_ENV when absent. */
  secretEnv?: string | undefined;
  /** Use of the secret, which selects the message: signing events (the default) or verifying a signature. */
  purpose?: 'sign' | 'verify' | undefined;
}

/**
 * Returns the first secret of the list (the newest during a rotation),
 * which signs. Throws a usage error that lists the ways to give one when
 * there is none.
 */
export function requireSigningSecret(request: SecretRequest): string {
  const secret = request.secrets[0];
  if (secret === undefined) {
    const message = request.purpose === 'verify'
      ? 'no signing secret: verifying a signature needs your endpoint\'s secret'
      : 'no signing secret: events must be signed with your endpoint\'s secret';
    throw new UsageError('E_NO_SECRET', message, secretHint(request.secretEnv ?? SECRET_ENV));
  }
  return secret;
}

function secretHint(secretEnv: string): string {
  if (secretEnv === SECRET_ENV) {
    return `pass --secret SECRET, set ${SECRET_ENV}, or add "secretEnv" or "secret" to a config file (see: pllay-hooks init)`;
  }
  return `pass --secret SECRET, set ${secretEnv} (named by "secretEnv" in the config file), or add "secret" to the config file`;
}
