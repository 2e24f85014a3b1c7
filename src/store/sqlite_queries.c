/*
 * sqlite_queries.c - the SQL text of every named query of the SQLite
 * backend.  The domain asks for a query by name (store.h); this table is the
 * only place its SQL lives.  Parameters are positional (?), bound from a JSON
 * array.  Keep names grouped by subsystem: "<subsystem>.<what>".
 */
#include "sqlite_internal.h"

#include <string.h>

static const rp_sqlite_query queries[] = {
    /* customers */
    {"customer.exists", "SELECT 1 AS found FROM customers WHERE id = ?"},
    /* encounters */
    {"encounter.counts_by_stage",
     "SELECT stage, count(*) AS n FROM encounters WHERE customer_id = ?"
     " GROUP BY stage"},
    /* moments */
    {"moment.count_for_customer",
     "SELECT count(*) AS n FROM moments WHERE customer_id = ?"},
    /* ---- auth (migration 4): agents, sessions, tokens, login throttle ---- */
    {"auth.agent_by_email",
     "SELECT id, role, active AS active__bool, password_hash FROM agents"
     " WHERE email = ?"},
    {"auth.agent_set_password",
     "UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ?"},
    {"auth.active_admins",
     "SELECT count(*) AS n FROM agents WHERE role = 'admin' AND active = 1"
     " AND id <> ?"},
    {"auth.session_insert",
     "INSERT INTO agent_sessions (agent_id, token_hash, created_at,"
     " last_seen_at) VALUES (?, ?, ?, ?)"},
    /* "seen" not "last_seen_at": the caller compares it as an integer */
    {"auth.session_lookup",
     "SELECT s.id AS session_id, s.last_seen_at AS seen, a.id AS agent_id,"
     " a.role, a.active AS active__bool FROM agent_sessions s"
     " JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ?"},
    {"auth.session_touch",
     "UPDATE agent_sessions SET last_seen_at = ? WHERE id = ?"},
    {"auth.session_delete", "DELETE FROM agent_sessions WHERE token_hash = ?"},
    {"auth.sessions_expire",
     "DELETE FROM agent_sessions WHERE last_seen_at < ?"},
    {"auth.sessions_of_agent_delete",
     "DELETE FROM agent_sessions WHERE agent_id = ?"},
    {"auth.token_insert",
     "INSERT INTO api_tokens (agent_id, name, token_hash, created_at)"
     " VALUES (?, ?, ?, ?) RETURNING id"},
    {"auth.token_lookup",
     "SELECT t.id AS token_id, t.revoked_at IS NOT NULL AS revoked__bool,"
     " t.last_used_at AS used, a.id AS agent_id, a.role,"
     " a.active AS active__bool FROM api_tokens t"
     " JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = ?"},
    {"auth.token_touch", "UPDATE api_tokens SET last_used_at = ? WHERE id = ?"},
    {"auth.token_get",
     "SELECT id, agent_id, name, created_at, last_used_at, revoked_at"
     " FROM api_tokens WHERE id = ?"},
    {"auth.token_list",
     "SELECT id, agent_id, name, created_at, last_used_at, revoked_at"
     " FROM api_tokens WHERE (?1 = 0 OR agent_id = ?1) AND id > ?2"
     " ORDER BY id LIMIT ?3"},
    {"auth.token_revoke",
     "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"},
    {"auth.failures_count",
     "SELECT count(*) AS n, min(failed_at) AS first FROM login_failures"
     " WHERE key = ? AND failed_at > ?"},
    {"auth.failure_add",
     "INSERT INTO login_failures (key, failed_at) VALUES (?, ?) RETURNING id"},
    {"auth.failure_delete", "DELETE FROM login_failures WHERE id = ?"},
    {"auth.failures_clear", "DELETE FROM login_failures WHERE key = ?"},
    {"auth.failures_expire", "DELETE FROM login_failures WHERE failed_at < ?"},
    /* ---- routing (migration 4) ---- */
    /* The queue whose topics hold the topic wins over one that only takes
     * the channel; among equals the oldest queue. */
    {"routing.queue_for",
     "SELECT id, name, skills AS skills__json,"
     " CASE WHEN ?1 IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(topics)"
     "   WHERE lower(value) = lower(?1)) THEN 0 ELSE 1 END AS rank"
     " FROM queues WHERE (?1 IS NOT NULL AND EXISTS (SELECT 1 FROM"
     "   json_each(topics) WHERE lower(value) = lower(?1)))"
     " OR EXISTS (SELECT 1 FROM json_each(channels) WHERE value = ?2)"
     " ORDER BY rank, id LIMIT 1"},
    /* Available agents and their open load: one indexed count per agent
     * (encounters_by_agent), a bounded set since agents are few. */
    {"routing.candidates",
     "SELECT a.id, a.name, a.skills AS skills__json,"
     " (SELECT count(*) FROM encounters e WHERE e.agent_id = a.id"
     "   AND e.stage NOT IN ('closed','abandoned')) AS open"
     " FROM agents a WHERE a.active = 1 AND a.available = 1 ORDER BY a.id"},
    /* ---- knowledge base (migration 4) ---- */
    /* bm25 is negative, smaller is better; helpfulness multiplies the
     * relevance by 0.5..1.5 (Laplace-smoothed share of "helped" votes). */
    {"kb.search",
     "SELECT a.id, a.title, a.tags AS tags__json, a.helped, a.not_helped,"
     " highlight(kb_fts, 0, char(2), char(3)) AS title_marked,"
     " snippet(kb_fts, 1, char(2), char(3), '...', 24) AS snippet_marked,"
     " -bm25(kb_fts, 5.0, 1.0, 3.0) AS relevance,"
     " -bm25(kb_fts, 5.0, 1.0, 3.0) * (0.5 + (a.helped + 1.0) /"
     "   (a.helped + a.not_helped + 2.0)) AS score"
     " FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid"
     " WHERE kb_fts MATCH ? ORDER BY score DESC, a.id LIMIT ?"},
    {"kb.vote",
     "UPDATE kb_articles SET helped = helped + ?, not_helped = not_helped + ?"
     " WHERE id = ?"},
};

const char *rp_sqlite_query_sql(const char *name)
{
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].name, name) == 0)
            return queries[i].sql;
    return NULL;
}
