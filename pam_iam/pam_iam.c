/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pam_iam: IAM users log in with an access key or their login-profile password, and the
 * account phase asks the policy engine whether host:Login (or the action= argument) is
 * allowed on the host's ARN. The return codes are those of docs/architecture.md, "PAM return
 * codes", chosen in status.c; every decision leaves one audit record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include <sodium.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "iam/faillock.h"
#include "iam/lastused.h"
#include "iam/secret.h"
#include "pam_iam_private.h"

/* What auth learned, for the account phase of the same handle. */
struct authdata {
    struct pam_iam_authinfo info;
    char user[IAM_AUTH_MAX_NAME + 1];
};

static void authdata_cleanup(pam_handle_t *pamh, void *data, int error_status) {
    (void)pamh;
    (void)error_status;
    if (data) {
        sodium_memzero(data, sizeof(struct authdata));
        free(data);
    }
}

/* The auth info stored for this very user, or NULL. */
const struct pam_iam_authinfo *pam_iam_authinfo_for(pam_handle_t *pamh, const char *user) {
    const void *data = NULL;
    const struct authdata *a;

    if (pam_get_data(pamh, PAM_IAM_DATA_AUTHINFO, &data) != PAM_SUCCESS || !data)
        return NULL;
    a = data;
    if (!user || strcmp(a->user, user) != 0)
        return NULL;
    return &a->info;
}

static int start(pam_handle_t *pamh, int argc, const char **argv, struct pam_iam_handle *h,
                 const char **ret_user) {
    const char *user = NULL;
    int pr;

    memset(h, 0, sizeof(*h));
    if (pam_iam_args_parse(pamh, argc, argv, &h->args) < 0)
        return -EINVAL;
    pr = pam_get_user(pamh, &user, NULL);
    if (pr == PAM_CONV_AGAIN)
        return -EAGAIN;
    if (pr != PAM_SUCCESS || !user) {
        pam_syslog(pamh, LOG_NOTICE, "cannot determine the user name");
        return -ENOENT;
    }
    *ret_user = user;
    return 0;
}

/* A known user refused: the audit record's error (a wrong secret, a lock, a wrong or replayed
 * code), one more failure in the tally, and why, when only the right password gets here. */
static void refused(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *user,
                    const struct pam_iam_verdict *v, int lock, enum pam_iam_mfa_result mfa,
                    const struct pam_iam_items *items, int64_t now,
                    struct iam_audit_record *rec) {
    rec->error_code = v->ok ? "UserLockedOut" : v->error_code;
    rec->error_message = v->ok ? "locked out after repeated failed attempts" : v->error_message;
    if (v->ok && lock == 0) {
        rec->error_code = "InvalidAuthenticationCode";
        rec->error_message = mfa == PAM_IAM_MFA_REPLAYED ? "the MFA code was used before (replay)"
                                                         : "wrong MFA code";
    }
    rec->decision = "failure";
    if (pam_iam_lockout_fail(pamh, h, items, now) == IAM_FAILLOCK_WHILE_LOCKED) {
        rec->error_code = "UserLockedOut";
        rec->error_message = "locked out after repeated failed attempts";
    }
    pam_syslog(pamh, LOG_NOTICE, "authentication failure for \"%.64s\" (%s)", user,
               rec->error_message);
    /* Only the right password gets here, so saying so tells nothing (pam_unix does) */
    if (strcmp(rec->error_code, "PasswordExpired") == 0) {
        char text[192];

        snprintf(text, sizeof(text), "Your IAM password has expired: %s.",
                 strchr(rec->error_message, ':') + 2);
        pam_iam_tell(pamh, PAM_ERROR_MSG, text);
    }
}

/* Everything was right: what auth learned goes to the account phase (PAM data), the last use
 * of the key or password is recorded, and a code given inside a login is noted in its record.
 * A PAM code. */
