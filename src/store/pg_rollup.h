/*
 * pg_rollup.h - the SQL of the measures' rollups on PostgreSQL, shared by
 * migration 90 (pg_schema.c) and the named queries (pg_queries.c); the
 * same tables and figures as sqlite_rollup.h, kept by one PL/pgSQL
 * trigger function per table instead of SQLite's trigger bodies.  See
 * src/core/measures/rollup.c for what each figure is and how to add one.
 */
#ifndef RP_PG_ROLLUP_H
#define RP_PG_ROLLUP_H

#include "store/breach_rollup.h"

#define PRU_WAIT(r)                                                            \
    "(coalesce(" r ".acknowledged_at, " r ".abandoned_at) - coalesce(" r       \
    ".arrived_at, " r ".created_at))"

/* as RU_BUCKET (sqlite_rollup.h): bigint division truncates alike */
#define PRU_BUCKET(w)                                                          \
    "(CASE WHEN " w " < 120 THEN " w " WHEN " w " < 600 THEN " w " / 10 * 10"  \
    " WHEN " w " < 3600 THEN " w " / 60 * 60 WHEN " w " < 21600 THEN " w       \
    " / 300 * 300 WHEN " w " < 86400 THEN " w " / 1800 * 1800 ELSE " w         \
    " / 3600 * 3600 END)"

#define PRU_KEY(r)                                                             \
    "(" r ".created_at / 86400), coalesce(" r ".queue_id, 0),"                 \
    " coalesce(" r ".agent_id, 0)"

#define PRU_COLUMNS                                                            \
    "encounters, closed, abandoned, fcr_resolved, fcr_unknown, waiting,"       \
    " transfers, transferred, apologies_owed, apologies_given,"                \
    " apologies_missing, takes, assignments, reassignments, waits, wait_sum"

#define PRU_N(cond) "count(*) FILTER (WHERE " cond ")"
#define PRU_SUM(x) "coalesce(sum(" x "), 0)::bigint"
/* The figures of a set of encounters "e". */
#define PRU_SUMS                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          \
    "count(*) AS encounters,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             \
    " " PRU_N(                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            \
        "e.closed_at IS NOT NULL") " AS closed,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          \
                                   " " PRU_N(                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             \
                                       "e.abandoned_at IS NOT NULL") " AS "                                                                                                                                                                                                                                                                                                                                                                                                                                                               \
                                                                     "abandon"                                                                                                                                                                                                                                                                                                                                                                                                                                                            \
                                                                     "ed,"                                                                                                                                                                                                                                                                                                                                                                                                                                                                \
                                                                     " " PRU_N("e.closed_at IS NOT NULL AND e.first_contact_resolved = 1") " AS fcr_resolved,"                                                                                                                                                                                                                                                                                                                                                                            \
                                                                                                                                           " " PRU_N("e.closed_at IS NOT NULL AND e.first_contact_resolved IS NULL") " AS fcr_unknown,"                                                                                                                                                                                                                                                                                                   \
                                                                                                                                                                                                                     " " PRU_N("e.acknowledged_at IS NULL AND e.abandoned_at IS NULL AND"                                                                                                                                                                                                                                                 \
                                                                                                                                                                                                                               " e.closed_at IS NULL") " AS waiting,"                                                                                                                                                                                                                                                                     \
                                                                                                                                                                                                                                                       " " PRU_SUM(                                                                                                                                                                                                                                                                       \
                                                                                                                                                                                                                                                           "e.transfers") " AS transfers,"                                                                                                                                                                                                                                                \
                                                                                                                                                                                                                                                                          " " PRU_N(                                                                                                                                                                                                                                                      \
                                                                                                                                                                                                                                                                              "e.transfers > 0") " AS transferred,"                                                                                                                                                                                                                       \
                                                                                                                                                                                                                                                                                                 " " PRU_SUM(                                                                                                                                                                                                                             \
                                                                                                                                                                                                                                                                                                     "e.apology_owed") " AS apologies_owed,"                                                                                                                                                                                              \
                                                                                                                                                                                                                                                                                                                       " " PRU_SUM(                                                                                                                                                                                                       \
                                                                                                                                                                                                                                                                                                                           "e.apology_given") " AS apologies_given,"                                                                                                                                                                      \
                                                                                                                                                                                                                                                                                                                                              " " PRU_N(                                                                                                                                                                                  \
                                                                                                                                                                                                                                                                                                                                                  "e.apology_owed <> 0 AND e.apology_given = 0") " AS apologies_missing,"                                                                                                                 \
                                                                                                                                                                                                                                                                                                                                                                                                 " " PRU_SUM("e.takes") " AS takes,"                                                                                                      \
                                                                                                                                                                                                                                                                                                                                                                                                                        " " PRU_SUM("e.assignments") " AS assignments,"                                                                   \
                                                                                                                                                                                                                                                                                                                                                                                                                                                     " " PRU_SUM("e.reassignments") " AS reassignments,"                                  \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                    " count(" PRU_WAIT(                                   \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        "e") ") AS waits,"                                \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             " " PRU_SUM(PRU_WAIT("e")) " AS wait_sum,"   \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        " max(" PRU_WAIT( \
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            "e") ") AS wait_max"

