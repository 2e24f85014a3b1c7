/*
 * breach_rollup.h - the conditions of the charter's breaches rolled up
 * (migration 97), in SQL both backends read alike: the triggers of
 * sqlite_rollup.h and the PL/pgSQL functions of pg_rollup.h, the rebuild
 * and the partial days at a window's edges all judge an encounter with
 * these same words, so they can never count differently.  See
 * src/core/measures/rollup.c.
 */
#ifndef RP_BREACH_ROLLUP_H
#define RP_BREACH_ROLLUP_H

/* The key of r's row: its UTC day, queue and agent (0 for none). */
#define RB_KEY(r)                                                              \
    "(" r ".created_at / 86400), coalesce(" r ".queue_id, 0),"                 \
    " coalesce(" r ".agent_id, 0)"

/* measure_breaches holds, per UTC day of an encounter's created_at, queue
 * and agent, how many encounters breached each target of the charter
 * ('acknowledge', 'first_response', 'resolution') for good: the breaches
 * whose clock has stopped (acknowledged, responded, closed or abandoned
 * after the deadline; abandoned unresolved), judged by the rule of the
 * breach report (M_BREACHES in sqlite_queries.c).  A target whose clock
 * still runs (an encounter neither closed nor abandoned) depends on the
 * time of reading and is counted when read, from the index of the
 * encounters not ended (encounters_unended_by_created).  Triggers on
 * encounters, charter_deadlines and charter_versions keep it in the
 * transaction of every write; see src/core/measures/rollup.c. */

/* The charter version in force when r arrived: its column col times
 * unit (charter_versions_by_start). */
#define RB_VERSION(r, col, unit)                                               \
    "(SELECT v." col " * " unit " FROM charter_versions v"                     \
    " WHERE v.starts_at <= " r ".arrived_at"                                   \
    " ORDER BY v.starts_at DESC, v.id DESC LIMIT 1)"
/* When r's target falls due: its deadline in business time dl (set by the
 * sweep), else the version's target counted around the clock. */
#define RB_DUE(r, dl, col, unit)                                               \
    "coalesce(" dl ", " r ".arrived_at + " RB_VERSION(r, col, unit) ")"
/* r's deadline col, read from charter_deadlines. */
#define RB_DL(r, col)                                                          \
    "(SELECT d." col " FROM charter_deadlines d WHERE d.encounter_id = " r     \
    ".id)"
/* Breached for good, given the due times: NULL (not counted) while the
 * clock runs. */
#define RB_ACK(r, due)                                                         \
    "coalesce(" r ".acknowledged_at, " r ".abandoned_at, " r                   \
    ".closed_at) > " due
#define RB_FIRST(r, due)                                                       \
    "coalesce(" r ".first_response_at, " r ".abandoned_at, " r                 \
    ".closed_at) > " due
#define RB_RES(r, due)                                                         \
    "(" r ".closed_at > " due " OR (" r ".closed_at IS NULL AND " r            \
    ".abandoned_at IS NOT NULL))"
/* The three conditions of r with its deadlines ad, fd, rd (an expression
 * each, NULL for none). */
#define RB_ACK_OF(r, ad) RB_ACK(r, RB_DUE(r, ad, "acknowledge_minutes", "60"))
#define RB_FIRST_OF(r, fd)                                                     \
    RB_FIRST(r, RB_DUE(r, fd, "first_response_minutes", "60"))
#define RB_RES_OF(r, rd) RB_RES(r, RB_DUE(r, rd, "resolution_hours", "3600"))

/* The breaches for good of the encounters "e" joined to their deadlines
 * "d" (the rebuild, grouped by day, queue and agent, and the partial days
 * at a window's edges, counted). */
#define RB_FILL_ARM(target, cond)                                              \
    "SELECT " RB_KEY("e") ", '" target "', count(*)"                           \
                          " FROM encounters e LEFT JOIN charter_deadlines d"   \
                          " ON d.encounter_id = e.id WHERE " cond              \
                          " GROUP BY 1, 2, 3"
#define RB_FILL                                                                                         \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, "                                   \
    "n) " RB_FILL_ARM("acknowledge", RB_ACK_OF("e", "d.acknowledge_due_at")) " UNION ALL " RB_FILL_ARM( \
        "first_response",                                                                               \
        RB_FIRST_OF(                                                                                    \
            "e",                                                                                        \
            "d.first_response_due_at")) " UNION ALL " RB_FILL_ARM("resolutio"                           \
                                                                  "n",                                  \
                                                                  RB_RES_OF(                            \
                                                                      "e",                              \
                                                                      "d."                              \
                                                                      "resolu"                          \
                                                                      "tion_"                           \
                                                                      "due_"                            \
                                                                      "at"))

