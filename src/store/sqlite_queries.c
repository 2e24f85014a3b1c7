/*
 * sqlite_queries.c - the SQL text of every named query of the SQLite
 * backend.  The domain asks for a query by its id (queries.h); this table,
 * indexed by that id, is the only place its SQL lives.  Parameters are
 * positional (?), bound from a JSON array; result columns follow the
 * row-typing contract of store.h.  An id left without SQL here is caught by
 * the unit test that prepares every query (tests/unit/test_store.c).
 */
#include "store/sqlite_internal.h"
#include "store/sqlite_rollup.h"

#include <stddef.h>

/* ---- measures: shared fragments ----------------------------------------
 * Window queries bind ?1 from, ?2 to (Unix seconds, half-open [from, to)),
 * ?3 the queues counted (a JSON array of ids, 0 for no queue; NULL: any)
 * and ?4 agent id (NULL: any).  "e" is always the encounter.  The queues
 * are read once into a transient index, not per row. */
#define M_ENC_FILTER                                                           \
    " (?3 IS NULL OR coalesce(e.queue_id, 0) IN"                               \
    " (SELECT value FROM json_each(?3)))"                                      \
    " AND (?4 IS NULL OR e.agent_id = ?4) "
/* The charter's targets of an encounter, as the breach times read them:
 * the targets of the charter version in force at its arrival (else the
 * charter's, parameters 6 to 8) and its deadlines; the columns, then the
 * joins that give them (the encounter is "e"). */
#define M_CHARTER_TARGET_COLUMNS                                               \
    " coalesce(v.acknowledge_minutes * 60, ?6) AS ack_t,"                      \
    " coalesce(v.first_response_minutes * 60, ?7) AS first_t,"                 \
    " coalesce(v.resolution_hours * 3600, ?8) AS res_t,"                       \
    " d.acknowledge_due_at AS ack_d, d.first_response_due_at AS first_d,"      \
    " d.resolution_due_at AS res_d"
#define M_CHARTER_AT_ARRIVAL                                                   \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"                  \
    " LEFT JOIN charter_versions v ON v.id = (SELECT w.id"                     \
    "  FROM charter_versions w WHERE w.starts_at <= e.arrived_at"              \
    "  ORDER BY w.starts_at DESC, w.id DESC LIMIT 1)"

#define M_ENC_WINDOW                                                           \
    " e.created_at >= ?1 AND e.created_at < ?2 AND" M_ENC_FILTER
/* Breaches of the charter.  Further parameters: ?5 now, ?6 acknowledge
 * target, ?7 first-response target, ?8 resolution target (seconds), ?9 1 when
 * follow-ups and promises must be done by their date: the current charter's,
 * used only where no version of the charter is older than what is judged.
 * An encounter is judged by the charter version in force when it was
 * received (charter_versions, the newest starting at or before its
 * arrived_at) and by its deadlines in business time (charter_deadlines),
 * or, until the sweep has computed those, by the version's target counted
 * around the clock; its clocks count from arrived_at, when the customer
 * started waiting.  Encounters are in the window by created_at (when they
 * were opened); promises and follow-ups by due_at, judged by the version
 * in force then. */
#define M_VERSION(expr, at)                                                    \
    "(SELECT " expr " FROM charter_versions v WHERE v.starts_at <= " at        \
    " ORDER BY v.starts_at DESC, v.id DESC LIMIT 1)"
#define M_TARGET(col, unit, param)                                             \
    "coalesce(" M_VERSION("v." col " * " unit, "e.arrived_at") ", " param ")"
#define M_ACK_T M_TARGET("acknowledge_minutes", "60", "?6")
#define M_FIRST_T M_TARGET("first_response_minutes", "60", "?7")
#define M_RES_T M_TARGET("resolution_hours", "3600", "?8")
#define M_DUE(col, target) "coalesce(d." col ", e.arrived_at + " target ")"
#define M_ACK_DUE M_DUE("acknowledge_due_at", M_ACK_T)
#define M_FIRST_DUE M_DUE("first_response_due_at", M_FIRST_T)
#define M_RES_DUE M_DUE("resolution_due_at", M_RES_T)
#define M_ON_TIME(at)                                                          \
    "coalesce(" M_VERSION("v.follow_up_on_time", at) ", ?9) = 1"
#define M_ENC_FROM                                                             \
    " FROM encounters e JOIN customers c ON c.id = e.customer_id"              \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"
#define M_BREACHES_ENCOUNTERS                                                  \
    "SELECT 'acknowledge' AS target, 'encounter' AS subject,"                  \
    " e.id AS subject_id, e.id AS encounter_id, e.customer_id,"                \
    " c.name AS customer_name, e.arrived_at AS started_at,"                    \
    " " M_ACK_T " AS target_seconds,"                                          \
    " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, ?5)"            \
    "   - e.arrived_at AS actual_seconds,"                                     \
    " CASE WHEN e.acknowledged_at IS NOT NULL THEN 'acknowledged late'"        \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before "                \
    "acknowledgement'"                                                         \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without acknowledgement'"     \
    "  ELSE 'still waiting' END AS detail,"                                    \
    " " M_ACK_DUE " AS due_at, e.queue_id AS queue_id" M_ENC_FROM              \
    " WHERE" M_ENC_WINDOW " AND coalesce(e.acknowledged_at, e.abandoned_at,"   \
    "  e.closed_at, ?5) > " M_ACK_DUE " UNION ALL "                            \
    "SELECT 'first_response', 'encounter', e.id, e.id, e.customer_id, c.name," \
    " e.arrived_at, " M_FIRST_T ","                                            \
    " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, ?5)"          \
    "   - e.arrived_at,"                                                       \
    " CASE WHEN e.first_response_at IS NOT NULL THEN 'responded late'"         \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before a response'"     \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without a first response'"    \
    "  ELSE 'no response yet' END, " M_FIRST_DUE ", e.queue_id" M_ENC_FROM     \
    " WHERE" M_ENC_WINDOW " AND coalesce(e.first_response_at, e.abandoned_at," \
    "  e.closed_at, ?5) > " M_FIRST_DUE " UNION ALL "                          \
    "SELECT 'resolution', 'encounter', e.id, e.id, e.customer_id, c.name,"     \
    " e.arrived_at, " M_RES_T ","                                              \
    " coalesce(e.closed_at, e.abandoned_at, ?5) - e.arrived_at,"               \
    " CASE WHEN e.closed_at IS NOT NULL THEN 'resolved late'"                  \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned unresolved'"            \
    "  ELSE 'still unresolved' END, " M_RES_DUE ", e.queue_id" M_ENC_FROM      \
    " WHERE" M_ENC_WINDOW " AND ((e.closed_at IS NOT NULL AND"                 \
    "  e.closed_at > " M_RES_DUE ") OR (e.closed_at IS NULL AND"               \
    "  e.abandoned_at IS NOT NULL) OR (e.closed_at IS NULL AND"                \
    "  e.abandoned_at IS NULL AND ?5 > " M_RES_DUE "))"
#define M_BREACHES_FOLLOW_UPS                                                  \
    "SELECT 'follow_up_on_time', 'promise', p.id, p.encounter_id,"             \
    " p.customer_id, c.name, p.due_at, 0,"                                     \
    " coalesce(p.settled_at, ?5) - p.due_at,"                                  \
    " CASE WHEN p.status = 'kept' THEN 'promise kept late: '"                  \
    "  ELSE 'promise broken: ' END || p.what, p.due_at, e.queue_id"            \
    " FROM promises p JOIN customers c ON c.id = p.customer_id"                \
    " LEFT JOIN encounters e ON e.id = p.encounter_id"                         \
    " WHERE " M_ON_TIME(                                                       \
        "p.due_at") " AND p.due_at >= ?1 AND p.due_at < ?2"                    \
                    " AND" M_ENC_FILTER                                        \
                    "  AND (p.status = 'broken' OR (p.status = 'open' AND "    \
                    "p.due_at < ?5)"                                           \
                    "  OR (p.status = 'kept' AND p.settled_at > p.due_at))"    \
                    " UNION ALL "                                              \
                    "SELECT 'follow_up_on_time', 'follow_up', t.id, "          \
                    "t.encounter_id,"                                          \
                    " t.customer_id, c.name, t.due_at, 0,"                     \
                    " coalesce(t.done_at, t.sent_at, ?5) - t.due_at,"          \
                    " CASE WHEN t.status IN ('done', 'sent') THEN 'follow-up " \
                    "done late: '"                                             \
                    "  ELSE 'follow-up not done: ' END || t.subject, "         \
                    "t.due_at, e.queue_id"                                     \
                    " FROM tasks t JOIN customers c ON c.id = t.customer_id"   \
                    " LEFT JOIN encounters e ON e.id = t.encounter_id"         \
                    " WHERE " M_ON_TIME(                                       \
                        "t.due_at") " AND t.kind = 'follow_up'"                \
                                    "  AND t.due_at >= ?1 AND t.due_at < ?2 "  \
                                    "AND" M_ENC_FILTER                         \
                                    "  AND ((t.status IN ('done', 'sent') AND" \
                                    "   coalesce(t.done_at, t.sent_at) > "     \
                                    "t.due_at)"                                \
                                    "  OR (t.status NOT IN ('done', 'sent', "  \
                                    "'cancelled') AND t.due_at < ?5))"
#define M_BREACHES M_BREACHES_ENCOUNTERS " UNION ALL " M_BREACHES_FOLLOW_UPS
// clang-format off
/* The breach list's first ?10 breaches of w in the order of their start
 * (MEASURES_CHARTER_BREACHES), each arm of M_BREACHES read in that order
 * and cut at ?10 before they are merged, and the customers' names read
 * for the page alone: the breaches for good of the encounters from
 * measure_breach_list (migration 125) by arrival, between the first and
 * the last arrival of the window's breaches of that target (a range of
 * measure_breach_list_by_created, named: without statistics of the new
 * table the planner walked the target's every breach by arrival); the
 * running clocks from the
 * encounters not ended; the promises and follow-ups by due date.  The
 * rows and their judgement are M_BREACHES's. */
#define M_LIST_ACK                                                             \
    "SELECT 'acknowledge' AS target, 'encounter' AS subject,"                  \
    " e.id AS subject_id, e.id AS encounter_id, e.customer_id,"                \
    " e.arrived_at AS started_at, " M_ACK_T " AS target_seconds,"              \
    " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, ?5)"            \
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
    " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, ?5)"          \
    "   - e.arrived_at,"                                                       \
    " CASE WHEN e.first_response_at IS NOT NULL THEN 'responded late'"         \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned before a response'"     \
    "  WHEN e.closed_at IS NOT NULL THEN 'closed without a first response'"    \
    "  ELSE 'no response yet' END, " M_FIRST_DUE ", e.queue_id"
#define M_LIST_RES                                                             \
    "SELECT 'resolution', 'encounter', e.id, e.id, e.customer_id,"             \
    " e.arrived_at, " M_RES_T ","                                              \
    " coalesce(e.closed_at, e.abandoned_at, ?5) - e.arrived_at,"               \
    " CASE WHEN e.closed_at IS NOT NULL THEN 'resolved late'"                  \
    "  WHEN e.abandoned_at IS NOT NULL THEN 'abandoned unresolved'"            \
    "  ELSE 'still unresolved' END, " M_RES_DUE ", e.queue_id"
/* cols's breaches for good of target, by arrival */
#define M_LIST_GOOD(cols, target)                                              \
    "SELECT * FROM (" cols " FROM measure_breach_list b"                       \
    " CROSS JOIN encounters e ON e.id = b.encounter_id"                        \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id"                  \
    " WHERE b.target = '" target "' AND b.arrived_at >= (SELECT"               \
    "  min(l.arrived_at) FROM measure_breach_list l"                           \
    "  INDEXED BY measure_breach_list_by_created WHERE l.target = '"           \
    target "' AND l.created_at >= ?1 AND l.created_at < ?2)"                   \
    " AND b.arrived_at <= (SELECT max(l.arrived_at) FROM measure_breach_list"  \
    "  l INDEXED BY measure_breach_list_by_created"                            \
    "  WHERE l.target = '" target "' AND l.created_at >= ?1"                   \
    "  AND l.created_at < ?2)"                                                 \
    " AND b.created_at >= ?1 AND b.created_at < ?2 AND" M_ENC_FILTER           \
    " ORDER BY b.arrived_at, b.encounter_id LIMIT ?10)"
/* cols's running clocks (cond) among the encounters not ended */
#define M_LIST_RUNNING(cols, cond)                                             \
    "SELECT * FROM (" cols " FROM encounters e"                                \
    " INDEXED BY encounters_unended_by_created"                                \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id WHERE"            \
    M_ENC_WINDOW " AND e.closed_at IS NULL AND e.abandoned_at IS NULL"         \
    " AND " cond " ORDER BY e.arrived_at, e.id LIMIT ?10)"
#define M_LIST_PROMISES                                                        \
    "SELECT * FROM (SELECT 'follow_up_on_time', 'promise', p.id,"              \
    " p.encounter_id, p.customer_id, p.due_at, 0,"                             \
    " coalesce(p.settled_at, ?5) - p.due_at,"                                  \
    " CASE WHEN p.status = 'kept' THEN 'promise kept late: '"                  \
    "  ELSE 'promise broken: ' END || p.what, p.due_at, e.queue_id"            \
    " FROM promises p LEFT JOIN encounters e ON e.id = p.encounter_id"         \
    " WHERE " M_ON_TIME("p.due_at") " AND p.due_at >= ?1 AND p.due_at < ?2"    \
    " AND" M_ENC_FILTER " AND (p.status = 'broken' OR (p.status = 'open'"      \
    " AND p.due_at < ?5) OR (p.status = 'kept' AND p.settled_at > p.due_at))"  \
    " ORDER BY p.due_at, p.id LIMIT ?10)"
#define M_LIST_FOLLOW_UPS                                                      \
    "SELECT * FROM (SELECT 'follow_up_on_time', 'follow_up', t.id,"            \
    " t.encounter_id, t.customer_id, t.due_at, 0,"                             \
    " coalesce(t.done_at, t.sent_at, ?5) - t.due_at,"                          \
    " CASE WHEN t.status IN ('done', 'sent') THEN 'follow-up done late: '"     \
    "  ELSE 'follow-up not done: ' END || t.subject, t.due_at, e.queue_id"     \
    " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"            \
    " WHERE " M_ON_TIME("t.due_at") " AND t.kind = 'follow_up'"                \
    " AND t.due_at >= ?1 AND t.due_at < ?2 AND" M_ENC_FILTER                   \
    " AND ((t.status IN ('done', 'sent') AND"                                  \
    " coalesce(t.done_at, t.sent_at) > t.due_at)"                              \
    " OR (t.status NOT IN ('done', 'sent', 'cancelled') AND t.due_at < ?5))"   \
    " ORDER BY t.due_at, t.id LIMIT ?10)"
/* The promises' and follow-ups' arm of M_BREACHES for how long they
 * took (MEASURES_BREACH_TIMES_NOW): its rows' seconds, without the
 * customers' names (reading each follow-up's customer was most of the
 * arm at 3M encounters). */
#define M_TIMES_FOLLOW_UPS                                                     \
    "SELECT 'follow_up_on_time' AS target, 'promise' AS subject,"             \
    " 0 AS target_seconds, coalesce(p.settled_at, ?5) - p.due_at"         \
    " AS actual_seconds, e.queue_id AS queue_id"                               \
    " FROM promises p LEFT JOIN encounters e ON e.id = p.encounter_id"         \
    " WHERE " M_ON_TIME("p.due_at") " AND p.due_at >= ?1 AND p.due_at < ?2"      \
    " AND" M_ENC_FILTER " AND (p.status = 'broken' OR (p.status = 'open'"      \
    " AND p.due_at < ?5) OR (p.status = 'kept' AND p.settled_at > p.due_at))" \
    " UNION ALL SELECT 'follow_up_on_time', 'follow_up', 0,"                   \
    " coalesce(t.done_at, t.sent_at, ?5) - t.due_at, e.queue_id"           \
    " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"            \
    " WHERE " M_ON_TIME("t.due_at") " AND t.kind = 'follow_up'"                \
    " AND t.due_at >= ?1 AND t.due_at < ?2 AND" M_ENC_FILTER                   \
    " AND ((t.status IN ('done', 'sent') AND"                                  \
    " coalesce(t.done_at, t.sent_at) > t.due_at)"                              \
    " OR (t.status NOT IN ('done', 'sent', 'cancelled') AND t.due_at < ?5))"
#define M_LIST                                                                 \
    "SELECT b.target, b.subject, b.subject_id, b.encounter_id, b.customer_id," \
    " c.name AS customer_name, b.started_at, b.target_seconds,"                \
    " b.actual_seconds, b.detail, b.due_at, b.queue_id FROM ("                 \
    M_LIST_GOOD(M_LIST_ACK, "acknowledge") " UNION ALL "                       \
    M_LIST_GOOD(M_LIST_FIRST, "first_response") " UNION ALL "                  \
    M_LIST_GOOD(M_LIST_RES, "resolution") " UNION ALL "                        \
    M_LIST_RUNNING(M_LIST_ACK, "e.acknowledged_at IS NULL AND ?5 > "           \
                   M_ACK_DUE) " UNION ALL "                                    \
    M_LIST_RUNNING(M_LIST_FIRST, "e.first_response_at IS NULL AND ?5 > "       \
                   M_FIRST_DUE) " UNION ALL "                                  \
    M_LIST_RUNNING(M_LIST_RES, "?5 > " M_RES_DUE) " UNION ALL "                \
    M_LIST_PROMISES " UNION ALL " M_LIST_FOLLOW_UPS ") b"                      \
    " JOIN customers c ON c.id = b.customer_id"                                \
    " ORDER BY b.started_at, b.target, b.subject_id LIMIT ?10"
/* The promises and follow-ups of M_BREACHES_FOLLOW_UPS counted.
 * Without a queue or agent, per span of the window in which the charter
 * wants them on time (each version that does, from its start to the
 * next one's; before the first version, ?9): what is late for good from
 * measure_late_days for the span's whole UTC days (migration 119) and
 * from the records for the partial days at its edges (a day at most
 * each: the covering index of the follow-ups by due date, the promises
 * by status and due date), and what the time of reading makes late (the
 * follow-ups and promises still open and due before ?5) from the partial
 * index of the open follow-ups and the promises by status (both indexes
 * named: without statistics of the new ones the planner took every
 * follow-up of the window by kind and date).  d1 is the
 * span's first whole day, d2 the day after its last; e1 ends the first
 * edge and s2 starts the second.  With a filter, the rows of
 * M_BREACHES_FOLLOW_UPS counted. */
#define M_LATE_SPANS                                                           \
    "(SELECT s.a, s.b, s.d1, s.d2, min(s.b, s.d1 * 86400) AS e1,"              \
    " max(min(s.b, s.d1 * 86400), s.d2 * 86400) AS s2 FROM"                    \
    " (SELECT w.a, w.b, CASE WHEN w.a > 0 THEN (w.a + 86399) / 86400"          \
    "  ELSE 0 END AS d1, CASE WHEN w.b > 0 THEN w.b / 86400 ELSE 0 END AS d2"  \
    "  FROM (SELECT max(v.a, ?1) AS a, min(coalesce(v.b, ?2), ?2) AS b"        \
    "   FROM (SELECT v.starts_at AS a, lead(v.starts_at) OVER"                 \
    "   (ORDER BY v.starts_at, v.id) AS b, v.follow_up_on_time AS on_time"     \
    "   FROM charter_versions v) v WHERE v.on_time = 1"                        \
    "   UNION ALL SELECT ?1, min(?2, (SELECT coalesce(min(starts_at), ?2)"     \
    "   FROM charter_versions)) WHERE ?9 = 1) w WHERE w.a < w.b) s) s"
