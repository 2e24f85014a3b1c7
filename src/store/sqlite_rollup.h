/*
 * sqlite_rollup.h - the SQL of the measures' rollups on SQLite, shared by
 * the migration that creates them (sqlite_schema.c, migration 90) and the
 * named queries that rebuild and read them (sqlite_queries.c), so the two
 * can never count differently.
 *
 * measure_days holds, per UTC day of an encounter's created_at, queue and
 * agent (0 for none), the sums the service metrics add up: one column per
 * measure.  measure_day_counts holds the counts of a kind of value per
 * day, queue and agent (kind 'channel': key the channel; kind 'wait': key
 * the wait's bucket, RP_WAIT_BUCKET).  measure_levels holds how many
 * customers are at each relationship level.  Triggers on encounters and
 * customers keep them in the transaction of every write; see
 * src/core/measures/rollup.c for what each figure is and how to add one.
 */
#ifndef RP_SQLITE_ROLLUP_H
#define RP_SQLITE_ROLLUP_H

#include "store/breach_rollup.h"

/* The wait of encounter r (NULL until acknowledged or abandoned). */
#define RU_WAIT(r)                                                             \
    "(coalesce(" r ".acknowledged_at, " r ".abandoned_at) - coalesce(" r       \
    ".arrived_at, " r ".created_at))"

/* The bucket of wait w: exact below 2 minutes, then 10 s wide to 10
 * minutes, 1 min to 1 hour, 5 min to 6 hours, 30 min to a day, 1 hour
 * beyond (rp_rollup_wait_bucket in C says the same). */
#define RU_BUCKET(w)                                                           \
    "(CASE WHEN " w " < 120 THEN " w " WHEN " w " < 600 THEN " w " / 10 * 10"  \
    " WHEN " w " < 3600 THEN " w " / 60 * 60 WHEN " w " < 21600 THEN " w       \
    " / 300 * 300 WHEN " w " < 86400 THEN " w " / 1800 * 1800 ELSE " w         \
    " / 3600 * 3600 END)"

#define RU_DAY(r) "(" r ".created_at / 86400)"
#define RU_KEY(r)                                                              \
    RU_DAY(r) ", coalesce(" r ".queue_id, 0), coalesce(" r ".agent_id, 0)"

/* The columns of measure_days after its key, and the value encounter r
 * gives each (what a row adds when it comes, and takes away when it
 * goes).  A new measure is a new line here and a column of the table. */
#define RU_COLUMNS                                                             \
    "encounters, closed, abandoned, fcr_resolved, fcr_unknown, waiting,"       \
    " transfers, transferred, apologies_owed, apologies_given,"                \
    " apologies_missing, takes, assignments, reassignments, waits, wait_sum"
/* The same summed over a set of encounters "e" (the rebuild, and the
 * partial days at a window's edges). */
#define RU_SUMS                                                                \
    "count(*) AS encounters,"                                                  \
    " coalesce(sum(e.closed_at IS NOT NULL), 0) AS closed,"                    \
    " coalesce(sum(e.abandoned_at IS NOT NULL), 0) AS abandoned,"              \
    " coalesce(sum(e.closed_at IS NOT NULL AND"                                \
    "   e.first_contact_resolved IS 1), 0) AS fcr_resolved,"                   \
    " coalesce(sum(e.closed_at IS NOT NULL AND"                                \
    "   e.first_contact_resolved IS NULL), 0) AS fcr_unknown,"                 \
    " coalesce(sum(e.acknowledged_at IS NULL AND e.abandoned_at IS NULL AND"   \
    "   e.closed_at IS NULL), 0) AS waiting,"                                  \
    " coalesce(sum(e.transfers), 0) AS transfers,"                             \
    " coalesce(sum(e.transfers > 0), 0) AS transferred,"                       \
    " coalesce(sum(e.apology_owed), 0) AS apologies_owed,"                     \
    " coalesce(sum(e.apology_given), 0) AS apologies_given,"                   \
    " coalesce(sum(e.apology_owed AND NOT e.apology_given), 0)"                \
    "   AS apologies_missing,"                                                 \
    " coalesce(sum(e.takes), 0) AS takes,"                                     \
    " coalesce(sum(e.assignments), 0) AS assignments,"                         \
    " coalesce(sum(e.reassignments), 0) AS reassignments,"                     \
    " count(" RU_WAIT("e") ") AS waits,"                                       \
                           " coalesce(sum(" RU_WAIT(                           \
                               "e") "), 0) AS wait_sum,"                       \
                                    " max(" RU_WAIT("e") ") AS wait_max"

