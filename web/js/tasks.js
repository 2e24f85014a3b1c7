/*
 * tasks.js - what became of the messages rapport sends a customer
 * (reminders, notices, follow-ups, satisfaction checks), told in plain
 * words: sent when, waiting for when, held or failed and why, and for a
 * failed one how many times it was tried.  A failure is shown, never
 * hidden: the scheduler gives up on a message only after its attempts, or
 * when it cannot know whether it arrived, and says so in the task.
 */
import { fmtTime, humanize } from './format.js';
import { t, tn } from './i18n.js';

/*
 * One line about task task: its state and, when there is one, the reason.
 * The reason is the scheduler's own words (kept as it wrote them).
 */
export function taskState(task) {
  const tries = Number(task.attempts) || 0;
  /* "held: the customer has not given consent" reads "Held: the ..." */
  const why = String(task.last_error || '').replace(new RegExp(`^${task.status}: `), '');
  switch (task.status) {
    case 'sent':
      return t('Sent {when}', { when: fmtTime(task.sent_at) });
    case 'done':
      return t('Done {when}', { when: fmtTime(task.done_at) });
    case 'failed':
      return why ? tn(tries, 'Failed after {n} attempt: {why}', 'Failed after {n} attempts: {why}', { why })
        : tn(tries, 'Failed after {n} attempt', 'Failed after {n} attempts');
    case 'held':
      return why ? t('Held: {why}', { why }) : t('Held');
    case 'cancelled':
      return why ? t('Cancelled: {why}', { why }) : t('Cancelled');
    case 'claimed':
      return t('Being sent now');
    case 'scheduled':
      if (tries && task.next_attempt_at) {
        const when = fmtTime(task.next_attempt_at);
        return why ? tn(tries, 'Tried {n} time, trying again {when}: {why}', 'Tried {n} times, trying again {when}: {why}', { when, why })
          : tn(tries, 'Tried {n} time, trying again {when}', 'Tried {n} times, trying again {when}', { when });
      }
      return t('Due {when}', { when: fmtTime(task.due_at) });
    default:
      return humanize(task.status);
  }
}

/* Is task task one the agent should look at (it did not go out)? */
export function taskNeedsAttention(task) {
  return task.status === 'failed' || task.status === 'held' || (task.status === 'scheduled' && Number(task.attempts) > 0);
}
