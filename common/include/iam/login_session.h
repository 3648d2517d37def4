/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The login-session record: what pam_iam learned when a user logged in (where from, on which
 * terminal, how they authenticated, whether with a second factor, later the role they
 * assumed), kept for the programs that run inside that login and must decide with the same
 * facts but never saw pam_iam's state -- sudo's approval plugin first of all.
 *
 * Unforgeable by the user it describes:
 *   - it is a root-owned 0600 file in a root-owned 0700 directory (<cache_dir>/sessions), so
 *     only root writes or reads it;
 *   - it is named by the kernel's audit session id (/proc/self/sessionid), which
 *     pam_loginuid makes the kernel assign when a login starts, which every process of the
 *     login inherits and which no process can change afterwards (a new one needs
 *     CAP_AUDIT_CONTROL); the record also names the login uid (/proc/self/loginuid, equally
 *     immutable) and the boot (/proc/sys/kernel/random/boot_id), because session ids start
 *     again at 1 after a reboot;
 *   - a reader accepts it only when all three match its own process, the user matches, and
 *     the record has not expired (IAM_LOGIN_SESSION_LIFETIME after the login).
 * A process whose audit session id is unset (no pam_loginuid in the stack, a kernel without
 * audit) has no record: iam_login_session_id_read() says -ENOENT, and the reader then knows
 * nothing of the login, which makes conditions on those keys fail rather than pass.
 *
 * The format is text, one `key value` line per field after a `iam-login-session 1` line;
 * values are 1..IAM_LOGIN_SESSION_MAX_VALUE printable ASCII characters without spaces. Any
 * other byte, an unknown or repeated key, a missing required key is -EBADMSG.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_LOGIN_SESSION_DIR_NAME "sessions"  /* under cache_dir */
#define IAM_LOGIN_SESSION_LIFETIME (12 * 3600) /* seconds after the login */
#define IAM_LOGIN_SESSION_MAX_VALUE 255
#define IAM_LOGIN_SESSION_MAX_ARN 1023
#define IAM_LOGIN_SESSION_MAX_BYTES 8192
#define IAM_LOGIN_SESSION_BOOT_ID_LEN 36 /* a UUID as the kernel prints it */

/* What the kernel says about the calling process's login. */
struct iam_login_session_id {
    uint32_t audit_session; /* /proc/self/sessionid: never (uint32_t)-1 here */
    uint32_t login_uid;     /* /proc/self/loginuid: never (uint32_t)-1 here */
    char boot_id[IAM_LOGIN_SESSION_BOOT_ID_LEN + 1];
};

/* One login. Empty strings are absent fields; mfa_time 0 means no second factor. */
struct iam_login_session {
    struct iam_login_session_id id;
    char user[IAM_LOGIN_SESSION_MAX_VALUE + 1];        /* the IAM user who logged in */
    int64_t created;                                   /* seconds since the epoch */
    int64_t expires;                                   /* created + lifetime */
    char service[IAM_LOGIN_SESSION_MAX_VALUE + 1];     /* PAM service of the login */
    char tty[IAM_LOGIN_SESSION_MAX_VALUE + 1];         /* PAM_TTY */
    char remote_host[IAM_LOGIN_SESSION_MAX_VALUE + 1]; /* PAM_RHOST */
    char source_ip[IAM_LOGIN_SESSION_MAX_VALUE + 1];   /* PAM_RHOST when it is an address */
    char auth_method[IAM_LOGIN_SESSION_MAX_VALUE + 1]; /* host:AuthMethod, when known */
    char access_key_id[IAM_LOGIN_SESSION_MAX_VALUE + 1];
    char ssh_public_key_id[IAM_LOGIN_SESSION_MAX_VALUE + 1]; /* host:SSHPublicKeyId */
    int64_t mfa_time;                                  /* when the second factor was given */
    char role_arn[IAM_LOGIN_SESSION_MAX_ARN + 1];      /* an assumed role, when there is one */
    char source_identity[IAM_LOGIN_SESSION_MAX_VALUE + 1]; /* the person behind the role */
    int64_t role_since;          /* when the role was assumed (MaxSessionDuration counts) */
    int64_t role_max_session;    /* the role's MaxSessionDuration then, in seconds */
};

/* Read the calling process's ids below proc_dir ("/proc" on a host; tests pass a directory of
 * their own). -ENOENT when the audit session id or the login uid is unset (4294967295) or the
 * files are missing; -EBADMSG when they do not parse. */
int iam_login_session_id_read(const char *proc_dir, struct iam_login_session_id *ret_id) IAM_WUR;

/* The text of a record; -EINVAL (naming the field) when a field is empty where it is required
 * (user, boot id) or holds a byte outside printable ASCII or a space, -E2BIG when
 * a value is too long. *ret_text is malloc'd, NUL-terminated. */
int iam_login_session_format(const struct iam_login_session *s, char **ret_text, size_t *ret_len,
                             struct iam_error *reterr) IAM_WUR;
/* Parse a record's text (any bytes; len need not be NUL-terminated). -EBADMSG with the line
 * and column in reterr. */
int iam_login_session_parse(const char *text, size_t len, struct iam_login_session *ret,
                            struct iam_error *reterr) IAM_WUR;

/* Write s as dir/<audit session id>, atomically, 0600; dir is created 0700 when missing and
 * refused (-EACCES) unless owned by root (or the caller's euid) with no group or other
 * permission bits. Expired records and records of earlier boots in dir are removed first. */
int iam_login_session_write(const char *dir, const struct iam_login_session *s,
                            struct iam_error *reterr) IAM_WUR;

/* The record of the login id belongs to, for user, valid at now: 0, or -ENOENT when there is
 * none (no file; expired; another boot, login uid or user: each of those is "no record for
 * this login"), -EACCES when the directory or file is unsafe, -EBADMSG when it is damaged. */
int iam_login_session_read(const char *dir, const struct iam_login_session_id *id,
                           const char *user, int64_t now, struct iam_login_session *ret,
                           struct iam_error *reterr) IAM_WUR;

/* The record of the login id belongs to in which role_arn is the assumed role, valid at now
 * (as iam_login_session_read, the role standing for the user): the session of that role
 * inside this login, its person in source_identity. -ENOENT when there is none. */
int iam_login_session_read_role(const char *dir, const struct iam_login_session_id *id,
                                const char *role_arn, int64_t now,
                                struct iam_login_session *ret, struct iam_error *reterr) IAM_WUR;

/* Note in user's record of the login id belongs to that user assumed role_arn at `since`
 * (now) with a session of at most max_session seconds (role_arn NULL: the role session
 * ended, the role fields are cleared). 0, -ENOENT when the login has no record for user valid
 * at since, -errno. One role session per login: a later assumption replaces the earlier. */
int iam_login_session_note_role(const char *dir, const struct iam_login_session_id *id,
                                const char *user, const char *role_arn, int64_t since,
                                int64_t max_session, struct iam_error *reterr) IAM_WUR;

/* Remove the record of id if it is user's: 0 removed, -ENOENT none, -errno otherwise. */
int iam_login_session_remove(const char *dir, const struct iam_login_session_id *id,
                             const char *user, struct iam_error *reterr) IAM_WUR;