/* Encounter r's row of measure_days added (s "1") or taken away (s
 * "-1"): every column times s; the longest wait only ever grows here
 * (RU_MAX_AFTER_REMOVAL puts it right when its encounter goes). */
#define RU_DAYS_ROW(r, s)                                                      \
    "INSERT INTO measure_days (day, queue_id, agent_id, " RU_COLUMNS           \
    ", wait_max) SELECT " RU_KEY(                                              \
        r) ", " s " * a1, " s " * a2, " s " * a3, " s " * a4, " s " * a5, " s  \
           " * a6, " s " * a7, " s " * a8, " s " * a9, " s " * a10, " s        \
           " * a11, " s " * a12, " s " * a13, " s " * a14, " s " * a15, " s    \
           " * a16, CASE WHEN " s                                              \
           " > 0 THEN " RU_WAIT(r) " END FROM (SELECT " RU_VALUES_AS(          \
               r) ") WHERE true"                                               \
                  " ON CONFLICT (day, queue_id, agent_id) DO UPDATE SET"       \
                  " encounters = encounters + excluded.encounters,"            \
                  " closed = closed + excluded.closed,"                        \
                  " abandoned = abandoned + excluded.abandoned,"               \
                  " fcr_resolved = fcr_resolved + excluded.fcr_resolved,"      \
                  " fcr_unknown = fcr_unknown + excluded.fcr_unknown,"         \
                  " waiting = waiting + excluded.waiting,"                     \
                  " transfers = transfers + excluded.transfers,"               \
                  " transferred = transferred + excluded.transferred,"         \
                  " apologies_owed = apologies_owed + "                        \
                  "excluded.apologies_owed,"                                   \
                  " apologies_given = apologies_given + "                      \
                  "excluded.apologies_given,"                                  \
                  " apologies_missing = apologies_missing + "                  \
                  "excluded.apologies_missing,"                                \
                  " takes = takes + excluded.takes,"                           \
                  " assignments = assignments + excluded.assignments,"         \
                  " reassignments = reassignments + excluded.reassignments,"   \
                  " waits = waits + excluded.waits,"                           \
                  " wait_sum = wait_sum + excluded.wait_sum,"                  \
                  " wait_max = CASE WHEN excluded.wait_max IS NOT NULL AND "   \
                  "(wait_max IS"                                               \
                  " NULL OR excluded.wait_max > wait_max) THEN "               \
                  "excluded.wait_max"                                          \
                  " ELSE wait_max END;"
#define RU_VALUES_AS(r)                                                        \
    "1 AS a1, " r ".closed_at IS NOT NULL AS a2, " r                           \
    ".abandoned_at IS NOT NULL AS a3, " r ".closed_at IS NOT NULL AND " r      \
    ".first_contact_resolved IS 1 AS a4, " r ".closed_at IS NOT NULL AND " r   \
    ".first_contact_resolved IS NULL AS a5, " r                                \
    ".acknowledged_at IS NULL AND " r ".abandoned_at IS NULL AND " r           \
    ".closed_at IS NULL AS a6, " r ".transfers AS a7, " r                      \
    ".transfers > 0 AS a8, " r ".apology_owed AS a9, " r                       \
    ".apology_given AS a10, " r ".apology_owed AND NOT " r                     \
    ".apology_given AS a11, " r ".takes AS a12, " r ".assignments AS a13, " r  \
    ".reassignments AS a14, " RU_WAIT(                                         \
        r) " IS NOT NULL AS a15, coalesce(" RU_WAIT(r) ", 0) AS a16"

