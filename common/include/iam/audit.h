/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Audit records: one CloudTrail-shaped JSON object per decision, appended as one line to the
 * audit log (root 0600; its directory is created 0700 when missing). common/ never logs: the
 * PAM module sends the same line to syslog (authpriv) itself.
 *
 * Never put a secret in a record: there is no field for one. User-controlled strings (user
 * name, remote host, tty) are capped at IAM_AUDIT_MAX_FIELD bytes and every byte outside
 * printable ASCII becomes '?'.
 */

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_AUDIT_DEFAULT_LOG "/var/log/iam/audit.jsonl"
#define IAM_AUDIT_MAX_FIELD 256
#define IAM_AUDIT_MAX_COMMAND_LINE 4096 /* the command line of a sudo command */
#define IAM_AUDIT_MAX_LINE (64u * 1024u)
#define IAM_UUID_STR_LEN 36

enum iam_audit_event {
    IAM_AUDIT_AUTHENTICATE,
    IAM_AUDIT_LOGIN,
    IAM_AUDIT_SUDO,
    IAM_AUDIT_SESSION_OPEN,
    IAM_AUDIT_SESSION_CLOSE,
    IAM_AUDIT_SUDO_COMMAND, /* one command, decided by sudo's approval plugin */
    IAM_AUDIT_LOCKOUT,      /* a user locked out after repeated failed logins */
    IAM_AUDIT_ASSUME_ROLE,  /* a user assumed a role (su, sudo -u): sts:AssumeRole */
    IAM_AUDIT_PULL_BUNDLE,  /* iamctl pull: a bundle installed, found current, or refused */
};

/* Every string may be NULL (the field is then left out, or null where CloudTrail has null). */
struct iam_audit_record {
    enum iam_audit_event event;
    time_t time;              /* 0 = now */
    const char *event_source; /* NULL = "pam_iam" */

    /* userIdentity; is_iam_user false gives type "Unknown" (name not in IAM). */
    bool is_iam_user;
    const char *user_name;
    const char *principal_id; /* AIDA... */
    const char *arn;
    const char *account_id;
    const char *access_key_id;
    /* A session that assumed a role (set: userIdentity.type "AssumedRole", arn the session's
     * arn:<p>:sts::<account>:assumed-role/<role>/<session>, principalId "<role id>:<session>",
     * sessionContext with the role as sessionIssuer, attributes.creationDate and
     * sourceIdentity, the person). user_name/principal_id/arn are then the role's. */
    const char *session_name;    /* the role session's name: the person's user name */
    const char *source_identity; /* the person */
    time_t session_created;

    const char *source_ip;  /* PAM_RHOST, address or name */
    const char *user_agent; /* the PAM service */

    /* Failure: errorCode ("AccessDenied", "InvalidClientTokenId", ...) and errorMessage. */
    const char *error_code;
    const char *error_message;

    /* requestParameters */
    const char *host_arn;
    const char *action;
    const char *service;
    const char *tty;
    const char *os_user;
    /* A sudo command: the resolved command, its command line (capped at
     * IAM_AUDIT_MAX_COMMAND_LINE, then additionalEventData.commandLineTruncated), the run-as
     * user and group. Data only: written as JSON strings, bytes outside printable ASCII
     * become '?', so no command line can end a record or start another. */
    const char *command;
    const char *command_line;
    const char *run_as_user;
    const char *run_as_group;
    /* AssumeRole: requestParameters roleArn, roleSessionName, sourceIdentity, and, when
     * allowed, responseElements.assumedRoleUser (assumedRoleId, arn) and sourceIdentity. */
    const char *role_arn;
    const char *role_id;
    const char *role_session_name;
    const char *role_source_identity;
    /* A pull: the bundle's URL (requestParameters.bundleUrl), the Serial of the manifest it
     * got (additionalEventData.serial) and of the bundle installed afterwards
     * (installedSerial); 0 leaves a Serial out. */
    const char *bundle_url;
    unsigned long long bundle_serial;
    unsigned long long installed_serial;

    /* additionalEventData */
    const char *auth_method;        /* "accesskey", "password", "publickey", "none" */
    const char *ssh_public_key_id;  /* APKA...: the SSH public key the login used */
    const char *decision;           /* "allow", "deny", "would deny", "success", "failure" */
    const char *deciding_policy;    /* source id of the policy whose statement decided */
    const char *deciding_statement; /* its Sid, or "#<index>" when it has none */
    bool enforced;
};

/* Event name as CloudTrail would print it: "Authenticate", "Login", ... */
const char *iam_audit_event_name(enum iam_audit_event event);

/* A random (version 4) UUID from libsodium's randombytes, lower case, NUL-terminated. */
void iam_uuid4(char out[IAM_UUID_STR_LEN + 1]);

/* The ARN of a role session: arn:<partition>:sts::<account>:assumed-role/<name>/<session>,
 * from the role's ARN (its path left out, as STS does) into out. -EINVAL when role_arn is not
 * a role's ARN, -ENOSPC when out is too small. */
int iam_assumed_role_arn(const char *role_arn, const char *session, char *out,
                         size_t size) IAM_WUR;

/* Format rec as one compact JSON line (no newline). *ret_line is malloc'd. */
int iam_audit_format(const struct iam_audit_record *rec, char **ret_line) IAM_WUR;

/* Append line + '\n' with one write() to path: O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|O_CLOEXEC,
 * created 0600; the directory is created 0700 when missing. Both are refused (-EACCES) unless
 * owned by root (or the caller's euid) and not writable by group or others. */
int iam_audit_append(const char *path, const char *line, struct iam_error *reterr) IAM_WUR;

/* The same in steps, for a caller that writes several records in a row (the phases of one
 * login): the log opened and checked as above, written line by line, closed. Each write is
 * one write() of line + '\n'. iam_audit_log_is() tells (one lstat) whether path still names
 * the very file open, a regular file with a safe owner and mode: false after a rotation, a
 * change of path, or when in doubt; then open the log again. */
struct iam_audit_log;
int iam_audit_log_open(const char *path, struct iam_audit_log **ret_log,
                       struct iam_error *reterr) IAM_WUR;
int iam_audit_log_write(struct iam_audit_log *log, const char *line,
                        struct iam_error *reterr) IAM_WUR;
bool iam_audit_log_is(const struct iam_audit_log *log, const char *path);
void iam_audit_log_close(struct iam_audit_log *log); /* NULL-safe */
