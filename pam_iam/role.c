/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Roles in PAM. A role is an account nobody authenticates as; a user assumes it
 * (sts:AssumeRole), which su asks with PAM_USER = the role and PAM_RUSER = the caller:
 *   - the auth phase with action=sts:AssumeRole authenticates the caller, with the caller's
 *     own secret (and second factor), never the role's: a role has none;
 *   - the account phase with action=sts:AssumeRole decides, as AWS does, with the role's
 *     trust policy and the caller's policies (iam_host_decide_assume_role), audits an
 *     AssumeRole record, and marks this PAM handle as having assumed the role;
 *   - every other phase and action refuses a role: no login as a role, by any service, with
 *     any method (a key in the role's home directory included), except the account phase of
 *     the very handle that assumed it (su's stack runs its own account lines after ours).
 * With action=sts:AssumeRole and a PAM_USER that is no role, this module has nothing to say
 * (PAM_IGNORE): the lines that follow decide, as for any su.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "iam/host_decide.h"
#include "iam/login_session.h"
#include "pam_iam_private.h"

#define PAM_IAM_DATA_ASSUMED "pam_iam:assumed-role"

bool pam_iam_is_assume_action(const char *action) {
    return action && strcasecmp(action, "sts:AssumeRole") == 0;
}

static void assumed_cleanup(pam_handle_t *pamh, void *data, int error_status) {
    (void)pamh;
    (void)error_status;
    free(data);
}

/* Did the account phase of this handle decide the assumption of this role? 1 allowed,
 * 0 refused (already audited), -1 not asked. The mark is "+<role>" or "-<role>". */
static int assumed_here(pam_handle_t *pamh, const char *role) {
    const void *data = NULL;
    const char *mark;

    if (pam_get_data(pamh, PAM_IAM_DATA_ASSUMED, &data) != PAM_SUCCESS || !data || !role)
        return -1;
    mark = data;
    if (strcmp(mark + 1, role) != 0)
        return -1;
    return mark[0] == '+' ? 1 : 0;
}

static int set_mark(pam_handle_t *pamh, const char *role, bool allowed) {
    size_t n = strlen(role) + 2;
    char *mark = malloc(n);

    if (!mark)
        return PAM_BUF_ERR;
    snprintf(mark, n, "%c%s", allowed ? '+' : '-', role);
    if (pam_set_data(pamh, PAM_IAM_DATA_ASSUMED, mark, assumed_cleanup) != PAM_SUCCESS) {
        free(mark);
        return PAM_BUF_ERR;
    }
    return PAM_SUCCESS;
}

int pam_iam_role_login(pam_handle_t *pamh, const struct pam_iam_handle *h,
                       enum pam_iam_phase phase, const struct pam_iam_items *items) {
    struct iam_audit_record rec = {.enforced = true, .decision = "deny"};

    int here = phase == PAM_IAM_PHASE_ACCOUNT ? assumed_here(pamh, h->user->name) : -1;

    if (here == 1) {
        D(h, pamh, "\"%.64s\" was assumed in this PAM transaction", h->user->name);
        return PAM_SUCCESS;
    }
    if (here == 0)
        return PAM_PERM_DENIED; /* the assumption was refused, and audited, just before */
    rec.event = phase == PAM_IAM_PHASE_AUTH ? IAM_AUDIT_AUTHENTICATE : IAM_AUDIT_LOGIN;
    rec.action = phase == PAM_IAM_PHASE_AUTH ? NULL : h->args.action;
    rec.os_user = h->user->name;
    rec.error_code = "AccessDenied";
    rec.error_message = "a role has no secret and cannot log in: users assume it (su, sudo -u)";
    if (phase == PAM_IAM_PHASE_AUTH)
        rec.decision = "failure";
    pam_iam_audit(pamh, h, &rec, items);
    pam_syslog(pamh, LOG_NOTICE, "\"%.64s\" is an IAM role: no direct login", h->user->name);
    if (phase == PAM_IAM_PHASE_AUTH)
        pam_iam_tell(pamh, PAM_ERROR_MSG, "This account is an IAM role: nobody logs in to it. "
                                          "Assume it from your own login (su, sudo -u).");
    return phase == PAM_IAM_PHASE_AUTH ? PAM_AUTH_ERR : PAM_PERM_DENIED;
}

int pam_iam_role_auth(pam_handle_t *pamh, struct pam_iam_handle *h,
                      const struct pam_iam_items *items, const char **user) {
    bool assume = pam_iam_is_assume_action(h->args.action);
    struct pam_iam_args args = h->args;
    int r;

    if (assume && (!h->user || !h->user->is_role)) {
        D(h, pamh, "\"%.64s\" is no role: nothing to assume", *user);
        return PAM_IGNORE; /* su to an account that is no role: the other lines decide */
    }
    if (!h->user || !h->user->is_role)
        return PAM_IAM_CONTINUE;
    if (!assume)
        return pam_iam_role_login(pamh, h, PAM_IAM_PHASE_AUTH, items);
    /* su to a role: the caller authenticates, with the caller's own secret */
    pam_iam_handle_done(h);
    memset(h, 0, sizeof(*h));
    h->args = args;
    *user = items->ruser && items->ruser[0] ? items->ruser : "";
    r = pam_iam_load(pamh, h, *user);
    if (r < 0 && r != -ENOENT)
        return pam_iam_status(PAM_IAM_PHASE_AUTH, r);
    if (h->user && h->user->is_role)
        return pam_iam_role_login(pamh, h, PAM_IAM_PHASE_AUTH, items);
    D(h, pamh, "assuming a role: authenticating the caller \"%.64s\"", *user);
    return PAM_IAM_CONTINUE;
}

/* The caller's request context, with the keys of a role session's request:
 * sts:RoleSessionName and aws:SourceIdentity, the caller's user name; aws:ResourceTag the
 * role's tags (the role is the resource). */
static int assume_context(pam_handle_t *pamh, const struct pam_iam_handle *caller,
                          const struct iam_auth_user *role, const struct pam_iam_items *items,
                          struct iam_context **ret) {
    const struct pam_iam_authinfo *ai = pam_iam_authinfo_for(pamh, caller->user->name);
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    iam_error_init(&e);
    r = pam_iam_build_context(caller, items, role,
                              ai ? ai->method : iam_host_auth_method_word(IAM_HOST_AUTH_NONE),
                              ai ? ai->mfa_time : 0, pam_iam_now(), ret, &e);
    if (r >= 0 &&
        ((r = iam_context_add_string(*ret, iam_host_key_name(IAM_HOST_KEY_ROLE_SESSION_NAME),
                                     caller->user->name)) < 0 ||
         (r = iam_context_add_string(*ret, iam_host_key_name(IAM_HOST_KEY_SOURCE_IDENTITY),
                                     caller->user->name)) < 0)) {
        iam_context_free(*ret);
        *ret = NULL;
    }
    if (r < 0 && e.set)
        pam_syslog(pamh, LOG_ERR, "cannot build the request context: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
    return r;
}

/* The caller named by PAM_RUSER, loaded into c: 0, or a refusal's message in *why. */
static int load_caller(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *ruser,
                       struct pam_iam_handle *c, const char **why) {
    int r;

    memset(c, 0, sizeof(*c));
    c->args = h->args;
    *why = NULL;
    if (!ruser || !ruser[0]) {
        *why = "no caller (PAM_RUSER) to assume the role";
        return 0;
    }
    r = pam_iam_load(pamh, c, ruser);
    if (r == -ENOENT)
        *why = "the caller is not an IAM user";
    else if (r == 0 && c->user->is_role)
        *why = "a role cannot assume a role on a host (no role chaining)";
    return r == -ENOENT ? 0 : r;
}

/* The AssumeRole record: the caller's identity, the role, the session. */
static void assume_record(pam_handle_t *pamh, const struct pam_iam_handle *role,
                          const struct pam_iam_handle *caller, const struct pam_iam_items *items,
                          struct iam_audit_record *rec) {
    const char *who = caller->user ? caller->user->name : NULL;

    rec->event = IAM_AUDIT_ASSUME_ROLE;
    rec->action = "sts:AssumeRole";
    rec->os_user = role->user->name;
    rec->role_arn = role->user->arn;
    rec->role_id = role->user->user_id;
    rec->role_session_name = who;
    rec->role_source_identity = who;
    pam_iam_audit(pamh, caller->config ? caller : role, rec, items);
}

int pam_iam_role_assume(pam_handle_t *pamh, const struct pam_iam_handle *h,
                        const struct pam_iam_items *items) {
    struct iam_audit_record rec = {.enforced = true};
    struct iam_host_decision d;
    struct pam_iam_handle caller;
    struct iam_context *ctx = NULL;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    const char *why = NULL;
    int r, ret = PAM_PERM_DENIED;

    r = load_caller(pamh, h, items->ruser, &caller, &why);
    if (r < 0) {
        ret = pam_iam_status(PAM_IAM_PHASE_ACCOUNT, r == -ENOENT ? -EIO : r);
        goto out;
    }
    if (why && items->ruser && strcmp(items->ruser, "root") == 0 && getuid() == 0) {
        /* root (su run by root) may become any account on the host already */
        why = NULL;
        rec.decision = "allow";
        rec.error_message = NULL;
        assume_record(pamh, h, &caller, items, &rec);
        goto allowed;
    }
    if (why) {
        rec.error_code = "AccessDenied";
        rec.error_message = why;
        rec.decision = "deny";
        assume_record(pamh, h, &caller, items, &rec);
        pam_syslog(pamh, LOG_NOTICE, "sts:AssumeRole of \"%.64s\" denied: %s", h->user->name,
                   why);
        (void)set_mark(pamh, h->user->name, false);
        goto out;
    }
    iam_error_init(&e);
    if ((r = assume_context(pamh, &caller, h->user, items, &ctx)) >= 0)
        r = iam_host_decide_assume_role(caller.user, h->user, ctx, &d, &e);
    if (r < 0) {
        if (e.set)
            pam_syslog(pamh, LOG_ERR, "cannot decide sts:AssumeRole: %s",
                       iam_error_format(&e, msg, sizeof(msg)));
        rec.error_code = "InternalFailure";
        rec.error_message = "the policies could not be evaluated";
        rec.decision = "deny";
        assume_record(pamh, h, &caller, items, &rec);
        ret = pam_iam_status(PAM_IAM_PHASE_ACCOUNT, r == -ENOENT ? -EIO : r);
        goto out;
    }
    rec.deciding_policy = d.policy[0] ? d.policy : NULL;
    rec.deciding_statement = d.statement[0] ? d.statement : NULL;
    rec.enforced = h->config->enforce;
    if (!d.allowed) {
        rec.error_code = "AccessDenied";
        rec.error_message = d.kind == IAM_DECISION_EXPLICIT_DENY
                                ? "explicitly denied by a policy"
                                : "not allowed by the role's trust policy and the caller's "
                                  "policies (implicit deny)";
        rec.decision = h->config->enforce ? "deny" : "would deny";
        assume_record(pamh, h, &caller, items, &rec);
        pam_syslog(pamh, LOG_NOTICE, "sts:AssumeRole of \"%.64s\" by \"%.64s\" %s", h->user->name,
                   caller.user->name, h->config->enforce ? "denied" : "would be denied");
        if (h->config->enforce) {
            (void)set_mark(pamh, h->user->name, false);
            goto out;
        }
    } else {
        rec.decision = "allow";
        assume_record(pamh, h, &caller, items, &rec);
    }
allowed:
    ret = set_mark(pamh, h->user->name, true);
    if (ret == PAM_SUCCESS && caller.user)
        pam_iam_login_note_role(pamh, h, caller.user->name, h->user);
out:
    iam_context_free(ctx);
    pam_iam_handle_done(&caller);
    return ret;
}

const char *pam_iam_role_assumer(pam_handle_t *pamh, const struct pam_iam_handle *h) {
    const void *ruser = NULL;

    if (!h->user || !h->user->is_role || assumed_here(pamh, h->user->name) != 1 ||
        pam_get_item(pamh, PAM_RUSER, &ruser) != PAM_SUCCESS || !ruser)
        return NULL;
    return ruser;
}
