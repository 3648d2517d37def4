/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "iam/auth_cache.h"
#include "iam/fileio.h"
#include "iam/host_ids.h"
#include "iam/store_compile.h"
#include "iam/policy.h"
#include "iam/secret.h"
#include "migrate.h"
#include "iam/ssh_keys.h"
#include "verb_common.h"

/* How long a writer waits for another to finish before it gives up. */
#define SHT_LOCK_WAIT_MS 120000

/* ---- options ---------------------------------------------------------------------------- */

struct opt *opt_get(struct opt *opts, const char *name) {
    for (struct opt *o = opts; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

const char *opt_value(struct opt *opts, const char *name) {
    const struct opt *o = opt_get(opts, name);

    return o ? o->value : NULL;
}

int opts_parse(int argc, char *argv[], struct opt *opts) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq;
        struct opt *o = NULL;
        size_t nlen;

        if (strncmp(a, "--", 2) != 0)
            return iamctl_usage("%s: unexpected argument '%.64s'", argv[0], a);
        a += 2;
        eq = strchr(a, '=');
        nlen = eq ? (size_t)(eq - a) : strlen(a);
        for (struct opt *p = opts; p->name; p++)
            if (strlen(p->name) == nlen && strncmp(p->name, a, nlen) == 0)
                o = p;
        if (!o)
            return iamctl_usage("%s: unknown option '--%.*s'", argv[0], (int)nlen, a);
        if (o->set && o->kind != OPT_LIST && !o->replace)
            return iamctl_usage("%s: option '--%s' given twice", argv[0], o->name);
        if (o->set && o->kind == OPT_LIST && o->replace)
            o->n_list = 0;
        o->set = true;
        if (o->kind == OPT_FLAG) {
            if (eq)
                return iamctl_usage("%s: option '--%s' takes no value", argv[0], o->name);
            continue;
        }
        if (o->kind == OPT_VALUE) {
            if (eq) {
                o->value = eq + 1;
            } else {
                if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)
                    return iamctl_usage("%s: option '--%s' needs a value", argv[0], o->name);
                o->value = argv[++i];
            }
            continue;
        }
        /* OPT_LIST */
        {
            size_t extra = 0;
            char **nl;
            int j = i + 1;

            while (j + (int)extra < argc && strncmp(argv[j + extra], "--", 2) != 0)
                extra++;
            if (eq)
                extra++;
            if (extra == 0)
                return iamctl_usage("%s: option '--%s' needs at least one value", argv[0], o->name);
            nl = realloc(o->list, (o->n_list + extra) * sizeof(*nl));
            if (!nl)
                return iamctl_fail("out of memory");
            o->list = nl;
            if (eq) {
                o->list[o->n_list++] = (char *)(uintptr_t)(eq + 1);
                extra--;
            }
            for (size_t k = 0; k < extra; k++)
                o->list[o->n_list++] = argv[j + k];
            i = j + (int)extra - 1;
        }
    }
    for (struct opt *o = opts; o->name; o++)
        if (o->required && !o->set)
            return iamctl_usage("%s: missing required option '--%s'", argv[0], o->name);
    return 0;
}

void opts_free(struct opt *opts) {
    for (struct opt *o = opts; o->name; o++) {
        free(o->list);
        o->list = NULL;
    }
}

/* ---- the store ----------------------------------------------------------------------------- */

/* A writer killed between creating a temporary file and renaming it leaves <file>.XXXXXX
 * behind (the caches' writer). Under the lock no other writer can be using one, so remove
 * them (best effort: they were never installed). */
static void remove_stale_temps(const char *path) {
    char *copy = strdup(path), *base;
    const char *dir;
    size_t blen;
    DIR *d;
    struct dirent *de;

    if (!copy)
        return;
    base = strrchr(copy, '/');
    if (base) {
        *base++ = '\0';
        dir = copy[0] ? copy : "/";
    } else {
        base = copy;
        dir = ".";
    }
    blen = strlen(base);
    d = opendir(dir);
    if (!d) {
        free(copy);
        return;
    }
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        bool match = strlen(n) == blen + 7 && strncmp(n, base, blen) == 0 && n[blen] == '.';
        for (size_t i = blen + 1; match && i < blen + 7; i++)
            match = (n[i] >= 'A' && n[i] <= 'Z') || (n[i] >= 'a' && n[i] <= 'z') ||
                    (n[i] >= '0' && n[i] <= '9');
        if (match)
            (void)unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
    free(copy);
}

