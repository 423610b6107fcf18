/*
 * The naxd test harness (see harness.h): a real server per test file, raw
 * operator and webhook requests over libcurl, and users with money.
 */
#include "harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "auth/auth.h"
#include "core/core.h"

#define START_TIMEOUT_MS 60000 /* ASan builds and first-start migrations are slow */
#define STOP_TIMEOUT_MS  20000
#define MAX_LIVE         16

static const char *const sanitizer_markers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                "runtime error:"};

/* ---- time and small helpers ------------------------------------------------------ */

int64_t naxh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

nax_decimal naxh_dec(const char *text)
{
    nax_decimal d;
    if (nax_decimal_parse(&d, text, strlen(text), NULL) != 0) {
        fprintf(stderr, "harness: \"%s\" is not a decimal\n", text);
        abort();
    }
    return d;
}

static int random_hex(char *out, size_t bytes)
{
    unsigned char raw[64];
    if (bytes > sizeof raw || nax__random_bytes(raw, bytes) != 0)
        return -1;
    nax__hex_encode(out, raw, bytes);
    return 0;
}

static int webhook_secret(char out[80])
{
    unsigned char raw[24];
    nax_buf b = NAX_BUF_INIT;
    int rc = nax__random_bytes(raw, sizeof raw);
    if (!rc)
        rc = nax__buf_append_str(&b, "whsec_");
    if (!rc)
        rc = nax__base64_encode(&b, raw, sizeof raw);
    if (!rc)
        snprintf(out, 80, "%s", b.data);
    nax_buf_dispose(&b);
    return rc ? -1 : 0;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = 0;
    return buf;
}

static void path_in(char *out, size_t size, const naxh_server *s, const char *name)
{
    snprintf(out, size, "%s/%s", s->dir, name);
}

/* Prints the last `lines` lines of naxd's stderr. */
static void stderr_tail(const naxh_server *s, int lines)
{
    char path[320];
    path_in(path, sizeof path, s, "stderr.log");
    char *text = read_text(path);
    if (!text)
        return;
    size_t len = strlen(text);
    const char *p = text + len;
    while (p > text && lines > 0)
        if (*--p == '\n')
            lines--;
    fprintf(stderr, "---- naxd stderr (%s) ----\n%s\n----\n", path, p);
    free(text);
}

/* ---- servers still running at exit ------------------------------------------------- */

/* Copies, not pointers: a server struct may be gone by the time exit runs.
 * A slot lives from naxh_start to naxh_stop; pid is 0 while naxd is down. */
static struct {
    char dir[256];
    pid_t pid;
} live[MAX_LIVE];

static void remove_tree(const char *path);

/* At exit: no orphan naxd, no leftover folder (unless NAXH_KEEP is set). */
static void clean_live(void)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (live[i].pid > 0) {
            kill(live[i].pid, SIGKILL);
            waitpid(live[i].pid, NULL, 0);
        }
        if (live[i].dir[0] && !getenv("NAXH_KEEP"))
            remove_tree(live[i].dir);
        live[i].pid = 0;
        live[i].dir[0] = 0;
    }
}

static int slot_of(const char *dir)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i].dir[0] && !strcmp(live[i].dir, dir))
            return i;
    return -1;
}

static void track_dir(const char *dir)
{
    static int registered;
    if (!registered) {
        atexit(clean_live);
        registered = 1;
    }
    for (int i = 0; i < MAX_LIVE; i++)
        if (!live[i].dir[0]) {
            snprintf(live[i].dir, sizeof live[i].dir, "%s", dir);
            live[i].pid = 0;
            return;
        }
}

static void track_pid(const naxh_server *s, pid_t pid)
{
    int i = slot_of(s->dir);
    if (i >= 0)
        live[i].pid = pid;
}

static void untrack_dir(const char *dir)
{
    int i = slot_of(dir);
    if (i >= 0) {
        live[i].dir[0] = 0;
        live[i].pid = 0;
    }
}

/* ---- configuration ---------------------------------------------------------------- */

