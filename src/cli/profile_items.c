/*
 * profile_items.c - what `rapport pref`, `goal`, `date` and `consent` share:
 * the items of one kind a customer has (preferences, goals, important
 * dates, consents), added, changed, listed and removed the same way, with
 * one manual page for the four.
 */
#include <string.h>

#include "cli.h"

const char rp_profile_items_help[] =
    "NAME\n"
    "    rapport pref|goal|date|consent - what a customer wants, wants to\n"
    "    become, has coming up, and agreed to\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport pref add CUSTOMER --key KEY --value VALUE\n"
    "                 --firmness firm|flexible [--encounter ID]\n"
    "    rapport goal add CUSTOMER --title TEXT [--tag TAG]...\n"
    "                 [--status active|achieved|dropped]\n"
    "    rapport date add CUSTOMER --kind appointment|renewal|expiry|other\n"
    "                 --title TEXT --at TIME [--where TEXT] [--with TEXT]\n"
    "                 [--bring TEXT]\n"
    "    rapport consent set CUSTOMER --purpose service|reminders|offers\n"
    "                 --granted true|false [--source TEXT]\n"
    "    rapport pref|goal|date|consent list CUSTOMER [--json]\n"
    "    rapport pref|goal|date update CUSTOMER ITEM [OPTIONS as for add]\n"
    "    rapport pref|goal|date remove CUSTOMER ITEM\n"
    "\n"
    "DESCRIPTION\n"
    "    Preferences have a firmness: recommendations never contradict a\n"
    "    firm one.  A key may be scoped to a product category with a prefix,\n"
    "    e.g. watermelon.colour.  Adding a preference whose key exists\n"
    "    changes it.  Goals carry tags that link them to products (juice).\n"
    "    Important dates drive reminders: the day before an appointment,\n"
    "    seven days before a renewal or expiry.  Consent is per purpose;\n"
    "    nothing is sent for reminders or offers without it (service is\n"
    "    granted unless withdrawn).  Consents are never removed, only\n"
    "    withdrawn with --granted false.  Every change is a moment of truth.\n"
    "    TIME is RFC 3339, e.g. 2026-11-24T09:00:00Z.\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "\n"
    "EXAMPLES\n"
    "    rapport pref add 4 --key colour --value navy --firmness firm\n"
    "    rapport goal add 3 --title 'Make the best juice in town' --tag juice\n"
    "    rapport date add 8 --kind appointment --title \"car's technical\n"
    "        inspection\" --at 2026-11-24T09:00:00Z --where 'ul. Polna 5'\n"
    "    rapport consent set 8 --purpose reminders --granted true\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input or refused, 4 no such\n"
    "    customer or item, 1 database error.\n";

int rp_profile_items_run(rp_cli *cli, int argc, char **argv, const char *kind,
                         const rp_opt *fields)
{
    const char *sub = argv[0];
    int json = 0;
    const rp_opt opts[] = {{"", RP_OPT_INCLUDE, NULL, fields},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int is_add = !strcmp(sub, "add") || !strcmp(sub, "set");
    int by_item = !strcmp(sub, "update") || !strcmp(sub, "remove");
    rp_args a;
    int64_t cid = 0, item = 0;
    int rc = rp_cli_start(
        cli, argc, argv, is_add || !strcmp(sub, "update") ? opts : opts + 1, &a,
        "customer", &cid, by_item ? "item" : NULL, &item, NULL);
    if (rc) {
        rp_args_free(&a);
        return rc;
    }
    static const char *const cols_pref[] = {"id",       "key",          "value",
                                            "firmness", "encounter_id", NULL};
    static const char *const cols_goal[] = {"id", "title", "tags", "status",
                                            NULL};
    static const char *const cols_date[] = {"id",    "kind",  "title", "at",
                                            "where", "bring", NULL};
    static const char *const cols_consent[] = {
        "id", "purpose", "granted", "decided_at", "source", NULL};
    const char *const *cols = !strcmp(kind, "preferences") ? cols_pref
                              : !strcmp(kind, "goals")     ? cols_goal
                              : !strcmp(kind, "dates")     ? cols_date
                                                           : cols_consent;
    rp_error err;
    json_t *out = NULL;
    rp_code code;
    if (is_add)
        code = rp_profile_add(&cli->ctx, kind, cid, a.fields, &out, &err);
    else if (!strcmp(sub, "update"))
        code = rp_profile_update(&cli->ctx, kind, cid, item, a.fields, &out,
                                 &err);
    else if (!strcmp(sub, "remove")) {
        code = rp_profile_remove(&cli->ctx, kind, cid, item, &err);
        out = code ? NULL : json_pack("{s:b}", "deleted", 1);
    } else {
        code = rp_profile_list(&cli->ctx, kind, cid, &out, &err);
        rp_args_free(&a);
        return rp_cli_finish(code, &err, out, json, cols);
    }
    rp_args_free(&a);
    return rp_cli_finish(code, &err, out, json, NULL);
}