static void remove_stale_cache_temps(const struct iam_config *c) {
    char *p = NULL;

    if (asprintf(&p, "%s/nss.cache", c->cache_dir) >= 0) {
        remove_stale_temps(p);
        free(p);
    }
    p = NULL;
    if (asprintf(&p, "%s/" IAM_AUTH_CACHE_NAME, c->cache_dir) >= 0) {
        remove_stale_temps(p);
        free(p);
    }
    p = NULL;
    if (asprintf(&p, "%s/" IAM_SSH_KEYS_CACHE_NAME, c->cache_dir) >= 0) {
        remove_stale_temps(p);
        free(p);
    }
}

int sth_lock(struct sth *h) {
    struct iam_error e;
    char *lock = NULL;
    int r;

    if (h->lock_fd >= 0)
        return 0;
    if (asprintf(&lock, "%s.lock", h->config->database) < 0)
        return iamctl_fail("out of memory");
    /* concurrent administrators queue: a short wait first, then say so on a terminal */
    iam_error_init(&e);
    r = iam_lock_acquire(lock, 1000, &e);
    if (r == -EAGAIN) {
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "iamctl: waiting for another iamctl to finish with %s\n",
                    h->config->database);
        iam_error_init(&e);
        r = iam_lock_acquire(lock, SHT_LOCK_WAIT_MS, &e);
    }
    free(lock);
    if (r < 0)
        return r == -EAGAIN ? iamctl_fail("%s: another iamctl held the store for more than %d s; "
                                          "try again",
                                          h->config->database, SHT_LOCK_WAIT_MS / 1000)
                            : iamctl_fail_error(&e);
    h->lock_fd = r;
    return 0;
}

static void set_partition(struct sth *h) {
    const char *p = h->config->host_arn + 4, *c = strchr(p, ':');
    size_t n = c ? (size_t)(c - p) : 0;

    if (n == 0 || n >= sizeof(h->partition))
        n = 3, p = "aws";
    memcpy(h->partition, p, n);
    h->partition[n] = '\0';
}

int sth_open(struct sth *h, bool write) {
    struct iam_error e;
    int r;

    memset(h, 0, sizeof(*h));
    h->lock_fd = -1;
    h->write = write;
    iam_error_init(&e);
    if (iam_secret_init() < 0)
        return iamctl_fail("libsodium failed to initialise");
    if (iam_config_load(arg_config, &h->config, &e) < 0)
        return iamctl_fail_error(&e);
    if (h->config->bundle_url)
        return iamctl_fail("%s: this host pulls its account from bundle_url = %s: the account is "
                           "managed where that bundle is published (run iamctl there; "
                           "`iamctl pull` brings the change here)",
                           arg_config, h->config->bundle_url);
    set_partition(h);
    if (write && (r = sth_lock(h)))
        return r;
    if ((r = migrate_if_needed(h)))
        return r;
    iam_error_init(&e);
    if (iam_store_open(h->config->database, write, &h->st, &e) < 0)
        return iamctl_fail_error(&e);
    if ((r = iam_store_begin(h->st, write)) < 0 || (r = iam_store_get_account(h->st, &h->account)) < 0)
        return sth_fail(h, r);
    if (strcmp(h->account.account_id, h->config->account_id) != 0)
        return iamctl_fail("%s: the store is account %s, not account_id %s of %s",
                           h->config->database, h->account.account_id, h->config->account_id,
                           arg_config);
    if (write)
        remove_stale_cache_temps(h->config);
    return 0;
}

int sth_fail(struct sth *h, int r) {
    const struct iam_error *e = h->st ? iam_store_error(h->st) : NULL;

    if (e && e->set)
        return iamctl_fail_error(e);
    return iamctl_fail("%s: %s", h->config ? h->config->database : "store", strerror(-r));
}

static struct iam_local_accounts *local; /* below: local accounts */
static int load_local(void);

static int sth_check_host_ids(struct sth *h) {
    int r = iam_store_check_host_ids(h->st, h->config, local);
    struct iam_error e;

    if (r == 0)
        return 0;
    e = *iam_store_error(h->st);
    iam_error_set_source(&e, h->config->database);
    return iamctl_fail("%s%s%s; nothing was written", e.source, e.source[0] ? ": " : "",
                       e.text);
}

