/*
 * password.c - where the CLI gets a password from: `rapport init` for the
 * first admin, `rapport agent add|passwd` for the others.
 *
 * Passwords never come from the command line (it shows in `ps` and shell
 * history): from an environment variable read with the rest of the
 * configuration, a terminal prompt without echo, or generated and printed
 * once.
 */
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"

/* Read a line from the terminal without echo. */
static int prompt_hidden(const char *prompt, char *out, size_t n)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return -1;
    struct termios old, quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &old) != 0) {
        fclose(tty);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs(prompt, tty);
    fflush(tty);
    tcsetattr(fd, TCSAFLUSH, &quiet);
    char *got = fgets(out, (int)n, tty);
    tcsetattr(fd, TCSAFLUSH, &old);
    fputs("\n", tty);
    fclose(tty);
    if (!got)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int rp_cli_read_password(const char *configured, const char *env, int generate,
                         char *out, size_t n, int *generated)
{
    *generated = 0;
    if (generate) {
        rp_password_generate(out, n < 21 ? n : 21); /* 20 characters */
        *generated = 1;
        return 0;
    }
    if (configured && *configured) {
        snprintf(out, n, "%s", configured);
        return 0;
    }
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr,
                "rapport: no password given: set %s, use "
                "--generate-password, or run on a terminal\n",
                env);
        return -1;
    }
    char again[256];
    if (prompt_hidden("Password: ", out, n) ||
        prompt_hidden("Password again: ", again, sizeof again)) {
        fprintf(stderr,
                "rapport: cannot read the password from the terminal\n");
        return -1;
    }
    if (strcmp(out, again) != 0) {
        fprintf(stderr, "rapport: the two passwords differ\n");
        return -1;
    }
    return 0;
}
