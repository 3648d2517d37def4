/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "trail_usage.h"

/* ---- interned strings ------------------------------------------------------------------- */

struct usage_strtab {
    char **s;       /* by id; s[0] = "" */
    size_t n, cap;
    uint32_t *slot; /* open addressing: id or 0 */
    size_t mask;
};

static uint64_t str_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a: table placement only */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int tab_grow(struct usage_strtab *t) {
    size_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
    uint32_t *ns = calloc(cap, sizeof(*ns));

    if (!ns)
        return -ENOMEM;
    for (size_t id = 1; id < t->n; id++) {
        size_t i = (size_t)str_hash(t->s[id], strlen(t->s[id])) & (cap - 1);

        while (ns[i])
            i = (i + 1) & (cap - 1);
        ns[i] = (uint32_t)id;
    }
    free(t->slot);
    t->slot = ns;
    t->mask = cap - 1;
    return 0;
}

/* The id of s (n bytes), added when new. 0 on ENOMEM is reported through *err. */
static uint32_t intern(struct usage_strtab *t, const char *s, size_t n, int *err) {
    size_t i;
    char *copy;

    if (n == 0)
        return USE_NONE;
    if (t->n * 2 >= t->mask + 1 && tab_grow(t) < 0)
        goto nomem;
    for (i = (size_t)str_hash(s, n) & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
        const char *x = t->s[t->slot[i]];

        if (strlen(x) == n && memcmp(x, s, n) == 0)
            return t->slot[i];
    }
    if (t->n == t->cap) {
        size_t nc = t->cap * 2;
        char **nv = realloc(t->s, nc * sizeof(*nv));

        if (!nv)
            goto nomem;
        t->s = nv;
        t->cap = nc;
    }
    copy = malloc(n + 1);
    if (!copy)
        goto nomem;
    memcpy(copy, s, n);
    copy[n] = '\0';
    t->s[t->n] = copy;
    t->slot[i] = (uint32_t)t->n;
    return (uint32_t)t->n++;
nomem:
    *err = -ENOMEM;
    return USE_NONE;
}

static uint32_t lookup(const struct usage_strtab *t, const char *s) {
    size_t n = strlen(s);

    if (!n || !t->mask)
        return USE_NONE;
    for (size_t i = (size_t)str_hash(s, n) & t->mask; t->slot[i]; i = (i + 1) & t->mask)
        if (strcmp(t->s[t->slot[i]], s) == 0)
            return t->slot[i];
    return USE_NONE;
}

const char *usage_str(const struct usage *u, uint32_t id) {
    return u->tab && id < u->tab->n ? u->tab->s[id] : "";
}

uint32_t usage_find(const struct usage *u, const char *s) {
    return u->tab && s ? lookup(u->tab, s) : USE_NONE;
}

/* ---- collection ------------------------------------------------------------------------- */

/* A field's string, decoded, interned. */
static uint32_t field(struct usage_strtab *t, const struct iam_trail_span *s, int *err) {
    char buf[2048];

    if (!s->p || !s->is_string)
        return USE_NONE;
    if (!s->escaped)
        return s->n < sizeof(buf) ? intern(t, s->p, s->n, err) : USE_NONE;
    if (iam_trail_span_str(s, buf, sizeof(buf)) < 0)
        return USE_NONE;
    return intern(t, buf, strlen(buf), err);
}

static bool is(const struct iam_trail_span *s, const char *v) {
    return iam_trail_span_eq(s, v);
}

static int add(struct usage *u, const struct use *x) {
    if (u->n == u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 4096;
        struct use *nv = realloc(u->v, nc * sizeof(*nv));

        if (!nv)
            return -ENOMEM;
        u->v = nv;
        u->cap = nc;
    }
    u->v[u->n++] = *x;
    return 0;
}

