/*
 * config.c: where the URL and the credentials come from. Flags beat the
 * environment, which beats the configuration file. The file holds secrets,
 * so it is used only when nobody else can read it (mode 0600, owned by the
 * user) and it is written the same way. No message ever quotes a value read
 * from it: only file names, line numbers and key names.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const providers[] = {"payments", "custody", "kyc"};

int cli_provider_index(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, providers[i]))
            return i;
    return -1;
}

static void set_value(cli_value *v, const char *text, cli_source src)
{
    cli_free_secret(v->value);
    v->value = cli_strdup(text);
    v->source = src;
}

static void clear_value(cli_value *v)
{
    cli_free_secret(v->value);
    v->value = NULL;
    v->source = SRC_NONE;
}

/* Takes the value when nothing better set it already. */
static void offer(cli_value *v, const char *text, cli_source src)
{
    if (text && *text && (v->source == SRC_NONE || src < v->source))
        set_value(v, text, src);
}

/* The default file: $XDG_CONFIG_HOME/nax/config, else ~/.config/nax/config. */
static char *default_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    const char *base = xdg && *xdg == '/' ? xdg : NULL;
    const char *suffix = base ? "/nax/config" : "/.config/nax/config";
    if (!base)
        base = home && *home ? home : NULL;
    if (!base)
        return NULL;
    char *p = cli_alloc(strlen(base) + strlen(suffix) + 1);
    strcpy(p, base);
    strcat(p, suffix);
    return p;
}

/*
 * Open the file for reading after checking it is a regular file of the user
 * that nobody else may read or write. Returns the descriptor, -2 when the
 * file does not exist, or -1 after printing why it is refused.
 */
static int open_checked(cli *c, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return -2;
        out_fail(c, EXIT_USAGE, "cannot open the config file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        out_fail(c, EXIT_USAGE, "the config file %s is not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        out_fail(c, EXIT_USAGE,
                 "refusing the config file %s: it is owned by uid %lu, not by you (uid %lu)", path,
                 (unsigned long)st.st_uid, (unsigned long)geteuid());
        close(fd);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        out_fail(c, EXIT_USAGE,
                 "refusing the config file %s: its mode is %04o, but it holds secrets and "
                 "must be 0600 (chmod 600 %s)",
                 path, (unsigned)(st.st_mode & 07777), path);
        close(fd);
        return -1;
    }
    return fd;
}

/* Keys the file may hold. */
static const char *const file_keys[] = {"url",
                                        "api_key",
                                        "api_secret",
                                        "token",
                                        "refresh_token",
                                        "email",
                                        "webhook_secret_payments",
                                        "webhook_secret_custody",
                                        "webhook_secret_kyc",
                                        NULL};

static int known_key(const char *k)
{
    for (int i = 0; file_keys[i]; i++)
        if (!strcmp(k, file_keys[i]))
            return 1;
    return 0;
}

/* Splits "key = value" in place (trimmed; a value in double quotes loses
 * them). Returns 1 for a pair, 0 for a blank or comment line, -1 when
 * malformed. */
static int split_line(char *line, char **key, char **value)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strlen(p);
    while (len &&
           (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
        p[--len] = '\0';
    if (!*p || *p == '#')
        return 0;
    char *eq = strchr(p, '=');
    if (!eq)
        return -1;
    char *kend = eq;
    while (kend > p && (kend[-1] == ' ' || kend[-1] == '\t'))
        kend--;
    *kend = '\0';
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
        v[vlen - 1] = '\0';
        v++;
    }
    if (!*p)
        return -1;
    for (char *k = p; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
            return -1;
    *key = p;
    *value = v;
    return 1;
}

/* Reads the file into the config (as SRC_FILE). Returns 0, or EXIT_USAGE
 * after printing what is wrong. A missing default file is fine. */
static int read_file(cli *c, cli_config *cfg)
{
    int fd = open_checked(c, cfg->path);
    if (fd == -2) {
        if (!cfg->path_explicit)
            return 0;
        out_fail(c, EXIT_USAGE, "the config file %s does not exist", cfg->path);
        return EXIT_USAGE;
    }
    if (fd < 0)
        return EXIT_USAGE;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        out_fail(c, EXIT_USAGE, "cannot read the config file %s", cfg->path);
        return EXIT_USAGE;
    }
    char *line = NULL, *key, *value;
    size_t cap = 0;
    unsigned seen = 0; /* bit per file_keys entry */
    int lineno = 0, rc = 0;
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        int kind = split_line(line, &key, &value);
        if (kind == 0)
            continue;
        if (kind < 0) {
            out_fail(c, EXIT_USAGE, "%s line %d: expected 'key = value'", cfg->path, lineno);
            rc = EXIT_USAGE;
            break;
        }
        if (!known_key(key)) {
            out_fail(c, EXIT_USAGE,
                     "%s line %d: unknown key '%.40s' (known: url, api_key, api_secret, "
                     "token, refresh_token, email, webhook_secret_PROVIDER)",
                     cfg->path, lineno, key);
            rc = EXIT_USAGE;
            break;
        }
        int idx = 0;
        while (strcmp(file_keys[idx], key))
            idx++;
        if (seen & (1u << idx)) {
            out_fail(c, EXIT_USAGE, "%s line %d: '%s' is set twice", cfg->path, lineno, key);
            rc = EXIT_USAGE;
            break;
        }
        seen |= 1u << idx;
        if (!strcmp(key, "url"))
            offer(&cfg->url, value, SRC_FILE);
        else if (!strcmp(key, "api_key"))
            offer(&cfg->api_key, value, SRC_FILE);
        else if (!strcmp(key, "api_secret"))
            offer(&cfg->api_secret, value, SRC_FILE);
        else if (!strcmp(key, "token"))
            offer(&cfg->token, value, SRC_FILE);
        else if (!strcmp(key, "refresh_token"))
            offer(&cfg->refresh, value, SRC_FILE);
        else if (!strcmp(key, "email"))
            offer(&cfg->email, value, SRC_FILE);
        else if (*value) {
            int p = cli_provider_index(key + strlen("webhook_secret_"));
            cli_free_secret(cfg->file_webhook[p]);
            cfg->file_webhook[p] = cli_strdup(value);
        }
    }
    if (line) {
        memset(line, 0, cap); /* it held secrets */
        free(line);
    }
    fclose(f);
    return rc;
}