static int ids_copy(struct iam_store_ids *to, const struct iam_store_ids *from) {
    to->v = from->n ? malloc(from->n * sizeof(*to->v)) : NULL;
    if (from->n && !to->v)
        return -ENOMEM;
    if (from->n)
        memcpy(to->v, from->v, from->n * sizeof(*to->v));
    to->n = to->cap = from->n;
    return 0;
}

/* What the commit changed, kept: the next transaction starts with none. */
static int changes_copy(struct iam_store_changes *to, const struct iam_store_changes *from) {
    *to = (struct iam_store_changes){.any = from->any, .all = from->all};
    if (ids_copy(&to->users, &from->users) < 0 || ids_copy(&to->groups, &from->groups) < 0 ||
        ids_copy(&to->policies, &from->policies) < 0 ||
        ids_copy(&to->nss_users, &from->nss_users) < 0 ||
        ids_copy(&to->nss_groups, &from->nss_groups) < 0)
        return -ENOMEM;
    return 0;
}

static void changes_free(struct iam_store_changes *c) {
    free(c->users.v);
    free(c->groups.v);
    free(c->policies.v);
    free(c->nss_users.v);
    free(c->nss_groups.v);
}

/* The caches after a commit: under the lock, from one snapshot of what was committed; only
 * what the commit changed is rebuilt when the current caches allow it (iam_store_refresh). */
static int refresh_caches(struct sth *h, const struct iam_store_changes *changes,
                          uint64_t serial) {
    struct iam_error e;
    int r;
    const char *how = "the changes could not be kept";

    iam_error_init(&e);
    if ((r = iam_store_begin(h->st, false)) < 0)
        return sth_fail(h, r);
    r = changes ? iam_store_refresh(h->st, h->config, changes, serial, &how, &e)
                : iam_store_compile(h->st, h->config, &e);
    iam_store_rollback(h->st);
    /* which way the caches were made, for whoever wonders why a write took long */
    if (getenv("IAMCTL_DEBUG_REFRESH"))
        fprintf(stderr, "iamctl: caches: %s\n", how ? how : "whole compile");
    if (r == 1) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        iamctl_fail("the store was written (Serial %llu) and the host caches installed, but %s",
                    (unsigned long long)serial, iam_error_format(&e, buf, sizeof(buf)));
        h->refresh_failed = true;
    } else if (r < 0) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        iamctl_fail("the store was written (Serial %llu), but compiling the host caches failed; "
                    "the previous caches stay in place: %s",
                    (unsigned long long)serial, iam_error_format(&e, buf, sizeof(buf)));
        h->refresh_failed = true;
    }
    return 0;
}

int role_account_refusal(struct iam_store *st, const struct iam_config *config, const char *name,
                         const char **ret_why) {
    struct iam_store_identity other;
    struct iam_error e;
    bool used = false;
    int r;

    *ret_why = NULL;
    if (iam_db_check_user_name(name)) {
        *ret_why = "its name cannot be a login name";
        return 0;
    }
    for (int k = 0; k < 2; k++) {
        r = iam_store_identity_get(st, k ? IAM_STORE_GROUP : IAM_STORE_USER, name, &other);
        if (r == 0) {
            *ret_why = k ? "an IAM group has its name" : "an IAM user has its name";
            return 0;
        }
        if (r != -ENOENT)
            return iamctl_fail_error(iam_store_error(st));
    }
    if ((r = local_name_used(false, name, &used)) || used) {
        *ret_why = r ? NULL : "a local account has its name";
        return r;
    }
    /* as create-role (check_local_user_name): a local group's name is refused too */
    if ((r = local_name_used(true, name, &used)) || used) {
        *ret_why = r ? NULL : "a local group has its name";
        return r;
    }
    if (!config->private_groups)
        return 0;
    iam_error_init(&e);
    if (iam_group_name_allowed(config, "the private group of role", name, &e) < 0)
        *ret_why = "its private group would have a privileged group's name";
    return 0;
}

struct roles_without {
    int64_t *v; /* rowids */
    size_t n, cap;
    int r;
};

static int collect_role_without_account(void *ctx, const struct iam_store_identity *ident) {
    struct roles_without *w = ctx;

    if (ident->has_posix)
        return 0;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        int64_t *v = reallocarray(w->v, cap, sizeof(*v));

        if (!v)
            return w->r = -ENOMEM;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = ident->id;
    return 0;
}