static void emit(yajl_gen g, yajl_val v)
{
    if (YAJL_IS_STRING(v)) {
        const char *str = YAJL_GET_STRING(v);
        yajl_gen_string(g, (const unsigned char *)str, strlen(str));
    } else if (YAJL_IS_NUMBER(v)) {
        const char *num = YAJL_GET_NUMBER(v);
        yajl_gen_number(g, num, strlen(num));
    } else if (YAJL_IS_OBJECT(v)) {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            const char *k = v->u.object.keys[i];
            yajl_gen_string(g, (const unsigned char *)k, strlen(k));
            emit(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            emit(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else {
        yajl_gen_null(g);
    }
}

static int has_key(yajl_val obj, const char *key)
{
    for (size_t i = 0; obj && i < obj->u.object.len; i++)
        if (!strcmp(obj->u.object.keys[i], key))
            return 1;
    return 0;
}

/* The default test config with the overrides' top-level members replacing its own. */
static int write_config(naxh_server *s, const char *overrides, const char *path)
{
    char def[2048];
    snprintf(def, sizeof def,
             "{\"kdf\":{\"m_cost_kib\":64,\"t_cost\":1,\"parallelism\":1},"
             "\"kdf_test_only\":true,"
             "\"webhook_providers\":{\"payments\":[\"%s\"],\"custody\":[\"%s\"],\"kyc\":[\"%s\"]},"
             "\"operator_token\":\"%s\","
             "\"rate_limits\":{\"default\":{\"rate\":100000,\"burst\":200000},"
             "\"auth\":{\"rate\":1000,\"burst\":2000},"
             "\"login_failures\":{\"rate\":100,\"burst\":200}}}",
             s->payments_secret, s->custody_secret, s->kyc_secret, s->operator_token);
    char err[256] = "";
    yajl_val base = yajl_tree_parse(def, err, sizeof err);
    yajl_val over = overrides ? yajl_tree_parse(overrides, err, sizeof err) : NULL;
    if (!base || (overrides && (!over || !YAJL_IS_OBJECT(over)))) {
        fprintf(stderr, "harness: config overrides are not a JSON object: %s\n", err);
        yajl_tree_free(base);
        yajl_tree_free(over);
        return -1;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_map_open(g);
    for (size_t i = 0; i < base->u.object.len; i++) {
        const char *k = base->u.object.keys[i];
        if (has_key(over, k))
            continue;
        yajl_gen_string(g, (const unsigned char *)k, strlen(k));
        emit(g, base->u.object.values[i]);
    }
    for (size_t i = 0; over && i < over->u.object.len; i++) {
        const char *k = over->u.object.keys[i];
        yajl_gen_string(g, (const unsigned char *)k, strlen(k));
        emit(g, over->u.object.values[i]);
    }
    yajl_gen_map_close(g);
    const unsigned char *text;
    size_t len;
    yajl_gen_get_buf(g, &text, &len);
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    yajl_gen_free(g);
    yajl_tree_free(base);
    yajl_tree_free(over);
    return rc;
}

/* ---- the process ------------------------------------------------------------------- */

static int spawn(naxh_server *s)
{
    const char *bin = getenv("NAXD_BIN");
    if (!bin || access(bin, X_OK) != 0) {
        fprintf(stderr, "harness: NAXD_BIN does not name an executable naxd (%s)\n",
                bin ? bin : "unset");
        return -1;
    }
    char listen[32], data[320], config[320], out_path[320], err_path[320];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
    path_in(data, sizeof data, s, "data");
    path_in(config, sizeof config, s, "config.json");
    path_in(out_path, sizeof out_path, s, "stdout.log");
    path_in(err_path, sizeof err_path, s, "stderr.log");
    int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (out_fd < 0 || err_fd < 0) {
        perror("harness: naxd log files");
        if (out_fd >= 0)
            close(out_fd);
        if (err_fd >= 0)
            close(err_fd);
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* naxd dies with the test even when the test is killed (a ctest
         * timeout runs no atexit handler). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(out_fd, STDOUT_FILENO);
        dup2(err_fd, STDERR_FILENO);
        int null_fd = open("/dev/null", O_RDONLY);
        if (null_fd >= 0)
            dup2(null_fd, STDIN_FILENO);
        setenv("NAXD_JWT_SECRET", s->jwt_secret, 1);
        if (s->tls_cert[0])
            execl(bin, bin, "--listen", listen, "--data", data, "--config", config,
                  "--fault-injection", "--quiet", "--tls-cert", s->tls_cert, "--tls-key",
                  s->tls_key, (char *)NULL);
        else
            execl(bin, bin, "--listen", listen, "--data", data, "--config", config,
                  "--fault-injection", "--quiet", (char *)NULL);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    if (pid < 0) {
        perror("harness: fork");
        return -1;
    }
    s->pid = pid;
    track_pid(s, pid);
    return 0;
}

/* Waits for the {"event":"listening",...} line; fills port, url, started_ms. */
static int await_listening(naxh_server *s)
{
    char out_path[320];
    path_in(out_path, sizeof out_path, s, "stdout.log");
    for (long waited = 0; waited < START_TIMEOUT_MS; waited += 20) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            fprintf(stderr, "harness: naxd exited (status %d) before listening\n", status);
            s->pid = 0;
            track_pid(s, 0);
            stderr_tail(s, 40);
            return -1;
        }
        char *text = read_text(out_path);
        char *nl = text ? strchr(text, '\n') : NULL;
        if (nl) {
            *nl = 0;
            char err[128];
            yajl_val doc = yajl_tree_parse(text, err, sizeof err);
            const char *port_path[] = {"port", NULL}, *started_path[] = {"started_ms", NULL};
            yajl_val port = doc ? yajl_tree_get(doc, port_path, yajl_t_number) : NULL;
            yajl_val started = doc ? yajl_tree_get(doc, started_path, yajl_t_number) : NULL;
            int ok = port && YAJL_IS_INTEGER(port);
            if (ok) {
                s->port = (int)YAJL_GET_INTEGER(port);
                s->started_ms = started && YAJL_IS_INTEGER(started) ? YAJL_GET_INTEGER(started) : 0;
                snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d",
                         s->tls_cert[0] ? "https" : "http", s->port);
            } else {
                fprintf(stderr, "harness: unexpected first line from naxd: %s\n", text);
            }
            yajl_tree_free(doc);
            free(text);
            return ok ? 0 : -1;
        }
        free(text);
        sleep_ms(20);
    }
    fprintf(stderr, "harness: naxd did not listen within %d ms\n", START_TIMEOUT_MS);
    stderr_tail(s, 40);
    return -1;
}

/* SIGTERM (or `sig`), wait, SIGKILL after the timeout; records exit_status. */
static void end_process(naxh_server *s, int sig)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, sig);
    int status = 0, reaped = 0;
    for (long waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            reaped = 1;
            break;
        }
        sleep_ms(10);
    }
    if (!reaped) {
        fprintf(stderr, "harness: naxd did not exit within %d ms of signal %d\n", STOP_TIMEOUT_MS,
                sig);
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
    s->pid = 0;
    track_pid(s, 0);
    int clean = reaped && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (sig != SIGTERM) /* a deliberate kill: only sanitizer reports count */
        clean = 1;
    char path[320];
    path_in(path, sizeof path, s, "stderr.log");
    char *text = read_text(path);
    for (size_t i = 0; text && i < sizeof sanitizer_markers / sizeof sanitizer_markers[0]; i++)
        if (strstr(text, sanitizer_markers[i]))
            clean = 0;
    free(text);
    if (!clean) {
        fprintf(stderr, "harness: naxd ended badly (status 0x%x)\n", (unsigned)status);
        stderr_tail(s, 80);
        s->exit_status = 1;
    }
}