/* One encounter's figures (a set of one), added (s 1) or taken away (s
 * -1) by measure_rollup_encounter; the longest wait only grows here. */
#define PRU_FUNCTION                                                           \
    "CREATE FUNCTION measure_rollup_encounter(r encounters, s bigint)"         \
    "  RETURNS void LANGUAGE plpgsql AS $$"                                    \
    " DECLARE w bigint := " PRU_WAIT(                                          \
        "r") ";"                                                               \
             " BEGIN"                                                          \
             " INSERT INTO measure_days AS m (day, queue_id, "                 \
             "agent_id, " PRU_COLUMNS ", wait_max) SELECT " PRU_KEY(           \
                 "r") ", s * x.encounters, s * x.closed,"                      \
                      " s * x.abandoned, s * x.fcr_resolved, s * "             \
                      "x.fcr_unknown, s * x.waiting,"                          \
                      " s * x.transfers, s * x.transferred, s * "              \
                      "x.apologies_owed,"                                      \
                      " s * x.apologies_given, s * x.apologies_missing, s * "  \
                      "x.takes,"                                               \
                      " s * x.assignments, s * x.reassignments, s * x.waits, " \
                      "s * x.wait_sum,"                                        \
                      " CASE WHEN s > 0 THEN x.wait_max END"                   \
                      " FROM (SELECT " PRU_SUMS " FROM (SELECT r.*) e) x"      \
                      " ON CONFLICT (day, queue_id, agent_id) DO UPDATE SET"   \
                      " encounters = m.encounters + excluded.encounters,"      \
                      " closed = m.closed + excluded.closed,"                  \
                      " abandoned = m.abandoned + excluded.abandoned,"         \
                      " fcr_resolved = m.fcr_resolved + "                      \
                      "excluded.fcr_resolved,"                                 \
                      " fcr_unknown = m.fcr_unknown + excluded.fcr_unknown,"   \
                      " waiting = m.waiting + excluded.waiting,"               \
                      " transfers = m.transfers + excluded.transfers,"         \
                      " transferred = m.transferred + excluded.transferred,"   \
                      " apologies_owed = m.apologies_owed + "                  \
                      "excluded.apologies_owed,"                               \
                      " apologies_given = m.apologies_given + "                \
                      "excluded.apologies_given,"                              \
                      " apologies_missing = m.apologies_missing + "            \
                      "excluded.apologies_missing,"                            \
                      " takes = m.takes + excluded.takes,"                     \
                      " assignments = m.assignments + excluded.assignments,"   \
                      " reassignments = m.reassignments + "                    \
                      "excluded.reassignments,"                                \
                      " waits = m.waits + excluded.waits,"                     \
                      " wait_sum = m.wait_sum + excluded.wait_sum,"            \
                      " wait_max = GREATEST(m.wait_max, excluded.wait_max);"   \
                      " INSERT INTO measure_day_counts AS m (day, queue_id, "  \
                      "agent_id, kind,"                                        \
                      " key, n) VALUES (" PRU_KEY(                             \
                          "r") ", 'channel', r.channel, s)"                    \
                               " ON CONFLICT (day, queue_id, agent_id, kind, " \
                               "key) DO UPDATE"                                \
                               " SET n = m.n + excluded.n;"                    \
                               " IF w IS NOT NULL THEN"                        \
                               " INSERT INTO measure_day_counts AS m (day, "   \
                               "queue_id, agent_id, kind,"                     \
                               " key, n) VALUES (" PRU_KEY(                    \
                                   "r") ", 'wait', " PRU_BUCKET("w") "::text," \
                                                                     " s)"     \
                                                                     " ON "    \
                                                                     "CONFLIC" \
                                                                     "T "      \
                                                                     "(day, "  \
                                                                     "queue_"  \
                                                                     "id, "    \
                                                                     "agent_"  \
                                                                     "id, "    \
                                                                     "kind, "  \
                                                                     "key) "   \
                                                                     "DO "     \
                                                                     "UPDATE"  \
                                                                     " SET n " \
                                                                     "= m.n "  \
                                                                     "+ "      \
                                                                     "exclude" \
                                                                     "d.n;"    \
                                                                     " END "   \
                                                                     "IF;"     \
                                                                     " END "   \
                                                                     "$$;"