static const char *source_name(cli_source s)
{
    return s == SRC_FLAG  ? "the command line"
           : s == SRC_ENV ? "the environment"
                          : "the config file";
}

int cli_config_load(cli *c, const cli_flags *flags)
{
    cli_config *cfg = &c->cfg;
    memset(cfg, 0, sizeof *cfg);
    if (flags->config && *flags->config) {
        cfg->path = cli_strdup(flags->config);
        cfg->path_explicit = 1;
    } else {
        cfg->path = default_path();
    }

    offer(&cfg->url, flags->url, SRC_FLAG);
    offer(&cfg->api_key, flags->api_key, SRC_FLAG);
    offer(&cfg->api_secret, flags->api_secret, SRC_FLAG);
    offer(&cfg->token, flags->token, SRC_FLAG);
    if (flags->token && *flags->token &&
        ((flags->api_key && *flags->api_key) || (flags->api_secret && *flags->api_secret))) {
        out_fail(c, EXIT_USAGE, "give either --api-key/--api-secret or --token, not both");
        return EXIT_USAGE;
    }
    offer(&cfg->url, getenv("NAX_URL"), SRC_ENV);
    offer(&cfg->api_key, getenv("NAX_API_KEY"), SRC_ENV);
    offer(&cfg->api_secret, getenv("NAX_API_SECRET"), SRC_ENV);
    offer(&cfg->token, getenv("NAX_TOKEN"), SRC_ENV);
    offer(&cfg->email, getenv("NAX_EMAIL"), SRC_ENV);
    if (cfg->path) {
        int rc = read_file(c, cfg);
        if (rc)
            return rc;
    }

    /* One kind of credential: the one given at the best level; at the same
     * level a session token wins over a key (login --save adds a session to
     * a file that may hold a key). The id and secret of a key may come from
     * different levels, so a secret can stay out of the command line. */
    int have_key = cfg->api_key.value || cfg->api_secret.value;
    if (have_key && cfg->token.value) {
        cli_source key_src = cfg->api_key.source;
        if (cfg->api_secret.source && (!key_src || cfg->api_secret.source < key_src))
            key_src = cfg->api_secret.source;
        if (key_src < cfg->token.source) {
            clear_value(&cfg->token);
        } else {
            clear_value(&cfg->api_key);
            clear_value(&cfg->api_secret);
            have_key = 0;
        }
    }
    /* The file's refresh token belongs to the file's session, no other. */
    if (cfg->token.source != SRC_FILE)
        clear_value(&cfg->refresh);
    if (have_key && (!cfg->api_key.value || !cfg->api_secret.value)) {
        cli_value *has = cfg->api_key.value ? &cfg->api_key : &cfg->api_secret;
        out_fail(c, EXIT_USAGE,
                 "an API key needs its id and its secret, but only the %s was given (in %s); "
                 "set %s",
                 cfg->api_key.value ? "id" : "secret", source_name(has->source),
                 cfg->api_key.value ? "NAX_API_SECRET, api_secret or --api-secret"
                                    : "NAX_API_KEY, api_key or --api-key");
        return EXIT_USAGE;
    }
    return 0;
}