/* Encounter r's counts of measure_day_counts, added or taken away. */
#define RU_COUNT_ROW(r, s, kind, key, cond)                                    \
    "INSERT INTO measure_day_counts (day, queue_id, agent_id, kind, key, n)"   \
    " SELECT " RU_KEY(                                                         \
        r) ", '" kind "', " key ", " s " WHERE " cond                          \
           " ON CONFLICT (day, queue_id, agent_id, kind, key) DO UPDATE SET"   \
           " n = n + excluded.n;"
#define RU_COUNTS_ROWS(r, s)                                                   \
    RU_COUNT_ROW(r, s, "channel", r ".channel", "true")                        \
    RU_COUNT_ROW(r, s, "wait", "CAST(" RU_BUCKET(RU_WAIT(r)) " AS TEXT)",      \
                 RU_WAIT(r) " IS NOT NULL")

/* After encounter o (OLD) left its row: when it held the row's longest
 * wait, and is not kept there (kept: a condition, "false" on a delete), the
 * longest wait of that day, queue and agent is read again from the
 * encounters of that one day (encounters_by_created). */
#define RU_MAX_AFTER_REMOVAL(o, kept)                                          \
    "UPDATE measure_days SET wait_max = (SELECT max(" RU_WAIT(                 \
        "e") ")"                                                               \
             " FROM encounters e WHERE e.created_at >= " RU_DAY(               \
                 o) " * 86400"                                                 \
                    " AND e.created_at < " RU_DAY(                             \
                        o) " * 86400 + 86400"                                  \
                           " AND coalesce(e.queue_id, 0) = coalesce(" o        \
                           ".queue_id, 0)"                                     \
                           " AND coalesce(e.agent_id, 0) = coalesce(" o        \
                           ".agent_id, 0))"                                    \
                           " WHERE day = " RU_DAY(                             \
                               o) " AND queue_id = coalesce(" o                \
                                  ".queue_id, 0)"                              \
                                  " AND agent_id = coalesce(" o                \
                                  ".agent_id, 0) AND wait_max = " RU_WAIT(     \
                                      o) " AND NOT (" kept ");"
/* ...kept on an update: new stayed in old's row with the same wait. */
#define RU_KEPT                                                                \
    RU_DAY("new")                                                              \
    " = " RU_DAY("old") " AND new.queue_id IS old.queue_id"                    \
                        " AND new.agent_id IS old.agent_id AND " RU_WAIT(      \
                            "new") " IS " RU_WAIT("old")

/* Rebuild every rollup from the records (migration 90 and `rapport report
 * --rebuild`): emptied, then filled by one grouped pass each. */
#define RU_FILL_DAYS                                                           \
    "INSERT INTO measure_days (day, queue_id, agent_id, " RU_COLUMNS           \
    ", wait_max) SELECT " RU_KEY("e") ", " RU_SUMS " FROM encounters e"        \
                                      " GROUP BY 1, 2, 3"
#define RU_FILL_CHANNELS                                                       \
    "INSERT INTO measure_day_counts (day, queue_id, agent_id, kind, key, n)"   \
    " SELECT " RU_KEY("e") ", 'channel', e.channel, count(*)"                  \
                           " FROM encounters e GROUP BY 1, 2, 3, 5"
#define RU_FILL_WAITS                                                          \
    "INSERT INTO measure_day_counts (day, queue_id, agent_id, kind, key, n)"   \
    " SELECT " RU_KEY("e") ", 'wait', CAST(" RU_BUCKET(RU_WAIT(                \
        "e")) " AS TEXT), count(*) FROM encounters e WHERE " RU_WAIT("e") " I" \
                                                                          "S " \
                                                                          "NO" \
                                                                          "T " \
                                                                          "NU" \
                                                                          "LL" \
                                                                          " G" \
                                                                          "RO" \
                                                                          "UP" \
                                                                          " B" \
                                                                          "Y " \
                                                                          "1," \
                                                                          " 2" \
                                                                          ", " \
                                                                          "3," \
                                                                          " 5"
#define RU_FILL_LEVELS                                                         \
    "INSERT INTO measure_levels (level, n) SELECT relationship_level,"         \
    " count(*) FROM customers GROUP BY 1"