static int start(naxh_server *s, const char *config_overrides_json);

int naxh_start(naxh_server *s, const char *config_overrides_json)
{
    memset(s, 0, sizeof(*s));
    return start(s, config_overrides_json);
}

int naxh_start_tls(naxh_server *s, const char *config_overrides_json, const char *cert_pem,
                   const char *key_pem)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->tls_cert, sizeof s->tls_cert, "%s", cert_pem);
    snprintf(s->tls_key, sizeof s->tls_key, "%s", key_pem);
    return start(s, config_overrides_json);
}

static int start(naxh_server *s, const char *config_overrides_json)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/naxh-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        perror("harness: mkdtemp");
        s->dir[0] = 0;
        return -1;
    }
    track_dir(s->dir);
    char hex[65];
    if (random_hex(hex, 16) != 0)
        return -1;
    snprintf(s->operator_token, sizeof s->operator_token, "op_%s", hex);
    if (random_hex(s->jwt_secret, 32) != 0 || webhook_secret(s->payments_secret) != 0 ||
        webhook_secret(s->custody_secret) != 0 || webhook_secret(s->kyc_secret) != 0)
        return -1;
    char config[320];
    path_in(config, sizeof config, s, "config.json");
    if (write_config(s, config_overrides_json, config) != 0)
        return -1;
    if (spawn(s) != 0)
        return -1;
    return await_listening(s);
}

