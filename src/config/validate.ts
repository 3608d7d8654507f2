import type * as z from 'zod';

import { ConfigError } from '../errors.js';
import { configFileSchema, KEY_ISSUE, type ParsedConfig } from './schema.js';

/**
 * Validates what a config file holds. Throws one ConfigError that lists
 * every problem with the file, the key, the bad value and what is allowed.
 */
export function validateConfig(contents: unknown, path: string): ParsedConfig {
  const result = configFileSchema.safeParse(contents, { reportInput: true });
  if (result.success) {
    return result.data;
  }

  const problems = result.error.issues.map(describeIssue);
  return invalid(path, problems);
}

function invalid(path: string, problems: string[]): never {
  throw new ConfigError('E_CONFIG_INVALID', path, `invalid config in ${path}:\n${problems.map((problem) => `  ${problem}`).join('\n')}`, {
    hint: 'fix the keys listed above; the configuration guide that README.md links to lists every key',
  });
}

/** Describes one issue as `listen.port is "abc": expected a port from 0 to 65535`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const key = formatKeyPath(issue.path);

  if (issue.code === 'unrecognized_keys' || (issue.code === 'custom' && isKeyIssue(issue))) {
    return `${key}: ${issue.message}`;
  }
  if (issue.code === 'invalid_key') {
    return `${key}: invalid key: ${issue.issues[0]?.message ?? issue.message}`;
  }
  return `${key} is ${formatValue(issue.input, isSecretPath(issue.path))}: ${issue.message}`;
}

function isKeyIssue(issue: z.core.$ZodIssueCustom): boolean {
  return issue.params?.about === KEY_ISSUE.about;
}

/** Writes a key path as `listen.port`, quoting keys that hold dots: `events["payment.succeded"]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) {
    return '(top level)';
  }

  return path
    .map((key, index) => {
      const name = String(key);
      if (typeof key === 'number' || !/^[A-Za-z_$][\w$-]*$/.test(name)) {
        return `[${JSON.stringify(typeof key === 'number' ? key : name)}]`;
      }
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.includes('secret');
}

function formatValue(value: unknown, secret: boolean): string {
  if (value === undefined) {
    return 'missing';
  }
  if (secret && typeof value === 'string') {
    return `a ${value.length}-character string (hidden)`;
  }

  let text: string;
  try {
    text = typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