/* ---- how long the breaches took (migration 125) ----
 * measure_breaches also sums, per row, the seconds each breach for good
 * took (calendar_sum: from arrival to when the target's clock stopped)
 * and the seconds past the version's target counted around the clock
 * (over_sum), as the dashboard's breach_times shows them (charter.c,
 * rp_charter_breach_times); a queue with business hours counts the
 * seconds past its target again in its hours, from its rows, when read.
 * The clock of each target stops at: */
// clang-format off
#define RB_ACK_END(r)                                                          \
    "coalesce(" r ".acknowledged_at, " r ".abandoned_at, " r ".closed_at)"
#define RB_FIRST_END(r)                                                        \
    "coalesce(" r ".first_response_at, " r ".abandoned_at, " r ".closed_at)"
#define RB_RES_END(r) "coalesce(" r ".closed_at, " r ".abandoned_at)"
/* The calendar seconds of r's target whose clock stopped at end (0
 * without an arrival, which the records' sums leave out). */
#define RB_CALENDAR(r, end) "coalesce(" end " - " r ".arrived_at, 0)"
/* The seconds of r past its version's target col times unit when its
 * clock stopped at end, 0 when not past (a CASE, not max or greatest:
 * both backends read it alike). */
#define RB_OVER_BY(r, end, col, unit)                                          \
    "(" end " - " r ".arrived_at - " RB_VERSION(r, col, unit) ")"
#define RB_OVER(r, end, col, unit)                                             \
    "(CASE WHEN " RB_OVER_BY(r, end, col, unit) " > 0 THEN " RB_OVER_BY(      \
        r, end, col, unit) " ELSE 0 END)"
/* The three targets of r, each written by RBT_ARM(target, cond, end,
 * col, unit) with its condition (deadlines ad, fd, rd), the end of its
 * clock and the version's column and unit, sep between them. */
#define RBT_TARGETS(RBT_ARM, sep, r, ad, fd, rd)                               \
    RBT_ARM("acknowledge", RB_ACK_OF(r, ad), RB_ACK_END(r),                    \
            "acknowledge_minutes", "60")                                       \
    sep RBT_ARM("first_response", RB_FIRST_OF(r, fd), RB_FIRST_END(r),        \
                "first_response_minutes", "60")                                \
    sep RBT_ARM("resolution", RB_RES_OF(r, rd), RB_RES_END(r),                 \
                "resolution_hours", "3600")
/* The breaches for good of the encounters "e" joined to their deadlines
 * "d", with their seconds, grouped by day, queue and agent: the rebuild
 * (migration 125 and `rapport report --rebuild`). */
#define RBT_FILL_ARM(target, cond, end, col, unit)                             \
    "SELECT " RB_KEY("e") ", '" target "', count(*),"                          \
    " sum(" RB_CALENDAR("e", end) "), sum(" RB_OVER("e", end, col, unit) ")"   \
    " FROM encounters e LEFT JOIN charter_deadlines d"                         \
    " ON d.encounter_id = e.id WHERE " cond " GROUP BY 1, 2, 3"
#define RBT_FILL                                                               \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, n,"        \
    " calendar_sum, over_sum) " RBT_TARGETS(                                   \
        RBT_FILL_ARM, " UNION ALL ", "e", "d.acknowledge_due_at",              \
        "d.first_response_due_at", "d.resolution_due_at")
/* The breach list's rows (measure_breach_list): the breaches for good of
 * the encounters "e" with their deadlines "d", one row each. */
#define RBL_FILL_ARM(target, cond, end, col, unit)                             \
    "SELECT '" target "', e.id, e.arrived_at, e.created_at FROM encounters e"  \
    " LEFT JOIN charter_deadlines d ON d.encounter_id = e.id WHERE " cond
#define RBL_FILL                                                               \
    "INSERT INTO measure_breach_list (target, encounter_id, arrived_at,"       \
    " created_at) " RBT_TARGETS(RBL_FILL_ARM, " UNION ALL ", "e",              \
                                "d.acknowledge_due_at",                        \
                                "d.first_response_due_at",                     \
                                "d.resolution_due_at")
// clang-format on

#endif