int naxh_restart(naxh_server *s)
{
    end_process(s, SIGTERM);
    if (spawn(s) != 0)
        return -1;
    return await_listening(s);
}

void naxh_kill(naxh_server *s, int sig)
{
    end_process(s, sig);
}

/* rm -rf path (no symlinks followed). */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void naxh_stop(naxh_server *s)
{
    end_process(s, SIGTERM);
    if (s->dir[0]) {
        if (s->exit_status == 0 || !getenv("NAXH_KEEP"))
            remove_tree(s->dir);
        untrack_dir(s->dir);
        s->dir[0] = 0;
    }
}

/* ---- raw HTTP ------------------------------------------------------------------- */

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
    nax_buf *b = userdata;
    return nax__buf_append(b, data, size * n) == 0 ? size * n : 0;
}

int naxh_http(naxh_server *s, const char *method, const char *path, const char *const *headers,
              size_t headers_count, const char *body, int *status, nax_buf *body_out)
{
    *status = 0;
    CURL *curl = curl_easy_init();
    if (!curl)
        return -1;
    char url[512];
    snprintf(url, sizeof url, "%s%s", s->url, path);
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < headers_count; i++)
        list = curl_slist_append(list, headers[i]);
    nax_buf sink = NAX_BUF_INIT;
    nax_buf *out = body_out ? body_out : &sink;
    nax__buf_reset(out);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, out);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    else
        fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
    *status = (int)code;
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    nax_buf_dispose(&sink);
    return rc == CURLE_OK ? 0 : -1;
}

int naxh_admin(naxh_server *s, const char *method, const char *path, const char *json, int *status,
               nax_buf *body_out)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s->operator_token);
    const char *headers[] = {auth, "Content-Type: application/json"};
    return naxh_http(s, method, path, headers, json ? 2 : 1, json, status, body_out);
}

int naxh_fault(naxh_server *s, const char *json)
{
    int status;
    if (naxh_admin(s, "POST", "/admin/faults", json, &status, NULL) != 0)
        return -1;
    return status == 204 || status == 200 || status == 201 ? 0 : -1;
}

int naxh_faults_clear(naxh_server *s)
{
    int status;
    if (naxh_admin(s, "DELETE", "/admin/faults", NULL, &status, NULL) != 0)
        return -1;
    return status == 204 || status == 200 ? 0 : -1;
}

int naxh_stream_fault(naxh_server *s, const char *json)
{
    int status = 0;
    if (naxh_admin(s, "POST", "/admin/stream-faults", json, &status, NULL) != 0)
        return -1;
    return status == 204 ? 0 : -1;
}

int64_t naxh_metric_sum(naxh_server *s, const char *prefix)
{
    nax_buf body = NAX_BUF_INIT;
    int status;
    int64_t sum = -1;
    if (naxh_http(s, "GET", "/metrics", NULL, 0, NULL, &status, &body) == 0 && status == 200) {
        sum = 0;
        size_t plen = strlen(prefix);
        for (char *line = body.data; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = 0;
            if (!strncmp(line, prefix, plen)) {
                const char *value = strrchr(line, ' ');
                if (value)
                    sum += strtoll(value + 1, NULL, 10);
            }
            line = nl ? nl + 1 : NULL;
        }
    }
    nax_buf_dispose(&body);
    return sum;
}

/* ---- tokens ------------------------------------------------------------------------ */