/*
 * Roles without an account on this host (imported before roles were accounts, or whose name
 * was taken when they came) get one in the write that commits next: a uid from uid_min..uid_max
 * as create-role allocates it, under the rules of role_account_refusal(). A role whose name is
 * still taken keeps none, and every write says why on stderr (it stays out of the caches).
 * Here, not in the compile: the uid is the store's (stable, never reused, exported with the
 * account), and the compile only reads the store, on admin hosts and bundle hosts alike.
 */
int sth_give_roles_accounts(struct sth *h) {
    struct roles_without w = {0};
    int r;

    if (h->roles_done)
        return 0;
    h->roles_done = true;
    r = iam_store_identity_list(h->st, IAM_STORE_ROLE, NULL, 0, 0, collect_role_without_account,
                                &w, NULL);
    if (r < 0 || w.r < 0) {
        r = w.r < 0 ? iamctl_fail("out of memory") : sth_fail(h, r);
        goto out;
    }
    r = 0;
    for (size_t i = 0; i < w.n && !r; i++) {
        struct iam_store_identity ro, in;
        const char *why;

        if ((r = iam_store_identity_get_by_id(h->st, w.v[i], &ro)) < 0) {
            r = sth_fail(h, r);
            break;
        }
        if ((r = role_account_refusal(h->st, h->config, ro.name, &why)))
            break;
        if (why) {
            fprintf(stderr,
                    "iamctl: role \"%.64s\" has no account on this host: %s (until the name is "
                    "free, it is left out of the host's caches and nobody can assume it here)\n",
                    ro.name, why);
            continue;
        }
        in = ro;
        in.has_posix = true;
        if ((r = alloc_id(h, &in.posix_id)))
            break;
        if ((r = iam_store_identity_update_posix(h->st, &ro, &in, ro.source, NULL)) < 0) {
            r = sth_fail(h, r);
            break;
        }
        fprintf(stderr, "iamctl: role \"%.64s\" is now an account on this host (uid %u)\n",
                ro.name, in.posix_id);
    }
out:
    free(w.v);
    return r;
}

int sth_commit(struct sth *h) {
    struct iam_store_changes changes = {0};
    uint64_t serial = 0;
    bool changed, kept;
    int r;

    /* roles' accounts may take ids: the high-water mark is written after them (an import
     * defers it, sth_flush_next_id) */
    if ((r = sth_give_roles_accounts(h)) || (r = sth_flush_next_id(h)))
        return r;
    changed = iam_store_changes(h->st)->any;

    /* nothing that puts an IAM identity on a system id commits (iam/host_ids.h) */
    if (changed && ((r = load_local()) || (r = sth_check_host_ids(h))))
        return r;
    /* a copy that fails to be made only costs the refresh its shortcut */
    kept = changed && changes_copy(&changes, iam_store_changes(h->st)) == 0;
    if ((r = iam_store_commit(h->st, &serial)) < 0) {
        changes_free(&changes);
        return sth_fail(h, r);
    }
    h->account.serial = serial;
    if (!changed) {
        changes_free(&changes);
        return IAMCTL_EXIT_OK;
    }
    r = refresh_caches(h, kept ? &changes : NULL, serial);
    changes_free(&changes);
    return r;
}

int sth_close(struct sth *h, int r) {
    if (r == IAMCTL_EXIT_OK && h->refresh_failed)
        r = IAMCTL_EXIT_FAIL;
    iam_store_close(h->st);
    iam_lock_release(h->lock_fd);
    iam_config_free(h->config);
    memset(h, 0, sizeof(*h));
    h->lock_fd = -1;
    return r;
}

char *sth_arn(const struct sth *h, const char *kind, const char *path, const char *name) {
    char *arn = NULL;

    if (asprintf(&arn, "arn:%s:iam::%s:%s%s%s", h->partition, h->account.account_id, kind, path,
                 name) < 0)
        return NULL;
    return arn;
}

int fail_no_such_entity(const char *kind, const char *name) {
    return iamctl_fail("NoSuchEntity: the %s with name %.128s cannot be found", kind, name);
}

int fail_user_missing(const char *name) {
    return fail_no_such_entity("user", name);
}

