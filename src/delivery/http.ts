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
}

/**
 * Creates the connection pool used for deliveries. Happy-eyeballs address
 * selection lets `localhost` reach a server on 127.0.0.1 or on ::1.
 */
export async function createDispatcher(options: ClientOptions = {}): Promise<Dispatcher> {
  const { Agent } = await loadUndici();

  return new Agent({
    connections: options.connections ?? null,
    connect: {
      autoSelectFamily: true,
      timeout: options.connectTimeoutMs ?? 10_000,
    },
    keepAliveTimeout: 4_000,
  });
}
