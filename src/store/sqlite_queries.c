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
    /* the encounter engine (cycle.c, relationship.c, guide.c).  Every
     * query is bounded and leads with customer_id or encounter_id, so its
     * cost stays flat as a customer's history grows. */
    {"engine.encounter_facts",
     "SELECT"
     " (SELECT count(*) FROM satisfaction_checks WHERE customer_id = ?1"
     "   AND encounter_id = ?2 AND answered_at IS NOT NULL) AS sat_answered,"
     " (SELECT coalesce(max(score), 0) FROM satisfaction_checks"
     "   WHERE customer_id = ?1 AND encounter_id = ?2"
     "   AND answered_at IS NOT NULL) AS sat_best,"
     " (SELECT count(*) FROM tasks WHERE encounter_id = ?2"
     "   AND kind = 'satisfaction_check' AND status <> 'cancelled')"
     "   AS sat_scheduled,"
     " (SELECT count(*) FROM tasks WHERE encounter_id = ?2"
     "   AND kind = 'follow_up' AND status <> 'cancelled') AS follow_ups,"
     " (SELECT count(*) FROM tasks WHERE encounter_id = ?2"
     "   AND kind = 'follow_up' AND status = 'done') AS follow_ups_done,"
     " (SELECT count(*) FROM promises WHERE customer_id = ?1"
     "   AND encounter_id = ?2) AS promises,"
     " (SELECT json_extract(detail, '$.request_known') FROM moments"
     "   WHERE encounter_id = ?2 AND kind = 'encounter.acknowledged'"
     "   ORDER BY id LIMIT 1) AS request_known"},
    {"engine.task_count_for_encounter",
     "SELECT count(*) AS n FROM tasks WHERE encounter_id = ? AND kind = ?"},
    {"relationship.evidence",
     "SELECT rule, encounter_id FROM ("
     " SELECT 'formal_exchange' AS rule, id AS encounter_id FROM encounters"
     "  WHERE customer_id = ?1 AND stage = 'closed' AND exchange = 'formal'"
     "  ORDER BY id DESC LIMIT 10)"
     " UNION ALL SELECT rule, encounter_id FROM ("
     " SELECT 'resolution_satisfied' AS rule, e.id AS encounter_id"
     "  FROM encounters e JOIN satisfaction_checks s"
     "  ON s.customer_id = e.customer_id AND s.encounter_id = e.id"
     "  WHERE e.customer_id = ?1 AND e.stage = 'closed'"
     "  AND e.exchange = 'resolution' AND s.score >= 4"
     "  GROUP BY e.id ORDER BY e.id DESC LIMIT 10)"
     " UNION ALL SELECT rule, encounter_id FROM ("
     " SELECT 'become_encounter' AS rule, id AS encounter_id FROM encounters"
     "  WHERE customer_id = ?1 AND stage = 'closed' AND kind = 'become'"
     "  ORDER BY id DESC LIMIT 10)"
     " UNION ALL SELECT rule, encounter_id FROM ("
     " SELECT 'active_goal' AS rule, encounter_id FROM goals"
     "  WHERE customer_id = ?1 AND status = 'active'"
     "  ORDER BY id DESC LIMIT 10)"
     " UNION ALL SELECT rule, encounter_id FROM ("
     " SELECT 'supplemental_followed_up' AS rule, e.id AS encounter_id"
     "  FROM encounters e JOIN tasks t"
     "  ON t.customer_id = e.customer_id AND t.encounter_id = e.id"
     "  WHERE e.customer_id = ?1 AND e.stage = 'closed'"
     "  AND e.exchange = 'supplemental' AND t.kind = 'follow_up'"
     "  AND t.status = 'done' GROUP BY e.id ORDER BY e.id DESC LIMIT 10)"
     " UNION ALL SELECT rule, encounter_id FROM ("
     " SELECT 'closed_encounter' AS rule, id AS encounter_id FROM encounters"
     "  WHERE customer_id = ?1 AND stage = 'closed'"
     "  ORDER BY id DESC LIMIT 10)"},
    {"relationship.closed_count",
     "SELECT count(*) AS n FROM encounters WHERE customer_id = ?"
     " AND stage = 'closed'"},
    {"engine.open_promises",
     "SELECT id, encounter_id, what, due_at, status, created_at FROM promises"
     " WHERE customer_id = ? AND status = 'open' ORDER BY due_at, id LIMIT 50"},
    {"engine.open_follow_ups",
     "SELECT id, encounter_id, kind, subject, channel, due_at, status,"
     " (due_at <= ?2) AS due__bool FROM tasks"
     " WHERE customer_id = ?1 AND status IN ('scheduled','claimed','held')"
     " AND kind IN ('follow_up','satisfaction_check')"
     " ORDER BY due_at, id LIMIT 50"},
    {"engine.firm_preferences",
     "SELECT id, key, value, firmness FROM preferences"
     " WHERE customer_id = ? AND firmness = 'firm' ORDER BY key LIMIT 50"},
    {"engine.preferences",
     "SELECT id, key, value, firmness FROM preferences"
     " WHERE customer_id = ? ORDER BY key LIMIT 50"},
    {"engine.open_encounters",
     "SELECT id, channel, subject, stage, created_at, acknowledged_at"
     " FROM encounters WHERE customer_id = ?"
     " AND stage IN ('received','understood','helped','kept')"
     " ORDER BY id DESC LIMIT 50"},
    {"engine.latest_moments",
     "SELECT id, encounter_id, occurred_at, actor, channel, kind, summary,"
     " impression FROM moments WHERE customer_id = ?"
     " ORDER BY id DESC LIMIT 10"},
    {"engine.satisfaction_summary",
     "SELECT count(*) AS count, avg(score) AS average"
     " FROM satisfaction_checks WHERE customer_id = ?"
     " AND answered_at IS NOT NULL"},
    {"engine.satisfaction_words",
     "SELECT lower(j.value) AS word, count(*) AS n"
     " FROM satisfaction_checks s, json_each(s.words) j"
     " WHERE s.customer_id = ? AND s.answered_at IS NOT NULL"
     " GROUP BY lower(j.value) ORDER BY n DESC, word LIMIT 20"},
    {"engine.encounter_counts",
     "SELECT kind, exchange, count(*) AS n FROM encounters"
     " WHERE customer_id = ? GROUP BY kind, exchange"},
};

const char *rp_sqlite_query_sql(const char *name)
{
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].name, name) == 0)
            return queries[i].sql;
    return NULL;
}
