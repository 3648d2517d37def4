/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One sudo command decided by IAM policy: who is asking (a local user is never asked), what
 * the login knew (the login-session record), the request context of the command, the
 * decision on host:Sudo, the audit record.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "iam/audit.h"
#include "iam/auth_cache.h"
#include "iam/config.h"
#include "iam/host.h"
#include "iam/host_decide.h"
#include "iam/login_session.h"
#include "iam/pull_state.h"
#include "sudo_iam_private.h"

#define LOCAL_PASSWD "/etc/passwd"
#define K(id) iam_host_key_name(IAM_HOST_KEY_##id) /* the names of iam/host.h */

/* In /etc/passwd itself (as pam_localuser asks): local users are never asked. -errno when the
 * file cannot be read: then nobody is taken for a local user. */
static int is_local_user(const char *user, bool *ret) {
    struct passwd pw = {0}, *res = NULL;
    char buf[16384];
    FILE *f = fopen(LOCAL_PASSWD, "re");

    *ret = false;
    if (!f)
        return -errno;
    while (fgetpwent_r(f, &pw, buf, sizeof(buf), &res) == 0) {
        if (strcmp(res->pw_name, user) == 0) {
            *ret = true;
            break;
        }
    }
    fclose(f);
    return 0;
}

/* IAM user names: 1..64 of [A-Za-z0-9+=,.@_-]; anything else is not an IAM user. */
static bool iam_name(const char *name) {
    size_t n = strnlen(name, IAM_AUTH_MAX_NAME + 1);

    if (n == 0 || n > IAM_AUTH_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("+=,.@_-", c)))
            return false;
    }
    return true;
}

static int add1(struct iam_context *ctx, const char *key, enum iam_value_type type,
                const char *value, struct iam_error *reterr) {
    const char *const vals[1] = {value};

    return iam_context_add(ctx, key, type, false, vals, 1, reterr);
}

/* prefix + key; a key longer than any AWS tag key can be (128) is left out. */
static int add_tag(struct iam_context *ctx, const char *prefix, const char *key,
                   const char *value, struct iam_error *reterr) {
    char name[192];

    if (snprintf(name, sizeof(name), "%s%s", prefix, key) >= (int)sizeof(name))
        return 0;
    return add1(ctx, name, IAM_VALUE_STRING, value, reterr);
}

static int add_principal(struct iam_context *ctx, const struct sudo_iam_request *q,
                         struct iam_error *reterr) {
    const struct iam_auth_user *u = q->user;
    char userid[IAM_LOGIN_SESSION_MAX_VALUE * 2 + 2];
    int r;

    if (u->is_role) {
        /* a role session (IAM User Guide, global condition keys): aws:PrincipalArn the role's
         * ARN, aws:userid "role id:session name", no aws:username, aws:SourceIdentity the
         * person who assumed it */
        snprintf(userid, sizeof(userid), "%s:%s", u->user_id, q->login->source_identity);
        if ((r = add1(ctx, K(USERID), IAM_VALUE_STRING, userid, reterr)) < 0 ||
            (r = add1(ctx, K(SOURCE_IDENTITY), IAM_VALUE_STRING, q->login->source_identity,
                      reterr)) < 0 ||
            (r = add1(ctx, K(ROLE_SESSION_NAME), IAM_VALUE_STRING, q->login->source_identity,
                      reterr)) < 0)
            return r;
    } else if ((r = add1(ctx, K(USERNAME), IAM_VALUE_STRING, u->name, reterr)) < 0 ||
               (r = add1(ctx, K(USERID), IAM_VALUE_STRING, u->user_id, reterr)) < 0) {
        return r;
    }
    if ((r = add1(ctx, K(PRINCIPAL_ARN), IAM_VALUE_STRING, u->arn, reterr)) < 0 ||
        (r = add1(ctx, K(PRINCIPAL_TYPE), IAM_VALUE_STRING, u->is_role ? "AssumedRole" : "User",
                  reterr)) < 0 ||
        (r = add1(ctx, K(PRINCIPAL_ACCOUNT), IAM_VALUE_STRING, q->config->account_id,
                  reterr)) < 0 ||
        (r = add1(ctx, K(OS_USER), IAM_VALUE_STRING, q->info->user, reterr)) < 0)
        return r;
    for (size_t i = 0; i < u->n_tags; i++) {
        r = add_tag(ctx, K(PRINCIPAL_TAG), u->tags[i].key, u->tags[i].value, reterr);
        if (r < 0)
            return r;
    }
    if (q->resource) {
        for (size_t i = 0; i < q->resource->n_tags; i++) {
            r = add_tag(ctx, K(RESOURCE_TAG), q->resource->tags[i].key,
                        q->resource->tags[i].value, reterr);
            if (r < 0)
                return r;
        }
        return 0;
    }
    for (size_t i = 0; i < q->config->n_host_tags; i++) {
        r = add_tag(ctx, K(RESOURCE_TAG), q->config->host_tags[i].key,
                    q->config->host_tags[i].value, reterr);
        if (r < 0)
            return r;
    }
    return 0;
}

