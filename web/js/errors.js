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
    case 'smtp_user': return t('the user name at the mail server');
    case 'q': return t('the search words');
    case 'key': return t('the preference');
    case 'external_id': return t('the external number');
    case 'merged_id': return t('the other customer');
    case 'members': return t('the members');
    case 'queues': return t('the queues');
    case 'channels': return t('the channels');
    case 'attachments': case 'attachment': return t('the attachments');
    case 'intervals': return t('the opening hours');
    case 'holidays': return t('the holidays');
    case 'from': return t('the start of the period');
    case 'min_spend': return t('the minimum spending');
    case 'discount_percent': return t('the discount');
    case 'items': return t('the tiers');
    case 'related': return t('the related products');
    case 'decline_reason': return t('the reason for declining');
    case 'no_agreement_reason': return t('the reason nothing was agreed');
    case 'acknowledge_minutes': return t('the time to acknowledge');
    case 'first_response_minutes': return t('the time to a first response');
    case 'resolution_hours': return t('the time to resolve');
    case 'secret': return t('the secret');
    case 'events': return t('the events');
    case 'scopes': return t('the permissions');
    case 'score': return t('the score');
    case 'schedule_at': return t('the time of the check');
    default: return field ? t('the field “{field}”', { field }) : '';
  }
}

/* A size in bytes as people say it: "2 MB", "512 KB". */
function size(bytes) {
  const b = Number(bytes) || 0;
  return b >= 1024 * 1024 ? t('{n} MB', { n: Math.floor(b / (1024 * 1024)) }) : t('{n} KB', { n: Math.max(1, Math.floor(b / 1024)) });
}

/*
 * Why the server refused, from the error's reason (and limit), said with
 * what to do next; '' for no reason or one this console does not know.
 * Every reason the server can send (docs/api.md, "Errors"; the Error
 * schema of docs/openapi.json) has its words here: units.test.mjs fails
 * when one is missing.  field is the field in words ('' for none); a
 * German field name is always the object of the sentence ("den Kunden").
 */