/* The trigger: old's figures go, new's come; when old held its row's
 * longest wait and new did not stay there with it, that day's longest
 * wait of the queue and agent is read again (encounters_by_created). */
#define PRU_TRIGGER                                                            \
    "CREATE FUNCTION measure_rollup_encounters() RETURNS trigger"              \
    "  LANGUAGE plpgsql AS $$"                                                 \
    " DECLARE ow bigint;"                                                      \
    " BEGIN"                                                                   \
    " IF TG_OP = 'UPDATE' AND (old.created_at, old.arrived_at, old.queue_id,"  \
    "  old.agent_id,"                                                          \
    "  old.channel, old.acknowledged_at, old.abandoned_at, old.closed_at,"     \
    "  old.first_contact_resolved, old.transfers, old.apology_owed,"           \
    "  old.apology_given, old.takes, old.assignments, old.reassignments)"      \
    "  IS NOT DISTINCT FROM (new.created_at, new.arrived_at, new.queue_id,"    \
    "  new.agent_id,"                                                          \
    "  new.channel, new.acknowledged_at, new.abandoned_at, new.closed_at,"     \
    "  new.first_contact_resolved, new.transfers, new.apology_owed,"           \
    "  new.apology_given, new.takes, new.assignments, new.reassignments)"      \
    " THEN RETURN NULL; END IF;"                                               \
    " IF TG_OP <> 'INSERT' THEN"                                               \
    "  PERFORM measure_rollup_encounter(old, -1); END IF;"                     \
    " IF TG_OP <> 'DELETE' THEN"                                               \
    "  PERFORM measure_rollup_encounter(new, 1); END IF;"                      \
    " IF TG_OP <> 'INSERT' THEN"                                               \
    "  ow := " PRU_WAIT(                                                       \
        "old") ";"                                                             \
               "  IF ow IS NOT NULL AND NOT (TG_OP = 'UPDATE'"                 \
               "   AND new.created_at / 86400 = old.created_at / 86400"        \
               "   AND new.queue_id IS NOT DISTINCT FROM old.queue_id"         \
               "   AND new.agent_id IS NOT DISTINCT FROM old.agent_id"         \
               "   AND " PRU_WAIT(                                             \
                   "new") " IS NOT DISTINCT FROM ow) THEN"                     \
                          "   UPDATE measure_days SET wait_max = (SELECT "     \
                          "max(" PRU_WAIT(                                     \
                              "e") ")"                                         \
                                   "    FROM encounters e WHERE e.created_at " \
                                   ">= old.created_at / 86400 * 86400"         \
                                   "    AND e.created_at < old.created_at / "  \
                                   "86400 * 86400 + 86400"                     \
                                   "    AND coalesce(e.queue_id, 0) = "        \
                                   "coalesce(old.queue_id, 0)"                 \
                                   "    AND coalesce(e.agent_id, 0) = "        \
                                   "coalesce(old.agent_id, 0))"                \
                                   "   WHERE day = old.created_at / 86400"     \
                                   "    AND queue_id = "                       \
                                   "coalesce(old.queue_id, 0)"                 \
                                   "    AND agent_id = "                       \
                                   "coalesce(old.agent_id, 0) AND wait_max = " \
                                   "ow;"                                       \
                                   "  END IF;"                                 \
                                   " END IF;"                                  \
                                   " RETURN NULL; END $$;"                     \
                                   "CREATE TRIGGER encounters_rollup AFTER "   \
                                   "INSERT OR UPDATE OR DELETE"                \
                                   "  ON encounters FOR EACH ROW EXECUTE "     \
                                   "FUNCTION"                                  \
                                   "  measure_rollup_encounters();"

