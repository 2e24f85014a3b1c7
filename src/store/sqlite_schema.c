/*
 * sqlite_schema.c - the versioned schema of the SQLite backend.
 *
 * Migrations run in order at open, each in the same transaction as the
 * update of schema_version, so a database is never left half-migrated.
 * Never edit a migration that has shipped; add a new one.  Tables that
 * belong to a customer carry customer_id and their indexes lead with it, so
 * the data can later be sharded by customer.
 */
#include "sqlite_internal.h"

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
     "CREATE INDEX encounters_by_customer ON encounters (customer_id, stage, id);"
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
     "  impression TEXT CHECK (impression IN ('positive','neutral','negative')),"
     "  detail TEXT);"
     "CREATE INDEX moments_by_customer ON moments (customer_id, id);"
     "CREATE INDEX moments_by_encounter ON moments (encounter_id, id);"
     "CREATE TRIGGER moments_are_append_only_u BEFORE UPDATE ON moments"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are append-only'); END;"
     "CREATE TRIGGER moments_are_append_only_d BEFORE DELETE ON moments"
     "  BEGIN SELECT RAISE(ABORT, 'moments of truth are append-only'); END;"},
};

const int rp_sqlite_nmigrations =
    (int)(sizeof rp_sqlite_migrations / sizeof rp_sqlite_migrations[0]);
