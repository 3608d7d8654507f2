import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';

import type { Dispatcher } from 'undici';

type Undici = typeof import('undici');

let undiciModule: Promise<Undici> | undefined;

/** Loads undici on first use, so that commands that send nothing start faster. */
export function loadUndici(): Promise<Undici> {
  undiciModule ??= import('undici');
  return undiciModule;
}

export interface ClientOptions {
  /** Upper bound on parallel connections to one origin. */
  connections?: number;
  /** Milliseconds to wait for the TCP (and TLS) connection. */
  connectTimeoutMs?: number;
  tls?: TlsOptions;
}

/** Certificate checks of https targets, as set by `--insecure` and `--ca-cert FILE`. */
export interface TlsOptions {
  /** Accept any certificate, without verifying it. */
  insecure?: boolean;
  /** PEM certificates to trust besides Node's bundled certificate authorities. */
  ca?: string;
}

/** Maximum time to wait for a connection, whatever the delivery timeout. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Returns the connect timeout for a delivery timeout: half of it, at most
 * 10 s. It is shorter than the delivery timeout so that a target that never
 * accepts the connection is reported as such, not as a slow response.
 */
export function connectTimeoutFor(timeoutMs: number): number {
  return Math.max(1, Math.min(MAX_CONNECT_TIMEOUT_MS, Math.floor(timeoutMs / 2)));
}

/**
 * Creates the connection pool used for deliveries. `localhost` resolves to
 * both loopback addresses, and happy-eyeballs address selection tries each in
 * turn, so it reaches a server on 127.0.0.1 or on ::1.
 */
export async function createDispatcher(options: ClientOptions = {}): Promise<Dispatcher> {
  const { Agent } = await loadUndici();
  const tls = options.tls ?? {};

  return new Agent({
    connections: options.connections ?? null,
    connect: {
      autoSelectFamily: true,
      lookup: lookupWithLoopback,
      timeout: options.connectTimeoutMs ?? MAX_CONNECT_TIMEOUT_MS,
      ...(tls.insecure ? { rejectUnauthorized: false } : {}),
      ...(tls.ca === undefined ? {} : { ca: [...rootCertificates, tls.ca] }),
    },
    keepAliveTimeout: 4_000,
  });
}

const LOOPBACK_ADDRESSES: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/**
 * Resolves `localhost` and `*.localhost` to both 127.0.0.1 and ::1, because
 * a hosts file may map the name to only one of them while the server listens
 * on the other. Names under `.invalid` fail at once without a DNS query, as
 * RFC 6761 section 6.4 requires. Every other name goes to the system resolver.
 */
export const lookupWithLoopback: LookupFunction = (hostname, options, callback) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'invalid' || name.endsWith('.invalid')) {
    const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    error.code = 'ENOTFOUND';
    process.nextTick(() => callback(error, '', 0));
    return;
  }
  if (name !== 'localhost' && !name.endsWith('.localhost')) {
    dnsLookup(hostname, options, callback);
    return;
  }

  const family = familyNumber(options.family);
  const addresses = LOOPBACK_ADDRESSES.filter((entry) => family === 0 || entry.family === family);
  if ((options as LookupOptions).all) {
    (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
  } else {
    callback(null, addresses[0]!.address, addresses[0]!.family);
  }
};

function familyNumber(family: number | string | undefined): number {
  if (family === 'IPv4') {
    return 4;
  }
  if (family === 'IPv6') {
    return 6;
  }
  return typeof family === 'number' ? family : 0;
}
