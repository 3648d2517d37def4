/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The login-session record (iam/login_session.h): written when a login's session opens,
 * removed when it closes, so that programs inside the login (sudo's approval plugin) decide
 * with what this module learned at login time.
 *
 * Written only for a login in the proper sense: the module runs with real uid 0 (sshd, login,
 * a display manager, cron -- not the setuid sudo or su, whose sessions run inside another
 * login and must not replace its record), and pam_loginuid, earlier in the stack, made this
 * user the login uid of a fresh audit session. Anything else leaves no record, and then no
 * one can claim one: the reader matches session id, login uid, boot and user.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modutil.h>

#include "iam/login_session.h"
#include "pam_iam_private.h"

static int session_dir(const struct pam_iam_handle *h, char *buf, size_t size) {
    if (snprintf(buf, size, "%s/%s", h->config->cache_dir, IAM_LOGIN_SESSION_DIR_NAME) >=
        (int)size)
        return -E2BIG;
    return 0;
}

/* The kernel's ids of this login, when this call is the start of user's login. */
static bool is_login_start(pam_handle_t *pamh, const char *user,
                           struct iam_login_session_id *ret_id) {
    const struct passwd *pw;

    if (getuid() != 0)
        return false;
    if (iam_login_session_id_read("/proc", ret_id) < 0)
        return false;
    pw = pam_modutil_getpwnam(pamh, user);
    return pw && pw->pw_uid == ret_id->login_uid;
}

static void copy(char *dst, size_t size, const char *src) {
    /* A value the record cannot hold (spaces, control bytes, too long) is left out. */
    if (!src || !*src || strnlen(src, size) >= size)
        return;
    for (const char *p = src; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return;
    memcpy(dst, src, strlen(src) + 1);
}

void pam_iam_login_open(pam_handle_t *pamh, const struct pam_iam_handle *h,
                        const struct pam_iam_items *items, const struct pam_iam_authinfo *ai) {
    struct iam_login_session s;
    struct iam_error e;
    char dir[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    memset(&s, 0, sizeof(s));
    if (!is_login_start(pamh, h->user->name, &s.id)) {
        D(h, pamh, "not the start of a login (no audit session of this user): no login record");
        return;
    }
    if (session_dir(h, dir, sizeof(dir)) < 0)
        return;
    copy(s.user, sizeof(s.user), h->user->name);
    s.created = pam_iam_now();
    s.expires = s.created + IAM_LOGIN_SESSION_LIFETIME;
    copy(s.service, sizeof(s.service), items->service);
    copy(s.tty, sizeof(s.tty), items->tty);
    copy(s.remote_host, sizeof(s.remote_host), items->rhost);
    if (pam_iam_is_address(items->rhost))
        copy(s.source_ip, sizeof(s.source_ip), items->rhost);
    /* How the user authenticated, when this process saw it. sshd runs PAM authentication
     * for keyboard-interactive in a child process, so its session phase never learns it:
     * then the record has no method, rather than a guess. */
    if (ai) {
        copy(s.auth_method, sizeof(s.auth_method), ai->method);
        copy(s.access_key_id, sizeof(s.access_key_id), ai->key_id);
        s.mfa_time = ai->mfa_time;
    }
    copy(s.ssh_public_key_id, sizeof(s.ssh_public_key_id), items->ssh_key_id);
    iam_error_init(&e);
    r = iam_login_session_write(dir, &s, &e);
    if (r < 0)
        pam_syslog(pamh, LOG_WARNING, "cannot record the login session, ignoring: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
    else
        D(h, pamh, "login session %u of \"%.64s\" recorded", (unsigned)s.id.audit_session,
          s.user);
}

void pam_iam_login_close(pam_handle_t *pamh, const struct pam_iam_handle *h) {
    struct iam_login_session_id id;
    struct iam_error e;
    char dir[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    if (!is_login_start(pamh, h->user->name, &id) || session_dir(h, dir, sizeof(dir)) < 0)
        return;
    iam_error_init(&e);
    r = iam_login_session_remove(dir, &id, h->user->name, &e);
    if (r < 0 && r != -ENOENT)
        pam_syslog(pamh, LOG_WARNING, "cannot remove the login session record, ignoring: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
}

void pam_iam_login_note_mfa(pam_handle_t *pamh, const struct pam_iam_handle *h, int64_t when) {
    struct iam_login_session_id id;
    struct iam_login_session s;
    struct iam_error e;
    char dir[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    /* Only the login this process belongs to (the kernel's ids) and only its user's record:
     * sudo and su run inside it, and asked this user for the code just now. */
    if (iam_login_session_id_read("/proc", &id) < 0 || session_dir(h, dir, sizeof(dir)) < 0)
        return;
    iam_error_init(&e);
    r = iam_login_session_read(dir, &id, h->user->name, when, &s, &e);
    if (r == -ENOENT)
        return;
    if (r == 0) {
        s.mfa_time = when;
        iam_error_init(&e);
        r = iam_login_session_write(dir, &s, &e);
    }
    if (r < 0)
        pam_syslog(pamh, LOG_WARNING, "cannot note the MFA code in the login session record, "
                   "ignoring: %s", iam_error_format(&e, msg, sizeof(msg)));
    else
        D(h, pamh, "MFA noted in login session %u of \"%.64s\"", (unsigned)id.audit_session,
          h->user->name);
}

void pam_iam_login_note_role(pam_handle_t *pamh, const struct pam_iam_handle *h,
                             const char *caller, const struct iam_auth_user *role) {
    struct iam_login_session_id id;
    struct iam_error e;
    char dir[PAM_IAM_MAX_PATH], msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    /* The login this process belongs to, and only its user's record: su runs inside it. */
    if (iam_login_session_id_read("/proc", &id) < 0 || session_dir(h, dir, sizeof(dir)) < 0) {
        D(h, pamh, "no login record to note the role session in");
        return;
    }
    iam_error_init(&e);
    r = iam_login_session_note_role(dir, &id, caller, role ? role->arn : NULL, pam_iam_now(),
                                    role ? role->max_session_duration : 0, &e);
    if (r == -ENOENT)
        D(h, pamh, "the login of \"%.64s\" has no record: the role session is not noted",
          caller);
    else if (r < 0)
        pam_syslog(pamh, LOG_WARNING, "cannot note the role session in the login session "
                   "record, ignoring: %s", iam_error_format(&e, msg, sizeof(msg)));
}