#define PRU_LEVELS_TRIGGER                                                     \
    "CREATE FUNCTION measure_rollup_levels() RETURNS trigger"                  \
    "  LANGUAGE plpgsql AS $$ BEGIN"                                           \
    " IF TG_OP = 'UPDATE' AND old.relationship_level IS NOT DISTINCT FROM"     \
    "  new.relationship_level THEN RETURN NULL; END IF;"                       \
    " IF TG_OP <> 'INSERT' THEN UPDATE measure_levels SET n = n - 1"           \
    "  WHERE level = old.relationship_level; END IF;"                          \
    " IF TG_OP <> 'DELETE' THEN INSERT INTO measure_levels AS m (level, n)"    \
    "  VALUES (new.relationship_level, 1) ON CONFLICT (level) DO UPDATE"       \
    "  SET n = m.n + 1; END IF;"                                               \
    " RETURN NULL; END $$;"                                                    \
    "CREATE TRIGGER customers_levels AFTER INSERT OR UPDATE OF"                \
    "  relationship_level OR DELETE ON customers FOR EACH ROW"                 \
    "  EXECUTE FUNCTION measure_rollup_levels();"

#define PRU_FILL_DAYS                                                          \
    "INSERT INTO measure_days (day, queue_id, agent_id, " PRU_COLUMNS          \
    ", wait_max) SELECT " PRU_KEY("e") ", " PRU_SUMS " FROM encounters e"      \
                                       " GROUP BY 1, 2, 3"
#define PRU_FILL_CHANNELS                                                      \
    "INSERT INTO measure_day_counts (day, queue_id, agent_id, kind, key, n)"   \
    " SELECT " PRU_KEY("e") ", 'channel', e.channel, count(*)"                 \
                            " FROM encounters e GROUP BY 1, 2, 3, 5"
#define PRU_FILL_WAITS                                                         \
    "INSERT INTO measure_day_counts (day, queue_id, agent_id, kind, key, n)"   \
    " SELECT " PRU_KEY("e") ", 'wait', " PRU_BUCKET(                           \
        PRU_WAIT("e")) "::text,"                                               \
                       " count(*) FROM encounters e WHERE " PRU_WAIT(          \
                           "e") " IS NOT NULL"                                 \
                                " GROUP BY 1, 2, 3, 5"
#define PRU_FILL_LEVELS                                                        \
    "INSERT INTO measure_levels (level, n) SELECT relationship_level,"         \
    " count(*) FROM customers GROUP BY 1"

#define PRU_FILTER                                                             \
    " ($3::text IS NULL OR queue_id IN"                                        \
    " (SELECT jsonb_array_elements_text($3::text::jsonb)::bigint))"            \
    " AND ($4::bigint IS NULL OR agent_id = $4::bigint)"

/* ---- the charter's breaches (migration 97; store/breach_rollup.h) ----
 * measure_breach_add counts (s 1) or takes away (s -1) the breaches for
 * good of encounter r with its deadlines ad, fd, rd (NULL: none yet); the
 * trigger functions call it for the row that went and the row that came,
 * as SQLite's trigger bodies do. */
#define PRB_PUT(target)                                                        \
    " INSERT INTO measure_breaches AS m (day, queue_id, agent_id, target, n)"  \
    " VALUES (" RB_KEY(                                                        \
        "r") ", '" target "', s)"                                              \
             " ON CONFLICT (day, queue_id, agent_id, target) DO UPDATE"        \
             " SET n = m.n + excluded.n;"
