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
    /* looking to the future: scheduler rules (INSERT OR IGNORE on the
     * UNIQUE idempotency_key, so a rule can run any number of times) */
    {"future.rule_reminders",
     "INSERT OR IGNORE INTO tasks (customer_id, kind, purpose, subject,"
     " payload, due_at, status, idempotency_key, created_by, created_at)"
     " SELECT d.customer_id, 'reminder', 'reminders', 'Reminder: ' || d.title,"
     " json_object('date_id', d.id), d.at - ?, 'scheduled',"
     " 'reminder:date:' || d.id || ':' || d.at, 'scheduler', ?"
     " FROM important_dates d WHERE d.kind = 'appointment' AND d.at > ?"},
    {"future.rule_renewals",
     "INSERT OR IGNORE INTO tasks (customer_id, kind, purpose, subject,"
     " payload, due_at, status, idempotency_key, created_by, created_at)"
     " SELECT d.customer_id, 'renewal_notice', 'reminders',"
     " 'Renewal notice: ' || d.title, json_object('date_id', d.id), d.at - ?,"
     " 'scheduled', 'renewal:date:' || d.id || ':' || d.at, 'scheduler', ?"
     " FROM important_dates d WHERE d.kind IN ('renewal', 'expiry')"
     " AND d.at > ?"},
    {"future.rule_satisfaction",
     "INSERT OR IGNORE INTO tasks (customer_id, encounter_id, kind, purpose,"
     " subject, payload, due_at, status, idempotency_key, created_by,"
     " created_at)"
     " SELECT e.customer_id, e.id, 'satisfaction_check', 'service',"
     " 'How did we do? ' || e.subject, json_object('encounter_id', e.id),"
     " e.closed_at + ?, 'scheduled', 'satisfaction:encounter:' || e.id,"
     " 'scheduler', ? FROM encounters e"
     " WHERE e.closed_at >= ? AND e.stage = 'closed'"
     " AND e.satisfaction_skip_reason IS NULL"
     " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.encounter_id = e.id"
     "   AND t.kind = 'satisfaction_check')"
     " AND NOT EXISTS (SELECT 1 FROM satisfaction_checks c"
     "   WHERE c.customer_id = e.customer_id AND c.encounter_id = e.id)"},
    {"future.rule_keep_in_touch",
     "INSERT OR IGNORE INTO tasks (customer_id, kind, purpose, subject,"
     " payload, due_at, status, idempotency_key, created_by, created_at)"
     " SELECT x.id, 'keep_in_touch', 'reminders', 'Keeping in touch',"
     " json_object('last_contact', x.last, 'cadence_days', x.days), ?,"
     " 'scheduled', 'keep_in_touch:customer:' || x.id || ':' || x.last,"
     " 'scheduler', ? FROM (SELECT c.id,"
     "   CASE c.relationship_level WHEN 'transactional' THEN ?"
     "     WHEN 'incremental' THEN ? WHEN 'formative' THEN ?"
     "     WHEN 'partnership' THEN ? ELSE 0 END AS days,"
     "   max(c.created_at,"
     "     coalesce((SELECT max(e.created_at) FROM encounters e"
     "       WHERE e.customer_id = c.id), 0),"
     "     coalesce((SELECT max(t.sent_at) FROM tasks t"
     "       WHERE t.customer_id = c.id AND t.status = 'sent'"
     "       AND t.kind = 'keep_in_touch'), 0)) AS last"
     "   FROM customers c) x"
     " WHERE x.days > 0 AND x.last + x.days * 86400 <= ?"},
    /* looking to the future: claiming and settling tasks */
    {"future.claim_tasks",
     "UPDATE tasks SET status = 'claimed', claimed_by = ?, claimed_at = ?,"
     " attempts = attempts + 1 WHERE id IN (SELECT id FROM tasks"
     " WHERE ((status = 'scheduled' AND due_at <= ?"
     "   AND coalesce(next_attempt_at, 0) <= ?)"
     " OR (status = 'claimed' AND claimed_at <= ?))"
     " AND (kind <> 'follow_up' OR channel IS NULL"
     "   OR channel NOT IN ('phone', 'in_person'))"
     " ORDER BY due_at, id LIMIT ?)"
     " RETURNING id, customer_id, encounter_id, kind, purpose, channel,"
     " subject, payload AS payload__json, due_at AS due_at,"
     " idempotency_key, attempts"},
    {"future.task_sent",
     "UPDATE tasks SET status = 'sent', sent_at = ?, channel = ?,"
     " last_error = NULL, next_attempt_at = NULL"
     " WHERE id = ? AND status = 'claimed' AND claimed_by = ?"},
    {"future.task_settle",
     "UPDATE tasks SET status = ?, next_attempt_at = ?, last_error = ?,"
     " channel = coalesce(?, channel)"
     " WHERE id = ? AND status = 'claimed' AND claimed_by = ?"},
    /* looking to the future: loyalty and recommendations */
    {"future.loyalty_stats",
     "SELECT count(*) AS visits, coalesce(sum(spend), 0.0) AS spend"
     " FROM encounters WHERE customer_id = ? AND stage = 'closed'"},
    {"future.loyalty_tiers",
     "SELECT id, name, rank, min_visits, min_tenure_days, min_spend,"
     " discount_percent FROM loyalty_tiers ORDER BY rank DESC"},
    {"future.loyalty_tiers_clear", "DELETE FROM loyalty_tiers"},
    {"future.recent_closed_exchanges",
     "SELECT id, exchange FROM encounters WHERE customer_id = ?"
     " AND stage = 'closed' ORDER BY id DESC LIMIT 3"},
    {"future.products_all",
     "SELECT id, name, category, attributes AS attributes__json, stock,"
     " tags AS tags__json, related AS related__json, price FROM products"
     " ORDER BY id LIMIT 2000"},
    {"future.offers_open",
     "SELECT product_id FROM offers WHERE customer_id = ? AND status = 'shown'"},
    {"future.satisfaction_summary",
     "SELECT count(*) AS answered, avg(score) AS average_score,"
     " sum(score >= 4) AS positive, sum(score = 3) AS neutral,"
     " sum(score <= 2) AS negative FROM satisfaction_checks"
     " WHERE customer_id = ? AND answered_at IS NOT NULL"},
    {"future.cancel_date_tasks",
     "UPDATE tasks SET status = 'cancelled', last_error = ?"
     " WHERE customer_id = ? AND status IN ('scheduled', 'held')"
     " AND kind IN ('reminder', 'renewal_notice')"
     " AND json_extract(payload, '$.date_id') = ?"},
    {"future.unhold_tasks",
     "UPDATE tasks SET status = 'scheduled', last_error = NULL,"
     " next_attempt_at = NULL"
     " WHERE customer_id = ? AND purpose = ? AND status = 'held'"},
    {"future.satisfaction_answer",
     "UPDATE satisfaction_checks SET score = ?, words = ?, comment = ?,"
     " answered_at = ? WHERE id = ? AND answered_at IS NULL"},
};

const char *rp_sqlite_query_sql(const char *name)
{
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].name, name) == 0)
            return queries[i].sql;
    return NULL;
}