static int accepted(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *user,
                    const struct pam_iam_authinfo *info, int64_t mfa_time,
                    const struct pam_iam_items *items, int64_t now) {
    struct authdata *ad = calloc(1, sizeof(*ad));
    struct iam_error e;

    if (!ad)
        return PAM_BUF_ERR;
    ad->info = *info;
    ad->info.mfa_time = mfa_time;
    memcpy(ad->user, user, strlen(user) + 1); /* name_valid: at most 64 bytes */
    if (pam_set_data(pamh, PAM_IAM_DATA_AUTHINFO, ad, authdata_cleanup) != PAM_SUCCESS) {
        authdata_cleanup(pamh, ad, 0);
        return PAM_BUF_ERR;
    }
    iam_error_init(&e);
    if (info->key_id[0]) {
        if (iam_lastused_record(h->config->cache_dir, info->key_id, items->service,
                                (time_t)now, &e) < 0)
            pam_syslog(pamh, LOG_WARNING, "cannot record last use of %s, ignoring",
                       info->key_id);
    } else if (strcmp(info->method, "password") == 0 && h->user->user_id) {
        if (iam_lastused_record_password(h->config->cache_dir, h->user->user_id, items->service,
                                         (time_t)now, &e) < 0)
            pam_syslog(pamh, LOG_WARNING, "cannot record the last password use of \"%.64s\", "
                       "ignoring", user);
    }
    if (mfa_time)
        pam_iam_login_note_mfa(pamh, h, mfa_time);
    D(h, pamh, "authenticated \"%.64s\" by %s", user, info->method);
    return PAM_SUCCESS;
}