#define RU_FILL                                                                \
    "DELETE FROM measure_days; DELETE FROM measure_day_counts;"                \
    " DELETE FROM measure_levels; " RU_FILL_DAYS "; " RU_FILL_CHANNELS         \
    "; " RU_FILL_WAITS "; " RU_FILL_LEVELS ";"

/* The filter of a window's queues (?3, a JSON array, NULL: any) and agent
 * (?4, NULL: any) on a rollup row. */
#define RU_FILTER                                                              \
    " (?3 IS NULL OR queue_id IN (SELECT value FROM json_each(?3)))"           \
    " AND (?4 IS NULL OR agent_id = ?4)"

/* ---- the charter's breaches (migration 97; store/breach_rollup.h) ---- */
/* One target of r counted (s "1") or taken away (s "-1") when cond; from
 * is " WHERE" for a trigger row, or a FROM clause ending in AND. */
#define RB_ROW(r, from, s, target, cond)                                       \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, n)"        \
    " SELECT " RB_KEY(                                                         \
        r) ", '" target "', " s from " " cond                                  \
           " ON CONFLICT (day, queue_id, agent_id, target) DO UPDATE SET"      \
           " n = n + excluded.n;"
#define RB_ROWS(r, from, s, ad, fd, rd)                                        \
    RB_ROW(r, from, s, "acknowledge", RB_ACK_OF(r, ad))                        \
    RB_ROW(r, from, s, "first_response", RB_FIRST_OF(r, fd))                   \
    RB_ROW(r, from, s, "resolution", RB_RES_OF(r, rd))
/* An encounter trigger's row r, with its deadlines as stored. */
#define RB_ENCOUNTER(r, s)                                                     \
    RB_ROWS(r, " WHERE", s, RB_DL(r, "acknowledge_due_at"),                    \
            RB_DL(r, "first_response_due_at"), RB_DL(r, "resolution_due_at"))
/* A deadlines trigger's row dl ("old"/"new", or NULL for none), with its
 * encounter as it is. */
#define RB_WITH_DEADLINES(dl, s, ad, fd, rd)                                   \
    RB_ROWS("e", " FROM encounters e WHERE e.id = " dl ".encounter_id AND", s, \
            ad, fd, rd)
/* Every encounter that arrived since a new version's start, whose
 * judgement it may change (encounters_by_arrived), grouped so one
 * statement adds each row once. */
#define RB_SINCE(s, target, cond)                                              \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, n)"        \
    " SELECT " RB_KEY(                                                         \
        "e") ", '" target "', " s " * count(*)"                                \
             " FROM encounters e WHERE e.arrived_at >= new.starts_at "         \
             "AND " cond " GROUP BY 1, 2, 3"                                   \
             " ON CONFLICT (day, queue_id, agent_id, target) DO UPDATE SET"    \
             " n = n + excluded.n;"
#define RB_VERSION_ROWS(s)                                                     \
    RB_SINCE(s, "acknowledge",                                                 \
             RB_ACK_OF("e", RB_DL("e", "acknowledge_due_at")))                 \
    RB_SINCE(s, "first_response",                                              \
             RB_FIRST_OF("e", RB_DL("e", "first_response_due_at")))            \
    RB_SINCE(s, "resolution", RB_RES_OF("e", RB_DL("e", "resolution_due_at")))

/* ---- how long the breaches took (migration 125; breach_rollup.h) ----
 * The rows of RB_ROW with the seconds of each breach: the same
 * judgement, and calendar_sum and over_sum counted with n. */
// clang-format off
/* The encounter's row of measure_breach_list (the breach list's
 * breaches for good, one row each) taken away (s "-1") or added (s "1")
 * when cond: both statements are written, the one of the other sign
 * finds nothing. */
#define RBL_ROW(r, from, s, target, cond)                                      \
    "DELETE FROM measure_breach_list WHERE " s " < 0 AND target = '" target    \
    "' AND encounter_id IN (SELECT " r ".id" from " " cond ");"                \
    "INSERT INTO measure_breach_list (target, encounter_id, arrived_at,"       \
    " created_at) SELECT '" target "', " r ".id, " r ".arrived_at, "           \
    r ".created_at" from " " s " > 0 AND " cond                                \
    " ON CONFLICT DO NOTHING;"