static int find_identity(struct sth *h, enum iam_store_kind kind, const char *what,
                         const char *name, struct iam_store_identity *ret) {
    int r = iam_store_identity_get(h->st, kind, name, ret);

    if (r == -ENOENT)
        return fail_no_such_entity(what, name);
    return r < 0 ? sth_fail(h, r) : 0;
}

const char *kind_opt(enum iam_store_kind kind) {
    return kind == IAM_STORE_GROUP ? "group-name"
           : kind == IAM_STORE_ROLE ? "role-name"
                                    : "user-name";
}

const char *kind_word(enum iam_store_kind kind) {
    return kind == IAM_STORE_GROUP ? "group" : kind == IAM_STORE_ROLE ? "role" : "user";
}

int find_target(struct sth *h, struct opt *opts, enum iam_store_kind kind,
                struct iam_store_identity *ret) {
    const char *name = opt_value(opts, kind_opt(kind));

    return kind == IAM_STORE_GROUP  ? sth_group(h, name, ret)
           : kind == IAM_STORE_ROLE ? sth_role(h, name, ret)
                                    : sth_user(h, name, ret);
}

int sth_user(struct sth *h, const char *name, struct iam_store_identity *ret) {
    return find_identity(h, IAM_STORE_USER, "user", name, ret);
}

int sth_group(struct sth *h, const char *name, struct iam_store_identity *ret) {
    return find_identity(h, IAM_STORE_GROUP, "group", name, ret);
}

int sth_role(struct sth *h, const char *name, struct iam_store_identity *ret) {
    return find_identity(h, IAM_STORE_ROLE, "role", name, ret);
}

int sth_policy(struct sth *h, const char *arn, enum policy_missing missing,
               struct iam_store_policy *ret) {
    int r = iam_store_policy_get(h->st, arn, ret);

    if (r == -ENOENT)
        switch (missing) {
        case PM_DOES_NOT_EXIST:
            return iamctl_fail("NoSuchEntity: policy %.256s does not exist", arn);
        case PM_NOT_ATTACHABLE:
            return iamctl_fail("NoSuchEntity: Policy %.256s does not exist or is not attachable.",
                               arn);
        default:
            return iamctl_fail("NoSuchEntity: Policy %.256s was not found.", arn);
        }
    return r < 0 ? sth_fail(h, r) : 0;
}

/* ---- pagination --------------------------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t max, uint64_t *ret) {
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *ret = v;
    return true;
}

int page_parse(struct opt *opts, struct page *ret) {
    const char *mi = opt_value(opts, "max-items"), *tok = opt_value(opts, "starting-token");
    const char *ps = opt_value(opts, "page-size");
    uint64_t v;

    memset(ret, 0, sizeof(*ret));
    if (mi) {
        if (!parse_u64(mi, 1000000000, &v) || v == 0)
            return iamctl_usage("--max-items must be a whole number from 1");
        ret->max = (size_t)v;
    }
    if (tok) {
        if (!parse_u64(tok, INT64_MAX, &v) || v == 0)
            return iamctl_usage("--starting-token '%.64s' is not valid (give the NextToken a "
                                "previous page printed)",
                                tok);
        ret->after = (int64_t)v;
    }
    /* the CLI's size of each underlying request: the output is the same whatever it is */
    if (ps && (!parse_u64(ps, 1000, &v) || v == 0))
        return iamctl_usage("--page-size must be a whole number from 1 to 1000");
    return 0;
}

int page_finish(json_t *out, int64_t next) {
    char tok[32];

    if (!next)
        return 0;
    snprintf(tok, sizeof(tok), "%lld", (long long)next);
    if (json_object_set_new(out, "IsTruncated", json_true()) < 0 ||
        json_object_set_new(out, "Marker", json_string(tok)) < 0 ||
        json_object_set_new(out, "NextToken", json_string(tok)) < 0)
        return -ENOMEM;
    return 0;
}

int page_refuse(struct opt *opts, const char *verb) {
    static const char *const names[] = {"max-items", "starting-token", "page-size"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(names); i++) {
        const struct opt *o = opt_get(opts, names[i]);
        if (o && o->set)
            return iamctl_usage("%s: unknown option '--%s'", verb, names[i]);
    }
    return 0;
}

int print_page(json_t *out, int64_t next) {
    if (!out || page_finish(out, next) < 0) {
        json_decref(out);
        return iamctl_fail("out of memory");
    }
    return print_json(out);
}