#define M_LATE_DONE_T(lo, hi)                                                  \
    "(SELECT count(*) FROM tasks t INDEXED BY tasks_follow_ups_by_due"         \
    " WHERE t.kind = 'follow_up' AND t.due_at >= " lo " AND t.due_at < " hi    \
    " AND t.status IN ('done', 'sent')"                                        \
    " AND coalesce(t.done_at, t.sent_at) > t.due_at)"
#define M_LATE_DONE_P(lo, hi)                                                  \
    "(SELECT count(*) FROM promises p WHERE p.status = 'broken'"               \
    " AND p.due_at >= " lo " AND p.due_at < " hi ")"                           \
    " + (SELECT count(*) FROM promises p WHERE p.status = 'kept'"              \
    " AND p.due_at >= " lo " AND p.due_at < " hi                               \
    " AND p.settled_at > p.due_at)"
#define M_FOLLOW_UPS_LATE                                                      \
    "(CASE WHEN ?3 IS NULL AND ?4 IS NULL THEN"                                \
    " (SELECT coalesce(sum((SELECT coalesce(sum(l.follow_ups + l.promises),"   \
    "  0) FROM measure_late_days l WHERE l.day >= s.d1 AND l.day < s.d2)"      \
    "  + " M_LATE_DONE_T("s.a", "s.e1") " + " M_LATE_DONE_T("s.s2", "s.b")     \
    "  + " M_LATE_DONE_P("s.a", "s.e1") " + " M_LATE_DONE_P("s.s2", "s.b")     \
    "  + (SELECT count(*) FROM tasks t INDEXED BY tasks_follow_ups_open"       \
    "   WHERE t.kind = 'follow_up'"                                            \
    "   AND t.status NOT IN ('done', 'sent', 'cancelled')"                     \
    "   AND t.due_at >= s.a AND t.due_at < min(s.b, ?5))"                      \
    "  + (SELECT count(*) FROM promises p WHERE p.status = 'open'"             \
    "   AND p.due_at >= s.a AND p.due_at < min(s.b, ?5))), 0)"                 \
    "  FROM " M_LATE_SPANS ")"                                                 \
    " ELSE (SELECT count(*) FROM (" M_BREACHES_FOLLOW_UPS ")) END)"
/* One target's breaches for good of the encounters of the window ?1..?4
 * with their seconds, by queue (RBT_TARGETS, breach_rollup.h): a partial
 * day of MEASURES_EDGE_BREACH_TIMES. */
#define M_EDGE_TIMES_ARM(target, cond, end, col, unit)                         \
    "SELECT '" target "' AS target, 'encounter' AS subject,"                   \
    " coalesce(e.queue_id, 0) AS queue_id, count(*) AS n,"                     \
    " sum(" RB_CALENDAR("e", end) ") AS calendar_sum,"                            \
    " sum(" RB_OVER("e", end, col, unit) ") AS over_sum"                       \
    " FROM encounters e LEFT JOIN charter_deadlines d"                         \
    " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW "AND " cond " GROUP BY 3"
/* The moments from lo up to hi, counted by impression: a partial hour at
 * an edge of the rolled-up window, read from the ledger's covering index. */
#define M_MOMENTS_BETWEEN(lo, hi)                                              \
    "(SELECT count(*) AS moments,"                                             \
    "  coalesce(sum(m.impression IS 'positive'), 0) AS positive,"             \
    "  coalesce(sum(m.impression IS 'neutral'), 0) AS neutral,"               \
    "  coalesce(sum(m.impression IS 'negative'), 0) AS negative"              \
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
/* The parameters of RP_AUDIT_INSERT_ROWS (16) audit entries, for
 * audit.insert_rows: 14 each, in audit.insert's order. */
#define AUDIT_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
#define AUDIT_ROWS_4 AUDIT_ROW "," AUDIT_ROW "," AUDIT_ROW "," AUDIT_ROW
#define AUDIT_ROWS_16                                                          \
    AUDIT_ROWS_4 "," AUDIT_ROWS_4 "," AUDIT_ROWS_4 "," AUDIT_ROWS_4
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
/* Text replaced by the tombstone ?2 where there was text. */
#define ERASE_TEXT(col)                                                        \
    " " #col " = CASE WHEN " #col " IS NULL THEN NULL ELSE ?2 END,"
/* A JSON list of texts replaced by as many tombstones. */
#define ERASE_LIST(table, col)                                                 \
    " " #col " = (SELECT json_group_array(?2) FROM json_each(" #table "." #col \
    ")),"
/* Customers not erased, with no moment since the cut-off ?1 (a customer
 * merged into another goes with that other): a range of customers_inactive,
 * the time of the newest moment being kept on the row by a trigger. */
#define RETAIN_INACTIVE                                                        \
    "c.erased_at IS NULL AND c.merged_into IS NULL AND c.created_at < ?1"      \
    " AND coalesce(c.active_at, c.created_at) < ?1"
/* Encounters ended (closed or abandoned) before the cut-off ?1 whose
 * messages still have their bodies. */
#define RETAIN_BODIES                                                          \
    "e.bodies_dropped_at IS NULL"                                              \
    " AND coalesce(e.closed_at, e.abandoned_at) < ?1"

/* A customer's request for their data, as the core reads it. */
#define EXPORT_REQUEST_COLUMNS                                                 \
    "SELECT id, customer_id, encounter_id, status, requested_at,"              \
    " decided_at, decided_by, expires_at FROM export_requests"

/* ---- the 360 view's lists ------------------------------------------------
 * Read in the order they show, without a sort: an ORDER BY with a LIMIT
 * that SQLite must sort opens a temporary B-tree, a pager and its page
 * buffer on each call (and the allocation of that buffer made glibc
 * consolidate its free lists: bench/README.md).  Each open stage, and each
 * pending status of a task, is one range of the customer's index already
 * in the order asked, and UNION ALL with an ORDER BY merges the ranges in
 * order. */
// clang-format off
#define OPEN_ENCOUNTER_OF(stage)                                               \
    "SELECT id, channel, subject, stage, created_at, acknowledged_at"          \
    " FROM encounters WHERE customer_id = ?1 AND stage = '" stage "'"
#define OPEN_ENCOUNTERS_SQL                                                    \
    OPEN_ENCOUNTER_OF("received")                                              \
    " UNION ALL " OPEN_ENCOUNTER_OF("understood")                              \
    " UNION ALL " OPEN_ENCOUNTER_OF("helped")                                  \
    " UNION ALL " OPEN_ENCOUNTER_OF("kept") " ORDER BY id DESC LIMIT 50"
#define FOLLOW_UP_OF(status)                                                   \
    "SELECT id, encounter_id, kind, subject, channel, due_at, status,"         \
    " (due_at <= ?2) AS due__bool FROM tasks"                                  \
    " WHERE customer_id = ?1 AND status = '" status "'"                        \
    " AND kind IN ('follow_up','satisfaction_check')"
#define OPEN_FOLLOW_UPS_SQL                                                    \
    FOLLOW_UP_OF("scheduled")                                                  \
    " UNION ALL " FOLLOW_UP_OF("claimed")                                      \
    " UNION ALL " FOLLOW_UP_OF("held") " ORDER BY due_at, id LIMIT 50"
// clang-format on

