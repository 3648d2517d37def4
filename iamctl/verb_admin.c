/* SPDX-License-Identifier: Apache-2.0 */
/* Administration: init, compile, import, get-account-authorization-details,
 * get-credential-report. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apply.h"
#include "iam/bundle.h"
#include "iam/fileio.h"
#include "iam/lastused.h"
#include "trail_common.h"
#include "iam/store_compile.h"
#include "verb_common.h"

static void remove_store(const char *path) {
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(sfx); i++) {
        char *p = NULL;
        if (asprintf(&p, "%s%s", path, sfx[i]) >= 0) {
            (void)unlink(p);
            free(p);
        }
    }
}

/* ---- init --------------------------------------------------------------------------------- */

/* Create path (must not exist), write, fsync, fsync the directory. */
static int write_new_file(const char *path, const char *data, mode_t mode) {
    size_t len = strlen(data);
    int fd, r = 0;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return iamctl_fail("%s: %s", path,
                           errno == EEXIST ? "already exists; refusing to "
                                             "overwrite it"
                                           : strerror(errno));
    if (fchmod(fd, mode) < 0)
        r = -errno;
    while (r == 0 && len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        data += w;
        len -= (size_t)w;
    }
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r < 0) {
        (void)unlink(path);
        return iamctl_fail("%s: %s", path, strerror(-r));
    }
    return 0;
}