static int add_time_and_login(struct iam_context *ctx, const struct sudo_iam_request *q,
                              struct iam_error *reterr) {
    const struct iam_login_session *s = q->login;
    char when[32], num[24];
    struct tm tm;
    time_t t = (time_t)q->now;
    int r;

    if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return -EINVAL;
    snprintf(num, sizeof(num), "%" PRId64, q->now);
    if ((r = add1(ctx, K(CURRENT_TIME), IAM_VALUE_DATE, when, reterr)) < 0 ||
        (r = add1(ctx, K(EPOCH_TIME), IAM_VALUE_DATE, num, reterr)) < 0 ||
        (r = add1(ctx, K(SERVICE), IAM_VALUE_STRING, "sudo", reterr)) < 0)
        return r;
    if (q->info->tty && (r = add1(ctx, K(TTY), IAM_VALUE_STRING, q->info->tty, reterr)) < 0)
        return r;
    /* Second factor: only what the login recorded; never missing, so a Deny on "false" holds
     * for a login without a record. */
    r = add1(ctx, K(MFA_PRESENT), IAM_VALUE_BOOLEAN,
             s && s->mfa_time > 0 ? "true" : "false", reterr);
    if (r < 0 || !s)
        return r;
    if (s->mfa_time > 0 && s->mfa_time <= q->now) {
        snprintf(num, sizeof(num), "%" PRId64, q->now - s->mfa_time);
        /* An AWS global key; iam/host.h lists it once logins record second factors. */
        if ((r = add1(ctx, "aws:MultiFactorAuthAge", IAM_VALUE_NUMERIC, num, reterr)) < 0)
            return r;
    }
    if (s->auth_method[0] &&
        (r = add1(ctx, K(AUTH_METHOD), IAM_VALUE_STRING, s->auth_method, reterr)) < 0)
        return r;
    if (s->ssh_public_key_id[0] &&
        (r = add1(ctx, K(SSH_PUBLIC_KEY_ID), IAM_VALUE_STRING, s->ssh_public_key_id, reterr)) < 0)
        return r;
    if (s->remote_host[0] &&
        (r = add1(ctx, K(REMOTE_HOST), IAM_VALUE_STRING, s->remote_host, reterr)) < 0)
        return r;
    if (s->source_ip[0] &&
        (r = add1(ctx, K(SOURCE_IP), IAM_VALUE_IP, s->source_ip, reterr)) < 0)
        return r;
    return 0;
}

static int add_command(struct iam_context *ctx, const struct sudo_iam_command *c,
                       struct iam_error *reterr) {
    int r;

    if ((r = add1(ctx, K(COMMAND), IAM_VALUE_STRING, c->command, reterr)) < 0 ||
        (r = add1(ctx, K(COMMAND_LINE), IAM_VALUE_STRING, c->command_line, reterr)) < 0 ||
        (r = iam_context_add(ctx, K(COMMAND_ARGS), IAM_VALUE_STRING, true,
                             (const char *const *)c->args, c->n_args, reterr)) < 0 ||
        (r = add1(ctx, K(RUN_AS_USER), IAM_VALUE_STRING, c->runas_user, reterr)) < 0)
        return r;
    if (c->runas_group &&
        (r = add1(ctx, K(RUN_AS_GROUP), IAM_VALUE_STRING, c->runas_group, reterr)) < 0)
        return r;
    return 0;
}