#define PRB_FUNCTIONS                                                                                                                                                                \
    "CREATE FUNCTION measure_breach_add(r encounters, ad bigint, fd bigint,"                                                                                                         \
    "  rd bigint, s bigint) RETURNS void LANGUAGE plpgsql AS $$ BEGIN"                                                                                                               \
    " IF " RB_ACK_OF("r", "ad") " THEN" PRB_PUT(                                                                                                                                     \
        "acknowledge") " END IF;"                                                                                                                                                    \
                       " IF " RB_FIRST_OF("r", "fd") " THEN" PRB_PUT(                                                                                                                \
                           "first_response") " END IF;"                                                                                                                              \
                                             " IF " RB_RES_OF(                                                                                                                       \
                                                 "r",                                                                                                                                \
                                                 "rd") " THEN" PRB_PUT("resol"                                                                                                       \
                                                                       "utio"                                                                                                        \
                                                                       "n") " END IF;"                                                                                               \
                                                                            " END $$;"                                                                                               \
                                                                            "CREATE FUNCTION measure_breach_encounters() RETURNS trigger"                                            \
                                                                            "  LANGUAGE plpgsql AS $$ DECLARE dl charter_deadlines; BEGIN"                                           \
                                                                            " IF TG_OP = 'UPDATE' AND (old.created_at, old.arrived_at, old.queue_id,"                                \
                                                                            "  old.agent_id, old.acknowledged_at, old.first_response_at,"                                            \
                                                                            "  old.abandoned_at, old.closed_at) IS NOT DISTINCT FROM"                                                \
                                                                            "  (new.created_at, new.arrived_at, new.queue_id, new.agent_id,"                                         \
                                                                            "  new.acknowledged_at, new.first_response_at, new.abandoned_at,"                                        \
                                                                            "  new.closed_at) THEN RETURN NULL; END IF;"                                                             \
                                                                            " IF TG_OP <> 'INSERT' THEN"                                                                             \
                                                                            "  SELECT * INTO dl FROM charter_deadlines WHERE encounter_id = old.id;"                                 \
                                                                            "  PERFORM measure_breach_add(old, dl.acknowledge_due_at,"                                               \
                                                                            "   dl.first_response_due_at, dl.resolution_due_at, -1); END IF;"                                        \
                                                                            " IF TG_OP <> 'DELETE' THEN"                                                                             \
                                                                            "  SELECT * INTO dl FROM charter_deadlines WHERE encounter_id = new.id;"                                 \
                                                                            "  PERFORM measure_breach_add(new, dl.acknowledge_due_at,"                                               \
                                                                            "   dl.first_response_due_at, dl.resolution_due_at, 1); END IF;"                                         \
                                                                            " RETURN NULL; END $$;"                                                                                  \
                                                                            "CREATE TRIGGER encounters_breaches AFTER INSERT OR UPDATE OR DELETE"                                    \
                                                                            "  ON encounters FOR EACH ROW EXECUTE FUNCTION"                                                          \
                                                                            "  measure_breach_encounters();"                                                                         \
                                                                            "CREATE FUNCTION measure_breach_deadlines() RETURNS trigger"                                             \
                                                                            "  LANGUAGE plpgsql AS $$ DECLARE r encounters; BEGIN"                                                   \
                                                                            " IF TG_OP <> 'INSERT' THEN"                                                                             \
                                                                            "  SELECT * INTO r FROM encounters WHERE id = old.encounter_id;"                                         \
                                                                            "  IF FOUND THEN PERFORM measure_breach_add(r, old.acknowledge_due_at,"                                  \
                                                                            "   old.first_response_due_at, old.resolution_due_at, -1);"                                              \
                                                                            "   PERFORM measure_breach_add(r, NULL, NULL, NULL, 1); END IF;"                                         \
                                                                            " END IF;"                                                                                               \
                                                                            " IF TG_OP <> 'DELETE' THEN"                                                                             \
                                                                            "  SELECT * INTO r FROM encounters WHERE id = new.encounter_id;"                                         \
                                                                            "  IF FOUND THEN PERFORM measure_breach_add(r, NULL, NULL, NULL, -1);"                                   \
                                                                            "   PERFORM measure_breach_add(r, new.acknowledge_due_at,"                                               \
                                                                            "   new.first_response_due_at, new.resolution_due_at, 1); END IF;"                                       \
                                                                            " END IF;"                                                                                               \
                                                                            " RETURN NULL; END $$;"                                                                                  \
                                                                            "CREATE TRIGGER charter_deadlines_breaches AFTER INSERT OR UPDATE OR"                                    \
                                                                            "  DELETE ON charter_deadlines FOR EACH ROW EXECUTE FUNCTION"                                            \
                                                                            "  measure_breach_deadlines();" /* a new version: those that arrived since it starts are judged again */ \
                                                                            "CREATE FUNCTION measure_breach_versions() RETURNS trigger"                                              \
                                                                            "  LANGUAGE plpgsql AS $$ DECLARE r encounters; dl charter_deadlines;"                                   \
                                                                            " s bigint := CASE WHEN TG_WHEN = 'BEFORE' THEN -1 ELSE 1 END; BEGIN"                                    \
                                                                            " FOR r IN SELECT * FROM encounters WHERE arrived_at >= new.starts_at"                                   \
                                                                            " LOOP"                                                                                                  \
                                                                            "  SELECT * INTO dl FROM charter_deadlines WHERE encounter_id = r.id;"                                   \
                                                                            "  PERFORM measure_breach_add(r, dl.acknowledge_due_at,"                                                 \
                                                                            "   dl.first_response_due_at, dl.resolution_due_at, s);"                                                 \
                                                                            " END LOOP;"                                                                                             \
                                                                            " IF TG_WHEN = 'BEFORE' THEN RETURN new; END IF; RETURN NULL; END $$;"                                   \
                                                                            "CREATE TRIGGER charter_versions_breaches_before BEFORE INSERT"                                          \
                                                                            "  ON charter_versions FOR EACH ROW EXECUTE FUNCTION"                                                    \
                                                                            "  measure_breach_versions();"                                                                           \
                                                                            "CREATE TRIGGER charter_versions_breaches_after AFTER INSERT"                                            \
                                                                            "  ON charter_versions FOR EACH ROW EXECUTE FUNCTION"                                                    \
                                                                            "  measure_breach_versions();"