IAM_EXPORT PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    struct iam_audit_record rec = {.event = IAM_AUDIT_AUTHENTICATE};
    struct pam_iam_verdict v;
    struct pam_iam_handle h;
    struct pam_iam_items items;
    const char *user = NULL;
    char *tok = NULL;
    size_t len = 0;
    int64_t now, t_entry, t_conv, t_back, deadline = 0;
    char code[PAM_IAM_MFA_CODE_MAX + 1] = "";
    enum pam_iam_mfa_result mfa = PAM_IAM_MFA_OK;
    bool mfa_asked = false, mfa_missing = false, had_failures = false;
    int r, pr, lock, ret = PAM_AUTH_ERR;

    (void)flags;
    r = start(pamh, argc, argv, &h, &user);
    if (r == -EAGAIN)
        return PAM_INCOMPLETE;
    if (r == -EINVAL)
        return PAM_AUTHINFO_UNAVAIL;
    if (r < 0)
        return PAM_USER_UNKNOWN;
    /* The name is in hand (pam_get_user may have asked for it): from here on the work can
     * depend on whether IAM knows it. */
    t_entry = pam_iam_clock_ns();
    /* A new attempt forgets what an earlier one learned. */
    (void)pam_set_data(pamh, PAM_IAM_DATA_AUTHINFO, NULL, NULL);
    pam_iam_get_items(pamh, &items);

    r = pam_iam_load(pamh, &h, user);
    if (r < 0 && r != -ENOENT) {
        ret = pam_iam_status(PAM_IAM_PHASE_AUTH, r);
        goto out;
    }
    if ((ret = pam_iam_role_auth(pamh, &h, &items, &user)) != PAM_IAM_CONTINUE)
        goto out;
    if (!h.name_valid) {
        /* Cannot be an IAM user (empty, too long, control characters): no prompt. */
        D(&h, pamh, "user name is not an IAM user name, not ours");
        ret = PAM_USER_UNKNOWN;
        rec.error_code = "NoSuchEntity";
        rec.error_message = "not a valid IAM user name";
        pam_iam_audit(pamh, &h, &rec, &items);
        goto out;
    }

    /* Users in IAM and users not in IAM are asked the same way and cost the same. */
    t_conv = pam_iam_clock_ns();
    pr = pam_iam_get_token(pamh, &h.args, &tok, &len);
    if (pr != PAM_SUCCESS) {
        ret = pr;
        goto out;
    }
    /* The refusal floor counts from entry, without the time the conversation took. */
    t_back = pam_iam_clock_ns();
    if (t_entry >= 0 && t_conv >= 0 && t_back >= t_conv)
        deadline = t_entry + (t_back - t_conv) + PAM_IAM_REFUSAL_FLOOR_NS;
    now = pam_iam_now();
    pam_iam_verify(&h, tok, len, now, &v);
    pam_iam_directory_verdict(pamh, &h, tok, len, &v); /* when v names a directory DN */
    iam_secret_free(tok, len + 1);
    tok = NULL;

    rec.auth_method = v.info.method[0] ? v.info.method : NULL;
    rec.access_key_id = v.info.key_id[0] ? v.info.key_id : NULL;
    /* A locked user is refused whatever was typed, after the same checks. */
    lock = v.ok && h.user ? pam_iam_lockout_check(pamh, &h, now) : 0;
    had_failures = lock == 2;
    if (lock == 2)
        lock = 0;
    /* The second factor: a user with an enabled device is asked for a code whether the
     * secret was right or not (the prompt does not tell which), and the code is used up
     * only when everything else was right. */
    if (h.user && h.user->n_mfa > 0) {
        int64_t t0 = pam_iam_clock_ns(), t1;

        pr = pam_iam_mfa_ask(pamh, code);
        t1 = pam_iam_clock_ns();
        if (deadline > 0 && t0 >= 0 && t1 >= t0)
            deadline += t1 - t0; /* the conversation does not count towards the floor */
        if (pr != PAM_SUCCESS) {
            ret = pr;
            goto out;
        }
        mfa_asked = true;
        mfa = pam_iam_mfa_check(pamh, &h, code, now, v.ok && lock == 0);
        sodium_memzero(code, sizeof(code));
    } else if (h.user && h.args.mfa == PAM_IAM_MFA_REQUIRED) {
        mfa_missing = true;
    }
    if (!h.user) {
        ret = PAM_USER_UNKNOWN;
        rec.error_code = "NoSuchEntity";
        rec.error_message = "not an IAM user";
        rec.access_key_id = NULL;
        (void)pam_iam_lockout_fail(pamh, &h, &items, now);
        /* Logged as a wrong secret is, so that both refusals cost the same (a syslog call
         * is several system calls); without the name, which is often a mistyped password. */
        pam_syslog(pamh, LOG_NOTICE, "authentication failure for a user not in IAM");
    } else if (lock < 0) {
        /* The tally is unsafe or damaged: fail closed (logged by the check). */
        ret = PAM_AUTHINFO_UNAVAIL;
        rec.error_code = "InternalFailure";
        rec.error_message = "the failed-login tally cannot be read";
        rec.decision = "failure";
    } else if (v.unavailable) {
        /* the directory could not say (logged): fail closed, not counted as a guess */
        ret = PAM_AUTHINFO_UNAVAIL;
        rec.error_code = v.error_code;
        rec.error_message = v.error_message;
        rec.decision = "failure";
    } else if (v.ok && lock == 0 && mfa == PAM_IAM_MFA_ERROR) {
        /* cannot check the code (logged): fail closed, not counted as a guess */
        ret = PAM_AUTHINFO_UNAVAIL;
        rec.error_code = "InternalFailure";
        rec.error_message = "the MFA code could not be checked";
        rec.decision = "failure";
    } else if (v.ok && lock == 0 && mfa_missing) {
        ret = PAM_AUTH_ERR;
        rec.error_code = "MFADeviceRequired";
        rec.error_message = "mfa=required and the user has no enabled MFA device";
        rec.decision = "failure";
        pam_syslog(pamh, LOG_NOTICE, "authentication failure for \"%.64s\" (%s)", user,
                   rec.error_message);
        pam_iam_tell(pamh, PAM_ERROR_MSG, "This login needs an MFA device: ask an administrator "
                                          "to enable one for you.");
    } else if (!v.ok || lock > 0 || mfa != PAM_IAM_MFA_OK) {
        ret = PAM_AUTH_ERR;
        refused(pamh, &h, user, &v, lock, mfa, &items, now, &rec);
    } else {
        ret = accepted(pamh, &h, user, &v.info, mfa_asked ? now : 0, &items, now);
        if (ret == PAM_SUCCESS && had_failures)
            pam_iam_lockout_reset(pamh, &h);
        rec.decision = ret == PAM_SUCCESS ? "success" : "failure";
        if (ret != PAM_SUCCESS)
            goto out;
    }
    rec.enforced = true;
    pam_iam_audit(pamh, &h, &rec, &items);