int sudo_iam_build_context(const struct sudo_iam_request *q, struct iam_context **ret_ctx,
                           struct iam_error *reterr) {
    struct iam_context *ctx = NULL;
    int r;

    r = iam_context_new(&ctx);
    if (r < 0)
        goto out;
    if ((r = add_principal(ctx, q, reterr)) < 0 || (r = add_time_and_login(ctx, q, reterr)) < 0 ||
        (r = add_command(ctx, q->command, reterr)) < 0)
        goto out;
    *ret_ctx = ctx;
    ctx = NULL;
    r = 0;
out:
    iam_context_free(ctx);
    return r;
}

/* The login's record, when there is one for this process and user. -ENOENT: none. */
static int load_login(const struct iam_config *config, const char *user, int64_t now,
                      struct iam_login_session *ret, struct iam_error *reterr) {
    struct iam_login_session_id id;
    char dir[4096];
    int r;

    r = iam_login_session_id_read("/proc", &id);
    if (r < 0)
        return r; /* -ENOENT: no audit session, so no record */
    if (snprintf(dir, sizeof(dir), "%s/%s", config->cache_dir, IAM_LOGIN_SESSION_DIR_NAME) >=
        (int)sizeof(dir))
        return -E2BIG;
    return iam_login_session_read(dir, &id, user, now, ret, reterr);
}

/* The role session of this login for role_arn: -ENOENT when none. */
static int load_role_session(const struct iam_config *config, const char *role_arn, int64_t now,
                             struct iam_login_session *ret, struct iam_error *reterr) {
    struct iam_login_session_id id;
    char dir[4096];
    int r;

    if ((r = iam_login_session_id_read("/proc", &id)) < 0)
        return r;
    if (snprintf(dir, sizeof(dir), "%s/%s", config->cache_dir, IAM_LOGIN_SESSION_DIR_NAME) >=
        (int)sizeof(dir))
        return -E2BIG;
    return iam_login_session_read_role(dir, &id, role_arn, now, ret, reterr);
}

/* Note (role non-NULL) the role session user started in this login. -ENOENT: no record. */
static int note_role_session(const struct iam_config *config, const char *user,
                             const struct iam_auth_user *role, int64_t now,
                             struct iam_error *reterr) {
    struct iam_login_session_id id;
    char dir[4096];
    int r;

    if ((r = iam_login_session_id_read("/proc", &id)) < 0)
        return r;
    if (snprintf(dir, sizeof(dir), "%s/%s", config->cache_dir, IAM_LOGIN_SESSION_DIR_NAME) >=
        (int)sizeof(dir))
        return -E2BIG;
    return iam_login_session_note_role(dir, &id, user, role->arn, now, role->max_session_duration,
                                       reterr);
}

static void audit(const struct sudo_iam_request *q, struct iam_audit_record *rec) {
    const struct iam_auth_user *u = q->user;
    const struct iam_login_session *s = q->login;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32], *line = NULL;
    int r;

    if (!rec->role_arn)
        rec->event = IAM_AUDIT_SUDO_COMMAND;
    rec->event_source = "iam_approval";
    rec->time = (time_t)q->now;
    if (u) { /* NULL: an account with an IAM uid that auth.cache does not have */
        rec->is_iam_user = true;
        rec->user_name = u->name;
        rec->principal_id = u->user_id;
        rec->arn = u->arn;
    }
    if (u && u->is_role && s && s->source_identity[0]) {
        rec->session_name = rec->source_identity = s->source_identity;
        rec->session_created = (time_t)s->role_since;
    }
    rec->account_id = q->config->account_id;
    rec->host_arn = q->config->host_arn;
    if (!rec->action)
        rec->action = iam_host_action_name(IAM_HOST_ACTION_SUDO);
    rec->service = "sudo";
    rec->user_agent = "sudo";
    rec->tty = q->info->tty;
    rec->os_user = q->info->user;
    rec->source_ip = s && s->remote_host[0] ? s->remote_host : NULL;
    rec->auth_method = s && s->auth_method[0] ? s->auth_method : NULL;
    rec->access_key_id = s && s->access_key_id[0] ? s->access_key_id : NULL;
    rec->ssh_public_key_id = s && s->ssh_public_key_id[0] ? s->ssh_public_key_id : NULL;
    rec->command = q->command->command;
    rec->command_line = q->command->command_line;
    rec->run_as_user = q->command->runas_user;
    rec->run_as_group = q->command->runas_group;

    r = iam_audit_format(rec, &line);
    if (r < 0) {
        syslog(LOG_AUTHPRIV | LOG_ERR, "iam_approval: cannot format the audit record: %s",
               strerror(-r));
        return;
    }
    syslog(LOG_AUTHPRIV | (rec->error_code ? LOG_NOTICE : LOG_INFO), "iam_approval: %s", line);
    if (q->config->audit_log && strcmp(q->config->audit_log, "none") != 0) {
        iam_error_init(&e);
        if (iam_audit_append(q->config->audit_log, line, &e) < 0)
            syslog(LOG_AUTHPRIV | LOG_ERR, "iam_approval: cannot append to the audit log: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
    }
    free(line);
}

