/*
 * sqlite_schema.c - the versioned schema of the SQLite backend.
 *
 * Migrations run in order at open, each in the same transaction as the
 * update of schema_version, so a database is never left half-migrated.
 * Never edit a migration that has shipped; add a new one.  Tables that
 * belong to a customer carry customer_id and their indexes lead with it, so
 * the data can later be sharded by customer.
 */
#include "store/sqlite_internal.h"
#include "store/sqlite_rollup.h"

const rp_sqlite_migration rp_sqlite_migrations[] = {
    {1, "customers, encounters and the moments-of-truth ledger",
     "CREATE TABLE customers ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  preferred_name TEXT,"
     "  emails TEXT NOT NULL DEFAULT '[]',"
     "  phones TEXT NOT NULL DEFAULT '[]',"
     "  notes TEXT,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE TABLE encounters ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  channel TEXT NOT NULL CHECK (channel IN"
     "    ('in_person','phone','email','chat','web')),"
     "  subject TEXT NOT NULL,"
     "  stage TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX encounters_by_customer ON encounters (customer_id, stage, "
     "id);"
     "CREATE INDEX encounters_by_stage ON encounters (stage, id);"
     "CREATE TABLE moments ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  occurred_at INTEGER NOT NULL,"
     "  actor TEXT NOT NULL,"
     "  channel TEXT,"
     "  kind TEXT NOT NULL,"
     "  summary TEXT NOT NULL,"
     "  impression TEXT CHECK (impression IN "
     "('positive','neutral','negative')),"
     "  detail TEXT);"
     "CREATE INDEX moments_by_customer ON moments (customer_id, id);"
     "CREATE INDEX moments_by_encounter ON moments (encounter_id, id);"
     "CREATE TRIGGER moments_are_append_only_u BEFORE UPDATE ON moments"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are append-only'); END;"
     "CREATE TRIGGER moments_are_append_only_d BEFORE DELETE ON moments"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are append-only'); END;"},
    {2,
     "the encounter cycle, kinds, exchanges, defects, promises, "
     "relationship levels, tasks and satisfaction checks",
     "ALTER TABLE customers ADD COLUMN relationship_level TEXT NOT NULL"
     "  DEFAULT 'transactional' CHECK (relationship_level IN"
     "  ('transactional','incremental','formative','partnership'));"
     "ALTER TABLE customers ADD COLUMN relationship_reasons TEXT NOT NULL"
     "  DEFAULT '[]';"
     "ALTER TABLE encounters ADD COLUMN topic TEXT;"
     "ALTER TABLE encounters ADD COLUMN queue_id INTEGER;"
     "ALTER TABLE encounters ADD COLUMN agent_id INTEGER;"
     "ALTER TABLE encounters ADD COLUMN acknowledged_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN first_response_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN understood_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN helped_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN kept_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN closed_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN abandoned_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN abandon_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN request TEXT;"
     "ALTER TABLE encounters ADD COLUMN goal TEXT;"
     "ALTER TABLE encounters ADD COLUMN facts TEXT;"
     "ALTER TABLE encounters ADD COLUMN feelings TEXT;"
     "ALTER TABLE encounters ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';"
     "ALTER TABLE encounters ADD COLUMN restatement TEXT;"
     "ALTER TABLE encounters ADD COLUMN options TEXT NOT NULL DEFAULT '[]';"
     "ALTER TABLE encounters ADD COLUMN preferences_captured TEXT NOT NULL"
     "  DEFAULT '[]';"
     "ALTER TABLE encounters ADD COLUMN information_requested INTEGER NOT NULL"
     "  DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN agreement TEXT;"
     "ALTER TABLE encounters ADD COLUMN no_agreement_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN outcome_done TEXT;"
     "ALTER TABLE encounters ADD COLUMN outcome_watch TEXT;"
     "ALTER TABLE encounters ADD COLUMN satisfaction_skip_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN thanked INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN bridged TEXT;"
     "ALTER TABLE encounters ADD COLUMN first_contact_resolved INTEGER;"
     "ALTER TABLE encounters ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN apology_owed INTEGER NOT NULL DEFAULT "
     "0;"
     "ALTER TABLE encounters ADD COLUMN apology_given INTEGER NOT NULL DEFAULT "
     "0;"
     "ALTER TABLE encounters ADD COLUMN senior_level INTEGER NOT NULL DEFAULT "
     "0;"
     "ALTER TABLE encounters ADD COLUMN contract INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN kind TEXT CHECK (kind IN"
     "  ('what','how','become'));"
     "ALTER TABLE encounters ADD COLUMN kind_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN kind_source TEXT CHECK (kind_source IN"
     "  ('inferred','agent'));"
     "ALTER TABLE encounters ADD COLUMN exchange TEXT CHECK (exchange IN"
     "  ('quick','supplemental','resolution','formal'));"
     "ALTER TABLE encounters ADD COLUMN exchange_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN exchange_source TEXT CHECK"
     "  (exchange_source IN ('inferred','agent'));"
     "CREATE INDEX encounters_by_closed ON encounters (closed_at);"
     "CREATE INDEX encounters_by_created ON encounters (created_at);"
     "CREATE TABLE encounter_transfers ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  from_queue_id INTEGER, to_queue_id INTEGER,"
     "  from_agent_id INTEGER, to_agent_id INTEGER,"
     "  reason TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX transfers_by_customer ON encounter_transfers"
     "  (customer_id, encounter_id);"
     "CREATE TABLE defects ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  kind TEXT NOT NULL CHECK (kind IN "
     "('wrong_item','late','missed_promise',"
     "    'not_resolved','long_wait','disconnected','rude','other')),"
     "  cause TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX defects_by_customer ON defects (customer_id, encounter_id);"
     "CREATE INDEX defects_by_created ON defects (created_at);"
     "CREATE TABLE special_requests ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  description TEXT NOT NULL,"
     "  outcome TEXT NOT NULL CHECK (outcome IN ('granted','declined')),"
     "  decline_reason TEXT,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX special_requests_by_customer ON special_requests"
     "  (customer_id, encounter_id);"
     "CREATE TABLE promises ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  what TEXT NOT NULL,"
     "  due_at INTEGER NOT NULL,"
     "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN"
     "    ('open','kept','broken')),"
     "  settled_at INTEGER,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX promises_by_customer ON promises (customer_id, status, "
     "due_at);"
     "CREATE INDEX promises_by_due ON promises (status, due_at);"
     "CREATE TABLE relationship_levels ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  level TEXT NOT NULL,"
     "  previous_level TEXT,"
     "  reasons TEXT NOT NULL DEFAULT '[]',"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX relationship_levels_by_customer ON relationship_levels"
     "  (customer_id, id);"
     "CREATE TABLE tasks ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  kind TEXT NOT NULL CHECK (kind IN ('follow_up','reminder',"
     "    'renewal_notice','satisfaction_check','keep_in_touch')),"
     "  purpose TEXT NOT NULL DEFAULT 'service' CHECK (purpose IN"
     "    ('service','reminders','offers')),"
     "  channel TEXT,"
     "  subject TEXT NOT NULL,"
     "  payload TEXT NOT NULL DEFAULT '{}',"
     "  due_at INTEGER NOT NULL,"
     "  status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled',"
     "    'claimed','sent','done','failed','cancelled','held')),"
     "  idempotency_key TEXT NOT NULL UNIQUE,"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  next_attempt_at INTEGER,"
     "  last_error TEXT,"
     "  claimed_by TEXT,"
     "  claimed_at INTEGER,"
     "  sent_at INTEGER,"
     "  done_at INTEGER,"
     "  created_by TEXT,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX tasks_by_customer ON tasks (customer_id, status, due_at);"
     "CREATE INDEX tasks_by_due ON tasks (status, due_at);"
     "CREATE INDEX tasks_by_encounter ON tasks (encounter_id);"
     "CREATE TABLE satisfaction_checks ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  task_id INTEGER REFERENCES tasks(id),"
     "  token_hash TEXT UNIQUE,"
     "  expires_at INTEGER,"
     "  score INTEGER CHECK (score BETWEEN 1 AND 5),"
     "  words TEXT NOT NULL DEFAULT '[]',"
     "  comment TEXT,"
     "  answered_at INTEGER,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX satisfaction_by_customer ON satisfaction_checks"
     "  (customer_id, encounter_id);"
     "CREATE INDEX satisfaction_by_answered ON satisfaction_checks"
     "  (answered_at);"
     "CREATE TABLE preferences ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  key TEXT NOT NULL,"
     "  value TEXT NOT NULL,"
     "  firmness TEXT NOT NULL CHECK (firmness IN ('firm','flexible')),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  UNIQUE (customer_id, key));"
     "CREATE TABLE goals ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  title TEXT NOT NULL,"
     "  tags TEXT NOT NULL DEFAULT '[]',"
     "  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN"
     "    ('active','achieved','dropped')),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX goals_by_customer ON goals (customer_id, status);"},
    /* (there is no version 3: the number was never used) */
    /* ---- migration 4: staff (agents, queues) and the knowledge base ---- */
    {4,
     "agents, sessions, API tokens, login throttling, queues and the "
     "knowledge base (FTS5)",
     "CREATE TABLE agents ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
     "  role TEXT NOT NULL CHECK (role IN ('agent','lead','admin')),"
     "  skills TEXT NOT NULL DEFAULT '[]',"
     "  active INTEGER NOT NULL DEFAULT 1,"
     "  available INTEGER NOT NULL DEFAULT 1,"
     "  password_hash TEXT,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE TABLE agent_sessions ("
     "  id INTEGER PRIMARY KEY,"
     "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
     "  token_hash TEXT NOT NULL UNIQUE,"
     "  created_at INTEGER NOT NULL,"
     "  last_seen_at INTEGER NOT NULL);"
     "CREATE INDEX agent_sessions_by_agent ON agent_sessions (agent_id);"
     "CREATE TABLE api_tokens ("
     "  id INTEGER PRIMARY KEY,"
     "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
     "  name TEXT NOT NULL,"
     "  token_hash TEXT NOT NULL UNIQUE,"
     "  created_at INTEGER NOT NULL,"
     "  last_used_at INTEGER,"
     "  revoked_at INTEGER);"
     "CREATE INDEX api_tokens_by_agent ON api_tokens (agent_id, id);"
     "CREATE TABLE login_failures ("
     "  id INTEGER PRIMARY KEY,"
     "  key TEXT NOT NULL,"
     "  failed_at INTEGER NOT NULL);"
     "CREATE INDEX login_failures_by_key ON login_failures (key, failed_at);"
     "CREATE TABLE queues ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  skills TEXT NOT NULL DEFAULT '[]',"
     "  topics TEXT NOT NULL DEFAULT '[]',"
     "  channels TEXT NOT NULL DEFAULT '[]',"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX encounters_by_agent_stage ON encounters (agent_id, stage);"
     "CREATE TABLE kb_articles ("
     "  id INTEGER PRIMARY KEY,"
     "  title TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  tags TEXT NOT NULL DEFAULT '[]',"
     "  helped INTEGER NOT NULL DEFAULT 0,"
     "  not_helped INTEGER NOT NULL DEFAULT 0,"
     "  created_by INTEGER,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, tags,"
     "  content='kb_articles', content_rowid='id',"
     "  tokenize='porter unicode61');"
     "CREATE TRIGGER kb_articles_ai AFTER INSERT ON kb_articles BEGIN"
     "  INSERT INTO kb_fts (rowid, title, body, tags)"
     "  VALUES (new.id, new.title, new.body, new.tags); END;"
     "CREATE TRIGGER kb_articles_ad AFTER DELETE ON kb_articles BEGIN"
     "  INSERT INTO kb_fts (kb_fts, rowid, title, body, tags)"
     "  VALUES ('delete', old.id, old.title, old.body, old.tags); END;"
     "CREATE TRIGGER kb_articles_au AFTER UPDATE OF title, body, tags"
     "  ON kb_articles BEGIN"
     "  INSERT INTO kb_fts (kb_fts, rowid, title, body, tags)"
     "  VALUES ('delete', old.id, old.title, old.body, old.tags);"
     "  INSERT INTO kb_fts (rowid, title, body, tags)"
     "  VALUES (new.id, new.title, new.body, new.tags); END;"
     "CREATE TABLE kb_feedback ("
     "  id INTEGER PRIMARY KEY,"
     "  article_id INTEGER NOT NULL REFERENCES kb_articles(id),"
     "  agent_id INTEGER REFERENCES agents(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  helped INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX kb_feedback_by_article ON kb_feedback (article_id);"},
    /* Migration 5 (measures): the service charter, one row per target, with
     * sensible defaults; and the time indexes that let the service metrics
     * of a window be read as range scans instead of full-table scans. */
    {5, "measures: the service charter and the time indexes of the metrics",
     "CREATE TABLE charter ("
     "  key TEXT PRIMARY KEY CHECK (key IN ('acknowledge_minutes',"
     "    'first_response_minutes','resolution_hours','follow_up_on_time')),"
     "  value INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  updated_by TEXT NOT NULL DEFAULT 'system');"
     "INSERT INTO charter (key, value, updated_at) VALUES"
     "  ('acknowledge_minutes', 5, strftime('%s','now')),"
     "  ('first_response_minutes', 15, strftime('%s','now')),"
     "  ('resolution_hours', 24, strftime('%s','now')),"
     "  ('follow_up_on_time', 1, strftime('%s','now'));"
     "CREATE INDEX moments_by_occurred ON moments"
     "  (occurred_at, customer_id, impression, encounter_id);"
     "CREATE INDEX encounters_by_queue ON encounters (queue_id, created_at);"
     "CREATE INDEX encounters_by_agent ON encounters (agent_id, created_at);"
     "CREATE INDEX relationship_levels_by_created ON relationship_levels"
     "  (created_at);"
     "CREATE INDEX special_requests_by_created ON special_requests"
     "  (created_at);"
     "CREATE INDEX promises_by_due_only ON promises (due_at);"
     "CREATE INDEX tasks_by_kind_due ON tasks (kind, due_at);"
     "CREATE INDEX customers_by_level ON customers (relationship_level);"},
    {6,
     "important dates, consents, products, "
     "offers, loyalty tiers and spend",
     "CREATE TABLE important_dates ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  kind TEXT NOT NULL CHECK (kind IN"
     "    ('appointment','renewal','expiry','other')),"
     "  title TEXT NOT NULL,"
     "  at INTEGER NOT NULL,"
     "  location TEXT,"
     "  with_whom TEXT,"
     "  bring TEXT,"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX important_dates_by_customer ON important_dates"
     "  (customer_id, at);"
     "CREATE INDEX important_dates_by_at ON important_dates (kind, at);"
     "CREATE TABLE consents ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  purpose TEXT NOT NULL CHECK (purpose IN"
     "    ('service','reminders','offers')),"
     "  granted INTEGER NOT NULL,"
     "  decided_at INTEGER NOT NULL,"
     "  source TEXT,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  UNIQUE (customer_id, purpose));"
     "CREATE TABLE products ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  category TEXT NOT NULL,"
     "  attributes TEXT NOT NULL DEFAULT '{}',"
     "  stock INTEGER NOT NULL DEFAULT 0,"
     "  tags TEXT NOT NULL DEFAULT '[]',"
     "  related TEXT NOT NULL DEFAULT '[]',"
     "  price REAL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX products_by_category ON products (category, id);"
     "CREATE TABLE offers ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  product_id INTEGER NOT NULL REFERENCES products(id),"
     "  status TEXT NOT NULL CHECK (status IN"
     "    ('shown','accepted','declined')),"
     "  reason TEXT,"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  created_at INTEGER NOT NULL,"
     "  decided_at INTEGER);"
     "CREATE INDEX offers_by_customer ON offers (customer_id, product_id, id);"
     "CREATE TABLE loyalty_tiers ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  rank INTEGER NOT NULL UNIQUE,"
     "  min_visits INTEGER,"
     "  min_tenure_days INTEGER,"
     "  min_spend REAL,"
     "  discount_percent REAL NOT NULL DEFAULT 0);"
     "INSERT INTO loyalty_tiers (name, rank, min_visits, min_tenure_days,"
     "  min_spend, discount_percent) VALUES"
     "  ('bronze', 0, NULL, NULL, NULL, 0),"
     "  ('silver', 1, 3, NULL, NULL, 5),"
     "  ('gold', 2, 10, 365, NULL, 10);"
     "ALTER TABLE encounters ADD COLUMN spend REAL;"
     "CREATE INDEX tasks_by_claim ON tasks (status, claimed_at);"},
    {7, "the loyalty tier and discount on an encounter's outcome",
     "ALTER TABLE encounters ADD COLUMN loyalty_tier TEXT;"
     "ALTER TABLE encounters ADD COLUMN loyalty_discount_percent REAL;"},
    /* ---- migration 8: conversations ------------------------------------
     * The messages of an encounter (inbound, outbound, notes) with the
     * outbox state of replies; identities (a customer's normalised email
     * addresses and phone numbers, unique, moved here from the JSON lists,
     * which stay as the customer wrote them); attachments deduplicated by
     * SHA-256; mail that was refused or could not be read, kept; the desk's
     * conversation settings; a queue's address; the link from an encounter
     * to the one it follows.  Identities already shared by two customers
     * stay with the customer added first (INSERT OR IGNORE). */
    {8,
     "conversations: messages, identities, attachments, kept mail, desk "
     "settings",
     "ALTER TABLE customers ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN previous_encounter_id INTEGER"
     "  REFERENCES encounters(id);"
     "ALTER TABLE queues ADD COLUMN email_address TEXT;"
     "ALTER TABLE queues ADD COLUMN acknowledge_new INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE identities ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  kind TEXT NOT NULL CHECK (kind IN ('email','phone')),"
     "  value TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  UNIQUE (kind, value));"
     "CREATE INDEX identities_by_customer ON identities (customer_id, kind);"
     "INSERT OR IGNORE INTO identities (customer_id, kind, value, created_at)"
     "  SELECT c.id, 'email', lower(trim(j.value)), c.created_at"
     "  FROM customers c, json_each(c.emails) j ORDER BY c.id;"
     "INSERT OR IGNORE INTO identities (customer_id, kind, value, created_at)"
     "  SELECT id, 'phone', CASE WHEN d LIKE '00%' THEN '+' || substr(d, 3)"
     "    ELSE d END, created_at FROM (SELECT c.id, c.created_at,"
     "    replace(replace(replace(replace(replace(replace(trim(j.value),"
     "    ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '') AS d"
     "    FROM customers c, json_each(c.phones) j ORDER BY c.id);"
     "CREATE TABLE messages ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  direction TEXT NOT NULL CHECK (direction IN"
     "    ('inbound','outbound','note')),"
     "  author TEXT NOT NULL CHECK (author IN ('customer','agent','system')),"
     "  agent_id INTEGER REFERENCES agents(id),"
     "  identity_id INTEGER,"
     "  channel TEXT NOT NULL CHECK (channel IN"
     "    ('email','web','phone','in_person')),"
     "  subject TEXT,"
     "  body TEXT NOT NULL,"
     "  quoted TEXT,"
     "  from_address TEXT,"
     "  to_address TEXT,"
     "  message_id TEXT,"
     "  in_reply_to TEXT,"
     "  refs TEXT NOT NULL DEFAULT '[]',"
     "  status TEXT CHECK (status IN"
     "    ('draft','queued','sending','sent','failed')),"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  next_attempt_at INTEGER,"
     "  last_error TEXT,"
     "  claimed_by TEXT,"
     "  claimed_at INTEGER,"
     "  sent_at INTEGER,"
     "  occurred_at INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX messages_by_encounter ON messages (encounter_id, id);"
     "CREATE INDEX messages_by_customer ON messages (customer_id, id);"
     "CREATE UNIQUE INDEX messages_by_message_id ON messages (message_id)"
     "  WHERE message_id IS NOT NULL;"
     "CREATE INDEX messages_by_identity ON messages (identity_id, created_at)"
     "  WHERE identity_id IS NOT NULL;"
     "CREATE INDEX messages_outbox ON messages (status, next_attempt_at)"
     "  WHERE status IN ('queued','sending');"
     "CREATE TABLE attachment_blobs ("
     "  id INTEGER PRIMARY KEY,"
     "  sha256 TEXT NOT NULL UNIQUE,"
     "  size INTEGER NOT NULL,"
     "  data TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE TABLE attachments ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  message_id INTEGER NOT NULL REFERENCES messages(id),"
     "  blob_id INTEGER NOT NULL REFERENCES attachment_blobs(id),"
     "  filename TEXT NOT NULL,"
     "  content_type TEXT NOT NULL,"
     "  content_id TEXT,"
     "  is_inline INTEGER NOT NULL DEFAULT 0,"
     "  size INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX attachments_by_encounter ON attachments"
     "  (encounter_id, message_id);"
     "CREATE INDEX attachments_by_message ON attachments (message_id);"
     "CREATE TABLE kept_mail ("
     "  id INTEGER PRIMARY KEY,"
     "  kind TEXT NOT NULL CHECK (kind IN ('unreadable','refused')),"
     "  reason TEXT NOT NULL,"
     "  from_address TEXT,"
     "  message_id TEXT,"
     "  subject TEXT,"
     "  raw TEXT,"
     "  size INTEGER NOT NULL DEFAULT 0,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX kept_mail_by_created ON kept_mail (created_at);"
     "CREATE TABLE desk_settings ("
     "  key TEXT PRIMARY KEY CHECK (key IN ('desk_name','phone_country_code',"
     "    'reopen_days','flood_messages','flood_minutes',"
     "    'attachment_max_bytes','outbox_max_attempts',"
     "    'outbox_backoff_seconds')),"
     "  value TEXT NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  updated_by TEXT NOT NULL DEFAULT 'system');"
     "INSERT INTO desk_settings (key, value, updated_at) VALUES"
     "  ('desk_name', 'Support', strftime('%s','now')),"
     "  ('phone_country_code', '', strftime('%s','now')),"
     "  ('reopen_days', '14', strftime('%s','now')),"
     "  ('flood_messages', '20', strftime('%s','now')),"
     "  ('flood_minutes', '10', strftime('%s','now')),"
     "  ('attachment_max_bytes', '10485760', strftime('%s','now')),"
     "  ('outbox_max_attempts', '5', strftime('%s','now')),"
     "  ('outbox_backoff_seconds', '60', strftime('%s','now'));"},
    {10, "API tokens may expire",
     "ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;"},
    {12, "when the sending of a task began, to tell an unknown outcome",
     "ALTER TABLE tasks ADD COLUMN sending_at INTEGER;"},
    /* ---- migration 13: email in (IMAP mailboxes, mail-only tokens) ---- */
    {13,
     "email in: the IMAP mailboxes polled per queue, the UIDs taken from "
     "them under their UIDVALIDITY, and tokens that may only deliver mail",
     "CREATE TABLE mail_mailboxes ("
     "  id INTEGER PRIMARY KEY,"
     "  queue TEXT,"
     "  url TEXT NOT NULL,"
     "  username TEXT NOT NULL,"
     "  password TEXT NOT NULL,"
     "  folder TEXT NOT NULL DEFAULT 'INBOX',"
     "  created_at INTEGER NOT NULL,"
     "  UNIQUE (url, username, folder));"
     "CREATE TABLE mail_imap_uids ("
     "  mailbox_id INTEGER NOT NULL REFERENCES mail_mailboxes(id)"
     "    ON DELETE CASCADE,"
     "  uidvalidity INTEGER NOT NULL,"
     "  uid INTEGER NOT NULL,"
     "  state TEXT NOT NULL CHECK (state IN ('claimed', 'done')),"
     "  claimed_at INTEGER NOT NULL,"
     "  PRIMARY KEY (mailbox_id, uidvalidity, uid)) WITHOUT ROWID;"
     "CREATE INDEX mail_imap_uids_claimed ON mail_imap_uids"
     "  (mailbox_id, uidvalidity, uid) WHERE state = 'claimed';"
     "ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'all'"
     "  CHECK (scope IN ('all', 'mail'));"},
    /* Migration 15: the customer's help pages.  A link is kept only as the
     * SHA-256 of its token; a link to be mailed waits with a placeholder
     * hash until the scheduler makes its token and sends it.  Requests
     * are counted per client address, network and email address, in the
     * database, so several servers share one limit. */
    {15, "the customer's help pages: status links and abuse limits",
     "CREATE TABLE help_links ("
     "  id INTEGER PRIMARY KEY,"
     "  token_hash TEXT NOT NULL UNIQUE,"
     "  purpose TEXT NOT NULL CHECK (purpose IN ('page','mail')),"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  email TEXT NOT NULL,"
     "  thread_id TEXT NOT NULL,"
     "  subject TEXT,"
     "  created_at INTEGER NOT NULL,"
     "  expires_at INTEGER NOT NULL,"
     "  mail_state TEXT CHECK (mail_state IN ('pending','sending','sent',"
     "    'failed')),"
     "  mail_attempts INTEGER NOT NULL DEFAULT 0,"
     "  mail_next_at INTEGER,"
     "  mail_claimed_at INTEGER,"
     "  mail_error TEXT);"
     "CREATE INDEX help_links_by_encounter ON help_links (encounter_id);"
     "CREATE INDEX help_links_to_mail ON help_links (mail_state, mail_next_at);"
     "CREATE TABLE help_hits ("
     "  id INTEGER PRIMARY KEY,"
     "  key TEXT NOT NULL,"
     "  at INTEGER NOT NULL);"
     "CREATE INDEX help_hits_by_key ON help_hits (key, at);"
     "CREATE INDEX help_hits_by_time ON help_hits (at);"},
    /* Migration 16: first-contact resolution is earned, not assumed.  Old
     * closes set it true whenever there was no transfer; those with
     * nothing agreed and nothing done, or with a second message from the
     * customer, were not resolved at first contact. */
    {16, "first-contact resolution judged on evidence, with its reason",
     "ALTER TABLE encounters ADD COLUMN first_contact_reason TEXT;"
     "UPDATE encounters SET first_contact_resolved = 0,"
     "  first_contact_reason = 'Not resolved at first contact: nothing was'"
     "  || ' agreed and nothing done'"
     "  WHERE closed_at IS NOT NULL AND first_contact_resolved = 1"
     "  AND trim(coalesce(agreement, '')) = ''"
     "  AND trim(coalesce(outcome_done, '')) = '';"
     "UPDATE encounters SET first_contact_resolved = 0,"
     "  first_contact_reason = 'Not resolved at first contact: the customer'"
     "  || ' contacted us more than once'"
     "  WHERE closed_at IS NOT NULL AND first_contact_resolved = 1"
     "  AND (SELECT count(*) FROM messages m WHERE m.encounter_id ="
     "  encounters.id AND m.direction = 'inbound') > 1;"},
    /* Migration 20: event webhooks.  An event is written in the
     * transaction of the change it tells, with one delivery per
     * subscription that wants it; a delivery keeps its id on every retry,
     * and its claim (who, when) lets another sender take over after a
     * crash. */
    {20, "event webhooks: subscriptions, events and their deliveries",
     "CREATE TABLE webhooks ("
     "  id INTEGER PRIMARY KEY,"
     "  url TEXT NOT NULL,"
     "  description TEXT,"
     "  events TEXT NOT NULL,"
     "  secret TEXT NOT NULL,"
     "  active INTEGER NOT NULL DEFAULT 1,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  last_status TEXT,"
     "  last_response_code INTEGER,"
     "  last_error TEXT,"
     "  last_attempt_at INTEGER);"
     "CREATE TABLE events ("
     "  id INTEGER PRIMARY KEY,"
     "  kind TEXT NOT NULL,"
     "  customer_id INTEGER,"
     "  encounter_id INTEGER,"
     "  actor TEXT,"
     "  data TEXT NOT NULL DEFAULT '{}',"
     "  occurred_at INTEGER NOT NULL);"
     "CREATE INDEX events_customer ON events (customer_id, id);"
     "CREATE INDEX events_time ON events (occurred_at);"
     "CREATE TABLE webhook_deliveries ("
     "  id INTEGER PRIMARY KEY,"
     "  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,"
     "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
     "  delivery_id TEXT NOT NULL UNIQUE,"
     "  status TEXT NOT NULL DEFAULT 'queued'"
     "    CHECK (status IN ('queued', 'sending', 'delivered', 'failed')),"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  next_attempt_at INTEGER NOT NULL,"
     "  claimed_by TEXT,"
     "  claimed_at INTEGER,"
     "  response_code INTEGER,"
     "  last_error TEXT,"
     "  delivered_at INTEGER,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX webhook_deliveries_due ON webhook_deliveries"
     "  (status, next_attempt_at);"
     "CREATE INDEX webhook_deliveries_of ON webhook_deliveries"
     "  (webhook_id, id);"
     "CREATE INDEX webhook_deliveries_event ON webhook_deliveries"
     "  (event_id);"},
    /* Migration 25: the id a customer has in the system they came from (a
     * spreadsheet, another help desk), so that importing the same file
     * twice finds them again instead of making them twice. */
    {25, "customers keep the id they had in the system they came from",
     "ALTER TABLE customers ADD COLUMN external_id TEXT;"
     "CREATE UNIQUE INDEX customers_by_external_id ON customers (external_id)"
     "  WHERE external_id IS NOT NULL;"},
    /* ---- migrations 30-34: erasure, the sealed ledger, retention -------
     * Migration 30.  Each moment gets a hash of its personal content
     * (keyed per customer, so an erased customer's old hashes can no
     * longer be tested against a guess) and a hash chained over the one
     * before it; rows already there are sealed in order by the core at
     * first start, since the hashes are computed in C.  The update trigger
     * now lets exactly two changes through: sealing a row that has no
     * hashes yet, and erasure, which blanks the content only and keeps
     * both hashes, so the chain still verifies.  Erased customers keep
     * their row (the counts of the past need it) with their data blanked.
     * The desk's privacy settings (the approval an erasure needs, the
     * retention rules, the salt of the marketing suppression list), the
     * suppression list (salted hashes of addresses, never the addresses)
     * and the requests for erasure waiting for a second person. */
    {30,
     "erasure, the hash-chained moments ledger, retention rules and the "
     "marketing suppression list",
     "ALTER TABLE moments ADD COLUMN content_hash TEXT;"
     "ALTER TABLE moments ADD COLUMN chain_hash TEXT;"
     "ALTER TABLE moments ADD COLUMN erased_at INTEGER;"
     "ALTER TABLE customers ADD COLUMN ledger_key TEXT;"
     "ALTER TABLE customers ADD COLUMN erased_at INTEGER;"
     "UPDATE customers SET ledger_key = lower(hex(randomblob(32)));"
     "CREATE TRIGGER customers_ledger_key AFTER INSERT ON customers"
     "  WHEN new.ledger_key IS NULL BEGIN"
     "  UPDATE customers SET ledger_key = lower(hex(randomblob(32)))"
     "  WHERE id = new.id; END;"
     "ALTER TABLE messages ADD COLUMN erased_at INTEGER;"
     "ALTER TABLE encounters ADD COLUMN bodies_dropped_at INTEGER;"
     "DROP TRIGGER moments_are_append_only_u;"
     "CREATE TRIGGER moments_are_append_only_u BEFORE UPDATE ON moments"
     "  WHEN NOT (new.id = old.id AND new.customer_id = old.customer_id"
     "  AND new.encounter_id IS old.encounter_id"
     "  AND new.occurred_at = old.occurred_at AND new.actor = old.actor"
     "  AND new.channel IS old.channel AND new.kind = old.kind"
     "  AND new.impression IS old.impression AND ("
     "   (old.chain_hash IS NULL AND old.content_hash IS NULL"
     "    AND new.chain_hash IS NOT NULL AND new.content_hash IS NOT NULL"
     "    AND new.summary = old.summary AND new.detail IS old.detail"
     "    AND new.erased_at IS old.erased_at)"
     "   OR (old.erased_at IS NULL AND new.erased_at IS NOT NULL"
     "    AND old.chain_hash IS NOT NULL"
     "    AND new.chain_hash = old.chain_hash"
     "    AND new.content_hash = old.content_hash"
     "    AND new.summary = 'The details of this moment were erased.'"
     "    AND new.detail IS NULL)))"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are append-only'); END;"
     "CREATE TRIGGER moments_are_sealed BEFORE INSERT ON moments"
     "  WHEN new.chain_hash IS NULL OR new.content_hash IS NULL"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are appended with their"
     " hashes'); END;"
     "CREATE INDEX moments_unsealed ON moments (id) WHERE chain_hash IS NULL;"
     "CREATE INDEX customers_live ON customers (id) WHERE erased_at IS NULL;"
     "CREATE INDEX attachments_by_blob ON attachments (blob_id);"
     "CREATE INDEX attachments_by_created ON attachments (created_at);"
     "CREATE INDEX encounters_bodies_kept ON encounters"
     "  (coalesce(closed_at, abandoned_at)) WHERE bodies_dropped_at IS NULL;"
     "CREATE TABLE privacy_settings ("
     "  key TEXT PRIMARY KEY CHECK (key IN ('erasure_approval',"
     "    'retention_inactive_years','retention_attachment_months',"
     "    'retention_body_months','retention_batch','retention_next_at',"
     "    'email_salt')),"
     "  value TEXT NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  updated_by TEXT NOT NULL DEFAULT 'system');"
     "INSERT INTO privacy_settings (key, value, updated_at) VALUES"
     "  ('erasure_approval', 'admin', strftime('%s','now')),"
     "  ('retention_inactive_years', '0', strftime('%s','now')),"
     "  ('retention_attachment_months', '0', strftime('%s','now')),"
     "  ('retention_body_months', '0', strftime('%s','now')),"
     "  ('retention_batch', '50', strftime('%s','now')),"
     "  ('retention_next_at', '0', strftime('%s','now')),"
     "  ('email_salt', lower(hex(randomblob(32))), strftime('%s','now'));"
     "CREATE TABLE marketing_suppressions ("
     "  email_hash TEXT PRIMARY KEY,"
     "  created_at INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE TABLE erasure_requests ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  requested_by TEXT NOT NULL,"
     "  suppress_marketing INTEGER NOT NULL DEFAULT 0,"
     "  agent_id INTEGER REFERENCES agents(id),"
     "  approved_by INTEGER REFERENCES agents(id),"
     "  state TEXT NOT NULL CHECK (state IN ('pending','done')),"
     "  created_at INTEGER NOT NULL,"
     "  done_at INTEGER);"
     "CREATE INDEX erasure_requests_by_customer ON erasure_requests"
     "  (customer_id, state);"},
    /* Migration 35: the audit log of what agents and tokens did and read.
     * It names people by id only (agents, customers) and never holds what
     * was typed, so it keeps no personal data of its own and need never be
     * rewritten; like the moments ledger, it refuses both. */
    {35, "the audit log of agents' and tokens' actions and reads",
     "CREATE TABLE audit_log ("
     "  id INTEGER PRIMARY KEY,"
     "  at INTEGER NOT NULL,"
     "  action TEXT NOT NULL CHECK (action IN ('read','change','refused',"
     "    'login','login_failed','logout','export','erasure')),"
     "  agent_id INTEGER,"
     "  token_id INTEGER,"
     "  via TEXT NOT NULL CHECK (via IN ('session','token','cli','customer',"
     "    'system')),"
     "  address TEXT,"
     "  method TEXT,"
     "  route TEXT,"
     "  subject TEXT,"
     "  subject_id INTEGER,"
     "  customer_id INTEGER,"
     "  status INTEGER,"
     "  code TEXT,"
     "  field TEXT);"
     "CREATE INDEX audit_by_customer ON audit_log (customer_id, id);"
     "CREATE INDEX audit_by_agent ON audit_log (agent_id, id);"
     "CREATE INDEX audit_by_time ON audit_log (at);"
     "CREATE TRIGGER audit_log_is_append_only_u BEFORE UPDATE ON audit_log"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
     "CREATE TRIGGER audit_log_is_append_only_d BEFORE DELETE ON audit_log"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"},
    /* Migration 36: a customer's requests for a copy of their data, from
     * their help page, and an agent's decision. */
    {36, "the customer's requests for an export of their data",
     "CREATE TABLE export_requests ("
     "  id INTEGER PRIMARY KEY,"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  encounter_id INTEGER REFERENCES encounters(id),"
     "  status TEXT NOT NULL CHECK (status IN ('pending','approved',"
     "    'declined')),"
     "  requested_at INTEGER NOT NULL,"
     "  decided_at INTEGER,"
     "  decided_by INTEGER,"
     "  expires_at INTEGER);"
     "CREATE INDEX export_requests_by_customer ON export_requests"
     "  (customer_id, id);"
     "CREATE INDEX export_requests_by_status ON export_requests (status, id);"},
    /* Migration 40: what help-desk clients (the Zendesk-compatible API)
     * track on a ticket besides the cycle: a priority, tags, and whom an
     * open encounter waits on (Zendesk's pending and on-hold). */
    {40, "priority, tags and waiting on an encounter",
     "ALTER TABLE encounters ADD COLUMN priority TEXT CHECK (priority IN"
     "  ('low','normal','high','urgent'));"
     "ALTER TABLE encounters ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';"
     "ALTER TABLE encounters ADD COLUMN waiting_on TEXT CHECK (waiting_on IN"
     "  ('customer','third_party'));"},
    {45, "health: failed outgoing messages counted from an index",
     "CREATE INDEX messages_failed ON messages (status)"
     "  WHERE status = 'failed';"},
    /* Migration 50: least privilege.  A queue is open to every agent or
     * restricted to its members; a customer belongs to the queues their
     * encounters were routed to (found through encounters_by_customer_queue,
     * never a scan).  A token may be read-only, and limited to some
     * resources (a JSON array of names; NULL: all) and to some queues (a
     * JSON array of ids; NULL: all). */
    {50,
     "least privilege: restricted queues and their members, tokens "
     "limited to reading, to resources and to queues",
     "ALTER TABLE queues ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE queue_members ("
     "  queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,"
     "  agent_id INTEGER NOT NULL REFERENCES agents(id),"
     "  PRIMARY KEY (queue_id, agent_id)) WITHOUT ROWID;"
     "CREATE INDEX queue_members_by_agent ON queue_members (agent_id, "
     "queue_id);"
     "CREATE INDEX encounters_by_customer_queue ON encounters"
     "  (customer_id, queue_id);"
     "ALTER TABLE api_tokens ADD COLUMN read_only INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE api_tokens ADD COLUMN resources TEXT;"
     "ALTER TABLE api_tokens ADD COLUMN queues TEXT;"},
    /* Migration 55: the charter's breaches as facts.  charter_watch holds
     * the encounters whose targets are not all judged yet and when the
     * sweep (measures/sweep.c) should look at each again, so the sweep
     * reads an index range of what is due, never the encounters; the
     * triggers keep it without any code path having to remember: every
     * new encounter is watched, and one reopened is watched again.  Open
     * encounters of an older database are watched from the upgrade on;
     * those already ended are history and are not sent.
     * charter_breaches records each breach once (the UNIQUE pair is what
     * makes two sweeps that overlap send it once), with the target it was
     * judged against, when it was due and when it happened. */
    {55, "charter breaches recorded once each, and the encounters watched",
     "CREATE TABLE charter_watch ("
     "  encounter_id INTEGER PRIMARY KEY REFERENCES encounters(id),"
     "  next_at INTEGER NOT NULL);"
     "CREATE INDEX charter_watch_due ON charter_watch (next_at);"
     "CREATE TABLE charter_breaches ("
     "  id INTEGER PRIMARY KEY,"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  customer_id INTEGER NOT NULL REFERENCES customers(id),"
     "  target TEXT NOT NULL CHECK (target IN"
     "    ('acknowledge','first_response','resolution')),"
     "  target_seconds INTEGER NOT NULL,"
     "  due_at INTEGER NOT NULL,"
     "  breached_at INTEGER NOT NULL,"
     "  judged_at INTEGER NOT NULL,"
     "  UNIQUE (encounter_id, target));"
     "CREATE INDEX charter_breaches_by_customer ON charter_breaches"
     "  (customer_id, encounter_id);"
     "CREATE INDEX charter_breaches_by_time ON charter_breaches"
     "  (breached_at);"
     "CREATE TRIGGER encounters_charter_watch AFTER INSERT ON encounters"
     "  BEGIN INSERT OR IGNORE INTO charter_watch (encounter_id, next_at)"
     "  VALUES (new.id, new.created_at); END;"
     "CREATE TRIGGER encounters_charter_rewatch"
     "  AFTER UPDATE OF closed_at, abandoned_at ON encounters"
     "  WHEN new.closed_at IS NULL AND new.abandoned_at IS NULL"
     "  AND (old.closed_at IS NOT NULL OR old.abandoned_at IS NOT NULL)"
     "  BEGIN INSERT OR IGNORE INTO charter_watch (encounter_id, next_at)"
     "  VALUES (new.id, new.created_at); END;"
     "INSERT INTO charter_watch (encounter_id, next_at)"
     "  SELECT id, created_at FROM encounters"
     "  WHERE closed_at IS NULL AND abandoned_at IS NULL;"},
    /* Migration 56: merging two customers.  The moments of the customer
     * merged away stay theirs (the sealed ledger hashes each moment's
     * customer), so that customer stays as an alias: merged_into names the
     * customer who now holds everything else, and the history of a
     * customer is theirs and their aliases'.  A possible duplicate is
     * found through match_key, an identity loosened the way people write
     * the same address or number differently (an email without its
     * "+tag", a Gmail address without dots, a phone number by its last
     * nine digits), indexed so that the lookup is never a scan. */
    {56, "merging customers, and the key that finds possible duplicates",
     "ALTER TABLE customers ADD COLUMN merged_into INTEGER"
     "  REFERENCES customers(id);"
     "CREATE INDEX customers_merged_into ON customers (merged_into)"
     "  WHERE merged_into IS NOT NULL;"
     "ALTER TABLE identities ADD COLUMN match_key TEXT GENERATED ALWAYS AS"
     "  (CASE WHEN kind = 'phone' THEN"
     "    CASE WHEN length(value) > 9 THEN substr(value, -9) ELSE value END"
     "   WHEN substr(value, instr(value, '@') + 1) IN ('gmail.com',"
     "    'googlemail.com') THEN replace(CASE WHEN instr(value, '+')"
     "    BETWEEN 1 AND instr(value, '@') THEN substr(value, 1,"
     "    instr(value, '+') - 1) ELSE substr(value, 1, instr(value, '@') - 1)"
     "    END, '.', '') || '@gmail.com'"
     "   ELSE CASE WHEN instr(value, '+') BETWEEN 1 AND instr(value, '@')"
     "    THEN substr(value, 1, instr(value, '+') - 1) ELSE substr(value, 1,"
     "    instr(value, '@') - 1) END || substr(value, instr(value, '@'))"
     "   END) VIRTUAL;"
     "CREATE INDEX identities_by_match_key ON identities (kind, match_key);"},
    /* Migration 58: the audit log's checks, written as comparisons.  A
     * CHECK (x IN (a, b, c, ...)) of more than two values is run by SQLite
     * by building a temporary B-tree of the values for every statement,
     * so every row inserted opened, filled and closed two of them: half
     * the cost of recording a read (8.7 against 4.0 µs per row, measured
     * with 100,000 inserts).  The same rules as OR of equalities cost
     * nothing measurable.  SQLite cannot change a table's checks in place,
     * so the table is copied (ids and rows unchanged) and renamed; the
     * copy takes a few seconds per million entries, once. */
    {58, "the audit log's checks cost no temporary table per entry",
     "CREATE TABLE audit_log_new ("
     "  id INTEGER PRIMARY KEY,"
     "  at INTEGER NOT NULL,"
     "  action TEXT NOT NULL CHECK (action = 'read' OR action = 'change'"
     "    OR action = 'refused' OR action = 'login'"
     "    OR action = 'login_failed' OR action = 'logout'"
     "    OR action = 'export' OR action = 'erasure'),"
     "  agent_id INTEGER,"
     "  token_id INTEGER,"
     "  via TEXT NOT NULL CHECK (via = 'session' OR via = 'token'"
     "    OR via = 'cli' OR via = 'customer' OR via = 'system'),"
     "  address TEXT,"
     "  method TEXT,"
     "  route TEXT,"
     "  subject TEXT,"
     "  subject_id INTEGER,"
     "  customer_id INTEGER,"
     "  status INTEGER,"
     "  code TEXT,"
     "  field TEXT);"
     "INSERT INTO audit_log_new (id, at, action, agent_id, token_id, via,"
     "  address, method, route, subject, subject_id, customer_id, status,"
     "  code, field)"
     "  SELECT id, at, action, agent_id, token_id, via, address, method,"
     "  route, subject, subject_id, customer_id, status, code, field"
     "  FROM audit_log ORDER BY id;"
     "DROP TABLE audit_log;"
     "ALTER TABLE audit_log_new RENAME TO audit_log;"
     "CREATE INDEX audit_by_customer ON audit_log (customer_id, id);"
     "CREATE INDEX audit_by_agent ON audit_log (agent_id, id);"
     "CREATE INDEX audit_by_time ON audit_log (at);"
     "CREATE TRIGGER audit_log_is_append_only_u BEFORE UPDATE ON audit_log"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
     "CREATE TRIGGER audit_log_is_append_only_d BEFORE DELETE ON audit_log"
     "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"},
    /* Migration 60: routing counts each agent's open encounters inside the
     * write transaction of every new encounter.  Through
     * encounters_by_agent_stage that read every encounter the agent ever
     * had (NOT IN is no range); this index holds only the open ones, so
     * the count is a range over an agent's open work and stays the same
     * size as closed history grows.  The query's WHERE repeats the
     * index's condition word for word, which is what lets SQLite use it. */
    {60, "routing counts open work from an index of open encounters",
     "CREATE INDEX encounters_open_by_agent ON encounters (agent_id, stage)"
     "  WHERE stage NOT IN ('closed','abandoned');"},
    /* Migration 65: the gauges of /metrics (the encounters waiting per
     * queue, the failed tasks per kind) read small partial indexes of just
     * those rows, instead of walking every encounter or task in the order
     * of the group. */
    {65, "the waiting encounters and the failed tasks indexed by themselves",
     "CREATE INDEX encounters_waiting ON encounters (queue_id)"
     "  WHERE stage = 'received' AND acknowledged_at IS NULL"
     "  AND abandoned_at IS NULL;"
     "CREATE INDEX tasks_failed ON tasks (kind) WHERE status = 'failed';"},
    /* Migration 66: customer search from an index.  The trigram index
     * finds any substring of three characters or more of a name, a
     * preferred name or the email addresses (as instr(lower(...)) did by
     * reading every customer), case-insensitively and keeping accents.
     * It reads its text from the customers table (external content), and
     * the triggers keep it in step in the transaction of every write. */
    {66, "customers found by any part of their names and email addresses",
     "CREATE VIRTUAL TABLE customers_fts USING fts5(name, preferred_name,"
     "  emails, content='customers', content_rowid='id',"
     "  tokenize='trigram');"
     "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN"
     "  INSERT INTO customers_fts (rowid, name, preferred_name, emails)"
     "  VALUES (new.id, new.name, new.preferred_name, new.emails); END;"
     "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN"
     "  INSERT INTO customers_fts (customers_fts, rowid, name,"
     "  preferred_name, emails) VALUES ('delete', old.id, old.name,"
     "  old.preferred_name, old.emails); END;"
     "CREATE TRIGGER customers_fts_au AFTER UPDATE OF name, preferred_name,"
     "  emails ON customers BEGIN"
     "  INSERT INTO customers_fts (customers_fts, rowid, name,"
     "  preferred_name, emails) VALUES ('delete', old.id, old.name,"
     "  old.preferred_name, old.emails);"
     "  INSERT INTO customers_fts (rowid, name, preferred_name, emails)"
     "  VALUES (new.id, new.name, new.preferred_name, new.emails); END;"
     "INSERT INTO customers_fts (customers_fts) VALUES ('rebuild');"},
    /* Migration 67: a customer merged into another is found as that other
     * only, so its names leave the search index when it is merged (and a
     * later change of a merged row's names, which nothing makes, would
     * not bring them back).  The external-content index is told of a
     * removal with the values it holds, so every trigger fires only for
     * rows the index has: those not merged. */
    {67, "customers merged into another leave the search index",
     "DROP TRIGGER customers_fts_au;"
     "DROP TRIGGER customers_fts_ad;"
     "CREATE TRIGGER customers_fts_au AFTER UPDATE OF name, preferred_name,"
     "  emails ON customers WHEN old.merged_into IS NULL"
     "  AND new.merged_into IS NULL BEGIN"
     "  INSERT INTO customers_fts (customers_fts, rowid, name,"
     "  preferred_name, emails) VALUES ('delete', old.id, old.name,"
     "  old.preferred_name, old.emails);"
     "  INSERT INTO customers_fts (rowid, name, preferred_name, emails)"
     "  VALUES (new.id, new.name, new.preferred_name, new.emails); END;"
     "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers"
     "  WHEN old.merged_into IS NULL BEGIN"
     "  INSERT INTO customers_fts (customers_fts, rowid, name,"
     "  preferred_name, emails) VALUES ('delete', old.id, old.name,"
     "  old.preferred_name, old.emails); END;"
     "CREATE TRIGGER customers_fts_merged AFTER UPDATE OF merged_into"
     "  ON customers WHEN old.merged_into IS NULL"
     "  AND new.merged_into IS NOT NULL BEGIN"
     "  INSERT INTO customers_fts (customers_fts, rowid, name,"
     "  preferred_name, emails) VALUES ('delete', old.id, old.name,"
     "  old.preferred_name, old.emails); END;"
     "INSERT INTO customers_fts (customers_fts, rowid, name, preferred_name,"
     "  emails) SELECT 'delete', id, name, preferred_name, emails"
     "  FROM customers WHERE merged_into IS NOT NULL;"},
    /* Migration 68: the customer search index is written once per
     * transaction.  A full-text table written in a transaction writes its
     * pending terms out as a new segment before each later statement of
     * that transaction, so a customer's write followed by its identities,
     * moment and event made a segment per customer (a 100,000-row import:
     * 100,000 segments, a third of its time).  The triggers now only note
     * which customers changed, with what the index holds for them, and the
     * store's commit applies the notes in one pass (store_sqlite.c). */
    {68, "the customer search index written once per transaction",
     "DROP TRIGGER customers_fts_ai;"
     "DROP TRIGGER customers_fts_au;"
     "DROP TRIGGER customers_fts_ad;"
     "DROP TRIGGER customers_fts_merged;"
     "CREATE TABLE customers_fts_pending ("
     "  id INTEGER PRIMARY KEY,"
     "  indexed INTEGER NOT NULL,"
     "  name TEXT, preferred_name TEXT, emails TEXT);"
     "CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN"
     "  INSERT OR IGNORE INTO customers_fts_pending (id, indexed)"
     "  VALUES (new.id, 0); END;"
     "CREATE TRIGGER customers_fts_au AFTER UPDATE OF name, preferred_name,"
     "  emails, merged_into ON customers BEGIN"
     "  INSERT OR IGNORE INTO customers_fts_pending (id, indexed, name,"
     "  preferred_name, emails) VALUES (old.id, old.merged_into IS NULL,"
     "  old.name, old.preferred_name, old.emails); END;"
     "CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN"
     "  INSERT OR IGNORE INTO customers_fts_pending (id, indexed, name,"
     "  preferred_name, emails) VALUES (old.id, old.merged_into IS NULL,"
     "  old.name, old.preferred_name, old.emails); END;"},
    {70,
     "what the rules say of an encounter's kind and exchange, kept beside "
     "the agent's word so an override can be counted",
     "ALTER TABLE encounters ADD COLUMN kind_inferred TEXT CHECK"
     "  (kind_inferred IN ('what','how','become'));"
     "ALTER TABLE encounters ADD COLUMN exchange_inferred TEXT CHECK"
     "  (exchange_inferred IN ('quick','supplemental','resolution','formal'));"
     "UPDATE encounters SET kind_inferred = kind WHERE kind_source ="
     "  'inferred';"
     "UPDATE encounters SET exchange_inferred = exchange WHERE"
     "  exchange_source = 'inferred';"},
    {71,
     "what caused a change of relationship level; the newest promises "
     "settled and satisfaction answered of a customer, found by index",
     "ALTER TABLE relationship_levels ADD COLUMN cause TEXT;"
     "CREATE INDEX promises_by_customer_settled ON promises"
     "  (customer_id, status, settled_at);"
     "CREATE INDEX satisfaction_by_customer_answered ON satisfaction_checks"
     "  (customer_id, answered_at);"},
    /* Migration 72: the charter's calendar and its history.  A change of
     * the charter is a new version in force from the moment it is made
     * (starts_at); the version that was in force before every change
     * starts at 0, so history keeps the targets it was judged by.
     * business_hours holds a queue's weekly openings (a JSON array of
     * {day, open, close} in its time zone's local time) and holidays the
     * dates a queue, or the whole desk (queue_id NULL), is closed.
     * charter_deadlines holds, per encounter, the version it is judged by
     * and when each target falls due in business time, computed once
     * when the encounter is first looked at: the watched encounters are
     * all looked at again so that the open ones get theirs. */
    {72,
     "charter versions, business hours, holidays and the deadlines of "
     "each encounter in business time",
     "CREATE TABLE charter_versions ("
     "  id INTEGER PRIMARY KEY,"
     "  starts_at INTEGER NOT NULL,"
     "  acknowledge_minutes INTEGER NOT NULL,"
     "  first_response_minutes INTEGER NOT NULL,"
     "  resolution_hours INTEGER NOT NULL,"
     "  follow_up_on_time INTEGER NOT NULL,"
     "  created_by TEXT);"
     "CREATE INDEX charter_versions_by_start ON charter_versions"
     "  (starts_at, id);"
     "INSERT INTO charter_versions (starts_at, acknowledge_minutes,"
     "  first_response_minutes, resolution_hours, follow_up_on_time,"
     "  created_by) SELECT 0,"
     "  (SELECT value FROM charter WHERE key = 'acknowledge_minutes'),"
     "  (SELECT value FROM charter WHERE key = 'first_response_minutes'),"
     "  (SELECT value FROM charter WHERE key = 'resolution_hours'),"
     "  (SELECT value FROM charter WHERE key = 'follow_up_on_time'),"
     "  'system';"
     "CREATE TABLE business_hours ("
     "  queue_id INTEGER PRIMARY KEY REFERENCES queues(id),"
     "  time_zone TEXT NOT NULL,"
     "  intervals TEXT NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  updated_by TEXT);"
     "CREATE TABLE holidays ("
     "  id INTEGER PRIMARY KEY,"
     "  queue_id INTEGER REFERENCES queues(id),"
     "  day TEXT NOT NULL,"
     "  name TEXT);"
     "CREATE INDEX holidays_by_queue ON holidays (queue_id, day);"
     "CREATE TABLE charter_deadlines ("
     "  encounter_id INTEGER PRIMARY KEY REFERENCES encounters(id),"
     "  version_id INTEGER NOT NULL REFERENCES charter_versions(id),"
     "  business_hours INTEGER NOT NULL,"
     "  acknowledge_due_at INTEGER NOT NULL,"
     "  first_response_due_at INTEGER NOT NULL,"
     "  resolution_due_at INTEGER NOT NULL);"
     "UPDATE charter_watch SET next_at = 0;"},
    /* ---- the scheduler's rules read what is due from indexes ---- */
    {78,
     "the scheduler's rules find what is due from indexes: a customer's "
     "last contact and last moment kept on the row, the important dates "
     "already tasked, the closed encounters already looked at",
     /* contact_at: the last contact keep-in-touch counts (an encounter
      * opened, a keep-in-touch message sent), NULL while that is the
      * customer's creation; active_at: when the newest moment happened,
      * NULL likewise; kept_in_touch_for: the contact a keep-in-touch task
      * was made for, so a customer leaves the index of those due once
      * asked about, whatever became of the task */
     "ALTER TABLE customers ADD COLUMN contact_at INTEGER;"
     "ALTER TABLE customers ADD COLUMN active_at INTEGER;"
     "ALTER TABLE customers ADD COLUMN kept_in_touch_for INTEGER;"
     "UPDATE customers SET contact_at = nullif(max(created_at,"
     "  coalesce((SELECT max(e.created_at) FROM encounters e"
     "    WHERE e.customer_id = customers.id), 0),"
     "  coalesce((SELECT max(t.sent_at) FROM tasks t"
     "    WHERE t.customer_id = customers.id AND t.status = 'sent'"
     "    AND t.kind = 'keep_in_touch'), 0)), created_at),"
     "  active_at = (SELECT m.occurred_at FROM moments m"
     "    WHERE m.customer_id = customers.id ORDER BY m.id DESC LIMIT 1);"
     "CREATE INDEX customers_keep_in_touch ON customers"
     "  (relationship_level, coalesce(contact_at, created_at))"
     "  WHERE erased_at IS NULL AND merged_into IS NULL"
     "  AND kept_in_touch_for IS NOT coalesce(contact_at, created_at);"
     "CREATE INDEX customers_inactive ON customers"
     "  (coalesce(active_at, created_at))"
     "  WHERE erased_at IS NULL AND merged_into IS NULL;"
     "CREATE TRIGGER customers_contact_on_encounter AFTER INSERT ON encounters"
     "  BEGIN UPDATE customers SET contact_at = new.created_at"
     "  WHERE id = new.customer_id"
     "  AND coalesce(contact_at, created_at) < new.created_at; END;"
     "CREATE TRIGGER customers_contact_on_move AFTER UPDATE OF customer_id"
     "  ON encounters BEGIN UPDATE customers SET contact_at = new.created_at"
     "  WHERE id = new.customer_id"
     "  AND coalesce(contact_at, created_at) < new.created_at; END;"
     "CREATE TRIGGER customers_contact_on_keep_in_touch AFTER UPDATE OF status"
     "  ON tasks WHEN new.status = 'sent' AND new.kind = 'keep_in_touch'"
     "  BEGIN UPDATE customers SET contact_at = new.sent_at"
     "  WHERE id = new.customer_id"
     "  AND coalesce(contact_at, created_at) < new.sent_at; END;"
     "CREATE TRIGGER customers_active_on_moment AFTER INSERT ON moments"
     "  BEGIN UPDATE customers SET active_at = new.occurred_at"
     "  WHERE id = new.customer_id"
     "  AND coalesce(active_at, created_at) < new.occurred_at; END;"
     /* tasked_for: the time a reminder or notice was made for, so a date
      * leaves the index of those to task until its time changes */
     "ALTER TABLE important_dates ADD COLUMN tasked_for INTEGER;"
     "CREATE INDEX important_dates_untasked ON important_dates (kind, at)"
     "  WHERE tasked_for IS NOT at;"
     "CREATE INDEX satisfaction_by_task ON satisfaction_checks (task_id);"
     /* how far a rule that walks a time index has looked: the time and id
      * of the last row it saw */
     "CREATE TABLE scheduler_cursors ("
     "  rule TEXT PRIMARY KEY,"
     "  at INTEGER NOT NULL,"
     "  id INTEGER NOT NULL);"},
    /* Migration 83: the work lists.  Open encounters are read by how long
     * they have waited and by their last activity, finished ones by their
     * last activity, from partial indexes of just those rows (the open
     * ones are a few thousand whatever the history; the WHERE of each
     * query repeats the index's condition word for word).  The counts of
     * every list are one walk of a covering index of the open work.
     * Subjects are found by any three characters or more (trigram), like
     * customers' names.  Taking and assigning are counted on the
     * encounter, as transfers are, for the measures of a window. */
    {83,
     "the work lists: open and finished encounters in the order an agent "
     "reads them, their counts, and their subjects found by text",
     "ALTER TABLE encounters ADD COLUMN takes INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN assignments INTEGER NOT NULL"
     "  DEFAULT 0;"
     "ALTER TABLE encounters ADD COLUMN reassignments INTEGER NOT NULL"
     "  DEFAULT 0;"
     "CREATE INDEX encounters_open_by_created ON encounters (created_at, id)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE INDEX encounters_open_by_updated ON encounters (updated_at, id)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE INDEX encounters_open_by_queue ON encounters (queue_id,"
     "  agent_id, created_at, acknowledged_at, first_response_at, stage)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE INDEX encounters_finished_by_updated ON encounters (updated_at,"
     "  id, queue_id, stage) WHERE stage IN ('closed','abandoned');"
     "CREATE VIRTUAL TABLE encounters_fts USING fts5(subject,"
     "  content='encounters', content_rowid='id', tokenize='trigram');"
     "CREATE TRIGGER encounters_fts_ai AFTER INSERT ON encounters BEGIN"
     "  INSERT INTO encounters_fts (rowid, subject)"
     "  VALUES (new.id, new.subject); END;"
     "CREATE TRIGGER encounters_fts_au AFTER UPDATE OF subject ON encounters"
     "  BEGIN"
     "  INSERT INTO encounters_fts (encounters_fts, rowid, subject)"
     "  VALUES ('delete', old.id, old.subject);"
     "  INSERT INTO encounters_fts (rowid, subject)"
     "  VALUES (new.id, new.subject); END;"
     "CREATE TRIGGER encounters_fts_ad AFTER DELETE ON encounters BEGIN"
     "  INSERT INTO encounters_fts (encounters_fts, rowid, subject)"
     "  VALUES ('delete', old.id, old.subject); END;"
     "INSERT INTO encounters_fts (encounters_fts) VALUES ('rebuild');"},
    {86,
     "who recorded a customer's consent decision, in words, shown beside it",
     "ALTER TABLE consents ADD COLUMN decided_by TEXT;"},
    {87,
     "the agent's own reason for overriding an encounter's kind or exchange",
     "ALTER TABLE encounters ADD COLUMN kind_override_reason TEXT;"
     "ALTER TABLE encounters ADD COLUMN exchange_override_reason TEXT;"},
    /* Migration 88: the wait starts when the customer started waiting.
     * arrived_at is when the customer called, wrote or walked in, which
     * may be before the encounter was typed in (created_at); the waits,
     * the charter's clocks and the work list's waiting order count from
     * it, so the open work is indexed by it instead of created_at.  Every
     * encounter so far arrived when it was created.  How far back an
     * arrival may be given is a desk setting (arrival_max_hours), so the
     * settings' table is made again with that key allowed. */
    {88,
     "encounters keep when the customer arrived, and the waits count from "
     "then; the desk setting of how far back an arrival may be",
     "ALTER TABLE encounters ADD COLUMN arrived_at INTEGER;"
     "UPDATE encounters SET arrived_at = created_at;"
     /* a way in that does not say when the customer arrived (an import,
      * an older program) means they arrived as it was created */
     "CREATE TRIGGER encounters_arrived_default AFTER INSERT ON encounters"
     "  WHEN new.arrived_at IS NULL"
     "  BEGIN UPDATE encounters SET arrived_at = new.created_at"
     "  WHERE id = new.id; END;"
     "DROP INDEX encounters_open_by_created;"
     "DROP INDEX encounters_open_by_queue;"
     "CREATE INDEX encounters_open_by_arrived ON encounters (arrived_at, id)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE INDEX encounters_open_by_queue ON encounters (queue_id,"
     "  agent_id, arrived_at, acknowledged_at, first_response_at, stage)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE TABLE desk_settings_new ("
     "  key TEXT PRIMARY KEY CHECK (key IN ('desk_name','phone_country_code',"
     "    'reopen_days','flood_messages','flood_minutes',"
     "    'attachment_max_bytes','outbox_max_attempts',"
     "    'outbox_backoff_seconds','arrival_max_hours')),"
     "  value TEXT NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  updated_by TEXT NOT NULL DEFAULT 'system');"
     "INSERT INTO desk_settings_new (key, value, updated_at, updated_by)"
     "  SELECT key, value, updated_at, updated_by FROM desk_settings;"
     "DROP TABLE desk_settings;"
     "ALTER TABLE desk_settings_new RENAME TO desk_settings;"
     "INSERT INTO desk_settings (key, value, updated_at) VALUES"
     "  ('arrival_max_hours', '24', strftime('%s','now'));"},
    /* Migration 89: calls told by a phone system (core/telephony).  A
     * call is known by the phone system's own id (unique: a retried
     * arrival finds it) and opens one encounter on the phone channel; it
     * holds no personal data of its own (the caller is the encounter's
     * customer), so erasure and merging need nothing here.  Its state and
     * running figures (answered, on hold since, hold time) are kept on
     * the row so that an event is judged by one lookup; each event is
     * kept once (call, event, time), which is what makes a retried event
     * record nothing twice. */
    {89, "calls told by a phone system: their state, hold time and events",
     "CREATE TABLE telephony_calls ("
     "  id INTEGER PRIMARY KEY,"
     "  call_id TEXT NOT NULL UNIQUE,"
     "  encounter_id INTEGER NOT NULL REFERENCES encounters(id),"
     "  state TEXT NOT NULL CHECK (state IN"
     "    ('queued','answered','on_hold','transferred','ended')),"
     "  arrived_at INTEGER NOT NULL,"
     "  answered_at INTEGER,"
     "  ended_at INTEGER,"
     "  abandoned INTEGER NOT NULL DEFAULT 0,"
     "  hold_since INTEGER,"
     "  holds INTEGER NOT NULL DEFAULT 0,"
     "  hold_seconds INTEGER NOT NULL DEFAULT 0,"
     "  transfers INTEGER NOT NULL DEFAULT 0,"
     "  last_event_at INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE INDEX telephony_calls_by_arrival ON telephony_calls"
     "  (arrived_at);"
     "CREATE INDEX telephony_calls_by_encounter ON telephony_calls"
     "  (encounter_id);"
     "CREATE TABLE telephony_events ("
     "  id INTEGER PRIMARY KEY,"
     "  call_id INTEGER NOT NULL REFERENCES telephony_calls(id),"
     "  event TEXT NOT NULL CHECK (event IN"
     "    ('answered','hold','resume','transferred','hung_up')),"
     "  at INTEGER NOT NULL,"
     "  queue_id INTEGER,"
     "  agent_id INTEGER,"
     "  created_at INTEGER NOT NULL,"
     "  UNIQUE (call_id, event, at));"},
    /* Migration 90: the rollups of the service metrics (sqlite_rollup.h,
     * src/core/measures/rollup.c): per UTC day, queue and agent, kept by
     * triggers in the transaction of every write of an encounter or a
     * customer's level, and filled here from the records. */
    {90,
     "the service metrics rolled up per day, queue and agent, kept in the "
     "transaction of each write",
     "CREATE TABLE measure_days ("
     "  day INTEGER NOT NULL, queue_id INTEGER NOT NULL,"
     "  agent_id INTEGER NOT NULL,"
     "  encounters INTEGER NOT NULL DEFAULT 0,"
     "  closed INTEGER NOT NULL DEFAULT 0,"
     "  abandoned INTEGER NOT NULL DEFAULT 0,"
     "  fcr_resolved INTEGER NOT NULL DEFAULT 0,"
     "  fcr_unknown INTEGER NOT NULL DEFAULT 0,"
     "  waiting INTEGER NOT NULL DEFAULT 0,"
     "  transfers INTEGER NOT NULL DEFAULT 0,"
     "  transferred INTEGER NOT NULL DEFAULT 0,"
     "  apologies_owed INTEGER NOT NULL DEFAULT 0,"
     "  apologies_given INTEGER NOT NULL DEFAULT 0,"
     "  apologies_missing INTEGER NOT NULL DEFAULT 0,"
     "  takes INTEGER NOT NULL DEFAULT 0,"
     "  assignments INTEGER NOT NULL DEFAULT 0,"
     "  reassignments INTEGER NOT NULL DEFAULT 0,"
     "  waits INTEGER NOT NULL DEFAULT 0,"
     "  wait_sum INTEGER NOT NULL DEFAULT 0,"
     "  wait_max INTEGER,"
     "  PRIMARY KEY (day, queue_id, agent_id)) WITHOUT ROWID;"
     "CREATE TABLE measure_day_counts ("
     "  day INTEGER NOT NULL, queue_id INTEGER NOT NULL,"
     "  agent_id INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
     "  n INTEGER NOT NULL,"
     "  PRIMARY KEY (day, queue_id, agent_id, kind, key)) WITHOUT ROWID;"
     "CREATE TABLE measure_levels (level TEXT PRIMARY KEY,"
     "  n INTEGER NOT NULL) WITHOUT ROWID;"
     "CREATE TRIGGER encounters_rollup_ai AFTER INSERT ON encounters "
     "BEGIN " RU_DAYS_ROW("new", "1") RU_COUNTS_ROWS(
         "new",
         "1") " END;"
              "CREATE TRIGGER encounters_rollup_au AFTER UPDATE OF"
              "  created_at, arrived_at, queue_id, agent_id, channel,"
              "  acknowledged_at,"
              "  abandoned_at, closed_at, first_contact_resolved, transfers,"
              "  apology_owed, apology_given, takes, assignments,"
              "  reassignments"
              "  ON encounters WHEN"
              "  old.created_at IS NOT new.created_at OR"
              "  old.arrived_at IS NOT new.arrived_at OR old.queue_id IS NOT"
              "  new.queue_id OR old.agent_id IS NOT new.agent_id OR"
              "  old.channel IS NOT new.channel OR old.acknowledged_at IS NOT"
              "  new.acknowledged_at OR old.abandoned_at IS NOT"
              "  new.abandoned_at OR old.closed_at IS NOT new.closed_at OR"
              "  old.first_contact_resolved IS NOT new.first_contact_resolved"
              "  OR old.transfers IS NOT new.transfers OR old.apology_owed IS"
              "  NOT new.apology_owed OR old.apology_given IS NOT"
              "  new.apology_given OR old.takes IS NOT new.takes OR"
              "  old.assignments IS NOT new.assignments OR old.reassignments"
              "  IS NOT new.reassignments"
              "  BEGIN " RU_DAYS_ROW("old", "-1") RU_COUNTS_ROWS(
                  "old", "-1") RU_DAYS_ROW("new", "1")
                  RU_COUNTS_ROWS("new", "1") RU_MAX_AFTER_REMOVAL(
                      "old",
                      RU_KEPT) " END;"
                               "CREATE TRIGGER encounters_rollup_ad AFTER "
                               "DELETE ON encounters BEGIN " RU_DAYS_ROW(
                                   "old", "-1") RU_COUNTS_ROWS("old", "-1")
                                   RU_MAX_AFTER_REMOVAL(
                                       "old",
                                       "false") " END;"
                                                "CREATE TRIGGER "
                                                "customers_levels_ai AFTER "
                                                "INSERT ON customers BEGIN"
                                                "  INSERT INTO measure_levels "
                                                "(level, n) VALUES"
                                                "  (new.relationship_level, 1) "
                                                "ON CONFLICT (level) DO UPDATE "
                                                "SET"
                                                "  n = n + 1; END;"
                                                "CREATE TRIGGER "
                                                "customers_levels_au AFTER "
                                                "UPDATE OF relationship_level"
                                                "  ON customers WHEN "
                                                "old.relationship_level IS NOT "
                                                "new.relationship_level"
                                                "  BEGIN UPDATE measure_levels "
                                                "SET n = n - 1"
                                                "  WHERE level = "
                                                "old.relationship_level;"
                                                "  INSERT INTO measure_levels "
                                                "(level, n) VALUES"
                                                "  (new.relationship_level, 1) "
                                                "ON CONFLICT (level) DO UPDATE "
                                                "SET"
                                                "  n = n + 1; END;"
                                                "CREATE TRIGGER "
                                                "customers_levels_ad AFTER "
                                                "DELETE ON customers BEGIN"
                                                "  UPDATE measure_levels SET n "
                                                "= n - 1"
                                                "  WHERE level = "
                                                "old.relationship_level; "
                                                "END;" RU_FILL},
    /* Migration 92: where email and text messages go, kept in the database
     * so an admin sets them in the console and every server and the CLI
     * send alike; one row.  The SMTP password and the text-message
     * webhook's key are sealed (core/secrets). */
    {92,
     "the delivery settings: the SMTP server and the text-message webhook, "
     "set by an admin",
     "CREATE TABLE delivery_settings ("
     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
     "  smtp_url TEXT,"
     "  smtp_from TEXT,"
     "  smtp_user TEXT,"
     "  smtp_password TEXT,"
     "  webhook_url TEXT,"
     "  webhook_secret TEXT,"
     "  updated_at INTEGER,"
     "  updated_by TEXT);"
     "INSERT INTO delivery_settings (id) VALUES (1);"},
    /* Migration 94 (knowledge): an article is a draft until it is
     * published; agents neither find nor are offered drafts.  The articles
     * there were are published (when they were written).  The partial
     * index holds the drafts only, so a search can leave them out without
     * reading the articles. */
    {94, "knowledge articles: drafts and published articles",
     "ALTER TABLE kb_articles ADD COLUMN state TEXT NOT NULL"
     "  DEFAULT 'published' CHECK (state IN ('draft','published'));"
     "ALTER TABLE kb_articles ADD COLUMN published_at INTEGER;"
     "UPDATE kb_articles SET published_at = created_at;"
     "CREATE INDEX kb_articles_drafts ON kb_articles (id)"
     "  WHERE state = 'draft';"},
    /* Migration 95 (staff): the language the console speaks to an agent
     * and the time zone it shows their times in; NULL until the agent
     * chooses (the console then follows the browser).  The core checks
     * the values (a language it has, a zone of the tz database). */
    {95, "agents: their language and time zone",
     "ALTER TABLE agents ADD COLUMN language TEXT"
     "  CHECK (language IN ('en','de'));"
     "ALTER TABLE agents ADD COLUMN time_zone TEXT;"},
    /* Migration 97: the charter's breaches rolled up (sqlite_rollup.h,
     * src/core/measures/rollup.c): the breaches for good per UTC day,
     * queue, agent and target, kept by triggers on the encounters, their
     * deadlines and the charter's versions, and filled here from the
     * records; the encounters not ended are indexed by when they were
     * opened (their running clocks are judged when read), and all of them
     * by arrival (a new version re-judges those that arrived since it
     * starts). */
    {97,
     "the charter's breaches rolled up per day, queue and agent, kept in "
     "the transaction of each write",
     "CREATE TABLE measure_breaches ("
     "  day INTEGER NOT NULL, queue_id INTEGER NOT NULL,"
     "  agent_id INTEGER NOT NULL, target TEXT NOT NULL,"
     "  n INTEGER NOT NULL,"
     "  PRIMARY KEY (day, queue_id, agent_id, target)) WITHOUT ROWID;"
     "CREATE INDEX encounters_unended_by_created ON encounters (created_at)"
     "  WHERE closed_at IS NULL AND abandoned_at IS NULL;"
     "CREATE INDEX encounters_by_arrived ON encounters (arrived_at);"
     "CREATE TRIGGER encounters_breaches_ai AFTER INSERT ON encounters"
     "  BEGIN " RB_ENCOUNTER(
         "new",
         "1") " END;"
              "CREATE TRIGGER encounters_breaches_au AFTER UPDATE OF "
              "created_at,"
              "  arrived_at, queue_id, agent_id, acknowledged_at, "
              "first_response_at,"
              "  abandoned_at, closed_at ON encounters WHEN"
              "  old.created_at IS NOT new.created_at OR"
              "  old.arrived_at IS NOT new.arrived_at OR"
              "  old.queue_id IS NOT new.queue_id OR old.agent_id IS NOT "
              "new.agent_id"
              "  OR old.acknowledged_at IS NOT new.acknowledged_at OR"
              "  old.first_response_at IS NOT new.first_response_at OR"
              "  old.abandoned_at IS NOT new.abandoned_at OR"
              "  old.closed_at IS NOT new.closed_at"
              "  BEGIN " RB_ENCOUNTER("old", "-1") RB_ENCOUNTER(
                  "new",
                  "1") " END;"
                       "CREATE TRIGGER encounters_breaches_ad "
                       "AFTER DELETE ON encounters"
                       "  BEGIN " RB_ENCOUNTER(
                           "old",
                           "-1") " END;"
                                 "CREATE TRIGGER "
                                 "charter_deadlines_breaches_"
                                 "ai AFTER INSERT"
                                 "  ON charter_deadlines "
                                 "BEGIN " RB_WITH_DEADLINES("new", "-1", "NULL", "NULL", "NULL") RB_WITH_DEADLINES(
                                     "new",
                                     "1",
                                     "new.acknowledge_due_"
                                     "at",
                                     "new.first_response_"
                                     "due_at",
                                     "new.resolution_due_"
                                     "at") " END;"
                                           "CREATE TRIGGER "
                                           "charter_"
                                           "deadlines_"
                                           "breaches_au "
                                           "AFTER UPDATE"
                                           "  ON "
                                           "charter_"
                                           "deadlines "
                                           "BEGIN"
                                           " " RB_WITH_DEADLINES(
                                               "old",
                                               "-1",
                                               "old."
                                               "acknowledge"
                                               "_due_at",
                                               "old.first_"
                                               "response_"
                                               "due_at",
                                               "old."
                                               "resolution_"
                                               "due_at")
                                               RB_WITH_DEADLINES("old", "1", "NULL", "NULL", "NULL") RB_WITH_DEADLINES(
                                                   "new",
                                                   "-1", "NULL", "NULL",
                                                   "NULL")
                                                   RB_WITH_DEADLINES(
                                                       "ne"
                                                       "w",
                                                       "1",
                                                       "new"
                                                       ".ac"
                                                       "kno"
                                                       "wle"
                                                       "dge"
                                                       "_du"
                                                       "e_"
                                                       "at",
                                                       "new"
                                                       ".fi"
                                                       "rst"
                                                       "_re"
                                                       "spo"
                                                       "nse"
                                                       "_du"
                                                       "e_"
                                                       "at",
                                                       "new"
                                                       ".re"
                                                       "sol"
                                                       "uti"
                                                       "on_"
                                                       "due"
                                                       "_a"
                                                       "t") " END;"
                                                            "CREATE TRIGGER "
                                                            "charter_deadlines_"
                                                            "breaches_ad AFTER "
                                                            "DELETE"
                                                            "  ON "
                                                            "charter_deadlines "
                                                            "BEGIN"
                                                            " " RB_WITH_DEADLINES(
                                                                "old",
                                                                "-1",
                                                                "old."
                                                                "acknowledge_"
                                                                "due_at",
                                                                "old.first_"
                                                                "response_due_"
                                                                "at",
                                                                "old."
                                                                "resolution_"
                                                                "due_at")
                                                                RB_WITH_DEADLINES(
                                                                    "old",
                                                                    "1",
                                                                    "NULL",
                                                                    "NULL",
                                                                    "NULL") " E"
                                                                            "ND"
                                                                            ";"
                                                                            "CR"
                                                                            "EA"
                                                                            "TE"
                                                                            " T"
                                                                            "RI"
                                                                            "GG"
                                                                            "ER"
                                                                            " c"
                                                                            "ha"
                                                                            "rt"
                                                                            "er"
                                                                            "_v"
                                                                            "er"
                                                                            "si"
                                                                            "on"
                                                                            "s_"
                                                                            "br"
                                                                            "ea"
                                                                            "ch"
                                                                            "es"
                                                                            "_b"
                                                                            "i "
                                                                            "BE"
                                                                            "FO"
                                                                            "RE"
                                                                            " I"
                                                                            "NS"
                                                                            "ER"
                                                                            "T"
                                                                            "  "
                                                                            "ON"
                                                                            " c"
                                                                            "ha"
                                                                            "rt"
                                                                            "er"
                                                                            "_v"
                                                                            "er"
                                                                            "si"
                                                                            "on"
                                                                            "s "
                                                                            "BE"
                                                                            "GI"
                                                                            "N"
                                                                            " " RB_VERSION_ROWS(
                                                                                "-1") " END;"
                                                                                      "CREATE TRIGGER charter_versions_breaches_ai AFTER INSERT"
                                                                                      "  ON charter_versions BEGIN " RB_VERSION_ROWS(
                                                                                          "1") " END;" RB_FILL
                                                                                               ";"},
    /* Migration 100: nothing here.  PostgreSQL keeps how many articles hold
     * each word, so that its knowledge search weighs a rare word above a
     * common one; FTS5 keeps those counts inside its own index (bm25 reads
     * them there). */
    {100, "knowledge search: how many articles hold each word, for ranking",
     "SELECT 1;"},
    /* Migration 104: a queue's open work read a page at a time in its
     * order.  The work list of one queue walked every open encounter of
     * the desk in waiting order to find that queue's, and the list of a
     * queue sorted by activity did the same in activity order, so a page
     * cost more the more work was open (218 pages a second at 3,600 open,
     * bench/README.md).  The covering index of the counts now has the
     * waiting order after the queue (the counts read the same columns),
     * and a second index keeps each queue's open work by last change. */
    {104, "a queue's open work indexed in waiting and activity order",
     "DROP INDEX encounters_open_by_queue;"
     "CREATE INDEX encounters_open_by_queue ON encounters (queue_id,"
     "  arrived_at, id, agent_id, acknowledged_at, first_response_at, stage)"
     "  WHERE stage NOT IN ('closed','abandoned');"
     "CREATE INDEX encounters_open_by_queue_updated ON encounters (queue_id,"
     "  updated_at, id) WHERE stage NOT IN ('closed','abandoned');"},
    /* Migration 105: the version of the knowledge index's contents.  The
     * knowledge search's rank (rp_bm25, sqlite_rank.c) keeps how many
     * articles hold each word of a query instead of counting them on
     * every search, and counts again when this number moves: a random
     * number drawn again, in the same transaction, whenever an article is
     * added, removed, or its title, body or tags change (random, so two
     * desks never share a version).  Named after kb_fts, so a copy of the
     * desk leaves it out as it leaves out the index (sqlite_copy.c). */
    {105, "knowledge search: the version of the index's contents",
     "CREATE TABLE kb_fts_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
     "  version INTEGER NOT NULL);"
     "INSERT INTO kb_fts_version (id, version) VALUES (1, random());"
     "CREATE TRIGGER kb_fts_version_ai AFTER INSERT ON kb_articles BEGIN"
     "  UPDATE kb_fts_version SET version = random() WHERE id = 1; END;"
     "CREATE TRIGGER kb_fts_version_ad AFTER DELETE ON kb_articles BEGIN"
     "  UPDATE kb_fts_version SET version = random() WHERE id = 1; END;"
     "CREATE TRIGGER kb_fts_version_au AFTER UPDATE OF title, body, tags"
     "  ON kb_articles BEGIN"
     "  UPDATE kb_fts_version SET version = random() WHERE id = 1; END;"},
    /* Migration 108: each agent's open work, counted as it changes.
     * Routing read every available agent's load by counting the agent's
     * open encounters (a range of encounters_open_by_agent) inside each
     * write transaction that opens an encounter, so a create cost more the
     * more work was open: at 5,000 open on one agent the count was 16% of
     * the server's time creating encounters (bench/README.md, "Durable
     * writes under concurrency").  The counts are kept by triggers in the
     * transaction of the change, like the rollups, so routing reads one
     * row per agent. */
    {108, "each agent's open work counted as it changes, for routing",
     "CREATE TABLE agent_open_work ("
     "  agent_id INTEGER PRIMARY KEY,"
     "  open_work INTEGER NOT NULL DEFAULT 0);"
     "INSERT INTO agent_open_work (agent_id, open_work)"
     "  SELECT agent_id, count(*) FROM encounters"
     "  WHERE agent_id IS NOT NULL AND stage NOT IN ('closed','abandoned')"
     "  GROUP BY agent_id;"
     "CREATE TRIGGER encounters_open_work_ai AFTER INSERT ON encounters"
     "  WHEN new.agent_id IS NOT NULL"
     "  AND new.stage NOT IN ('closed','abandoned')"
     "  BEGIN INSERT INTO agent_open_work (agent_id, open_work)"
     "  VALUES (new.agent_id, 1) ON CONFLICT (agent_id)"
     "  DO UPDATE SET open_work = open_work + 1; END;"
     "CREATE TRIGGER encounters_open_work_au AFTER UPDATE OF agent_id, stage"
     "  ON encounters WHEN old.agent_id IS NOT new.agent_id"
     "  OR (old.stage IN ('closed','abandoned'))"
     "  <> (new.stage IN ('closed','abandoned'))"
     "  BEGIN UPDATE agent_open_work SET open_work = open_work - 1"
     "  WHERE agent_id = old.agent_id"
     "  AND old.stage NOT IN ('closed','abandoned');"
     "  INSERT INTO agent_open_work (agent_id, open_work)"
     "  SELECT new.agent_id, 1 WHERE new.agent_id IS NOT NULL"
     "  AND new.stage NOT IN ('closed','abandoned')"
     "  ON CONFLICT (agent_id) DO UPDATE SET open_work = open_work + 1; END;"
     "CREATE TRIGGER encounters_open_work_ad AFTER DELETE ON encounters"
     "  WHEN old.agent_id IS NOT NULL"
     "  AND old.stage NOT IN ('closed','abandoned')"
     "  BEGIN UPDATE agent_open_work SET open_work = open_work - 1"
     "  WHERE agent_id = old.agent_id; END;"},

    /* Migration 112: the moments of truth rolled up per UTC hour, and
     * each customer's newest moment (sqlite_rollup.h, rollup.c), so the
     * service metrics count a window's moments, impressions and distinct
     * customers from a few hundred rows instead of every moment of the
     * window (620,000 in 30 days at 10M moments); filled here from the
     * ledger.  moments_by_customer_time finds whether a customer has a
     * moment in a window with one seek. */
    {112,
     "the moments of truth rolled up per hour, and each customer's newest "
     "moment, kept in the transaction of each write",
     "CREATE TABLE measure_moment_hours ("
     "  hour INTEGER PRIMARY KEY,"
     "  moments INTEGER NOT NULL DEFAULT 0,"
     "  positive INTEGER NOT NULL DEFAULT 0,"
     "  neutral INTEGER NOT NULL DEFAULT 0,"
     "  negative INTEGER NOT NULL DEFAULT 0,"
     "  customers_last INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE measure_moment_customers ("
     "  customer_id INTEGER PRIMARY KEY,"
     "  last_at INTEGER NOT NULL);"
     "CREATE INDEX measure_moment_customers_by_last"
     "  ON measure_moment_customers (last_at);"
     "CREATE INDEX moments_by_customer_time ON moments"
     "  (customer_id, occurred_at);"
     "CREATE TRIGGER moments_rollup_ai AFTER INSERT ON moments"
     "  BEGIN " RM_ON_MOMENT " END;" RM_FILL_HOURS ";" RM_FILL_CUSTOMERS
     ";" RM_FILL_LAST ";"},
    /* Migration 113: the follow-ups by due date, with what judges them
     * late, so the service metrics count those of a window from the
     * index alone, one range per charter version, instead of reading
     * each task, its customer and its encounter (M_FOLLOW_UPS_LATE);
     * and measure_day_totals, the counts of measure_day_counts (channels,
     * waits' buckets) summed over the queues and agents of each day, kept
     * by triggers on measure_day_counts itself, so a window without a
     * queue or agent reads at most a few hundred rows a day (the kinds'
     * keys), not one per queue, agent and key. */
    {113,
     "follow-ups indexed by due date with their status and when done; the "
     "day's counts of channels and waits summed over queues and agents",
     "CREATE INDEX tasks_follow_ups_by_due ON tasks"
     "  (due_at, status, done_at, sent_at) WHERE kind = 'follow_up';"
     "CREATE TABLE measure_day_totals ("
     "  day INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
     "  n INTEGER NOT NULL,"
     "  PRIMARY KEY (day, kind, key)) WITHOUT ROWID;"
     "CREATE TRIGGER measure_day_counts_totals_ai AFTER INSERT"
     "  ON measure_day_counts BEGIN " RT_ADD(
         "new",
         "new.n") " END;"
                  "CREATE TRIGGER measure_day_counts_totals_au AFTER UPDATE OF "
                  "n"
                  "  ON measure_day_counts BEGIN " RT_ADD(
                      "new",
                      "new.n - old.n") " END;"
                                       "CREATE TRIGGER "
                                       "measure_day_counts_totals_ad AFTER "
                                       "DELETE"
                                       "  ON measure_day_counts BEGIN " RT_ADD(
                                           "old", "-old.n") " END;" RT_FILL
                                                            ";"},
    /* Migration 114: the words of the knowledge index, each once
     * (fts5vocab: a view of kb_fts, no data of its own).  A search for the
     * start of a word matches the few words it stands for instead, which
     * FTS5 reads newest first without merging every longer word's matches
     * (rp_kb_match, sqlite_rank.c).  Named after kb_fts, so a copy of the
     * desk leaves it out. */
    {114, "knowledge search: the words of the index",
     "CREATE VIRTUAL TABLE kb_fts_vocab USING fts5vocab(kb_fts, row);"},

    /* An encounter's subject went into its full-text index (trigram) by
     * a trigger, in the statement that stored the row: a new segment of
     * the index for every create, and its merges, each written to the log
     * (on the 3M-encounter desk the merges read pages of the large
     * segments, one disk read each).  The trigger now notes the new row,
     * and the writer indexes the rows noted once per batch of write
     * transactions, just before the batch's COMMIT (store_sqlite.c,
     * flush_encounter_index): the same index in the same transaction,
     * one segment per batch.  A row's change or removal touches the
     * index only if the row is in it already; the notes of a row removed
     * before it was indexed are dropped with the rest. */
    {115, "the encounter subject index written once per batch of writes",
     "DROP TRIGGER encounters_fts_ai;"
     "DROP TRIGGER encounters_fts_au;"
     "DROP TRIGGER encounters_fts_ad;"
     "CREATE TABLE encounters_fts_pending (id INTEGER PRIMARY KEY);"
     "CREATE TRIGGER encounters_fts_ai AFTER INSERT ON encounters BEGIN"
     "  INSERT OR IGNORE INTO encounters_fts_pending (id) VALUES (new.id);"
     "  END;"
     "CREATE TRIGGER encounters_fts_au AFTER UPDATE OF subject ON encounters"
     "  WHEN NOT EXISTS (SELECT 1 FROM encounters_fts_pending"
     "  WHERE id = old.id) BEGIN"
     "  INSERT INTO encounters_fts (encounters_fts, rowid, subject)"
     "  VALUES ('delete', old.id, old.subject);"
     "  INSERT INTO encounters_fts (rowid, subject)"
     "  VALUES (new.id, new.subject); END;"
     "CREATE TRIGGER encounters_fts_ad AFTER DELETE ON encounters"
     "  WHEN NOT EXISTS (SELECT 1 FROM encounters_fts_pending"
     "  WHERE id = old.id) BEGIN"
     "  INSERT INTO encounters_fts (encounters_fts, rowid, subject)"
     "  VALUES ('delete', old.id, old.subject); END;"},
    /* Migration 119: what is late for good rolled up per day, and the
     * relationships' movements per day (sqlite_rollup.h, rollup.c), so
     * the service metrics read a window's late follow-ups and promises and
     * its movements from a row or a few per day instead of every
     * follow-up (19,464 in 30 days at 3M encounters) and every change of
     * level of the window; the follow-ups still open, whose lateness the
     * time of reading decides, from a partial index of the open ones. */
    // clang-format off
    {119,
     "follow-ups and promises late for good, and the relationships' "
     "movements, rolled up per day; the open follow-ups indexed by due date",
     "CREATE TABLE measure_late_days ("
     "  day INTEGER PRIMARY KEY,"
     "  follow_ups INTEGER NOT NULL DEFAULT 0,"
     "  promises INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE measure_movement_days ("
     "  day INTEGER NOT NULL, from_level TEXT NOT NULL,"
     "  to_level TEXT NOT NULL, n INTEGER NOT NULL,"
     "  PRIMARY KEY (day, from_level, to_level)) WITHOUT ROWID;"
     "CREATE INDEX tasks_follow_ups_open ON tasks (due_at)"
     "  WHERE kind = 'follow_up' AND status NOT IN ('done', 'sent', 'cancelled');"
     RL_TRIGGERS("tasks", "follow_ups", RL_TASK_LATE,
                 "kind, status, due_at, done_at, sent_at")
     RL_TRIGGERS("promises", "promises", RL_PROMISE_LATE,
                 "status, due_at, settled_at")
     RV_TRIGGERS RL_FILL ";" RV_FILL ";"},
    /* Migration 123: the subject index merged once, and its segments
     * merged eight at a time instead of four.  FTS5 writes each batch's
     * subjects as a new segment and merges segments level by level as
     * writes go on, each write doing a share of a level's merge; on the
     * 3M-encounter desk a merge of levels built for millions of subjects
     * was under way (4 levels, 29 segments, 4,756 leaves being merged and
     * 54,000 more waiting), and its share came to 19.4 pages of the log
     * written per create, against 2.8 on an empty desk.  'optimize' makes
     * the index one segment (12 s at 3M subjects, once), which the
     * merges of new segments reach only after 8^6 batches; merging eight
     * at a time rewrites each subject about log8 instead of log4 times
     * as the index grows, for at most seven segments a level to read in
     * a search.  Measured: 3.0 pages a create after it on the 3M desk
     * (bench/README.md, "Durable writes under concurrency"). */
    {123,
     "the encounter subject index merged once, and eight segments at "
     "a time",
     "INSERT INTO encounters_fts (encounters_fts, rank)"
     "  VALUES ('automerge', 8);"
     "INSERT INTO encounters_fts (encounters_fts) VALUES ('optimize');"},
    /* Migration 125: how long the breaches took, rolled up with them
     * (breach_rollup.h, RBT_*): measure_breaches also sums each breach
     * for good's seconds from arrival to when its clock stopped, and
     * those past its target around the clock, so the dashboard's
     * breach_times over 30 days reads the window's rows instead of every
     * encounter of it with its deadlines and charter version (556 ms of
     * CPU at 3M encounters).  And the breach list's breaches for good,
     * one row each (measure_breach_list, RBL_*), indexed by arrival, so
     * the list's first page is an index range that stops at its limit
     * instead of every encounter of the window judged and sorted (1.8 s
     * at 3M for 1,000).  The triggers of migration 97 are made again to
     * keep both with n, and both filled again. */
    {125,
     "how long the charter's breaches took, rolled up with them per day, "
     "queue and agent, and the breaches for good listed by arrival",
     "ALTER TABLE measure_breaches ADD COLUMN calendar_sum INTEGER NOT NULL"
     "  DEFAULT 0;"
     "ALTER TABLE measure_breaches ADD COLUMN over_sum INTEGER NOT NULL"
     "  DEFAULT 0;"
     "CREATE TABLE measure_breach_list ("
     "  target TEXT NOT NULL, encounter_id INTEGER NOT NULL,"
     "  arrived_at INTEGER, created_at INTEGER NOT NULL,"
     "  PRIMARY KEY (target, encounter_id)) WITHOUT ROWID;"
     "CREATE INDEX measure_breach_list_by_arrival ON measure_breach_list"
     "  (target, arrived_at, encounter_id, created_at);"
     "CREATE INDEX measure_breach_list_by_created ON measure_breach_list"
     "  (target, created_at, arrived_at);"
     "DROP TRIGGER encounters_breaches_ai;"
     "DROP TRIGGER encounters_breaches_au;"
     "DROP TRIGGER encounters_breaches_ad;"
     "DROP TRIGGER charter_deadlines_breaches_ai;"
     "DROP TRIGGER charter_deadlines_breaches_au;"
     "DROP TRIGGER charter_deadlines_breaches_ad;"
     "DROP TRIGGER charter_versions_breaches_bi;"
     "DROP TRIGGER charter_versions_breaches_ai;"
     "CREATE TRIGGER encounters_breaches_ai AFTER INSERT ON encounters"
     "  BEGIN " RBT_ENCOUNTER("new", "1") " END;"
     "CREATE TRIGGER encounters_breaches_au AFTER UPDATE OF created_at,"
     "  arrived_at, queue_id, agent_id, acknowledged_at, first_response_at,"
     "  abandoned_at, closed_at ON encounters WHEN"
     "  old.created_at IS NOT new.created_at OR"
     "  old.arrived_at IS NOT new.arrived_at OR"
     "  old.queue_id IS NOT new.queue_id OR old.agent_id IS NOT new.agent_id"
     "  OR old.acknowledged_at IS NOT new.acknowledged_at OR"
     "  old.first_response_at IS NOT new.first_response_at OR"
     "  old.abandoned_at IS NOT new.abandoned_at OR"
     "  old.closed_at IS NOT new.closed_at"
     "  BEGIN " RBT_ENCOUNTER("old", "-1") RBT_ENCOUNTER("new", "1") " END;"
     "CREATE TRIGGER encounters_breaches_ad AFTER DELETE ON encounters"
     "  BEGIN " RBT_ENCOUNTER("old", "-1") " END;"
     "CREATE TRIGGER charter_deadlines_breaches_ai AFTER INSERT"
     "  ON charter_deadlines BEGIN "
     RBT_WITH_DEADLINES("new", "-1", "NULL", "NULL", "NULL")
     RBT_WITH_DEADLINES("new", "1", "new.acknowledge_due_at",
                        "new.first_response_due_at", "new.resolution_due_at")
     " END;"
     "CREATE TRIGGER charter_deadlines_breaches_au AFTER UPDATE"
     "  ON charter_deadlines BEGIN "
     RBT_WITH_DEADLINES("old", "-1", "old.acknowledge_due_at",
                        "old.first_response_due_at", "old.resolution_due_at")
     RBT_WITH_DEADLINES("old", "1", "NULL", "NULL", "NULL")
     RBT_WITH_DEADLINES("new", "-1", "NULL", "NULL", "NULL")
     RBT_WITH_DEADLINES("new", "1", "new.acknowledge_due_at",
                        "new.first_response_due_at", "new.resolution_due_at")
     " END;"
     "CREATE TRIGGER charter_deadlines_breaches_ad AFTER DELETE"
     "  ON charter_deadlines BEGIN "
     RBT_WITH_DEADLINES("old", "-1", "old.acknowledge_due_at",
                        "old.first_response_due_at", "old.resolution_due_at")
     RBT_WITH_DEADLINES("old", "1", "NULL", "NULL", "NULL")
     " END;"
     "CREATE TRIGGER charter_versions_breaches_bi BEFORE INSERT"
     "  ON charter_versions BEGIN " RBT_VERSION_ROWS("-1") " END;"
     "CREATE TRIGGER charter_versions_breaches_ai AFTER INSERT"
     "  ON charter_versions BEGIN " RBT_VERSION_ROWS("1") " END;"
     "DELETE FROM measure_breaches;" RBT_FILL ";" RBL_FILL ";"},
    // clang-format on
};

const int rp_sqlite_nmigrations = (int)(sizeof rp_sqlite_migrations /
                                        sizeof rp_sqlite_migrations[0]);
