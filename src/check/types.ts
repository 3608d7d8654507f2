import type { DeliveryFailure } from '../delivery/deliver.js';

/** Verdict of one check. A warning fails the run only under `--strict`. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export type PracticeId =
  | 'accepts-events'
  | 'verifies-signatures'
  | 'responds-quickly'
  | 'handles-duplicates'
  | 'tolerates-unexpected-input'
  | 'accepts-legal-requests';

/** A receiver practice that a group of checks scores. */
export interface Practice {
  id: PracticeId;
  title: string;
  /** The practice as PLLAY's webhook guide words it, when the guide names it. */
  guide?: string;
}

/** Settings that every check plans and judges with. */
export interface CheckSetup {
  secret: string;
  /** Event types to check. Never empty. */
  types: readonly string[];
  maxLatencyMs: number;
}

/** A request that a check sends. */
export interface PlannedRequest {
  /** Short name shown in evidence, such as the event type. */
  label: string;
  body: string | Buffer;
  headers: Record<string, string>;
  /** Whether the response time counts toward the latency check. True for signed events that should get a 2xx. */
  timed: boolean;
}

/** One request sent and its response. Exactly one of `status` and `error` is set. */
export interface Exchange {
  label: string;
  bytes: number;
  timed: boolean;
  status?: number;
  error?: DeliveryFailure;
  durationMs: number;
  /** The start of the response body, on one line. */
  response?: string;
}

/** A check's judgement of its responses. */
export interface CheckVerdict {
  status: CheckStatus;
  /** One line of evidence: statuses and times. */
  evidence: string;
  /** One-line fix for a failure or a warning. */
  fix?: string;
  /** Background for a warning, in a few sentences, such as the reason it is not a failure. */
  explanation?: string;
  /** Numbers behind the verdict, such as the latency check's median and maximum. */
  metrics?: Record<string, number>;
}

export interface JudgeContext {
  setup: CheckSetup;
  /** Every timed exchange of the run, whichever check sent it. */
  timed: readonly Exchange[];
}

/**
 * One check. `plan` lists request sequences: the requests of one sequence
 * go out one after another, and sequences run in parallel up to the
 * concurrency. `judge` receives the exchanges in the same shape.
 */
export interface CheckDefinition {
  id: string;
  practice: PracticeId;
  title: string;
  plan(setup: CheckSetup): PlannedRequest[][];
  judge(sequences: Exchange[][], context: JudgeContext): CheckVerdict;
}

export interface CheckResult extends CheckVerdict {
  id: string;
  practice: PracticeId;
  title: string;
  exchanges: Exchange[];
}

/** Everything a run found, in the order of the check list. */
export interface CheckReport {
  target: string;
  types: string[];
  maxLatencyMs: number;
  concurrency: number;
  /** Requests sent, the warm-up request included. */
  requests: number;
  durationMs: number;
  /** The checks that were judged: all of them, or after an interruption only the finished ones. */
  results: CheckResult[];
  /** Set when the run was stopped before every request was sent. */
  interrupted?: true;
}

export interface CheckSummary {
  passed: number;
  warned: number;
  failed: number;
  strict: boolean;
  /** False when a check failed, or under `--strict` when one warned. */
  ok: boolean;
}