#define RBT_UPSERT                                                             \
    " ON CONFLICT (day, queue_id, agent_id, target) DO UPDATE SET"             \
    " n = n + excluded.n, calendar_sum = calendar_sum + excluded.calendar_sum," \
    " over_sum = over_sum + excluded.over_sum;"
#define RBT_ROW(r, from, s, target, cond, end, col, unit)                      \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, n,"        \
    " calendar_sum, over_sum) SELECT " RB_KEY(r) ", '" target "', " s ","      \
    " " s " * " RB_CALENDAR(r, end) ", " s " * " RB_OVER(                 \
        r, end, col, unit) from " " cond RBT_UPSERT RBL_ROW(r, from, s, target, cond)
#define RBT_ROWS(r, from, s, ad, fd, rd)                                       \
    RBT_ROW(r, from, s, "acknowledge", RB_ACK_OF(r, ad), RB_ACK_END(r),        \
            "acknowledge_minutes", "60")                                       \
    RBT_ROW(r, from, s, "first_response", RB_FIRST_OF(r, fd),                  \
            RB_FIRST_END(r), "first_response_minutes", "60")                   \
    RBT_ROW(r, from, s, "resolution", RB_RES_OF(r, rd), RB_RES_END(r),         \
            "resolution_hours", "3600")
#define RBT_ENCOUNTER(r, s)                                                    \
    RBT_ROWS(r, " WHERE", s, RB_DL(r, "acknowledge_due_at"),                   \
             RB_DL(r, "first_response_due_at"), RB_DL(r, "resolution_due_at"))
#define RBT_WITH_DEADLINES(dl, s, ad, fd, rd)                                  \
    RBT_ROWS("e", " FROM encounters e WHERE e.id = " dl ".encounter_id AND",   \
             s, ad, fd, rd)
#define RBT_SINCE(s, target, cond, end, col, unit)                             \
    "INSERT INTO measure_breaches (day, queue_id, agent_id, target, n,"        \
    " calendar_sum, over_sum) SELECT " RB_KEY("e") ", '" target "',"           \
    " " s " * count(*), " s " * sum(" RB_CALENDAR("e", end) "),"                  \
    " " s " * sum(" RB_OVER("e", end, col, unit) ") FROM encounters e"         \
    " WHERE e.arrived_at >= new.starts_at AND " cond " GROUP BY 1, 2, 3"       \
    RBT_UPSERT                                                                 \
    RBL_ROW("e", " FROM encounters e WHERE e.arrived_at >= new.starts_at AND", \
            s, target, cond)
#define RBT_VERSION_ROWS(s)                                                    \
    RBT_SINCE(s, "acknowledge",                                                \
              RB_ACK_OF("e", RB_DL("e", "acknowledge_due_at")),                \
              RB_ACK_END("e"), "acknowledge_minutes", "60")                    \
    RBT_SINCE(s, "first_response",                                             \
              RB_FIRST_OF("e", RB_DL("e", "first_response_due_at")),           \
              RB_FIRST_END("e"), "first_response_minutes", "60")               \
    RBT_SINCE(s, "resolution",                                                 \
              RB_RES_OF("e", RB_DL("e", "resolution_due_at")),                 \
              RB_RES_END("e"), "resolution_hours", "3600")
// clang-format on

/* ---- the moments of truth (migration 112) ----
 * measure_moment_hours holds, per UTC hour of a moment's occurred_at, how
 * many moments there were and their impressions, and customers_last: how
 * many customers' newest moment falls in that hour.  measure_moment_customers
 * holds each customer's newest moment (the customer id of the moment as
 * written: a merged customer's moments keep theirs).  The distinct
 * customers of a window [from, to) are those whose newest moment is at or
 * after from, less those whose newest is at or after to and who have none
 * in the window (rollup.c says why this is exact).  Moments are only ever
 * appended, so an insert trigger keeps both. */
// clang-format off
#define RM_IMPRESSIONS(r)                                                      \
    r ".impression IS 'positive', " r ".impression IS 'neutral', "             \
    r ".impression IS 'negative'"
