/*
 * pg_queries.c - the SQL text of every named query of the PostgreSQL
 * backend, indexed by the ids of queries.h as sqlite_queries.c is.  Each
 * text means what its SQLite twin means: the same parameters in the same
 * order ($1, $2, ... where SQLite has ? or ?NNN), the same result column
 * names (their suffixes type the row, store.h), the same rows.  A unit test
 * (tests/unit/test_pg_sql.c) checks that every id has a text here with as
 * many parameters as SQLite's; tests/pg/check-sql prepares every one
 * against a real PostgreSQL with the schema of pg_schema.c.
 *
 * How SQLite's dialect is translated:
 *   - a parameter whose type its context does not fix ("$1 IS NULL", a
 *     select-list value, a CASE operand) is cast where it first appears,
 *     and the same way wherever else it appears;
 *   - integer sums are cast back to bigint and averages to double
 *     precision (PostgreSQL would answer numeric, which the row reader
 *     would not read as SQLite's integer and real), and a comparison
 *     summed or returned as a flag is cast to an integer 0/1, as SQLite's
 *     comparisons are;
 *   - JSON is text in the schema (pg_schema.c), read with ::jsonb where a
 *     query looks inside: json_each is jsonb_array_elements_text,
 *     json_extract ->>, json_object jsonb_build_object()::text,
 *     json_group_array json_agg()::text;
 *   - INSERT OR IGNORE is ON CONFLICT DO NOTHING; the scalar max(a, b) is
 *     greatest(a, b); instr(a, b) > 0 is strpos;
 *   - a claim (tasks, the outbox, webhook deliveries) picks its rows with
 *     FOR UPDATE SKIP LOCKED: SQLite has one writer at a time, here two
 *     servers claim at once, and each row must go to exactly one;
 *   - the knowledge base's FTS5 search is a tsquery over kb_articles.search
 *     and the customer search's FTS5 trigram match is ILIKE over the
 *     pg_trgm index; both take the same parameter text as on SQLite (see
 *     KB_TSQUERY and CUSTOMER_PATTERN).
 */
#include "store/pg_internal.h"
#include "store/pg_rollup.h"

#include <stddef.h>

/* ---- measures: shared fragments ----------------------------------------
 * Window queries bind $1 from, $2 to (Unix seconds, half-open [from, to)),
 * $3 the queues counted (a JSON array of ids, 0 for no queue; NULL: any)
 * and $4 agent id (NULL: any).  "e" is always the encounter. */
#define M_ENC_FILTER                                                           \
    " ($3::text IS NULL OR coalesce(e.queue_id, 0) IN"                         \
    " (SELECT jsonb_array_elements_text($3::text::jsonb)::bigint))"            \
    " AND ($4::bigint IS NULL OR e.agent_id = $4::bigint) "
/* The charter's targets of an encounter, as the breach times read them:
 * the targets of the charter version in force at its arrival (else the
 * charter's, parameters 6 to 8) and its deadlines; the columns, then the
 * joins that give them (the encounter is "e"). */
#define M_CHARTER_TARGET_COLUMNS                                               \
    " coalesce(v.acknowledge_minutes * 60, $6::bigint) AS ack_t,"              \
    " coalesce(v.first_response_minutes * 60, $7::bigint) AS first_t,"         \
    " coalesce(v.resolution_hours * 3600, $8::bigint) AS res_t,"               \
    " d.acknowledge_due_at AS ack_d, d.first_response_due_at AS first_d,"      \
    " d.resolution_due_at AS res_d"
#define M_CHARTER_AT_ARRIVAL                                                   \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"                  \
    " LEFT JOIN charter_versions v ON v.id = (SELECT w.id"                     \
    "  FROM charter_versions w WHERE w.starts_at <= e.arrived_at"              \
    "  ORDER BY w.starts_at DESC, w.id DESC LIMIT 1)"

#define M_ENC_WINDOW                                                           \
    " e.created_at >= $1::bigint AND e.created_at < $2::bigint "               \
    "AND" M_ENC_FILTER
/* Breaches of the charter.  Further parameters: $5 now, $6 acknowledge
 * target, $7 first-response target, $8 resolution target (seconds), $9 1 when
 * follow-ups and promises must be done by their date: the current charter's,
 * used only where no version of the charter is older than what is judged.
 * An encounter is judged by the charter version in force when it was
 * received and by its deadlines in business time (see sqlite_queries.c). */
#define M_VERSION(expr, at)                                                    \
    "(SELECT " expr " FROM charter_versions v WHERE v.starts_at <= " at        \
    " ORDER BY v.starts_at DESC, v.id DESC LIMIT 1)"
#define M_TARGET(col, unit, param)                                             \
    "coalesce(" M_VERSION("v." col " * " unit, "e.arrived_at") ", " param ")"
#define M_ACK_T M_TARGET("acknowledge_minutes", "60", "$6::bigint")
#define M_FIRST_T M_TARGET("first_response_minutes", "60", "$7::bigint")
#define M_RES_T M_TARGET("resolution_hours", "3600", "$8::bigint")
#define M_DUE(col, target) "coalesce(d." col ", e.arrived_at + " target ")"
#define M_ACK_DUE M_DUE("acknowledge_due_at", M_ACK_T)
#define M_FIRST_DUE M_DUE("first_response_due_at", M_FIRST_T)
#define M_RES_DUE M_DUE("resolution_due_at", M_RES_T)
#define M_ON_TIME(at)                                                          \
    "coalesce(" M_VERSION("v.follow_up_on_time", at) ", $9::bigint) = 1"
/* Whether promises and follow-ups due then must be done by their date. */
#define M_ON_TIME_P M_ON_TIME("p.due_at")
#define M_ON_TIME_T M_ON_TIME("t.due_at")
#define M_ENC_FROM                                                             \
    " FROM encounters e JOIN customers c ON c.id = e.customer_id"              \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"
#define M_BREACHES_ENCOUNTERS                                                  \
    "SELECT 'acknowledge' AS target, 'encounter' AS subject,"                  \
    " e.id AS subject_id, e.id AS encounter_id, e.customer_id,"                \
    " c.name AS customer_name, e.arrived_at AS started_at,"                    \
    " " M_ACK_T " AS target_seconds,"                                          \
    " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, $5::bigint)"    \
    "   - e.arrived_at AS actual_seconds,"                                     \
    " CASE WHEN e.acknowledged_at IS NOT NULL THEN 'acknowledged late'"        \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before "                \
    "acknowledgement'"                                                         \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without acknowledgement'"     \
    "  ELSE 'still waiting' END AS detail,"                                    \
    " " M_ACK_DUE " AS due_at, e.queue_id AS queue_id" M_ENC_FROM              \
    " WHERE" M_ENC_WINDOW " AND coalesce(e.acknowledged_at, e.abandoned_at,"   \
    "  e.closed_at, $5::bigint) > " M_ACK_DUE " UNION ALL "                    \
    "SELECT 'first_response', 'encounter', e.id, e.id, e.customer_id, c.name," \
    " e.arrived_at, " M_FIRST_T ","                                            \
    " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, $5::bigint)"  \
    "   - e.arrived_at,"                                                       \
    " CASE WHEN e.first_response_at IS NOT NULL THEN 'responded late'"         \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before a response'"     \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without a first response'"    \
    "  ELSE 'no response yet' END, " M_FIRST_DUE ", e.queue_id" M_ENC_FROM     \
    " WHERE" M_ENC_WINDOW " AND coalesce(e.first_response_at, e.abandoned_at," \
    "  e.closed_at, $5::bigint) > " M_FIRST_DUE " UNION ALL "                  \
    "SELECT 'resolution', 'encounter', e.id, e.id, e.customer_id, c.name,"     \
    " e.arrived_at, " M_RES_T ","                                              \
    " coalesce(e.closed_at, e.abandoned_at, $5::bigint) - e.arrived_at,"       \
    " CASE WHEN e.closed_at IS NOT NULL THEN 'resolved late'"                  \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned unresolved'"            \
    "  ELSE 'still unresolved' END, " M_RES_DUE ", e.queue_id" M_ENC_FROM      \
    " WHERE" M_ENC_WINDOW " AND ((e.closed_at IS NOT NULL AND"                 \
    "  e.closed_at > " M_RES_DUE ") OR (e.closed_at IS NULL AND"               \
    "  e.abandoned_at IS NOT NULL) OR (e.closed_at IS NULL AND"                \
    "  e.abandoned_at IS NULL AND $5::bigint > " M_RES_DUE "))"
#define M_BREACHES_FOLLOW_UPS                                                  \
    "SELECT 'follow_up_on_time', 'promise', p.id, p.encounter_id,"             \
    " p.customer_id, c.name, p.due_at, 0,"                                     \
    " coalesce(p.settled_at, $5::bigint) - p.due_at,"                          \
    " CASE WHEN p.status = 'kept' THEN 'promise kept late: '"                  \
    "  ELSE 'promise broken: ' END || p.what, p.due_at, e.queue_id"            \
    " FROM promises p JOIN customers c ON c.id = p.customer_id"                \
    " LEFT JOIN encounters e ON e.id = p.encounter_id"                         \
    " WHERE " M_ON_TIME_P " AND p.due_at >= $1::bigint"                        \
    "  AND p.due_at < $2::bigint AND" M_ENC_FILTER                             \
    "  AND (p.status = 'broken' OR (p.status = 'open'"                         \
    "  AND p.due_at < $5::bigint)"                                             \
    "  OR (p.status = 'kept' AND p.settled_at > p.due_at))"                    \
    " UNION ALL "                                                              \
    "SELECT 'follow_up_on_time', 'follow_up', t.id, t.encounter_id,"           \
    " t.customer_id, c.name, t.due_at, 0,"                                     \
    " coalesce(t.done_at, t.sent_at, $5::bigint) - t.due_at,"                  \
    " CASE WHEN t.status IN ('done', 'sent') THEN 'follow-up done late: '"     \
    "  ELSE 'follow-up not done: ' END || t.subject, t.due_at, e.queue_id"     \
    " FROM tasks t JOIN customers c ON c.id = t.customer_id"                   \
    " LEFT JOIN encounters e ON e.id = t.encounter_id"                         \
    " WHERE " M_ON_TIME_T " AND t.kind = 'follow_up'"                          \
    "  AND t.due_at >= $1::bigint AND t.due_at < $2::bigint AND" M_ENC_FILTER  \
    "  AND ((t.status IN ('done', 'sent') AND"                                 \
    "   coalesce(t.done_at, t.sent_at) > t.due_at)"                            \
    "  OR (t.status NOT IN ('done', 'sent', 'cancelled')"                      \
    "  AND t.due_at < $5::bigint))"
#define M_BREACHES M_BREACHES_ENCOUNTERS " UNION ALL " M_BREACHES_FOLLOW_UPS
// clang-format off
/* The breach list's first page, each arm read in its order and cut at
 * the limit before they are merged, as SQLite's (sqlite_queries.c says
 * how). */
#define M_LIST_ACK                                                             \
    "SELECT 'acknowledge' AS target, 'encounter' AS subject,"                  \
    " e.id AS subject_id, e.id AS encounter_id, e.customer_id,"                \
    " e.arrived_at AS started_at, " M_ACK_T " AS target_seconds,"              \
    " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, $5::bigint)"            \
    "   - e.arrived_at AS actual_seconds,"                                     \
    " CASE WHEN e.acknowledged_at IS NOT NULL THEN 'acknowledged late'"        \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before "                \
    "acknowledgement'"                                                         \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without acknowledgement'"     \
    "  ELSE 'still waiting' END AS detail,"                                    \
    " " M_ACK_DUE " AS due_at, e.queue_id AS queue_id"
#define M_LIST_FIRST                                                           \
    "SELECT 'first_response', 'encounter', e.id, e.id, e.customer_id,"         \
    " e.arrived_at, " M_FIRST_T ","                                            \
    " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, $5::bigint)"          \
    "   - e.arrived_at,"                                                       \
    " CASE WHEN e.first_response_at IS NOT NULL THEN 'responded late'"         \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before a response'"     \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without a first response'"    \
    "  ELSE 'no response yet' END, " M_FIRST_DUE ", e.queue_id"
#define M_LIST_RES                                                             \
    "SELECT 'resolution', 'encounter', e.id, e.id, e.customer_id,"             \
    " e.arrived_at, " M_RES_T ","                                              \
    " coalesce(e.closed_at, e.abandoned_at, $5::bigint) - e.arrived_at,"               \
    " CASE WHEN e.closed_at IS NOT NULL THEN 'resolved late'"                  \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned unresolved'"            \
    "  ELSE 'still unresolved' END, " M_RES_DUE ", e.queue_id"
/* cols's breaches for good of target, by arrival */
#define M_LIST_GOOD(cols, target)                                              \
    "SELECT * FROM (" cols " FROM measure_breach_list b"                       \
    " JOIN encounters e ON e.id = b.encounter_id"                              \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"                  \
    " WHERE b.target = '" target "' AND b.arrived_at >= (SELECT"               \
    "  min(l.arrived_at) FROM measure_breach_list l WHERE l.target = '"        \
    target "' AND l.created_at >= $1::bigint AND l.created_at < $2::bigint)"                   \
    " AND b.arrived_at <= (SELECT max(l.arrived_at) FROM measure_breach_list"  \
    "  l WHERE l.target = '" target "' AND l.created_at >= $1::bigint"                 \
    "  AND l.created_at < $2::bigint)"                                                 \
    " AND b.created_at >= $1::bigint AND b.created_at < $2::bigint AND" M_ENC_FILTER           \
    " ORDER BY b.arrived_at, b.encounter_id LIMIT $10::bigint) AS a"
/* cols's running clocks (cond) among the encounters not ended */
#define M_LIST_RUNNING(cols, cond)                                             \
    "SELECT * FROM (" cols " FROM encounters e"                                \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id WHERE"            \
    M_ENC_WINDOW " AND e.closed_at IS NULL AND e.abandoned_at IS NULL"         \
    " AND " cond " ORDER BY e.arrived_at, e.id LIMIT $10::bigint) AS a"
#define M_LIST_PROMISES                                                        \
    "SELECT * FROM (SELECT 'follow_up_on_time', 'promise', p.id,"              \
    " p.encounter_id, p.customer_id, p.due_at, 0,"                             \
    " coalesce(p.settled_at, $5::bigint) - p.due_at,"                                  \
    " CASE WHEN p.status = 'kept' THEN 'promise kept late: '"                  \
    "  ELSE 'promise broken: ' END || p.what, p.due_at, e.queue_id"            \
    " FROM promises p LEFT JOIN encounters e ON e.id = p.encounter_id"         \
    " WHERE " M_ON_TIME_P " AND p.due_at >= $1::bigint AND p.due_at < $2::bigint"    \
    " AND" M_ENC_FILTER " AND (p.status = 'broken' OR (p.status = 'open'"      \
    " AND p.due_at < $5::bigint) OR (p.status = 'kept' AND p.settled_at > p.due_at))"  \
    " ORDER BY p.due_at, p.id LIMIT $10::bigint) AS a"
#define M_LIST_FOLLOW_UPS                                                      \
    "SELECT * FROM (SELECT 'follow_up_on_time', 'follow_up', t.id,"            \
    " t.encounter_id, t.customer_id, t.due_at, 0,"                             \
    " coalesce(t.done_at, t.sent_at, $5::bigint) - t.due_at,"                          \
    " CASE WHEN t.status IN ('done', 'sent') THEN 'follow-up done late: '"     \
    "  ELSE 'follow-up not done: ' END || t.subject, t.due_at, e.queue_id"     \
    " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"            \
    " WHERE " M_ON_TIME_T " AND t.kind = 'follow_up'"                \
    " AND t.due_at >= $1::bigint AND t.due_at < $2::bigint AND" M_ENC_FILTER                   \
    " AND ((t.status IN ('done', 'sent') AND"                                  \
    " coalesce(t.done_at, t.sent_at) > t.due_at)"                              \
    " OR (t.status NOT IN ('done', 'sent', 'cancelled') AND t.due_at < $5::bigint))"   \
    " ORDER BY t.due_at, t.id LIMIT $10::bigint) AS a"
/* The promises' and follow-ups' arm of M_BREACHES for how long they
 * took (MEASURES_BREACH_TIMES_NOW): its rows' seconds, without the
 * customers' names (reading each follow-up's customer was most of the
 * arm at 3M encounters). */
#define M_TIMES_FOLLOW_UPS                                                     \
    "SELECT 'follow_up_on_time' AS target, 'promise' AS subject,"             \
    " 0 AS target_seconds, coalesce(p.settled_at, $5::bigint) - p.due_at"         \
    " AS actual_seconds, e.queue_id AS queue_id"                               \
    " FROM promises p LEFT JOIN encounters e ON e.id = p.encounter_id"         \
    " WHERE " M_ON_TIME_P " AND p.due_at >= $1::bigint AND p.due_at < $2::bigint"      \
    " AND" M_ENC_FILTER " AND (p.status = 'broken' OR (p.status = 'open'"      \
    " AND p.due_at < $5::bigint) OR (p.status = 'kept' AND p.settled_at > p.due_at))" \
    " UNION ALL SELECT 'follow_up_on_time', 'follow_up', 0,"                   \
    " coalesce(t.done_at, t.sent_at, $5::bigint) - t.due_at, e.queue_id"           \
    " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"            \
    " WHERE " M_ON_TIME_T " AND t.kind = 'follow_up'"                \
    " AND t.due_at >= $1::bigint AND t.due_at < $2::bigint AND" M_ENC_FILTER                   \
    " AND ((t.status IN ('done', 'sent') AND"                                  \
    " coalesce(t.done_at, t.sent_at) > t.due_at)"                              \
    " OR (t.status NOT IN ('done', 'sent', 'cancelled') AND t.due_at < $5::bigint))"
#define M_LIST                                                                 \
    "SELECT b.target, b.subject, b.subject_id, b.encounter_id, b.customer_id," \
    " c.name AS customer_name, b.started_at, b.target_seconds,"                \
    " b.actual_seconds, b.detail, b.due_at, b.queue_id FROM ("                 \
    M_LIST_GOOD(M_LIST_ACK, "acknowledge") " UNION ALL "                       \
    M_LIST_GOOD(M_LIST_FIRST, "first_response") " UNION ALL "                  \
    M_LIST_GOOD(M_LIST_RES, "resolution") " UNION ALL "                        \
    M_LIST_RUNNING(M_LIST_ACK, "e.acknowledged_at IS NULL AND $5::bigint > "           \
                   M_ACK_DUE) " UNION ALL "                                    \
    M_LIST_RUNNING(M_LIST_FIRST, "e.first_response_at IS NULL AND $5::bigint > "       \
                   M_FIRST_DUE) " UNION ALL "                                  \
    M_LIST_RUNNING(M_LIST_RES, "$5::bigint > " M_RES_DUE) " UNION ALL "                \
    M_LIST_PROMISES " UNION ALL " M_LIST_FOLLOW_UPS ") b"                      \
    " JOIN customers c ON c.id = b.customer_id"                                \
    " ORDER BY b.started_at, b.target, b.subject_id LIMIT $10::bigint"
/* The promises and follow-ups counted, as SQLite's
 * (sqlite_queries.c, M_FOLLOW_UPS_LATE, says how). */
#define M_LATE_SPANS                                                           \
    "(SELECT s.a, s.b, s.d1, s.d2, least(s.b, s.d1 * 86400) AS e1,"            \
    " greatest(least(s.b, s.d1 * 86400), s.d2 * 86400) AS s2 FROM"             \
    " (SELECT w.a, w.b, CASE WHEN w.a > 0 THEN (w.a + 86399) / 86400"          \
    "  ELSE 0 END AS d1, CASE WHEN w.b > 0 THEN w.b / 86400 ELSE 0 END AS d2"  \
    "  FROM (SELECT greatest(v.a, $1::bigint) AS a,"                           \
    "   least(coalesce(v.b, $2::bigint), $2::bigint) AS b"                     \
    "   FROM (SELECT v.starts_at AS a, lead(v.starts_at) OVER"                 \
    "   (ORDER BY v.starts_at, v.id) AS b, v.follow_up_on_time AS on_time"     \
    "   FROM charter_versions v) v WHERE v.on_time = 1"                        \
    "   UNION ALL SELECT $1::bigint, least($2::bigint,"                        \
    "   (SELECT coalesce(min(starts_at), $2::bigint) FROM charter_versions))"  \
    "   WHERE $9::bigint = 1) w WHERE w.a < w.b) s) s"
