/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

#include "iam/error.h"

/* Exit codes (STYLE.md): 0 success, 1 the operation failed, 2 usage error. */
#define IAMCTL_EXIT_OK 0
#define IAMCTL_EXIT_FAIL 1
#define IAMCTL_EXIT_USAGE 2

/* Global options, parsed by main.c before the verb. */
extern const char *arg_config; /* --config FILE, default IAM_SYSCONFDIR "/iam.conf" */

struct iamctl_verb {
    const char *name;
    int (*run)(int argc, char *argv[]); /* argv[0] is the verb name; returns an exit code */
    const char *summary;
};

/* Diagnostics: "iamctl: text" on stderr. Returns IAMCTL_EXIT_FAIL for `return fail(...)`. */
int iamctl_fail(const char *fmt, ...) IAM_PRINTF(1, 2);
/* "iamctl: text" and IAMCTL_EXIT_USAGE. */
int iamctl_usage(const char *fmt, ...) IAM_PRINTF(1, 2);
/* "iamctl: source:line:col: text" from an iam_error, returns IAMCTL_EXIT_FAIL. */
int iamctl_fail_error(const struct iam_error *e);

/* Read a CLI parameter value the AWS CLI way: "file://path" reads the file (text), anything
 * else is the literal value. On success *ret is a NUL-terminated malloc'd buffer and *ret_len
 * its length; *ret_source is "path" for file:// values or "(argument)". */
int iamctl_read_param(const char *value, char **ret, size_t *ret_len, const char **ret_source);

/* Validate a policy document before storing it (iamctl/policy_check.c): every finding goes to
 * stderr as "iamctl: SOURCE:LINE:COL: TYPE CODE: details (path)", ERRORs first, the others
 * prefixed "warning: " (left out with IAMCTL_POLICY_CHECK_QUIET). Returns 0 when the policy may
 * be stored, IAMCTL_EXIT_FAIL when it has an ERROR finding (or cannot be validated), so a
 * writer does: if ((r = iamctl_policy_check(text, len, type, source, 0)) != 0) return r; */
#define IAMCTL_POLICY_CHECK_QUIET 1u
#include "iam/policy.h"
int iamctl_policy_check(const char *text, size_t len, enum iam_policy_type type, const char *source,
                        unsigned flags);

/* Verbs, one per file group. */
int verb_simulate_custom_policy(int argc, char *argv[]);
int verb_validate_policy(int argc, char *argv[]);