export function reasonMessage(e, field) {
  const f = field || t('the field');
  switch (e.reason) {
    /* a field's rule */
    case 'required': return t('Fill in {field}.', { field: f });
    case 'too_long': return t('Shorten {field} to at most {limit} characters.', { field: f, limit: e.limit });
    case 'too_many': return t('Give at most {limit} entries for {field}.', { field: f, limit: e.limit });
    case 'too_short':
      return e.limit ? t('Make {field} at least {limit} characters long.', { field: f, limit: e.limit })
        : t('Enter more in {field}.', { field: f });
    case 'not_allowed': return t('Choose one of the offered values for {field}.', { field: f });
    case 'not_an_email': return t('Enter a valid email address in {field}.', { field: f });
    case 'not_a_phone': return t('Enter a valid phone number in {field}.', { field: f });
    case 'not_a_url': return t('Enter {field} in full, with its beginning (such as https:// or smtp://).', { field: f });
    case 'out_of_range': return t('Enter a value for {field} within the allowed range.', { field: f });
    case 'not_a_time': return t('Enter a date and time in {field}.', { field: f });
    case 'in_the_past': return t('Choose a time in the future for {field}.', { field: f });
    case 'not_text': return t('Type {field} again: some of its characters cannot be read.', { field: f });
    case 'unknown_field': return t('The console sent {field}, which the server does not know. Reload the page and try again.', { field: f });
    case 'unknown_id': return t('Choose {field} again: the one chosen no longer exists. Reload the page first.', { field: f });
    case 'not_changeable': return t('You cannot change {field} once it is saved. Remove the entry and add a new one instead.', { field: f });
    case 'nothing_to_change': return t('Nothing was changed: change something first, then save.');
    case 'not_both': return t('Choose one of the two here, not both: check {field} and try again.', { field: f });
    case 'not_needed': return t('Leave {field} empty; it is not needed here.', { field: f });
    case 'wrong_order': return t('Check {field}: the order is wrong (an end must come after its start, a later target after an earlier one).', { field: f });
    case 'overlap': return t('Two of the times overlap: change {field} so that they no longer do.', { field: f });
    case 'repeated': return t('An entry appears twice: check {field} and remove the repeat.', { field: f });
    case 'same_customer': return t('A customer cannot be merged with themself: choose the other customer.');
    case 'self_reference': return t('A product cannot point to itself: remove it from its related products.');
    case 'inactive': return t('That person is deactivated and cannot take work. Choose someone active, or ask an admin to activate them again.');
    case 'too_big': return t('The file is too large: send one of at most {size}.', { size: size(e.limit) });
    case 'no_address': return t('The customer has no email address to write to: add one to the customer, or record the reply as a note.');
    case 'one_starting_tier': return t('Exactly one tier must have no minimum: the tier every customer starts in. Clear the minimum of one tier, and of one only.');
    /* the state refuses it */
    case 'step_missing':
      if (e.field === 'acknowledged_at') return t('Acknowledge the customer first: greet them and press “Acknowledge”, which stops the wait clock; then move on to understanding.');
      if (e.field === 'facts') return t('Write down the facts of the customer’s need before moving on (how they feel is optional).');
      if (e.field === 'agreement') return t('Write down the course of action you agreed on with the customer, or why nothing could be agreed, before moving on.');
      return t('A step before this one is missing: record {field} first.', { field: f });
    case 'out_of_order': return t('This step cannot be taken now: steps cannot be skipped or repeated. Reload the page to see where things stand.');
    case 'finished': return t('This is closed and changes no more. Open a new encounter with the customer if there is more to do.');
    case 'already_done': return t('This was already done, perhaps by someone else. Reload the page to see it.');
    case 'changed_meanwhile': return t('Someone else changed this a moment ago. Reload the page to see what they did.');
    case 'too_late': return t('Its date has passed: a promise kept after its date counts as broken, so it cannot be marked kept now.');
    case 'taken': return t('That is already in use: choose something else for {field}.', { field: f });
    case 'limit_reached': return t('The most that are allowed are already there: remove one first.');
    case 'last_admin': return t('This is the last active admin: make someone else an admin first.');
    case 'merged': return t('This customer was merged into another one. Open the other customer and do it there.');
    case 'erased': return t('This customer’s data was erased, so this can no longer be done.');
    case 'erasure_pending': return t('An erasure of this customer is waiting for approval: approve it or let it lapse first.');
    case 'own_request': return t('You asked for this yourself: another admin or lead must approve it.');
    case 'not_set_up': return t('Sending email is not set up yet: save the mail server’s address and sender first.');
    case 'opted_out': return t('This customer asked not to receive offers, so this consent cannot be given here.');
    case 'kept_as_record': return t('This is kept as a record and cannot be removed: withdraw it instead.');
    case 'wrong_kind': return t('This cannot be done with this kind of entry. Reload the page to see what it is now.');
    case 'no_secret_key': return t('The server has no key to keep passwords and secrets safe, so nothing was saved. Ask whoever runs the server to give it its key for secrets, then try again.');
    case 'tampered': return t('Nothing was changed: what is stored here was altered outside rapport. Ask an admin to check the desk’s records before going on.');
    case 'unreadable':
      return e.limit
        ? t('Line {line} of the file cannot be read (a quote left open, or a value that is not text): correct it in a spreadsheet, save the file again as CSV UTF-8 and choose it again.', { line: e.limit })
        : t('The file cannot be read as a spreadsheet (CSV): open it in a spreadsheet, save it again as CSV UTF-8 and choose it again.');
    case 'no_such_column': return t('The file has no column of that name: check the names in its first line and choose the column again.');
    case 'no_name_column': return t('No column gives the customer’s name: choose which column holds the name.');
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
      const precise = reasonMessage(e, field);
      if (precise) return precise;
      if (field) return t('Check {field} and try again. The server said: {message}', { field, message: server });
      return t('Check what you entered and try again. The server said: {message}', { message: server });
    }
    case 'malformed':
      return t('The server could not read what the console sent. Reload the page and try again.');
    case 'not_found':
      return t('This was not found: it may have been removed or merged. Go back and reload the list. The server said: {message}', { message: server });
    case 'conflict':
      if (reasonMessage(e, field)) return reasonMessage(e, field);
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