out:
    if (tok)
        iam_secret_free(tok, len + 1);
    sodium_memzero(code, sizeof(code));
    sodium_memzero(&v, sizeof(v));
    pam_iam_handle_done(&h);
    /* Last, after the record is written: known and unknown users are told no at one time. */
    if (ret != PAM_SUCCESS)
        pam_iam_wait_until(deadline);
    return ret;
}

IAM_EXPORT PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    struct pam_iam_handle h;
    const char *user = NULL;
    int r, ret;

    (void)flags;
    /* No credentials to establish. IAM users get PAM_SUCCESS; anyone else PAM_IGNORE, so
     * this module never changes the outcome of a setcred chain for local users (a failure
     * code here would turn a broken cache into broken logins for everyone). */
    r = start(pamh, argc, argv, &h, &user);
    if (r < 0)
        return PAM_IGNORE;
    if (pam_iam_authinfo_for(pamh, user))
        return PAM_SUCCESS;
    r = pam_iam_load(pamh, &h, user);
    ret = r == 0 ? PAM_SUCCESS : pam_iam_status(PAM_IAM_PHASE_SETCRED, r);
    pam_iam_handle_done(&h);
    pam_iam_loaded_release(pamh);
    return ret;
}

static bool is_sudo_action(const char *action) {
    return strcasecmp(action, iam_host_action_name(IAM_HOST_ACTION_SUDO)) == 0;
}

/*
 * The account phase of a user auth.cache does not have. Usually not ours (a local or
 * directory user): PAM_USER_UNKNOWN, and the stack goes on. But a user whose uid, as NSS
 * reports it, is in IAM's range (uid_min..uid_max) is one the caches disagree about: an IAM
 * user deleted while an older nss.cache, or nscd's memory of one, still resolves the name
 * (an ssh public key in the home directory survives the deletion). The shipped stack ignores
 * PAM_USER_UNKNOWN and lets pam_unix and pam_permit decide, so it must not be that: such a
 * user is PAM_PERM_DENIED, enforce = no or not (there is nothing to evaluate), and audited
 * under the account name NSS resolved. When NSS cannot be asked at all: unavailable.
 */
static int account_not_in_cache(pam_handle_t *pamh, const struct pam_iam_handle *h,
                                const char *user) {
    struct iam_audit_record rec = {.event = IAM_AUDIT_LOGIN, .enforced = true};
    struct pam_iam_items items;
    uid_t uid = 0;
    int r;

    r = pam_iam_nss_uid(user, &uid);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot look the user up in NSS: %s", strerror(-r));
        return pam_iam_status(PAM_IAM_PHASE_ACCOUNT, r == -ENOENT ? -EIO : r);
    }
    if (r == 0 || uid < (uid_t)h->config->uid_min || uid > (uid_t)h->config->uid_max)
        return PAM_USER_UNKNOWN;
    pam_iam_get_items(pamh, &items);
    if (is_sudo_action(h->args.action))
        rec.event = IAM_AUDIT_SUDO;
    rec.action = h->args.action;
    rec.os_user = user; /* an account NSS resolves, not a name typed at a prompt */
    rec.error_code = "AccessDenied";
    rec.error_message = "the account has an IAM uid but is not in the auth cache (a deleted "
                        "IAM user, or caches out of step)";
    rec.decision = "deny";
    pam_iam_audit(pamh, h, &rec, &items);
    pam_syslog(pamh, LOG_NOTICE,
               "%s denied for \"%.64s\": uid %lu is in IAM's range but the user is not in the "
               "auth cache",
               h->args.action, user, (unsigned long)uid);
    return PAM_PERM_DENIED;
}

