/* SPDX-License-Identifier: Apache-2.0 */
/* <cache_dir>/pull.state: what a pulling host remembers (iam/pull_state.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iam/fileio.h"
#include "iam/pull_state.h"

#define STATE_MAX 8192
#define STATE_MAGIC "iam-pull-state 1"

static int hex_decode(const char *s, uint8_t out[32]) {
    if (strlen(s) != 64)
        return -1;
    for (size_t i = 0; i < 32; i++) {
        unsigned v = 0;
        for (size_t k = 0; k < 2; k++) {
            char c = s[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else
                return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

static void hex_encode(const uint8_t in[32], char out[65]) {
    static const char d[] = "0123456789abcdef";

    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[64] = '\0';
}

static int parse_u64(const char *s, uint64_t *ret) {
    uint64_t n = 0;

    if (!*s || strlen(s) > 19)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *ret = n;
    return 0;
}

/* One "key value" line into st; -1 for an unknown key or a bad value. */
static int parse_line(char *line, struct iam_pull_state *st) {
    char *v = strchr(line, ' ');
    uint64_t n = 0;

    if (!v || v == line || !v[1])
        return -1;
    *v++ = '\0';
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            return -1;
    if (strcmp(line, "url") == 0) {
        size_t vn = strlen(v);
        if (vn >= sizeof(st->url))
            return -1;
        memcpy(st->url, v, vn + 1);
        return 0;
    }
    if (strcmp(line, "etag") == 0) {
        size_t vn = strlen(v);
        if (vn >= sizeof(st->etag))
            return -1;
        memcpy(st->etag, v, vn + 1);
        return 0;
    }
    if (strcmp(line, "installed_nss") == 0)
        return hex_decode(v, st->installed_nss);
    if (strcmp(line, "installed_auth") == 0)
        return hex_decode(v, st->installed_auth);
    if (strcmp(line, "installed_ssh") == 0)
        return hex_decode(v, st->installed_ssh);
    if (parse_u64(v, &n) < 0)
        return -1;
    if (strcmp(line, "highest_serial") == 0)
        st->highest_serial = n;
    else if (strcmp(line, "installed_serial") == 0)
        st->installed_serial = n;
    else if (strcmp(line, "installed_created") == 0 && n <= INT64_MAX)
        st->installed_created = (int64_t)n;
    else if (strcmp(line, "installed_expires") == 0 && n <= INT64_MAX)
        st->installed_expires = (int64_t)n;
    else if (strcmp(line, "last_check") == 0 && n <= INT64_MAX)
        st->last_check = (int64_t)n;
    else
        return -1;
    return 0;
}

int iam_pull_state_read(const char *cache_dir, struct iam_pull_state *ret,
                        struct iam_error *reterr) {
    struct iam_pull_state st;
    char *path = NULL, *buf = NULL, *line, *save = NULL;
    size_t len = 0;
    unsigned lineno = 0;
    int r;

    memset(&st, 0, sizeof(st));
    if (asprintf(&path, "%s/" IAM_PULL_STATE_NAME, cache_dir) < 0) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    if ((r = iam_file_read_safe(path, STATE_MAX, &buf, &len, reterr)) < 0)
        goto out;
    r = -EBADMSG;
    if (strlen(buf) != len || (len > 0 && buf[len - 1] != '\n')) {
        iam_error_set(reterr, 0, 0, 0, "%s: damaged (not whole text lines)", path);
        goto out;
    }
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (lineno == 1 ? strcmp(line, STATE_MAGIC) != 0 : parse_line(line, &st) < 0) {
            iam_error_set(reterr, lineno, 1, 0, "%s: line %u is damaged", path, lineno);
            goto out;
        }
    }
    if (lineno == 0 || st.installed_serial > st.highest_serial) {
        iam_error_set(reterr, 0, 0, 0, "%s: damaged (incomplete)", path);
        goto out;
    }
    *ret = st;
    r = 0;
out:
    free(buf);
    free(path);
    return r;
}

int iam_pull_state_write(const char *cache_dir, const struct iam_pull_state *st,
                         struct iam_error *reterr) {
    char nss[65], auth[65], ssh[65];
    char *path = NULL, *text = NULL;
    int n, r;

    if (strchr(st->url, '\n') || strchr(st->etag, '\n')) {
        iam_error_set(reterr, 0, 0, 0, "pull state: a value holds a newline");
        return -EINVAL;
    }
    hex_encode(st->installed_nss, nss);
    hex_encode(st->installed_auth, auth);
    hex_encode(st->installed_ssh, ssh);
    n = asprintf(&text,
                 STATE_MAGIC "\nurl %s\nhighest_serial %" PRIu64 "\ninstalled_serial %" PRIu64
                             "\ninstalled_created %" PRId64 "\ninstalled_expires %" PRId64
                             "\ninstalled_nss %s\ninstalled_auth %s\ninstalled_ssh %s\n%s%s%slast_check %" PRId64
                             "\n",
                 st->url[0] ? st->url : "-", st->highest_serial, st->installed_serial,
                 st->installed_created > 0 ? st->installed_created : 0,
                 st->installed_expires > 0 ? st->installed_expires : 0, nss, auth, ssh,
                 st->etag[0] ? "etag " : "", st->etag, st->etag[0] ? "\n" : "",
                 st->last_check > 0 ? st->last_check : 0);
    if (n < 0 || asprintf(&path, "%s/" IAM_PULL_STATE_NAME, cache_dir) < 0) {
        if (n >= 0)
            free(text);
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    r = iam_file_write_atomic(path, text, (size_t)n, 0600, reterr);
    free(text);
    free(path);
    return r;
}

int iam_pull_check_fresh(const struct iam_config *c, int64_t now, struct iam_error *reterr) {
    struct iam_pull_state st;
    char when[32];
    time_t t;
    struct tm tm;
    int r;

    if (!c->bundle_url || c->bundle_max_age == 0)
        return 0;
    r = iam_pull_state_read(c->cache_dir, &st, reterr);
    if (r == -ENOENT) {
        iam_error_init(reterr);
        iam_error_set(reterr, 0, 0, 0,
                      "no bundle was ever installed (bundle_max_age is set): "
                      "run iamctl pull");
        return -ESTALE;
    }
    if (r < 0)
        return r;
    if (st.installed_serial == 0 || now - st.installed_created > (int64_t)c->bundle_max_age) {
        t = (time_t)st.installed_created;
        if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            snprintf(when, sizeof(when), "never");
        iam_error_set(reterr, 0, 0, 0,
                      "the installed bundle was signed at %s, longer ago than "
                      "bundle_max_age (%" PRIu64 " s): IAM logins are refused until iamctl pull "
                      "installs a newer one (is the origin reachable? is the publisher "
                      "publishing?)",
                      st.installed_serial ? when : "never", c->bundle_max_age);
        return -ESTALE;
    }
    return 0;
}
