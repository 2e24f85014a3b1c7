/*
 * cmd_product.c - `rapport product add|update|show|list`: the catalogue
 * recommendations are made from.
 */
#include <string.h>

#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport product - the catalogue recommendations are made from\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport product add --name NAME --category CATEGORY\n"
    "                        [--attr KEY=VALUE]... [--stock N] [--tag TAG]...\n"
    "                        [--related ID]... [--price P] [--json]\n"
    "    rapport product update ID [OPTIONS as for add] [--json]\n"
    "    rapport product show ID [--json]\n"
    "    rapport product list [--category C] [--tag T] [--limit N]\n"
    "                         [--cursor C] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Attributes (colour, seedless, style, brand, ...) are compared with\n"
    "    customers' preferences; VALUE true/false and numbers keep their\n"
    "    type.  Tags link a product to goals (a goal tagged juice brings\n"
    "    products tagged juice).  Related products are offered next to the\n"
    "    product; --tag, --attr and --related replace the whole list or\n"
    "    object on update.  show lists the related products too.\n"
    "\n"
    "EXAMPLES\n"
    "    rapport product add --name Starfruit --category fruit --tag juice \\\n"
    "        --attr colour=yellow --stock 150\n"
    "    rapport product list --tag juice\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 3 bad input, 4 no such product,\n"
    "    1 database error.\n";

static const rp_opt fields[] = {{"name", RP_OPT_STR, "name", NULL},
                                {"category", RP_OPT_STR, "category", NULL},
                                {"attr", RP_OPT_ATTR, "attributes", NULL},
                                {"stock", RP_OPT_INT, "stock", NULL},
                                {"tag", RP_OPT_LIST, "tags", NULL},
                                {"related", RP_OPT_IDLIST, "related", NULL},
                                {"price", RP_OPT_REAL, "price", NULL},
                                {0}};

/* add, update and show: one product, printed as a record. */
static int one(rp_cli *cli, int argc, char **argv)
{
    const char *sub = argv[0];
    int json = 0, by_id = strcmp(sub, "add") != 0;
    const rp_opt opts[] = {{"", RP_OPT_INCLUDE, NULL, fields},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int64_t id = 0;
    int rc = rp_opt_parse(cli, argc, argv,
                          strcmp(sub, "show") ? opts : opts + 1, &a);
    if (!rc && by_id)
        rc = rp_cli_id(cli, &a, 0, "product", &id);
    if (!rc)
        rc = rp_cli_no_more(cli, &a, by_id);
    if (!rc)
        rc = rp_cli_open(cli);
    rp_error err;
    json_t *out = NULL;
    rp_code code = RP_OK;
    if (!rc && !strcmp(sub, "add"))
        code = rp_product_create(&cli->ctx, a.fields, &out, &err);
    else if (!rc && !strcmp(sub, "update"))
        code = rp_product_update(&cli->ctx, id, a.fields, &out, &err);
    else if (!rc)
        code = rp_product_get(&cli->ctx, id, &out, &err);
    rp_args_free(&a);
    return rc ? rc : rp_cli_finish(code, &err, out, json, NULL);
}

static int list(rp_cli *cli, int argc, char **argv)
{
    const char *category = NULL, *tag = NULL, *limit = NULL, *cursor = NULL;
    int json = 0;
    const rp_opt opts[] = {{"category", RP_OPT_TEXT, NULL, &category},
                           {"tag", RP_OPT_TEXT, NULL, &tag},
                           {"limit", RP_OPT_TEXT, NULL, &limit},
                           {"cursor", RP_OPT_TEXT, NULL, &cursor},
                           {"json", RP_OPT_FLAG, NULL, &json},
                           {0}};
    rp_args a;
    int rc = rp_opt_parse(cli, argc, argv, opts, &a);
    if (!rc)
        rc = rp_cli_no_more(cli, &a, 0);
    rp_args_free(&a);
    if (rc || (rc = rp_cli_open(cli)))
        return rc;
    rp_error err;
    rp_page_req page;
    json_t *out = NULL;
    rp_code code = rp_page_req_parse(limit, cursor, &page, &err);
    if (!code)
        code = rp_product_list(&cli->ctx, category, tag, &page, &out, &err);
    static const char *const cols[] = {"id",    "name", "category",
                                       "stock", "tags", NULL};
    return rp_cli_finish(code, &err, out, json, cols);
}

static const rp_subcommand subs[] = {
    {"add", one}, {"update", one}, {"show", one}, {"list", list}, {NULL, NULL}};

const rp_command rp_cmd_product = {"product", "the catalogue", help, subs,
                                   NULL};