/* Load config and the user's record: 0 (an IAM user), 1 (not an IAM user), -errno. */
static int load_user(const struct sudo_iam_info *info, struct iam_config **ret_config,
                     struct iam_auth_record **ret_record, struct sudo_iam_result *res) {
    struct iam_auth_cache *cache = NULL;
    struct iam_error e;
    char path[4096];
    int r;

    iam_error_init(&e);
    r = iam_config_load(info->config_path ? info->config_path : IAM_CONFIG_DEFAULT_PATH,
                        ret_config, &e);
    if (r < 0)
        goto fail;
    if (snprintf(path, sizeof(path), "%s/%s", (*ret_config)->cache_dir, IAM_AUTH_CACHE_NAME) >=
        (int)sizeof(path)) {
        r = -E2BIG;
        iam_error_set(&e, 0, 0, 0, "cache_dir too long");
        goto fail;
    }
    r = iam_auth_cache_open(path, &cache, &e);
    if (r < 0)
        goto fail;
    r = iam_auth_cache_find(cache, info->user, ret_record, &e);
    iam_auth_cache_close(cache);
    if (r == -ENOENT)
        return 1;
    if (r < 0)
        goto fail;
    /* an IAM user on a host whose pulled bundle is older than bundle_max_age: fail closed
     * (local users are not asked at all) */
    r = iam_pull_check_fresh(*ret_config, (int64_t)time(NULL), &e);
    if (r < 0)
        goto fail;
    return 0;
fail:
    iam_error_format(&e, res->detail, sizeof(res->detail));
    return r;
}

/* The auth record of name (the run-as user): 0, -ENOENT, -errno. */
static int find_record(const struct iam_config *config, const char *name,
                       struct iam_auth_record **ret, struct iam_error *reterr) {
    struct iam_auth_cache *cache = NULL;
    char path[4096];
    int r;

    if (snprintf(path, sizeof(path), "%s/%s", config->cache_dir, IAM_AUTH_CACHE_NAME) >=
        (int)sizeof(path))
        return -E2BIG;
    if ((r = iam_auth_cache_open(path, &cache, reterr)) < 0)
        return r;
    r = iam_auth_cache_find(cache, name, ret, reterr);
    iam_auth_cache_close(cache);
    return r;
}

/* sudo -u ROLE by an IAM user: sts:AssumeRole, decided as su's (the role's trust policy, the
 * caller's policies); allowed, the role session is noted in the login's record, so what the
 * command or shell then asks of sudo is decided as the role. Audited here (rec points into
 * this frame's decision). */
