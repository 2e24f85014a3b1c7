/*
 * cmd_recommend.c - `rapport recommend CUSTOMER`: products that serve a
 * customer's goals and preferences, offered only when it is welcome.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport recommend - respectful recommendations for a customer\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport recommend CUSTOMER [--asked] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints products that serve the customer's active goals and\n"
    "    preferences, with reasons, never contradicting a firm preference;\n"
    "    for a transactional customer whose recent exchanges were all quick\n"
    "    nothing is offered unless --asked.  The products shown are\n"
    "    recorded as offers (moments of truth).\n"
    "\n"
    "OPTIONS\n"
    "    --asked     the customer asked for a recommendation\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "\n"
    "EXAMPLES\n"
    "    rapport recommend 3\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 4 no such customer, 1 database error.\n";

/* The products offered, one a line with their reasons, then why nothing
 * was offered and the notes. */
static void print_offers(json_t *out)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(out, "items"), i, it) {
        json_t *prod = json_object_get(it, "product");
        printf("%lld\t%s",
               (long long)json_integer_value(json_object_get(prod, "id")),
               json_string_value(json_object_get(prod, "name")));
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(it, "reasons"), k, r)
            printf("%s%s", k ? "; " : "\t", json_string_value(r));
        putchar('\n');
    }
    if (json_is_string(json_object_get(out, "reason")))
        printf("withheld: %s\n",
               json_string_value(json_object_get(out, "reason")));
    json_array_foreach(json_object_get(out, "notes"), i, it)
        printf("note: %s\n", json_string_value(it));
}

static int run(rp_cli *cli, int argc, char **argv)
{
    int json = 0, asked = 0;
    const rp_opt opts[] = {{"asked", RP_OPT_FLAG, NULL, &asked},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    int64_t cid = 0;
    int rc = rp_cli_start(cli, argc, argv, opts, NULL, "customer", &cid, NULL);
    if (rc)
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_recommend(&cli->ctx, cid, asked, &out, &err);
    return rp_cli_finish_with(code, &err, out, json, print_offers);
}

const rp_command rp_cmd_recommend = {
    "recommend", "respectful recommendations for a customer", help, NULL, run};