static const char *const queries[RP_QUERY_COUNT] = {
    /* ---- the audit log ---- */
    /* The customer a subject belongs to is found here, in the insert, so
     * that the caller (the HTTP layer, for any route) needs to know no
     * more than the route's path id. */
    [RP_Q_AUDIT_INSERT] =
        "INSERT INTO audit_log (at, action, agent_id, token_id, via, address,"
        " method, route, subject, subject_id, customer_id, status, code,"
        " field) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " coalesce(?11, CASE ?9"
        "  WHEN 'customer' THEN ?10"
        "  WHEN 'encounter' THEN (SELECT customer_id FROM encounters"
        "   WHERE id = ?10)"
        "  WHEN 'message' THEN (SELECT customer_id FROM messages WHERE id = "
        "?10)"
        "  WHEN 'attachment' THEN (SELECT customer_id FROM attachments"
        "   WHERE id = ?10)"
        "  WHEN 'task' THEN (SELECT customer_id FROM tasks WHERE id = ?10)"
        "  WHEN 'promise' THEN (SELECT customer_id FROM promises WHERE id = "
        "?10)"
        "  WHEN 'export_request' THEN (SELECT customer_id FROM"
        "   export_requests WHERE id = ?10)"
        " END), ?12, ?13, ?14)",
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
        " END), column12, column13, column14 FROM (VALUES " AUDIT_ROWS_16 ")",
    /* newest first, a page before id ?5; ?2 an agent, ?3 and ?4 a window
     * (each NULL for any) */
    [RP_Q_AUDIT_LIST] = AUDIT_COLUMNS
    " WHERE a.id < ?5 AND (?2 IS NULL OR a.agent_id = ?2)"
    " AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at < ?4)"
    " AND ?1 IS NULL ORDER BY a.id DESC LIMIT ?6",
    [RP_Q_AUDIT_LIST_BY_CUSTOMER] = AUDIT_COLUMNS
    " WHERE a.customer_id = ?1 AND a.id < ?5"
    " AND (?2 IS NULL OR a.agent_id = ?2)"
    " AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at < ?4)"
    " ORDER BY a.id DESC LIMIT ?6",
    [RP_Q_AUDIT_LIST_BY_AGENT] = AUDIT_COLUMNS
    " WHERE a.agent_id = ?2 AND a.id < ?5 AND ?1 IS NULL"
    " AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at < ?4)"
    " ORDER BY a.id DESC LIMIT ?6",
    /* ---- the customer's export ---- */
    /* the links of their help pages, without the hash that opens one */
    [RP_Q_EXPORT_HELP_LINKS] =
        "SELECT id, purpose, encounter_id, customer_id, email, thread_id,"
        " subject, created_at, expires_at, mail_state, mail_attempts,"
        " mail_error FROM help_links WHERE customer_id = ? ORDER BY id",
    /* the requests to erase the customer that wait for a second person */
    [RP_Q_EXPORT_ERASURE_REQUESTS_OF] =
        "SELECT id, customer_id, requested_by, suppress_marketing, agent_id,"
        " approved_by, state, created_at, done_at FROM erasure_requests"
        " WHERE customer_id = ? ORDER BY id",
    [RP_Q_EXPORT_REQUESTS_OF] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = ? ORDER BY id",
    [RP_Q_EXPORT_REQUEST_INSERT] =
        "INSERT INTO export_requests (customer_id, encounter_id, status,"
        " requested_at, decided_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
    [RP_Q_EXPORT_REQUEST_PENDING] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = ? AND status = 'pending' ORDER BY id DESC"
    " LIMIT 1",
    [RP_Q_EXPORT_REQUEST_LATEST] = EXPORT_REQUEST_COLUMNS
    " WHERE customer_id = ? ORDER BY id DESC LIMIT 1",
    [RP_Q_EXPORT_REQUEST_APPROVE] =
        "UPDATE export_requests SET status = 'approved', decided_at = ?,"
        " decided_by = ?, expires_at = ? WHERE id = ? AND status = 'pending'",
    [RP_Q_EXPORT_REQUEST_GET] = EXPORT_REQUEST_COLUMNS " WHERE id = ?",
    /* newest first, before id ?2; ?1 a status or NULL for all.  The
     * requests lead (CROSS JOIN): with none yet, the planner would walk
     * the customers to find theirs. */
    [RP_Q_EXPORT_REQUEST_LIST] =
        "SELECT r.id, r.customer_id, c.name AS customer_name, r.encounter_id,"
        " r.status, r.requested_at, r.decided_at, r.decided_by,"
        " r.expires_at FROM export_requests r"
        " CROSS JOIN customers c ON c.id = r.customer_id"
        " WHERE (?1 IS NULL OR r.status = ?1) AND r.id < ?2"
        " ORDER BY r.id DESC LIMIT ?3",
    /* ---- customer: relationship level and overview.  Every query is
     * bounded and leads with customer_id or encounter_id, so its cost stays
     * flat as a customer's history grows. ---- */
    [RP_Q_CUSTOMER_RELATIONSHIP_EVIDENCE] =
        "SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'formal_exchange' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL AS score FROM encounters"
        "  WHERE customer_id = ?1 AND stage = 'closed' AND exchange = 'formal'"
        "  ORDER BY id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'resolution_satisfied' AS rule, e.id AS encounter_id,"
        "  e.closed_at AS at, max(s.score) AS score"
        "  FROM encounters e JOIN satisfaction_checks s"
        "  ON s.customer_id = e.customer_id AND s.encounter_id = e.id"
        "  WHERE e.customer_id = ?1 AND e.stage = 'closed'"
        "  AND e.exchange = 'resolution' AND s.score >= 4"
        "  GROUP BY e.id ORDER BY e.id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'become_encounter' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL AS score FROM encounters"
        "  WHERE customer_id = ?1 AND stage = 'closed' AND kind = 'become'"
        "  ORDER BY id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'active_goal' AS rule, encounter_id, created_at AS at,"
        "  NULL AS score FROM goals"
        "  WHERE customer_id = ?1 AND status = 'active'"
        "  ORDER BY id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'supplemental_followed_up' AS rule, e.id AS encounter_id,"
        "  max(t.done_at) AS at, NULL AS score"
        "  FROM encounters e JOIN tasks t"
        "  ON t.customer_id = e.customer_id AND t.encounter_id = e.id"
        "  WHERE e.customer_id = ?1 AND e.stage = 'closed'"
        "  AND e.exchange = 'supplemental' AND t.kind = 'follow_up'"
        "  AND t.status = 'done' GROUP BY e.id ORDER BY e.id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'closed_encounter' AS rule, id AS encounter_id,"
        "  closed_at AS at, NULL AS score FROM encounters"
        "  WHERE customer_id = ?1 AND stage = 'closed'"
        "  ORDER BY id DESC LIMIT 10)"
        /* what the relationship did since: follow-ups done, promises kept
         * or broken (newest first), the newest satisfaction answer */
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'follow_up_done' AS rule, encounter_id, done_at AS at,"
        "  NULL AS score FROM tasks"
        "  WHERE customer_id = ?1 AND status = 'done' AND kind = 'follow_up'"
        "  ORDER BY done_at DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'promise_kept' AS rule, encounter_id, settled_at AS at,"
        "  NULL AS score FROM promises"
        "  WHERE customer_id = ?1 AND status = 'kept'"
        "  ORDER BY settled_at DESC, id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'promise_broken' AS rule, encounter_id, settled_at AS at,"
        "  NULL AS score FROM promises"
        "  WHERE customer_id = ?1 AND status = 'broken'"
        "  ORDER BY settled_at DESC, id DESC LIMIT 10)"
        " UNION ALL SELECT rule, encounter_id, at, score FROM ("
        " SELECT 'latest_satisfaction' AS rule, encounter_id,"
        "  answered_at AS at, score FROM satisfaction_checks"
        "  WHERE customer_id = ?1 AND answered_at IS NOT NULL"
        "  ORDER BY answered_at DESC, id DESC LIMIT 1)",
    [RP_Q_CUSTOMER_CLOSED_COUNT] =
        "SELECT count(*) AS n FROM encounters WHERE customer_id = ?"
        " AND stage = 'closed'",
    /* open: every stage but closed and abandoned (the lists' fragments
     * before the table) */
    /* the 360 view's customer, the one ?1 was merged into when it was:
     * the columns, types and order of rp_customer_get's row (the
     * customer entity, then greeting_name), written as it is read */
    [RP_Q_CUSTOMER_VIEW_ROW] =
        "SELECT id, name, preferred_name, emails AS emails__json,"
        " phones AS phones__json, notes, created_at, updated_at,"
        " relationship_level,"
        " relationship_reasons AS relationship_reasons__json,"
        " unconfirmed AS unconfirmed__bool, external_id, erased_at,"
        " merged_into,"
        " coalesce(nullif(preferred_name, ''), name, '') AS greeting_name"
        " FROM customers WHERE id = coalesce((SELECT merged_into"
        " FROM customers WHERE id = ?1), ?1)",
    [RP_Q_CUSTOMER_OPEN_ENCOUNTERS] = OPEN_ENCOUNTERS_SQL,
    [RP_Q_CUSTOMER_OPEN_PROMISES] = "SELECT id, encounter_id, what, due_at, "
                                    "status, created_at FROM promises"
                                    " WHERE customer_id = ? AND status = "
                                    "'open' ORDER BY due_at, id LIMIT 50",
    [RP_Q_CUSTOMER_OPEN_FOLLOW_UPS] = OPEN_FOLLOW_UPS_SQL,
    /* the newest ten read backwards in moments_by_customer, named: with
     * the statistics of a desk analyzed before migration 112 made
     * moments_by_customer_time (which has none), SQLite took that one and
     * sorted the customer's every moment into a temporary B-tree, 12% more
     * CPU a 360 view at 10M moments (bench/README.md, "The 360 view on
     * SQLite at 10 million moments") */
    [RP_Q_CUSTOMER_LATEST_MOMENTS] =
        "SELECT id, encounter_id, occurred_at, actor, channel, kind, summary,"
        " impression FROM moments INDEXED BY moments_by_customer"
        " WHERE customer_id = ? ORDER BY id DESC LIMIT 10",
    [RP_Q_CUSTOMER_SATISFACTION_SUMMARY] =
        "SELECT count(*) AS count, avg(score) AS average"
        " FROM satisfaction_checks WHERE customer_id = ?"
        " AND answered_at IS NOT NULL",
    /* the words of each answer; the overview counts them (a GROUP BY over
     * json_each cost more than the rest of the view's queries together) */
    [RP_Q_CUSTOMER_SATISFACTION_WORD_LISTS] =
        "SELECT words AS words__json FROM satisfaction_checks"
        " WHERE customer_id = ? AND answered_at IS NOT NULL",
    [RP_Q_CUSTOMER_ENCOUNTER_COUNTS] =
        "SELECT kind, exchange, kind_source, exchange_source, count(*) AS n"
        " FROM encounters WHERE customer_id = ?"
        " GROUP BY kind, exchange, kind_source, exchange_source",
    [RP_Q_CUSTOMER_PREFERENCES] =
        "SELECT id, key, value, firmness FROM preferences"
        " WHERE customer_id = ? ORDER BY key LIMIT 50",
    [RP_Q_CUSTOMER_FIRM_PREFERENCES] =
        "SELECT id, key, value, firmness FROM preferences"
        " WHERE customer_id = ? AND firmness = 'firm' ORDER BY key LIMIT 50",
    /* Profile changes that touch scheduled tasks (profile.c). */
    [RP_Q_CUSTOMER_CANCEL_DATE_TASKS] =
        "UPDATE tasks SET status = 'cancelled', last_error = ?"
        " WHERE customer_id = ? AND status IN ('scheduled', 'held')"
        " AND kind IN ('reminder', 'renewal_notice')"
        " AND json_extract(payload, '$.date_id') = ?",
    [RP_Q_CUSTOMER_UNHOLD_TASKS] =
        "UPDATE tasks SET status = 'scheduled', last_error = NULL,"
        " next_attempt_at = NULL"
        " WHERE customer_id = ? AND purpose = ? AND status = 'held'",

    /* ---- encounter: the cycle and recording ---- */
    [RP_Q_ENCOUNTER_FACTS] =
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
        "   ORDER BY id LIMIT 1) AS request_known,"
        /* what first-contact resolution is judged on */
        " (SELECT count(*) FROM promises WHERE customer_id = ?1"
        "   AND encounter_id = ?2 AND status = 'open') AS promises_open,"
        " (SELECT count(*) FROM promises WHERE customer_id = ?1"
        "   AND encounter_id = ?2 AND status = 'broken') AS promises_broken,"
        " (SELECT count(*) FROM messages WHERE encounter_id = ?2"
        "   AND direction = 'inbound') AS inbound_messages,"
        " (SELECT count(*) FROM messages m, encounters e"
        "   WHERE e.id = ?2 AND m.encounter_id = ?2 AND m.direction ="
        "   'inbound' AND m.created_at <= e.created_at) AS opened_by_message,"
        " (SELECT count(*) FROM moments WHERE encounter_id = ?2"
        "   AND kind = 'encounter.reopened') AS reopened",
    [RP_Q_ENCOUNTER_TASK_COUNT] =
        "SELECT count(*) AS n FROM tasks WHERE encounter_id = ? AND kind = ?",

    /* ---- followup: scheduler, delivery, satisfaction ---- */
    /* Claiming and settling tasks. */
    /* ?1 the sender, ?2 now, ?3 due by, ?4 retry by, ?5 claims older than
     * this are taken over, ?6 how many: the first due by due time, from
     * the tasks due (tasks_by_due, in its order) and the claims expired
     * (tasks_by_claim, a few), each arm named to its index: with the
     * statistics of a desk analyzed when it held few tasks, the planner
     * walked every task and sorted them, 0.1-0.2 s inside the write
     * transaction at 35,000 tasks */
    [RP_Q_FOLLOWUP_CLAIM_TASKS] =
        "UPDATE tasks SET status = 'claimed', claimed_by = ?1, claimed_at = ?2,"
        " attempts = attempts + 1 WHERE id IN (SELECT id FROM ("
        " SELECT * FROM (SELECT id, due_at FROM tasks INDEXED BY tasks_by_due"
        "   WHERE status = 'scheduled' AND due_at <= ?3"
        "   AND coalesce(next_attempt_at, 0) <= ?4"
        "   AND (kind <> 'follow_up' OR channel IS NULL"
        "     OR channel NOT IN ('phone', 'in_person'))"
        "   ORDER BY due_at, id LIMIT ?6)"
        " UNION ALL"
        " SELECT * FROM (SELECT id, due_at FROM tasks INDEXED BY tasks_by_claim"
        "   WHERE status = 'claimed' AND claimed_at <= ?5"
        "   AND (kind <> 'follow_up' OR channel IS NULL"
        "     OR channel NOT IN ('phone', 'in_person'))"
        "   ORDER BY due_at, id LIMIT ?6))"
        " ORDER BY due_at, id LIMIT ?6)"
        " RETURNING id, customer_id, encounter_id, kind, purpose, channel,"
        " subject, payload AS payload__json, due_at AS due_at,"
        " idempotency_key, attempts, sending_at AS sending_at",
    [RP_Q_FOLLOWUP_TASK_SENT] =
        "UPDATE tasks SET status = 'sent', sent_at = ?, channel = ?,"
        " last_error = NULL, next_attempt_at = NULL"
        " WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
    [RP_Q_FOLLOWUP_TASK_SETTLE] =
        "UPDATE tasks SET status = ?, next_attempt_at = ?, last_error = ?,"
        " channel = coalesce(?, channel), sending_at = NULL"
        " WHERE id = ? AND status = 'claimed' AND claimed_by = ?",
    /* Satisfaction checks (satisfaction.c). */
    [RP_Q_FOLLOWUP_SATISFACTION_ANSWER] =
        "UPDATE satisfaction_checks SET score = ?, words = ?, comment = ?,"
        " answered_at = ? WHERE id = ? AND answered_at IS NULL",
    [RP_Q_FOLLOWUP_SATISFACTION_SUMMARY] =
        "SELECT count(*) AS answered, avg(score) AS average_score,"
        " sum(score >= 4) AS positive, sum(score = 3) AS neutral,"
        " sum(score <= 2) AS negative FROM satisfaction_checks"
        " WHERE customer_id = ? AND answered_at IS NOT NULL",

    /* ---- offers: loyalty and recommendations ---- */
    /* Loyalty (loyalty.c). */
    [RP_Q_OFFERS_LOYALTY_STATS] =
        "SELECT count(*) AS visits, coalesce(sum(spend), 0.0) AS spend"
        " FROM encounters WHERE customer_id = ? AND stage = 'closed'",
    [RP_Q_OFFERS_LOYALTY_TIERS] =
        "SELECT id, name, rank, min_visits, min_tenure_days, min_spend,"
        " discount_percent FROM loyalty_tiers ORDER BY rank DESC",
    [RP_Q_OFFERS_LOYALTY_TIERS_CLEAR] = "DELETE FROM loyalty_tiers",
    /* Recommendations (recommend.c). */
    [RP_Q_OFFERS_RECENT_EXCHANGES] =
        "SELECT id, exchange FROM encounters WHERE customer_id = ?"
        " AND stage = 'closed' ORDER BY id DESC LIMIT 3",
    [RP_Q_OFFERS_PRODUCTS] =
        "SELECT id, name, category, attributes AS attributes__json, stock,"
        " tags AS tags__json, related AS related__json, price FROM products"
        " ORDER BY id LIMIT 2000",
    [RP_Q_OFFERS_SHOWN] = "SELECT product_id FROM offers WHERE customer_id = ? "
                          "AND status = 'shown'",

    /* ---- staff: agents, sessions, tokens, login throttle, routing ---- */
    [RP_Q_STAFF_AGENT_BY_EMAIL] =
        "SELECT id, role, active AS active__bool, password_hash FROM agents"
        " WHERE email = ?",
    [RP_Q_STAFF_AGENT_SET_PASSWORD] =
        "UPDATE agents SET password_hash = ?, updated_at = ? WHERE id = ?",
    [RP_Q_STAFF_AGENT_SET_SETTINGS] =
        "UPDATE agents SET language = ?, time_zone = ?, updated_at = ?"
        " WHERE id = ?",
    [RP_Q_STAFF_OTHER_ACTIVE_ADMINS] =
        "SELECT count(*) AS n FROM agents WHERE role = 'admin' AND active = 1"
        " AND id <> ?",
    [RP_Q_STAFF_SESSION_INSERT] =
        "INSERT INTO agent_sessions (agent_id, token_hash, created_at,"
        " last_seen_at) VALUES (?, ?, ?, ?)",
    /* "seen" not "last_seen_at": the caller compares it as an integer */
    [RP_Q_STAFF_SESSION_LOOKUP] =
        "SELECT s.id AS session_id, s.last_seen_at AS seen,"
        " s.created_at AS born, a.id AS agent_id,"
        " a.role, a.active AS active__bool FROM agent_sessions s"
        " JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ?",
    [RP_Q_STAFF_SESSION_TOUCH] =
        "UPDATE agent_sessions SET last_seen_at = ? WHERE id = ?",
    [RP_Q_STAFF_SESSION_DELETE] =
        "DELETE FROM agent_sessions WHERE token_hash = ?",
    [RP_Q_STAFF_SESSIONS_EXPIRE] =
        "DELETE FROM agent_sessions WHERE last_seen_at < ?1 OR created_at < ?2",
    [RP_Q_STAFF_SESSIONS_OF_AGENT_DELETE] =
        "DELETE FROM agent_sessions WHERE agent_id = ?",
    [RP_Q_STAFF_TOKEN_INSERT] =
        "INSERT INTO api_tokens (agent_id, name, token_hash, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    [RP_Q_STAFF_TOKEN_LOOKUP] =
        "SELECT t.id AS token_id, t.revoked_at IS NOT NULL AS revoked__bool,"
        " t.last_used_at AS used, t.expires_at AS expires, a.id AS agent_id,"
        " a.role, t.scope, t.read_only AS read_only__bool,"
        " t.resources AS resources__json, t.queues AS queues__json,"
        " a.active AS active__bool FROM api_tokens t"
        " JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = ?",
    [RP_Q_STAFF_TOKEN_TOUCH] =
        "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
    [RP_Q_STAFF_TOKEN_GET] =
        "SELECT id, agent_id, name, scope, read_only AS read_only__bool,"
        " resources AS resources__json, queues AS queues__json, created_at,"
        " expires_at, last_used_at,"
        " revoked_at FROM api_tokens WHERE id = ?",
    [RP_Q_STAFF_TOKEN_LIST] =
        "SELECT id, agent_id, name, created_at, expires_at, last_used_at,"
        " revoked_at, read_only AS read_only__bool, resources AS"
        " resources__json, queues AS queues__json"
        " FROM api_tokens WHERE (?1 = 0 OR agent_id = ?1)"
        " AND id > ?2 ORDER BY id LIMIT ?3",
    [RP_Q_STAFF_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked_at = ?"
                                " WHERE id = ? AND revoked_at IS NULL",
    [RP_Q_STAFF_LOGIN_FAILURES_COUNT] =
        "SELECT count(*) AS n, max(failed_at) AS last FROM login_failures"
        " WHERE key = ? AND failed_at > ?",
    [RP_Q_STAFF_LOGIN_FAILURE_ADD] = "INSERT INTO login_failures (key, "
                                     "failed_at) VALUES (?, ?) RETURNING id",
    [RP_Q_STAFF_LOGIN_FAILURE_DELETE] =
        "DELETE FROM login_failures WHERE id = ?",
    [RP_Q_STAFF_LOGIN_FAILURES_CLEAR] =
        "DELETE FROM login_failures WHERE key = ?",
    [RP_Q_STAFF_LOGIN_FAILURES_EXPIRE] =
        "DELETE FROM login_failures WHERE failed_at < ?",
    /* The queue whose topics hold the topic wins over one that only takes
     * the channel; among equals the oldest queue. */
    [RP_Q_STAFF_QUEUE_FOR] =
        "SELECT id, name, skills AS skills__json,"
        " CASE WHEN ?1 IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(topics)"
        "   WHERE lower(value) = lower(?1)) THEN 0 ELSE 1 END AS rank"
        " FROM queues WHERE (?1 IS NOT NULL AND EXISTS (SELECT 1 FROM"
        "   json_each(topics) WHERE lower(value) = lower(?1)))"
        " OR EXISTS (SELECT 1 FROM json_each(channels) WHERE value = ?2)"
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
    /* ?3 = 1 lets drafts be found (a writer's search); otherwise the
     * drafts, read from their partial index, are left out of the pool
     * before the page is chosen, so they never take a published article's
     * place (tested on the article's own state, the planner would scan
     * the articles for a Bloom filter first).
     *
     * What is ranked is bounded (issue 13: a word every article holds made
     * bm25 rank 100,000 matches, a second a search): the newest 1,000
     * matches of the query (?1; FTS5 reads the matches newest first and
     * stops), and every match, up to 5,000, of its rare words (?4: those
     * that at most 1,000 articles hold, as the core counted them with
     * knowledge.word_articles; NULL when none is), so an article holding a
     * rare word is always ranked.  bm25 is read in those two passes only
     * (negative, smaller is better); the second weighs the rare words
     * alone, which is what decides an article's place when a rare word is
     * asked (a common word's weight is small: bm25's idf), and an article
     * found by both keeps the better.  The newest are read once, straight
     * into the ranking (neither stored nor grouped by id: that cost a
     * third of the statement), each joined to its rare-word weight if it
     * has one; the rare words' matches older than the newest 1,000 (below
     * the 1,000th newest match's id, read by a pass of the index without
     * rank only when there are rare words) are added after them.
     * Helpfulness multiplies the
     * relevance by 0.5..1.5 (Laplace-smoothed share of "helped" votes).
     * The page's articles alone get a highlighted title and a snippet,
     * made from their stored text by rp_kb_highlight and rp_kb_snippet
     * (sqlite_marks.c: FTS5's highlight() and snippet() without a second
     * pass of the index over the page's ids).  Each start of a word is
     * matched as the few words of the index it stands for (rp_kb_match,
     * sqlite_rank.c: the same articles, but the newest are read without
     * merging every longer word's matches first).  bm25 is rp_bm25
     * (sqlite_rank.c: the same figures, each word's count of articles
     * kept between searches until the articles change, each article's
     * length read from kb_fts_docsize in the join). */
    // clang-format off
    [RP_Q_KNOWLEDGE_SEARCH] =
        "WITH rare AS MATERIALIZED (SELECT kb_fts.rowid AS id,"
        "   -rp_bm25(kb_fts, ?4, (SELECT version FROM kb_fts_version"
        "   WHERE id = 1), d.sz, 5.0, 1.0, 3.0) AS relevance FROM kb_fts"
        "  LEFT JOIN kb_fts_docsize d ON d.id = kb_fts.rowid"
        "  WHERE ?4 IS NOT NULL AND kb_fts MATCH rp_kb_match(?4, (SELECT"
        "   version FROM kb_fts_version WHERE id = 1)) LIMIT 5000),"
        " pool AS (SELECT n.id, CASE WHEN r.id IS NULL THEN n.relevance"
        "   ELSE max(n.relevance, r.relevance) END AS relevance"
        "  FROM (SELECT kb_fts.rowid AS id,"
        "    -rp_bm25(kb_fts, ?1, (SELECT version FROM kb_fts_version"
        "    WHERE id = 1), d.sz, 5.0, 1.0, 3.0) AS relevance FROM kb_fts"
        "   LEFT JOIN kb_fts_docsize d ON d.id = kb_fts.rowid"
        "   WHERE kb_fts MATCH rp_kb_match(?1, (SELECT version FROM"
        "    kb_fts_version WHERE id = 1))"
        "   ORDER BY kb_fts.rowid DESC LIMIT 1000) n"
        "  LEFT JOIN rare r ON r.id = n.id"
        "  UNION ALL SELECT id, relevance FROM rare"
        "  WHERE id < (SELECT rowid FROM kb_fts"
        "   WHERE kb_fts MATCH rp_kb_match(?1, (SELECT version FROM"
        "    kb_fts_version WHERE id = 1))"
        "   ORDER BY rowid DESC LIMIT 1 OFFSET 999)),"
        " best AS (SELECT p.id, p.relevance, p.relevance * (0.5 +"
        "   (a.helped + 1.0) / (a.helped + a.not_helped + 2.0)) AS score"
        "  FROM pool p CROSS JOIN kb_articles a ON a.id = p.id"
        "  WHERE ?3 OR p.id NOT IN"
        "   (SELECT id FROM kb_articles WHERE state = 'draft')"
        "  ORDER BY score DESC, p.id LIMIT ?2)"
        " SELECT a.id, a.title, a.tags AS tags__json, a.helped, a.not_helped,"
        " rp_kb_highlight(a.title, ?1, char(2), char(3)) AS title_marked,"
        " rp_kb_snippet(a.body, ?1, char(2), char(3), '...', 24)"
        "  AS snippet_marked,"
        " b.relevance, b.score"
        " FROM best b CROSS JOIN kb_articles a WHERE a.id = b.id"
        " ORDER BY b.score DESC, b.id",
    // clang-format on
    /* How many articles the word ?1 (an FTS5 string: "word" or "word"*)
     * matches, drafts too, counted up to ?2: whether it is a common word
     * (knowledge.c).  Counted once per version of the index's contents
     * and connection, then kept (sqlite_rank.c; coalesce runs the count
     * only when nothing is kept). */
    [RP_Q_KNOWLEDGE_WORD_ARTICLES] =
        "SELECT coalesce(rp_kb_kept_count(?1, ?2, v.version),"
        " rp_kb_keep_count(?1, ?2, v.version, (SELECT count(*) FROM"
        "  (SELECT 1 FROM kb_fts WHERE kb_fts MATCH rp_kb_match(?1, v.version)"
        "   LIMIT ?2))))"
        " AS articles FROM kb_fts_version v WHERE v.id = 1",
    [RP_Q_KNOWLEDGE_VOTE] = "UPDATE kb_articles SET helped = helped + ?, "
                            "not_helped = not_helped + ?"
                            " WHERE id = ?",
    /* The tags of the articles and how many articles carry each, for the
     * knowledge page; drafts counted only for writers (?1 = 1).  One pass
     * over the articles (the list in test_query_plans says so). */
    [RP_Q_KNOWLEDGE_TAGS] =
        "SELECT j.value AS tag, count(*) AS articles"
        " FROM kb_articles a, json_each(a.tags) j"
        " WHERE ?1 = 1 OR a.state = 'published'"
        " GROUP BY j.value ORDER BY articles DESC, tag LIMIT 200",

    /* ---- measures: charter, promises, metrics ---- */
    /* The service charter (charter.c). */
    [RP_Q_MEASURES_CHARTER_LIST] =
        "SELECT key, value, updated_at, updated_by FROM charter ORDER BY key",
    [RP_Q_MEASURES_CHARTER_SET] =
        "UPDATE charter SET value = ?1, updated_at = ?2, updated_by = ?3"
        " WHERE key = ?4",
    [RP_Q_MEASURES_CHARTER_BREACHES] = M_LIST,
    /* The same page from the records: every breach of the window judged
     * and sorted (the reference of `rapport report --verify`). */
    [RP_Q_MEASURES_CHARTER_BREACHES_RECORDS] =
        "SELECT * FROM (" M_BREACHES ") ORDER BY started_at, target, subject_id"
        " LIMIT ?10",
    [RP_Q_MEASURES_CHARTER_BREACH_COUNTS] =
        "SELECT target, count(*) AS n FROM (" M_BREACHES ") GROUP BY target",
    /* How long the breaches took, summed by target, kind of subject and
     * queue (0: none): the breaches, their calendar seconds, and the
     * seconds past the target counted around the clock (charter.c,
     * rp_charter_breach_times; the encounters of a queue with business
     * hours are counted again in its hours from the rows below).  The
     * same judgement as M_BREACHES, in one pass over the window's
     * encounters (each one's charter version found once, not per target
     * and use), then one arm per target over what it read. */
    [RP_Q_MEASURES_BREACH_TIMES] =
        "WITH x AS (SELECT coalesce(e.queue_id, 0) AS q, e.arrived_at AS a,"
        " coalesce(e.acknowledged_at, e.abandoned_at, e.closed_at, ?5)"
        "  AS ack_end,"
        " coalesce(e.first_response_at, e.abandoned_at, e.closed_at, ?5)"
        "  AS first_end,"
        " coalesce(e.closed_at, e.abandoned_at, ?5) AS res_end,"
        " e.closed_at AS closed, e.abandoned_at AS abandoned,"
    /* the targets of the charter at its arrival */
    M_CHARTER_TARGET_COLUMNS
        /* no customer: the times need none (reading the customer of each
         * encounter of 30 days took it from 0.29 s to 0.72 s of CPU at
         * 3M encounters) */
        " FROM encounters e" M_CHARTER_AT_ARRIVAL " WHERE" M_ENC_WINDOW "),"
        /* the follow-ups' and promises' arm of M_BREACHES, its columns
         * named */
        " f(target, subject, subject_id, encounter_id, customer_id,"
        " customer_name, started_at, target_seconds, actual_seconds, detail,"
        " due_at, queue_id) AS (" M_BREACHES_FOLLOW_UPS ")"
        " SELECT 'acknowledge' AS target, 'encounter' AS subject,"
        " q AS queue_id, count(*) AS n, sum(ack_end - a) AS calendar_sum,"
        " sum(max(ack_end - a - ack_t, 0)) AS over_sum FROM x"
        " WHERE ack_end > coalesce(ack_d, a + ack_t) GROUP BY q"
        " UNION ALL SELECT 'first_response', 'encounter', q, count(*),"
        " sum(first_end - a), sum(max(first_end - a - first_t, 0))"
        " FROM x WHERE first_end > coalesce(first_d, a + first_t) GROUP BY q"
        " UNION ALL SELECT 'resolution', 'encounter', q, count(*),"
        " sum(res_end - a), sum(max(res_end - a - res_t, 0)) FROM x"
        " WHERE (closed IS NOT NULL AND closed > coalesce(res_d, a + res_t))"
        " OR (closed IS NULL AND abandoned IS NOT NULL)"
        " OR (closed IS NULL AND abandoned IS NULL"
        "  AND ?5 > coalesce(res_d, a + res_t))"
        " GROUP BY q"
        " UNION ALL SELECT target, subject, coalesce(queue_id, 0), count(*),"
        " sum(actual_seconds), sum(max(actual_seconds - target_seconds,"
        " 0)) FROM f"
        " GROUP BY target, subject, coalesce(queue_id, 0)",
    [RP_Q_MEASURES_BREACH_TIMES_ROWS] =
        "SELECT target, started_at AS started, actual_seconds,"
        " target_seconds FROM (" M_BREACHES ")"
        " WHERE subject = 'encounter' AND coalesce(queue_id, 0) = ?10",
    [RP_Q_MEASURES_PROMISES_OVERDUE] =
        "SELECT id, customer_id, encounter_id, what, due_at AS due"
        " FROM promises WHERE status = 'open' AND due_at < ?1"
        " ORDER BY status, due_at LIMIT ?2",
    [RP_Q_MEASURES_PROMISE_SETTLE] =
        "UPDATE promises SET status = ?1, settled_at = ?2"
        " WHERE id = ?3 AND status = 'open'",
    /* Service metrics of a window (metrics.c). */
    [RP_Q_MEASURES_VOLUME] =
        "SELECT count(*) AS encounters,"
        " coalesce(sum(e.abandoned_at IS NOT NULL), 0) AS abandoned,"
        " coalesce(sum(e.closed_at IS NOT NULL), 0) AS closed,"
        " coalesce(sum(e.closed_at IS NOT NULL AND"
        "   e.first_contact_resolved = 1), 0) AS first_contact_resolved,"
        " coalesce(sum(e.closed_at IS NOT NULL AND"
        "   e.first_contact_resolved IS NULL), 0) AS first_contact_unknown,"
        " coalesce(sum(e.acknowledged_at IS NULL AND e.abandoned_at IS NULL AND"
        "   e.closed_at IS NULL), 0) AS waiting,"
        " coalesce(sum(e.transfers), 0) AS transfers,"
        " coalesce(sum(e.transfers > 0), 0) AS transferred,"
        " coalesce(sum(e.apology_owed), 0) AS apologies_owed,"
        " coalesce(sum(e.apology_given), 0) AS apologies_given,"
        " coalesce(sum(e.apology_owed AND NOT e.apology_given), 0)"
        "   AS apologies_missing"
        " FROM encounters e WHERE" M_ENC_WINDOW,
    [RP_Q_MEASURES_BY_CHANNEL] =
        "SELECT e.channel, count(*) AS n FROM encounters e WHERE" M_ENC_WINDOW
        " GROUP BY e.channel ORDER BY n DESC, e.channel",
    [RP_Q_MEASURES_WAIT_SUMMARY] =
        "SELECT count(*) AS n, avg(w) AS average, max(w) AS maximum FROM"
        " (SELECT coalesce(e.acknowledged_at, e.abandoned_at) - e.arrived_at "
        "AS w"
        "  FROM encounters e WHERE" M_ENC_WINDOW
        "  AND coalesce(e.acknowledged_at, e.abandoned_at) IS NOT NULL)",
    [RP_Q_MEASURES_WAIT_AT_RANK] =
        "SELECT coalesce(e.acknowledged_at, e.abandoned_at) - e.arrived_at AS w"
        " FROM encounters e WHERE" M_ENC_WINDOW
        " AND coalesce(e.acknowledged_at, e.abandoned_at) IS NOT NULL"
        " ORDER BY w LIMIT 1 OFFSET ?5",
    /* Calls told by a phone system (telephony), by their arrival in the
     * window (telephony_calls_by_arrival); ?5 now, for a hold still
     * running.  A call on hold has hold_since set; hanging up ends it. */
    [RP_Q_MEASURES_TELEPHONY] =
        "SELECT count(*) AS calls,"
        " coalesce(sum(t.answered_at IS NOT NULL), 0) AS answered,"
        " coalesce(sum(t.abandoned = 1), 0) AS abandoned,"
        " coalesce(sum(t.state <> 'ended' AND t.answered_at IS NULL), 0)"
        "   AS waiting,"
        " avg(t.answered_at - t.arrived_at) AS answer_average,"
        " max(t.answered_at - t.arrived_at) AS answer_max,"
        " avg(CASE WHEN t.abandoned = 1 THEN t.ended_at - t.arrived_at END)"
        "   AS abandon_average,"
        " max(CASE WHEN t.abandoned = 1 THEN t.ended_at - t.arrived_at END)"
        "   AS abandon_max,"
        " coalesce(sum(t.holds > 0), 0) AS held, coalesce(sum(t.holds), 0)"
        "   AS holds,"
        " coalesce(sum(t.hold_seconds + coalesce(?5 - t.hold_since, 0)), 0)"
        "   AS hold_total,"
        " coalesce(max(t.hold_seconds + coalesce(?5 - t.hold_since, 0)), 0)"
        "   AS hold_max"
        " FROM telephony_calls t JOIN encounters e ON e.id = t.encounter_id"
        " WHERE t.arrived_at >= ?1 AND t.arrived_at < ?2 AND" M_ENC_FILTER,
    /* ---- telephony: calls told by a phone system (telephony/call.c) ---
     * Times come back as integers (no _at suffix) for the rules, which
     * format them for the reply themselves. */
    [RP_Q_TELEPHONY_CALL_GET] =
        "SELECT t.id, t.call_id, t.encounter_id, e.customer_id, t.state,"
        " t.arrived_at AS arrived, t.answered_at AS answered,"
        " t.ended_at AS ended, t.abandoned, t.hold_since, t.holds,"
        " t.hold_seconds, t.transfers, t.last_event_at AS last_event"
        " FROM telephony_calls t JOIN encounters e ON e.id = t.encounter_id"
        " WHERE t.call_id = ?1",
    [RP_Q_TELEPHONY_CALL_INSERT] =
        "INSERT INTO telephony_calls (call_id, encounter_id, state,"
        " arrived_at, last_event_at, created_at, updated_at)"
        " VALUES (?1, ?2, 'queued', ?3, ?3, ?4, ?4) RETURNING id",
    [RP_Q_TELEPHONY_CALL_UPDATE] =
        "UPDATE telephony_calls SET state = ?2, answered_at = ?3,"
        " ended_at = ?4, abandoned = ?5, hold_since = ?6, holds = ?7,"
        " hold_seconds = ?8, transfers = ?9, last_event_at = ?10,"
        " updated_at = ?11 WHERE id = ?1",
    [RP_Q_TELEPHONY_EVENT_FIND] =
        "SELECT id FROM telephony_events WHERE call_id = ?1 AND event = ?2"
        " AND at = ?3",
    [RP_Q_TELEPHONY_EVENT_INSERT] =
        "INSERT INTO telephony_events (call_id, event, at, queue_id,"
        " agent_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [RP_Q_TELEPHONY_EVENTS_OF] =
        "SELECT event, at AS occurred_at, queue_id, agent_id"
        " FROM telephony_events WHERE call_id = ?1 ORDER BY at, id LIMIT ?2",
    [RP_Q_MEASURES_SATISFACTION] =
        "SELECT count(*) AS answered, avg(s.score) AS average"
        " FROM satisfaction_checks s LEFT JOIN encounters e"
        " ON e.id = s.encounter_id WHERE s.answered_at >= ?1"
        " AND s.answered_at < ?2 AND s.score IS NOT NULL AND" M_ENC_FILTER,
    [RP_Q_MEASURES_SATISFACTION_WORDS] =
        "SELECT lower(trim(j.value)) AS word, count(*) AS n"
        " FROM satisfaction_checks s LEFT JOIN encounters e"
        " ON e.id = s.encounter_id, json_each(s.words) j"
        " WHERE s.answered_at >= ?1 AND s.answered_at < ?2 AND" M_ENC_FILTER
        " AND j.type = 'text' AND trim(j.value) <> ''"
        " GROUP BY word ORDER BY n DESC, word LIMIT 20",
    [RP_Q_MEASURES_LEVELS] =
        "SELECT relationship_level AS level, count(*) AS n FROM customers"
        " GROUP BY relationship_level",
    [RP_Q_MEASURES_MOVEMENTS] =
        "SELECT r.previous_level AS from_level, r.level AS to_level,"
        " count(*) AS n FROM relationship_levels r LEFT JOIN encounters e"
        " ON e.id = r.encounter_id WHERE r.created_at >= ?1"
        " AND r.created_at < ?2 AND" M_ENC_FILTER
        " GROUP BY r.previous_level, r.level"
        " ORDER BY n DESC, coalesce(r.previous_level, ''), r.level LIMIT 32",
    [RP_Q_MEASURES_MOMENTS] =
        "SELECT count(*) AS moments, count(DISTINCT m.customer_id) AS "
        "customers,"
        " coalesce(sum(m.impression = 'positive'), 0) AS positive,"
        " coalesce(sum(m.impression = 'neutral'), 0) AS neutral,"
        " coalesce(sum(m.impression = 'negative'), 0) AS negative"
        /* The ledger is the biggest table: read it from the covering index
         * alone, and test the queue/agent filter once, not per row, when
         * neither is given.  With a filter, each moment of the window looks
         * its encounter up by key: a list of the queue's encounters of all
         * time (IN) cost a scan of every encounter, 1.9 s at 1M. */
        " FROM moments m WHERE m.occurred_at >= ?1 AND m.occurred_at < ?2"
        " AND ((?3 IS NULL AND ?4 IS NULL) OR EXISTS (SELECT 1 FROM"
        "  encounters e WHERE e.id = m.encounter_id AND" M_ENC_FILTER "))",
    [RP_Q_MEASURES_DEFECTS] =
        "SELECT d.kind, d.cause, count(*) AS n FROM defects d"
        " JOIN encounters e ON e.id = d.encounter_id"
        " WHERE d.created_at >= ?1 AND d.created_at < ?2 AND" M_ENC_FILTER
        " GROUP BY d.kind, d.cause ORDER BY n DESC, d.kind, d.cause LIMIT 50",
    [RP_Q_MEASURES_SPECIAL_REQUESTS] =
        "SELECT r.outcome, r.decline_reason AS reason, count(*) AS n"
        " FROM special_requests r JOIN encounters e ON e.id = r.encounter_id"
        " WHERE r.created_at >= ?1 AND r.created_at < ?2 AND" M_ENC_FILTER
        " GROUP BY r.outcome, r.decline_reason ORDER BY n DESC LIMIT 50",
    /* ?5 now: a promise still open past its date counts as broken,
     * settled or not (a read does not settle it) */
    [RP_Q_MEASURES_PROMISES] =
        "SELECT CASE WHEN p.status = 'open' AND p.due_at < ?5 THEN 'broken'"
        " ELSE p.status END AS status, count(*) AS n FROM promises p"
        " LEFT JOIN encounters e ON e.id = p.encounter_id"
        " WHERE p.due_at >= ?1 AND p.due_at < ?2 AND" M_ENC_FILTER
        " GROUP BY 1",
    /* The gauges of /metrics (Prometheus). */
    [RP_Q_MEASURES_QUEUE_DEPTH] = "SELECT queue_id, count(*) AS n FROM "
                                  "encounters WHERE stage = 'received'"
                                  " AND acknowledged_at IS NULL AND "
                                  "abandoned_at IS NULL GROUP BY queue_id",
    [RP_Q_MEASURES_TASKS_DUE] =
        "SELECT kind, count(*) AS n FROM tasks WHERE status = 'scheduled'"
        " AND due_at <= ?1 GROUP BY kind",
    [RP_Q_MEASURES_TASKS_FAILED] =
        "SELECT kind, count(*) AS n FROM tasks WHERE status = 'failed'"
        " GROUP BY kind",
    /* ---- conversations: identities, settings, messages, the outbox ---- */
    [RP_Q_CONVERSATION_IDENTITY_FIND] =
        "SELECT id, customer_id FROM identities WHERE kind = ? AND value = ?",
    /* ?3 is the JSON array of the values the customer keeps */
    [RP_Q_CONVERSATION_IDENTITIES_PRUNE] =
        "DELETE FROM identities WHERE customer_id = ?1 AND kind = ?2"
        " AND value NOT IN (SELECT value FROM json_each(?3))",
    [RP_Q_CONVERSATION_CUSTOMERS_BY_PHONE] =
        "SELECT c.id, c.name, c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into"
        " FROM identities i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.kind = 'phone' AND i.value = ?1 AND c.id > ?2"
        " ORDER BY c.id LIMIT ?3",
    /* The customer who holds the email address ?1 (normalised: lower case), by
     * the identities' unique (kind, value) index, as the phone number's. */
    [RP_Q_CONVERSATION_CUSTOMERS_BY_EMAIL] =
        "SELECT c.id, c.name, c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into"
        " FROM identities i JOIN customers c ON c.id = i.customer_id"
        " WHERE i.kind = 'email' AND i.value = ?1 AND c.id > ?2"
        " ORDER BY c.id LIMIT ?3",
    [RP_Q_CONVERSATION_SETTINGS_LIST] =
        "SELECT key, value FROM desk_settings ORDER BY key",
    [RP_Q_CONVERSATION_SETTINGS_SET] =
        "UPDATE desk_settings SET value = ?1, updated_at = ?2,"
        " updated_by = ?3 WHERE key = ?4",
    [RP_Q_CONVERSATION_MESSAGE_BY_MSGID] =
        "SELECT id, encounter_id, customer_id, direction FROM messages"
        " WHERE message_id = ?",
    [RP_Q_CONVERSATION_ATTACHMENTS_OF] =
        "SELECT id, message_id, filename, content_type, size,"
        " is_inline AS inline__bool, content_id FROM attachments"
        " WHERE encounter_id = ?1 AND message_id BETWEEN ?2 AND ?3"
        " ORDER BY message_id, id",
    [RP_Q_CONVERSATION_ATTACHMENTS_OF_MESSAGE] =
        "SELECT a.id, a.filename, a.content_type, a.size, b.data"
        " FROM attachments a JOIN attachment_blobs b ON b.id = a.blob_id"
        " WHERE a.message_id = ? ORDER BY a.id",
    [RP_Q_CONVERSATION_BLOB_BY_SHA] =
        "SELECT id FROM attachment_blobs WHERE sha256 = ?",
    [RP_Q_CONVERSATION_ATTACHMENT_DATA] =
        "SELECT a.id, a.message_id, a.encounter_id, a.customer_id,"
        " a.filename, a.content_type, a.size, b.data"
        " FROM attachments a JOIN attachment_blobs b ON b.id = a.blob_id"
        " WHERE a.id = ?",
    [RP_Q_CONVERSATION_RECENT_FROM] =
        "SELECT count(*) AS n FROM messages WHERE identity_id = ?1"
        " AND created_at >= ?2",
    [RP_Q_CONVERSATION_LAST_INBOUND] =
        "SELECT id, message_id, refs AS refs__json, from_address, subject"
        " FROM messages WHERE encounter_id = ?1 AND direction = 'inbound'"
        " ORDER BY id DESC LIMIT 1",
    /* ?1 worker, ?2 now, ?3 claims older than this are taken over, ?4 batch */
    [RP_Q_CONVERSATION_OUTBOX_CLAIM] =
        "UPDATE messages SET status = 'sending', claimed_by = ?1,"
        " claimed_at = ?2, attempts = attempts + 1 WHERE id IN"
        " (SELECT id FROM messages WHERE (status = 'queued'"
        "   AND coalesce(next_attempt_at, 0) <= ?2)"
        " OR (status = 'sending' AND claimed_at <= ?3) ORDER BY id LIMIT ?4)"
        " RETURNING id, attempts",
    /* ?1 status, ?2 sent_at, ?3 next attempt, ?4 error, ?5 now, ?6 id,
     * ?7 worker */
    [RP_Q_CONVERSATION_OUTBOX_SETTLE] =
        "UPDATE messages SET status = ?1, sent_at = ?2, next_attempt_at = ?3,"
        " last_error = ?4, updated_at = ?5, claimed_by = NULL"
        " WHERE id = ?6 AND status = 'sending' AND claimed_by = ?7",
    /* the customer's help pages */
    [RP_Q_CONVERSATION_HELP_HITS_EXPIRE] = "DELETE FROM help_hits WHERE at < ?",
    [RP_Q_CONVERSATION_HELP_HITS_COUNT] =
        "SELECT count(*) AS n, min(at) AS first"
        " FROM help_hits WHERE key = ? AND at > ?",
    [RP_Q_CONVERSATION_HELP_HIT_ADD] =
        "INSERT INTO help_hits (key, at) VALUES (?, ?)",
    [RP_Q_CONVERSATION_HELP_LINK_INSERT] =
        "INSERT INTO help_links (token_hash, purpose, encounter_id,"
        " customer_id, email, thread_id, subject, created_at, expires_at,"
        " mail_state, mail_next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
    [RP_Q_CONVERSATION_HELP_LINK_BY_HASH] =
        "SELECT id, purpose, encounter_id, customer_id, email, thread_id,"
        " subject, expires_at AS expires FROM help_links WHERE token_hash = ?",
    [RP_Q_CONVERSATION_HELP_LINK_MOVE] =
        "UPDATE help_links SET encounter_id = ?2 WHERE encounter_id = ?1",
    /* pending mails that are due, and mails whose sender died mid-send */
    [RP_Q_CONVERSATION_HELP_LINKS_TO_MAIL] =
        "SELECT id, encounter_id, customer_id, email, subject,"
        " mail_attempts AS attempts FROM help_links"
        " WHERE (mail_state = 'pending' AND mail_next_at <= ?1)"
        " OR (mail_state = 'sending' AND mail_claimed_at < ?2)"
        " ORDER BY id LIMIT ?3",
    [RP_Q_CONVERSATION_HELP_LINK_CLAIM_MAIL] =
        "UPDATE help_links SET mail_state = 'sending', mail_claimed_at = ?2,"
        " mail_attempts = mail_attempts + 1, token_hash = ?3, expires_at = ?4"
        " WHERE id = ?1 AND (mail_state = 'pending' OR"
        " (mail_state = 'sending' AND mail_claimed_at < ?5))",
    [RP_Q_CONVERSATION_HELP_LINK_MAILED] =
        "UPDATE help_links SET mail_state = 'sent', mail_error = NULL"
        " WHERE id = ? AND mail_state = 'sending'",
    [RP_Q_CONVERSATION_HELP_LINK_MAIL_RETRY] =
        "UPDATE help_links SET mail_state = ?2, mail_next_at = ?3,"
        " mail_error = ?4 WHERE id = ?1 AND mail_state = 'sending'",
    /* The scheduler marks a task before it sends it (scheduler.c): a
     * claim that expires after this mark has an unknown outcome.  The
     * mark renews the claim, so the lease counts from the send. */
    [RP_Q_FOLLOWUP_TASK_SENDING] =
        "UPDATE tasks SET sending_at = ?1, claimed_at = ?1"
        " WHERE id = ?2 AND status = 'claimed' AND claimed_by = ?3",
    /* ---- mailbox: the IMAP mailboxes polled, and the UIDs taken ---- */
    [RP_Q_MAILBOX_INSERT] =
        "INSERT INTO mail_mailboxes (queue, url, username, password, folder,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    [RP_Q_MAILBOX_LIST] =
        "SELECT id, queue, url, username, password, folder, created_at"
        " FROM mail_mailboxes ORDER BY id",
    [RP_Q_MAILBOX_DELETE] = "DELETE FROM mail_mailboxes WHERE id = ?",
    /* the first UID to ask the server for: after the highest taken, or
     * the lowest whose claim went stale (its taker died) */
    [RP_Q_MAILBOX_UID_FROM] =
        "SELECT min(u) AS from_uid FROM ("
        " SELECT coalesce(max(uid), 0) + 1 AS u FROM mail_imap_uids"
        "  WHERE mailbox_id = ?1 AND uidvalidity = ?2"
        " UNION ALL SELECT min(uid) FROM mail_imap_uids"
        "  WHERE mailbox_id = ?1 AND uidvalidity = ?2 AND state = 'claimed'"
        "  AND claimed_at < ?3)",
    /* a row comes back only to the one caller that now holds the claim */
    [RP_Q_MAILBOX_UID_CLAIM] =
        "INSERT INTO mail_imap_uids (mailbox_id, uidvalidity, uid, state,"
        " claimed_at) VALUES (?1, ?2, ?3, 'claimed', ?4)"
        " ON CONFLICT (mailbox_id, uidvalidity, uid) DO UPDATE"
        " SET claimed_at = excluded.claimed_at"
        " WHERE state = 'claimed' AND claimed_at < ?5 RETURNING uid",
    [RP_Q_MAILBOX_UID_DONE] =
        "UPDATE mail_imap_uids SET state = 'done' WHERE mailbox_id = ?"
        " AND uidvalidity = ? AND uid = ?",
    [RP_Q_MAILBOX_UID_RELEASE] =
        "DELETE FROM mail_imap_uids WHERE mailbox_id = ? AND uidvalidity = ?"
        " AND uid = ? AND state = 'claimed'",
    [RP_Q_STAFF_TOKEN_SET_SCOPE] =
        "UPDATE api_tokens SET scope = ? WHERE id = ?",
    /* /healthz: one row found by its rowid, so that the check costs the
     * same on any size of desk (counting customers took 57 ms at 1M) */
    [RP_Q_STORE_READ_CHECK] =
        "SELECT version FROM schema_version"
        " WHERE rowid = (SELECT max(rowid) FROM schema_version)",
    /* ---- event webhooks ---- */
    /* ?1 event id, ?2 kind, ?3 now: one delivery per active subscription
     * that wants the kind; the delivery id is random and never changes */
    [RP_Q_WEBHOOK_FANOUT] =
        "INSERT INTO webhook_deliveries (webhook_id, event_id, delivery_id,"
        " status, attempts, next_attempt_at, created_at, updated_at)"
        " SELECT w.id, ?1, 'whd_' || lower(hex(randomblob(16))), 'queued', 0,"
        " ?3, ?3, ?3 FROM webhooks w WHERE w.active = 1 AND EXISTS"
        " (SELECT 1 FROM json_each(w.events) j WHERE j.value IN (?2, '*'))",
    /* ?1 now, ?2 claims older than this are taken over */
    [RP_Q_WEBHOOK_DUE] =
        "SELECT EXISTS (SELECT 1 FROM webhook_deliveries"
        " WHERE status = 'queued' AND next_attempt_at <= ?1)"
        " OR EXISTS (SELECT 1 FROM webhook_deliveries"
        " WHERE status = 'sending' AND claimed_at <= ?2) AS due__bool",
    /* ?1 worker, ?2 now, ?3 claims older than this are taken over, ?4 batch;
     * a subscription turned off keeps its deliveries queued */
    [RP_Q_WEBHOOK_CLAIM] =
        "UPDATE webhook_deliveries SET status = 'sending', claimed_by = ?1,"
        " claimed_at = ?2, attempts = attempts + 1, updated_at = ?2"
        " WHERE id IN (SELECT d.id FROM webhook_deliveries d"
        " JOIN webhooks w ON w.id = d.webhook_id WHERE w.active = 1"
        " AND ((d.status = 'queued' AND d.next_attempt_at <= ?2)"
        " OR (d.status = 'sending' AND d.claimed_at <= ?3))"
        " ORDER BY d.id LIMIT ?4) RETURNING id, attempts",
    [RP_Q_WEBHOOK_DELIVERY_LOAD] =
        "SELECT d.id, d.webhook_id, d.delivery_id, d.attempts, w.url, w.secret,"
        " e.id AS event_id, e.kind, e.customer_id, e.encounter_id,"
        " e.occurred_at, e.data AS data__json"
        " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
        " JOIN events e ON e.id = d.event_id WHERE d.id = ?",
    /* ?1 status, ?2 response code, ?3 error, ?4 next attempt, ?5 delivered
     * at, ?6 now, ?7 id, ?8 worker: only the claim's holder settles it */
    [RP_Q_WEBHOOK_SETTLE] =
        "UPDATE webhook_deliveries SET status = ?1, response_code = ?2,"
        " last_error = ?3, next_attempt_at = coalesce(?4, next_attempt_at),"
        " delivered_at = ?5, claimed_by = NULL, updated_at = ?6"
        " WHERE id = ?7 AND status = 'sending' AND claimed_by = ?8",
    /* ?1 status, ?2 response code, ?3 error, ?4 now, ?5 subscription */
    [RP_Q_WEBHOOK_LAST_STATUS] =
        "UPDATE webhooks SET last_status = ?1, last_response_code = ?2,"
        " last_error = ?3, last_attempt_at = ?4 WHERE id = ?5",
    /* ?1 subscription, ?2 status or NULL, ?3 before this id (0: newest),
     * ?4 limit */
    [RP_Q_WEBHOOK_DELIVERIES] =
        "SELECT d.id, d.delivery_id, d.event_id, e.kind, d.status,"
        " d.attempts, d.response_code, d.last_error, d.next_attempt_at,"
        " d.delivered_at, d.created_at"
        " FROM webhook_deliveries d JOIN events e ON e.id = d.event_id"
        " WHERE d.webhook_id = ?1 AND (?2 IS NULL OR d.status = ?2)"
        " AND (?3 = 0 OR d.id < ?3) ORDER BY d.id DESC LIMIT ?4",
    [RP_Q_WEBHOOK_BACKLOG] =
        "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status ="
        " 'queued') + (SELECT count(*) FROM webhook_deliveries"
        " WHERE status = 'sending') AS n",
    /* what an erased customer's events said is forgotten, so that a
     * delivery still queued carries only ids */
    [RP_Q_WEBHOOK_EVENTS_FORGET_CUSTOMER] =
        "UPDATE events SET data = '{}' WHERE customer_id = ?1",
    /* ?1 before, ?2 at most this many */
    [RP_Q_WEBHOOK_PRUNE_DELIVERIES] =
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM"
        " webhook_deliveries WHERE status IN ('delivered', 'failed')"
        " AND updated_at < ?1 ORDER BY id LIMIT ?2)",
    [RP_Q_WEBHOOK_PRUNE_EVENTS] =
        "DELETE FROM events WHERE id IN (SELECT e.id FROM events e"
        " WHERE e.occurred_at < ?1 AND NOT EXISTS (SELECT 1 FROM"
        " webhook_deliveries d WHERE d.event_id = e.id)"
        " ORDER BY e.occurred_at LIMIT ?2)",
    /* ---- secrets at rest: every secret column, listed and set again (only
     * when it still holds the value read, so a change made meanwhile is
     * never overwritten) */
    [RP_Q_SECRETS_MAILBOX_LIST] =
        "SELECT id, password AS secret FROM mail_mailboxes ORDER BY id",
    [RP_Q_SECRETS_MAILBOX_SET] =
        "UPDATE mail_mailboxes SET password = ?1 WHERE id = ?2"
        " AND password = ?3",
    /* ---- least privilege: who sees which customer and encounter.  Each
     * is a few lookups by primary key or by a customer's own encounters
     * (encounters_by_customer_queue), queue_members by either key. */
    [RP_Q_STAFF_TOKEN_SET_LIMITS] =
        "UPDATE api_tokens SET read_only = ?1, resources = ?2, queues = ?3"
        " WHERE id = ?4",
    [RP_Q_STAFF_ANY_RESTRICTED] =
        "SELECT EXISTS (SELECT 1 FROM queues WHERE restricted = 1)"
        " AS any__bool",
    [RP_Q_STAFF_QUEUES_OF_AGENT] =
        "SELECT queue_id FROM queue_members WHERE agent_id = ? ORDER BY"
        " queue_id",
    [RP_Q_STAFF_QUEUE_MEMBERS] =
        "SELECT agent_id FROM queue_members WHERE queue_id = ? ORDER BY"
        " agent_id",
    [RP_Q_STAFF_QUEUE_MEMBERS_CLEAR] =
        "DELETE FROM queue_members WHERE queue_id = ?",
    [RP_Q_STAFF_QUEUE_MEMBER_ADD] =
        "INSERT OR IGNORE INTO queue_members (queue_id, agent_id)"
        " VALUES (?, ?)",
    [RP_Q_STAFF_QUEUE_SET_RESTRICTED] =
        "UPDATE queues SET restricted = ?1, updated_at = ?2 WHERE id = ?3",
    /* ?1 customer, ?2 agent, ?3 1 when a lead (sees the work of the agents
     * of their queues).  Visible when the customer is in no restricted
     * queue, or also in an open one, or in one of the agent's, or (a
     * lead) one of their encounters is handled by an agent of the lead's
     * queues. */
    [RP_Q_STAFF_CUSTOMER_VISIBLE] =
        "SELECT (NOT EXISTS (SELECT 1 FROM encounters e"
        "   JOIN queues q ON q.id = e.queue_id"
        "   WHERE e.customer_id = ?1 AND q.restricted = 1)"
        " OR EXISTS (SELECT 1 FROM encounters e JOIN queues q"
        "   ON q.id = e.queue_id WHERE e.customer_id = ?1 AND q.restricted = 0)"
        " OR EXISTS (SELECT 1 FROM encounters e JOIN queue_members m"
        "   ON m.queue_id = e.queue_id AND m.agent_id = ?2"
        "   WHERE e.customer_id = ?1)"
        " OR EXISTS (SELECT 1 FROM encounters e WHERE e.customer_id = ?1"
        "   AND e.agent_id = ?2)"
        " OR (?3 AND EXISTS (SELECT 1 FROM encounters e"
        "   JOIN queue_members w ON w.agent_id = e.agent_id"
        "   JOIN queue_members l ON l.queue_id = w.queue_id AND l.agent_id = ?2"
        "   WHERE e.customer_id = ?1))) AS visible__bool,"
        " EXISTS (SELECT 1 FROM customers WHERE id = ?1) AS found__bool",
    /* ?1 customer, ?2 the queues a token is limited to (a JSON array) */
    [RP_Q_STAFF_CUSTOMER_IN_QUEUES] =
        "SELECT EXISTS (SELECT 1 FROM encounters e WHERE e.customer_id = ?1"
        "   AND e.queue_id IN (SELECT value FROM json_each(?2)))"
        " AS visible__bool,"
        " EXISTS (SELECT 1 FROM customers WHERE id = ?1) AS found__bool",
    /* ?1 encounter, ?2 agent, ?3 lead, ?4 the token's queues or NULL */
    [RP_Q_STAFF_ENCOUNTER_VISIBLE] =
        "SELECT CASE WHEN ?4 IS NOT NULL THEN e.queue_id IN"
        "   (SELECT value FROM json_each(?4))"
        " ELSE (q.id IS NULL OR q.restricted = 0 OR e.agent_id = ?2"
        "   OR EXISTS (SELECT 1 FROM queue_members m WHERE m.queue_id = q.id"
        "     AND m.agent_id = ?2)"
        "   OR (?3 AND EXISTS (SELECT 1 FROM queue_members w"
        "     JOIN queue_members l ON l.queue_id = w.queue_id"
        "     AND l.agent_id = ?2 WHERE w.agent_id = e.agent_id))) END"
        " AS visible__bool, e.customer_id"
        " FROM encounters e LEFT JOIN queues q ON q.id = e.queue_id"
        " WHERE e.id = ?1",
    /* what a row of another kind belongs to: its encounter and customer */
    [RP_Q_STAFF_OWNER_OF_MESSAGE] =
        "SELECT encounter_id, customer_id FROM messages WHERE id = ?",
    [RP_Q_STAFF_OWNER_OF_ATTACHMENT] =
        "SELECT encounter_id, customer_id FROM attachments WHERE id = ?",
    [RP_Q_STAFF_OWNER_OF_TASK] =
        "SELECT encounter_id, customer_id FROM tasks WHERE id = ?",
    [RP_Q_STAFF_OWNER_OF_PROMISE] =
        "SELECT encounter_id, customer_id FROM promises WHERE id = ?",
    [RP_Q_SECRETS_WEBHOOK_LIST] = "SELECT id, secret FROM webhooks ORDER BY id",
    [RP_Q_SECRETS_WEBHOOK_SET] =
        "UPDATE webhooks SET secret = ?1 WHERE id = ?2 AND secret = ?3",
    /* the delivery settings (one row) and their two sealed secrets */
    [RP_Q_SECRETS_SMTP_LIST] =
        "SELECT id, smtp_password AS secret FROM delivery_settings"
        " WHERE smtp_password IS NOT NULL ORDER BY id",
    [RP_Q_SECRETS_SMTP_SET] =
        "UPDATE delivery_settings SET smtp_password = ?1 WHERE id = ?2"
        " AND smtp_password = ?3",
    [RP_Q_SECRETS_SMS_HOOK_LIST] =
        "SELECT id, webhook_secret AS secret FROM delivery_settings"
        " WHERE webhook_secret IS NOT NULL ORDER BY id",
    [RP_Q_SECRETS_SMS_HOOK_SET] =
        "UPDATE delivery_settings SET webhook_secret = ?1 WHERE id = ?2"
        " AND webhook_secret = ?3",
    [RP_Q_DELIVERY_SETTINGS_GET] =
        "SELECT smtp_url, smtp_from, smtp_user, smtp_password,"
        " webhook_url, webhook_secret, updated_at, updated_by"
        " FROM delivery_settings WHERE id = 1",
    [RP_Q_DELIVERY_SETTINGS_SET] =
        "UPDATE delivery_settings SET smtp_url = ?1, smtp_from = ?2,"
        " smtp_user = ?3, smtp_password = ?4, webhook_url = ?5,"
        " webhook_secret = ?6, updated_at = ?7, updated_by = ?8"
        " WHERE id = 1",
    /* the Zendesk-compatible API: the first message of each ticket on a
     * page (its description), through messages_by_encounter */
    [RP_Q_ZENDESK_FIRST_MESSAGES] =
        "SELECT m.encounter_id, m.body FROM messages m"
        " WHERE m.id IN (SELECT (SELECT min(x.id) FROM messages x"
        "  WHERE x.encounter_id = j.value) FROM json_each(?1) j)",
    [RP_Q_ZENDESK_AGENT_BY_EMAIL] =
        "SELECT id FROM agents WHERE lower(email) = lower(?1)",
    /* ---- operations ---- */
    /* /healthz: each count an index range (tasks_by_due, messages_outbox,
     * messages_failed, webhook_deliveries_due), never a scan, whatever the size
     * of the desk; ?1 is now */
    [RP_Q_MEASURES_DELIVERY_BACKLOG] =
        "SELECT (SELECT count(*) FROM tasks WHERE status = 'scheduled'"
        "   AND due_at <= ?1) AS tasks_due,"
        " (SELECT count(*) FROM tasks WHERE status = 'failed')"
        "   AS tasks_failed,"
        " (SELECT count(*) FROM messages WHERE status IN ('queued','sending')"
        "   AND status = 'queued' AND coalesce(next_attempt_at, 0) <= ?1)"
        "   AS outbox_due,"
        " (SELECT count(*) FROM messages WHERE status = 'failed')"
        "   AS outbox_failed,"
        " (SELECT count(*) FROM webhook_deliveries WHERE status = 'queued'"
        "   AND next_attempt_at <= ?1) AS webhooks_due,"
        " (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed')"
        "   AS webhooks_failed",
    /* import: the customer a row names by the id of the system it came
     * from (customers_by_external_id) */
    [RP_Q_CUSTOMER_BY_EXTERNAL_ID] =
        "SELECT id FROM customers WHERE external_id = ?",

    /* ---- the sealed ledger ------------------------------------------- */
    /* the newest moment, by its key: max(id) reads the last row whatever
     * the statistics say (with "ORDER BY id DESC LIMIT 1" statistics
     * gathered when the table was small led the planner through an index
     * and a sort of every moment, on every append: 0.36 s at 22,000
     * moments) */
    [RP_Q_CUSTOMER_LEDGER_HEAD] = "SELECT id, chain_hash FROM moments"
                                  " WHERE id = (SELECT max(id) FROM moments)",
    [RP_Q_CUSTOMER_LEDGER_KEY] =
        "SELECT ledger_key FROM customers WHERE id = ?",
    /* appended only if no other moment came first (the id is hashed, so
     * it is chosen before the insert: the next after the head read) */
    [RP_Q_CUSTOMER_LEDGER_APPEND] =
        "INSERT INTO moments (id, customer_id, encounter_id, occurred_at,"
        " actor, channel, kind, summary, impression, detail, content_hash,"
        " chain_hash) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12"
        " WHERE coalesce((SELECT max(id) FROM moments), 0) = ?1 - 1",
    [RP_Q_CUSTOMER_LEDGER_PAGE] = "SELECT " LEDGER_COLUMNS
                                  " WHERE m.id > ?1 ORDER BY m.id LIMIT ?2",
    [RP_Q_CUSTOMER_LEDGER_UNSEALED] =
        "SELECT " LEDGER_COLUMNS
        " WHERE m.chain_hash IS NULL ORDER BY m.id LIMIT ?1",
    [RP_Q_CUSTOMER_LEDGER_BEFORE] =
        "SELECT id, chain_hash FROM moments WHERE id < ?1"
        " ORDER BY id DESC LIMIT 1",
    [RP_Q_CUSTOMER_LEDGER_SEAL] =
        "UPDATE moments SET content_hash = ?2, chain_hash = ?3"
        " WHERE id = ?1 AND chain_hash IS NULL",
    [RP_Q_CUSTOMER_LEDGER_OF_CUSTOMER] =
        "SELECT " LEDGER_COLUMNS " WHERE m.customer_id = ?1"
        " AND m.erased_at IS NULL AND m.id > ?2 ORDER BY m.id LIMIT ?3",
    [RP_Q_CUSTOMER_LEDGER_OF_ENCOUNTER] =
        "SELECT " LEDGER_COLUMNS " WHERE m.encounter_id = ?1"
        " AND m.erased_at IS NULL AND m.id > ?2 ORDER BY m.id LIMIT ?3",
    [RP_Q_CUSTOMER_LEDGER_TOMBSTONE_ENCOUNTER] =
        "UPDATE moments SET summary = ?3, detail = NULL, erased_at = ?2"
        " WHERE encounter_id = ?1 AND erased_at IS NULL",
    [RP_Q_CUSTOMER_LEDGER_TOMBSTONE] =
        "UPDATE moments SET summary = ?3, detail = NULL, erased_at = ?2"
        " WHERE customer_id = ?1 AND erased_at IS NULL",

    /* ---- privacy: settings, suppression, erasure, retention ------------ */
    [RP_Q_PRIVACY_SETTINGS_LIST] =
        "SELECT key, value, updated_at, updated_by FROM privacy_settings"
        " ORDER BY key",
    [RP_Q_PRIVACY_SETTINGS_SET] =
        "UPDATE privacy_settings SET value = ?2, updated_at = ?3,"
        " updated_by = ?4 WHERE key = ?1",
    [RP_Q_PRIVACY_SUPPRESSED] =
        "SELECT 1 AS found FROM marketing_suppressions WHERE email_hash = ?",
    [RP_Q_PRIVACY_SUPPRESS] =
        "INSERT OR IGNORE INTO marketing_suppressions (email_hash,"
        " created_at) VALUES (?, ?)",
    [RP_Q_PRIVACY_EMAILS_OF] =
        "SELECT value FROM identities WHERE customer_id = ? AND kind = 'email'"
        " ORDER BY id",
    [RP_Q_PRIVACY_OFFERS_REFUSED] =
        "SELECT 1 AS refused FROM consents WHERE customer_id = ?"
        " AND purpose = 'offers' AND granted = 0",
    [RP_Q_PRIVACY_REQUEST_PENDING] =
        "SELECT id, agent_id, requested_by, suppress_marketing"
        " FROM erasure_requests WHERE customer_id = ? AND state = 'pending'"
        " ORDER BY id LIMIT 1",
    [RP_Q_PRIVACY_REQUEST_INSERT] =
        "INSERT INTO erasure_requests (customer_id, requested_by,"
        " suppress_marketing, agent_id, state, created_at)"
        " VALUES (?, ?, ?, ?, 'pending', ?)",
    [RP_Q_PRIVACY_REQUEST_DONE] =
        "UPDATE erasure_requests SET state = 'done', approved_by = ?2,"
        " done_at = ?3 WHERE customer_id = ?1 AND state = 'pending'",
    /* what the customer's addresses left outside their own rows: mail
     * kept from them, the abuse counters of the help pages */
    [RP_Q_PRIVACY_ERASE_KEPT_MAIL] =
        "DELETE FROM kept_mail WHERE EXISTS (SELECT 1 FROM identities i"
        " WHERE i.customer_id = ?1 AND i.kind = 'email'"
        " AND instr(lower(kept_mail.from_address), i.value) > 0)",
    [RP_Q_PRIVACY_ERASE_HELP_HITS] =
        "DELETE FROM help_hits WHERE key IN (SELECT 'email:' || value"
        " FROM identities WHERE customer_id = ? AND kind = 'email')",
    [RP_Q_PRIVACY_ERASE_HELP_LINKS] =
        "DELETE FROM help_links WHERE customer_id = ?",
    [RP_Q_PRIVACY_ERASE_IDENTITIES] =
        "DELETE FROM identities WHERE customer_id = ?",
    [RP_Q_PRIVACY_ERASE_PREFERENCES] =
        "DELETE FROM preferences WHERE customer_id = ?",
    [RP_Q_PRIVACY_ERASE_GOALS] = "DELETE FROM goals WHERE customer_id = ?",
    [RP_Q_PRIVACY_ERASE_DATES] =
        "DELETE FROM important_dates WHERE customer_id = ?",
    [RP_Q_PRIVACY_ERASE_CONSENTS] =
        "DELETE FROM consents WHERE customer_id = ?",
    /* Rows the measures count keep their times, kinds and flags; their
     * text is replaced by ?2 where there was text, and lists keep their
     * length, so "was something agreed" and "how many options" stay
     * true.  ?1 the customer, ?3 now. */
    // clang-format off
    [RP_Q_PRIVACY_ERASE_ENCOUNTERS] =
        "UPDATE encounters SET subject = ?2,"
        ERASE_TEXT(request) ERASE_TEXT(goal) ERASE_TEXT(facts)
        ERASE_TEXT(feelings) ERASE_TEXT(restatement) ERASE_TEXT(agreement)
        ERASE_TEXT(no_agreement_reason) ERASE_TEXT(outcome_done)
        ERASE_TEXT(outcome_watch) ERASE_TEXT(satisfaction_skip_reason)
        ERASE_TEXT(abandon_reason) ERASE_TEXT(bridged) ERASE_TEXT(kind_reason)
        ERASE_TEXT(exchange_reason) ERASE_TEXT(first_contact_reason)
        ERASE_LIST(encounters, questions) ERASE_LIST(encounters, options)
        ERASE_LIST(encounters, preferences_captured)
        " bodies_dropped_at = coalesce(bodies_dropped_at, ?3)"
        " WHERE customer_id = ?1",
    // clang-format on
    [RP_Q_PRIVACY_ERASE_TRANSFERS] =
        "UPDATE encounter_transfers SET reason = ?2 WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_DEFECTS] =
        "UPDATE defects SET cause = ?2 WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_SPECIAL_REQUESTS] =
        "UPDATE special_requests SET" ERASE_TEXT(
            decline_reason) " description = ?2 WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_PROMISES] =
        "UPDATE promises SET what = ?2 WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_LEVELS] =
        "UPDATE relationship_levels SET"
        " reasons = (SELECT json_group_array(?2)"
        " FROM json_each(relationship_levels.reasons))"
        " WHERE customer_id = ?1",
    /* what was still to go out for the customer never will */
    [RP_Q_PRIVACY_ERASE_TASKS] =
        "UPDATE tasks SET subject = ?2, payload = '{}', last_error = NULL,"
        " status = CASE WHEN status IN ('scheduled','held','claimed')"
        " THEN 'cancelled' ELSE status END WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_SATISFACTION] =
        "UPDATE satisfaction_checks SET" ERASE_TEXT(
            comment) " token_hash = NULL WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_OFFERS] = "UPDATE offers SET" ERASE_TEXT(
        reason) " customer_id = customer_id"
                " WHERE customer_id = ?1",
    [RP_Q_PRIVACY_ERASE_MESSAGES] = "UPDATE messages SET" ERASE_TEXT(
        subject) " body = ?2, quoted = NULL, from_address = NULL, to_address = "
                 "NULL,"
                 " message_id = NULL, in_reply_to = NULL, refs = '[]',"
                 " last_error = NULL, status = CASE WHEN status IN"
                 " ('draft','queued','sending') THEN 'failed' ELSE status END,"
                 " erased_at = coalesce(erased_at, ?3) WHERE customer_id = ?1",
    [RP_Q_PRIVACY_BLOBS_OF_CUSTOMER] =
        "SELECT DISTINCT blob_id FROM attachments WHERE customer_id = ?",
    [RP_Q_PRIVACY_BLOBS_OF_ENCOUNTER] =
        "SELECT DISTINCT blob_id FROM attachments WHERE encounter_id = ?1"
        " AND created_at < ?2",
    [RP_Q_PRIVACY_ERASE_ATTACHMENTS] =
        "DELETE FROM attachments WHERE customer_id = ?",
    [RP_Q_PRIVACY_DROP_OLD_ATTACHMENTS] =
        "DELETE FROM attachments WHERE encounter_id = ?1 AND created_at < ?2",
    /* a blob is shared by every attachment with the same content */
    [RP_Q_PRIVACY_BLOB_DROP_UNUSED] =
        "DELETE FROM attachment_blobs WHERE id = ?1"
        " AND NOT EXISTS (SELECT 1 FROM attachments WHERE blob_id = ?1)",
    /* the row stays, so that what the customer did still counts; a new
     * ledger key makes the hashes of the erased content unguessable */
    [RP_Q_PRIVACY_ERASE_CUSTOMER] =
        "UPDATE customers SET name = ?2, preferred_name = NULL,"
        " emails = '[]', phones = '[]', notes = NULL, external_id = NULL,"
        " relationship_reasons = (SELECT json_group_array(?3)"
        " FROM json_each(customers.relationship_reasons)),"
        " ledger_key = lower(hex(randomblob(32))), erased_at = ?4,"
        " updated_at = ?4 WHERE id = ?1 AND erased_at IS NULL",
    /* retention: ?1 the cut-off (Unix seconds), ?2 how many */
    [RP_Q_PRIVACY_RETAIN_INACTIVE] =
        "SELECT c.id, c.name FROM customers c WHERE " RETAIN_INACTIVE
        " ORDER BY coalesce(c.active_at, c.created_at), c.id LIMIT ?2",
    [RP_Q_PRIVACY_RETAIN_INACTIVE_COUNT] =
        "SELECT count(*) AS n FROM customers c WHERE " RETAIN_INACTIVE,
    [RP_Q_PRIVACY_RETAIN_ATTACHMENTS] =
        "SELECT encounter_id, customer_id, count(*) AS n FROM attachments"
        " WHERE created_at < ?1 GROUP BY encounter_id ORDER BY encounter_id"
        " LIMIT ?2",
    [RP_Q_PRIVACY_RETAIN_ATTACHMENTS_COUNT] =
        "SELECT count(*) AS n, count(DISTINCT encounter_id) AS encounters,"
        " coalesce(sum(size), 0) AS bytes FROM attachments"
        " WHERE created_at < ?1",
    [RP_Q_PRIVACY_RETAIN_BODIES] =
        "SELECT e.id, e.customer_id FROM encounters e WHERE " RETAIN_BODIES
        " ORDER BY coalesce(e.closed_at, e.abandoned_at) LIMIT ?2",
    [RP_Q_PRIVACY_RETAIN_BODIES_COUNT] =
        "SELECT coalesce(sum(n > 0), 0) AS encounters, coalesce(sum(n), 0)"
        " AS messages FROM (SELECT (SELECT count(*) FROM messages m"
        " WHERE m.encounter_id = e.id AND m.erased_at IS NULL) AS n"
        " FROM encounters e WHERE " RETAIN_BODIES ")",
    [RP_Q_PRIVACY_DROP_BODIES] = "UPDATE messages SET" ERASE_TEXT(
        quoted) " body = ?2, erased_at = ?3 WHERE encounter_id = ?1"
                " AND erased_at IS NULL",
    [RP_Q_PRIVACY_BODIES_DROPPED] =
        "UPDATE encounters SET bodies_dropped_at = ?2 WHERE id = ?1",
    /* The follow-ups an agent has to do (due.c): scheduled or sent, due
     * before ?1, for ?2 = 'mine' (the encounter is ?3's), 'queues' (in a
     * queue ?3 belongs to) or 'all'; read through tasks_by_due. */
    [RP_Q_FOLLOWUP_DUE] =
        "SELECT t.id, t.customer_id, t.encounter_id, t.kind, t.channel,"
        " t.subject, t.due_at AS due_at, t.status, t.attempts, t.last_error,"
        " e.agent_id, e.queue_id, c.name AS customer_name,"
        " c.preferred_name AS customer_preferred_name"
        " FROM tasks t LEFT JOIN encounters e ON e.id = t.encounter_id"
        " JOIN customers c ON c.id = t.customer_id"
        " WHERE t.status IN ('scheduled', 'sent') AND t.kind = 'follow_up'"
        " AND t.due_at < ?1 AND t.id > ?4"
        " AND (?2 = 'all' OR (?2 = 'mine' AND e.agent_id = ?3)"
        "   OR (?2 = 'queues' AND e.queue_id IN"
        "     (SELECT queue_id FROM queue_members WHERE agent_id = ?3)))"
        " ORDER BY t.id LIMIT ?5",
    /* A failed or held task back to the schedule, tried afresh. */
    [RP_Q_FOLLOWUP_TASK_RETRY] =
        "UPDATE tasks SET status = 'scheduled', attempts = 0,"
        " next_attempt_at = NULL, last_error = NULL, claimed_by = NULL,"
        " claimed_at = NULL, due_at = max(due_at, ?2)"
        " WHERE id = ?1 AND status IN ('failed', 'held')",

    /* ---- the read path: searches from their indexes ------------------ */
    /* Customers whose name, preferred name or email addresses hold ?1 (an
     * FTS5 string: the text in double quotes), from the trigram index
     * (customers_fts), in id order after ?2, ?3 of them. */
    [RP_Q_CUSTOMER_SEARCH] =
        "SELECT c.id, c.name, c.preferred_name, c.emails AS emails__json,"
        " c.phones AS phones__json, c.notes, c.created_at, c.updated_at,"
        " c.relationship_level,"
        " c.relationship_reasons AS relationship_reasons__json,"
        " c.unconfirmed AS unconfirmed__bool, c.external_id, c.erased_at,"
        " c.merged_into"
        " FROM customers c WHERE c.id IN (SELECT rowid FROM customers_fts"
        "  WHERE customers_fts MATCH ?1 AND rowid > ?2 ORDER BY rowid"
        "  LIMIT ?3)"
        " ORDER BY c.id",
    /* ---- least privilege in figures, searches and export requests ---- */
    /* an export request hands out the customer's whole data: it is seen
     * through its customer, not the encounter it was asked from */
    [RP_Q_STAFF_OWNER_OF_EXPORT_REQUEST] =
        "SELECT NULL AS encounter_id, customer_id FROM export_requests"
        " WHERE id = ?",
    /* the queues an agent's figures count: the open ones and their own
     * (queue_members_by_agent); the queues table is the desk's few */
    [RP_Q_STAFF_QUEUES_VISIBLE] =
        "SELECT id AS queue_id FROM queues WHERE restricted = 0"
        " UNION SELECT queue_id FROM queue_members WHERE agent_id = ?1"
        " ORDER BY queue_id",
    /* the relationship levels of the customers of some queues (?1, a JSON
     * array; 0 is no queue), as MEASURES_LEVELS counts them for the desk:
     * the levels index read once, each customer's encounters probed by
     * encounters_by_customer_queue */
    [RP_Q_MEASURES_LEVELS_IN_QUEUES] =
        "SELECT c.relationship_level AS level, count(*) AS n FROM customers c"
        " WHERE EXISTS (SELECT 1 FROM encounters e WHERE e.customer_id = c.id"
        "   AND coalesce(e.queue_id, 0) IN (SELECT value FROM json_each(?1)))"
        " GROUP BY c.relationship_level",
    /* ---- merging customers, and their possible duplicates ------------ */
    /* the customers merged into ?1 (customers_merged_into) */
    [RP_Q_CUSTOMER_ALIASES] =
        "SELECT id FROM customers WHERE merged_into = ?1 ORDER BY id",
    /* other live customers with an identity of the same match key as one
     * of ?1's (identities_by_customer, then identities_by_match_key) */
    [RP_Q_CUSTOMER_DUPLICATES] =
        "SELECT o.customer_id, c.name, c.preferred_name, o.kind, o.value,"
        " m.value AS own_value FROM identities m"
        " JOIN identities o ON o.kind = m.kind AND o.match_key = m.match_key"
        " AND o.customer_id <> m.customer_id"
        " JOIN customers c ON c.id = o.customer_id"
        " WHERE m.customer_id = ?1 AND c.erased_at IS NULL"
        " AND c.merged_into IS NULL ORDER BY o.customer_id, o.id LIMIT 200",
    [RP_Q_CUSTOMER_MERGE_ERASURE_PENDING] =
        "SELECT id FROM erasure_requests WHERE customer_id = ?1"
        " AND state = 'pending' LIMIT 1",
    /* of two preferences with one key, the one changed earlier (the kept
     * customer's on a tie) gives way */
    [RP_Q_CUSTOMER_MERGE_PREFERENCES_SUPERSEDED] =
        "SELECT p.id, p.customer_id, p.key, p.value, p.firmness,"
        " p.updated_at FROM preferences p JOIN preferences q"
        " ON q.key = p.key AND q.customer_id = CASE p.customer_id"
        " WHEN ?1 THEN ?2 ELSE ?1 END"
        " WHERE p.customer_id IN (?1, ?2) AND (p.updated_at < q.updated_at"
        " OR (p.updated_at = q.updated_at AND p.customer_id = ?2))",
    /* of two decisions on one purpose, the later one stands */
    [RP_Q_CUSTOMER_MERGE_CONSENTS_SUPERSEDED] =
        "SELECT p.id, p.customer_id, p.purpose, p.granted AS granted__bool,"
        " p.decided_at, p.source FROM consents p JOIN consents q"
        " ON q.purpose = p.purpose AND q.customer_id = CASE p.customer_id"
        " WHEN ?1 THEN ?2 ELSE ?1 END"
        " WHERE p.customer_id IN (?1, ?2) AND (p.decided_at < q.decided_at"
        " OR (p.decided_at = q.decided_at AND p.customer_id = ?2))",
    /* the aliases of the customer merged away follow it */
    [RP_Q_CUSTOMER_MERGE_REPOINT] =
        "UPDATE customers SET merged_into = ?1 WHERE merged_into = ?2",
    [RP_Q_CUSTOMER_MERGE_ENCOUNTERS] =
        "UPDATE encounters SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_ENCOUNTER_TRANSFERS] =
        "UPDATE encounter_transfers SET customer_id = ?1 WHERE customer_id = "
        "?2",
    [RP_Q_CUSTOMER_MERGE_DEFECTS] =
        "UPDATE defects SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_SPECIAL_REQUESTS] =
        "UPDATE special_requests SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_PROMISES] =
        "UPDATE promises SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_RELATIONSHIP_LEVELS] =
        "UPDATE relationship_levels SET customer_id = ?1 WHERE customer_id = "
        "?2",
    [RP_Q_CUSTOMER_MERGE_TASKS] =
        "UPDATE tasks SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_SATISFACTION_CHECKS] =
        "UPDATE satisfaction_checks SET customer_id = ?1 WHERE customer_id = "
        "?2",
    [RP_Q_CUSTOMER_MERGE_PREFERENCES] =
        "UPDATE preferences SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_GOALS] =
        "UPDATE goals SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_IMPORTANT_DATES] =
        "UPDATE important_dates SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_CONSENTS] =
        "UPDATE consents SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_OFFERS] =
        "UPDATE offers SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_IDENTITIES] =
        "UPDATE identities SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_MESSAGES] =
        "UPDATE messages SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_ATTACHMENTS] =
        "UPDATE attachments SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_HELP_LINKS] =
        "UPDATE help_links SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_EXPORT_REQUESTS] =
        "UPDATE export_requests SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_ERASURE_REQUESTS] =
        "UPDATE erasure_requests SET customer_id = ?1 WHERE customer_id = ?2",
    [RP_Q_CUSTOMER_MERGE_CHARTER_BREACHES] =
        "UPDATE charter_breaches SET customer_id = ?1 WHERE customer_id = ?2",
    /* ---- measures: the sweep of the charter's breaches (sweep.c) ---- */
    /* What is due to be looked at: a range of charter_watch_due. */
    [RP_Q_MEASURES_SWEEP_DUE] =
        "SELECT encounter_id AS id FROM charter_watch WHERE next_at <= ?1"
        " ORDER BY next_at LIMIT ?2",
    /* One watched encounter still due, read again inside the write
     * transaction: another sweep may have judged it since the look. */
    [RP_Q_MEASURES_SWEEP_LOOK] =
        "SELECT e.id, e.customer_id, e.queue_id, e.created_at, e.arrived_at,"
        " e.acknowledged_at, e.first_response_at, e.closed_at, e.abandoned_at"
        " FROM charter_watch w JOIN encounters e ON e.id = w.encounter_id"
        " WHERE w.encounter_id = ?1 AND w.next_at <= ?2",
    /* No row back when the breach was recorded before: it is not sent
     * again. */
    [RP_Q_MEASURES_SWEEP_RECORD] =
        "INSERT OR IGNORE INTO charter_breaches (encounter_id, customer_id,"
        " target, target_seconds, due_at, breached_at, judged_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
    [RP_Q_MEASURES_SWEEP_NEXT] =
        "UPDATE charter_watch SET next_at = ?2 WHERE encounter_id = ?1",
    [RP_Q_MEASURES_SWEEP_DONE] =
        "DELETE FROM charter_watch WHERE encounter_id = ?1",
    /* A changed charter moves every deadline: look at each again now. */
    [RP_Q_MEASURES_SWEEP_AGAIN] =
        "UPDATE charter_watch SET next_at = ?1 WHERE next_at > ?1",
    [RP_Q_MEASURES_SWEEP_BREACHES_OF] =
        "SELECT id, encounter_id, customer_id, target, target_seconds,"
        " due_at, breached_at, judged_at FROM charter_breaches"
        " WHERE encounter_id = ?1 ORDER BY id",
    /* the customer's copy of their data (export.c) */
    [RP_Q_MEASURES_SWEEP_BREACHES_OF_CUSTOMER] =
        "SELECT id, encounter_id, customer_id, target, target_seconds,"
        " due_at, breached_at, judged_at FROM charter_breaches"
        " WHERE customer_id = ?1 ORDER BY id",
    /* ---- measures: the charter's versions and calendar ---- */
    [RP_Q_MEASURES_CHARTER_VERSION_ADD] =
        "INSERT INTO charter_versions (starts_at, acknowledge_minutes,"
        " first_response_minutes, resolution_hours, follow_up_on_time,"
        " created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    /* the version in force at ?1: the newest that started by then */
    [RP_Q_MEASURES_CHARTER_VERSION_AT] =
        "SELECT id, starts_at, acknowledge_minutes, first_response_minutes,"
        " resolution_hours, follow_up_on_time, created_by"
        " FROM charter_versions WHERE starts_at <= ?1"
        " ORDER BY starts_at DESC, id DESC LIMIT 1",
    [RP_Q_MEASURES_CHARTER_VERSIONS] =
        "SELECT id, starts_at, acknowledge_minutes, first_response_minutes,"
        " resolution_hours, follow_up_on_time, created_by"
        " FROM charter_versions ORDER BY starts_at DESC, id DESC LIMIT ?1",
    [RP_Q_MEASURES_HOURS_GET] =
        "SELECT queue_id, time_zone, intervals AS intervals__json, updated_at,"
        " updated_by FROM business_hours WHERE queue_id = ?1",
    [RP_Q_MEASURES_HOURS_SET] =
        "INSERT INTO business_hours (queue_id, time_zone, intervals,"
        " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT (queue_id) DO UPDATE SET time_zone = excluded.time_zone,"
        " intervals = excluded.intervals, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by",
    [RP_Q_MEASURES_HOURS_CLEAR] =
        "DELETE FROM business_hours WHERE queue_id = ?1",
    [RP_Q_MEASURES_HOLIDAYS_OF_QUEUE] =
        "SELECT day AS date, name FROM holidays WHERE queue_id = ?1"
        " ORDER BY day",
    [RP_Q_MEASURES_HOLIDAYS_OF_DESK] =
        "SELECT day AS date, name FROM holidays WHERE queue_id IS NULL"
        " ORDER BY day",
    [RP_Q_MEASURES_HOLIDAYS_CLEAR_QUEUE] =
        "DELETE FROM holidays WHERE queue_id = ?1",
    [RP_Q_MEASURES_HOLIDAYS_CLEAR_DESK] =
        "DELETE FROM holidays WHERE queue_id IS NULL",
    [RP_Q_MEASURES_HOLIDAY_ADD] =
        "INSERT INTO holidays (queue_id, day, name) VALUES (?1, ?2, ?3)",
    [RP_Q_MEASURES_DEADLINES_GET] =
        "SELECT d.encounter_id, d.version_id, d.business_hours AS"
        " business_hours__bool, d.acknowledge_due_at, d.first_response_due_at,"
        " d.resolution_due_at FROM charter_deadlines d WHERE d.encounter_id = "
        "?1",
    /* computed once: a second sweep that computed them too keeps the first */
    [RP_Q_MEASURES_DEADLINES_SET] =
        "INSERT INTO charter_deadlines (encounter_id, version_id,"
        " business_hours, acknowledge_due_at, first_response_due_at,"
        " resolution_due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT (encounter_id) DO NOTHING",

/* ---- the work lists (core/encounter/worklist.c) --------------------
 * Each list query binds the same filters: ?1 state (open, closed or
 * all), ?2 queue (0: none), ?3 agent (0: none), ?4 stage, ?5 channel,
 * ?6 kind, ?7 exchange, ?8 over a target (1) with ?9, ?10, ?11 the
 * times before which an encounter misses the acknowledge, first
 * response and resolution targets, ?12 text (an FTS5 string), ?13
 * customer; NULL is any.  ?14 is the page size; the cursor follows.
 * Open lists walk a partial index of the open encounters only, the
 * closed list one of the finished ones; the WHERE repeats each
 * index's condition word for word.  LEFT JOINs keep the encounter the
 * outer loop.  They answer ids in order with the names to show; the
 * rows themselves are read by id. */
#define WL_SELECT                                                              \
    "SELECT e.id, c.name AS customer_name,"                                    \
    " c.preferred_name AS customer_preferred_name, q.name AS queue_name,"      \
    " a.name AS agent_name FROM encounters e"                                  \
    " LEFT JOIN customers c ON c.id = e.customer_id"                           \
    " LEFT JOIN queues q ON q.id = e.queue_id"                                 \
    " LEFT JOIN agents a ON a.id = e.agent_id"
#define WL_FILTER                                                              \
    " AND (?1 = 'all' OR (?1 = 'open' AND e.stage NOT IN"                      \
    "  ('closed','abandoned')) OR (?1 = 'closed' AND e.stage IN"               \
    "  ('closed','abandoned')))"                                               \
    " AND (?2 IS NULL OR coalesce(e.queue_id, 0) = ?2)"                        \
    " AND (?3 IS NULL OR coalesce(e.agent_id, 0) = ?3)"                        \
    " AND (?4 IS NULL OR e.stage = ?4)"                                        \
    " AND (?5 IS NULL OR e.channel = ?5)"                                      \
    " AND (?6 IS NULL OR e.kind = ?6)"                                         \
    " AND (?7 IS NULL OR e.exchange = ?7)"                                     \
    " AND (?8 IS NULL OR (e.stage NOT IN ('closed','abandoned') AND"           \
    "  ((e.acknowledged_at IS NULL AND e.arrived_at < ?9)"                     \
    "  OR (e.first_response_at IS NULL AND e.arrived_at < ?10)"                \
    "  OR e.arrived_at < ?11)))"                                               \
    " AND (?12 IS NULL OR e.id IN (SELECT rowid FROM encounters_fts"           \
    "  WHERE encounters_fts MATCH ?12) OR e.customer_id IN"                    \
    "  (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?12))"       \
    " AND (?13 IS NULL OR e.customer_id = ?13)"
    /* longest waiting first (from the customer's arrival); ?15, ?16 the
     * arrival and id of the last row of the page before.  The page is
     * read in the order of the index and stops after ?14 rows, never
     * sorted: the plain bound on arrived_at beside the row value is what
     * keeps SQLite from reading every open encounter into a sorter when
     * its statistics say the index is small (stale, taken when the desk
     * had a handful of open encounters: 23 ms a page at 5,000 open
     * instead of a fraction of one); unit_test_query_plans checks it */
    [RP_Q_ENCOUNTER_WORKLIST_OPEN_WAITING] =
        "SELECT e.id, c.name AS customer_name, q.name AS queue_name,"
        " a.name AS agent_name FROM encounters e"
        " INDEXED BY encounters_open_by_arrived"
        " LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN queues q ON q.id = e.queue_id"
        " LEFT JOIN agents a ON a.id = e.agent_id"
        " WHERE e.stage NOT IN ('closed','abandoned')" WL_FILTER
        " AND e.arrived_at >= ?15 AND (e.arrived_at, e.id) > (?15, ?16)"
        " ORDER BY e.arrived_at, e.id LIMIT ?14",
    /* one queue's open work (?2, a queue or 0 for none), longest waiting
     * first: that queue's range of encounters_open_by_queue, in waiting
     * order within a queue, so a page reads its rows and stops however
     * much the queue or the desk holds open (walking all the open work
     * in waiting order to find one queue's reads every open row of the
     * other queues first); ?15, ?16 as above */
    [RP_Q_ENCOUNTER_WORKLIST_QUEUE_WAITING] =
        "SELECT e.id, c.name AS customer_name, q.name AS queue_name,"
        " a.name AS agent_name FROM encounters e"
        " INDEXED BY encounters_open_by_queue"
        " LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN queues q ON q.id = e.queue_id"
        " LEFT JOIN agents a ON a.id = e.agent_id"
        " WHERE e.queue_id IS nullif(?2, 0)"
        " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
        " AND e.arrived_at >= ?15 AND (e.arrived_at, e.id) > (?15, ?16)"
        " ORDER BY e.arrived_at, e.id LIMIT ?14",
    /* one queue's open work, latest activity first (the queue's range of
     * encounters_open_by_queue_updated); ?15, ?16 the updated time and
     * id */
    [RP_Q_ENCOUNTER_WORKLIST_QUEUE_ACTIVITY] =
        "SELECT e.id, c.name AS customer_name, q.name AS queue_name,"
        " a.name AS agent_name FROM encounters e"
        " INDEXED BY encounters_open_by_queue_updated"
        " LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN queues q ON q.id = e.queue_id"
        " LEFT JOIN agents a ON a.id = e.agent_id"
        " WHERE e.queue_id IS nullif(?2, 0)"
        " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
        " AND e.updated_at <= ?15 AND (e.updated_at, e.id) < (?15, ?16)"
        " ORDER BY e.updated_at DESC, e.id DESC LIMIT ?14",
    /* one agent's open work (?3, an agent), longest waiting first: that
     * agent's entries of the partial index encounters_open_by_agent,
     * sorted (an agent holds tens, the desk thousands; walking the open
     * work in waiting order to find them read all 10,000 open rows for an
     * agent who holds none); ?15, ?16 as above */
    [RP_Q_ENCOUNTER_WORKLIST_AGENT_WAITING] =
        "SELECT e.id, c.name AS customer_name,"
        " c.preferred_name AS customer_preferred_name, q.name AS queue_name,"
        " a.name AS agent_name FROM encounters e"
        " INDEXED BY encounters_open_by_agent"
        " LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN queues q ON q.id = e.queue_id"
        " LEFT JOIN agents a ON a.id = e.agent_id"
        " WHERE e.agent_id = ?3"
        " AND e.stage NOT IN ('closed','abandoned')" WL_FILTER
        " AND (e.arrived_at, e.id) > (?15, ?16)"
        " ORDER BY e.arrived_at, e.id LIMIT ?14",
    /* latest activity first; ?15, ?16 the updated time and id (the
     * plain bound as in the waiting order above) */
    [RP_Q_ENCOUNTER_WORKLIST_OPEN_ACTIVITY] =
        "SELECT e.id, c.name AS customer_name, q.name AS queue_name,"
        " a.name AS agent_name FROM encounters e"
        " INDEXED BY encounters_open_by_updated"
        " LEFT JOIN customers c ON c.id = e.customer_id"
        " LEFT JOIN queues q ON q.id = e.queue_id"
        " LEFT JOIN agents a ON a.id = e.agent_id"
        " WHERE e.stage NOT IN ('closed','abandoned')" WL_FILTER
        " AND e.updated_at <= ?15 AND (e.updated_at, e.id) < (?15, ?16)"
        " ORDER BY e.updated_at DESC, e.id DESC LIMIT ?14",
    [RP_Q_ENCOUNTER_WORKLIST_CLOSED_ACTIVITY] = WL_SELECT
    " WHERE e.stage IN ('closed','abandoned')" WL_FILTER
    " AND (e.updated_at, e.id) < (?15, ?16)"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT ?14",
    /* newest first, by id below ?15 */
    [RP_Q_ENCOUNTER_WORKLIST_NEWEST] = WL_SELECT
    " WHERE e.id < ?15" WL_FILTER " ORDER BY e.id DESC LIMIT ?14",
    /* one customer's, newest first (encounters_by_customer) */
    [RP_Q_ENCOUNTER_WORKLIST_CUSTOMER] = WL_SELECT
    " WHERE e.customer_id = ?13 AND e.id < ?15" WL_FILTER
    " ORDER BY e.id DESC LIMIT ?14",
/* found by text: the subjects' and the customers' trigram indexes
 * give the rows, sorted by ?15 (waiting, activity or newest) after
 * the key ?16 and id ?17 */
#define WL_SEARCH_KEY                                                          \
    " CASE ?15 WHEN 'waiting' THEN e.arrived_at WHEN 'activity'"               \
    " THEN -e.updated_at ELSE -e.id END"
    [RP_Q_ENCOUNTER_WORKLIST_SEARCH] = WL_SELECT
    " WHERE e.id IN (SELECT rowid FROM encounters_fts"
    "  WHERE encounters_fts MATCH ?12 UNION SELECT x.id FROM encounters x"
    "  WHERE x.customer_id IN (SELECT rowid FROM customers_fts"
    "  WHERE customers_fts MATCH ?12))" WL_FILTER " AND (" WL_SEARCH_KEY
    ", e.id) > (?16, ?17)"
    " ORDER BY" WL_SEARCH_KEY ", e.id LIMIT ?14",
    /* the sort keys of the row a cursor names (integers: no _at) */
    [RP_Q_ENCOUNTER_WORKLIST_KEY] =
        "SELECT arrived_at AS arrived, updated_at AS updated FROM encounters"
        " WHERE id = ?1",
    /* the open work per queue: open, unassigned, ?1's, over a target
     * (?2, ?3, ?4 as ?9, ?10, ?11 above); one walk of
     * encounters_open_by_queue, named: migration 104 made that index
     * anew, which drops its statistics, and without them SQLite walked
     * the open work in waiting order and grouped it in a temporary
     * B-tree */
    [RP_Q_ENCOUNTER_WORKLIST_COUNTS] =
        "SELECT e.queue_id, count(*) AS open,"
        " coalesce(sum(e.agent_id IS NULL), 0) AS unassigned,"
        " coalesce(sum(e.agent_id = ?1), 0) AS mine,"
        " coalesce(sum((e.acknowledged_at IS NULL AND e.arrived_at < ?2)"
        "  OR (e.first_response_at IS NULL AND e.arrived_at < ?3)"
        "  OR e.arrived_at < ?4), 0) AS over_target"
        " FROM encounters e INDEXED BY encounters_open_by_queue"
        " WHERE e.stage NOT IN ('closed','abandoned')"
        " GROUP BY e.queue_id",
    /* the encounters finished with activity since ?1, per queue: a range
     * of the covering partial index encounters_finished_by_updated,
     * named, because SQLite otherwise takes encounters_by_stage for the
     * stage IN (...) and reads every finished encounter's row (200 ms
     * and more at 30,000 finished, growing with the history) */
    [RP_Q_ENCOUNTER_WORKLIST_CLOSED_COUNTS] =
        "SELECT e.queue_id, count(*) AS n FROM encounters e"
        " INDEXED BY encounters_finished_by_updated"
        " WHERE e.stage IN ('closed','abandoned') AND e.updated_at >= ?1"
        " GROUP BY e.queue_id",
    /* the latest change to an open and to a finished encounter: what a
     * console polls to know its lists are stale */
    [RP_Q_ENCOUNTER_WORKLIST_CHANGED] =
        "SELECT (SELECT e.updated_at FROM encounters e"
        "  WHERE e.stage NOT IN ('closed','abandoned')"
        "  ORDER BY e.updated_at DESC LIMIT 1) AS open_changed,"
        " (SELECT e.updated_at FROM encounters e"
        "  WHERE e.stage IN ('closed','abandoned')"
        "  ORDER BY e.updated_at DESC LIMIT 1) AS closed_changed",
    /* taking and assigning in a window (the window's parameters) */
    [RP_Q_MEASURES_OWNERSHIP] =
        "SELECT coalesce(sum(e.takes), 0) AS takes,"
        " coalesce(sum(e.assignments), 0) AS assignments,"
        " coalesce(sum(e.reassignments), 0) AS reassignments"
        " FROM encounters e WHERE" M_ENC_WINDOW,
    /* ---- followup: the scheduler's rules, one bounded batch a statement.
     * Each batch is an INSERT OR IGNORE on the UNIQUE idempotency_key (so
     * a rule can run any number of times), then the mark that takes the
     * same rows out of the index the batch was read from; the two run in
     * one short transaction.  ORDER BY follows the index, so a batch reads
     * only its own rows. ---- */
    /* ?1 the date's kind, ?2 the task's kind, ?3 the subject's start,
     * ?4 how long before the date it is due, ?5 the key's start, ?6 now,
     * ?7 how many: reminders and renewal notices of dates still to come
     * whose time has no task yet (important_dates_untasked) */
    [RP_Q_FOLLOWUP_DATES_BATCH] =
        "INSERT OR IGNORE INTO tasks (customer_id, kind, purpose, subject,"
        " payload, due_at, status, idempotency_key, created_by, created_at)"
        " SELECT d.customer_id, ?2, 'reminders', ?3 || d.title,"
        " json_object('date_id', d.id), d.at - ?4, 'scheduled',"
        " ?5 || d.id || ':' || d.at, 'scheduler', ?6"
        " FROM important_dates d WHERE d.kind = ?1 AND d.at > ?6"
        " AND d.tasked_for IS NOT d.at ORDER BY d.at, d.id LIMIT ?7",
    /* ?1 kind, ?2 now, ?3 how many: the same dates, marked as tasked */
    [RP_Q_FOLLOWUP_DATES_MARK] =
        "UPDATE important_dates SET tasked_for = at WHERE id IN"
        " (SELECT d.id FROM important_dates d WHERE d.kind = ?1"
        " AND d.at > ?2 AND d.tasked_for IS NOT d.at"
        " ORDER BY d.at, d.id LIMIT ?3)",
    /* ?1 level, ?2 the cut-off (now less the level's cadence), ?3 now,
     * ?4 the cadence in days, ?5 how many: customers of a level whose last
     * contact is older than the cadence and who were not asked about since
     * (customers_keep_in_touch) */
    [RP_Q_FOLLOWUP_KEEP_IN_TOUCH_BATCH] =
        "INSERT OR IGNORE INTO tasks (customer_id, kind, purpose, subject,"
        " payload, due_at, status, idempotency_key, created_by, created_at)"
        " SELECT c.id, 'keep_in_touch', 'reminders', 'Keeping in touch',"
        " json_object('last_contact', coalesce(c.contact_at, c.created_at),"
        " 'cadence_days', ?4), ?3, 'scheduled', 'keep_in_touch:customer:'"
        " || c.id || ':' || coalesce(c.contact_at, c.created_at),"
        " 'scheduler', ?3 FROM customers c WHERE c.relationship_level = ?1"
        " AND coalesce(c.contact_at, c.created_at) <= ?2"
        " AND c.erased_at IS NULL AND c.merged_into IS NULL"
        " AND c.kept_in_touch_for IS NOT coalesce(c.contact_at, c.created_at)"
        " ORDER BY coalesce(c.contact_at, c.created_at), c.id LIMIT ?5",
    /* ?1 level, ?2 the cut-off, ?3 how many: the same customers, marked */
    [RP_Q_FOLLOWUP_KEEP_IN_TOUCH_MARK] =
        "UPDATE customers SET kept_in_touch_for = coalesce(contact_at,"
        " created_at) WHERE id IN (SELECT c.id FROM customers c"
        " WHERE c.relationship_level = ?1"
        " AND coalesce(c.contact_at, c.created_at) <= ?2"
        " AND c.erased_at IS NULL AND c.merged_into IS NULL"
        " AND c.kept_in_touch_for IS NOT coalesce(c.contact_at, c.created_at)"
        " ORDER BY coalesce(c.contact_at, c.created_at), c.id LIMIT ?3)",
    /* ?1 from (the oldest close still asked about), ?2 and ?3 the close
     * time and id the rule saw last, ?4 up to, ?5 how many: the next
     * encounters closed, in the order of encounters_by_closed; "closed",
     * not "closed_at", so that the time comes back as a number */
    [RP_Q_FOLLOWUP_CLOSED_AFTER] =
        "SELECT id, closed_at AS closed FROM encounters"
        " WHERE closed_at >= ?1 AND closed_at <= ?4"
        " AND (closed_at > ?2 OR id > ?3) ORDER BY closed_at, id LIMIT ?5",
    /* ?1 how long after the close it is due, ?2 now, ?3 the encounter:
     * its check, if it is closed with none checked or scheduled and no
     * reason to skip (one statement per encounter of the batch, each read
     * by its key, whatever the planner thinks of the stages) */
    [RP_Q_FOLLOWUP_SATISFACTION_ONE] =
        "INSERT OR IGNORE INTO tasks (customer_id, encounter_id, kind, purpose,"
        " subject, payload, due_at, status, idempotency_key, created_by,"
        " created_at)"
        " SELECT e.customer_id, e.id, 'satisfaction_check', 'service',"
        " 'How did we do? ' || e.subject, json_object('encounter_id', e.id),"
        " e.closed_at + ?1, 'scheduled', 'satisfaction:encounter:' || e.id,"
        " 'scheduler', ?2 FROM encounters e WHERE e.id = ?3"
        " AND e.stage = 'closed' AND e.satisfaction_skip_reason IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.encounter_id = e.id"
        "   AND t.kind = 'satisfaction_check')"
        " AND NOT EXISTS (SELECT 1 FROM satisfaction_checks c"
        "   WHERE c.customer_id = e.customer_id AND c.encounter_id = e.id)",
    /* ?1 the rule */
    [RP_Q_FOLLOWUP_CURSOR_GET] =
        "SELECT at AS position, id FROM scheduler_cursors WHERE rule = ?1",
    /* ?1 the rule, ?2 the time, ?3 the id */
    [RP_Q_FOLLOWUP_CURSOR_PUT] =
        "INSERT INTO scheduler_cursors (rule, at, id) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (rule) DO UPDATE SET at = excluded.at,"
        " id = excluded.id",
    /* ---- the rollups of the service metrics (rollup.c).  ?1 ?2 the
     * first day and the day after the last (UTC days since the epoch) of
     * the whole days, or the times of a partial day; ?3 ?4 as M_ENC_FILTER
     * (queues and agent). ---- */
    [RP_Q_MEASURES_ROLLUP_SUMS] =
        "SELECT"
        " coalesce(sum(encounters), 0) AS encounters,"
        " coalesce(sum(closed), 0) AS closed,"
        " coalesce(sum(abandoned), 0) AS abandoned,"
        " coalesce(sum(fcr_resolved), 0) AS fcr_resolved,"
        " coalesce(sum(fcr_unknown), 0) AS fcr_unknown,"
        " coalesce(sum(waiting), 0) AS waiting,"
        " coalesce(sum(transfers), 0) AS transfers,"
        " coalesce(sum(transferred), 0) AS transferred,"
        " coalesce(sum(apologies_owed), 0) AS apologies_owed,"
        " coalesce(sum(apologies_given), 0) AS apologies_given,"
        " coalesce(sum(apologies_missing), 0) AS apologies_missing,"
        " coalesce(sum(takes), 0) AS takes,"
        " coalesce(sum(assignments), 0) AS assignments,"
        " coalesce(sum(reassignments), 0) AS reassignments,"
        " coalesce(sum(waits), 0) AS waits,"
        " coalesce(sum(wait_sum), 0) AS wait_sum,"
        " max(wait_max) AS wait_max FROM measure_days"
        " WHERE day >= ?1 AND day < ?2 AND" RU_FILTER,
    /* without a queue or agent from the day's totals (migration 113): a
     * few hundred rows a day whatever the queues and agents */
    [RP_Q_MEASURES_ROLLUP_COUNTS] =
        "SELECT kind, key, sum(n) AS n FROM measure_day_totals"
        " WHERE ?3 IS NULL AND ?4 IS NULL AND day >= ?1 AND day < ?2"
        " GROUP BY kind, key"
        " UNION ALL SELECT kind, key, sum(n) AS n FROM measure_day_counts"
        " WHERE NOT (?3 IS NULL AND ?4 IS NULL) AND day >= ?1 AND day < ?2"
        " AND" RU_FILTER " GROUP BY kind, key",
    /* the same figures of the encounters received in [?1, ?2): the partial
     * days at a window's edges (an index range of at most a day each) */
    [RP_Q_MEASURES_EDGE_SUMS] = "SELECT " RU_SUMS
                                " FROM encounters e WHERE" M_ENC_WINDOW,
    // clang-format off
    [RP_Q_MEASURES_EDGE_COUNTS] =
        "SELECT 'channel' AS kind, e.channel AS key, count(*) AS n"
        " FROM encounters e WHERE" M_ENC_WINDOW " GROUP BY e.channel"
        " UNION ALL SELECT 'wait', CAST(" RU_BUCKET(RU_WAIT("e")) " AS TEXT),"
        " count(*) FROM encounters e WHERE" M_ENC_WINDOW
        " AND " RU_WAIT("e") " IS NOT NULL GROUP BY 2",
    /* per queue (0: in no queue): encounters, abandoned and the waits'
     * histogram, of the whole days and of the partial days at the edges */
    [RP_Q_MEASURES_ROLLUP_QUEUES] =
        "SELECT queue_id, sum(encounters) AS encounters,"
        " sum(abandoned) AS abandoned FROM measure_days"
        " WHERE day >= ?1 AND day < ?2 AND" RU_FILTER " GROUP BY queue_id",
    [RP_Q_MEASURES_ROLLUP_QUEUE_WAITS] =
        "SELECT queue_id, key, sum(n) AS n FROM measure_day_counts"
        " WHERE day >= ?1 AND day < ?2 AND" RU_FILTER " AND kind = 'wait'"
        " GROUP BY queue_id, key",
    [RP_Q_MEASURES_EDGE_QUEUES] =
        "SELECT coalesce(e.queue_id, 0) AS queue_id, count(*) AS encounters,"
        " coalesce(sum(e.abandoned_at IS NOT NULL), 0) AS abandoned"
        " FROM encounters e WHERE" M_ENC_WINDOW " GROUP BY 1",
    [RP_Q_MEASURES_EDGE_QUEUE_WAITS] =
        "SELECT coalesce(e.queue_id, 0) AS queue_id,"
        " CAST(" RU_BUCKET(RU_WAIT("e")) " AS TEXT) AS key, count(*) AS n"
        " FROM encounters e WHERE" M_ENC_WINDOW
        " AND " RU_WAIT("e") " IS NOT NULL GROUP BY 1, 2",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_LEVELS] =
        "SELECT level, n FROM measure_levels ORDER BY level",
    /* the rebuild from the records (`rapport report --rebuild`), in one
     * transaction: one grouped pass over encounters and customers */
    [RP_Q_MEASURES_ROLLUP_CLEAR_DAYS] = "DELETE FROM measure_days",
    [RP_Q_MEASURES_ROLLUP_CLEAR_COUNTS] = "DELETE FROM measure_day_counts",
    [RP_Q_MEASURES_ROLLUP_CLEAR_LEVELS] = "DELETE FROM measure_levels",
    [RP_Q_MEASURES_ROLLUP_FILL_DAYS] = RU_FILL_DAYS,
    [RP_Q_MEASURES_ROLLUP_FILL_CHANNELS] = RU_FILL_CHANNELS,
    [RP_Q_MEASURES_ROLLUP_FILL_WAITS] = RU_FILL_WAITS,
    [RP_Q_MEASURES_ROLLUP_FILL_LEVELS] = RU_FILL_LEVELS,
    /* The charter's breaches (rollup.c, rp_rollup_breaches): those for
     * good of the whole days from measure_breaches, those of the partial
     * days at the edges from their encounters (at most a day each), by
     * the same conditions the triggers count with. */
    [RP_Q_MEASURES_ROLLUP_BREACHES] =
        "SELECT target, sum(n) AS n FROM measure_breaches"
        " WHERE day >= ?1 AND day < ?2 AND" RU_FILTER " GROUP BY target",
    // clang-format off
    [RP_Q_MEASURES_EDGE_BREACHES] =
        "SELECT"
        " coalesce(sum(" RB_ACK_OF("e", "d.acknowledge_due_at") "), 0)"
        "   AS acknowledge,"
        " coalesce(sum(" RB_FIRST_OF("e", "d.first_response_due_at") "), 0)"
        "   AS first_response,"
        " coalesce(sum(" RB_RES_OF("e", "d.resolution_due_at") "), 0)"
        "   AS resolution"
        " FROM encounters e LEFT JOIN charter_deadlines d"
        " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW,
    // clang-format on
    /* What depends on the time of reading ?5: the targets of the
     * encounters of the window not ended, whose clocks still run (the
     * partial index encounters_unended_by_created: the open work, not the
     * history), judged as M_BREACHES judges them; and the promises and
     * follow-ups due in the window (M_FOLLOW_UPS_LATE). */
    [RP_Q_MEASURES_BREACHES_NOW] =
        "SELECT o.acknowledge, o.first_response, o.resolution,"
        " " M_FOLLOW_UPS_LATE " AS follow_up_on_time FROM"
        " (SELECT coalesce(sum(e.acknowledged_at IS NULL AND ?5 > " M_ACK_DUE
        "), 0) AS acknowledge,"
        " coalesce(sum(e.first_response_at IS NULL AND ?5 > " M_FIRST_DUE
        "), 0) AS first_response,"
        " coalesce(sum(?5 > " M_RES_DUE "), 0) AS resolution"
        /* named: with statistics the planner took encounters_by_closed
         * (closed_at IS NULL), every encounter never closed, 30x slower
         * at 1M encounters */
        " FROM encounters e INDEXED BY encounters_unended_by_created"
        " LEFT JOIN charter_deadlines d"
        " ON d.encounter_id = e.id WHERE" M_ENC_WINDOW
        " AND e.closed_at IS NULL AND e.abandoned_at IS NULL) o",
    /* How long the breaches took (rollup.c, rp_rollup_breach_times), in
     * the rows of MEASURES_BREACH_TIMES (by target, kind of subject and
     * queue): those for good of the whole days from measure_breaches
     * (migration 125), those of the partial days at the edges from their
     * encounters (at most a day each) by the triggers' conditions, and
     * what the time of reading ?5 decides: the running clocks of the
     * encounters not ended (encounters_unended_by_created, named as in
     * MEASURES_BREACHES_NOW) judged as M_BREACHES judges them, and the
     * follow-ups' and promises' arm of M_BREACHES. */
    [RP_Q_MEASURES_ROLLUP_BREACH_TIMES] =
        "SELECT target, 'encounter' AS subject, queue_id, sum(n) AS n,"
        " sum(calendar_sum) AS calendar_sum, sum(over_sum) AS over_sum"
        " FROM measure_breaches WHERE day >= ?1 AND day < ?2 AND" RU_FILTER
        " GROUP BY target, queue_id HAVING sum(n) > 0",
    [RP_Q_MEASURES_EDGE_BREACH_TIMES] = RBT_TARGETS(
        M_EDGE_TIMES_ARM, " UNION ALL ", "e", "d.acknowledge_due_at",
        "d.first_response_due_at", "d.resolution_due_at"),
    [RP_Q_MEASURES_BREACH_TIMES_NOW] =
        "WITH x AS (SELECT coalesce(e.queue_id, 0) AS q, e.arrived_at AS a,"
        " e.acknowledged_at AS ack, e.first_response_at AS fr,"
    /* the targets of the charter at its arrival */
    M_CHARTER_TARGET_COLUMNS
        " FROM encounters e INDEXED BY encounters_unended_by_created"
    /* its deadlines and charter version */
    M_CHARTER_AT_ARRIVAL " WHERE" M_ENC_WINDOW
        " AND e.closed_at IS NULL AND e.abandoned_at IS NULL),"
        " f AS (" M_TIMES_FOLLOW_UPS ")"
        " SELECT 'acknowledge' AS target, 'encounter' AS subject,"
        " q AS queue_id, count(*) AS n, sum(?5 - a) AS calendar_sum,"
        " sum(max(?5 - a - ack_t, 0)) AS over_sum FROM x"
        " WHERE ack IS NULL AND ?5 > coalesce(ack_d, a + ack_t) GROUP BY q"
        " UNION ALL SELECT 'first_response', 'encounter', q, count(*),"
        " sum(?5 - a), sum(max(?5 - a - first_t, 0)) FROM x"
        " WHERE fr IS NULL AND ?5 > coalesce(first_d, a + first_t) GROUP BY q"
        " UNION ALL SELECT 'resolution', 'encounter', q, count(*),"
        " sum(?5 - a), sum(max(?5 - a - res_t, 0)) FROM x"
        " WHERE ?5 > coalesce(res_d, a + res_t) GROUP BY q"
        " UNION ALL SELECT target, subject, coalesce(queue_id, 0), count(*),"
        " sum(actual_seconds), sum(max(actual_seconds - target_seconds,"
        " 0)) FROM f"
        " GROUP BY target, subject, coalesce(queue_id, 0)",
    [RP_Q_MEASURES_ROLLUP_CLEAR_BREACHES] = "DELETE FROM measure_breaches",
    [RP_Q_MEASURES_ROLLUP_FILL_BREACHES] = RBT_FILL,
    [RP_Q_MEASURES_ROLLUP_CLEAR_BREACH_LIST] =
        "DELETE FROM measure_breach_list",
    [RP_Q_MEASURES_ROLLUP_FILL_BREACH_LIST] = RBL_FILL,
    /* The moments of a window without a queue or agent (rollup.c,
     * rp_rollup_moments): ?1 from, ?2 to, ?3 the first whole hour, ?4 the
     * hour after the last (?3 < ?4).  The whole hours from
     * measure_moment_hours, the partial hours at the edges from the
     * ledger's covering index (at most an hour each); the distinct
     * customers are those whose newest moment is at or after ?1 (the
     * hours from ?3 on, and the partial hour before it), less those whose
     * newest moment is at or after ?2 and who have none in the window
     * (one seek each in moments_by_customer_time: none for a window
     * ending now). */
    // clang-format off
    [RP_Q_MEASURES_ROLLUP_MOMENTS] =
        "SELECT r.moments + a.moments + b.moments AS moments,"
        " r.positive + a.positive + b.positive AS positive,"
        " r.neutral + a.neutral + b.neutral AS neutral,"
        " r.negative + a.negative + b.negative AS negative,"
        " l.n + p.n - x.n AS customers FROM"
        " (SELECT coalesce(sum(moments), 0) AS moments,"
        "  coalesce(sum(positive), 0) AS positive,"
        "  coalesce(sum(neutral), 0) AS neutral,"
        "  coalesce(sum(negative), 0) AS negative FROM measure_moment_hours"
        "  WHERE hour >= ?3 AND hour < ?4) r,"
        " " M_MOMENTS_BETWEEN("?1", "?3 * 3600") " a,"
        " " M_MOMENTS_BETWEEN("?4 * 3600", "?2") " b,"
        " (SELECT coalesce(sum(customers_last), 0) AS n"
        "  FROM measure_moment_hours WHERE hour >= ?3) l,"
        " (SELECT count(*) AS n FROM measure_moment_customers"
        "  WHERE last_at >= ?1 AND last_at < ?3 * 3600) p,"
        " (SELECT count(*) AS n FROM measure_moment_customers c"
        "  WHERE c.last_at >= ?2 AND NOT EXISTS (SELECT 1 FROM moments m"
        "   WHERE m.customer_id = c.customer_id AND m.occurred_at >= ?1"
        "   AND m.occurred_at < ?2)) x",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_HOURS] =
        "DELETE FROM measure_moment_hours",
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOMENT_CUSTOMERS] =
        "DELETE FROM measure_moment_customers",
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_HOURS] = RM_FILL_HOURS,
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_CUSTOMERS] = RM_FILL_CUSTOMERS,
    [RP_Q_MEASURES_ROLLUP_FILL_MOMENT_LAST] = RM_FILL_LAST,
    [RP_Q_MEASURES_ROLLUP_CLEAR_DAY_TOTALS] = "DELETE FROM measure_day_totals",
    [RP_Q_MEASURES_ROLLUP_FILL_DAY_TOTALS] = RT_FILL,
    /* The relationships' movements of a window without a queue or agent
     * (rollup.c, rp_rollup_movements): ?5 the first whole UTC day, ?6 the
     * day after the last, from measure_movement_days (migration 119); the
     * partial days at the edges, [?1, ?2) and [?3, ?4), from the levels
     * of those hours.  In MEASURES_MOVEMENTS' order. */
    // clang-format off
    [RP_Q_MEASURES_ROLLUP_MOVEMENTS] =
        "SELECT nullif(f, '') AS from_level, t AS to_level, sum(n) AS n FROM"
        " (SELECT from_level AS f, to_level AS t, n FROM measure_movement_days"
        "  WHERE day >= ?5 AND day < ?6"
        "  UNION ALL SELECT coalesce(r.previous_level, ''), r.level, 1"
        "  FROM relationship_levels r WHERE r.created_at >= ?1"
        "  AND r.created_at < ?2"
        "  UNION ALL SELECT coalesce(r.previous_level, ''), r.level, 1"
        "  FROM relationship_levels r WHERE r.created_at >= ?3"
        "  AND r.created_at < ?4)"
        " GROUP BY f, t HAVING sum(n) <> 0 ORDER BY n DESC, f, t LIMIT 32",
    // clang-format on
    [RP_Q_MEASURES_ROLLUP_CLEAR_LATE] = "DELETE FROM measure_late_days",
    [RP_Q_MEASURES_ROLLUP_FILL_LATE] = RL_FILL,
    [RP_Q_MEASURES_ROLLUP_CLEAR_MOVEMENTS] =
        "DELETE FROM measure_movement_days",
    [RP_Q_MEASURES_ROLLUP_FILL_MOVEMENTS] = RV_FILL,
    /* `rapport report --verify`: the agents whose count of open work
     * (agent_open_work, migration 108) differs from their encounters not
     * closed or abandoned; one pass over the encounters, offline */
    [RP_Q_MEASURES_VERIFY_OPEN_WORK] =
        "SELECT agent_id, sum(kept) AS kept, sum(counted) AS counted FROM"
        " (SELECT agent_id, open_work AS kept, 0 AS counted"
        "  FROM agent_open_work UNION ALL SELECT agent_id, 0, count(*)"
        "  FROM encounters WHERE agent_id IS NOT NULL"
        "  AND stage NOT IN ('closed', 'abandoned') GROUP BY agent_id)"
        " GROUP BY agent_id HAVING sum(kept) <> sum(counted) ORDER BY agent_id",
};

const char *rp_sqlite_query_sql(rp_query q)
{
    if ((int)q < 0 || q >= RP_QUERY_COUNT)
        return NULL;
    return queries[q];
}