#define M_LATE_DONE_T(lo, hi)                                                  \
    "(SELECT count(*) FROM tasks t WHERE t.kind = 'follow_up'"                 \
    " AND t.due_at >= " lo " AND t.due_at < " hi                               \
    " AND t.status IN ('done', 'sent')"                                        \
    " AND coalesce(t.done_at, t.sent_at) > t.due_at)"
#define M_LATE_DONE_P(lo, hi)                                                  \
    "(SELECT count(*) FROM promises p WHERE p.status = 'broken'"               \
    " AND p.due_at >= " lo " AND p.due_at < " hi ")"                           \
    " + (SELECT count(*) FROM promises p WHERE p.status = 'kept'"              \
    " AND p.due_at >= " lo " AND p.due_at < " hi                               \
    " AND p.settled_at > p.due_at)"
#define M_FOLLOW_UPS_LATE                                                      \
    "(CASE WHEN $3::text IS NULL AND $4::bigint IS NULL THEN"                  \
    " (SELECT coalesce(sum((SELECT coalesce(sum(l.follow_ups + l.promises),"   \
    "  0) FROM measure_late_days l WHERE l.day >= s.d1 AND l.day < s.d2)"      \
    "  + " M_LATE_DONE_T("s.a", "s.e1") " + " M_LATE_DONE_T("s.s2", "s.b")     \
    "  + " M_LATE_DONE_P("s.a", "s.e1") " + " M_LATE_DONE_P("s.s2", "s.b")     \
    "  + (SELECT count(*) FROM tasks t WHERE t.kind = 'follow_up'"             \
    "   AND t.status NOT IN ('done', 'sent', 'cancelled')"                     \
    "   AND t.due_at >= s.a AND t.due_at < least(s.b, $5::bigint))"            \
    "  + (SELECT count(*) FROM promises p WHERE p.status = 'open'"             \
    "   AND p.due_at >= s.a AND p.due_at < least(s.b, $5::bigint))), 0)"       \
    "  FROM " M_LATE_SPANS ")::bigint"                                         \
    " ELSE (SELECT count(*) FROM (" M_BREACHES_FOLLOW_UPS ") AS f) END)"
/* One target's breaches for good of the encounters of the window $1..$4
 * with their seconds, by queue, as SQLite's M_EDGE_TIMES_ARM. */
#define M_EDGE_TIMES_ARM(target, cond, end, col, unit)                         \
    "SELECT '" target "' AS target, 'encounter' AS subject,"                   \
    " coalesce(e.queue_id, 0) AS queue_id, count(*) AS n,"                     \
    " sum(" RB_CALENDAR("e", end) ")::bigint AS calendar_sum,"                    \
    " sum(" RB_OVER("e", end, col, unit) ")::bigint AS over_sum"               \
    " FROM encounters e LEFT JOIN charter_deadlines d"                         \
    " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW "AND " cond " GROUP BY 3"
/* The moments from lo up to hi, counted by impression: a partial hour at
 * an edge of the rolled-up window, read from the ledger's index. */
#define M_MOMENTS_BETWEEN(lo, hi)                                              \
    "(SELECT count(*) AS moments,"                                             \
    "  coalesce(sum(" PRM_IS("m", "positive") "), 0)::bigint AS positive,"    \
    "  coalesce(sum(" PRM_IS("m", "neutral") "), 0)::bigint AS neutral,"      \
    "  coalesce(sum(" PRM_IS("m", "negative") "), 0)::bigint AS negative"     \
    "  FROM moments m WHERE m.occurred_at >= " lo                            \
    "  AND m.occurred_at < " hi ")"
// clang-format on

/* The columns of a page of the audit log, with who and whom by name. */
#define AUDIT_COLUMNS                                                          \
    " SELECT a.id, a.at AS occurred_at, a.action, a.agent_id,"                 \
    " g.name AS agent_name, a.token_id, a.via, a.address, a.method,"           \
    " a.route, a.subject, a.subject_id, a.customer_id,"                        \
    " c.name AS customer_name, a.status, a.code, a.field"                      \
    " FROM audit_log a LEFT JOIN agents g ON g.id = a.agent_id"                \
    " LEFT JOIN customers c ON c.id = a.customer_id"
/* The values of RP_AUDIT_INSERT_ROWS (16) audit entries, for
 * audit.insert_rows: 14 parameters each, in audit.insert's order, typed
 * as the columns they go to (a VALUES list has no columns to infer from). */
#define AUDIT_ROWS_16                                                          \
    "($1::bigint, $2::text, $3::bigint, $4::bigint, $5::text, $6::text,"       \
    " $7::text, $8::text, $9::text, $10::bigint, $11::bigint,"                 \
    " $12::bigint, $13::text, $14::text), ($15::bigint, $16::text,"            \
    " $17::bigint, $18::bigint, $19::text, $20::text, $21::text,"              \
    " $22::text, $23::text, $24::bigint, $25::bigint, $26::bigint,"            \
    " $27::text, $28::text), ($29::bigint, $30::text, $31::bigint,"            \
    " $32::bigint, $33::text, $34::text, $35::text, $36::text,"                \
    " $37::text, $38::bigint, $39::bigint, $40::bigint, $41::text,"            \
    " $42::text), ($43::bigint, $44::text, $45::bigint, $46::bigint,"          \
    " $47::text, $48::text, $49::text, $50::text, $51::text,"                  \
    " $52::bigint, $53::bigint, $54::bigint, $55::text, $56::text),"           \
    " ($57::bigint, $58::text, $59::bigint, $60::bigint, $61::text,"           \
    " $62::text, $63::text, $64::text, $65::text, $66::bigint,"                \
    " $67::bigint, $68::bigint, $69::text, $70::text), ($71::bigint,"          \
    " $72::text, $73::bigint, $74::bigint, $75::text, $76::text,"              \
    " $77::text, $78::text, $79::text, $80::bigint, $81::bigint,"              \
    " $82::bigint, $83::text, $84::text), ($85::bigint, $86::text,"            \
    " $87::bigint, $88::bigint, $89::text, $90::text, $91::text,"              \
    " $92::text, $93::text, $94::bigint, $95::bigint, $96::bigint,"            \
    " $97::text, $98::text), ($99::bigint, $100::text, $101::bigint,"          \
    " $102::bigint, $103::text, $104::text, $105::text, $106::text,"           \
    " $107::text, $108::bigint, $109::bigint, $110::bigint, $111::text,"       \
    " $112::text), ($113::bigint, $114::text, $115::bigint,"                   \
    " $116::bigint, $117::text, $118::text, $119::text, $120::text,"           \
    " $121::text, $122::bigint, $123::bigint, $124::bigint, $125::text,"       \
    " $126::text), ($127::bigint, $128::text, $129::bigint,"                   \
    " $130::bigint, $131::text, $132::text, $133::text, $134::text,"           \
    " $135::text, $136::bigint, $137::bigint, $138::bigint, $139::text,"       \
    " $140::text), ($141::bigint, $142::text, $143::bigint,"                   \
    " $144::bigint, $145::text, $146::text, $147::text, $148::text,"           \
    " $149::text, $150::bigint, $151::bigint, $152::bigint, $153::text,"       \
    " $154::text), ($155::bigint, $156::text, $157::bigint,"                   \
    " $158::bigint, $159::text, $160::text, $161::text, $162::text,"           \
    " $163::text, $164::bigint, $165::bigint, $166::bigint, $167::text,"       \
    " $168::text), ($169::bigint, $170::text, $171::bigint,"                   \
    " $172::bigint, $173::text, $174::text, $175::text, $176::text,"           \
    " $177::text, $178::bigint, $179::bigint, $180::bigint, $181::text,"       \
    " $182::text), ($183::bigint, $184::text, $185::bigint,"                   \
    " $186::bigint, $187::text, $188::text, $189::text, $190::text,"           \
    " $191::text, $192::bigint, $193::bigint, $194::bigint, $195::text,"       \
    " $196::text), ($197::bigint, $198::text, $199::bigint,"                   \
    " $200::bigint, $201::text, $202::text, $203::text, $204::text,"           \
    " $205::text, $206::bigint, $207::bigint, $208::bigint, $209::text,"       \
    " $210::text), ($211::bigint, $212::text, $213::bigint,"                   \
    " $214::bigint, $215::text, $216::text, $217::text, $218::text,"           \
    " $219::text, $220::bigint, $221::bigint, $222::bigint, $223::text,"       \
    " $224::text)"
/* ---- the sealed ledger and erasure: shared fragments -------------------- */
/* A moment with what its hashes need, and its customer's ledger key. */
#define LEDGER_COLUMNS                                                         \
    "m.id, m.customer_id, m.encounter_id, m.occurred_at AS occurred,"          \
    " m.actor, m.channel, m.kind, m.summary, m.impression, m.detail,"          \
    " m.content_hash, m.chain_hash, m.erased_at AS erased, c.ledger_key,"      \
    " c.erased_at AS customer_erased,"                                         \
    " e.bodies_dropped_at AS encounter_blanked FROM moments m"                 \
    " LEFT JOIN customers c ON c.id = m.customer_id"                           \
    " LEFT JOIN encounters e ON e.id = m.encounter_id"
/* Text replaced by the tombstone $2 where there was text. */
#define ERASE_TEXT(col)                                                        \
    " " #col " = CASE WHEN " #col " IS NULL THEN NULL ELSE $2::text END,"
/* A JSON list of texts replaced by as many tombstones (an empty list stays
 * "[]": json_agg of no rows is NULL). */
#define ERASE_LIST(table, col)                                                 \
    " " #col " = coalesce((SELECT json_agg($2::text)::text"                    \
    " FROM jsonb_array_elements(" #table "." #col "::jsonb)), '[]'),"
/* Customers not erased, with no moment since the cut-off $1 (a customer
 * merged into another goes with that other). */
#define RETAIN_INACTIVE                                                        \
    "c.erased_at IS NULL AND c.merged_into IS NULL"                            \
    " AND c.created_at < $1::bigint"                                           \
    " AND coalesce(c.active_at, c.created_at) < $1::bigint"
/* Encounters ended (closed or abandoned) before the cut-off $1 whose
 * messages still have their bodies. */
#define RETAIN_BODIES                                                          \
    "e.bodies_dropped_at IS NULL"                                              \
    " AND coalesce(e.closed_at, e.abandoned_at) < $1::bigint"

/* A customer's request for their data, as the core reads it. */
#define EXPORT_REQUEST_COLUMNS                                                 \
    "SELECT id, customer_id, encounter_id, status, requested_at,"              \
    " decided_at, decided_by, expires_at FROM export_requests"

/* What SQLite's json_extract gives for a JSON number or boolean, x being
 * the jsonb value: an integer (true 1, false 0), NULL for anything else. */
#define JSON_INT(x)                                                            \
    "CASE jsonb_typeof(" x ") WHEN 'number' THEN (" x                          \
    " #>> '{}')::numeric::bigint WHEN 'boolean' THEN (" x                      \
    " #>> '{}')::boolean::int::bigint END"
/* Whether a request was known when the encounter was acknowledged, from
 * the detail of that moment. */
#define REQUEST_KNOWN JSON_INT("detail::jsonb -> 'request_known'")
/* The knowledge base's query, from the FTS5 query text the core makes
 * (rp_kb_fts_query): double-quoted words, each maybe followed by * (a
 * prefix), joined by spaces (all must match) or by " OR " (any may).  A
 * word becomes the phrase the text search configuration makes of it (as
 * FTS5 makes a phrase of a quoted string), a prefix word the same as a
 * quoted tsquery lexeme with :* (each of its lexemes a prefix); the parts
 * are joined by the SQL text op (' & ' or ' | '); no words (or none left
 * once parsed) is NULL, which matches nothing.  Words hold only letters,
 * digits and non-ASCII characters (no quote, no operator), so the parse is
 * exact, and no user text reaches tsquery syntax unquoted. */
#define KB_TSQUERY(op) KB_TSQUERY_OF("$1", op)
#define KB_TSQUERY_OF(param, op)                                               \
    "(SELECT string_agg('(' || x.t::text || ')', " op ")"                      \
    " FILTER (WHERE numnode(x.t) > 0)"                                         \
    " FROM regexp_matches(" param "::text, '\"([^\"]*)\"(\\*?)', 'g') AS w"    \
    " CROSS JOIN LATERAL (SELECT CASE WHEN w[2] = '*'"                         \
    "  THEN to_tsquery('rp_kb', '''' || w[1] || ''':*')"                       \
    "  ELSE phraseto_tsquery('rp_kb', w[1]) END AS t) x)::tsquery"
/* How the words of $1 are joined: all, or any when the core joined them
 * with OR. */
#define KB_JOIN                                                                \
    "CASE WHEN strpos($1::text, ' OR ') > 0 THEN ' | ' ELSE ' & ' END"
/* The query that matches: its words joined as the core asked.  The rank
 * is each word's on its own (see knowledge.search). */
#define KB_TQ KB_TSQUERY(KB_JOIN)
/* The rare words of a knowledge search ($4, any of them), NULL when none. */
#define KB_RARE_TQ KB_TSQUERY_OF("$4", "' | '")
/* How many matching articles knowledge.search ranks at most: those that
 * hold a rare word (one that at most KB_RARE articles hold), up to
 * KB_RARE_ALL, and the first KB_RARE of all the matches. */
#define KB_RARE "1000"
#define KB_RARE_ALL "5000"
/* FTS5's snippet(..., '...', 24): about 24 words of the body holding the
 * most matches, marked, with "..." where the body goes on before or after
 * them.  s.h is ts_headline's one fragment (MaxFragments=1 picks the
 * words around the best cover of the query, much as FTS5 picks its
 * window; without it ts_headline starts at the first match), which says
 * nothing of what it left out, so it is found in the body without its
 * marks.  ts_headline also turns whatever its parser takes for an HTML
 * tag ("<b>") into a space, where FTS5 gives the text as it is (and the
 * core escapes it): so the text goes in with every '<' as chr(4), which
 * starts no tag, and comes out with it given back. */
#define KB_HEADLINE(text, options)                                             \
    "replace(ts_headline('rp_kb', replace(" text                               \
    ", '<', chr(4)), q.tq, " options                                           \
    " || 'StartSel=' || chr(2) || ', StopSel=' || chr(3)),"                    \
    " chr(4), '<')"
#define KB_TITLE_MARKED KB_HEADLINE("a.title", "'HighlightAll=true, '")
#define KB_BODY_HEADLINE                                                       \
    KB_HEADLINE("a.body", "'MaxFragments=1, MaxWords=24, MinWords=20,"         \
                          " ShortWord=0, '")
#define KB_PLAIN "replace(replace(s.h, chr(2), ''), chr(3), '')"
#define KB_SNIPPET                                                             \
    " CASE WHEN strpos(a.body, " KB_PLAIN ") <> 1 THEN '...' ELSE '' END"      \
    " || s.h || CASE WHEN strpos(a.body, " KB_PLAIN ") = 0"                    \
    " OR strpos(a.body, " KB_PLAIN ") + length(" KB_PLAIN ") <="               \
    " length(a.body) THEN '...' ELSE '' END"
/* The customer search's text: the FTS5 string the core makes (the text in
 * double quotes, a quote inside doubled) back to the text, as an ILIKE
 * pattern that holds it anywhere (its \, % and _ escaped). */
#define CUSTOMER_PATTERN                                                       \
    "('%' || replace(replace(replace(replace(substr($1::text, 2,"              \
    " length($1::text) - 2), '\"\"', '\"'), '\\', '\\\\'), '%', '\\%'),"       \
    " '_', '\\_') || '%')"

