/*
 * cmd_product.c - `rapport product add|update|show|list`: the catalogue
 * recommendations are made from.
 */
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
/* add and update: the fields given, to a new product or product ID. */
static int write(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_write(cli, argc, argv, fields, "product", rp_product_create,
                        rp_product_update);
}

static int show(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_show(cli, argc, argv, "product", rp_product_get);
}

static int list(rp_cli *cli, int argc, char **argv)
{
    const char *category = NULL, *tag = NULL;
    rp_cli_page p = {0};
    const rp_opt opts[] = {{"category", RP_OPT_TEXT, NULL, &category},
                           {"tag", RP_OPT_TEXT, NULL, &tag},
                           RP_CLI_PAGE_OPTIONS(p),
                           {0}};
    int rc = rp_cli_args(cli, argc, argv, opts, NULL, NULL);
    if (rc || (rc = rp_cli_page_open(cli, &p)))
        return rc;
    rp_error err;
    json_t *out = NULL;
    rp_code code = rp_product_list(&cli->ctx, category, tag, &p.req, &out,
                                   &err);
    static const char *const cols[] = {"id",    "name", "category",
                                       "stock", "tags", NULL};
    return rp_cli_finish(code, &err, out, p.json, cols);
}

static const rp_subcommand subs[] = {{"add", write},
                                     {"update", write},
                                     {"show", show},
                                     {"list", list},
                                     {NULL, NULL}};

const rp_command rp_cmd_product = {"product", "the catalogue", help, subs,
                                   NULL};
