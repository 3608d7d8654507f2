import type { Command } from 'commander';

import type { TlsOptions } from '../delivery/http.js';
import { InputFileError, UsageError } from '../errors.js';
import { readInputFile } from './input-files.js';

export interface TlsFlags {
  insecure?: boolean;
  caCert?: string;
}

/** Adds `--insecure` and `--ca-cert FILE`, which set how an https target's certificate is checked. */
export function addTlsOptions(command: Command, target: string): Command {
  return command
    .option('--insecure', `accept any TLS certificate from ${target}, without verifying it`)
    .option('--ca-cert <file>', `also trust the PEM certificates in FILE when verifying ${target}`);
}

/** Reads the TLS flags; exits 2 when the --ca-cert file cannot be read or contains no certificate. */
export function tlsOptions(flags: TlsFlags): TlsOptions | undefined {
  if (flags.insecure && flags.caCert !== undefined) {
    throw new UsageError(
      'E_TLS_FLAGS',
      '--insecure skips the certificate check, so --ca-cert has no use with it',
      'leave out one of the two',
    );
  }
  if (flags.insecure) {
    return { insecure: true };
  }
  if (flags.caCert === undefined) {
    return undefined;
  }

  const pem = readInputFile(flags.caCert, '--ca-cert').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InputFileError(
      'E_CA_CERT_INVALID',
      flags.caCert,
      `--ca-cert file ${flags.caCert} contains no PEM certificate: expected a "-----BEGIN CERTIFICATE-----" block`,
      undefined,
      'pass the CA certificate in PEM form; convert a DER file with: openssl x509 -inform der -in FILE -out ca.pem',
    );
  }
  return { ca: pem };
}