static const char *const queries[RP_QUERY_COUNT] = {
    /* ---- the audit log ---- */
    /* The customer a subject belongs to is found here, in the insert, so
     * that the caller (the HTTP layer, for any route) needs to know no
     * more than the route's path id. */
    [RP_Q_AUDIT_INSERT] =
        "INSERT INTO audit_log (at, action, agent_id, token_id, via, address,"
        " method, route, subject, subject_id, customer_id, status, code,"
        " field) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        " coalesce($11::bigint, CASE $9::text"
        "  WHEN 'customer' THEN $10::bigint"
        "  WHEN 'encounter' THEN (SELECT customer_id FROM encounters"
        "   WHERE id = $10::bigint)"
        "  WHEN 'message' THEN (SELECT customer_id FROM messages WHERE id = "
        "$10)"
        "  WHEN 'attachment' THEN (SELECT customer_id FROM attachments"
        "   WHERE id = $10)"
        "  WHEN 'task' THEN (SELECT customer_id FROM tasks WHERE id = $10)"
        "  WHEN 'promise' THEN (SELECT customer_id FROM promises WHERE id = "
        "$10)"
        "  WHEN 'export_request' THEN (SELECT customer_id FROM"
        "   export_requests WHERE id = $10)"
        " END), $12, $13, $14)",
    /* RP_AUDIT_INSERT_ROWS entries at once, each as audit.insert's 14
     * parameters: one statement for many rows costs about half as much
     * per row as one per row (the statement's start, its cursors and its
     * end are paid once) */
    [RP_Q_AUDIT_INSERT_ROWS] =
        "INSERT INTO audit_log (at, action, agent_id, token_id, via, address,"
        " method, route, subject, subject_id, customer_id, status, code,"
        " field) SELECT column1, column2, column3, column4, column5, column6,"
        " column7, column8, column9, column10, coalesce(column11, CASE column9"
        "  WHEN 'customer' THEN column10"
        "  WHEN 'encounter' THEN (SELECT customer_id FROM encounters"
        "   WHERE id = column10)"
        "  WHEN 'message' THEN (SELECT customer_id FROM messages"
        "   WHERE id = column10)"
        "  WHEN 'attachment' THEN (SELECT customer_id FROM attachments"
        "   WHERE id = column10)"
        "  WHEN 'task' THEN (SELECT customer_id FROM tasks WHERE id = column10)"
        "  WHEN 'promise' THEN (SELECT customer_id FROM promises"
        "   WHERE id = column10)"
        "  WHEN 'export_request' THEN (SELECT customer_id FROM"
        "   export_requests WHERE id = column10)"
        " END), column12, column13, column14 FROM (VALUES " AUDIT_ROWS_16 ")"
        " AS v (column1, column2, column3, column4, column5, column6,"
        " column7, column8, column9, column10, column11, column12, column13,"
        " column14)",
    /* newest first, a page before id $5; $2 an agent, $3 and $4 a window
     * (each NULL for any) */
    [RP_Q_AUDIT_LIST] = AUDIT_COLUMNS
    " WHERE a.id < $5::bigint"
    " AND ($2::bigint IS NULL OR a.agent_id = $2::bigint)"
    " AND ($3::bigint IS NULL OR a.at >= $3::bigint)"
    " AND ($4::bigint IS NULL OR a.at < $4::bigint)"
    " AND $1::bigint IS NULL ORDER BY a.id DESC LIMIT $6::bigint",
    [RP_Q_AUDIT_LIST_BY_CUSTOMER] = AUDIT_COLUMNS
    " WHERE a.customer_id = $1::bigint AND a.id < $5::bigint"
    " AND ($2::bigint IS NULL OR a.agent_id = $2::bigint)"
    " AND ($3::bigint IS NULL OR a.at >= $3::bigint)"
    " AND ($4::bigint IS NULL OR a.at < $4::bigint)"
    " ORDER BY a.id DESC LIMIT $6::bigint",
    [RP_Q_AUDIT_LIST_BY_AGENT] = AUDIT_COLUMNS
    " WHERE a.agent_id = $2::bigint AND a.id < $5::bigint"
    " AND $1::bigint IS NULL"
    " AND ($3::bigint IS NULL OR a.at >= $3::bigint)"
    " AND ($4::bigint IS NULL OR a.at < $4::bigint)"
    " ORDER BY a.id DESC LIMIT $6::bigint",
    /* ---- the customer's export ---- */
    /* the links of their help pages, without the hash that opens one */
    [RP_Q_EXPORT_HELP_LINKS] =
        "SELECT id, purpose, encounter_id, customer_id, email, thread_id,"
        " subject, created_at, expires_at, mail_state, mail_attempts,"
        " mail_error FROM help_links WHERE customer_id = $1 ORDER BY id",
    /* the requests to erase the customer that wait for a second person */
    [RP_Q_EXPORT_ERASURE_REQUESTS_OF] =
        "SELECT id, customer_id, requested_by, suppress_marketing, agent_id,"
        " approved_by, state, created_at, done_at FROM erasure_requests"
        " WHERE customer_id = $1 ORDER BY id",
    [RP_Q_EXPORT_REQUESTS_OF] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = $1 ORDER BY id",
    [RP_Q_EXPORT_REQUEST_INSERT] =
        "INSERT INTO export_requests (customer_id, encounter_id, status,"
        " requested_at, decided_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " RETURNING id",
    [RP_Q_EXPORT_REQUEST_PENDING] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = $1 AND status = 'pending' ORDER BY id DESC"
    " LIMIT 1",
    [RP_Q_EXPORT_REQUEST_LATEST] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = $1 ORDER BY id DESC LIMIT 1",
    [RP_Q_EXPORT_REQUEST_APPROVE] =
        "UPDATE export_requests SET status = 'approved', decided_at = $1,"
        " decided_by = $2, expires_at = $3 WHERE id = $4 AND status = "
        "'pending'",
    [RP_Q_EXPORT_REQUEST_GET] = EXPORT_REQUEST_COLUMNS " WHERE id = $1",
    /* newest first, before id $2; $1 a status or NULL for all */
    [RP_Q_EXPORT_REQUEST_LIST] =
        "SELECT r.id, r.customer_id, c.name AS customer_name, r.encounter_id,"
        " r.status, r.requested_at, r.decided_at, r.decided_by,"
        " r.expires_at FROM export_requests r"
        " JOIN customers c ON c.id = r.customer_id"
        " WHERE ($1::text IS NULL OR r.status = $1::text) AND r.id < $2"
        " ORDER BY r.id DESC LIMIT $3",
    /* ---- customer: relationship level and overview.  Every query is
     * bounded and leads with customer_id or encounter_id, so its cost stays
     * flat as a customer's history grows. ---- */
    [RP_Q_CUSTOMER_RELATIONSHIP_EVIDENCE] =
        "SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'formal_exchange' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL::bigint AS score FROM encounters"
        "  WHERE customer_id = $1 AND stage = 'closed' AND exchange = 'formal'"
        "  ORDER BY id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'resolution_satisfied' AS rule, e.id AS encounter_id,"
        "  e.closed_at AS at, max(s.score) AS score"
        "  FROM encounters e JOIN satisfaction_checks s"
        "  ON s.customer_id = e.customer_id AND s.encounter_id = e.id"
        "  WHERE e.customer_id = $1 AND e.stage = 'closed'"
        "  AND e.exchange = 'resolution' AND s.score >= 4"
        "  GROUP BY e.id ORDER BY e.id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'become_encounter' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL::bigint AS score FROM encounters"
        "  WHERE customer_id = $1 AND stage = 'closed' AND kind = 'become'"
        "  ORDER BY id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'active_goal' AS rule, encounter_id, created_at AS at,"
        "  NULL::bigint AS score FROM goals"
        "  WHERE customer_id = $1 AND status = 'active'"
        "  ORDER BY id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'supplemental_followed_up' AS rule, e.id AS encounter_id,"
        "  max(t.done_at) AS at, NULL::bigint AS score"
        "  FROM encounters e JOIN tasks t"
        "  ON t.customer_id = e.customer_id AND t.encounter_id = e.id"
        "  WHERE e.customer_id = $1 AND e.stage = 'closed'"
        "  AND e.exchange = 'supplemental' AND t.kind = 'follow_up'"
        "  AND t.status = 'done' GROUP BY e.id ORDER BY e.id DESC LIMIT 10)"
        " AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'closed_encounter' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL::bigint AS score FROM encounters"
        "  WHERE customer_id = $1 AND stage = 'closed'"
        "  ORDER BY id DESC LIMIT 10) AS r"
        /* what the relationship did since: follow-ups done, promises kept
         * or broken (newest first), the newest satisfaction answer */
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'follow_up_done' AS rule, encounter_id, done_at AS at,"
        "  NULL::bigint AS score FROM tasks"
        "  WHERE customer_id = $1 AND status = 'done' AND kind = 'follow_up'"
        "  ORDER BY done_at DESC NULLS LAST LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'promise_kept' AS rule, encounter_id, settled_at AS at,"
        "  NULL::bigint AS score FROM promises"
        "  WHERE customer_id = $1 AND status = 'kept'"
        "  ORDER BY settled_at DESC NULLS LAST, id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'promise_broken' AS rule, encounter_id, settled_at AS at,"
        "  NULL::bigint AS score FROM promises"
        "  WHERE customer_id = $1 AND status = 'broken'"
        "  ORDER BY settled_at DESC NULLS LAST, id DESC LIMIT 10) AS r"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'latest_satisfaction' AS rule, encounter_id,"
        "  answered_at AS at, score FROM satisfaction_checks"
        "  WHERE customer_id = $1 AND answered_at IS NOT NULL"
        "  ORDER BY answered_at DESC, id DESC LIMIT 1) AS r",
    [RP_Q_CUSTOMER_CLOSED_COUNT] =
        "SELECT count(*) AS n FROM encounters WHERE customer_id = $1"
        " AND stage = 'closed'",
    [RP_Q_CUSTOMER_VIEW_ROW] =
        "SELECT id, name, preferred_name, emails AS emails__json,"
        " phones AS phones__json, notes, created_at, updated_at,"
        " relationship_level,"
        " relationship_reasons AS relationship_reasons__json,"
        " unconfirmed AS unconfirmed__bool, external_id, erased_at,"
        " merged_into,"
        " coalesce(nullif(preferred_name, ''), name, '') AS greeting_name"
        " FROM customers WHERE id = coalesce((SELECT merged_into"
        " FROM customers WHERE id = $1), $1)",
    [RP_Q_CUSTOMER_OPEN_ENCOUNTERS] =
        "SELECT id, channel, subject, stage, created_at, acknowledged_at"
        " FROM encounters WHERE customer_id = $1"
        " AND stage IN ('received','understood','helped','kept')"
        " ORDER BY id DESC LIMIT 50",
    [RP_Q_CUSTOMER_OPEN_PROMISES] = "SELECT id, encounter_id, what, due_at, "
                                    "status, created_at FROM promises"
                                    " WHERE customer_id = $1 AND status = "
                                    "'open' ORDER BY due_at, id LIMIT 50",
    [RP_Q_CUSTOMER_OPEN_FOLLOW_UPS] =
        "SELECT id, encounter_id, kind, subject, channel, due_at, status,"
        " (due_at <= $2::bigint)::int AS due__bool FROM tasks"
        " WHERE customer_id = $1 AND status IN ('scheduled','claimed','held')"
        " AND kind IN ('follow_up','satisfaction_check')"
        " ORDER BY due_at, id LIMIT 50",
    [RP_Q_CUSTOMER_LATEST_MOMENTS] =
        "SELECT id, encounter_id, occurred_at, actor, channel, kind, summary,"
        " impression FROM moments WHERE customer_id = $1"
        " ORDER BY id DESC LIMIT 10",
    [RP_Q_CUSTOMER_SATISFACTION_SUMMARY] =
        "SELECT count(*) AS count, avg(score) AS average"
        " FROM satisfaction_checks WHERE customer_id = $1"
        " AND answered_at IS NOT NULL",
    [RP_Q_CUSTOMER_SATISFACTION_WORD_LISTS] =
        "SELECT words AS words__json FROM satisfaction_checks"
        " WHERE customer_id = $1 AND answered_at IS NOT NULL",
    [RP_Q_CUSTOMER_ENCOUNTER_COUNTS] =
        "SELECT kind, exchange, kind_source, exchange_source, count(*) AS n"
        " FROM encounters WHERE customer_id = $1"
        " GROUP BY kind, exchange, kind_source, exchange_source",
    [RP_Q_CUSTOMER_PREFERENCES] =
        "SELECT id, key, value, firmness FROM preferences"
        " WHERE customer_id = $1 ORDER BY key LIMIT 50",
    [RP_Q_CUSTOMER_FIRM_PREFERENCES] =
        "SELECT id, key, value, firmness FROM preferences"
        " WHERE customer_id = $1 AND firmness = 'firm' ORDER BY key LIMIT 50",
    /* Profile changes that touch scheduled tasks (profile.c). */
    [RP_Q_CUSTOMER_CANCEL_DATE_TASKS] =
        "UPDATE tasks SET status = 'cancelled', last_error = $1"
        " WHERE customer_id = $2 AND status IN ('scheduled', 'held')"
        " AND kind IN ('reminder', 'renewal_notice')"
        " AND payload::jsonb ->> 'date_id' = $3::text",
    [RP_Q_CUSTOMER_UNHOLD_TASKS] =
        "UPDATE tasks SET status = 'scheduled', last_error = NULL,"
        " next_attempt_at = NULL"
        " WHERE customer_id = $1 AND purpose = $2 AND status = 'held'",

    /* ---- encounter: the cycle and recording ---- */
    [RP_Q_ENCOUNTER_FACTS] =
        "SELECT"
        " (SELECT count(*) FROM satisfaction_checks WHERE customer_id = $1"
        "   AND encounter_id = $2 AND answered_at IS NOT NULL) AS sat_answered,"
        " (SELECT coalesce(max(score), 0) FROM satisfaction_checks"
        "   WHERE customer_id = $1 AND encounter_id = $2"
        "   AND answered_at IS NOT NULL) AS sat_best,"
        " (SELECT count(*) FROM tasks WHERE encounter_id = $2"
        "   AND kind = 'satisfaction_check' AND status <> 'cancelled')"
        "   AS sat_scheduled,"
        " (SELECT count(*) FROM tasks WHERE encounter_id = $2"
        "   AND kind = 'follow_up' AND status <> 'cancelled') AS follow_ups,"
        " (SELECT count(*) FROM tasks WHERE encounter_id = $2"
        "   AND kind = 'follow_up' AND status = 'done') AS follow_ups_done,"
        " (SELECT count(*) FROM promises WHERE customer_id = $1"
        "   AND encounter_id = $2) AS promises,"
        " (SELECT " REQUEST_KNOWN " FROM moments"
        "   WHERE encounter_id = $2 AND kind = 'encounter.acknowledged'"
        "   ORDER BY id LIMIT 1) AS request_known,"
        /* what first-contact resolution is judged on */
        " (SELECT count(*) FROM promises WHERE customer_id = $1"
        "   AND encounter_id = $2 AND status = 'open') AS promises_open,"
        " (SELECT count(*) FROM promises WHERE customer_id = $1"
        "   AND encounter_id = $2 AND status = 'broken') AS promises_broken,"
        " (SELECT count(*) FROM messages WHERE encounter_id = $2"
        "   AND direction = 'inbound') AS inbound_messages,"
        " (SELECT count(*) FROM messages m, encounters e"
        "   WHERE e.id = $2 AND m.encounter_id = $2 AND m.direction ="
        "   'inbound' AND m.created_at <= e.created_at) AS opened_by_message,"
        " (SELECT count(*) FROM moments WHERE encounter_id = $2"
        "   AND kind = 'encounter.reopened') AS reopened",
    [RP_Q_ENCOUNTER_TASK_COUNT] =
        "SELECT count(*) AS n FROM tasks WHERE encounter_id = $1 AND kind = $2",

    /* ---- followup: scheduler, delivery, satisfaction ---- */
    /* Claiming and settling tasks. */
    [RP_Q_FOLLOWUP_CLAIM_TASKS] =
        "UPDATE tasks SET status = 'claimed', claimed_by = $1::text,"
        " claimed_at = $2::bigint,"
        " attempts = attempts + 1 WHERE id IN (SELECT id FROM tasks"
        " WHERE ((status = 'scheduled' AND due_at <= $3::bigint"
        "   AND coalesce(next_attempt_at, 0) <= $4::bigint)"
        " OR (status = 'claimed' AND claimed_at <= $5::bigint))"
        " AND (kind <> 'follow_up' OR channel IS NULL"
        "   OR channel NOT IN ('phone', 'in_person'))"
        " ORDER BY due_at, id LIMIT $6::bigint FOR UPDATE SKIP LOCKED)"
        " RETURNING id, customer_id, encounter_id, kind, purpose, channel,"
        " subject, payload AS payload__json, due_at AS due_at,"
        " idempotency_key, attempts, sending_at AS sending_at",
    [RP_Q_FOLLOWUP_TASK_SENT] =
        "UPDATE tasks SET status = 'sent', sent_at = $1, channel = $2,"
        " last_error = NULL, next_attempt_at = NULL"
        " WHERE id = $3 AND status = 'claimed' AND claimed_by = $4",
    [RP_Q_FOLLOWUP_TASK_SETTLE] =
        "UPDATE tasks SET status = $1, next_attempt_at = $2, last_error = $3,"
        " channel = coalesce($4::text, channel), sending_at = NULL"
        " WHERE id = $5 AND status = 'claimed' AND claimed_by = $6",
    /* Satisfaction checks (satisfaction.c). */
    [RP_Q_FOLLOWUP_SATISFACTION_ANSWER] =
        "UPDATE satisfaction_checks SET score = $1, words = $2, comment = $3,"
        " answered_at = $4 WHERE id = $5 AND answered_at IS NULL",
    [RP_Q_FOLLOWUP_SATISFACTION_SUMMARY] =
        "SELECT count(*) AS answered, avg(score)::float8 AS average_score,"
        " sum((score >= 4)::int)::bigint AS positive,"
        " sum((score = 3)::int)::bigint AS neutral,"
        " sum((score <= 2)::int)::bigint AS negative FROM satisfaction_checks"
        " WHERE customer_id = $1 AND answered_at IS NOT NULL",

    /* ---- offers: loyalty and recommendations ---- */
    /* Loyalty (loyalty.c). */
    [RP_Q_OFFERS_LOYALTY_STATS] =
        "SELECT count(*) AS visits, coalesce(sum(spend), 0)::float8 AS spend"
        " FROM encounters WHERE customer_id = $1 AND stage = 'closed'",
    [RP_Q_OFFERS_LOYALTY_TIERS] =
        "SELECT id, name, rank, min_visits, min_tenure_days, min_spend,"
        " discount_percent FROM loyalty_tiers ORDER BY rank DESC",
    [RP_Q_OFFERS_LOYALTY_TIERS_CLEAR] = "DELETE FROM loyalty_tiers",
    /* Recommendations (recommend.c). */
    [RP_Q_OFFERS_RECENT_EXCHANGES] =
        "SELECT id, exchange FROM encounters WHERE customer_id = $1"
        " AND stage = 'closed' ORDER BY id DESC LIMIT 3",
    [RP_Q_OFFERS_PRODUCTS] =
        "SELECT id, name, category, attributes AS attributes__json, stock,"
        " tags AS tags__json, related AS related__json, price FROM products"
        " ORDER BY id LIMIT 2000",
    [RP_Q_OFFERS_SHOWN] =
        "SELECT product_id FROM offers WHERE customer_id = $1 "
        "AND status = 'shown'",

    /* ---- staff: agents, sessions, tokens, login throttle, routing ---- */
    [RP_Q_STAFF_AGENT_BY_EMAIL] =
        "SELECT id, role, active AS active__bool, password_hash FROM agents"
        " WHERE lower(email) = lower($1::text)",
    [RP_Q_STAFF_AGENT_SET_PASSWORD] =
        "UPDATE agents SET password_hash = $1, updated_at = $2 WHERE id = $3",
    [RP_Q_STAFF_AGENT_SET_SETTINGS] =
        "UPDATE agents SET language = $1, time_zone = $2, updated_at = $3"
        " WHERE id = $4",
    [RP_Q_STAFF_OTHER_ACTIVE_ADMINS] =
        "SELECT count(*) AS n FROM agents WHERE role = 'admin' AND active = 1"
        " AND id <> $1",
    [RP_Q_STAFF_SESSION_INSERT] =
        "INSERT INTO agent_sessions (agent_id, token_hash, created_at,"
        " last_seen_at) VALUES ($1, $2, $3, $4)",
    /* "seen" not "last_seen_at": the caller compares it as an integer */
    [RP_Q_STAFF_SESSION_LOOKUP] =
        "SELECT s.id AS session_id, s.last_seen_at AS seen,"
        " s.created_at AS born, a.id AS agent_id,"
        " a.role, a.active AS active__bool FROM agent_sessions s"
        " JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = $1",
    [RP_Q_STAFF_SESSION_TOUCH] =
        "UPDATE agent_sessions SET last_seen_at = $1 WHERE id = $2",
    [RP_Q_STAFF_SESSION_DELETE] =
        "DELETE FROM agent_sessions WHERE token_hash = $1",
    [RP_Q_STAFF_SESSIONS_EXPIRE] =
        "DELETE FROM agent_sessions WHERE last_seen_at < $1 OR created_at < $2",
    [RP_Q_STAFF_SESSIONS_OF_AGENT_DELETE] =
        "DELETE FROM agent_sessions WHERE agent_id = $1",
    [RP_Q_STAFF_TOKEN_INSERT] =
        "INSERT INTO api_tokens (agent_id, name, token_hash, created_at,"
        " expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [RP_Q_STAFF_TOKEN_LOOKUP] =
        "SELECT t.id AS token_id,"
        " (t.revoked_at IS NOT NULL)::int AS revoked__bool,"
        " t.last_used_at AS used, t.expires_at AS expires, a.id AS agent_id,"
        " a.role, t.scope, t.read_only AS read_only__bool,"
        " t.resources AS resources__json, t.queues AS queues__json,"
        " a.active AS active__bool FROM api_tokens t"
        " JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = $1",
    [RP_Q_STAFF_TOKEN_TOUCH] =
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
    [RP_Q_STAFF_TOKEN_GET] =
        "SELECT id, agent_id, name, scope, read_only AS read_only__bool,"
        " resources AS resources__json, queues AS queues__json, created_at,"
        " expires_at, last_used_at,"
        " revoked_at FROM api_tokens WHERE id = $1",
    [RP_Q_STAFF_TOKEN_LIST] =
        "SELECT id, agent_id, name, created_at, expires_at, last_used_at,"
        " revoked_at, read_only AS read_only__bool, resources AS"
        " resources__json, queues AS queues__json"
        " FROM api_tokens WHERE ($1::bigint = 0 OR agent_id = $1::bigint)"
        " AND id > $2 ORDER BY id LIMIT $3",
    [RP_Q_STAFF_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked_at = $1"
                                " WHERE id = $2 AND revoked_at IS NULL",
    [RP_Q_STAFF_LOGIN_FAILURES_COUNT] =
        "SELECT count(*) AS n, max(failed_at) AS last FROM login_failures"
        " WHERE key = $1 AND failed_at > $2",
    [RP_Q_STAFF_LOGIN_FAILURE_ADD] = "INSERT INTO login_failures (key, "
                                     "failed_at) VALUES ($1, $2) RETURNING id",
    [RP_Q_STAFF_LOGIN_FAILURE_DELETE] =
        "DELETE FROM login_failures WHERE id = $1",
    [RP_Q_STAFF_LOGIN_FAILURES_CLEAR] =
        "DELETE FROM login_failures WHERE key = $1",
    [RP_Q_STAFF_LOGIN_FAILURES_EXPIRE] =
        "DELETE FROM login_failures WHERE failed_at < $1",
    /* The queue whose topics hold the topic wins over one that only takes
     * the channel; among equals the oldest queue. */
    [RP_Q_STAFF_QUEUE_FOR] =
        "SELECT id, name, skills AS skills__json,"
        " CASE WHEN $1::text IS NOT NULL AND EXISTS (SELECT 1 FROM"
        "   jsonb_array_elements_text(topics::jsonb) AS j(value)"
        "   WHERE lower(value) = lower($1::text)) THEN 0 ELSE 1 END AS rank"
        " FROM queues WHERE ($1::text IS NOT NULL AND EXISTS (SELECT 1 FROM"
        "   jsonb_array_elements_text(topics::jsonb) AS j(value)"
        "   WHERE lower(value) = lower($1::text)))"
        " OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(channels::jsonb)"
        "   AS j(value) WHERE value = $2::text)"
        " ORDER BY rank, id LIMIT 1",
    /* Available agents and their open load, as the triggers of migration
     * 108 keep it (agent_open_work): one row per agent, however much work
     * is open; a bounded set since agents are few. */
    [RP_Q_STAFF_ROUTING_CANDIDATES] =
        "SELECT a.id, a.name, a.skills AS skills__json,"
        " coalesce((SELECT w.open_work FROM agent_open_work w"
        "   WHERE w.agent_id = a.id), 0) AS open"
        " FROM agents a WHERE a.active = 1 AND a.available = 1 ORDER BY a.id",

    /* ---- knowledge base ---- */
    /* As on SQLite: drafts only for a writer ($3 = 1); the best matches (a pool
     * of at least 50, five times what is asked) are taken from the matching
     * articles ranked by relevance alone, bm25's way: the sum over the words
     * of each word's weight in the article times its inverse document
     * frequency, FTS5's log((N - n + 0.5) / (n + 0.5)) (at least 1e-6),
     * where N is the number of articles and n how many hold the word, both
     * read from kb_terms (migration 100: a few primary-key lookups, a range
     * for a prefix word, summed; a word of several lexemes counts as its
     * rarest).  A word's weight is its ts_rank with title 1.0, tags 0.6 and
     * body 0.2, as bm25(5.0, 1.0, 3.0) weighs them, divided by 1 + the log
     * of the length, as bm25 favours short texts; ts_rank's sum over a
     * word's occurrences saturates as bm25's term frequency does.  What is
     * ranked is bounded (KB_RARE): every match that holds a rare word (one
     * at most KB_RARE articles hold: $4, the words the core found rare
     * with knowledge.word_articles, NULL when none is), up to KB_RARE_ALL,
     * and the first KB_RARE matches of all, so a common word's tens of
     * thousands of matches are never all ranked (issue 13's rule); a common
     * word weighs almost nothing (bm25's idf), so where a rare word is asked
     * the best are among those, and where all the words are common the best are
     * taken from the first KB_RARE matches.  Only the pool is weighed by
     * its helpfulness (a factor of 0.5 to 1.5 on the
     * relevance), and only the ones returned get a highlighted title and a
     * snippet (KB_SNIPPET). */
    [RP_Q_KNOWLEDGE_SEARCH] =
        "WITH q AS (SELECT " KB_TQ " AS tq),"
        " n AS (SELECT greatest(coalesce((SELECT k.articles FROM kb_terms k"
        "   WHERE k.term = ''), 0), 1)::float8 AS articles),"
        " terms AS MATERIALIZED (SELECT x.t, d.df,"
        "  greatest(ln((n.articles - d.df"
        "   + 0.5) / (d.df + 0.5)), 1e-6)::float8 AS idf"
        "  FROM regexp_matches($1::text, '\"([^\"]*)\"(\\*?)', 'g') AS w"
        "  CROSS JOIN n"
        "  CROSS JOIN LATERAL (SELECT CASE WHEN w[2] = '*'"
        "   THEN to_tsquery('rp_kb', '''' || w[1] || ''':*')"
        "   ELSE phraseto_tsquery('rp_kb', w[1]) END AS t) x"
        "  CROSS JOIN LATERAL (SELECT least(coalesce(min(c.df), 0),"
        "    n.articles) AS df"
        "   FROM unnest(tsvector_to_array(to_tsvector('rp_kb', w[1]))) AS l"
        "   CROSS JOIN LATERAL (SELECT coalesce(sum(k.articles), 0)::float8"
        "    AS df FROM kb_terms k WHERE k.term >= l COLLATE \"C\""
        "    AND k.term <= (l || CASE WHEN w[2] = '*' THEN chr(1114111)"
        "    ELSE '' END) COLLATE \"C\") c) d"
        "  WHERE numnode(x.t) > 0),"
        " rare AS (SELECT (SELECT q.tq FROM q) && " KB_RARE_TQ " AS tq),"
        " cand AS ((SELECT a.id FROM kb_articles a, rare r"
        "   WHERE a.search @@ r.tq"
        "   AND ($3::bigint = 1 OR a.state = 'published') LIMIT " KB_RARE_ALL
        ")"
        "  UNION (SELECT a.id FROM kb_articles a, q WHERE a.search @@ q.tq"
        "   AND ($3::bigint = 1 OR a.state = 'published') LIMIT " KB_RARE ")),"
        " pool AS (SELECT a.id, (SELECT sum(t.idf * ts_rank("
        "   '{0.1, 0.2, 0.6, 1.0}', a.search, t.t, 1)) FROM terms t)::float8"
        "   AS relevance FROM cand c JOIN kb_articles a ON a.id = c.id"
        "  ORDER BY relevance DESC, a.id"
        "  LIMIT greatest($2::bigint * 5, 50)),"
        " best AS (SELECT p.id, p.relevance, p.relevance * (0.5 +"
        "   (a.helped + 1.0::float8) / (a.helped + a.not_helped + 2.0::float8))"
        "   AS score FROM pool p JOIN kb_articles a ON a.id = p.id"
        "  ORDER BY score DESC, p.id LIMIT $2::bigint)"
        " SELECT a.id, a.title, a.tags AS tags__json, a.helped, a.not_helped,"
        " " KB_TITLE_MARKED " AS title_marked,"
        " " KB_SNIPPET " AS snippet_marked, b.relevance, b.score"
        " FROM best b JOIN kb_articles a ON a.id = b.id CROSS JOIN q"
        " CROSS JOIN LATERAL (SELECT " KB_BODY_HEADLINE " AS h) s"
        " ORDER BY b.score DESC, b.id",
    /* As on SQLite: how many articles the word $1 ("word" or "word"*, as
     * the core quotes it) matches, up to $2, from kb_terms as
     * knowledge.search reads it (a prefix sums the range of the words it
     * starts; a word of several lexemes counts as its rarest). */
    [RP_Q_KNOWLEDGE_WORD_ARTICLES] =
        "SELECT least(coalesce(min(c.df), 0), $2::bigint)::bigint AS articles"
        " FROM regexp_matches($1::text, '\"([^\"]*)\"(\\*?)') AS w"
        " CROSS JOIN LATERAL"
        "  unnest(tsvector_to_array(to_tsvector('rp_kb', w[1]))) AS l"
        " CROSS JOIN LATERAL (SELECT coalesce(sum(k.articles), 0) AS df"
        "  FROM kb_terms k WHERE k.term >= l COLLATE \"C\""
        "  AND k.term <= (l || CASE WHEN w[2] = '*' THEN chr(1114111)"
        "  ELSE '' END) COLLATE \"C\") c",
    [RP_Q_KNOWLEDGE_VOTE] = "UPDATE kb_articles SET helped = helped +"
                            " $1::bigint, not_helped = not_helped +"
                            " $2::bigint"
                            " WHERE id = $3",
    /* As on SQLite: the tags and their articles, drafts for writers. */
    [RP_Q_KNOWLEDGE_TAGS] =
        "SELECT j.tag, count(*) AS articles FROM kb_articles a"
        " CROSS JOIN LATERAL jsonb_array_elements_text(a.tags::jsonb) AS j(tag)"
        " WHERE $1::bigint = 1 OR a.state = 'published'"
        " GROUP BY j.tag ORDER BY articles DESC, j.tag LIMIT 200",

    /* ---- measures: charter, promises, metrics ---- */
    /* The service charter (charter.c). */
    [RP_Q_MEASURES_CHARTER_LIST] =
        "SELECT key, value, updated_at, updated_by FROM charter ORDER BY key",
    [RP_Q_MEASURES_CHARTER_SET] =
        "UPDATE charter SET value = $1, updated_at = $2, updated_by = $3"
        " WHERE key = $4",
    [RP_Q_MEASURES_CHARTER_BREACHES] = M_LIST,
    [RP_Q_MEASURES_CHARTER_BREACHES_RECORDS] =
        "SELECT * FROM (" M_BREACHES ") AS b"
        " ORDER BY started_at, target, subject_id LIMIT $10::bigint",
    [RP_Q_MEASURES_CHARTER_BREACH_COUNTS] =
        "SELECT target, count(*) AS n FROM (" M_BREACHES ") AS b"
        " GROUP BY target",
    /* How long the breaches took, summed by target, kind of subject and
     * queue (0: none): the breaches, their calendar seconds, and the
     * seconds past the target counted around the clock (charter.c,
     * rp_charter_breach_times; the encounters of a queue with business
     * hours are counted again in its hours from the rows below).  The
     * same judgement as M_BREACHES, in one pass over the window's
     * encounters (each one's charter version found once, not per target
     * and use), then one arm per target over what it read. */
    [RP_Q_MEASURES_BREACH_TIMES] =
        "WITH x AS MATERIALIZED (SELECT coalesce(e.queue_id, 0) AS q, "
        "e.arrived_at AS a,"
        " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, $5::bigint)"
        "  AS ack_end,"
        " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, "
        "$5::bigint)"
        "  AS first_end,"
        " coalesce(e.closed_at, e.abandoned_at, $5::bigint) AS res_end,"
        " e.closed_at AS closed, e.abandoned_at AS abandoned,"
    /* the targets of the charter at its arrival */
    M_CHARTER_TARGET_COLUMNS
        /* no customer: the times need none (sqlite_queries.c) */
        " FROM encounters e" M_CHARTER_AT_ARRIVAL " WHERE" M_ENC_WINDOW "),"
        /* the follow-ups' and promises' arm of M_BREACHES, its columns
         * named */
        " f(target, subject, subject_id, encounter_id, customer_id,"
        " customer_name, started_at, target_seconds, actual_seconds, detail,"
        " due_at, queue_id) AS (" M_BREACHES_FOLLOW_UPS ")"
        " SELECT 'acknowledge' AS target, 'encounter' AS subject,"
        " q AS queue_id, count(*) AS n, sum(ack_end - a)::bigint AS "
        "calendar_sum,"
        " sum(greatest(ack_end - a - ack_t, 0))::bigint AS over_sum FROM x"
        " WHERE ack_end > coalesce(ack_d, a + ack_t) GROUP BY q"
        " UNION ALL SELECT 'first_response', 'encounter', q, count(*),"
        " sum(first_end - a)::bigint, sum(greatest(first_end - a - first_t, "
        "0))::bigint"
        " FROM x WHERE first_end > coalesce(first_d, a + first_t) GROUP BY q"
        " UNION ALL SELECT 'resolution', 'encounter', q, count(*),"
        " sum(res_end - a)::bigint, sum(greatest(res_end - a - res_t, "
        "0))::bigint FROM x"
        " WHERE (closed IS NOT NULL AND closed > coalesce(res_d, a + res_t))"
        " OR (closed IS NULL AND abandoned IS NOT NULL)"
        " OR (closed IS NULL AND abandoned IS NULL"
        "  AND $5::bigint > coalesce(res_d, a + res_t))"
        " GROUP BY q"
        " UNION ALL SELECT target, subject, coalesce(queue_id, 0), count(*),"
        " sum(actual_seconds)::bigint, sum(greatest(actual_seconds - "
        "target_seconds,"
        " 0))::bigint FROM f"
        " GROUP BY target, subject, coalesce(queue_id, 0)",
    [RP_Q_MEASURES_BREACH_TIMES_ROWS] =
        "SELECT target, started_at AS started, actual_seconds,"
        " target_seconds FROM (" M_BREACHES ") AS b"
        " WHERE subject = 'encounter' AND coalesce(queue_id, 0) = $10::bigint",
    [RP_Q_MEASURES_PROMISES_OVERDUE] =
        "SELECT id, customer_id, encounter_id, what, due_at AS due"
        " FROM promises WHERE status = 'open' AND due_at < $1"
        " ORDER BY status, due_at LIMIT $2::bigint",
    [RP_Q_MEASURES_PROMISE_SETTLE] =
        "UPDATE promises SET status = $1, settled_at = $2"
        " WHERE id = $3 AND status = 'open'",
    /* Service metrics of a window (metrics.c). */
    [RP_Q_MEASURES_VOLUME] =
        "SELECT count(*) AS encounters,"
        " coalesce(sum((e.abandoned_at IS NOT NULL)::int), 0)::bigint"
        "   AS abandoned,"
        " coalesce(sum((e.closed_at IS NOT NULL)::int), 0)::bigint AS closed,"
        " coalesce(sum((e.closed_at IS NOT NULL AND"
        "   e.first_contact_resolved = 1)::int), 0)::bigint"
        "   AS first_contact_resolved,"
        " coalesce(sum((e.closed_at IS NOT NULL AND"
        "   e.first_contact_resolved IS NULL)::int), 0)::bigint"
        "   AS first_contact_unknown,"
        " coalesce(sum((e.acknowledged_at IS NULL AND e.abandoned_at IS NULL"
        "   AND e.closed_at IS NULL)::int), 0)::bigint AS waiting,"
        " coalesce(sum(e.transfers), 0)::bigint AS transfers,"
        " coalesce(sum((e.transfers > 0)::int), 0)::bigint AS transferred,"
        " coalesce(sum(e.apology_owed), 0)::bigint AS apologies_owed,"
        " coalesce(sum(e.apology_given), 0)::bigint AS apologies_given,"
        " coalesce(sum((e.apology_owed <> 0 AND e.apology_given = 0)::int),"
        "   0)::bigint AS apologies_missing"
        " FROM encounters e WHERE" M_ENC_WINDOW,
    [RP_Q_MEASURES_BY_CHANNEL] =
        "SELECT e.channel, count(*) AS n FROM encounters e WHERE" M_ENC_WINDOW
        " GROUP BY e.channel ORDER BY n DESC, e.channel",
    [RP_Q_MEASURES_WAIT_SUMMARY] =
        "SELECT count(*) AS n, avg(w)::float8 AS average, max(w) AS maximum"
        " FROM"
        " (SELECT coalesce(e.acknowledged_at, e.abandoned_at) - e.arrived_at "
        "AS w"
        "  FROM encounters e WHERE" M_ENC_WINDOW
        "  AND coalesce(e.acknowledged_at, e.abandoned_at) IS NOT NULL) AS x",
    [RP_Q_MEASURES_WAIT_AT_RANK] =
        "SELECT coalesce(e.acknowledged_at, e.abandoned_at) - e.arrived_at AS w"
        " FROM encounters e WHERE" M_ENC_WINDOW
        " AND coalesce(e.acknowledged_at, e.abandoned_at) IS NOT NULL"
        " ORDER BY w LIMIT 1 OFFSET $5::bigint",
    /* Calls told by a phone system (as SQLite's). */
    [RP_Q_MEASURES_TELEPHONY] =
        "SELECT count(*) AS calls,"
        " coalesce(sum((t.answered_at IS NOT NULL)::int), 0)::bigint"
        "   AS answered,"
        " coalesce(sum((t.abandoned = 1)::int), 0)::bigint AS abandoned,"
        " coalesce(sum((t.state <> 'ended' AND t.answered_at IS NULL)::int),"
        "   0)::bigint AS waiting,"
        " avg(t.answered_at - t.arrived_at)::float8 AS answer_average,"
        " max(t.answered_at - t.arrived_at) AS answer_max,"
        " avg(CASE WHEN t.abandoned = 1 THEN t.ended_at - t.arrived_at END)"
        "   ::float8 AS abandon_average,"
        " max(CASE WHEN t.abandoned = 1 THEN t.ended_at - t.arrived_at END)"
        "   AS abandon_max,"
        " coalesce(sum((t.holds > 0)::int), 0)::bigint AS held,"
        " coalesce(sum(t.holds), 0)::bigint AS holds,"
        " coalesce(sum(t.hold_seconds + coalesce($5::bigint - t.hold_since,"
        "   0)), 0)::bigint AS hold_total,"
        " coalesce(max(t.hold_seconds + coalesce($5::bigint - t.hold_since,"
        "   0)), 0)::bigint AS hold_max"
        " FROM telephony_calls t JOIN encounters e ON e.id = t.encounter_id"
        " WHERE t.arrived_at >= $1::bigint AND t.arrived_at < $2::bigint "
        "AND" M_ENC_FILTER,
    /* ---- telephony: calls told by a phone system (as SQLite's) ---- */
    [RP_Q_TELEPHONY_CALL_GET] =
        "SELECT t.id, t.call_id, t.encounter_id, e.customer_id, t.state,"
        " t.arrived_at AS arrived, t.answered_at AS answered,"
        " t.ended_at AS ended, t.abandoned, t.hold_since, t.holds,"
        " t.hold_seconds, t.transfers, t.last_event_at AS last_event"
        " FROM telephony_calls t JOIN encounters e ON e.id = t.encounter_id"
        " WHERE t.call_id = $1::text",
    [RP_Q_TELEPHONY_CALL_INSERT] =
        "INSERT INTO telephony_calls (call_id, encounter_id, state,"
        " arrived_at, last_event_at, created_at, updated_at)"
        " VALUES ($1::text, $2::bigint, 'queued', $3::bigint, $3::bigint,"
        " $4::bigint, $4::bigint) RETURNING id",
    [RP_Q_TELEPHONY_CALL_UPDATE] =
        "UPDATE telephony_calls SET state = $2::text, answered_at = $3::bigint,"
        " ended_at = $4::bigint, abandoned = $5::bigint,"
        " hold_since = $6::bigint, holds = $7::bigint,"
        " hold_seconds = $8::bigint, transfers = $9::bigint,"
        " last_event_at = $10::bigint, updated_at = $11::bigint"
        " WHERE id = $1::bigint",
    [RP_Q_TELEPHONY_EVENT_FIND] =
        "SELECT id FROM telephony_events WHERE call_id = $1::bigint"
        " AND event = $2::text AND at = $3::bigint",
    [RP_Q_TELEPHONY_EVENT_INSERT] =
        "INSERT INTO telephony_events (call_id, event, at, queue_id,"
        " agent_id, created_at) VALUES ($1::bigint, $2::text, $3::bigint,"
        " $4::bigint, $5::bigint, $6::bigint)",
    [RP_Q_TELEPHONY_EVENTS_OF] =
        "SELECT event, at AS occurred_at, queue_id, agent_id"
        " FROM telephony_events WHERE call_id = $1::bigint ORDER BY at, id"
        " LIMIT $2::bigint",
    [RP_Q_MEASURES_SATISFACTION] =
        "SELECT count(*) AS answered, avg(s.score)::float8 AS average"
        " FROM satisfaction_checks s LEFT JOIN encounters e"
        " ON e.id = s.encounter_id WHERE s.answered_at >= $1"
        " AND s.answered_at < $2 AND s.score IS NOT NULL AND" M_ENC_FILTER,
    [RP_Q_MEASURES_SATISFACTION_WORDS] =
        "SELECT lower(trim(j.v #>> '{}')) AS word, count(*) AS n"
        " FROM satisfaction_checks s LEFT JOIN encounters e"
        " ON e.id = s.encounter_id, jsonb_array_elements(s.words::jsonb)"
        " AS j(v) WHERE s.answered_at >= $1 AND s.answered_at < $2 "
        "AND" M_ENC_FILTER " AND jsonb_typeof(j.v) = 'string'"
        " AND trim(j.v #>> '{}') <> ''"
        " GROUP BY word ORDER BY n DESC, word LIMIT 20",
    [RP_Q_MEASURES_LEVELS] =
        "SELECT relationship_level AS level, count(*) AS n FROM customers"
        " GROUP BY relationship_level",
    [RP_Q_MEASURES_MOVEMENTS] =
        "SELECT r.previous_level AS from_level, r.level AS to_level,"
        " count(*) AS n FROM relationship_levels r LEFT JOIN encounters e"
        " ON e.id = r.encounter_id WHERE r.created_at >= $1"
        " AND r.created_at < $2 AND" M_ENC_FILTER
        " GROUP BY r.previous_level, r.level ORDER BY n DESC,"
        " coalesce(r.previous_level, '') COLLATE \"C\", r.level COLLATE \"C\""
        " LIMIT 32",
    [RP_Q_MEASURES_MOMENTS] =
        "SELECT count(*) AS moments, count(DISTINCT m.customer_id) AS "
        "customers,"
        " coalesce(sum((m.impression = 'positive')::int), 0)::bigint"
        "   AS positive,"
        " coalesce(sum((m.impression = 'neutral')::int), 0)::bigint"
        "   AS neutral,"
        " coalesce(sum((m.impression = 'negative')::int), 0)::bigint"
        "   AS negative"
        /* The ledger is the biggest table: read it from the covering index
         * alone, and test the queue/agent filter once, not per row, when
         * neither is given.  With a filter, each moment of the window looks
         * its encounter up by key: a list of the queue's encounters of all
         * time (IN) cost a scan of every encounter. */
        " FROM moments m WHERE m.occurred_at >= $1 AND m.occurred_at < $2"
        " AND (($3::text IS NULL AND $4::bigint IS NULL) OR EXISTS"
        "  (SELECT 1 FROM encounters e WHERE e.id = m.encounter_id"
        "  AND" M_ENC_FILTER "))",
    [RP_Q_MEASURES_DEFECTS] =
        "SELECT d.kind, d.cause, count(*) AS n FROM defects d"
        " JOIN encounters e ON e.id = d.encounter_id"
        " WHERE d.created_at >= $1 AND d.created_at < $2 AND" M_ENC_FILTER
        " GROUP BY d.kind, d.cause ORDER BY n DESC, d.kind, d.cause LIMIT 50",
    [RP_Q_MEASURES_SPECIAL_REQUESTS] =
        "SELECT r.outcome, r.decline_reason AS reason, count(*) AS n"
        " FROM special_requests r JOIN encounters e ON e.id = r.encounter_id"
        " WHERE r.created_at >= $1 AND r.created_at < $2 AND" M_ENC_FILTER
        " GROUP BY r.outcome, r.decline_reason ORDER BY n DESC LIMIT 50",
    /* $5 now: a promise still open past its date counts as broken,
     * settled or not (a read does not settle it) */
    [RP_Q_MEASURES_PROMISES] =
        "SELECT CASE WHEN p.status = 'open' AND p.due_at < $5::bigint"
        " THEN 'broken'"
        " ELSE p.status END AS status, count(*) AS n FROM promises p"
        " LEFT JOIN encounters e ON e.id = p.encounter_id"
        " WHERE p.due_at >= $1 AND p.due_at < $2 AND" M_ENC_FILTER
        " GROUP BY 1",
    /* The gauges of /metrics (Prometheus). */
    [RP_Q_MEASURES_QUEUE_DEPTH] = "SELECT queue_id, count(*) AS n FROM "
                                  "encounters WHERE stage = 'received'"
                                  " AND acknowledged_at IS NULL AND "
                                  "abandoned_at IS NULL GROUP BY queue_id",
    [RP_Q_MEASURES_TASKS_DUE] =
        "SELECT kind, count(*) AS n FROM tasks WHERE status = 'scheduled'"
        " AND due_at <= $1 GROUP BY kind",
    [RP_Q_MEASURES_TASKS_FAILED] =
        "SELECT kind, count(*) AS n FROM tasks WHERE status = 'failed'"
        " GROUP BY kind",
    /* ---- conversations: identities, settings, messages, the outbox ---- */
    [RP_Q_CONVERSATION_IDENTITY_FIND] =
        "SELECT id, customer_id FROM identities WHERE kind = $1 AND value = $2",
    /* $3 is the JSON array of the values the customer keeps */
    [RP_Q_CONVERSATION_IDENTITIES_PRUNE] =
        "DELETE FROM identities WHERE customer_id = $1 AND kind = $2"
        " AND value NOT IN"
        " (SELECT jsonb_array_elements_text($3::text::jsonb))",
    [RP_Q_CONVERSATION_CUSTOMERS_BY_PHONE] =
        "SELECT c.id, c.name, c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into"
        " FROM identities i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.kind = 'phone' AND i.value = $1 AND c.id > $2"
        " ORDER BY c.id LIMIT $3::bigint",
    /* The customer who holds the email address $1 (normalised: lower case), by
     * the identities' unique (kind, value) index, as the phone number's. */
    [RP_Q_CONVERSATION_CUSTOMERS_BY_EMAIL] =
        "SELECT c.id, c.name, c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into"
        " FROM identities i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.kind = 'email' AND i.value = $1 AND c.id > $2"
        " ORDER BY c.id LIMIT $3::bigint",
    [RP_Q_CONVERSATION_SETTINGS_LIST] =
        "SELECT key, value FROM desk_settings ORDER BY key",
    [RP_Q_CONVERSATION_SETTINGS_SET] =
        "UPDATE desk_settings SET value = $1, updated_at = $2,"
        " updated_by = $3 WHERE key = $4",
    [RP_Q_CONVERSATION_MESSAGE_BY_MSGID] =
        "SELECT id, encounter_id, customer_id, direction FROM messages"
        " WHERE message_id = $1",
    [RP_Q_CONVERSATION_ATTACHMENTS_OF] =
        "SELECT id, message_id, filename, content_type, size,"
        " is_inline AS inline__bool, content_id FROM attachments"
        " WHERE encounter_id = $1 AND message_id BETWEEN $2 AND $3"
        " ORDER BY message_id, id",
    [RP_Q_CONVERSATION_ATTACHMENTS_OF_MESSAGE] =
        "SELECT a.id, a.filename, a.content_type, a.size, b.data"
        " FROM attachments a JOIN attachment_blobs b ON b.id = a.blob_id"
        " WHERE a.message_id = $1 ORDER BY a.id",
    [RP_Q_CONVERSATION_BLOB_BY_SHA] =
        "SELECT id FROM attachment_blobs WHERE sha256 = $1",
    [RP_Q_CONVERSATION_ATTACHMENT_DATA] =
        "SELECT a.id, a.message_id, a.encounter_id, a.customer_id,"
        " a.filename, a.content_type, a.size, b.data"
        " FROM attachments a JOIN attachment_blobs b ON b.id = a.blob_id"
        " WHERE a.id = $1",
    [RP_Q_CONVERSATION_RECENT_FROM] =
        "SELECT count(*) AS n FROM messages WHERE identity_id = $1"
        " AND created_at >= $2",
    [RP_Q_CONVERSATION_LAST_INBOUND] =
        "SELECT id, message_id, refs AS refs__json, from_address, subject"
        " FROM messages WHERE encounter_id = $1 AND direction = 'inbound'"
        " ORDER BY id DESC LIMIT 1",
    /* $1 worker, $2 now, $3 claims older than this are taken over, $4 batch */
    [RP_Q_CONVERSATION_OUTBOX_CLAIM] =
        "UPDATE messages SET status = 'sending', claimed_by = $1::text,"
        " claimed_at = $2::bigint, attempts = attempts + 1 WHERE id IN"
        " (SELECT id FROM messages WHERE (status = 'queued'"
        "   AND coalesce(next_attempt_at, 0) <= $2::bigint)"
        " OR (status = 'sending' AND claimed_at <= $3::bigint)"
        " ORDER BY id LIMIT $4::bigint FOR UPDATE SKIP LOCKED)"
        " RETURNING id, attempts",
    /* $1 status, $2 sent_at, $3 next attempt, $4 error, $5 now, $6 id,
     * $7 worker */
    [RP_Q_CONVERSATION_OUTBOX_SETTLE] =
        "UPDATE messages SET status = $1, sent_at = $2, next_attempt_at = $3,"
        " last_error = $4, updated_at = $5, claimed_by = NULL"
        " WHERE id = $6 AND status = 'sending' AND claimed_by = $7",
    /* the customer's help pages */
    [RP_Q_CONVERSATION_HELP_HITS_EXPIRE] =
        "DELETE FROM help_hits WHERE at < $1",
    [RP_Q_CONVERSATION_HELP_HITS_COUNT] =
        "SELECT count(*) AS n, min(at) AS first"
        " FROM help_hits WHERE key = $1 AND at > $2",
    [RP_Q_CONVERSATION_HELP_HIT_ADD] =
        "INSERT INTO help_hits (key, at) VALUES ($1, $2)",
    [RP_Q_CONVERSATION_HELP_LINK_INSERT] =
        "INSERT INTO help_links (token_hash, purpose, encounter_id,"
        " customer_id, email, thread_id, subject, created_at, expires_at,"
        " mail_state, mail_next_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
        " $10, $11)"
        " RETURNING id",
    [RP_Q_CONVERSATION_HELP_LINK_BY_HASH] =
        "SELECT id, purpose, encounter_id, customer_id, email, thread_id,"
        " subject, expires_at AS expires FROM help_links WHERE token_hash = $1",
    [RP_Q_CONVERSATION_HELP_LINK_MOVE] =
        "UPDATE help_links SET encounter_id = $2 WHERE encounter_id = $1",
    /* pending mails that are due, and mails whose sender died mid-send */
    [RP_Q_CONVERSATION_HELP_LINKS_TO_MAIL] =
        "SELECT id, encounter_id, customer_id, email, subject,"
        " mail_attempts AS attempts FROM help_links"
        " WHERE (mail_state = 'pending' AND mail_next_at <= $1)"
        " OR (mail_state = 'sending' AND mail_claimed_at < $2)"
        " ORDER BY id LIMIT $3::bigint",
    [RP_Q_CONVERSATION_HELP_LINK_CLAIM_MAIL] =
        "UPDATE help_links SET mail_state = 'sending', mail_claimed_at = $2,"
        " mail_attempts = mail_attempts + 1, token_hash = $3, expires_at = $4"
        " WHERE id = $1 AND (mail_state = 'pending' OR"
        " (mail_state = 'sending' AND mail_claimed_at < $5))",
    [RP_Q_CONVERSATION_HELP_LINK_MAILED] =
        "UPDATE help_links SET mail_state = 'sent', mail_error = NULL"
        " WHERE id = $1 AND mail_state = 'sending'",
    [RP_Q_CONVERSATION_HELP_LINK_MAIL_RETRY] =
        "UPDATE help_links SET mail_state = $2, mail_next_at = $3,"
        " mail_error = $4 WHERE id = $1 AND mail_state = 'sending'",
    /* The scheduler marks a task before it sends it (scheduler.c): a
     * claim that expires after this mark has an unknown outcome.  The
     * mark renews the claim, so the lease counts from the send. */
    [RP_Q_FOLLOWUP_TASK_SENDING] =
        "UPDATE tasks SET sending_at = $1::bigint, claimed_at = $1::bigint"
        " WHERE id = $2 AND status = 'claimed' AND claimed_by = $3",
    /* ---- mailbox: the IMAP mailboxes polled, and the UIDs taken ---- */
    [RP_Q_MAILBOX_INSERT] =
        "INSERT INTO mail_mailboxes (queue, url, username, password, folder,"
        " created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [RP_Q_MAILBOX_LIST] =
        "SELECT id, queue, url, username, password, folder, created_at"
        " FROM mail_mailboxes ORDER BY id",
    [RP_Q_MAILBOX_DELETE] = "DELETE FROM mail_mailboxes WHERE id = $1",
    /* the first UID to ask the server for: after the highest taken, or
     * the lowest whose claim went stale (its taker died) */
    [RP_Q_MAILBOX_UID_FROM] =
        "SELECT min(u) AS from_uid FROM ("
        " SELECT coalesce(max(uid), 0) + 1 AS u FROM mail_imap_uids"
        "  WHERE mailbox_id = $1 AND uidvalidity = $2"
        " UNION ALL SELECT min(uid) FROM mail_imap_uids"
        "  WHERE mailbox_id = $1 AND uidvalidity = $2 AND state = 'claimed'"
        "  AND claimed_at < $3) AS x",
    /* a row comes back only to the one caller that now holds the claim */
    [RP_Q_MAILBOX_UID_CLAIM] =
        "INSERT INTO mail_imap_uids (mailbox_id, uidvalidity, uid, state,"
        " claimed_at) VALUES ($1, $2, $3, 'claimed', $4)"
        " ON CONFLICT (mailbox_id, uidvalidity, uid) DO UPDATE"
        " SET claimed_at = excluded.claimed_at"
        " WHERE mail_imap_uids.state = 'claimed'"
        " AND mail_imap_uids.claimed_at < $5 RETURNING uid",
    [RP_Q_MAILBOX_UID_DONE] =
        "UPDATE mail_imap_uids SET state = 'done' WHERE mailbox_id = $1"
        " AND uidvalidity = $2 AND uid = $3",
    [RP_Q_MAILBOX_UID_RELEASE] =
        "DELETE FROM mail_imap_uids WHERE mailbox_id = $1 AND uidvalidity = $2"
        " AND uid = $3 AND state = 'claimed'",
    [RP_Q_STAFF_TOKEN_SET_SCOPE] =
        "UPDATE api_tokens SET scope = $1 WHERE id = $2",
    /* /healthz: the version the schema is at, from a table of a few rows,
     * so that the check costs the same on any size of desk (SQLite reads
     * the last row by its rowid; versions only grow, so the highest is the
     * last) */
    [RP_Q_STORE_READ_CHECK] =
        "SELECT max(version) AS version FROM schema_version",
    /* ---- event webhooks ---- */
    /* $1 event id, $2 kind, $3 now: one delivery per active subscription
     * that wants the kind; the delivery id is random and never changes */
    [RP_Q_WEBHOOK_FANOUT] =
        "INSERT INTO webhook_deliveries (webhook_id, event_id, delivery_id,"
        " status, attempts, next_attempt_at, created_at, updated_at)"
        " SELECT w.id, $1::bigint, 'whd_' || encode(gen_random_bytes(16),"
        " 'hex'), 'queued', 0, $3::bigint, $3::bigint, $3::bigint"
        " FROM webhooks w WHERE w.active = 1 AND EXISTS (SELECT 1 FROM"
        " jsonb_array_elements_text(w.events::jsonb) AS j(value)"
        " WHERE j.value IN ($2::text, '*'))",
    /* $1 now, $2 claims older than this are taken over */
    [RP_Q_WEBHOOK_DUE] =
        "SELECT (EXISTS (SELECT 1 FROM webhook_deliveries"
        " WHERE status = 'queued' AND next_attempt_at <= $1)"
        " OR EXISTS (SELECT 1 FROM webhook_deliveries"
        " WHERE status = 'sending' AND claimed_at <= $2))::int AS due__bool",
    /* $1 worker, $2 now, $3 claims older than this are taken over, $4 batch;
     * a subscription turned off keeps its deliveries queued */
    [RP_Q_WEBHOOK_CLAIM] =
        "UPDATE webhook_deliveries SET status = 'sending',"
        " claimed_by = $1::text, claimed_at = $2::bigint,"
        " attempts = attempts + 1, updated_at = $2::bigint"
        " WHERE id IN (SELECT d.id FROM webhook_deliveries d"
        " JOIN webhooks w ON w.id = d.webhook_id WHERE w.active = 1"
        " AND ((d.status = 'queued' AND d.next_attempt_at <= $2::bigint)"
        " OR (d.status = 'sending' AND d.claimed_at <= $3::bigint))"
        " ORDER BY d.id LIMIT $4::bigint FOR UPDATE OF d SKIP LOCKED)"
        " RETURNING id, attempts",
    [RP_Q_WEBHOOK_DELIVERY_LOAD] =
        "SELECT d.id, d.webhook_id, d.delivery_id, d.attempts, w.url, w.secret,"
        " e.id AS event_id, e.kind, e.customer_id, e.encounter_id,"
        " e.occurred_at, e.data AS data__json"
        " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
        " JOIN events e ON e.id = d.event_id WHERE d.id = $1",
    /* $1 status, $2 response code, $3 error, $4 next attempt, $5 delivered
     * at, $6 now, $7 id, $8 worker: only the claim's holder settles it */
    [RP_Q_WEBHOOK_SETTLE] =
        "UPDATE webhook_deliveries SET status = $1, response_code = $2,"
        " last_error = $3, next_attempt_at = coalesce($4::bigint,"
        " next_attempt_at),"
        " delivered_at = $5, claimed_by = NULL, updated_at = $6"
        " WHERE id = $7 AND status = 'sending' AND claimed_by = $8",
    /* $1 status, $2 response code, $3 error, $4 now, $5 subscription */
    [RP_Q_WEBHOOK_LAST_STATUS] =
        "UPDATE webhooks SET last_status = $1, last_response_code = $2,"
        " last_error = $3, last_attempt_at = $4 WHERE id = $5",
    /* $1 subscription, $2 status or NULL, $3 before this id (0: newest),
     * $4 limit */
    [RP_Q_WEBHOOK_DELIVERIES] =
        "SELECT d.id, d.delivery_id, d.event_id, e.kind, d.status,"
        " d.attempts, d.response_code, d.last_error, d.next_attempt_at,"
        " d.delivered_at, d.created_at"
        " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
        " WHERE d.webhook_id = $1 AND ($2::text IS NULL OR d.status = $2::text)"
        " AND ($3::bigint = 0 OR d.id < $3::bigint) ORDER BY d.id DESC"
        " LIMIT $4::bigint",
    [RP_Q_WEBHOOK_BACKLOG] =
        "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status ="
        " 'queued') + (SELECT count(*) FROM webhook_deliveries"
        " WHERE status = 'sending') AS n",
    /* what an erased customer's events said is forgotten, so that a
     * delivery still queued carries only ids */
    [RP_Q_WEBHOOK_EVENTS_FORGET_CUSTOMER] =
        "UPDATE events SET data = '{}' WHERE customer_id = $1",
    /* $1 before, $2 at most this many */
    [RP_Q_WEBHOOK_PRUNE_DELIVERIES] =
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM"
        " webhook_deliveries WHERE status IN ('delivered', 'failed')"
        " AND updated_at < $1 ORDER BY id LIMIT $2::bigint)",
    [RP_Q_WEBHOOK_PRUNE_EVENTS] =
        "DELETE FROM events WHERE id IN (SELECT e.id FROM events e"
        " WHERE e.occurred_at < $1 AND NOT EXISTS (SELECT 1 FROM"
        " webhook_deliveries d WHERE d.event_id = e.id)"
        " ORDER BY e.occurred_at LIMIT $2::bigint)",
    /* ---- secrets at rest: every secret column, listed and set again (only
     * when it still holds the value read, so a change made meanwhile is
     * never overwritten) */
    [RP_Q_SECRETS_MAILBOX_LIST] =
        "SELECT id, password AS secret FROM mail_mailboxes ORDER BY id",
    [RP_Q_SECRETS_MAILBOX_SET] =
        "UPDATE mail_mailboxes SET password = $1 WHERE id = $2"
        " AND password = $3",
    /* ---- least privilege: who sees which customer and encounter.  Each
     * is a few lookups by primary key or by a customer's own encounters
     * (encounters_by_customer_queue), queue_members by either key. */
    [RP_Q_STAFF_TOKEN_SET_LIMITS] =
        "UPDATE api_tokens SET read_only = $1, resources = $2, queues = $3"
        " WHERE id = $4",
    [RP_Q_STAFF_ANY_RESTRICTED] =
        "SELECT (EXISTS (SELECT 1 FROM queues WHERE restricted = 1))::int"
        " AS any__bool",
    [RP_Q_STAFF_QUEUES_OF_AGENT] =
        "SELECT queue_id FROM queue_members WHERE agent_id = $1 ORDER BY"
        " queue_id",
    [RP_Q_STAFF_QUEUE_MEMBERS] =
        "SELECT agent_id FROM queue_members WHERE queue_id = $1 ORDER BY"
        " agent_id",
    [RP_Q_STAFF_QUEUE_MEMBERS_CLEAR] =
        "DELETE FROM queue_members WHERE queue_id = $1",
    [RP_Q_STAFF_QUEUE_MEMBER_ADD] =
        "INSERT INTO queue_members (queue_id, agent_id)"
        " VALUES ($1, $2) ON CONFLICT DO NOTHING",
    [RP_Q_STAFF_QUEUE_SET_RESTRICTED] =
        "UPDATE queues SET restricted = $1, updated_at = $2 WHERE id = $3",
    /* $1 customer, $2 agent, $3 1 when a lead (sees the work of the agents
     * of their queues).  Visible when the customer is in no restricted
     * queue, or also in an open one, or in one of the agent's, or (a
     * lead) one of their encounters is handled by an agent of the lead's
     * queues. */
    [RP_Q_STAFF_CUSTOMER_VISIBLE] =
        "SELECT (NOT EXISTS (SELECT 1 FROM encounters e"
        "   JOIN queues q ON q.id = e.queue_id"
        "   WHERE e.customer_id = $1::bigint AND q.restricted = 1)"
        " OR EXISTS (SELECT 1 FROM encounters e JOIN queues q"
        "   ON q.id = e.queue_id WHERE e.customer_id = $1 AND q.restricted = 0)"
        " OR EXISTS (SELECT 1 FROM encounters e JOIN queue_members m"
        "   ON m.queue_id = e.queue_id AND m.agent_id = $2::bigint"
        "   WHERE e.customer_id = $1)"
        " OR EXISTS (SELECT 1 FROM encounters e WHERE e.customer_id = $1"
        "   AND e.agent_id = $2)"
        " OR ($3::bigint <> 0 AND EXISTS (SELECT 1 FROM encounters e"
        "   JOIN queue_members w ON w.agent_id = e.agent_id"
        "   JOIN queue_members l ON l.queue_id = w.queue_id AND l.agent_id = $2"
        "   WHERE e.customer_id = $1)))::int AS visible__bool,"
        " (EXISTS (SELECT 1 FROM customers WHERE id = $1))::int AS found__bool",
    /* $1 customer, $2 the queues a token is limited to (a JSON array) */
    [RP_Q_STAFF_CUSTOMER_IN_QUEUES] =
        "SELECT (EXISTS (SELECT 1 FROM encounters e"
        "   WHERE e.customer_id = $1::bigint AND e.queue_id IN"
        "   (SELECT jsonb_array_elements_text($2::text::jsonb)::bigint)))::int"
        " AS visible__bool,"
        " (EXISTS (SELECT 1 FROM customers WHERE id = $1))::int AS found__bool",
    /* $1 encounter, $2 agent, $3 lead, $4 the token's queues or NULL */
    [RP_Q_STAFF_ENCOUNTER_VISIBLE] =
        "SELECT (CASE WHEN $4::text IS NOT NULL THEN e.queue_id IN"
        "   (SELECT jsonb_array_elements_text($4::text::jsonb)::bigint)"
        " ELSE (q.id IS NULL OR q.restricted = 0 OR e.agent_id = $2::bigint"
        "   OR EXISTS (SELECT 1 FROM queue_members m WHERE m.queue_id = q.id"
        "     AND m.agent_id = $2::bigint)"
        "   OR ($3::bigint <> 0 AND EXISTS (SELECT 1 FROM queue_members w"
        "     JOIN queue_members l ON l.queue_id = w.queue_id"
        "     AND l.agent_id = $2::bigint WHERE w.agent_id = e.agent_id)))"
        " END)::int AS visible__bool, e.customer_id"
        " FROM encounters e LEFT JOIN queues q ON q.id = e.queue_id"
        " WHERE e.id = $1",
    /* what a row of another kind belongs to: its encounter and customer */
    [RP_Q_STAFF_OWNER_OF_MESSAGE] =
        "SELECT encounter_id, customer_id FROM messages WHERE id = $1",
    [RP_Q_STAFF_OWNER_OF_ATTACHMENT] =
        "SELECT encounter_id, customer_id FROM attachments WHERE id = $1",
    [RP_Q_STAFF_OWNER_OF_TASK] =
        "SELECT encounter_id, customer_id FROM tasks WHERE id = $1",
    [RP_Q_STAFF_OWNER_OF_PROMISE] =
        "SELECT encounter_id, customer_id FROM promises WHERE id = $1",
    [RP_Q_SECRETS_WEBHOOK_LIST] = "SELECT id, secret FROM webhooks ORDER BY id",
    [RP_Q_SECRETS_WEBHOOK_SET] =
        "UPDATE webhooks SET secret = $1 WHERE id = $2 AND secret = $3",
    /* the delivery settings (one row) and their two sealed secrets */
    [RP_Q_SECRETS_SMTP_LIST] =
        "SELECT id, smtp_password AS secret FROM delivery_settings"
        " WHERE smtp_password IS NOT NULL ORDER BY id",
    [RP_Q_SECRETS_SMTP_SET] =
        "UPDATE delivery_settings SET smtp_password = $1 WHERE id = $2"
        " AND smtp_password = $3",
    [RP_Q_SECRETS_SMS_HOOK_LIST] =
        "SELECT id, webhook_secret AS secret FROM delivery_settings"
        " WHERE webhook_secret IS NOT NULL ORDER BY id",
    [RP_Q_SECRETS_SMS_HOOK_SET] =
        "UPDATE delivery_settings SET webhook_secret = $1 WHERE id = $2"
        " AND webhook_secret = $3",
    [RP_Q_DELIVERY_SETTINGS_GET] =
        "SELECT smtp_url, smtp_from, smtp_user, smtp_password,"
        " webhook_url, webhook_secret, updated_at, updated_by"
        " FROM delivery_settings WHERE id = 1",
    [RP_Q_DELIVERY_SETTINGS_SET] =
        "UPDATE delivery_settings SET smtp_url = $1, smtp_from = $2,"
        " smtp_user = $3, smtp_password = $4, webhook_url = $5,"
        " webhook_secret = $6, updated_at = $7, updated_by = $8"
        " WHERE id = 1",
    /* the Zendesk-compatible API: the first message of each ticket on a
     * page (its description), through messages_by_encounter */
    [RP_Q_ZENDESK_FIRST_MESSAGES] =
        "SELECT m.encounter_id, m.body FROM messages m"
        " WHERE m.id IN (SELECT (SELECT min(x.id) FROM messages x"
        "  WHERE x.encounter_id = j.value::bigint)"
        " FROM jsonb_array_elements_text($1::text::jsonb) AS j(value))",
    [RP_Q_ZENDESK_AGENT_BY_EMAIL] =
        "SELECT id FROM agents WHERE lower(email) = lower($1::text)",
    /* ---- operations ---- */
    /* /healthz: each count an index range (tasks_by_due, messages_outbox,
     * messages_failed, webhook_deliveries_due), never a scan, whatever the size
     * of the desk; $1 is now */
    [RP_Q_MEASURES_DELIVERY_BACKLOG] =
        "SELECT (SELECT count(*) FROM tasks WHERE status = 'scheduled'"
        "   AND due_at <= $1) AS tasks_due,"
        " (SELECT count(*) FROM tasks WHERE status = 'failed')"
        "   AS tasks_failed,"
        " (SELECT count(*) FROM messages WHERE status IN ('queued','sending')"
        "   AND status = 'queued' AND coalesce(next_attempt_at, 0) <= $1)"
        "   AS outbox_due,"
        " (SELECT count(*) FROM messages WHERE status = 'failed')"
        "   AS outbox_failed,"
        " (SELECT count(*) FROM webhook_deliveries WHERE status = 'queued'"
        "   AND next_attempt_at <= $1) AS webhooks_due,"
        " (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')"
        "   AS webhooks_failed",
    /* import: the customer a row names by the id of the system it came
     * from (customers_by_external_id) */
    [RP_Q_CUSTOMER_BY_EXTERNAL_ID] =
        "SELECT id FROM customers WHERE external_id = $1",

    /* ---- the sealed ledger ------------------------------------------- */
    [RP_Q_CUSTOMER_LEDGER_HEAD] =
        "SELECT id, chain_hash FROM moments ORDER BY id DESC LIMIT 1",
    [RP_Q_CUSTOMER_LEDGER_KEY] =
        "SELECT ledger_key FROM customers WHERE id = $1",
    /* appended only if no other moment came first (the id is hashed, so
     * it is chosen before the insert: the next after the head read).
     * SQLite has one writer; here another server may be appending the same
     * id in a transaction not yet committed, which the check of max(id)
     * cannot see: ON CONFLICT waits for it and, if it commits, inserts
     * nothing, as SQLite's check would, and the caller chains again. */
    [RP_Q_CUSTOMER_LEDGER_APPEND] =
        "INSERT INTO moments (id, customer_id, encounter_id, occurred_at,"
        " actor, channel, kind, summary, impression, detail, content_hash,"
        " chain_hash) SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint,"
        " $5::text, $6::text, $7::text, $8::text, $9::text, $10::text,"
        " $11::text, $12::text"
        " WHERE coalesce((SELECT max(id) FROM moments), 0) = $1::bigint - 1"
        " ON CONFLICT (id) DO NOTHING",
    [RP_Q_CUSTOMER_LEDGER_PAGE] = "SELECT " LEDGER_COLUMNS " WHERE m.id > $1"
                                  " ORDER BY m.id LIMIT $2::bigint",
    [RP_Q_CUSTOMER_LEDGER_UNSEALED] =
        "SELECT " LEDGER_COLUMNS
        " WHERE m.chain_hash IS NULL ORDER BY m.id LIMIT $1::bigint",
    [RP_Q_CUSTOMER_LEDGER_BEFORE] =
        "SELECT id, chain_hash FROM moments WHERE id < $1"
        " ORDER BY id DESC LIMIT 1",
    [RP_Q_CUSTOMER_LEDGER_SEAL] =
        "UPDATE moments SET content_hash = $2, chain_hash = $3"
        " WHERE id = $1 AND chain_hash IS NULL",
    [RP_Q_CUSTOMER_LEDGER_OF_CUSTOMER] =
        "SELECT " LEDGER_COLUMNS " WHERE m.customer_id = $1"
        " AND m.erased_at IS NULL AND m.id > $2 ORDER BY m.id"
        " LIMIT $3::bigint",
    [RP_Q_CUSTOMER_LEDGER_OF_ENCOUNTER] =
        "SELECT " LEDGER_COLUMNS " WHERE m.encounter_id = $1"
        " AND m.erased_at IS NULL AND m.id > $2 ORDER BY m.id"
        " LIMIT $3::bigint",
    [RP_Q_CUSTOMER_LEDGER_TOMBSTONE_ENCOUNTER] =
        "UPDATE moments SET summary = $3, detail = NULL, erased_at = $2"
        " WHERE encounter_id = $1 AND erased_at IS NULL",
    [RP_Q_CUSTOMER_LEDGER_TOMBSTONE] =
        "UPDATE moments SET summary = $3, detail = NULL, erased_at = $2"
        " WHERE customer_id = $1 AND erased_at IS NULL",

    /* ---- privacy: settings, suppression, erasure, retention ------------ */
    [RP_Q_PRIVACY_SETTINGS_LIST] =
        "SELECT key, value, updated_at, updated_by FROM privacy_settings"
        " ORDER BY key",
    [RP_Q_PRIVACY_SETTINGS_SET] =
        "UPDATE privacy_settings SET value = $2, updated_at = $3,"
        " updated_by = $4 WHERE key = $1",
    [RP_Q_PRIVACY_SUPPRESSED] =
        "SELECT 1 AS found FROM marketing_suppressions WHERE email_hash = $1",
    [RP_Q_PRIVACY_SUPPRESS] =
        "INSERT INTO marketing_suppressions (email_hash,"
        " created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    [RP_Q_PRIVACY_EMAILS_OF] =
        "SELECT value FROM identities WHERE customer_id = $1 AND kind = 'email'"
        " ORDER BY id",
    [RP_Q_PRIVACY_OFFERS_REFUSED] =
        "SELECT 1 AS refused FROM consents WHERE customer_id = $1"
        " AND purpose = 'offers' AND granted = 0",
    [RP_Q_PRIVACY_REQUEST_PENDING] =
        "SELECT id, agent_id, requested_by, suppress_marketing"
        " FROM erasure_requests WHERE customer_id = $1 AND state = 'pending'"
        " ORDER BY id LIMIT 1",
    [RP_Q_PRIVACY_REQUEST_INSERT] =
        "INSERT INTO erasure_requests (customer_id, requested_by,"
        " suppress_marketing, agent_id, state, created_at)"
        " VALUES ($1, $2, $3, $4, 'pending', $5)",
    [RP_Q_PRIVACY_REQUEST_DONE] =
        "UPDATE erasure_requests SET state = 'done', approved_by = $2,"
        " done_at = $3 WHERE customer_id = $1 AND state = 'pending'",
    /* what the customer's addresses left outside their own rows: mail
     * kept from them, the abuse counters of the help pages */
    [RP_Q_PRIVACY_ERASE_KEPT_MAIL] =
        "DELETE FROM kept_mail WHERE EXISTS (SELECT 1 FROM identities i"
        " WHERE i.customer_id = $1 AND i.kind = 'email'"
        " AND strpos(lower(kept_mail.from_address), i.value) > 0)",
    [RP_Q_PRIVACY_ERASE_HELP_HITS] =
        "DELETE FROM help_hits WHERE key IN (SELECT 'email:' || value"
        " FROM identities WHERE customer_id = $1 AND kind = 'email')",
    [RP_Q_PRIVACY_ERASE_HELP_LINKS] =
        "DELETE FROM help_links WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_IDENTITIES] =
        "DELETE FROM identities WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_PREFERENCES] =
        "DELETE FROM preferences WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_GOALS] = "DELETE FROM goals WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_DATES] =
        "DELETE FROM important_dates WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_CONSENTS] =
        "DELETE FROM consents WHERE customer_id = $1",
    /* Rows the measures count keep their times, kinds and flags; their
     * text is replaced by $2 where there was text, and lists keep their
     * length, so "was something agreed" and "how many options" stay
     * true.  $1 the customer, $3 now. */
    // clang-format off
    [RP_Q_PRIVACY_ERASE_ENCOUNTERS] =
        "UPDATE encounters SET subject = $2::text,"
        ERASE_TEXT(request) ERASE_TEXT(goal) ERASE_TEXT(facts)
        ERASE_TEXT(feelings) ERASE_TEXT(restatement) ERASE_TEXT(agreement)
        ERASE_TEXT(no_agreement_reason) ERASE_TEXT(outcome_done)
        ERASE_TEXT(outcome_watch) ERASE_TEXT(satisfaction_skip_reason)
        ERASE_TEXT(abandon_reason) ERASE_TEXT(bridged) ERASE_TEXT(kind_reason)
        ERASE_TEXT(exchange_reason) ERASE_TEXT(first_contact_reason)
        ERASE_LIST(encounters, questions) ERASE_LIST(encounters, options)
        ERASE_LIST(encounters, preferences_captured)
        " bodies_dropped_at = coalesce(bodies_dropped_at, $3)"
        " WHERE customer_id = $1",
    // clang-format on
    [RP_Q_PRIVACY_ERASE_TRANSFERS] =
        "UPDATE encounter_transfers SET reason = $2 WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_DEFECTS] =
        "UPDATE defects SET cause = $2 WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_SPECIAL_REQUESTS] =
        "UPDATE special_requests SET" ERASE_TEXT(
            decline_reason) " description = $2 WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_PROMISES] =
        "UPDATE promises SET what = $2 WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_LEVELS] =
        "UPDATE relationship_levels SET"
        " reasons = coalesce((SELECT json_agg($2::text)::text"
        " FROM jsonb_array_elements(relationship_levels.reasons::jsonb)),"
        " '[]')"
        " WHERE customer_id = $1",
    /* what was still to go out for the customer never will */
    [RP_Q_PRIVACY_ERASE_TASKS] =
        "UPDATE tasks SET subject = $2, payload = '{}', last_error = NULL,"
        " status = CASE WHEN status IN ('scheduled','held','claimed')"
        " THEN 'cancelled' ELSE status END WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_SATISFACTION] =
        "UPDATE satisfaction_checks SET" ERASE_TEXT(
            comment) " token_hash = NULL WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_OFFERS] = "UPDATE offers SET" ERASE_TEXT(
        reason) " customer_id = customer_id"
                " WHERE customer_id = $1",
    [RP_Q_PRIVACY_ERASE_MESSAGES] = "UPDATE messages SET" ERASE_TEXT(
        subject) " body = $2, quoted = NULL, from_address = NULL, to_address = "
                 "NULL,"
                 " message_id = NULL, in_reply_to = NULL, refs = '[]',"
                 " last_error = NULL, status = CASE WHEN status IN"
                 " ('draft','queued','sending') THEN 'failed' ELSE status END,"
                 " erased_at = coalesce(erased_at, $3) WHERE customer_id = $1",
    [RP_Q_PRIVACY_BLOBS_OF_CUSTOMER] =
        "SELECT DISTINCT blob_id FROM attachments WHERE customer_id = $1",
    [RP_Q_PRIVACY_BLOBS_OF_ENCOUNTER] =
        "SELECT DISTINCT blob_id FROM attachments WHERE encounter_id = $1"
        " AND created_at < $2",
    [RP_Q_PRIVACY_ERASE_ATTACHMENTS] =
        "DELETE FROM attachments WHERE customer_id = $1",
    [RP_Q_PRIVACY_DROP_OLD_ATTACHMENTS] =
        "DELETE FROM attachments WHERE encounter_id = $1 AND created_at < $2",
    /* a blob is shared by every attachment with the same content */
    [RP_Q_PRIVACY_BLOB_DROP_UNUSED] =
        "DELETE FROM attachment_blobs WHERE id = $1"
        " AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob_id = $1)",
    /* the row stays, so that what the customer did still counts; a new
     * ledger key makes the hashes of the erased content unguessable */
    [RP_Q_PRIVACY_ERASE_CUSTOMER] =
        "UPDATE customers SET name = $2, preferred_name = NULL,"
        " emails = '[]', phones = '[]', notes = NULL, external_id = NULL,"
        " relationship_reasons = coalesce((SELECT json_agg($3::text)::text"
        " FROM jsonb_array_elements(customers.relationship_reasons::jsonb)),"
        " '[]'), ledger_key = encode(gen_random_bytes(32), 'hex'),"
        " erased_at = $4::bigint,"
        " updated_at = $4 WHERE id = $1 AND erased_at IS NULL",
    /* retention: $1 the cut-off (Unix seconds), $2 how many */
    [RP_Q_PRIVACY_RETAIN_INACTIVE] =
        "SELECT c.id, c.name FROM customers c WHERE " RETAIN_INACTIVE
        " ORDER BY coalesce(c.active_at, c.created_at), c.id LIMIT $2::bigint",
    [RP_Q_PRIVACY_RETAIN_INACTIVE_COUNT] =
        "SELECT count(*) AS n FROM customers c WHERE " RETAIN_INACTIVE,
    [RP_Q_PRIVACY_RETAIN_ATTACHMENTS] =
        "SELECT encounter_id, min(customer_id) AS customer_id, count(*) AS n"
        " FROM attachments WHERE created_at < $1 GROUP BY encounter_id"
        " ORDER BY encounter_id LIMIT $2::bigint",
    [RP_Q_PRIVACY_RETAIN_ATTACHMENTS_COUNT] =
        "SELECT count(*) AS n, count(DISTINCT encounter_id) AS encounters,"
        " coalesce(sum(size), 0)::bigint AS bytes FROM attachments"
        " WHERE created_at < $1",
    [RP_Q_PRIVACY_RETAIN_BODIES] =
        "SELECT e.id, e.customer_id FROM encounters e WHERE " RETAIN_BODIES
        " ORDER BY coalesce(e.closed_at, e.abandoned_at) LIMIT $2::bigint",
    [RP_Q_PRIVACY_RETAIN_BODIES_COUNT] =
        "SELECT coalesce(sum((n > 0)::int), 0)::bigint AS encounters,"
        " coalesce(sum(n), 0)::bigint AS messages FROM (SELECT"
        " (SELECT count(*) FROM messages m"
        " WHERE m.encounter_id = e.id AND m.erased_at IS NULL) AS n"
        " FROM encounters e WHERE " RETAIN_BODIES ") AS x",
    [RP_Q_PRIVACY_DROP_BODIES] = "UPDATE messages SET" ERASE_TEXT(
        quoted) " body = $2, erased_at = $3 WHERE encounter_id = $1"
                " AND erased_at IS NULL",
    [RP_Q_PRIVACY_BODIES_DROPPED] =
        "UPDATE encounters SET bodies_dropped_at = $2 WHERE id = $1",
    /* The follow-ups an agent has to do (due.c): scheduled or sent, due
     * before $1, for $2 = 'mine' (the encounter is $3's), 'queues' (in a
     * queue $3 belongs to) or 'all'; read through tasks_by_due. */
    [RP_Q_FOLLOWUP_DUE] =
        "SELECT t.id, t.customer_id, t.encounter_id, t.kind, t.channel,"
        " t.subject, t.due_at AS due_at, t.status, t.attempts, t.last_error,"
        " e.agent_id, e.queue_id, c.name AS customer_name,"
        " c.preferred_name AS customer_preferred_name"
        " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"
        " JOIN customers c ON c.id = t.customer_id"
        " WHERE t.status IN ('scheduled', 'sent') AND t.kind = 'follow_up'"
        " AND t.due_at < $1 AND t.id > $4"
        " AND ($2::text = 'all' OR ($2::text = 'mine'"
        "   AND e.agent_id = $3::bigint) OR ($2::text = 'queues'"
        "   AND e.queue_id IN (SELECT queue_id FROM queue_members"
        "   WHERE agent_id = $3::bigint)))"
        " ORDER BY t.id LIMIT $5::bigint",
    /* A failed or held task back to the schedule, tried afresh. */
    [RP_Q_FOLLOWUP_TASK_RETRY] =
        "UPDATE tasks SET status = 'scheduled', attempts = 0,"
        " next_attempt_at = NULL, last_error = NULL, claimed_by = NULL,"
        " claimed_at = NULL, due_at = greatest(due_at, $2::bigint)"
        " WHERE id = $1 AND status IN ('failed', 'held')",

    /* ---- the read path: searches from their indexes ------------------ */
    /* Customers whose name, preferred name or email addresses hold $1 (an
     * FTS5 string: the text in double quotes, as on SQLite), from the
     * trigram index (customers_search, whose condition this repeats), in
     * id order after $2, $3 of them.  The page of matching ids is taken
     * from a bitmap scan of the index first, and only those customers are
     * read: a plan walking customers in id order and testing each, which
     * a generic plan of this statement would otherwise choose for its
     * LIMIT, reads every customer when few match. */
    [RP_Q_CUSTOMER_SEARCH] =
        "WITH m AS MATERIALIZED (SELECT id FROM customers"
        "  WHERE merged_into IS NULL AND id > $2::bigint"
        "  AND (name ILIKE " CUSTOMER_PATTERN
        "  OR preferred_name ILIKE " CUSTOMER_PATTERN
        "  OR emails ILIKE " CUSTOMER_PATTERN "))"
        " SELECT c.* FROM (SELECT id FROM m ORDER BY id LIMIT $3::bigint) p"
        " CROSS JOIN LATERAL (SELECT c.id, c.name,"
        " c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into FROM customers c WHERE c.id = p.id) c"
        " ORDER BY c.id",
    /* ---- least privilege in figures, searches and export requests ---- */
    /* an export request hands out the customer's whole data: it is seen
     * through its customer, not the encounter it was asked from */
    [RP_Q_STAFF_OWNER_OF_EXPORT_REQUEST] =
        "SELECT NULL::bigint AS encounter_id, customer_id FROM export_requests"
        " WHERE id = $1",
    /* the queues an agent's figures count: the open ones and their own
     * (queue_members_by_agent); the queues table is the desk's few */
    [RP_Q_STAFF_QUEUES_VISIBLE] =
        "SELECT id AS queue_id FROM queues WHERE restricted = 0"
        " UNION SELECT queue_id FROM queue_members WHERE agent_id = $1"
        " ORDER BY queue_id",
    /* the relationship levels of the customers of some queues ($1, a JSON
     * array; 0 is no queue), as MEASURES_LEVELS counts them for the desk:
     * the levels index read once, each customer's encounters probed by
     * encounters_by_customer_queue */
    [RP_Q_MEASURES_LEVELS_IN_QUEUES] =
        "SELECT c.relationship_level AS level, count(*) AS n FROM customers c"
        " WHERE EXISTS (SELECT 1 FROM encounters e WHERE e.customer_id = c.id"
        "   AND coalesce(e.queue_id, 0) IN"
        "   (SELECT jsonb_array_elements_text($1::text::jsonb)::bigint))"
        " GROUP BY c.relationship_level",
    /* ---- merging customers, and their possible duplicates ------------ */
    /* the customers merged into $1 (customers_merged_into) */
    [RP_Q_CUSTOMER_ALIASES] =
        "SELECT id FROM customers WHERE merged_into = $1 ORDER BY id",
    /* other live customers with an identity of the same match key as one
     * of $1's (identities_by_customer, then identities_by_match_key) */
    [RP_Q_CUSTOMER_DUPLICATES] =
        "SELECT o.customer_id, c.name, c.preferred_name, o.kind, o.value,"
        " m.value AS own_value FROM identities m"
        " JOIN identities o ON o.kind = m.kind AND o.match_key = m.match_key"
        " AND o.customer_id <> m.customer_id"
        " JOIN customers c ON c.id = o.customer_id"
        " WHERE m.customer_id = $1 AND c.erased_at IS NULL"
        " AND c.merged_into IS NULL ORDER BY o.customer_id, o.id LIMIT 200",
    [RP_Q_CUSTOMER_MERGE_ERASURE_PENDING] =
        "SELECT id FROM erasure_requests WHERE customer_id = $1"
        " AND state = 'pending' LIMIT 1",
    /* of two preferences with one key, the one changed earlier (the kept
     * customer's on a tie) gives way */
    [RP_Q_CUSTOMER_MERGE_PREFERENCES_SUPERSEDED] =
        "SELECT p.id, p.customer_id, p.key, p.value, p.firmness,"
        " p.updated_at FROM preferences p JOIN preferences q"
        " ON q.key = p.key AND q.customer_id = CASE p.customer_id"
        " WHEN $1::bigint THEN $2::bigint ELSE $1::bigint END"
        " WHERE p.customer_id IN ($1, $2) AND (p.updated_at < q.updated_at"
        " OR (p.updated_at = q.updated_at AND p.customer_id = $2))",
    /* of two decisions on one purpose, the later one stands */
    [RP_Q_CUSTOMER_MERGE_CONSENTS_SUPERSEDED] =
        "SELECT p.id, p.customer_id, p.purpose, p.granted AS granted__bool,"
        " p.decided_at, p.source FROM consents p JOIN consents q"
        " ON q.purpose = p.purpose AND q.customer_id = CASE p.customer_id"
        " WHEN $1::bigint THEN $2::bigint ELSE $1::bigint END"
        " WHERE p.customer_id IN ($1, $2) AND (p.decided_at < q.decided_at"
        " OR (p.decided_at = q.decided_at AND p.customer_id = $2))",
    /* the aliases of the customer merged away follow it */
    [RP_Q_CUSTOMER_MERGE_REPOINT] =
        "UPDATE customers SET merged_into = $1 WHERE merged_into = $2",
    [RP_Q_CUSTOMER_MERGE_ENCOUNTERS] =
        "UPDATE encounters SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_ENCOUNTER_TRANSFERS] =
        "UPDATE encounter_transfers SET customer_id = $1 WHERE customer_id = "
        "$2",
    [RP_Q_CUSTOMER_MERGE_DEFECTS] =
        "UPDATE defects SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_SPECIAL_REQUESTS] =
        "UPDATE special_requests SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_PROMISES] =
        "UPDATE promises SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_RELATIONSHIP_LEVELS] =
        "UPDATE relationship_levels SET customer_id = $1 WHERE customer_id = "
        "$2",
    [RP_Q_CUSTOMER_MERGE_TASKS] =
        "UPDATE tasks SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_SATISFACTION_CHECKS] =
        "UPDATE satisfaction_checks SET customer_id = $1 WHERE customer_id = "
        "$2",
    [RP_Q_CUSTOMER_MERGE_PREFERENCES] =
        "UPDATE preferences SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_GOALS] =
        "UPDATE goals SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_IMPORTANT_DATES] =
        "UPDATE important_dates SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_CONSENTS] =
        "UPDATE consents SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_OFFERS] =
        "UPDATE offers SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_IDENTITIES] =
        "UPDATE identities SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_MESSAGES] =
        "UPDATE messages SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_ATTACHMENTS] =
        "UPDATE attachments SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_HELP_LINKS] =
        "UPDATE help_links SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_EXPORT_REQUESTS] =
        "UPDATE export_requests SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_ERASURE_REQUESTS] =
        "UPDATE erasure_requests SET customer_id = $1 WHERE customer_id = $2",
    [RP_Q_CUSTOMER_MERGE_CHARTER_BREACHES] =
        "UPDATE charter_breaches SET customer_id = $1 WHERE customer_id = $2",
    /* ---- measures: the sweep of the charter's breaches (sweep.c) ---- */
    /* What is due to be looked at: a range of charter_watch_due. */
    [RP_Q_MEASURES_SWEEP_DUE] =
        "SELECT encounter_id AS id FROM charter_watch WHERE next_at <= $1"
        " ORDER BY next_at LIMIT $2::bigint",
    /* One watched encounter still due, read again inside the write
     * transaction: another sweep may have judged it since the look.  Its
     * watch row is locked (SQLite's one writer does that), so a sweep on
     * another server waits, then finds it no longer due. */
    [RP_Q_MEASURES_SWEEP_LOOK] =
        "SELECT e.id, e.customer_id, e.queue_id, e.created_at, e.arrived_at,"
        " e.acknowledged_at, e.first_response_at, e.closed_at, e.abandoned_at"
        " FROM charter_watch w JOIN encounters e ON e.id = w.encounter_id"
        " WHERE w.encounter_id = $1 AND w.next_at <= $2"
        " FOR UPDATE OF w",
    /* No row back when the breach was recorded before: it is not sent
     * again. */
    [RP_Q_MEASURES_SWEEP_RECORD] =
        "INSERT INTO charter_breaches (encounter_id, customer_id,"
        " target, target_seconds, due_at, breached_at, judged_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
        " RETURNING id",
    [RP_Q_MEASURES_SWEEP_NEXT] =
        "UPDATE charter_watch SET next_at = $2 WHERE encounter_id = $1",
    [RP_Q_MEASURES_SWEEP_DONE] =
        "DELETE FROM charter_watch WHERE encounter_id = $1",
    /* A changed charter moves every deadline: look at each again now. */
    [RP_Q_MEASURES_SWEEP_AGAIN] =
        "UPDATE charter_watch SET next_at = $1 WHERE next_at > $1",
    [RP_Q_MEASURES_SWEEP_BREACHES_OF] =
        "SELECT id, encounter_id, customer_id, target, target_seconds,"
        " due_at, breached_at, judged_at FROM charter_breaches"
        " WHERE encounter_id = $1 ORDER BY id",
    /* the customer's copy of their data (export.c) */
    [RP_Q_MEASURES_SWEEP_BREACHES_OF_CUSTOMER] =
        "SELECT id, encounter_id, customer_id, target, target_seconds,"
        " due_at, breached_at, judged_at FROM charter_breaches"
        " WHERE customer_id = $1 ORDER BY id",
    /* ---- measures: the charter's versions and calendar ---- */
    [RP_Q_MEASURES_CHARTER_VERSION_ADD] =
        "INSERT INTO charter_versions (starts_at, acknowledge_minutes,"
        " first_response_minutes, resolution_hours, follow_up_on_time,"
        " created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [RP_Q_MEASURES_CHARTER_VERSION_AT] =
        "SELECT id, starts_at, acknowledge_minutes, first_response_minutes,"
        " resolution_hours, follow_up_on_time, created_by"
        " FROM charter_versions WHERE starts_at <= $1"
        " ORDER BY starts_at DESC, id DESC LIMIT 1",
    [RP_Q_MEASURES_CHARTER_VERSIONS] =
        "SELECT id, starts_at, acknowledge_minutes, first_response_minutes,"
        " resolution_hours, follow_up_on_time, created_by"
        " FROM charter_versions ORDER BY starts_at DESC, id DESC"
        " LIMIT $1::bigint",
    [RP_Q_MEASURES_HOURS_GET] =
        "SELECT queue_id, time_zone, intervals AS intervals__json, updated_at,"
        " updated_by FROM business_hours WHERE queue_id = $1",
    [RP_Q_MEASURES_HOURS_SET] =
        "INSERT INTO business_hours (queue_id, time_zone, intervals,"
        " updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (queue_id) DO UPDATE SET time_zone = excluded.time_zone,"
        " intervals = excluded.intervals, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by",
    [RP_Q_MEASURES_HOURS_CLEAR] =
        "DELETE FROM business_hours WHERE queue_id = $1",
    [RP_Q_MEASURES_HOLIDAYS_OF_QUEUE] =
        "SELECT day AS date, name FROM holidays WHERE queue_id = $1"
        " ORDER BY day",
    [RP_Q_MEASURES_HOLIDAYS_OF_DESK] =
        "SELECT day AS date, name FROM holidays WHERE queue_id IS NULL"
        " ORDER BY day",
    [RP_Q_MEASURES_HOLIDAYS_CLEAR_QUEUE] =
        "DELETE FROM holidays WHERE queue_id = $1",
    [RP_Q_MEASURES_HOLIDAYS_CLEAR_DESK] =
        "DELETE FROM holidays WHERE queue_id IS NULL",
    [RP_Q_MEASURES_HOLIDAY_ADD] =
        "INSERT INTO holidays (queue_id, day, name) VALUES ($1, $2, $3)",
    [RP_Q_MEASURES_DEADLINES_GET] =
        "SELECT d.encounter_id, d.version_id, d.business_hours AS"
        " business_hours__bool, d.acknowledge_due_at, d.first_response_due_at,"
        " d.resolution_due_at FROM charter_deadlines d WHERE d.encounter_id = "
        "$1",
    [RP_Q_MEASURES_DEADLINES_SET] =
        "INSERT INTO charter_deadlines (encounter_id, version_id,"
        " business_hours, acknowledge_due_at, first_response_due_at,"
        " resolution_due_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (encounter_id) DO NOTHING",

/* ---- the work lists (core/encounter/worklist.c) --------------------
 * The same parameters as SQLite's ($1 state ... $13 customer, $14 the
 * page size, then the cursor); the text $12 is the FTS5 string, taken
 * apart as CUSTOMER_PATTERN does and matched with ILIKE over the
 * pg_trgm indexes of subjects and customers. */
#define WL_PATTERN                                                             \
    "('%' || replace(replace(replace(replace(substr($12::text, 2,"             \
    " length($12::text) - 2), '\"\"', '\"'), '\\', '\\\\'), '%', '\\%'),"      \
    " '_', '\\_') || '%')"
#define WL_SELECT                                                              \
    "SELECT e.id, c.name AS customer_name,"                                    \
    " c.preferred_name AS customer_preferred_name, q.name AS queue_name,"      \
    " a.name AS agent_name FROM encounters e"                                  \
    " LEFT JOIN customers c ON c.id = e.customer_id"                           \
    " LEFT JOIN queues q ON q.id = e.queue_id"                                 \
    " LEFT JOIN agents a ON a.id = e.agent_id"
#define WL_FILTER                                                              \
    " AND ($1::text = 'all' OR ($1::text = 'open' AND e.stage NOT IN"          \
    "  ('closed','abandoned')) OR ($1::text = 'closed' AND e.stage IN"         \
    "  ('closed','abandoned')))"                                               \
    " AND ($2::bigint IS NULL OR coalesce(e.queue_id, 0) = $2::bigint)"        \
    " AND ($3::bigint IS NULL OR coalesce(e.agent_id, 0) = $3::bigint)"        \
    " AND ($4::text IS NULL OR e.stage = $4::text)"                            \
    " AND ($5::text IS NULL OR e.channel = $5::text)"                          \
    " AND ($6::text IS NULL OR e.kind = $6::text)"                             \
    " AND ($7::text IS NULL OR e.exchange = $7::text)"                         \
    " AND ($8::bigint IS NULL OR (e.stage NOT IN ('closed','abandoned') AND"   \
    "  ((e.acknowledged_at IS NULL AND e.arrived_at < $9::bigint)"             \
    "  OR (e.first_response_at IS NULL AND e.arrived_at < $10::bigint)"        \
    "  OR e.arrived_at < $11::bigint)))"                                       \
    " AND ($12::text IS NULL OR e.subject ILIKE " WL_PATTERN                   \
    "  OR e.customer_id IN (SELECT x.id FROM customers x"                      \
    "  WHERE x.merged_into IS NULL AND (x.name ILIKE " WL_PATTERN              \
    "  OR x.preferred_name ILIKE " WL_PATTERN                                  \
    "  OR x.emails ILIKE " WL_PATTERN ")))"                                    \
    " AND ($13::bigint IS NULL OR e.customer_id = $13::bigint)"
    [RP_Q_ENCOUNTER_WORKLIST_OPEN_WAITING] = WL_SELECT
    " WHERE e.stage NOT IN ('closed','abandoned')" WL_FILTER
    " AND (e.arrived_at, e.id) > ($15::bigint, $16::bigint)"
    " ORDER BY e.arrived_at, e.id LIMIT $14::bigint",
    /* one queue's open work ($2, 0: none): a range of
     * encounters_open_by_queue_arrived, in order */
    [RP_Q_ENCOUNTER_WORKLIST_QUEUE_WAITING] = WL_SELECT
    " WHERE coalesce(e.queue_id, 0) = $2::bigint"
    " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
    " AND (e.arrived_at, e.id) > ($15::bigint, $16::bigint)"
    " ORDER BY e.arrived_at, e.id LIMIT $14::bigint",
    /* the same by last change (encounters_open_by_queue_updated) */
    [RP_Q_ENCOUNTER_WORKLIST_QUEUE_ACTIVITY] = WL_SELECT
    " WHERE coalesce(e.queue_id, 0) = $2::bigint"
    " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
    " AND (e.updated_at, e.id) < ($15::bigint, $16::bigint)"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_AGENT_WAITING] = WL_SELECT
    " WHERE e.agent_id = $3::bigint"
    " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
    " AND (e.arrived_at, e.id) > ($15::bigint, $16::bigint)"
    " ORDER BY e.arrived_at, e.id LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_OPEN_ACTIVITY] = WL_SELECT
    " WHERE e.stage NOT IN ('closed','abandoned')" WL_FILTER
    " AND (e.updated_at, e.id) < ($15::bigint, $16::bigint)"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_CLOSED_ACTIVITY] = WL_SELECT
    " WHERE e.stage IN ('closed','abandoned')" WL_FILTER
    " AND (e.updated_at, e.id) < ($15::bigint, $16::bigint)"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_NEWEST] = WL_SELECT
    " WHERE e.id < $15::bigint" WL_FILTER
    " ORDER BY e.id DESC LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_CUSTOMER] = WL_SELECT
    " WHERE e.customer_id = $13::bigint AND e.id < $15::bigint" WL_FILTER
    " ORDER BY e.id DESC LIMIT $14::bigint",