/* ---- how long the breaches took (migration 125; breach_rollup.h) ----
 * measure_breach_add made again to count each breach's seconds with it
 * (calendar_sum, over_sum); the trigger functions that call it are
 * unchanged. */
// clang-format off
#define PRBT_PUT(target, cond, end, col, unit)                                 \
    " IF " cond " THEN INSERT INTO measure_breaches AS m (day, queue_id,"      \
    " agent_id, target, n, calendar_sum, over_sum) VALUES (" RB_KEY("r") ","   \
    " '" target "', s, s * " RB_CALENDAR("r", end) ","                         \
    " s * " RB_OVER("r", end, col, unit) ")"                                   \
    " ON CONFLICT (day, queue_id, agent_id, target) DO UPDATE"                 \
    " SET n = m.n + excluded.n,"                                               \
    " calendar_sum = m.calendar_sum + excluded.calendar_sum,"                  \
    " over_sum = m.over_sum + excluded.over_sum;"                               \
    " IF s > 0 THEN INSERT INTO measure_breach_list (target, encounter_id,"    \
    " arrived_at, created_at) VALUES ('" target "', r.id, r.arrived_at,"       \
    " r.created_at) ON CONFLICT DO NOTHING;"                                   \
    " ELSE DELETE FROM measure_breach_list WHERE target = '" target "'"        \
    " AND encounter_id = r.id; END IF; END IF;"
#define PRBT_FUNCTION                                                          \
    "CREATE OR REPLACE FUNCTION measure_breach_add(r encounters, ad bigint,"   \
    "  fd bigint, rd bigint, s bigint) RETURNS void LANGUAGE plpgsql AS $$"    \
    " BEGIN" RBT_TARGETS(PRBT_PUT, "", "r", "ad", "fd", "rd") " END $$;"
// clang-format on

/* ---- the moments of truth (migration 112): as RM_* of sqlite_rollup.h,
 * one PL/pgSQL function on each new moment ---- */