#define RM_ON_MOMENT                                                           \
    "INSERT INTO measure_moment_hours (hour, moments, positive, neutral,"      \
    " negative, customers_last) VALUES (new.occurred_at / 3600, 1, "           \
    RM_IMPRESSIONS("new") ", 0)"                                               \
    " ON CONFLICT (hour) DO UPDATE SET moments = moments + 1,"                 \
    " positive = positive + excluded.positive,"                                \
    " neutral = neutral + excluded.neutral,"                                   \
    " negative = negative + excluded.negative;"                                \
    /* the customer's newest moment moves to this one when it is newer */     \
    "UPDATE measure_moment_hours SET customers_last = customers_last - 1"      \
    " WHERE hour = (SELECT c.last_at / 3600 FROM measure_moment_customers c"   \
    "  WHERE c.customer_id = new.customer_id"                                  \
    "  AND c.last_at < new.occurred_at);"                                      \
    "UPDATE measure_moment_hours SET customers_last = customers_last + 1"      \
    " WHERE hour = new.occurred_at / 3600 AND NOT EXISTS (SELECT 1"            \
    "  FROM measure_moment_customers c WHERE c.customer_id = new.customer_id"  \
    "  AND c.last_at >= new.occurred_at);"                                     \
    "INSERT INTO measure_moment_customers (customer_id, last_at)"              \
    " VALUES (new.customer_id, new.occurred_at)"                               \
    " ON CONFLICT (customer_id) DO UPDATE SET last_at = excluded.last_at"      \
    " WHERE excluded.last_at > last_at;"
/* The rebuild from the ledger (migration 112, `rapport report --rebuild`):
 * the hours, each customer's newest moment, then how many customers'
 * newest moment each hour holds. */
#define RM_FILL_HOURS                                                          \
    "INSERT INTO measure_moment_hours (hour, moments, positive, neutral,"      \
    " negative, customers_last) SELECT m.occurred_at / 3600, count(*),"        \
    " sum(m.impression IS 'positive'), sum(m.impression IS 'neutral'),"        \
    " sum(m.impression IS 'negative'), 0 FROM moments m GROUP BY 1"
#define RM_FILL_CUSTOMERS                                                      \
    "INSERT INTO measure_moment_customers (customer_id, last_at)"              \
    " SELECT m.customer_id, max(m.occurred_at) FROM moments m GROUP BY 1"
#define RM_FILL_LAST                                                           \
    "UPDATE measure_moment_hours SET customers_last = (SELECT count(*)"        \
    " FROM measure_moment_customers c WHERE c.last_at >= hour * 3600"          \
    " AND c.last_at < hour * 3600 + 3600)"
// clang-format on

/* ---- the day's counts over every queue and agent (migration 113) ----
 * measure_day_totals: measure_day_counts summed over queues and agents,
 * kept by its triggers on measure_day_counts (r the row, d the change of
 * its n), so it follows whatever writes the counts. */
// clang-format off
#define RT_ADD(r, d)                                                           \
    "INSERT INTO measure_day_totals (day, kind, key, n) VALUES (" r ".day, "   \
    r ".kind, " r ".key, " d ") ON CONFLICT (day, kind, key)"                  \
    " DO UPDATE SET n = n + excluded.n;"
#define RT_FILL                                                                \
    "INSERT INTO measure_day_totals (day, kind, key, n)"                       \
    " SELECT day, kind, key, sum(n) FROM measure_day_counts WHERE true"        \
    " GROUP BY 1, 2, 3 ON CONFLICT (day, kind, key)"                           \
    " DO UPDATE SET n = excluded.n"
// clang-format on

/* ---- what is late for good, and the relationships' movements (migration
 * 119) ----
 * measure_late_days: per UTC day of due_at, the follow-ups done or sent
 * after their date and the promises broken or kept late: judgements that
 * no longer change with the time of reading.  Which of them the charter
 * counts (follow_up_on_time of the version in force at due_at) is decided
 * when read, one range of days per version (M_FOLLOW_UPS_LATE), so a new
 * version changes nothing here.  Times before 1970 are left to the
 * records (due_at >= 0).  measure_movement_days: per UTC day of a level's
 * created_at, how many customers moved from one level to another (from ''
 * for a first level).  Triggers on tasks, promises and relationship_levels
 * take the old row's judgement away and add the new one's. */