int naxh_expired_token(naxh_server *s, const char *access_token, char *out, size_t size)
{
    int64_t now = naxh_now_ms() / 1000;
    nax__jwt_expect expect = {"naxd", "nax-api", "access", NULL, now, 30};
    nax__jwt_claims c;
    nax__jwt_status st = nax__jwt_verify(&c, access_token, strlen(access_token), s->jwt_secret,
                                         strlen(s->jwt_secret), &expect);
    if (st != NAX__JWT_OK) {
        fprintf(stderr, "harness: the access token does not verify: %s\n", nax__jwt_status_str(st));
        return -1;
    }
    c.iat = now - 1000;
    c.nbf = 0;
    c.exp = now - 120;
    nax_buf b = NAX_BUF_INIT;
    int rc = nax__jwt_sign(&b, s->jwt_secret, strlen(s->jwt_secret), &c);
    if (!rc && b.len < size)
        snprintf(out, size, "%s", b.data);
    else
        rc = -1;
    nax_buf_dispose(&b);
    return rc ? -1 : 0;
}

/* ---- clients and users ----------------------------------------------------------- */

int naxh_client(naxh_server *s, const nax_client_options *opts, nax_client **out)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    if (opts)
        o = *opts;
    o.base_url = s->url;
    int rc = nax_client_new(out, &o);
    if (rc)
        fprintf(stderr, "harness: nax_client_new: %s\n", nax_error_last()->message);
    return rc;
}

static int fail(const char *what)
{
    const nax_error *e = nax_error_last();
    fprintf(stderr, "harness: %s: %s (%d, HTTP %d, %s)\n", what, e->message, e->code,
            e->http_status, e->server_code);
    return e->code ? e->code : -1;
}

int naxh_user_new(naxh_server *s, naxh_user *u)
{
    memset(u, 0, sizeof(*u));
    char hex[25];
    if (random_hex(hex, 6) != 0)
        return -1;
    snprintf(u->email, sizeof u->email, "user-%s@example.com", hex);
    snprintf(u->password, sizeof u->password, "Correct-Horse-7-Battery");
    if (naxh_client(s, NULL, &u->client) != 0)
        return -1;
    nax_register_request reg = {sizeof reg, u->email, u->password, "Test User", "AU"};
    nax_profile *p = NULL;
    if (nax_auth_register(u->client, &reg, &p) != 0)
        return fail("register");
    snprintf(u->id, sizeof u->id, "%s", p->id);
    nax_object_free(p);
    nax_login_request login = {sizeof login, u->email, u->password, NULL};
    if (nax_auth_login(u->client, &login, NULL) != 0)
        return fail("login");
    return 0;
}

int naxh_user_api_key(naxh_server *s, naxh_user *u, unsigned int scopes)
{
    (void)s;
    nax_api_key_request req = {sizeof req, "harness", scopes};
    nax_api_key *key = NULL;
    if (nax_api_keys_create(u->client, &req, &key) != 0)
        return fail("create API key");
    snprintf(u->api_key, sizeof u->api_key, "%s", key->id);
    snprintf(u->api_secret, sizeof u->api_secret, "%s", key->secret ? key->secret : "");
    nax_object_free(key);
    return 0;
}

int naxh_key_client(naxh_server *s, const naxh_user *u, nax_client **out)
{
    nax_client_options o = NAX_CLIENT_OPTIONS_INIT;
    o.api_key = u->api_key;
    o.api_secret = u->api_secret;
    return naxh_client(s, &o, out);
}

int naxh_kyc_verify(naxh_server *s, naxh_user *u)
{
    char path[96];
    snprintf(path, sizeof path, "/admin/users/%s/kyc", u->id);
    int status;
    if (naxh_admin(s, "POST", path, "{\"status\":\"verified\"}", &status, NULL) != 0 ||
        status != 200) {
        fprintf(stderr, "harness: KYC of %s: HTTP %d\n", u->id, status);
        return -1;
    }
    u->kyc_verified = 1;
    return 0;
}

