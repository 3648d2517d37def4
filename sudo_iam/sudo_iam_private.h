/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Internals of iam_approval.so; nothing here is exported (iam_approval.map: the plugin struct
 * only). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iam/error.h"
#include "iam/macros.h"

#define SUDO_IAM_MAX_ENTRIES 4096   /* entries of one of sudo's arrays */
#define SUDO_IAM_MAX_ENTRY 65536    /* bytes of one entry */
#define SUDO_IAM_MAX_ARGS 4096      /* arguments of one command */
#define SUDO_IAM_MAX_COMMAND_LINE (256u * 1024u)

/* ---- parse.c: sudo's settings, user_info, plugin options, command_info, run_argv ---- */

/* What open() learns; every string is an owned copy. */
struct sudo_iam_info {
    char *user;        /* user_info user=: the invoking user */
    uid_t uid;         /* user_info uid= */
    char *tty;         /* user_info tty=, NULL when sudo has no terminal */
    char *config_path; /* plugin option config=, absolute; NULL = the default */
    bool debug;        /* plugin option debug: LOG_DEBUG lines for allowed commands and
                        * users not asked */
};

/* What check() learns about one command; every string is an owned copy. */
struct sudo_iam_command {
    char *command;      /* command_info command=: the absolute path sudo will execute */
    char *runas_user;   /* command_info runas_user=, or the name of runas_uid=, or its digits */
    char *runas_group;  /* command_info runas_group=, or the name of runas_gid=, or its digits */
    char **args;        /* run_argv[1..]: the arguments, NULL-terminated */
    size_t n_args;
    char *command_line; /* command and arguments joined by single spaces */
};

/* Parse open()'s arrays (any may be NULL). Unknown keys of settings and user_info are
 * ignored (sudo adds keys over time); a malformed entry (no '='), an over-long array or
 * entry, a missing or empty user=, a uid= that is not a number, and any plugin option other
 * than config=/ABSOLUTE-PATH and debug are -EINVAL with the reason in reterr. */
int sudo_iam_parse_open(char *const settings[], char *const user_info[],
                        char *const options[], struct sudo_iam_info *ret,
                        struct iam_error *reterr) IAM_WUR;
void sudo_iam_info_done(struct sudo_iam_info *info);

/* Parse check()'s arrays. command= is required and must be absolute; run_argv may be NULL
 * or empty (no arguments). A run-as user or group given only by id is named through NSS
 * when possible (resolve = true), else written as digits. -EINVAL/-E2BIG as above. */
int sudo_iam_parse_command(char *const command_info[], char *const run_argv[], bool resolve,
                           struct sudo_iam_command *ret, struct iam_error *reterr) IAM_WUR;
void sudo_iam_command_done(struct sudo_iam_command *cmd);

/* ---- decide.c: one command decided by IAM policy ---- */
struct iam_config;
struct iam_auth_user;
struct iam_login_session;
struct iam_context;

enum sudo_iam_verdict {
    SUDO_IAM_ERROR = -1,  /* could not decide: refuse (fail closed) */
    SUDO_IAM_REJECT = 0,  /* denied by IAM policy (enforce = yes) */
    SUDO_IAM_APPROVE = 1, /* allowed; or not an IAM user; or denied with enforce = no */
};

struct sudo_iam_result {
    enum sudo_iam_verdict verdict;
    bool not_iam;       /* a local user, or a name not in IAM: not asked */
    bool explicit_deny; /* REJECT by an explicit Deny (else: no Allow) */
    bool would_deny;    /* APPROVE only because enforce = no */
    bool not_plain;     /* REJECT: the command's path has ".", ".." or empty components */
    const char *hint;   /* REJECT: what to do, when there is more to say than "denied" */
    char detail[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32]; /* why, for an ERROR */
};

/* Everything one request is made of. */
struct sudo_iam_request {
    const struct sudo_iam_info *info;
    const struct sudo_iam_command *command;
    const struct iam_config *config;
    const struct iam_auth_user *user;
    const struct iam_login_session *login; /* NULL: no record of the login */
    /* the resource whose tags are aws:ResourceTag: a role being assumed (sts:AssumeRole, as
     * AWS's role resource); NULL: the host (iam.conf's host_tag.<key>) */
    const struct iam_auth_user *resource;
    int64_t now;
};

/* Absolute, and no empty, "." or ".." component: a path a policy can be written for. */
bool sudo_iam_path_plain(const char *path);

/* The request context of one command (docs/sudo.md lists the keys). */
int sudo_iam_build_context(const struct sudo_iam_request *q, struct iam_context **ret_ctx,
                           struct iam_error *reterr) IAM_WUR;

/* Decide cmd for info's user at now; writes the audit record (file and syslog) for an IAM
 * user. Never fails open: anything that stops a decision is SUDO_IAM_ERROR. */
void sudo_iam_decide(const struct sudo_iam_info *info, const struct sudo_iam_command *cmd,
                     int64_t now, struct sudo_iam_result *res);