static void assume_by_sudo(struct sudo_iam_request *q, const struct iam_auth_user *role,
                           struct iam_audit_record *rec, struct sudo_iam_result *res) {
    struct iam_context *ctx = NULL;
    struct iam_host_decision d;
    struct iam_error e;
    int r;

    rec->event = IAM_AUDIT_ASSUME_ROLE;
    rec->action = "sts:AssumeRole";
    rec->role_arn = role->arn;
    rec->role_id = role->user_id;
    rec->role_session_name = rec->role_source_identity = q->user->name;
    iam_error_init(&e);
    q->resource = role; /* aws:ResourceTag: the role's tags */
    r = sudo_iam_build_context(q, &ctx, &e);
    q->resource = NULL;
    if (r >= 0 && ((r = iam_context_add_string(ctx, K(ROLE_SESSION_NAME), q->user->name)) < 0 ||
                   (r = iam_context_add_string(ctx, K(SOURCE_IDENTITY), q->user->name)) < 0))
        iam_error_set(&e, 0, 0, 0, "out of memory");
    if (r >= 0)
        r = iam_host_decide_assume_role(q->user, role, ctx, &d, &e);
    if (r < 0) {
        iam_error_format(&e, res->detail, sizeof(res->detail));
        res->verdict = SUDO_IAM_ERROR;
        rec->error_code = "InternalFailure";
        rec->error_message = "the policies could not be evaluated";
        rec->decision = "deny";
        rec->enforced = true;
        goto out;
    }
    rec->deciding_policy = d.policy[0] ? d.policy : NULL;
    rec->deciding_statement = d.statement[0] ? d.statement : NULL;
    rec->enforced = q->config->enforce;
    if (d.allowed || !q->config->enforce) {
        rec->decision = d.allowed ? "allow" : "would deny";
        res->verdict = SUDO_IAM_APPROVE;
        res->would_deny = !d.allowed;
        if (!d.allowed) {
            rec->error_code = "AccessDenied";
            rec->error_message = "not allowed by the role's trust policy and the caller's "
                                 "policies";
        }
        iam_error_init(&e);
        r = note_role_session(q->config, q->user->name, role, q->now, &e);
        if (r < 0 && r != -ENOENT)
            syslog(LOG_AUTHPRIV | LOG_WARNING, "iam_approval: cannot note the role session: %s",
                   e.text);
    } else {
        rec->error_code = "AccessDenied";
        rec->error_message = d.kind == IAM_DECISION_EXPLICIT_DENY
                                 ? "explicitly denied by a policy"
                                 : "not allowed by the role's trust policy and the caller's "
                                   "policies (implicit deny)";
        rec->decision = "deny";
        res->verdict = SUDO_IAM_REJECT;
        res->explicit_deny = d.kind == IAM_DECISION_EXPLICIT_DENY;
        res->hint = "sts:AssumeRole of the run-as role";
    }
out:
    audit(q, rec);
    iam_context_free(ctx);
}

/* The role session of this login for q->user (a role): 0 with *login, 1 when refused (no
 * session, or older than its MaxSessionDuration: audited), -errno. A role acts only in a
 * session someone assumed in this login; the session record names the person. */
static int role_session(struct sudo_iam_request *q, struct iam_login_session *login,
                        struct iam_audit_record *rec, struct sudo_iam_result *res,
                        struct iam_error *reterr) {
    int r = load_role_session(q->config, q->user->arn, q->now, login, reterr);

    if (r < 0 && r != -ENOENT)
        return r;
    if (r == 0 && q->now - login->role_since < login->role_max_session)
        return 0;
    res->verdict = SUDO_IAM_REJECT;
    rec->decision = "deny";
    rec->enforced = true;
    if (r == -ENOENT) {
        res->hint = "no session of this role in this login: assume it (su - ROLE, sudo -iu ROLE)";
        rec->error_code = "AccessDenied";
        rec->error_message = "no session of this role in this login";
    } else {
        q->login = login;
        res->hint = "the role session is older than its MaxSessionDuration: assume the role again";
        rec->error_code = "ExpiredToken";
        rec->error_message = "the role session is older than the role's MaxSessionDuration";
    }
    audit(q, rec);
    return 1;
}

/* sudo -u ROLE: 1 when the run-as user is a role (decided and audited), 0 when not, -errno. */
static int runas_role(struct sudo_iam_request *q, struct iam_audit_record *rec,
                      struct sudo_iam_result *res, struct iam_error *reterr) {
    struct iam_auth_record *target = NULL;
    int r = find_record(q->config, q->command->runas_user, &target, reterr);

    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    r = 0;
    if (iam_auth_record_user(target)->is_role) {
        assume_by_sudo(q, iam_auth_record_user(target), rec, res);
        r = 1;
    }
    iam_auth_record_free(target);
    return r;
}