void page_slice(const struct page *pg, size_t n, size_t *ret_from, size_t *ret_to,
                int64_t *ret_next) {
    size_t from = (size_t)pg->after < n ? (size_t)pg->after : n;
    size_t to = pg->max && n - from > pg->max ? from + pg->max : n;

    *ret_from = from;
    *ret_to = to;
    *ret_next = to < n ? (int64_t)to : 0;
}

/* ---- output ------------------------------------------------------------------------------- */

int print_json(json_t *v) {
    int r;

    if (!v)
        return iamctl_fail("out of memory");
    r = json_dumpf(v, stdout, JSON_INDENT(4));
    json_decref(v);
    if (r < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        return iamctl_fail("cannot write the output");
    return IAMCTL_EXIT_OK;
}

static void set_str(json_t *o, const char *k, const char *v) {
    if (v)
        json_object_set_new(o, k, json_string(v));
}

json_t *tags_json(const struct iam_store_tag *tags, size_t n) {
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++) {
        json_t *t = json_object();
        set_str(t, "Key", tags[i].key);
        set_str(t, "Value", tags[i].value);
        json_array_append_new(a, t);
    }
    return a;
}

json_t *boundary_json(const char *arn) {
    return json_pack("{s:s,s:s}", "PermissionsBoundaryType", "Policy", "PermissionsBoundaryArn",
                     arn);
}

json_t *user_summary(const struct iam_store_identity *u) {
    json_t *o = json_object();

    set_str(o, "Path", u->path);
    set_str(o, "UserName", u->name);
    set_str(o, "UserId", u->unique_id);
    set_str(o, "Arn", u->arn);
    set_str(o, "CreateDate", u->create_date);
    return o;
}

json_t *group_summary(const struct iam_store_identity *g) {
    json_t *o = json_object();

    set_str(o, "Path", g->path);
    set_str(o, "GroupName", g->name);
    set_str(o, "GroupId", g->unique_id);
    set_str(o, "Arn", g->arn);
    set_str(o, "CreateDate", g->create_date);
    return o;
}

json_t *policy_summary(const struct iam_store_policy *p) {
    json_t *o = json_object();

    set_str(o, "PolicyName", p->name);
    set_str(o, "PolicyId", p->policy_id);
    set_str(o, "Arn", p->arn);
    set_str(o, "Path", p->path);
    set_str(o, "DefaultVersionId", p->default_version);
    json_object_set_new(o, "AttachmentCount", json_integer((json_int_t)p->attachment_count));
    json_object_set_new(o, "PermissionsBoundaryUsageCount",
                        json_integer((json_int_t)p->boundary_usage_count));
    json_object_set_new(o, "IsAttachable", json_boolean(p->is_attachable));
    set_str(o, "Description", p->description);
    set_str(o, "CreateDate", p->create_date);
    set_str(o, "UpdateDate", p->update_date);
    return o;
}

static char *url_encode(const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *out = malloc(n * 3 + 1), *o = out;

    if (!out)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

json_t *document_json(const char *text) {
    json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

    if (!v) {
        /* jansson cannot hold it (e.g. an integer beyond 64 bits): keep the exact text,
         * URL-encoded as the AWS API itself returns documents */
        char *enc = url_encode(text);
        if (!enc)
            return NULL;
        v = json_string(enc);
        free(enc);
    }
    return v;
}

/* ---- values ------------------------------------------------------------------------------- */

void make_unique_id(const char *prefix, char out[22]) {
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t n = strlen(prefix);

    uint8_t rnd[21];

    /* one call for all the characters (an import makes ids by the hundred thousand); 32
     * divides 256, so the low five bits of each byte are uniform */
    randombytes_buf(rnd, sizeof(rnd));
    memcpy(out, prefix, n);
    for (size_t i = n; i < 21; i++)
        out[i] = b32[rnd[i] & 31];
    out[21] = '\0';
}

void now_iso(char out[32]) {
    iam_db_format_time((int64_t)time(NULL), out, 32);
}

int check_param_size(const char *opt, const char *value, size_t max) {
    struct stat st;

    if (strncmp(value, "file://", 7) != 0)
        return 0;
    if (stat(value + 7, &st) < 0)
        return iamctl_fail("%s %s: %s", opt, value + 7, strerror(errno));
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)max)
        return iamctl_fail("%s %s: file is too large (%jd bytes, limit %zu)", opt, value + 7,
                           (intmax_t)st.st_size, max);
    return 0;
}

