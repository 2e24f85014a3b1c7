/*
 * cmd_loyalty.c - `rapport loyalty CUSTOMER`: the tier a customer reaches
 * and its discount.
 */
#include "cli.h"

static const char help[] =
    "NAME\n"
    "    rapport loyalty - a customer's loyalty tier and discount\n"
    "\n"
    "SYNOPSIS\n"
    "    rapport loyalty CUSTOMER [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints tenure, visits (closed encounters), spend, the tier they\n"
    "    reach and its discount (tiers: GET /api/v1/loyalty/tiers).\n"
    "\n"
    "OPTIONS\n"
    "    --json      print JSON exactly as the HTTP API returns it\n"
    "\n"
    "EXAMPLES\n"
    "    rapport loyalty 8\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 2 usage error, 4 no such customer, 1 database error.\n";

static int run(rp_cli *cli, int argc, char **argv)
{
    return rp_cli_show(cli, argc, argv, "customer", rp_loyalty_for_customer);
}

const rp_command rp_cmd_loyalty = {
    "loyalty", "a customer's loyalty tier and discount", help, NULL, run};