#define WL_SEARCH_KEY                                                          \
    " CASE $15::text WHEN 'waiting' THEN e.arrived_at WHEN 'activity'"         \
    " THEN -e.updated_at ELSE -e.id END"
    [RP_Q_ENCOUNTER_WORKLIST_SEARCH] = WL_SELECT
    " WHERE $12::text IS NOT NULL" WL_FILTER " AND (" WL_SEARCH_KEY
    ", e.id) > ($16::bigint, $17::bigint)"
    " ORDER BY" WL_SEARCH_KEY ", e.id LIMIT $14::bigint",
    [RP_Q_ENCOUNTER_WORKLIST_KEY] =
        "SELECT arrived_at AS arrived, updated_at AS updated FROM encounters"
        " WHERE id = $1",
    [RP_Q_ENCOUNTER_WORKLIST_COUNTS] =
        "SELECT e.queue_id, count(*) AS open,"
        " coalesce(sum((e.agent_id IS NULL)::int), 0)::bigint AS unassigned,"
        " coalesce(sum((e.agent_id = $1::bigint)::int), 0)::bigint AS mine,"
        " coalesce(sum(((e.acknowledged_at IS NULL AND"
        "  e.arrived_at < $2::bigint)"
        "  OR (e.first_response_at IS NULL AND e.arrived_at < $3::bigint)"
        "  OR e.arrived_at < $4::bigint)::int), 0)::bigint AS over_target"
        " FROM encounters e WHERE e.stage NOT IN ('closed','abandoned')"
        " GROUP BY e.queue_id",
    [RP_Q_ENCOUNTER_WORKLIST_CLOSED_COUNTS] =
        "SELECT e.queue_id, count(*) AS n FROM encounters e"
        " WHERE e.stage IN ('closed','abandoned') AND e.updated_at >= $1"
        " GROUP BY e.queue_id",
    [RP_Q_ENCOUNTER_WORKLIST_CHANGED] =
        "SELECT (SELECT e.updated_at FROM encounters e"
        "  WHERE e.stage NOT IN ('closed','abandoned')"
        "  ORDER BY e.updated_at DESC LIMIT 1) AS open_changed,"
        " (SELECT e.updated_at FROM encounters e"
        "  WHERE e.stage IN ('closed','abandoned')"
        "  ORDER BY e.updated_at DESC LIMIT 1) AS closed_changed",
    [RP_Q_MEASURES_OWNERSHIP] =
        "SELECT coalesce(sum(e.takes), 0)::bigint AS takes,"
        " coalesce(sum(e.assignments), 0)::bigint AS assignments,"
        " coalesce(sum(e.reassignments), 0)::bigint AS reassignments"
        " FROM encounters e WHERE" M_ENC_WINDOW,
    /* ---- followup: the scheduler's rules, one bounded batch a statement
     * (sqlite_queries.c says what each parameter is) ---- */
    [RP_Q_FOLLOWUP_DATES_BATCH] =
        "INSERT INTO tasks (customer_id, kind, purpose, subject,"
        " payload, due_at, status, idempotency_key, created_by, created_at)"
        " SELECT d.customer_id, $2::text, 'reminders', $3::text || d.title,"
        " json_build_object('date_id', d.id)::text, d.at - $4::bigint,"
        " 'scheduled', $5::text || d.id || ':' || d.at, 'scheduler',"
        " $6::bigint FROM important_dates d WHERE d.kind = $1::text"
        " AND d.at > $6::bigint AND d.tasked_for IS DISTINCT FROM d.at"
        " ORDER BY d.at, d.id LIMIT $7::bigint ON CONFLICT DO NOTHING",
    [RP_Q_FOLLOWUP_DATES_MARK] =
        "UPDATE important_dates SET tasked_for = at WHERE id IN"
        " (SELECT d.id FROM important_dates d WHERE d.kind = $1::text"
        " AND d.at > $2::bigint AND d.tasked_for IS DISTINCT FROM d.at"
        " ORDER BY d.at, d.id LIMIT $3::bigint)",
    [RP_Q_FOLLOWUP_KEEP_IN_TOUCH_BATCH] =
        "INSERT INTO tasks (customer_id, kind, purpose, subject,"
        " payload, due_at, status, idempotency_key, created_by, created_at)"
        " SELECT c.id, 'keep_in_touch', 'reminders', 'Keeping in touch',"
        " json_build_object('last_contact', coalesce(c.contact_at,"
        " c.created_at), 'cadence_days', $4::bigint)::text, $3::bigint,"
        " 'scheduled', 'keep_in_touch:customer:' || c.id || ':'"
        " || coalesce(c.contact_at, c.created_at), 'scheduler', $3::bigint"
        " FROM customers c WHERE c.relationship_level = $1::text"
        " AND coalesce(c.contact_at, c.created_at) <= $2::bigint"
        " AND c.erased_at IS NULL AND c.merged_into IS NULL"
        " AND c.kept_in_touch_for IS DISTINCT FROM coalesce(c.contact_at,"
        " c.created_at) ORDER BY coalesce(c.contact_at, c.created_at), c.id"
        " LIMIT $5::bigint ON CONFLICT DO NOTHING",
    [RP_Q_FOLLOWUP_KEEP_IN_TOUCH_MARK] =
        "UPDATE customers SET kept_in_touch_for = coalesce(contact_at,"
        " created_at) WHERE id IN (SELECT c.id FROM customers c"
        " WHERE c.relationship_level = $1::text"
        " AND coalesce(c.contact_at, c.created_at) <= $2::bigint"
        " AND c.erased_at IS NULL AND c.merged_into IS NULL"
        " AND c.kept_in_touch_for IS DISTINCT FROM coalesce(c.contact_at,"
        " c.created_at) ORDER BY coalesce(c.contact_at, c.created_at), c.id"
        " LIMIT $3::bigint)",
    [RP_Q_FOLLOWUP_CLOSED_AFTER] =
        "SELECT id, closed_at AS closed FROM encounters"
        " WHERE closed_at >= $1::bigint AND closed_at <= $4::bigint"
        " AND (closed_at > $2::bigint OR id > $3::bigint)"
        " ORDER BY closed_at, id LIMIT $5::bigint",
    [RP_Q_FOLLOWUP_SATISFACTION_ONE] =
        "INSERT INTO tasks (customer_id, encounter_id, kind, purpose,"
        " subject, payload, due_at, status, idempotency_key, created_by,"
        " created_at)"
        " SELECT e.customer_id, e.id, 'satisfaction_check', 'service',"
        " 'How did we do? ' || e.subject,"
        " json_build_object('encounter_id', e.id)::text,"
        " e.closed_at + $1::bigint, 'scheduled',"
        " 'satisfaction:encounter:' || e.id, 'scheduler', $2::bigint"
        " FROM encounters e WHERE e.id = $3::bigint"
        " AND e.stage = 'closed' AND e.satisfaction_skip_reason IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.encounter_id = e.id"
        "   AND t.kind = 'satisfaction_check')"
        " AND NOT EXISTS (SELECT 1 FROM satisfaction_checks c"
        "   WHERE c.customer_id = e.customer_id AND c.encounter_id = e.id)"
        " ON CONFLICT DO NOTHING",
    [RP_Q_FOLLOWUP_CURSOR_GET] = "SELECT at AS position, id FROM "
                                 "scheduler_cursors WHERE rule = $1::text",
    [RP_Q_FOLLOWUP_CURSOR_PUT] =
        "INSERT INTO scheduler_cursors (rule, at, id)"
        " VALUES ($1::text, $2::bigint, $3::bigint)"
        " ON CONFLICT (rule) DO UPDATE SET at = excluded.at, id = excluded.id",
    /* ---- the rollups of the service metrics (rollup.c; as SQLite's) */
    [RP_Q_MEASURES_ROLLUP_SUMS] =
        "SELECT"
        " coalesce(sum(encounters), 0)::bigint AS encounters,"
        " coalesce(sum(closed), 0)::bigint AS closed,"
        " coalesce(sum(abandoned), 0)::bigint AS abandoned,"
        " coalesce(sum(fcr_resolved), 0)::bigint AS fcr_resolved,"
        " coalesce(sum(fcr_unknown), 0)::bigint AS fcr_unknown,"
        " coalesce(sum(waiting), 0)::bigint AS waiting,"
        " coalesce(sum(transfers), 0)::bigint AS transfers,"
        " coalesce(sum(transferred), 0)::bigint AS transferred,"
        " coalesce(sum(apologies_owed), 0)::bigint AS apologies_owed,"
        " coalesce(sum(apologies_given), 0)::bigint AS apologies_given,"
        " coalesce(sum(apologies_missing), 0)::bigint AS apologies_missing,"
        " coalesce(sum(takes), 0)::bigint AS takes,"
        " coalesce(sum(assignments), 0)::bigint AS assignments,"
        " coalesce(sum(reassignments), 0)::bigint AS reassignments,"
        " coalesce(sum(waits), 0)::bigint AS waits,"
        " coalesce(sum(wait_sum), 0)::bigint AS wait_sum,"
        " max(wait_max) AS wait_max FROM measure_days"
        " WHERE day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER,
    /* without a queue or agent from the day's totals (migration 113) */
    [RP_Q_MEASURES_ROLLUP_COUNTS] =
        "SELECT kind, key, sum(n)::bigint AS n FROM measure_day_totals"
        " WHERE $3::text IS NULL AND $4::bigint IS NULL"
        " AND day >= $1::bigint AND day < $2::bigint GROUP BY kind, key"
        " UNION ALL"
        " SELECT kind, key, sum(n)::bigint AS n FROM measure_day_counts"
        " WHERE NOT ($3::text IS NULL AND $4::bigint IS NULL)"
        " AND day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER
        " GROUP BY kind, key",
    [RP_Q_MEASURES_EDGE_SUMS] = "SELECT " PRU_SUMS
                                " FROM encounters e WHERE" M_ENC_WINDOW,
    // clang-format off
    [RP_Q_MEASURES_EDGE_COUNTS] =
        "SELECT 'channel' AS kind, e.channel AS key, count(*) AS n"
        " FROM encounters e WHERE" M_ENC_WINDOW " GROUP BY e.channel"
        " UNION ALL SELECT 'wait', " PRU_BUCKET(PRU_WAIT("e")) "::text,"
        " count(*) FROM encounters e WHERE" M_ENC_WINDOW
        " AND " PRU_WAIT("e") " IS NOT NULL GROUP BY 2",
    /* per queue (as SQLite's) */
    [RP_Q_MEASURES_ROLLUP_QUEUES] =
        "SELECT queue_id, sum(encounters)::bigint AS encounters,"
        " sum(abandoned)::bigint AS abandoned FROM measure_days"
        " WHERE day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER
        " GROUP BY queue_id",
    [RP_Q_MEASURES_ROLLUP_QUEUE_WAITS] =
        "SELECT queue_id, key, sum(n)::bigint AS n FROM measure_day_counts"
        " WHERE day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER
        " AND kind = 'wait' GROUP BY queue_id, key",
    [RP_Q_MEASURES_EDGE_QUEUES] =
        "SELECT coalesce(e.queue_id, 0)::bigint AS queue_id,"
        " count(*) AS encounters,"
        " count(*) FILTER (WHERE e.abandoned_at IS NOT NULL) AS abandoned"
        " FROM encounters e WHERE" M_ENC_WINDOW " GROUP BY 1",
    [RP_Q_MEASURES_EDGE_QUEUE_WAITS] =
        "SELECT coalesce(e.queue_id, 0)::bigint AS queue_id,"
        " " PRU_BUCKET(PRU_WAIT("e")) "::text AS key, count(*) AS n"
        " FROM encounters e WHERE" M_ENC_WINDOW
        " AND " PRU_WAIT("e") " IS NOT NULL GROUP BY 1, 2",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_LEVELS] =
        "SELECT level, n FROM measure_levels ORDER BY level",
    [RP_Q_MEASURES_ROLLUP_CLEAR_DAYS] = "DELETE FROM measure_days",
    [RP_Q_MEASURES_ROLLUP_CLEAR_COUNTS] = "DELETE FROM measure_day_counts",
    [RP_Q_MEASURES_ROLLUP_CLEAR_LEVELS] = "DELETE FROM measure_levels",
    [RP_Q_MEASURES_ROLLUP_FILL_DAYS] = PRU_FILL_DAYS,
    [RP_Q_MEASURES_ROLLUP_FILL_CHANNELS] = PRU_FILL_CHANNELS,
    [RP_Q_MEASURES_ROLLUP_FILL_WAITS] = PRU_FILL_WAITS,
    [RP_Q_MEASURES_ROLLUP_FILL_LEVELS] = PRU_FILL_LEVELS,
    /* the charter's breaches (as SQLite's) */
    [RP_Q_MEASURES_ROLLUP_BREACHES] =
        "SELECT target, sum(n)::bigint AS n FROM measure_breaches"
        " WHERE day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER
        " GROUP BY target",
    // clang-format off
    [RP_Q_MEASURES_EDGE_BREACHES] =
        "SELECT"
        " count(*) FILTER (WHERE " RB_ACK_OF("e", "d.acknowledge_due_at") ")"
        " AS acknowledge,"
        " count(*) FILTER (WHERE " RB_FIRST_OF("e", "d.first_response_due_at") ")"
        " AS first_response,"
        " count(*) FILTER (WHERE " RB_RES_OF("e", "d.resolution_due_at") ")"
        " AS resolution"
        " FROM encounters e LEFT JOIN charter_deadlines d"
        " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW,
    // clang-format on
    [RP_Q_MEASURES_BREACHES_NOW] =
        "SELECT o.acknowledge, o.first_response, o.resolution,"
        " " M_FOLLOW_UPS_LATE " AS follow_up_on_time FROM"
        " (SELECT count(*) FILTER (WHERE e.acknowledged_at IS NULL"
        "   AND $5::bigint > " M_ACK_DUE ") AS acknowledge,"
        " count(*) FILTER (WHERE e.first_response_at IS NULL"
        "   AND $5::bigint > " M_FIRST_DUE ") AS first_response,"
        " count(*) FILTER (WHERE $5::bigint > " M_RES_DUE ") AS resolution"
        " FROM encounters e LEFT JOIN charter_deadlines d"
        " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW
        " AND e.closed_at IS NULL AND e.abandoned_at IS NULL) AS o",
    /* How long the breaches took, as SQLite's (sqlite_queries.c says
     * how). */
    [RP_Q_MEASURES_ROLLUP_BREACH_TIMES] =
        "SELECT target, 'encounter' AS subject, queue_id, sum(n)::bigint AS n,"
        " sum(calendar_sum)::bigint AS calendar_sum,"
        " sum(over_sum)::bigint AS over_sum FROM measure_breaches"
        " WHERE day >= $1::bigint AND day < $2::bigint AND" PRU_FILTER
        " GROUP BY target, queue_id HAVING sum(n) > 0",
    [RP_Q_MEASURES_EDGE_BREACH_TIMES] = RBT_TARGETS(
        M_EDGE_TIMES_ARM, " UNION ALL ", "e", "d.acknowledge_due_at",
        "d.first_response_due_at", "d.resolution_due_at"),
    [RP_Q_MEASURES_BREACH_TIMES_NOW] =
        "WITH x AS (SELECT coalesce(e.queue_id, 0) AS q, e.arrived_at AS a,"
        " e.acknowledged_at AS ack, e.first_response_at AS fr,"
    /* the targets of the charter at its arrival */
    M_CHARTER_TARGET_COLUMNS " FROM encounters e"
    /* its deadlines and charter version */
    M_CHARTER_AT_ARRIVAL " WHERE" M_ENC_WINDOW
        " AND e.closed_at IS NULL AND e.abandoned_at IS NULL),"
        " f AS (" M_TIMES_FOLLOW_UPS ")"
        " SELECT 'acknowledge' AS target, 'encounter' AS subject,"
        " q AS queue_id, count(*) AS n,"
        " sum($5::bigint - a)::bigint AS calendar_sum,"
        " sum(greatest($5::bigint - a - ack_t, 0))::bigint AS over_sum FROM x"
        " WHERE ack IS NULL AND $5::bigint > coalesce(ack_d, a + ack_t)"
        " GROUP BY q"
        " UNION ALL SELECT 'first_response', 'encounter', q, count(*),"
        " sum($5::bigint - a)::bigint,"
        " sum(greatest($5::bigint - a - first_t, 0))::bigint FROM x"
        " WHERE fr IS NULL AND $5::bigint > coalesce(first_d, a + first_t)"
        " GROUP BY q"
        " UNION ALL SELECT 'resolution', 'encounter', q, count(*),"
        " sum($5::bigint - a)::bigint,"
        " sum(greatest($5::bigint - a - res_t, 0))::bigint FROM x"
        " WHERE $5::bigint > coalesce(res_d, a + res_t) GROUP BY q"
        " UNION ALL SELECT target, subject, coalesce(queue_id, 0), count(*),"
        " sum(actual_seconds)::bigint, sum(greatest(actual_seconds - "
        "target_seconds, 0))::bigint FROM f"
        " GROUP BY target, subject, coalesce(queue_id, 0)",
    [RP_Q_MEASURES_ROLLUP_CLEAR_BREACHES] = "DELETE FROM measure_breaches",
    [RP_Q_MEASURES_ROLLUP_FILL_BREACHES] = RBT_FILL,
    [RP_Q_MEASURES_ROLLUP_CLEAR_BREACH_LIST] =
        "DELETE FROM measure_breach_list",
    [RP_Q_MEASURES_ROLLUP_FILL_BREACH_LIST] = RBL_FILL,
    /* The moments of a window without a queue or agent, as SQLite's
     * (sqlite_queries.c says how): $1 from, $2 to, $3 the first whole
     * hour, $4 the hour after the last. */
    // clang-format off
    [RP_Q_MEASURES_ROLLUP_MOMENTS] =
        "SELECT r.moments + a.moments + b.moments AS moments,"
        " r.positive + a.positive + b.positive AS positive,"
        " r.neutral + a.neutral + b.neutral AS neutral,"
        " r.negative + a.negative + b.negative AS negative,"
        " l.n + p.n - x.n AS customers FROM"
        " (SELECT coalesce(sum(moments), 0)::bigint AS moments,"
        "  coalesce(sum(positive), 0)::bigint AS positive,"
        "  coalesce(sum(neutral), 0)::bigint AS neutral,"
        "  coalesce(sum(negative), 0)::bigint AS negative"
        "  FROM measure_moment_hours"
        "  WHERE hour >= $3::bigint AND hour < $4::bigint) r,"
        " " M_MOMENTS_BETWEEN("$1::bigint", "$3::bigint * 3600") " a,"
        " " M_MOMENTS_BETWEEN("$4::bigint * 3600", "$2::bigint") " b,"
        " (SELECT coalesce(sum(customers_last), 0)::bigint AS n"
        "  FROM measure_moment_hours WHERE hour >= $3::bigint) l,"
        " (SELECT count(*) AS n FROM measure_moment_customers"
        "  WHERE last_at >= $1::bigint AND last_at < $3::bigint * 3600) p,"
        " (SELECT count(*) AS n FROM measure_moment_customers c"
        "  WHERE c.last_at >= $2::bigint AND NOT EXISTS (SELECT 1"
        "   FROM moments m WHERE m.customer_id = c.customer_id"
        "   AND m.occurred_at >= $1::bigint"
        "   AND m.occurred_at < $2::bigint)) x",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_HOURS] =
        "DELETE FROM measure_moment_hours",
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_CUSTOMERS] =
        "DELETE FROM measure_moment_customers",
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_HOURS] = PRM_FILL_HOURS,
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_CUSTOMERS] = PRM_FILL_CUSTOMERS,
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_LAST] = PRM_FILL_LAST,
    [RP_Q_MEASURES_ROLLUP_CLEAR_DAY_TOTALS] = "DELETE FROM measure_day_totals",
    [RP_Q_MEASURES_ROLLUP_FILL_DAY_TOTALS] = PRT_FILL,
    /* The relationships' movements of a window without a queue or agent
     * (rollup.c, rp_rollup_movements): ?5 the first whole UTC day, ?6 the
     * day after the last, from measure_movement_days (migration 119); the
     * partial days at the edges, [?1, ?2) and [?3, ?4), from the levels
     * of those hours.  In MEASURES_MOVEMENTS' order. */
    // clang-format off
    [RP_Q_MEASURES_ROLLUP_MOVEMENTS] =
        "SELECT nullif(f, '') AS from_level, t AS to_level, sum(n)::bigint AS n"
        " FROM (SELECT from_level AS f, to_level AS t, n"
        "  FROM measure_movement_days WHERE day >= $5::bigint"
        "  AND day < $6::bigint"
        "  UNION ALL SELECT coalesce(r.previous_level, ''), r.level, 1"
        "  FROM relationship_levels r WHERE r.created_at >= $1::bigint"
        "  AND r.created_at < $2::bigint"
        "  UNION ALL SELECT coalesce(r.previous_level, ''), r.level, 1"
        "  FROM relationship_levels r WHERE r.created_at >= $3::bigint"
        "  AND r.created_at < $4::bigint) x"
        " GROUP BY f, t HAVING sum(n) <> 0"
        " ORDER BY sum(n) DESC, f COLLATE \"C\", t COLLATE \"C\" LIMIT 32",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_CLEAR_LATE] = "DELETE FROM measure_late_days",
    [RP_Q_MEASURES_ROLLUP_FILL_LATE] = PRL_FILL,
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOVEMENTS] =
        "DELETE FROM measure_movement_days",
    [RP_Q_MEASURES_ROLLUP_FILL_MOVEMENTS] = PRV_FILL,
    [RP_Q_MEASURES_VERIFY_OPEN_WORK] =
        "SELECT agent_id, sum(kept)::bigint AS kept,"
        " sum(counted)::bigint AS counted FROM"
        " (SELECT agent_id, open_work AS kept, 0 AS counted"
        "  FROM agent_open_work UNION ALL SELECT agent_id, 0, count(*)"
        "  FROM encounters WHERE agent_id IS NOT NULL"
        "  AND stage NOT IN ('closed', 'abandoned') GROUP BY agent_id) x"
        " GROUP BY agent_id HAVING sum(kept) <> sum(counted) ORDER BY agent_id",
};

const char *rp_pg_query_sql(rp_query q)
{
    if ((int)q < 0 || q >= RP_QUERY_COUNT)
        return NULL;
    return queries[q];
}