IAM_EXPORT PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    struct iam_audit_record rec = {.event = IAM_AUDIT_LOGIN};
    const struct pam_iam_authinfo *ai;
    struct pam_iam_decision d;
    struct pam_iam_handle h;
    struct pam_iam_items items;
    struct pam_iam_sshkey sk;
    struct iam_context *ctx = NULL;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    const char *user = NULL, *method;
    int r, ret = PAM_AUTHINFO_UNAVAIL;

    (void)flags;
    r = start(pamh, argc, argv, &h, &user);
    if (r == -EAGAIN)
        return PAM_INCOMPLETE;
    if (r == -EINVAL)
        return PAM_AUTHINFO_UNAVAIL;
    if (r < 0)
        return PAM_USER_UNKNOWN;
    r = pam_iam_load(pamh, &h, user);
    if (pam_iam_is_assume_action(h.args.action) && (r == -ENOENT || (r == 0 && !h.user->is_role))) {
        ret = PAM_IGNORE; /* su to an account that is no role: the other lines decide */
        goto out;
    }
    if (r == -ENOENT) {
        ret = account_not_in_cache(pamh, &h, user);
        goto out;
    }
    if (r < 0) {
        ret = pam_iam_status(PAM_IAM_PHASE_ACCOUNT, r);
        goto out;
    }
    if (h.user->is_role && is_sudo_action(h.args.action) && pam_iam_sudo_plugin_loaded()) {
        /* sudo run by a role's session: the plugin decides each command with the role's
         * policies, and only inside a session someone assumed (docs/sudo.md) */
        D(&h, pamh, "host:Sudo for the role \"%.64s\" is decided per command by iam_approval",
          user);
        ret = PAM_SUCCESS;
        goto out;
    }
    if (h.user->is_role) {
        pam_iam_get_items(pamh, &items);
        ret = pam_iam_is_assume_action(h.args.action)
                  ? pam_iam_role_assume(pamh, &h, &items)
                  : pam_iam_role_login(pamh, &h, PAM_IAM_PHASE_ACCOUNT, &items);
        goto out;
    }
    if (is_sudo_action(h.args.action) && pam_iam_sudo_plugin_loaded()) {
        /* sudo loaded iam_approval.so: it decides host:Sudo for each command, with the
         * command in the context; asking here without one would refuse a policy that allows
         * exactly one command before the plugin sees it (docs/sudo.md). */
        D(&h, pamh, "host:Sudo for \"%.64s\" is decided per command by iam_approval", user);
        ret = PAM_SUCCESS;
        goto out;
    }
    pam_iam_get_items(pamh, &items);
    ai = pam_iam_authinfo_for(pamh, user);
    if (is_sudo_action(h.args.action))
        rec.event = IAM_AUDIT_SUDO;
    rec.action = h.args.action;
    rec.access_key_id = ai && ai->key_id[0] ? ai->key_id : NULL;
    rec.os_user = user;
    rec.enforced = h.config->enforce;
    /* auth was not ours: an SSH public key, as sshd tells it, or another module */
    r = pam_iam_ssh_key(pamh, &h, true, !ai, &sk);
    if (sk.id[0])
        items.ssh_key_id = rec.ssh_public_key_id = sk.id;
    /* pam_iam checked a secret: that is the method (a key before it shows in the key id) */
    method = ai ? ai->method
                : iam_host_auth_method_word(sk.used ? IAM_HOST_AUTH_PUBLICKEY : IAM_HOST_AUTH_NONE);
    rec.auth_method = method;

    iam_error_init(&e);
    if (r >= 0)
        r = pam_iam_build_context(&h, &items, NULL, method, ai ? ai->mfa_time : 0, pam_iam_now(),
                                  &ctx, &e);
    if (r >= 0)
        r = pam_iam_decide(pamh, &h, h.args.action, ctx, &d);
    else if (e.set)
        pam_syslog(pamh, LOG_ERR, "cannot build the request context: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
    if (r < 0) {
        /* Fail closed, even with enforce = no: we could not evaluate at all. */
        ret = pam_iam_status(PAM_IAM_PHASE_ACCOUNT, r == -ENOENT ? -EIO : r);
        rec.error_code = "InternalFailure";
        rec.error_message = "the policies could not be evaluated";
        rec.decision = "deny";
        rec.enforced = true;
        pam_iam_audit(pamh, &h, &rec, &items);
        goto out;
    }
    rec.deciding_policy = d.policy[0] ? d.policy : NULL;
    rec.deciding_statement = d.statement[0] ? d.statement : NULL;
    if (d.allowed) {
        rec.decision = "allow";
        ret = PAM_SUCCESS;
    } else {
        rec.error_code = "AccessDenied";
        rec.error_message = d.kind == IAM_DECISION_EXPLICIT_DENY
                                ? "explicitly denied by a policy"
                                : "no policy allows this action (implicit deny)";
        if (h.config->enforce) {
            rec.decision = "deny";
            ret = PAM_PERM_DENIED;
            pam_syslog(pamh, LOG_NOTICE, "%s denied for \"%.64s\" by %s", h.args.action, user,
                       d.kind == IAM_DECISION_EXPLICIT_DENY ? "an explicit deny"
                                                            : "implicit deny");
        } else {
            rec.decision = "would deny";
            ret = PAM_SUCCESS;
            pam_syslog(pamh, LOG_NOTICE, "%s would be denied for \"%.64s\" (enforce = no)",
                       h.args.action, user);
        }
    }
    pam_iam_audit(pamh, &h, &rec, &items);
out:
    iam_context_free(ctx);
    pam_iam_handle_done(&h);
    pam_iam_loaded_release(pamh);
    return ret;
}