// clang-format off
#define PRM_IS(r, v) "(" r ".impression IS NOT DISTINCT FROM '" v "')::int"
#define PRM_TRIGGER                                                            \
    "CREATE FUNCTION measure_rollup_moments() RETURNS trigger"                 \
    "  LANGUAGE plpgsql AS $$ BEGIN"                                           \
    " INSERT INTO measure_moment_hours AS h (hour, moments, positive,"         \
    "  neutral, negative, customers_last) VALUES (new.occurred_at / 3600, 1,"  \
    "  " PRM_IS("new", "positive") ", " PRM_IS("new", "neutral") ","           \
    "  " PRM_IS("new", "negative") ", 0)"                                      \
    "  ON CONFLICT (hour) DO UPDATE SET moments = h.moments + 1,"              \
    "  positive = h.positive + excluded.positive,"                             \
    "  neutral = h.neutral + excluded.neutral,"                                \
    "  negative = h.negative + excluded.negative;"                             \
    " UPDATE measure_moment_hours SET customers_last = customers_last - 1"     \
    "  WHERE hour = (SELECT c.last_at / 3600 FROM measure_moment_customers c"  \
    "  WHERE c.customer_id = new.customer_id"                                  \
    "  AND c.last_at < new.occurred_at);"                                      \
    " UPDATE measure_moment_hours SET customers_last = customers_last + 1"     \
    "  WHERE hour = new.occurred_at / 3600 AND NOT EXISTS (SELECT 1"           \
    "  FROM measure_moment_customers c WHERE c.customer_id = new.customer_id"  \
    "  AND c.last_at >= new.occurred_at);"                                     \
    " INSERT INTO measure_moment_customers AS c (customer_id, last_at)"        \
    "  VALUES (new.customer_id, new.occurred_at)"                              \
    "  ON CONFLICT (customer_id) DO UPDATE SET last_at = excluded.last_at"     \
    "  WHERE excluded.last_at > c.last_at;"                                    \
    " RETURN NULL; END $$;"                                                    \
    "CREATE TRIGGER moments_rollup_ai AFTER INSERT ON moments"                 \
    "  FOR EACH ROW EXECUTE FUNCTION measure_rollup_moments();"
#define PRM_FILL_HOURS                                                         \
    "INSERT INTO measure_moment_hours (hour, moments, positive, neutral,"      \
    " negative, customers_last) SELECT m.occurred_at / 3600, count(*),"        \
    " sum(" PRM_IS("m", "positive") "), sum(" PRM_IS("m", "neutral") "),"      \
    " sum(" PRM_IS("m", "negative") "), 0 FROM moments m GROUP BY 1"
#define PRM_FILL_CUSTOMERS                                                     \
    "INSERT INTO measure_moment_customers (customer_id, last_at)"              \
    " SELECT m.customer_id, max(m.occurred_at) FROM moments m GROUP BY 1"
#define PRM_FILL_LAST                                                          \
    "UPDATE measure_moment_hours h SET customers_last = l.n FROM"              \
    " (SELECT last_at / 3600 AS hour, count(*) AS n"                           \
    "  FROM measure_moment_customers GROUP BY 1) l WHERE h.hour = l.hour"
// clang-format on

/* ---- the day's counts over every queue and agent (migration 113), as
 * RT_* of sqlite_rollup.h: one PL/pgSQL function on measure_day_counts */
// clang-format off
#define PRT_TRIGGER                                                            \
    "CREATE FUNCTION measure_rollup_day_totals() RETURNS trigger"              \
    "  LANGUAGE plpgsql AS $$ BEGIN"                                           \
    " IF TG_OP = 'DELETE' THEN"                                                \
    "  INSERT INTO measure_day_totals AS t (day, kind, key, n)"                \
    "  VALUES (old.day, old.kind, old.key, -old.n)"                            \
    "  ON CONFLICT (day, kind, key) DO UPDATE SET n = t.n + excluded.n;"       \
    " ELSE"                                                                    \
    "  INSERT INTO measure_day_totals AS t (day, kind, key, n)"                \
    "  VALUES (new.day, new.kind, new.key, new.n - CASE WHEN TG_OP = 'UPDATE'" \
    "  THEN old.n ELSE 0 END)"                                                 \
    "  ON CONFLICT (day, kind, key) DO UPDATE SET n = t.n + excluded.n;"       \
    " END IF; RETURN NULL; END $$;"                                            \
    "CREATE TRIGGER measure_day_counts_totals AFTER INSERT OR UPDATE OF n"     \
    "  OR DELETE ON measure_day_counts FOR EACH ROW"                           \
    "  EXECUTE FUNCTION measure_rollup_day_totals();"
#define PRT_FILL                                                               \
    "INSERT INTO measure_day_totals (day, kind, key, n)"                       \
    " SELECT day, kind, key, sum(n) FROM measure_day_counts"                   \
    " GROUP BY 1, 2, 3 ON CONFLICT (day, kind, key)"                           \
    " DO UPDATE SET n = excluded.n"
// clang-format on

