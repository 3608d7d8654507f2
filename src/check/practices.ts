import type { Practice, PracticeId } from './types.js';

/**
 * The practices a receiver is scored on, in scorecard order. `guide`
 * quotes PLLAY's webhook guide where it names the practice. Its other
 * practices (retry logic with exponential backoff, logging and monitoring
 * failed webhooks, retry settings) concern the app's own work and cannot
 * be seen from outside the endpoint.
 */
export const PRACTICES: readonly Practice[] = [
  {
    id: 'accepts-events',
    title: 'Accepts signed events',
    guide: 'Verify your endpoint receives and processes the event',
  },
  {
    id: 'verifies-signatures',
    title: 'Verifies signatures',
    guide: 'Always verify webhook signatures',
  },
  {
    id: 'responds-quickly',
    title: 'Responds quickly',
    guide: 'Return 200 response quickly; process webhooks asynchronously',
  },
  {
    id: 'handles-duplicates',
    title: 'Handles duplicate events',
    guide: 'Handle duplicate events',
  },
  {
    id: 'tolerates-unexpected-input',
    title: 'Tolerates unexpected input',
  },
  {
    id: 'accepts-legal-requests',
    title: 'Accepts every valid request',
  },
];

export function practiceById(id: PracticeId): Practice {
  return PRACTICES.find((practice) => practice.id === id)!;
}