static int read_document(const char *value, size_t max_chars, const char *kind, bool trust,
                         char **ret_text);

int read_policy_document(const char *value, size_t max_chars, const char *kind, char **ret_text) {
    return read_document(value, max_chars, kind, false, ret_text);
}

int read_trust_policy_document(const char *value, char **ret_text) {
    return read_document(value, IAM_MAX_TRUST_POLICY_CHARS, "trust policy", true, ret_text);
}

static int read_document(const char *value, size_t max_chars, const char *kind, bool trust,
                         char **ret_text) {
    const char *source = NULL;
    char *text = NULL;
    size_t len = 0, size;
    int r;

    r = check_param_size("--policy-document", value, IAM_POLICY_MAX_BYTES);
    if (r)
        return r;
    r = iamctl_read_param(value, &text, &len, &source);
    if (r < 0)
        return iamctl_fail("%s: %s", strncmp(value, "file://", 7) == 0 ? value + 7 : "argument",
                           strerror(-r));
    if (len > IAM_POLICY_MAX_BYTES) {
        free(text);
        return iamctl_fail("%s: the policy is too large (%zu bytes)", source, len);
    }
    if (strlen(text) != len) {
        free(text);
        return iamctl_fail("%s: policy document contains a NUL byte", source);
    }
    /* validate-policy's checks (the engine's compile included); ERROR findings refuse */
    if ((r = trust ? iamctl_trust_policy_check(text, len, source, 0)
                   : iamctl_policy_check(text, len, IAM_POLICY_IDENTITY, source, 0))) {
        free(text);
        return r;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || c >= 0xc4) {
            free(text);
            return iamctl_fail("%s: the policy contains a character IAM does not allow (only "
                               "tab, newline, carriage return and U+0020 to U+00FF)",
                               source);
        }
    }
    size = iam_db_policy_size(text, len);
    if (size > max_chars) {
        free(text);
        return iamctl_fail("LimitExceeded: %s: the %s is %zu characters (whitespace excluded); "
                           "IAM allows %zu",
                           source, kind, size, max_chars);
    }
    *ret_text = text;
    return 0;
}

static int tag_ok(const char *k, const char *v) {
    if (!*k || strlen(k) > 128 || iam_db_check_passwd_field(k, 128))
        return iamctl_usage("--tags: bad tag key \"%.64s\" (1 to 128 characters)", k);
    if (strlen(v) > 256 || iam_db_check_passwd_field(v, 256))
        return iamctl_usage("--tags: bad value for tag \"%.64s\" (at most 256 characters, no "
                            "control characters, ':' or ',')",
                            k);
    return 0;
}

int parse_tags(char **items, size_t n, json_t **ret_array) {
    json_t *arr = json_array();
    int r = IAMCTL_EXIT_USAGE;

    if (!arr)
        return iamctl_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *it = items[i];

        if (it[0] == '[') {
            json_error_t je;
            json_t *j = json_loads(it, JSON_REJECT_DUPLICATES, &je), *t;
            size_t k;
            if (!json_is_array(j)) {
                json_decref(j);
                r = iamctl_usage("--tags: expected a JSON array of {\"Key\",\"Value\"}");
                goto out;
            }
            json_array_foreach(j, k, t) {
                const char *tk = json_string_value(json_object_get(t, "Key"));
                const char *tv = json_string_value(json_object_get(t, "Value"));
                json_t *o;
                if (!tk || !tv || json_object_size(t) != 2) {
                    json_decref(j);
                    r = iamctl_usage("--tags: each tag needs exactly Key and Value strings");
                    goto out;
                }
                if ((r = tag_ok(tk, tv)) != 0) {
                    json_decref(j);
                    goto out;
                }
                o = json_pack("{s:s,s:s}", "Key", tk, "Value", tv);
                json_array_append_new(arr, o);
            }
            json_decref(j);
            continue;
        }
        /* Key=k,Value=v */
        if (strncmp(it, "Key=", 4) != 0 || !strstr(it, ",Value=")) {
            r = iamctl_usage("--tags: expected Key=KEY,Value=VALUE, got \"%.64s\"", it);
            goto out;
        }
        {
            const char *vpos = strstr(it, ",Value=");
            char *k = strndup(it + 4, (size_t)(vpos - it - 4));
            const char *v = vpos + 7;
            json_t *o;
            if (!k) {
                r = iamctl_fail("out of memory");
                goto out;
            }
            if ((r = tag_ok(k, v)) != 0) {
                free(k);
                goto out;
            }
            o = json_pack("{s:s,s:s}", "Key", k, "Value", v);
            free(k);
            json_array_append_new(arr, o);
        }
    }
    /* duplicates and the count are checked here so the message names the option */
    for (size_t i = 0; i < json_array_size(arr); i++)
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(json_string_value(json_object_get(json_array_get(arr, i), "Key")),
                           json_string_value(json_object_get(json_array_get(arr, j), "Key"))) ==
                0) {
                r = iamctl_usage("--tags: duplicate tag key (tag keys are case-insensitive)");
                goto out;
            }
    *ret_array = arr;
    arr = NULL;
    r = 0;