void cli_config_free(cli_config *cfg)
{
    free(cfg->path);
    clear_value(&cfg->url);
    clear_value(&cfg->api_key);
    clear_value(&cfg->api_secret);
    clear_value(&cfg->token);
    clear_value(&cfg->refresh);
    clear_value(&cfg->email);
    for (int i = 0; i < 3; i++)
        cli_free_secret(cfg->file_webhook[i]);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- saving ------------------------------------------------------------------------------ */

/* mkdir -p of the folder of `path`, new folders 0700. */
static int make_parent(cli *c, const char *path)
{
    char *dir = cli_strdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; *p; p++) {
            if (*p != '/')
                continue;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                rc = -1;
            *p = '/';
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = -1;
    }
    if (rc)
        out_fail(c, EXIT_SYSTEM, "cannot create the folder %s: %s", dir, strerror(errno));
    free(dir);
    return rc;
}

/* Appends to a growing text. */
typedef struct text {
    char *data;
    size_t len, cap;
} text;

static void text_add(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *grown = cli_alloc(cap);
        if (t->data) {
            memcpy(grown, t->data, t->len);
            memset(t->data, 0, t->cap); /* it holds secrets */
            free(t->data);
        }
        t->data = grown;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static const char *pair_value(const char *const *pairs, const char *key, int *found)
{
    for (size_t i = 0; pairs[i]; i += 2)
        if (!strcmp(pairs[i], key)) {
            *found = 1;
            return pairs[i + 1];
        }
    *found = 0;
    return NULL;
}

int cli_config_save(cli *c, const char *const *pairs, int *removed)
{
    const cli_config *cfg = &c->cfg;
    int dropped = 0;
    if (removed)
        *removed = 0;
    if (!cfg->path) {
        out_fail(c, EXIT_USAGE, "no config file to save to (set HOME or use --config)");
        return EXIT_USAGE;
    }
    text out = {NULL, 0, 0};
    size_t npairs = 0;
    while (pairs[npairs])
        npairs += 2;
    char *written = cli_alloc(npairs / 2 + 1); /* which pairs are in the output */

    int fd = open_checked(c, cfg->path);
    if (fd == -1) {
        free(written);
        return EXIT_USAGE;
    }
    if (fd >= 0) {
        FILE *f = fdopen(fd, "r");
        char *line = NULL, *key, *value;
        size_t cap = 0;
        while (f && getline(&line, &cap, f) >= 0) {
            char *copy = cli_strdup(line);
            int found = 0;
            if (split_line(copy, &key, &value) == 1) {
                const char *v = pair_value(pairs, key, &found);
                if (found) {
                    size_t idx = 0;
                    while (strcmp(pairs[idx], key))
                        idx += 2;
                    if (v && !written[idx / 2]) {
                        text_add(&out, key, strlen(key));
                        text_add(&out, " = ", 3);
                        text_add(&out, v, strlen(v));
                        text_add(&out, "\n", 1);
                    }
                    dropped += !v;
                    written[idx / 2] = 1;
                }
            }
            cli_free_secret(copy);
            if (!found) {
                text_add(&out, line, strlen(line));
                if (out.len && out.data[out.len - 1] != '\n')
                    text_add(&out, "\n", 1);
            }
        }
        if (line) {
            memset(line, 0, cap);
            free(line);
        }
        if (f)
            fclose(f);
        else
            close(fd);
    }
    for (size_t i = 0; pairs[i]; i += 2) {
        if (written[i / 2] || !pairs[i + 1])
            continue;
        text_add(&out, pairs[i], strlen(pairs[i]));
        text_add(&out, " = ", 3);
        text_add(&out, pairs[i + 1], strlen(pairs[i + 1]));
        text_add(&out, "\n", 1);
    }
    free(written);

    int rc = EXIT_SYSTEM;
    char *tmp = NULL;
    if (make_parent(c, cfg->path) == 0) {
        tmp = cli_alloc(strlen(cfg->path) + 32);
        sprintf(tmp, "%s.tmp.%ld", cfg->path, (long)getpid());
        /* created 0600 from the start: the secret is never readable by others */
        int wfd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (wfd < 0) {
            out_fail(c, EXIT_SYSTEM, "cannot create %s: %s", tmp, strerror(errno));
        } else {
            size_t done = 0;
            int ok = fchmod(wfd, 0600) == 0;
            while (ok && done < out.len) {
                ssize_t n = write(wfd, out.data + done, out.len - done);
                if (n < 0 && errno == EINTR)
                    continue;
                ok = n > 0;
                if (ok)
                    done += (size_t)n;
            }
            ok = ok && fsync(wfd) == 0;
            ok = close(wfd) == 0 && ok;
            if (ok && rename(tmp, cfg->path) == 0) {
                rc = 0;
                if (removed)
                    *removed = dropped;
            } else {
                out_fail(c, EXIT_SYSTEM, "cannot write the config file %s: %s", cfg->path,
                         strerror(errno));
                unlink(tmp);
            }
        }
    }
    free(tmp);
    if (out.data) {
        memset(out.data, 0, out.cap);
        free(out.data);
    }
    return rc;
}