static int take_line(struct usage *u, const char *line, size_t n) {
    struct iam_trail_fields f;
    struct use x = {0};
    const struct iam_trail_span *ev, *dec;
    int err = 0;

    if (n == 0)
        return 0;
    if (iam_trail_scan(line, n, &f) < 0 || iam_trail_parse_time(&f.f[IAM_TF_EVENT_TIME],
                                                                &x.time) < 0) {
        u->malformed++;
        return 0;
    }
    ev = &f.f[IAM_TF_EVENT_NAME];
    dec = &f.f[IAM_TF_DECISION];
    if (is(ev, "Authenticate")) {
        if (!is(dec, "success") || f.f[IAM_TF_ERROR_CODE].p)
            return 0;
        if (f.f[IAM_TF_ACCESS_KEY_ID].p)
            x.kind = USE_KEY_AUTH;
        else if (is(&f.f[IAM_TF_AUTH_METHOD], "password"))
            x.kind = USE_PASSWORD_AUTH;
        else
            return 0;
    } else if (f.f[IAM_TF_ACTION].p) {
        if (is(dec, "allow") && !f.f[IAM_TF_ERROR_CODE].p)
            x.kind = USE_ALLOWED;
        else if (is(dec, "would deny"))
            x.kind = USE_WOULD_DENY;
        else
            x.kind = USE_DENIED;
    } else {
        return 0; /* sessions opening and closing use nothing new */
    }
    x.principal = field(u->tab, &f.f[IAM_TF_USER_ARN], &err);
    x.issuer = field(u->tab, &f.f[IAM_TF_ISSUER_ARN], &err);
    x.key = field(u->tab, &f.f[IAM_TF_ACCESS_KEY_ID], &err);
    x.action = field(u->tab, &f.f[IAM_TF_ACTION], &err);
    x.host = field(u->tab, &f.f[IAM_TF_HOST_ARN], &err);
    x.resource = x.host;
    if (f.f[IAM_TF_ROLE_ARN].p && x.action &&
        strncasecmp(usage_str(u, x.action), "sts:", 4) == 0)
        x.resource = field(u->tab, &f.f[IAM_TF_ROLE_ARN], &err);
    x.ip = field(u->tab, &f.f[IAM_TF_SOURCE_IP], &err);
    x.service = field(u->tab, &f.f[IAM_TF_USER_AGENT], &err);
    x.event_id = field(u->tab, &f.f[IAM_TF_EVENT_ID], &err);
    if (err < 0)
        return err;
    if (x.principal == USE_NONE && x.issuer == USE_NONE)
        return 0; /* a name that is not in IAM: nobody's use */
    return add(u, &x);
}

int usage_collect(const struct iam_trail_files *files, const char *principal, struct usage *ret,
                  void (*progress)(uint64_t, uint64_t, void *), void *userdata,
                  struct iam_error *reterr) {
    char *needle = NULL;
    size_t needle_len = 0;
    uint64_t total = 0, done = 0;
    int r = -ENOMEM;

    memset(ret, 0, sizeof(*ret));
    ret->tab = calloc(1, sizeof(*ret->tab));
    if (!ret->tab)
        goto out;
    ret->tab->cap = 1024;
    ret->tab->s = calloc(ret->tab->cap, sizeof(char *));
    if (!ret->tab->s || tab_grow(ret->tab) < 0)
        goto out;
    ret->tab->s[0] = strdup("");
    if (!ret->tab->s[0])
        goto out;
    ret->tab->n = 1;
    if (principal) {
        /* the ARN as the writer encodes it must be in a line that names it */
        json_t *js = json_string(principal);

        needle = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
        json_decref(js);
        if (!needle)
            goto out;
        needle_len = strlen(needle);
    }
    for (size_t i = 0; i < files->n; i++)
        total += (uint64_t)files->v[i].size;
    for (size_t i = 0; i < files->n; i++) {
        struct iam_trail_reader *rd = NULL;
        const char *buf;
        size_t len;

        r = iam_trail_open(&files->v[i], &rd, reterr);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            goto out;
        while ((r = iam_trail_read_block(rd, &buf, &len, NULL, NULL, NULL, reterr)) > 0) {
            const char *p = buf, *end = buf + len;

            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;

                /* a line that names the principal holds its ARN as written, or escapes */
                if (!needle || memmem(p, (size_t)(le - p), needle, needle_len) ||
                    memchr(p, '\\', (size_t)(le - p))) {
                    size_t before = ret->n;

                    r = take_line(ret, p, (size_t)(le - p));
                    if (r < 0)
                        break;
                    if (needle && ret->n > before) {
                        const struct use *x = &ret->v[ret->n - 1];

                        if (strcmp(usage_str(ret, x->principal), principal) != 0 &&
                            strcmp(usage_str(ret, x->issuer), principal) != 0)
                            ret->n--; /* the ARN was elsewhere in the record */
                    }
                }
                p = le + 1;
            }
            if (r < 0)
                break;
            if (progress)
                progress(done + iam_trail_reader_consumed(rd), total, userdata);
        }
        ret->malformed += iam_trail_reader_overlong(rd);
        done += (uint64_t)files->v[i].size;
        iam_trail_close(rd);
        if (r < 0)
            goto out;
    }
    r = 0;
out:
    free(needle);
    if (r < 0)
        usage_free(ret);
    return r;
}

void usage_free(struct usage *u) {
    if (!u)
        return;
    if (u->tab) {
        for (size_t i = 0; i < u->tab->n; i++)
            free(u->tab->s[i]);
        free(u->tab->s);
        free(u->tab->slot);
        free(u->tab);
    }
    free(u->v);
    memset(u, 0, sizeof(*u));
}
