/*
 * tasks.js - what became of the messages rapport sends a customer
 * (reminders, notices, follow-ups, satisfaction checks), told in plain
 * words: sent when, waiting for when, held or failed and why, and for a
 * failed one how many times it was tried.  A failure is shown, never
 * hidden: the scheduler gives up on a message only after its attempts, or
 * when it cannot know whether it arrived, and says so in the task.
 */
import { fmtTime, humanize } from './format.js';

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/* One line about task t: its state and, when there is one, the reason. */
export function taskState(t) {
  const tries = Number(t.attempts) || 0;
  /* "held: the customer has not given consent" reads "Held: the ..." */
  const why = String(t.last_error || '').replace(new RegExp(`^${t.status}: `), '');
  const reason = why ? `: ${why}` : '';
  switch (t.status) {
    case 'sent':
      return `Sent ${fmtTime(t.sent_at)}`;
    case 'done':
      return `Done ${fmtTime(t.done_at)}`;
    case 'failed':
      return `Failed after ${plural(tries, 'attempt', 'attempts')}${reason}`;
    case 'held':
      return `Held${reason}`;
    case 'cancelled':
      return `Cancelled${reason}`;
    case 'claimed':
      return 'Being sent now';
    case 'scheduled':
      if (tries && t.next_attempt_at)
        return `Tried ${plural(tries, 'time', 'times')}, trying again ${fmtTime(t.next_attempt_at)}${reason}`;
      return `Due ${fmtTime(t.due_at)}`;
    default:
      return humanize(t.status);
  }
}

/* Is task t one the agent should look at (it did not go out)? */
export function taskNeedsAttention(t) {
  return t.status === 'failed' || t.status === 'held' || (t.status === 'scheduled' && Number(t.attempts) > 0);
}
