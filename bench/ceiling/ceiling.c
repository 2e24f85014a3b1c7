/*
 * ceiling.c - a bare libmicrohttpd server: the ceiling that rapportd's
 * reads are measured against (bench/view360, issue 13).
 *
 * It answers every request with one fixed JSON body, built once at start
 * (a given size, or a copy of a file: bench/view360 hands it the 360 view's
 * own reply), so whatever it costs is libmicrohttpd's and the kernel's, not
 * a database's or a JSON writer's.  To be a fair ceiling it runs
 * libmicrohttpd exactly as rapportd does (src/server/http.c): a pool of
 * worker threads each polling its connections with poll(), suspend and
 * resume allowed, an inter-thread channel, the same connection limits and
 * idle timeout; it returns on the access handler's first call and replies
 * on the second, and each reply is a new response from a malloc'd buffer
 * with the headers a JSON reply of rapportd carries.
 *
 *   ceiling [--port N] [--threads N] [--bytes N | --body FILE]
 *
 * Prints "listening on http://127.0.0.1:PORT" once it accepts, and runs
 * until SIGINT or SIGTERM.  Listens on loopback only.  Built with the
 * benchmarks, not installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *body;
static size_t body_len;

/* A JSON object of exactly n bytes (n >= 16): {"pad":"xxx...x"}. */
static int make_body(size_t n)
{
    if (n < 16)
        n = 16;
    body = malloc(n + 1);
    if (!body)
        return -1;
    memcpy(body, "{\"pad\":\"", 8);
    memset(body + 8, 'x', n - 10);
    memcpy(body + n - 2, "\"}", 2);
    body[n] = '\0';
    body_len = n;
    return 0;
}

static int read_body(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16;
    body = malloc(cap);
    body_len = 0;
    size_t got;
    while (body && (got = fread(body + body_len, 1, cap - body_len, f)) > 0) {
        body_len += got;
        if (body_len == cap) {
            char *more = realloc(body, cap *= 2);
            if (!more) {
                free(body);
                body = NULL;
            }
            body = more;
        }
    }
    fclose(f);
    return body ? 0 : -1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    static int started;
    if (!*con_cls) { /* the first call: reply on the next, as rapportd */
        *con_cls = &started;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    char *copy = malloc(body_len);
    if (!copy)
        return MHD_NO;
    memcpy(copy, body, body_len);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body_len, copy, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    unsigned port = 0, threads = 4;
    size_t bytes = 4096;
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
            bytes = (size_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--body") && i + 1 < argc)
            file = argv[++i];
        else {
            fprintf(stderr, "usage: ceiling [--port N] [--threads N] "
                            "[--bytes N | --body FILE]\n");
            return 2;
        }
    }
    if (file ? read_body(file) : make_body(bytes)) {
        fprintf(stderr, "ceiling: cannot make the reply body\n");
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) ||
        listen(fd, SOMAXCONN)) {
        fprintf(stderr, "ceiling: cannot listen: %s\n", strerror(errno));
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    /* rapportd's flags and options (src/server/http.c, rp_server_start),
     * with its defaults: 1,000 connections, 64 per address, 10 s idle */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
            MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        1000u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "ceiling: cannot start libmicrohttpd\n");
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("listening on http://127.0.0.1:%u (%zu-byte replies, %u "
           "threads)\n",
           ntohs(addr.sin_port), body_len, threads);
    fflush(stdout);
    while (!stop)
        pause();
    MHD_stop_daemon(d);
    close(fd);
    free(body);
    return 0;
}