out:
    json_decref(arr);
    return r;
}

/* ---- local accounts -------------------------------------------------------------------- */

/* The local accounts (iam/host_ids.h), read once per command: an import checks every new
 * name against them, and every write checks the whole store before it commits. */
static int load_local(void) {
    struct iam_error e;
    int r;

    if (local)
        return 0;
    iam_error_init(&e);
    r = iam_local_accounts_load(iam_local_passwd_path(), iam_local_group_path(), &local, &e);
    return r < 0 ? iamctl_fail_error(&e) : 0;
}

const struct iam_local_accounts *local_accounts(void) {
    return load_local() == 0 ? local : NULL;
}

/* -EEXIST when a local account of that kind has the name (any case). */
static int local_name_taken(bool group, const char *name) {
    int r = load_local();

    if (r)
        return r;
    return (group ? iam_local_group_exists(local, name) : iam_local_user_exists(local, name))
               ? -EEXIST
               : 0;
}

int local_name_used(bool group, const char *name, bool *ret_used) {
    int r = local_name_taken(group, name);

    *ret_used = r == -EEXIST;
    return r == -EEXIST ? 0 : r;
}

int alloc_id(struct sth *h, uint32_t *ret) {
    uint64_t c = h->account.next_id > h->config->uid_min ? h->account.next_id : h->config->uid_min;
    int r;

    if ((r = load_local()) != 0)
        return r;
    for (; c <= h->config->uid_max; c++) {
        if (iam_local_id_used(local, (uint32_t)c) || c == 65534 || c == 65535)
            continue;
        r = iam_store_posix_id_taken(h->st, (uint32_t)c);
        if (r < 0)
            return sth_fail(h, r);
        if (r == 0)
            break;
    }
    if (c > h->config->uid_max)
        return iamctl_fail("LimitExceeded: no free id left in uid_min..uid_max (%u..%u); ids are "
                           "never reused",
                           h->config->uid_min, h->config->uid_max);
    if (!h->defer_next_id && (r = iam_store_set_next_id(h->st, (uint32_t)c + 1)) < 0)
        return sth_fail(h, r);
    h->next_id_dirty = h->defer_next_id;
    h->account.next_id = (uint32_t)c + 1;
    *ret = (uint32_t)c;
    return 0;
}

int sth_flush_next_id(struct sth *h) {
    int r;

    if (!h->next_id_dirty)
        return 0;
    if ((r = iam_store_set_next_id(h->st, h->account.next_id)) < 0)
        return sth_fail(h, r);
    h->next_id_dirty = false;
    return 0;
}

int check_local_user_name(const char *name) {
    int r = local_name_taken(false, name);

    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local account in %s", name,
                           iam_local_passwd_path());
    if (r != 0)
        return r;
    r = local_name_taken(true, name);
    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local group in %s (the user's "
                           "private group would collide)",
                           name, iam_local_group_path());
    return r;
}

int check_local_group_name(const char *name) {
    int r = local_name_taken(true, name);

    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local group in %s", name,
                           iam_local_group_path());
    return r;
}

int check_group_name_allowed(const struct iam_config *config, const char *what, const char *name) {
    struct iam_error e;

    iam_error_init(&e);
    if (iam_group_name_allowed(config, what, name, &e) == 0)
        return 0;
    return iamctl_fail("ValidationError: %s", e.text);
}

int check_user_name_arg(const char *name) {
    const char *why = iam_db_check_user_name(name);

    if (why)
        return iamctl_fail("ValidationError: user name \"%.64s\" %s", name, why);
    return 0;
}
