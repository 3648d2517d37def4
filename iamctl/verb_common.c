/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "iam/cache_build.h"
#include "iam/fileio.h"
#include "iam/policy.h"
#include "iam/secret.h"
#include "verb_common.h"

/* ---- options ---------------------------------------------------------------------------- */

struct opt *opt_get(struct opt *opts, const char *name) {
    for (struct opt *o = opts; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
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

/* ---- the database ------------------------------------------------------------------------ */

static int fail_err(const struct iam_error *e) {
    return iamctl_fail_error(e);
}

/* A writer killed between creating its temporary file and renaming it leaves
 * <database>.XXXXXX behind. Under the lock no other writer can be using one, so remove them
 * (best effort: they were never the database, and their content is a complete or partial
 * copy of a database that is root-only anyway). */
static void remove_stale_temps(const char *database) {
    char *copy = strdup(database), *base;
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

int dbh_open(struct dbh *h, bool write) {
    struct iam_error e;
    int r;

    memset(h, 0, sizeof(*h));
    h->lock_fd = -1;
    iam_error_init(&e);
    if (iam_secret_init() < 0)
        return iamctl_fail("libsodium failed to initialise");
    r = iam_config_load(arg_config, &h->config, &e);
    if (r < 0)
        return fail_err(&e);
    {
        /* the partition of new ARNs: the host's own */
        const char *p = h->config->host_arn + 4, *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : 0;
        if (n == 0 || n >= sizeof(h->partition_buf))
            n = 3, p = "aws";
        memcpy(h->partition_buf, p, n);
        h->partition_buf[n] = '\0';
        h->partition = h->partition_buf;
    }
    if (write) {
        char *lock = NULL;
        if (asprintf(&lock, "%s.lock", h->config->database) < 0)
            return iamctl_fail("out of memory");
        iam_error_init(&e);
        r = iam_lock_acquire(lock, 10000, &e);
        free(lock);
        if (r < 0)
            return fail_err(&e);
        h->lock_fd = r;
        remove_stale_temps(h->config->database);
    }
    iam_error_init(&e);
    r = iam_file_read_safe(h->config->database, IAM_DB_MAX_SIZE, &h->text, &h->len, &e);
    if (r < 0)
        return fail_err(&e);
    iam_error_init(&e);
    r = iam_db_parse(h->text, h->len, h->config->database, 0, &h->db, &e);
    if (r < 0)
        return fail_err(&e);
    if (strcmp(h->db->account_id, h->config->account_id) != 0)
        return iamctl_fail("%s: AccountId %s is not account_id %s of %s", h->config->database,
                           h->db->account_id, h->config->account_id, arg_config);
    if (write) {
        json_error_t je;
        h->root = json_loadb(h->text, h->len, JSON_REJECT_DUPLICATES, &je);
        if (!h->root)
            return iamctl_fail("%s:%d:%d: %s", h->config->database, je.line, je.column, je.text);
    }
    return 0;
}

int dbh_close(struct dbh *h, int r) {
    if (r == IAMCTL_EXIT_OK && h->compile_failed)
        r = IAMCTL_EXIT_FAIL;
    json_decref(h->root);
    iam_db_free(h->db);
    free(h->text);
    iam_lock_release(h->lock_fd);
    iam_config_free(h->config);
    memset(h, 0, sizeof(*h));
    h->lock_fd = -1;
    return r;
}

int dbh_commit(struct dbh *h) {
    struct iam_error e;
    struct iam_db *ndb = NULL;
    json_t *serial;
    char *text = NULL;
    size_t len;
    json_int_t s;
    int r, ret = IAMCTL_EXIT_FAIL;

    iam_error_init(&e);
    serial = json_object_get(h->root, "Serial");
    s = json_is_integer(serial) ? json_integer_value(serial) : 0;
    if (json_object_set_new(h->root, "Serial", json_integer(s + 1)) < 0)
        return iamctl_fail("out of memory");
    text = json_dumps(h->root, JSON_INDENT(4));
    if (!text)
        return iamctl_fail("out of memory");
    len = strlen(text);
    /* Everything needed is in the new text now: drop the tree and the old model before
     * validating, so a large database is not held four times over. */
    json_decref(h->root);
    h->root = NULL;
    iam_db_free(h->db);
    h->db = NULL;
    free(h->text);
    h->text = NULL;
    {
        char *t2 = realloc(text, len + 2);
        if (!t2) {
            free(text);
            return iamctl_fail("out of memory");
        }
        text = t2;
        text[len++] = '\n';
        text[len] = '\0';
    }
    /* the whole new database must validate before it replaces the old one */
    r = iam_db_parse(text, len, "(new database)", 0, &ndb, &e);
    if (r < 0) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        ret = iamctl_fail("refusing to write %s: the result would not be valid: %s",
                          h->config->database, iam_error_format(&e, buf, sizeof(buf)));
        goto out;
    }
    iam_error_init(&e);
    r = iam_file_write_atomic(h->config->database, text, len, 0600, &e);
    if (r < 0) {
        ret = fail_err(&e);
        goto out;
    }
    iam_db_free(h->db);
    h->db = ndb;
    ndb = NULL;
    free(h->text);
    h->text = text;
    h->len = len;
    text = NULL;
    iam_error_init(&e);
    r = iam_compile_caches(h->config, h->db, &e);
    if (r < 0) {
        char buf[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
        iamctl_fail("the database was written (Serial %llu), but compiling the host caches "
                    "failed; the previous caches stay in place: %s",
                    (unsigned long long)h->db->serial, iam_error_format(&e, buf, sizeof(buf)));
        h->compile_failed = true;
    }
    ret = IAMCTL_EXIT_OK;
out:
    free(text);
    iam_db_free(ndb);
    return ret;
}

json_t *dbh_section(struct dbh *h, const char *key) {
    json_t *a = json_object_get(h->root, key);

    if (!json_is_array(a)) {
        a = json_array();
        if (!a || json_object_set_new(h->root, key, a) < 0)
            return NULL;
    }
    return a;
}

static json_t *find_named(json_t *arr, const char *key, const char *name, bool ci) {
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        const char *n = json_string_value(json_object_get(v, key));
        if (n && (ci ? strcasecmp(n, name) == 0 : strcmp(n, name) == 0))
            return v;
    }
    return NULL;
}

json_t *dbh_user_json(struct dbh *h, const char *name) {
    return find_named(json_object_get(h->root, "UserDetailList"), "UserName", name, true);
}

json_t *dbh_group_json(struct dbh *h, const char *name) {
    return find_named(json_object_get(h->root, "GroupDetailList"), "GroupName", name, true);
}

json_t *dbh_policy_json(struct dbh *h, const char *arn) {
    return find_named(json_object_get(h->root, "Policies"), "Arn", arn, false);
}

int fail_no_such_entity(const char *kind, const char *name) {
    return iamctl_fail("NoSuchEntity: the %s with name %.128s cannot be found", kind, name);
}

int fail_user_missing(const char *name) {
    return fail_no_such_entity("user", name);
}

int find_user_or_fail(const struct iam_db *db, const char *name,
                      const struct iam_db_user **ret_user) {
    const struct iam_db_user *u = iam_db_find_user(db, name);

    if (!u)
        return fail_user_missing(name);
    *ret_user = u;
    return 0;
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

json_t *tags_json(const struct iam_db_tag *tags, size_t n) {
    json_t *a = json_array();

    for (size_t i = 0; a && i < n; i++) {
        json_t *t = json_object();
        set_str(t, "Key", tags[i].key);
        set_str(t, "Value", tags[i].value);
        json_array_append_new(a, t);
    }
    return a;
}

json_t *user_summary(const struct iam_db_user *u) {
    json_t *o = json_object();

    set_str(o, "Path", u->path);
    set_str(o, "UserName", u->name);
    set_str(o, "UserId", u->id);
    set_str(o, "Arn", u->arn);
    set_str(o, "CreateDate", u->create_date);
    return o;
}

json_t *group_summary(const struct iam_db_group *g) {
    json_t *o = json_object();

    set_str(o, "Path", g->path);
    set_str(o, "GroupName", g->name);
    set_str(o, "GroupId", g->id);
    set_str(o, "Arn", g->arn);
    set_str(o, "CreateDate", g->create_date);
    return o;
}

json_t *policy_summary(const struct iam_db_managed_policy *p) {
    json_t *o = json_object();

    set_str(o, "PolicyName", p->name);
    set_str(o, "PolicyId", p->id);
    set_str(o, "Arn", p->arn);
    set_str(o, "Path", p->path);
    set_str(o, "DefaultVersionId", p->default_version->version_id);
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

    memcpy(out, prefix, n);
    for (size_t i = n; i < 21; i++)
        out[i] = b32[randombytes_uniform(32)];
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

int read_policy_document(const char *value, size_t max_chars, const char *kind, char **ret_text) {
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
    if ((r = iamctl_policy_check(text, len, IAM_POLICY_IDENTITY, source, 0))) {
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

static const char *passwd_path(void) {
    const char *p = secure_getenv("IAMCTL_PASSWD_FILE"); /* test override */
    return p && *p ? p : "/etc/passwd";
}

static const char *group_path(void) {
    const char *p = secure_getenv("IAMCTL_GROUP_FILE"); /* test override */
    return p && *p ? p : "/etc/group";
}

struct local_ids {
    bool loaded;
    uint32_t *ids;
    size_t n, cap;
};
static struct local_ids local;

static int add_local(uint32_t id) {
    if (local.n == local.cap) {
        size_t cap = local.cap ? local.cap * 2 : 256;
        uint32_t *n = realloc(local.ids, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        local.ids = n;
        local.cap = cap;
    }
    local.ids[local.n++] = id;
    return 0;
}

/* fgetpwent/fgetgrent read the files themselves: no NSS, so nss_iam never answers. */
static int load_local_ids(void) {
    FILE *f;

    if (local.loaded)
        return 0;
    f = fopen(passwd_path(), "re");
    if (!f)
        return iamctl_fail("%s: %s", passwd_path(), strerror(errno));
    for (struct passwd *pw; (pw = fgetpwent(f));)
        if (add_local((uint32_t)pw->pw_uid) < 0 || add_local((uint32_t)pw->pw_gid) < 0) {
            fclose(f);
            return iamctl_fail("out of memory");
        }
    fclose(f);
    f = fopen(group_path(), "re");
    if (!f)
        return iamctl_fail("%s: %s", group_path(), strerror(errno));
    for (struct group *gr; (gr = fgetgrent(f));)
        if (add_local((uint32_t)gr->gr_gid) < 0) {
            fclose(f);
            return iamctl_fail("out of memory");
        }
    fclose(f);
    local.loaded = true;
    return 0;
}

static bool local_id_used(uint32_t id) {
    for (size_t i = 0; i < local.n; i++)
        if (local.ids[i] == id)
            return true;
    return false;
}

int alloc_id(struct dbh *h, uint32_t *ret) {
    json_t *posix = json_object_get(h->root, "Posix");
    json_int_t next = json_integer_value(json_object_get(posix, "NextUid"));
    uint64_t c;
    int r;

    r = load_local_ids();
    if (r != 0)
        return r;
    c = next > (json_int_t)h->config->uid_min ? (uint64_t)next : h->config->uid_min;
    for (; c <= h->config->uid_max; c++)
        if (!local_id_used((uint32_t)c) && c != 65534 && c != 65535 &&
            !iam_db_find_user_by_uid(h->db, (uint32_t)c) &&
            !iam_db_find_group_by_gid(h->db, (uint32_t)c))
            break;
    if (c > h->config->uid_max)
        return iamctl_fail("LimitExceeded: no free id left in uid_min..uid_max (%u..%u); ids are "
                           "never reused",
                           h->config->uid_min, h->config->uid_max);
    if (!json_is_object(posix)) {
        posix = json_object();
        json_object_set_new(h->root, "Posix", posix);
    }
    if (json_object_set_new(posix, "NextUid", json_integer((json_int_t)c + 1)) < 0)
        return iamctl_fail("out of memory");
    *ret = (uint32_t)c;
    return 0;
}

static int name_in_file(const char *path, bool is_group, const char *name) {
    FILE *f = fopen(path, "re");
    int found = 0;

    if (!f)
        return iamctl_fail("%s: %s", path, strerror(errno));
    if (is_group) {
        for (struct group *gr; (gr = fgetgrent(f));)
            if (strcasecmp(gr->gr_name, name) == 0)
                found = 1;
    } else {
        for (struct passwd *pw; (pw = fgetpwent(f));)
            if (strcasecmp(pw->pw_name, name) == 0)
                found = 1;
    }
    fclose(f);
    return found ? -EEXIST : 0;
}

int check_local_user_name(const char *name) {
    int r = name_in_file(passwd_path(), false, name);

    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local account in %s", name,
                           passwd_path());
    if (r != 0)
        return r;
    r = name_in_file(group_path(), true, name);
    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local group in %s (the user's "
                           "private group would collide)",
                           name, group_path());
    return r;
}

int check_local_group_name(const char *name) {
    int r = name_in_file(group_path(), true, name);

    if (r == -EEXIST)
        return iamctl_fail("EntityAlreadyExists: \"%s\" is a local group in %s", name,
                           group_path());
    return r;
}

int check_user_name_arg(const char *name) {
    const char *why = iam_db_check_user_name(name);

    if (why)
        return iamctl_fail("ValidationError: user name \"%.64s\" %s", name, why);
    return 0;
}