// clang-format off
#define RL_TASK_LATE(r)                                                        \
    "coalesce(" r ".kind = 'follow_up' AND " r ".due_at >= 0"                  \
    " AND " r ".status IN ('done', 'sent')"                                    \
    " AND coalesce(" r ".done_at, " r ".sent_at) > " r ".due_at, 0)"
#define RL_PROMISE_LATE(r)                                                     \
    "coalesce(" r ".due_at >= 0 AND (" r ".status = 'broken'"                  \
    " OR (" r ".status = 'kept' AND " r ".settled_at > " r ".due_at)), 0)"
/* r's judgement (col the column, late its expression) counted in by s */
#define RL_ADD(r, col, late, s)                                                \
    "INSERT INTO measure_late_days (day, " col ") SELECT " r ".due_at / 86400," \
    " " s " WHERE " late                                                       \
    " ON CONFLICT (day) DO UPDATE SET " col " = " col " + excluded." col ";"
#define RL_TRIGGERS(table, col, late, cols)                                    \
    "CREATE TRIGGER " table "_late_ai AFTER INSERT ON " table                  \
    "  WHEN " late("new") " BEGIN " RL_ADD("new", col, late("new"), "1")       \
    " END;"                                                                    \
    "CREATE TRIGGER " table "_late_au AFTER UPDATE OF " cols " ON " table      \
    "  WHEN " late("old") " OR " late("new") " BEGIN "                         \
    RL_ADD("old", col, late("old"), "-1")                                      \
    RL_ADD("new", col, late("new"), "1") " END;"                               \
    "CREATE TRIGGER " table "_late_ad AFTER DELETE ON " table                  \
    "  WHEN " late("old") " BEGIN " RL_ADD("old", col, late("old"), "-1")      \
    " END;"
#define RL_FILL                                                                \
    "INSERT INTO measure_late_days (day, follow_ups, promises)"                \
    " SELECT day, sum(f), sum(p) FROM (SELECT t.due_at / 86400 AS day,"        \
    " 1 AS f, 0 AS p FROM tasks t WHERE t.kind = 'follow_up'"                  \
    " AND t.due_at >= 0 AND t.status IN ('done', 'sent')"                      \
    " AND coalesce(t.done_at, t.sent_at) > t.due_at"                           \
    " UNION ALL SELECT p.due_at / 86400, 0, 1 FROM promises p"                 \
    " WHERE " RL_PROMISE_LATE("p") ") WHERE true GROUP BY day"                 \
    " ON CONFLICT (day) DO UPDATE SET follow_ups = excluded.follow_ups,"       \
    " promises = excluded.promises"
#define RV_ADD(r, s)                                                           \
    "INSERT INTO measure_movement_days (day, from_level, to_level, n)"         \
    " VALUES (" r ".created_at / 86400, coalesce(" r ".previous_level, ''),"   \
    " " r ".level, " s ") ON CONFLICT (day, from_level, to_level)"             \
    " DO UPDATE SET n = n + excluded.n;"
#define RV_TRIGGERS                                                            \
    "CREATE TRIGGER relationship_levels_moves_ai AFTER INSERT"                 \
    "  ON relationship_levels BEGIN " RV_ADD("new", "1") " END;"               \
    "CREATE TRIGGER relationship_levels_moves_au AFTER UPDATE OF created_at,"  \
    "  previous_level, level ON relationship_levels BEGIN "                    \
    RV_ADD("old", "-1") RV_ADD("new", "1") " END;"                             \
    "CREATE TRIGGER relationship_levels_moves_ad AFTER DELETE"                 \
    "  ON relationship_levels BEGIN " RV_ADD("old", "-1") " END;"
#define RV_FILL                                                                \
    "INSERT INTO measure_movement_days (day, from_level, to_level, n)"         \
    " SELECT created_at / 86400, coalesce(previous_level, ''), level,"         \
    " count(*) FROM relationship_levels WHERE true GROUP BY 1, 2, 3"           \
    " ON CONFLICT (day, from_level, to_level) DO UPDATE SET n = excluded.n"
// clang-format on

#endif
