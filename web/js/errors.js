/*
 * errors.js - the server's refusals said in the agent's language, with
 * what to do next.
 *
 * rapportd answers every refusal with {"error": {"code", "message",
 * "field", and for a field's rule "reason" and "limit"}} (docs/api.md,
 * "Errors").  The code and the reason are stable and machine-readable; the
 * message is English, written for whoever calls the API.  api.js turns
 * each refusal into an ApiError whose message comes from here, so every
 * view that shows err.message shows it translated; the server's own text
 * stays in err.serverMessage.  A refusal that cannot be said more
 * precisely falls back to a general sentence for its code with the
 * server's text after it, so nothing the server said is lost.
 */
import { t } from './i18n.js';

/* The fields the console sends, in words (a field not listed is named as the server names it). */
function fieldName(field) {
  switch (field) {
    case 'email': return t('the email address');
    case 'emails': return t('the email addresses');
    case 'password': return t('the password');
    case 'name': return t('the name');
    case 'preferred_name': return t('the preferred name');
    case 'phone': return t('the phone number');
    case 'phones': return t('the phone numbers');
    case 'role': return t('the role');
    case 'skills': return t('the skills');
    case 'language': return t('the language');
    case 'time_zone': return t('the time zone');
    case 'subject': return t('the subject');
    case 'body': return t('the text');
    case 'text': return t('the text');
    case 'note': return t('the note');
    case 'reason': return t('the reason');
    case 'summary': return t('the summary');
    case 'title': return t('the title');
    case 'tags': return t('the tags');
    case 'topic': return t('the topic');
    case 'channel': return t('the channel');
    case 'queue_id': return t('the queue');
    case 'agent_id': return t('the agent');
    case 'customer_id': return t('the customer');
    case 'due_at': return t('the due time');
    case 'expires_at': return t('the expiry time');
    case 'goal': return t('the goal');
    case 'value': return t('the value');
    case 'date': return t('the date');
    case 'url': return t('the address');
    case 'facts': return t('the facts');
    case 'feelings': return t('the feelings');
    case 'restatement': return t('the restatement');
    case 'agreement': return t('the agreement');
    case 'outcome': return t('the outcome');
    case 'priority': return t('the priority');
    case 'stage': return t('the stage');
    case 'acknowledge': return t('the acknowledgement');
    case 'purpose': return t('the purpose');
    case 'message': return t('the message');
    case 'to': return t('the recipient');
    case 'smtp_url': return t('the mail server');
    case 'smtp_from': return t('the sender address');
    case 'webhook_url': return t('the webhook address');
    default: return field ? t('the field “{field}”', { field }) : '';
  }
}

/* A field's rule that was broken, from the error's reason and limit; '' when there is none. */
function byReason(e, field) {
  switch (e.reason) {
    case 'required': return t('Fill in {field}.', { field });
    case 'too_long': return t('Shorten {field} to at most {limit} characters.', { field, limit: e.limit });
    case 'too_many': return t('Give at most {limit} entries for {field}.', { field, limit: e.limit });
    case 'not_allowed': return t('Choose one of the offered values for {field}.', { field });
    case 'not_an_email': return t('Enter a valid email address in {field}.', { field });
    case 'not_a_phone': return t('Enter a valid phone number in {field}.', { field });
    case 'out_of_range': return t('Enter a value for {field} within the allowed range.', { field });
    case 'not_a_time': return t('Enter a date and time in {field}.', { field });
    case 'not_text': return t('Type {field} again: some of its characters cannot be read.', { field });
    case 'unknown_field': return t('The console sent {field}, which the server does not know. Reload the page and try again.', { field });
    default: return '';
  }
}

/*
 * The message for a refusal: status (HTTP), e the "error" object of the
 * answer (code, message, field, reason, limit; any may be missing).
 */
export function errorMessage(status, e) {
  const code = e.code || '';
  const server = e.message || '';
  const field = e.field ? fieldName(e.field) : '';
  switch (code) {
    case 'invalid':
    case 'wrong_type': {
      const precise = field ? byReason(e, field) : '';
      if (precise) return precise;
      if (field) return t('Check {field} and try again. The server said: {message}', { field, message: server });
      return t('Check what you entered and try again. The server said: {message}', { message: server });
    }
    case 'malformed':
      return t('The server could not read what the console sent. Reload the page and try again.');
    case 'not_found':
      return t('This was not found: it may have been removed or merged. Go back and reload the list. The server said: {message}', { message: server });
    case 'conflict':
      return t('This cannot be done as things are now. Reload the page to see what changed. The server said: {message}', { message: server });
    case 'unauthorized':
      return t('You are not logged in, or your session has ended. Log in again.');
    case 'forbidden':
      return t('Your role does not allow this. Ask a lead or an admin to do it.');
    case 'csrf':
      return t('This page is out of date. Reload it and try again.');
    case 'too_large':
      return t('That is too large to send. Make it smaller and try again.');
    case 'unsupported_media_type':
    case 'method_not_allowed':
      return t('The console and the server do not match. Reload the page; if it keeps happening, tell your admin.');
    case 'rate_limited':
      return t('Too many attempts in a short time. Wait a minute, then try again.');
    case 'busy':
      return t('The server is busy. Try again in a moment.');
    case 'no_space':
      return t('The server’s disk is full, so nothing can be saved. Tell your admin.');
    case 'schema_too_new':
    case 'internal':
      return t('Something went wrong on the server. Try again; if it keeps happening, tell your admin. The server said: {message}', { message: server });
    case 'network':
      return t('The server cannot be reached. Check your connection and try again.');
    default:
      return server
        ? t('Something went wrong (error {status}). The server said: {message}', { status, message: server })
        : t('Something went wrong (error {status}). Try again.', { status });
  }
}