static int session(pam_handle_t *pamh, int argc, const char **argv, enum iam_audit_event ev) {
    struct iam_audit_record rec = {.event = ev, .enforced = true};
    const struct pam_iam_authinfo *ai;
    struct pam_iam_authinfo pk;
    struct pam_iam_sshkey sk;
    struct pam_iam_handle h;
    struct pam_iam_items items;
    const char *user = NULL;
    int r, ret;

    r = start(pamh, argc, argv, &h, &user);
    if (r < 0)
        return PAM_IGNORE;
    r = pam_iam_load(pamh, &h, user);
    if (r < 0) {
        ret = pam_iam_status(PAM_IAM_PHASE_SESSION, r);
        goto out;
    }
    pam_iam_get_items(pamh, &items);
    ai = pam_iam_authinfo_for(pamh, user);
    /* sshd's word on the public key again (a damaged key cache costs the session nothing:
     * the account phase has decided) */
    if (pam_iam_ssh_key(pamh, &h, false, false, &sk) < 0)
        sk.id[0] = 0;
    if (sk.id[0])
        items.ssh_key_id = rec.ssh_public_key_id = sk.id;
    if (!ai && sk.used) {
        memset(&pk, 0, sizeof(pk));
        snprintf(pk.method, sizeof(pk.method), "%s",
                 iam_host_auth_method_word(IAM_HOST_AUTH_PUBLICKEY));
        ai = &pk;
    }
    rec.auth_method = ai ? ai->method : iam_host_auth_method_word(IAM_HOST_AUTH_NONE);
    rec.access_key_id = ai && ai->key_id[0] ? ai->key_id : NULL;
    rec.os_user = user;
    rec.decision = "success";
    if (h.user->is_role) {
        /* su into a role: the session is the role's, the person its source identity */
        const char *who = pam_iam_role_assumer(pamh, &h);

        rec.session_name = rec.source_identity = who;
        rec.session_created = (time_t)pam_iam_now();
        pam_iam_audit(pamh, &h, &rec, &items);
        if (who && ev == IAM_AUDIT_SESSION_CLOSE && strcmp(who, "root") != 0)
            pam_iam_login_note_role(pamh, &h, who, NULL);
        ret = PAM_SUCCESS;
        goto out;
    }
    pam_iam_audit(pamh, &h, &rec, &items);
    if (ev == IAM_AUDIT_SESSION_OPEN)
        pam_iam_login_open(pamh, &h, &items, ai);
    else
        pam_iam_login_close(pamh, &h);
    ret = PAM_SUCCESS;
out:
    pam_iam_handle_done(&h);
    pam_iam_loaded_release(pamh);
    return ret;
}

IAM_EXPORT PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)flags;
    return session(pamh, argc, argv, IAM_AUDIT_SESSION_OPEN);
}

IAM_EXPORT PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
                                    const char **argv) {
    (void)flags;
    return session(pamh, argc, argv, IAM_AUDIT_SESSION_CLOSE);
}

IAM_EXPORT PAM_EXTERN int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv) {
    (void)pamh;
    (void)flags;
    (void)argc;
    (void)argv;
    /* Secrets change through iamctl, never through passwd(1). */
    return PAM_IGNORE;
}
