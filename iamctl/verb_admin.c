/* SPDX-License-Identifier: Apache-2.0 */
/* Administration: init, compile, import, get-account-authorization-details,
 * get-credential-report. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/cache_build.h"
#include "iam/fileio.h"
#include "iam/lastused.h"
#include "trail_common.h"
#include "verb_common.h"

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

int verb_init(int argc, char *argv[]) {
    struct opt opts[] = {{"account-id", OPT_VALUE, true}, {"host-arn", OPT_VALUE, true},
                         {"database", OPT_VALUE},         {"cache-dir", OPT_VALUE},
                         {"audit-log", OPT_VALUE},        {"uid-min", OPT_VALUE},
                         {"uid-max", OPT_VALUE},          {NULL}};
    struct iam_config *c = NULL;
    struct iam_db *db = NULL;
    struct iam_error e;
    char *conf = NULL, *dbtext = NULL;
    struct stat st;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
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
            "# resource_policy = " IAM_SYSCONFDIR "/host-policy.json\n"
            "# host_tag.Environment = production\n",
            opt_get(opts, "account-id")->value, opt_get(opts, "host-arn")->value,
            opt_get(opts, "database")->value ? opt_get(opts, "database")->value
                                             : IAM_SYSCONFDIR "/iam.json",
            opt_get(opts, "cache-dir")->value ? opt_get(opts, "cache-dir")->value : IAM_STATEDIR,
            opt_get(opts, "audit-log")->value ? opt_get(opts, "audit-log")->value
                                              : "/var/log/iam/audit.jsonl",
            opt_get(opts, "uid-min")->value ? opt_get(opts, "uid-min")->value : "200000",
            opt_get(opts, "uid-max")->value ? opt_get(opts, "uid-max")->value : "299999") < 0) {
        conf = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    /* the text we are about to write must itself be valid */
    if (iam_config_parse(conf, strlen(conf), "(options)", &c, &e) < 0) {
        r = iamctl_usage("invalid option: %s", e.text);
        goto out;
    }
    if (lstat(arg_config, &st) == 0) {
        r = iamctl_fail("%s already exists; refusing to overwrite it", arg_config);
        goto out;
    }
    if (lstat(c->database, &st) == 0) {
        r = iamctl_fail("%s already exists; refusing to overwrite it", c->database);
        goto out;
    }
    if (asprintf(&dbtext,
                 "{\n    \"FormatVersion\": %d,\n    \"Serial\": 0,\n    \"AccountId\": \"%s\",\n"
                 "    \"Posix\": {\n        \"NextUid\": %u\n    },\n"
                 "    \"UserDetailList\": [],\n    \"GroupDetailList\": [],\n"
                 "    \"RoleDetailList\": [],\n    \"Policies\": []\n}\n",
                 IAM_DB_FORMAT_VERSION, c->account_id, c->uid_min) < 0) {
        dbtext = NULL;
        r = iamctl_fail("out of memory");
        goto out;
    }
    iam_error_init(&e);
    if (iam_db_parse(dbtext, strlen(dbtext), c->database, 0, &db, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    if ((r = write_new_file(arg_config, conf, 0644)))
        goto out;
    if ((r = write_new_file(c->database, dbtext, 0600))) {
        (void)unlink(arg_config); /* all or nothing */
        goto out;
    }
    iam_error_init(&e);
    if (iam_compile_caches(c, db, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    r = 0;
out:
    free(conf);
    free(dbtext);
    iam_db_free(db);
    iam_config_free(c);
    opts_free(opts);
    return r;
}

/* ---- compile ------------------------------------------------------------------------------ */

int verb_compile(int argc, char *argv[]) {
    struct opt opts[] = {{NULL}};
    struct dbh h = DBH_INIT;
    struct iam_error e;
    int r;

    iam_error_init(&e);
    /* under the writers' lock, so the caches match the database we read */
    if ((r = opts_parse(argc, argv, opts)) || (r = dbh_open(&h, true)))
        goto out;
    if (iam_compile_caches(h.config, h.db, &e) < 0)
        r = iamctl_fail_error(&e);
out:
    return dbh_close(&h, r);
}

/* ---- export --------------------------------------------------------------------------------- */

static void drop_keys(json_t *o, const char *const *keys) {
    for (const char *const *k = keys; *k; k++)
        json_object_del(o, *k);
}

int verb_get_account_authorization_details(int argc, char *argv[]) {
    static const char *const user_ext[] = {"AccessKeys", "LoginProfile", "SSHPublicKeys", "Posix",
                                           NULL};
    static const char *const group_ext[] = {"Posix", NULL};
    struct opt opts[] = {{"filter", OPT_LIST}, {NULL}};
    struct dbh h = DBH_INIT;
    json_t *root = NULL, *out, *arr, *v;
    json_error_t je;
    bool want[5] = {true, true, true, true, true};
    size_t i;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_get(opts, "filter")->set) {
        static const char *const names[] = {"User", "Group", "Role", "LocalManagedPolicy",
                                            "AWSManagedPolicy"};
        memset(want, 0, sizeof(want));
        for (size_t k = 0; k < opt_get(opts, "filter")->n_list; k++) {
            size_t n;
            for (n = 0; n < 5; n++)
                if (strcmp(opt_get(opts, "filter")->list[k], names[n]) == 0)
                    break;
            if (n == 5) {
                r = iamctl_usage("--filter: one of User, Role, Group, LocalManagedPolicy, "
                                 "AWSManagedPolicy");
                goto out;
            }
            want[n] = true;
        }
    }
    if ((r = dbh_open(&h, false)))
        goto out;
    root = json_loadb(h.text, h.len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        r = iamctl_fail("%s:%d:%d: %s", h.config->database, je.line, je.column, je.text);
        goto out;
    }
    out = json_object();
    arr = json_array();
    json_array_foreach(json_object_get(root, "UserDetailList"), i, v) {
        drop_keys(v, user_ext);
        if (want[0])
            json_array_append(arr, v);
    }
    json_object_set_new(out, "UserDetailList", arr);
    arr = json_array();
    json_array_foreach(json_object_get(root, "GroupDetailList"), i, v) {
        drop_keys(v, group_ext);
        if (want[1])
            json_array_append(arr, v);
    }
    json_object_set_new(out, "GroupDetailList", arr);
    arr = json_array();
    if (want[2] && json_is_array(json_object_get(root, "RoleDetailList")))
        json_array_extend(arr, json_object_get(root, "RoleDetailList"));
    json_object_set_new(out, "RoleDetailList", arr);
    arr = json_array();
    json_array_foreach(json_object_get(root, "Policies"), i, v) {
        const struct iam_db_managed_policy *mp =
            iam_db_find_policy(h.db, json_string_value(json_object_get(v, "Arn")));
        if (!mp || !(mp->aws_managed ? want[4] : want[3]))
            continue;
        /* the counts are the database's truth, not what an import once said */
        json_object_set_new(v, "AttachmentCount", json_integer((json_int_t)mp->attachment_count));
        json_object_set_new(v, "PermissionsBoundaryUsageCount",
                            json_integer((json_int_t)mp->boundary_usage_count));
        json_array_append(arr, v);
    }
    json_object_set_new(out, "Policies", arr);
    r = print_json(out);
out:
    json_decref(root);
    opts_free(opts);
    return dbh_close(&h, r);
}

/* ---- import --------------------------------------------------------------------------------- */

/* Policy documents that arrive URL-encoded (as the API returns them) are stored as JSON. */
static int normalize_doc(json_t *holder, const char *key) {
    json_t *d = json_object_get(holder, key);
    char *dec = NULL;
    size_t len;
    json_t *nd;

    if (!json_is_string(d))
        return 0;
    if (iam_db_url_decode(json_string_value(d), json_string_length(d), &dec, &len) < 0)
        return -EINVAL; /* cannot happen: the export was validated */
    nd = document_json(dec);
    free(dec);
    if (!nd)
        return -ENOMEM;
    return json_object_set_new(holder, key, nd) < 0 ? -ENOMEM : 0;
}

static int normalize_list(json_t *o, const char *list, const char *key) {
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(o, list), i, v) {
        int r = normalize_doc(v, key);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Replace the element of arr whose key matches (ci or exact) or append. Returns the previous
 * element (a new reference) or NULL. */
static json_t *upsert(json_t *arr, const char *key, json_t *item, bool ci) {
    const char *want = json_string_value(json_object_get(item, key));
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        const char *have = json_string_value(json_object_get(v, key));
        if (have && (ci ? strcasecmp(have, want) == 0 : strcmp(have, want) == 0)) {
            json_incref(v);
            json_array_set(arr, i, item);
            return v;
        }
    }
    json_array_append(arr, item);
    return NULL;
}

int verb_import(int argc, char *argv[]) {
    static const char *const keep_user[] = {"AccessKeys", "LoginProfile", "SSHPublicKeys", "Posix",
                                            NULL};
    struct opt opts[] = {{"authorization-details", OPT_VALUE, true}, {NULL}};
    struct dbh h = DBH_INIT;
    struct iam_db *exp = NULL;
    struct iam_error e;
    char *text = NULL;
    const char *source;
    size_t len, i, n_new_users = 0, n_new_groups = 0;
    json_t *ej = NULL, *v;
    json_error_t je;
    int r;

    iam_error_init(&e);
    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if ((r = check_param_size("--authorization-details",
                              opt_get(opts, "authorization-details")->value, IAM_DB_MAX_SIZE)))
        goto out;
    if ((r = iamctl_read_param(opt_get(opts, "authorization-details")->value, &text, &len,
                               &source)) < 0) {
        r = iamctl_fail("--authorization-details: %s", strerror(-r));
        goto out;
    }
    /* validated on its own first, so errors point into the export file */
    if (iam_db_parse(text, len, source, IAM_DB_PARSE_EXPORT, &exp, &e) < 0) {
        r = iamctl_fail_error(&e);
        goto out;
    }
    if ((r = iamctl_db_policy_check(exp, source, 0))) /* validate-policy's ERRORs refuse */
        goto out;
    ej = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!ej) {
        r = iamctl_fail("%s:%d:%d: %s", source, je.line, je.column, je.text);
        goto out;
    }
    if ((r = dbh_open(&h, true)))
        goto out;
    if (strcmp(exp->account_id, h.db->account_id) != 0) {
        r = iamctl_fail("%s: the export is of account %s, this database is account %s", source,
                        exp->account_id, h.db->account_id);
        goto out;
    }
    json_array_foreach(json_object_get(ej, "Policies"), i, v) {
        json_t *old;
        if (normalize_list(v, "PolicyVersionList", "Document") < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        old = upsert(dbh_section(&h, "Policies"), "Arn", v, false);
        json_decref(old);
    }
    json_array_foreach(json_object_get(ej, "GroupDetailList"), i, v) {
        const char *name = json_string_value(json_object_get(v, "GroupName"));
        json_t *old = dbh_group_json(&h, name);
        if (normalize_list(v, "GroupPolicyList", "PolicyDocument") < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        if (old) {
            /* keep the gid this host already gave the group */
            json_object_set(v, "Posix", json_object_get(old, "Posix"));
        } else {
            uint32_t gid;
            if (iam_db_find_user(h.db, name)) {
                r = iamctl_fail("%s: group \"%s\" has the name of an IAM user on this host", source,
                                name);
                goto out;
            }
            if ((r = check_local_group_name(name)) || (r = alloc_id(&h, &gid)))
                goto out;
            json_object_set_new(v, "Posix", json_pack("{s:I}", "Gid", (json_int_t)gid));
            n_new_groups++;
        }
        json_decref(upsert(dbh_section(&h, "GroupDetailList"), "GroupName", v, true));
    }
    json_array_foreach(json_object_get(ej, "UserDetailList"), i, v) {
        const char *name = json_string_value(json_object_get(v, "UserName"));
        json_t *old = dbh_user_json(&h, name);
        if (normalize_list(v, "UserPolicyList", "PolicyDocument") < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        if (old) {
            /* secrets, keys and POSIX identity are the host's, never the export's */
            for (const char *const *k = keep_user; *k; k++)
                if (json_object_get(old, *k))
                    json_object_set(v, *k, json_object_get(old, *k));
        } else {
            uint32_t uid;
            char *home;
            if (iam_db_find_group(h.db, name)) {
                r = iamctl_fail("%s: user \"%s\" has the name of an IAM group on this host", source,
                                name);
                goto out;
            }
            if ((r = check_local_user_name(name)) || (r = alloc_id(&h, &uid)))
                goto out;
            home = iam_config_home_for(h.config, name);
            if (!home) {
                r = iamctl_fail("out of memory");
                goto out;
            }
            json_object_set_new(v, "Posix",
                                json_pack("{s:I,s:I,s:s,s:s}", "Uid", (json_int_t)uid, "Gid",
                                          (json_int_t)(h.config->private_groups
                                                           ? uid
                                                           : h.config->default_gid),
                                          "Home", home, "Shell",
                                          h.config->default_shell));
            free(home);
            n_new_users++;
        }
        json_decref(upsert(dbh_section(&h, "UserDetailList"), "UserName", v, true));
    }
    json_array_foreach(json_object_get(ej, "RoleDetailList"), i, v) {
        if (normalize_list(v, "RolePolicyList", "PolicyDocument") < 0 ||
            normalize_doc(v, "AssumeRolePolicyDocument") < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        json_decref(upsert(dbh_section(&h, "RoleDetailList"), "RoleName", v, true));
    }
    if ((r = dbh_commit(&h)))
        goto out;
    r = print_json(json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "Imported", "Users",
                             (json_int_t)exp->n_users, "NewUsers", (json_int_t)n_new_users,
                             "Groups", (json_int_t)exp->n_groups, "NewGroups",
                             (json_int_t)n_new_groups, "Roles", (json_int_t)exp->n_roles,
                             "Policies", (json_int_t)exp->n_policies));
out:
    json_decref(ej);
    iam_db_free(exp);
    free(text);
    opts_free(opts);
    return dbh_close(&h, r);
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

int verb_get_credential_report(int argc, char *argv[]) {
    struct opt opts[] = {{"output", OPT_VALUE}, {NULL}};
    struct dbh h = DBH_INIT;
    char *csv = NULL, region[64] = "N/A";
    size_t len = 0, cap = 0;
    bool json = false;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_get(opts, "output")->value) {
        if (strcmp(opt_get(opts, "output")->value, "json") == 0)
            json = true;
        else if (strcmp(opt_get(opts, "output")->value, "csv") != 0) {
            r = iamctl_usage("--output must be csv or json");
            goto out;
        }
    }
    if ((r = dbh_open(&h, false)))
        goto out;
    {
        /* keys are used on this host: report the host's region */
        const char *p = h.config->host_arn;
        for (int f = 0; f < 3 && p; f++)
            p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
        if (p && *p != ':') {
            size_t n = strcspn(p, ":");
            if (n > 0 && n < sizeof(region)) {
                memcpy(region, p, n);
                region[n] = '\0';
            }
        }
    }
    r = append(&csv, &len, &cap,
               "user,arn,user_creation_time,password_enabled,password_last_used,"
               "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
               "access_key_1_last_rotated,access_key_1_last_used_date,"
               "access_key_1_last_used_region,access_key_1_last_used_service,"
               "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
               "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
               "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n");
    for (size_t i = 0; r == 0 && i < h.db->n_users; i++) {
        const struct iam_db_user *u = &h.db->users[i];
        const struct iam_db_login_profile *lp = u->login_profile;
        char line[2048];
        int n;

        char pw_used[32] = "no_information";
        int64_t pw_t = lp ? trail_password_last_used(h.config->cache_dir, u->id) : 0;

        if (pw_t)
            trail_format_time(pw_t, pw_used);
        n = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s,%s,N/A,false", u->name, u->arn,
                     u->create_date ? u->create_date : "N/A", lp ? "true" : "false",
                     lp ? pw_used : "N/A", lp ? lp->create_date : "N/A");
        if (n < 0 || (size_t)n >= sizeof(line)) {
            r = -E2BIG;
            break;
        }
        r = append(&csv, &len, &cap, line);
        for (size_t k = 0; r == 0 && k < 2; k++) {
            if (k < u->n_keys) {
                const struct iam_db_access_key *key = &u->keys[k];
                char used[32] = "N/A", svc[64] = "N/A";
                time_t when;
                int lr = key_last_used(h.config->cache_dir, key->id, &when, svc, sizeof(svc));
                if (lr == 0) {
                    iam_db_format_time((int64_t)when, used, sizeof(used));
                    if (!svc[0])
                        snprintf(svc, sizeof(svc), "N/A");
                } else {
                    snprintf(svc, sizeof(svc), "N/A");
                }
                snprintf(line, sizeof(line), ",%s,%s,%s,%s,%s", key->active ? "true" : "false",
                         key->create_date, used, lr == 0 ? region : "N/A", svc);
            } else {
                snprintf(line, sizeof(line), ",false,N/A,N/A,N/A,N/A");
            }
            r = append(&csv, &len, &cap, line);
        }
        if (r == 0)
            r = append(&csv, &len, &cap, ",false,N/A,false,N/A\n");
    }
    if (r < 0) {
        r = iamctl_fail("cannot build the report: %s", strerror(-r));
        goto out;
    }
    if (json) {
        size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
        char *b64 = malloc(b64len), now[32];
        if (!b64) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        sodium_bin2base64(b64, b64len, (const unsigned char *)csv, len,
                          sodium_base64_VARIANT_ORIGINAL);
        now_iso(now);
        r = print_json(json_pack("{s:s,s:s,s:s}", "Content", b64, "ReportFormat", "text/csv",
                                 "GeneratedTime", now));
        free(b64);
    } else {
        if (fwrite(csv, 1, len, stdout) != len || fflush(stdout) != 0)
            r = iamctl_fail("cannot write the output");
        else
            r = 0;
    }
out:
    free(csv);
    opts_free(opts);
    return dbh_close(&h, r);
}