void sudo_iam_decide(const struct sudo_iam_info *info, const struct sudo_iam_command *cmd,
                     int64_t now, struct sudo_iam_result *res) {
    struct iam_audit_record rec = {0};
    struct sudo_iam_request q = {.info = info, .command = cmd, .now = now};
    struct iam_config *config = NULL;
    struct iam_auth_record *record = NULL;
    struct iam_login_session login;
    struct iam_context *ctx = NULL;
    struct iam_host_decision d;
    struct iam_error e;
    bool local = false;
    int r;

    memset(res, 0, sizeof(*res));
    res->verdict = SUDO_IAM_ERROR;
    r = is_local_user(info->user, &local);
    if (r == 0 && local) {
        res->verdict = SUDO_IAM_APPROVE;
        res->not_iam = true;
        goto out;
    }
    if (!iam_name(info->user)) {
        res->verdict = SUDO_IAM_APPROVE; /* cannot be an IAM user */
        res->not_iam = true;
        goto out;
    }
    r = load_user(info, &config, &record, res);
    if (r == 1 && info->uid >= (uid_t)config->uid_min && info->uid <= (uid_t)config->uid_max) {
        /* As pam_iam's account phase: an IAM uid that auth.cache does not know is a deleted
         * IAM user whose NSS entry outlives it (an older nss.cache, nscd), or caches out of
         * step. Letting sudoers decide alone would honour the group rules it still has. */
        q.config = config;
        res->verdict = SUDO_IAM_REJECT;
        rec.error_code = "AccessDenied";
        rec.error_message = "the account has an IAM uid but is not in the auth cache (a deleted "
                            "IAM user, or caches out of step)";
        rec.decision = "deny";
        rec.enforced = true;
        audit(&q, &rec);
        goto out;
    }
    if (r == 1) {
        res->verdict = SUDO_IAM_APPROVE;
        res->not_iam = true;
        goto out;
    }
    if (r < 0)
        goto out; /* nothing to audit with: no config or no cache */
    q.config = config;
    q.user = iam_auth_record_user(record);

    if (!sudo_iam_path_plain(cmd->command)) {
        /* Refused whatever the policies and enforce say: a policy cannot be written for it. */
        res->verdict = SUDO_IAM_REJECT;
        res->not_plain = true;
        rec.error_code = "AccessDenied";
        rec.error_message = "the command's path has an empty, . or .. component";
        rec.decision = "deny";
        rec.enforced = true;
        audit(&q, &rec);
        goto out;
    }
    iam_error_init(&e);
    r = q.user->is_role ? role_session(&q, &login, &rec, res, &e)
                        : load_login(config, info->user, now, &login, &e);
    if (r == 1)
        goto out; /* refused and audited */
    if (r == 0)
        q.login = &login;
    else if (r != -ENOENT) {
        /* A damaged or unsafe record: refuse rather than decide without it. */
        iam_error_format(&e, res->detail, sizeof(res->detail));
        goto internal;
    }
    if (!q.user->is_role && cmd->runas_user) {
        iam_error_init(&e);
        r = runas_role(&q, &rec, res, &e);
        if (r == 1)
            goto out; /* decided as sts:AssumeRole, audited */
        if (r < 0) {
            iam_error_format(&e, res->detail, sizeof(res->detail));
            goto internal;
        }
    }
    iam_error_init(&e);
    r = sudo_iam_build_context(&q, &ctx, &e);
    if (r >= 0)
        r = iam_host_decide(config, q.user, iam_host_action_name(IAM_HOST_ACTION_SUDO), ctx, &d,
                            &e);
    if (r < 0) {
        iam_error_format(&e, res->detail, sizeof(res->detail));
        goto internal;
    }
    rec.deciding_policy = d.policy[0] ? d.policy : NULL;
    rec.deciding_statement = d.statement[0] ? d.statement : NULL;
    rec.enforced = config->enforce;
    if (d.allowed) {
        rec.decision = "allow";
        res->verdict = SUDO_IAM_APPROVE;
    } else {
        rec.error_code = "AccessDenied";
        rec.error_message = d.kind == IAM_DECISION_EXPLICIT_DENY
                                ? "explicitly denied by a policy"
                                : "no policy allows this command (implicit deny)";
        rec.decision = config->enforce ? "deny" : "would deny";
        res->verdict = config->enforce ? SUDO_IAM_REJECT : SUDO_IAM_APPROVE;
        res->explicit_deny = d.kind == IAM_DECISION_EXPLICIT_DENY;
        res->would_deny = !config->enforce;
    }
    audit(&q, &rec);
    goto out;
internal:
    /* Fail closed, even with enforce = no: the policies could not be evaluated at all. */
    res->verdict = SUDO_IAM_ERROR;
    rec.error_code = "InternalFailure";
    rec.error_message = "the policies could not be evaluated";
    rec.decision = "deny";
    rec.enforced = true;
    audit(&q, &rec);
out:
    iam_context_free(ctx);
    iam_auth_record_free(record);
    iam_config_free(config);
}