/* The iam.conf of a host that pulls its account (bundle_url): no store, no caches yet. */
static int init_pulling_host(struct opt *opts) {
    struct iam_config *c = NULL;
    struct iam_bundle_fleet_key fk;
    struct iam_error e;
    char *conf = NULL;
    struct stat sb;
    int r;

    iam_error_init(&e);
    if (opt_value(opts, "database") || opt_value(opts, "signing-key"))
        return iamctl_usage("--bundle-url makes a host that pulls its account: it has no "
                            "store, so --database and --signing-key do not apply");
    if (asprintf(
            &conf,
            "# iam-host settings (man 5 iam.conf), written by iamctl init.\n"
            "# This host pulls its account from bundle_url (`iamctl pull`, iam-pull.timer);\n"
            "# the account is managed where the bundle is published.\n"
            "account_id = %s\n"
            "host_arn = %s\n"
            "bundle_url = %s\n"
            "bundle_public_key = %s\n"
            "bundle_secret_key = %s\n"
            "%s%s%s"
            "# refuse IAM logins once the installed bundle was signed longer ago than this\n"
            "# (0 = never): publish at least that often\n"
            "bundle_max_age = %s\n"
            "cache_dir = %s\n"
            "audit_log = %s\n"
            "uid_min = %s\n"
            "uid_max = %s\n"
            "enforce = yes\n"
            "# resource_policy = " IAM_SYSCONFDIR "/host-policy.json\n"
            "# host_tag.Environment = production\n",
            opt_value(opts, "account-id"), opt_value(opts, "host-arn"),
            opt_value(opts, "bundle-url"), opt_value(opts, "bundle-public-key"),
            opt_value(opts, "bundle-secret-key"),
            opt_value(opts, "bundle-ca-file") ? "bundle_ca_file = " : "",
            opt_value(opts, "bundle-ca-file") ? opt_value(opts, "bundle-ca-file") : "",
            opt_value(opts, "bundle-ca-file") ? "\n" : "",
            opt_value(opts, "bundle-max-age") ? opt_value(opts, "bundle-max-age") : "0",
            opt_value(opts, "cache-dir") ? opt_value(opts, "cache-dir") : IAM_STATEDIR,
            opt_value(opts, "audit-log") ? opt_value(opts, "audit-log") : "/var/log/iam/audit.jsonl",
            opt_value(opts, "uid-min") ? opt_value(opts, "uid-min") : "200000",
            opt_value(opts, "uid-max") ? opt_value(opts, "uid-max") : "299999") < 0) {
        conf = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    if (iam_config_parse(conf, strlen(conf), "(options)", &c, &e) < 0) {
        r = iamctl_usage("invalid option: %s", e.text);
        goto out;
    }
    /* the fleet key must be usable now, not at the first pull */
    iam_error_init(&e);
    if (iam_bundle_fleet_key_load(c->bundle_secret_key, &fk, &e) < 0) {
        r = iamctl_fail("--bundle-secret-key: %s", e.text);
        goto out;
    }
    iam_bundle_key_wipe(&fk, sizeof(fk));
    if (lstat(arg_config, &sb) == 0) {
        r = iamctl_fail("%s already exists; refusing to overwrite it", arg_config);
        goto out;
    }
    r = write_new_file(arg_config, conf, 0644);
out:
    free(conf);
    iam_config_free(c);
    return r;
}

int verb_init(int argc, char *argv[]) {
    struct opt opts[] = {{"account-id", OPT_VALUE, true}, {"host-arn", OPT_VALUE, true},
                         {"database", OPT_VALUE},         {"cache-dir", OPT_VALUE},
                         {"audit-log", OPT_VALUE},        {"uid-min", OPT_VALUE},
                         {"uid-max", OPT_VALUE},          {"signing-key", OPT_VALUE},
                         {"bundle-url", OPT_VALUE},       {"bundle-public-key", OPT_VALUE},
                         {"bundle-secret-key", OPT_VALUE}, {"bundle-ca-file", OPT_VALUE},
                         {"bundle-max-age", OPT_VALUE},   {NULL}};
    static const char *const pull_only[] = {"bundle-public-key", "bundle-secret-key",
                                            "bundle-ca-file", "bundle-max-age"};
    struct iam_config *c = NULL;
    struct iam_store *st = NULL;
    struct iam_error e;
    char *conf = NULL, *dbdir = NULL;
    struct stat sb;
    struct fleet_keys_made made = {0};
    bool conf_written = false;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_value(opts, "bundle-url")) {
        r = init_pulling_host(opts);
        goto out;
    }
    for (size_t i = 0; i < IAM_ELEMENTSOF(pull_only); i++)
        if (opt_value(opts, pull_only[i])) {
            r = iamctl_usage("--%s is for a host that pulls its account: give --bundle-url too",
                             pull_only[i]);
            goto out;
        }
    if (!(dbdir = strdup(opt_value(opts, "database") ? opt_value(opts, "database")
                                                     : IAM_SYSCONFDIR "/iam.db"))) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    *(strrchr(dbdir, '/') ? strrchr(dbdir, '/') : dbdir) = '\0';
    if (asprintf(
            &conf,
            "# iam-host settings (man 5 iam.conf), written by iamctl init.\n"
            "# Every key is listed with its value; an unknown key or a bad value is an "
            "error.\n"
            "account_id = %s\n"
            "host_arn = %s\n"
            "database = %s\n"
            "cache_dir = %s\n"
            "audit_log = %s\n"
            "uid_min = %s\n"
            "uid_max = %s\n"
            "home_template = /home/%%u\n"
            "default_shell = /bin/bash\n"
            "private_groups = yes\n"
            "# without private groups, new users' primary group (100 = Debian's \"users\")\n"
            "default_gid = 100\n"
            "max_access_key_age_days = 0\n"
            "enforce = yes\n"
            "# yes: IAM groups may take names such as sudo, wheel or docker (iam.conf(5))\n"
            "allow_privileged_group_names = no\n"
            "# publishing the account to a fleet (iamctl publish): the key that signs bundles,\n"
            "# and the fleet key pair their secrets are sealed to\n"
            "signing_key = %s%s\n"
            "fleet_key = %s/fleet.key\n"
            "# resource_policy = " IAM_SYSCONFDIR "/host-policy.json\n"
            "# host_tag.Environment = production\n",
            opt_value(opts, "account-id"), opt_value(opts, "host-arn"),
            opt_value(opts, "database") ? opt_value(opts, "database") : IAM_SYSCONFDIR "/iam.db",
            opt_value(opts, "cache-dir") ? opt_value(opts, "cache-dir") : IAM_STATEDIR,
            opt_value(opts, "audit-log") ? opt_value(opts, "audit-log") : "/var/log/iam/audit.jsonl",
            opt_value(opts, "uid-min") ? opt_value(opts, "uid-min") : "200000",
            opt_value(opts, "uid-max") ? opt_value(opts, "uid-max") : "299999",
            opt_value(opts, "signing-key") ? opt_value(opts, "signing-key") : dbdir,
            opt_value(opts, "signing-key") ? "" : "/bundle-signing.key", dbdir) < 0) {
        conf = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    /* the text we are about to write must itself be valid */
    if (iam_config_parse(conf, strlen(conf), "(options)", &c, &e) < 0) {
        r = iamctl_usage("invalid option: %s", e.text);
        goto out;
    }
    if (lstat(arg_config, &sb) == 0) {
        r = iamctl_fail("%s already exists; refusing to overwrite it", arg_config);
        goto out;
    }
    if (lstat(c->database, &sb) == 0) {
        r = iamctl_fail("%s already exists; refusing to overwrite it", c->database);
        goto out;
    }
    if (iam_store_create(c->database, c->account_id, c->uid_min, true, &st, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    if ((r = write_new_file(arg_config, conf, 0644)))
        goto out;
    conf_written = true;
    if ((r = create_fleet_keys(c, SIGNING_KEY_KEEP, &made)))
        goto out;
    iam_error_init(&e);
    if (iam_store_begin(st, false) < 0 || iam_store_compile(st, c, &e) != 0) {
        r = e.set ? iamctl_fail_error(&e) : iamctl_fail_error(iam_store_error(st));
        goto out;
    }
    r = 0;
out:
    iam_store_close(st);
    if (r != 0 && st) { /* all or nothing */
        remove_store(c->database);
        if (conf_written)
            (void)unlink(arg_config);
        if (made.signing)
            (void)unlink(c->signing_key);
        if (made.fleet)
            (void)unlink(c->fleet_key);
    }
    free(conf);
    free(dbdir);
    iam_config_free(c);
    opts_free(opts);
    return r;
}

/* ---- compile ------------------------------------------------------------------------------ */

int verb_compile(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct sth h = STH_INIT;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    /* under the writers' lock, so the caches match the store we read; roles without an
     * account get theirs first (then the commit compiles) */
    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_give_roles_accounts(&h)))
        return sth_close(&h, r);
    if (iam_store_changes(h.st)->any)
        r = sth_commit(&h);
    else if (iam_store_compile(h.st, h.config, &e) != 0) /* 1: installed, nscd not told */
        r = iamctl_fail_error(&e);
    return sth_close(&h, r);
}

/* ---- export and import: export.c, import in verb_import below ------------------------------ */

int verb_import(int argc, char *argv[]) {
    struct opt opts[] = {
        {"authorization-details", OPT_VALUE, true}, {"delete-missing", OPT_FLAG}, {NULL}};
    struct sth h = STH_INIT;
    struct apply a = {0};
    struct apply_pos *priv = NULL;
    size_t n_priv = 0;
    struct iam_db *exp = NULL;
    struct iam_error e;
    char *text = NULL;
    const char *source, *value;
    size_t len;
    json_t *out = NULL;
    int r;

    iam_error_init(&e);
    /* the export's text, its model, the store's pages, the caches' images: ~180 MB written
     * once, in huge pages from one heap rather than 45,000 page faults (iam/store.h); the
     * holes the model leaves go back to the system before the compile (malloc_trim below) */
    iam_store_heap_for_bulk();
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    value = opt_value(opts, "authorization-details");
    if ((r = check_param_size("--authorization-details", value, IAM_DB_MAX_SIZE)))
        goto out;
    if ((r = iamctl_read_param(value, &text, &len, &source)) < 0) {
        r = iamctl_fail("--authorization-details: %s", strerror(-r));
        goto out;
    }
    /* validated on its own first, so errors point into the export file */
    if (iam_db_parse(text, len, source, IAM_DB_PARSE_EXPORT, &exp, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    if ((r = apply_find_privileged(exp, text, len, &priv, &n_priv)))
        goto out;
    free(text); /* the model holds what it needs */
    text = NULL;
    if ((r = iamctl_db_policy_check(exp, source, 0))) /* validate-policy's ERRORs refuse */
        goto out;
    if ((r = sth_open(&h, true)))
        goto out;
    if (strcmp(exp->account_id, h.account.account_id) != 0) {
        r = iamctl_fail("%s: the export is of account %s, this store is account %s", source,
                        exp->account_id, h.account.account_id);
        goto out;
    }
    a = (struct apply){.st = h.st,
                       .h = &h,
                       .config = h.config,
                       .db = exp,
                       .file = source,
                       .source = IAM_STORE_SOURCE_AWS,
                       .progress = isatty(STDERR_FILENO) != 0,
                       .privileged = priv,
                       .n_privileged = n_priv};
    priv = NULL; /* a owns it */
    h.defer_next_id = true; /* one write of the high-water mark, not one per new identity */
    /* the whole account in one transaction: a bulk load (iam/store.h) */
    if ((r = iam_store_bulk_begin(h.st)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if ((r = apply_model(&a)) ||
        (opt_get(opts, "delete-missing")->set && (r = apply_delete_missing(&a))))
        goto out;
    if ((r = iam_store_bulk_end(h.st)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if ((r = sth_flush_next_id(&h)))
        goto out;
    /* what the output says, then the model goes before the commit compiles the caches: the
     * two are never in memory together */
    out = json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "Imported", "Users",
                    (json_int_t)exp->n_users, "NewUsers", (json_int_t)a.new_users, "Groups",
                    (json_int_t)exp->n_groups, "NewGroups", (json_int_t)a.new_groups, "Roles",
                    (json_int_t)exp->n_roles, "Policies", (json_int_t)exp->n_policies);
    if (out && opt_get(opts, "delete-missing")->set)
        json_object_set_new(out, "Deleted",
                            json_pack("{s:I,s:I,s:I,s:I}", "Users", (json_int_t)a.deleted_users,
                                      "Groups", (json_int_t)a.deleted_groups, "Roles",
                                      (json_int_t)a.deleted_roles, "Policies",
                                      (json_int_t)a.deleted_policies));
    apply_free(&a);
    memset(&a, 0, sizeof(a));
    iam_db_free(exp);
    exp = NULL;
    /* and what it took goes back to the system: the compile's allocations do not fit the
     * holes it leaves (glibc keeps freed heap pages resident otherwise) */
    (void)malloc_trim(0);
    if ((r = sth_commit(&h)))
        goto out;
    if (out)
        json_object_set_new(out, "Serial", json_integer((json_int_t)h.account.serial));
    r = print_json(out);
    out = NULL;
out:
    json_decref(out);
    apply_free(&a);
    free(priv);
    iam_db_free(exp);
    free(text);
    opts_free(opts);
    return sth_close(&h, r);
}

/* ---- credential report -------------------------------------------------------------------- */

/* Last use of an access key, as pam_iam records it (iam/lastused.h:
 * <cache_dir>/lastused/<AccessKeyId>, "<epoch seconds> <service>\n"). 0 and when/service
 * filled; <0 when never used or the record is unreadable or damaged (then "N/A", never a
 * guess). The service is made CSV-safe. */
static int key_last_used(const char *cache_dir, const char *key_id, time_t *when, char *service,
                         size_t service_size) {
    struct iam_error e;
    int r;

    iam_error_init(&e);
    r = iam_lastused_read(cache_dir, key_id, when, service, service_size, &e);
    if (r < 0)
        return r;
    for (char *c = service; *c; c++)
        if (*c == ',' || *c == '"' || (unsigned char)*c < 0x20)
            *c = '_';
    return 0;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s) {
    size_t n = strlen(s);

    if (*len + n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 4096) + n;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return -ENOMEM;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

struct report {
    struct sth *h;
    char *csv;
    size_t len, cap;
    const char *region;
    const struct iam_store_password_policy *policy; /* NULL: none */
};

/* One CSV row: the user, the password, two access keys, no certificates. */
static int report_user(void *ctx, const struct iam_store_identity *u) {
    struct report *rp = ctx;
    struct iam_store_mark mark = iam_store_mark(rp->h->st);
    struct iam_store_login_profile lp;
    struct iam_store_access_key *keys;
    size_t n;
    char line[2048];
    int len, r = iam_store_login_profile_get(rp->h->st, u, &lp);
    bool has_lp = r == 0;

    if (r < 0 && r != -ENOENT)
        return r;
    if ((r = iam_store_access_keys(rp->h->st, u, &keys, &n)) < 0)
        return r;
    char pw_used[32] = "no_information";
    int64_t pw_t = has_lp ? trail_password_last_used(rp->h->config->cache_dir, u->unique_id) : 0;

    const char *changed = has_lp && lp.password_last_changed ? lp.password_last_changed
                          : has_lp                          ? lp.create_date
                                                            : NULL;
    int64_t rotation = has_lp ? password_expiry(rp->policy, changed) : 0;
    char next[32] = "N/A";

    if (pw_t)
        trail_format_time(pw_t, pw_used);
    if (rotation)
        iam_db_format_time(rotation, next, sizeof(next));
    struct iam_store_mfa_device *mfa = NULL;
    size_t n_mfa = 0;

    if ((r = iam_store_mfa_list(rp->h->st, u, &mfa, &n_mfa)) < 0)
        return r;
    for (size_t i = 0; i < n_mfa; i++)
        sodium_memzero(mfa[i].seed, sizeof(mfa[i].seed));
    len = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,%s,%s", u->name, u->arn,
                   u->create_date ? u->create_date : "N/A", has_lp ? "true" : "false",
                   has_lp ? pw_used : "N/A", changed ? changed : "N/A", next,
                   n_mfa > 0 ? "true" : "false");
    if (len < 0 || (size_t)len >= sizeof(line))
        return -E2BIG;
    r = append(&rp->csv, &rp->len, &rp->cap, line);
    for (size_t k = 0; r == 0 && k < 2; k++) {
        if (k < n) {
            char used[32] = "N/A", svc[64] = "N/A";
            time_t when;
            int lr = key_last_used(rp->h->config->cache_dir, keys[k].access_key_id, &when, svc,
                                   sizeof(svc));
            if (lr == 0) {
                iam_db_format_time((int64_t)when, used, sizeof(used));
                if (!svc[0])
                    snprintf(svc, sizeof(svc), "N/A");
            } else {
                snprintf(svc, sizeof(svc), "N/A");
            }
            snprintf(line, sizeof(line), ",%s,%s,%s,%s,%s", keys[k].active ? "true" : "false",
                     keys[k].create_date, used, lr == 0 ? rp->region : "N/A", svc);
        } else {
            snprintf(line, sizeof(line), ",false,N/A,N/A,N/A,N/A");
        }
        r = append(&rp->csv, &rp->len, &rp->cap, line);
    }
    iam_store_release(rp->h->st, mark);
    return r == 0 ? append(&rp->csv, &rp->len, &rp->cap, ",false,N/A,false,N/A\n") : r;
}

/* Keys are used on this host: the report names the host's region. */
static void host_region(const char *host_arn, char *region, size_t size) {
    const char *p = host_arn;

    snprintf(region, size, "N/A");
    for (int f = 0; f < 3 && p; f++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (p && *p != ':') {
        size_t n = strcspn(p, ":");
        if (n > 0 && n < size) {
            memcpy(region, p, n);
            region[n] = '\0';
        }
    }
}

static int print_report(const char *csv, size_t len, bool json) {
    size_t b64len;
    char *b64, now[32];
    int r;

    if (!json)
        return fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0
                   ? iamctl_fail("cannot write the output")
                   : 0;
    b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    if (!(b64 = malloc(b64len)))
        return iamctl_fail("out of memory");
    sodium_bin2base64(b64, b64len, (const unsigned char *)csv, len,
                      sodium_base64_VARIANT_ORIGINAL);
    now_iso(now);
    r = print_json(json_pack("{s:s,s:s,s:s}", "Content", b64, "ReportFormat", "text/csv",
                             "GeneratedTime", now));
    free(b64);
    return r;
}

int verb_get_credential_report(int argc, char *argv[]) {
    struct opt opts[] = {{"output", OPT_VALUE}, {NULL}};
    struct sth h = STH_INIT;
    struct report rp = {.h = &h};
    struct iam_store_password_policy policy;
    char region[64];
    const char *output;
    bool json = false;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if ((output = opt_value(opts, "output"))) {
        if (strcmp(output, "json") == 0)
            json = true;
        else if (strcmp(output, "csv") != 0) {
            r = iamctl_usage("--output must be csv or json");
            goto out;
        }
    }
    if ((r = sth_open(&h, false)))
        goto out;
    host_region(h.config->host_arn, region, sizeof(region));
    rp.region = region;
    r = iam_store_password_policy_get(h.st, &policy);
    if (r < 0 && r != -ENOENT) {
        r = sth_fail(&h, r);
        goto out;
    }
    rp.policy = r == 0 ? &policy : NULL;
    r = append(&rp.csv, &rp.len, &rp.cap,
               "user,arn,user_creation_time,password_enabled,password_last_used,"
               "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
               "access_key_1_last_rotated,access_key_1_last_used_date,"
               "access_key_1_last_used_region,access_key_1_last_used_service,"
               "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
               "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
               "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
    if (r == 0)
        r = iam_store_identity_list(h.st, IAM_STORE_USER, NULL, 0, 0, report_user, &rp, NULL);
    if (r < 0) {
        r = iam_store_error(h.st)->set ? sth_fail(&h, r)
                                         : iamctl_fail("cannot build the report: %s", strerror(-r));
        goto out;
    }
    r = print_report(rp.csv, rp.len, json);
out:
    free(rp.csv);
    opts_free(opts);
    return sth_close(&h, r);
}