/* A webhook event JSON with a fresh id; `data` is the data object's text. */
static int event_json(char *out, size_t size, const char *type, const char *data)
{
    char hex[33];
    if (random_hex(hex, 16) != 0)
        return -1;
    int n =
        snprintf(out, size, "{\"id\":\"msg_%s\",\"type\":\"%s\",\"created_at\":%lld,\"data\":%s}",
                 hex, type, (long long)naxh_now_ms(), data);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static int expect_webhook(naxh_server *s, const char *provider, const char *event)
{
    int status = 0;
    if (naxh_webhook(s, provider, event, &status) != 0 || status != 204) {
        fprintf(stderr, "harness: %s webhook answered %d: %s\n", provider, status, event);
        return -1;
    }
    return 0;
}

int naxh_fund_fiat(naxh_server *s, naxh_user *u, const char *currency, const char *amount)
{
    if (!u->kyc_verified && naxh_kyc_verify(s, u) != 0)
        return -1;
    nax_fiat_deposit_request req = {sizeof req, currency, naxh_dec(amount),
                                    !strcmp(currency, "AUD")   ? NAX_FIAT_METHOD_PAYID
                                    : !strcmp(currency, "USD") ? NAX_FIAT_METHOD_ACH
                                                               : NAX_FIAT_METHOD_BANK_TRANSFER};
    nax_fiat_tx *tx = NULL;
    if (nax_fiat_deposit(u->client, &req, &tx) != 0)
        return fail("fiat deposit");
    char data[256], event[512];
    snprintf(data, sizeof data, "{\"reference\":\"%s\",\"amount\":\"%s\",\"currency\":\"%s\"}",
             tx->reference, amount, currency);
    nax_object_free(tx);
    if (event_json(event, sizeof event, "payment.succeeded", data) != 0)
        return -1;
    return expect_webhook(s, "payments", event);
}

int naxh_fund_crypto(naxh_server *s, naxh_user *u, const char *asset, const char *amount)
{
    if (!u->kyc_verified && naxh_kyc_verify(s, u) != 0)
        return -1;
    nax_deposit_address_request req = {sizeof req, asset, NULL};
    nax_deposit_address *addr = NULL;
    if (nax_wallets_deposit_address(u->client, &req, &addr) != 0)
        return fail("deposit address");
    char tx_hash[65], data[384], event[640];
    if (random_hex(tx_hash, 32) != 0) {
        nax_object_free(addr);
        return -1;
    }
    snprintf(data, sizeof data,
             "{\"amount\":\"%s\",\"currency\":\"%s\",\"address\":\"%s\",\"tx_hash\":\"%s\"}",
             amount, asset, addr->address, tx_hash);
    nax_object_free(addr);
    if (event_json(event, sizeof event, "deposit.confirmed", data) != 0)
        return -1;
    return expect_webhook(s, "custody", event);
}

int naxh_webhook(naxh_server *s, const char *provider, const char *json_event, int *status)
{
    *status = 0;
    const char *secret = !strcmp(provider, "payments")  ? s->payments_secret
                         : !strcmp(provider, "custody") ? s->custody_secret
                         : !strcmp(provider, "kyc")     ? s->kyc_secret
                                                        : NULL;
    char err[128];
    yajl_val doc = yajl_tree_parse(json_event, err, sizeof err);
    const char *id_path[] = {"id", NULL};
    yajl_val id = doc ? yajl_tree_get(doc, id_path, yajl_t_string) : NULL;
    if (!secret || !id) {
        fprintf(stderr, "harness: webhook for %s without a secret or an id\n", provider);
        yajl_tree_free(doc);
        return -1;
    }
    int64_t ts = naxh_now_ms() / 1000;
    nax_buf sig = NAX_BUF_INIT;
    int rc =
        nax_webhook_sign(&sig, secret, YAJL_GET_STRING(id), ts, json_event, strlen(json_event));
    char h_id[192], h_ts[64], h_sig[192], path[96];
    if (!rc) {
        snprintf(h_id, sizeof h_id, "webhook-id: %s", YAJL_GET_STRING(id));
        snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)ts);
        snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig.data);
        snprintf(path, sizeof path, "/v1/webhooks/%s", provider);
        const char *headers[] = {h_id, h_ts, h_sig, "Content-Type: application/json"};
        rc = naxh_http(s, "POST", path, headers, 4, json_event, status, NULL);
    }
    nax_buf_dispose(&sig);
    yajl_tree_free(doc);
    return rc ? -1 : 0;
}

void naxh_user_free(naxh_user *u)
{
    nax_client_free(u->client);
    memset(u, 0, sizeof(*u));
}