/* ---- what is late for good, and the relationships' movements (migration
 * 119), as SQLite's (sqlite_rollup.h, RL_* and RV_*) ---- */
// clang-format off
#define PRL_TASK_LATE(r)                                                       \
    "coalesce(" r ".kind = 'follow_up' AND " r ".due_at >= 0"                  \
    " AND " r ".status IN ('done', 'sent')"                                    \
    " AND coalesce(" r ".done_at, " r ".sent_at) > " r ".due_at, false)"
#define PRL_PROMISE_LATE(r)                                                    \
    "coalesce(" r ".due_at >= 0 AND (" r ".status = 'broken'"                  \
    " OR (" r ".status = 'kept' AND " r ".settled_at > " r ".due_at)), false)"
#define PRL_ADD(r, col, s)                                                     \
    " INSERT INTO measure_late_days AS l (day, " col ")"                       \
    "  VALUES (" r ".due_at / 86400, " s ")"                                   \
    "  ON CONFLICT (day) DO UPDATE SET " col " = l." col " + excluded." col ";"
/* the function and trigger of table: old's judgement out, new's in */
#define PRL_TRIGGER(table, col, late, cols)                                    \
    "CREATE FUNCTION measure_late_" table "() RETURNS trigger"                 \
    "  LANGUAGE plpgsql AS $$ BEGIN"                                           \
    " IF TG_OP <> 'INSERT' AND " late("old") " THEN"                           \
    PRL_ADD("old", col, "-1") " END IF;"                                       \
    " IF TG_OP <> 'DELETE' AND " late("new") " THEN"                           \
    PRL_ADD("new", col, "1") " END IF;"                                        \
    " RETURN NULL; END $$;"                                                    \
    "CREATE TRIGGER " table "_late AFTER INSERT OR UPDATE OF " cols            \
    "  OR DELETE ON " table " FOR EACH ROW"                                    \
    "  EXECUTE FUNCTION measure_late_" table "();"
#define PRL_FILL                                                               \
    "INSERT INTO measure_late_days (day, follow_ups, promises)"                \
    " SELECT day, sum(f), sum(p) FROM (SELECT t.due_at / 86400 AS day,"        \
    " 1 AS f, 0 AS p FROM tasks t WHERE t.kind = 'follow_up'"                  \
    " AND t.due_at >= 0 AND t.status IN ('done', 'sent')"                      \
    " AND coalesce(t.done_at, t.sent_at) > t.due_at"                           \
    " UNION ALL SELECT p.due_at / 86400, 0, 1 FROM promises p"                 \
    " WHERE " PRL_PROMISE_LATE("p") ") x GROUP BY day"                         \
    " ON CONFLICT (day) DO UPDATE SET follow_ups = excluded.follow_ups,"       \
    " promises = excluded.promises"
#define PRV_ADD(r, s)                                                          \
    " INSERT INTO measure_movement_days AS m (day, from_level, to_level, n)"   \
    "  VALUES (" r ".created_at / 86400, coalesce(" r ".previous_level, ''),"  \
    "  " r ".level, " s ") ON CONFLICT (day, from_level, to_level)"            \
    "  DO UPDATE SET n = m.n + excluded.n;"
#define PRV_TRIGGER                                                            \
    "CREATE FUNCTION measure_movements() RETURNS trigger"                      \
    "  LANGUAGE plpgsql AS $$ BEGIN"                                           \
    " IF TG_OP <> 'INSERT' THEN" PRV_ADD("old", "-1") " END IF;"               \
    " IF TG_OP <> 'DELETE' THEN" PRV_ADD("new", "1") " END IF;"                \
    " RETURN NULL; END $$;"                                                    \
    "CREATE TRIGGER relationship_levels_moves AFTER INSERT OR UPDATE OF"       \
    "  created_at, previous_level, level OR DELETE ON relationship_levels"     \
    "  FOR EACH ROW EXECUTE FUNCTION measure_movements();"
#define PRV_FILL                                                               \
    "INSERT INTO measure_movement_days (day, from_level, to_level, n)"         \
    " SELECT created_at / 86400, coalesce(previous_level, ''), level,"         \
    " count(*) FROM relationship_levels GROUP BY 1, 2, 3"                      \
    " ON CONFLICT (day, from_level, to_level) DO UPDATE SET n = excluded.n"
// clang-format on

#endif
