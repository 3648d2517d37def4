/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/*
 * Lockout after repeated failed logins (pam_faillock's idea): every failed attempt of an IAM
 * user (a wrong password, secret access key or MFA code) is one entry in that user's tally,
 * <cache_dir>/faillock/<UserId>, a root-owned 0600 file in a root-owned 0700 directory. When
 * `failures` attempts fall within `window` seconds, the user is locked for `lock_time`
 * seconds (0: until an administrator resets the tally with `iamctl reset-lockout`).
 *
 * Exact under concurrency: a failure is counted by a read-modify-write of the tally while
 * holding an exclusive flock() on the directory, and the new tally replaces the old one by
 * rename, so two attempts failing at once are two entries, and a reader never sees a torn file.
 * A successful login removes the tally (under the same lock); a login that has no tally costs
 * one failed open(), nothing else.
 *
 * Equal work: refusals of names IAM does not know are counted in a tally of their own
 * (IAM_FAILLOCK_DUMMY, never locked, never listed), and attempts refused during a lock are
 * counted too (`refused`), so a refusal costs one locked write whether the user exists, is
 * locked or not.
 *
 * Text format: "iam-faillock 1", then `key value` lines: user, id, locked_since, locked_until
 * (0 = not locked; -1 = until reset), refused, and one `fail <epoch> <service> <source>` line per
 * counted failure, oldest first. Values are printable ASCII without spaces ("-" for none).
 * Anything else is -EBADMSG.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iam/error.h"
#include "iam/macros.h"

#define IAM_FAILLOCK_DIR_NAME "faillock" /* under cache_dir */
#define IAM_FAILLOCK_DUMMY "unknown-users"
#define IAM_FAILLOCK_MAX_FAILURES 100  /* the largest `failures` iam.conf accepts */
#define IAM_FAILLOCK_MAX_TOKEN 64      /* service and source, as recorded */
#define IAM_FAILLOCK_FOREVER INT64_C(-1) /* locked_until: until an administrator resets */

struct iam_faillock_policy {
    unsigned failures;  /* consecutive failures that lock; 1..IAM_FAILLOCK_MAX_FAILURES */
    unsigned window;    /* seconds in which they must fall */
    unsigned lock_time; /* seconds the lock lasts; 0 = until reset */
};

struct iam_faillock_failure {
    int64_t when;
    char service[IAM_FAILLOCK_MAX_TOKEN + 1];
    char source[IAM_FAILLOCK_MAX_TOKEN + 1];
};

struct iam_faillock_state {
    char user_name[65];
    char user_id[129];
    int64_t locked_since;    /* 0 = not locked */
    int64_t locked_until;    /* 0 = not locked; IAM_FAILLOCK_FOREVER = until reset */
    unsigned refused;        /* attempts refused while locked (not counted as failures) */
    size_t n_failures;
    struct iam_faillock_failure failures[IAM_FAILLOCK_MAX_FAILURES];
};

enum iam_faillock_outcome {
    IAM_FAILLOCK_COUNTED = 0,      /* one more failure; not locked */
    IAM_FAILLOCK_LOCK_STARTED = 1, /* this failure started a lock */
    IAM_FAILLOCK_WHILE_LOCKED = 2, /* the user was locked already */
};

/* Whether s is locked at now. */
bool iam_faillock_locked(const struct iam_faillock_state *s, int64_t now);

/* Read a user's tally (no lock: the file is replaced by rename). 0; -ENOENT when there is none;
 * -EACCES when the directory or file is unsafe (symlink, owner, permissions); -EBADMSG when
 * it is damaged; -EINVAL for a user id that is not IAM's (AIDA...). */
int iam_faillock_read(const char *cache_dir, const char *user_id, struct iam_faillock_state *ret,
                      struct iam_error *reterr) IAM_WUR;

/* Count one failed attempt at now. user_id NULL counts it in the dummy tally (a name IAM does
 * not know). service and source may be NULL. Returns an enum iam_faillock_outcome (>= 0) and,
 * when ret_state is not NULL, the tally as written; or -errno: -EACCES (unsafe directory or
 * file), -EBADMSG (a damaged tally: left as it is), -EIO. The directory is created when
 * missing. */
int iam_faillock_fail(const char *cache_dir, const char *user_id, const char *user_name,
                      const struct iam_faillock_policy *policy, int64_t now, const char *service,
                      const char *source, struct iam_faillock_state *ret_state,
                      struct iam_error *reterr) IAM_WUR;

/* Remove a user's tally (a successful login; an administrator's reset). 0 removed, -ENOENT
 * none, -errno otherwise. */
int iam_faillock_reset(const char *cache_dir, const char *user_id,
                       struct iam_error *reterr) IAM_WUR;

/* Every user's tally (the dummy one left out), in directory order. *ret is malloc'd (NULL
 * and 0 when there is none or the directory does not exist); a damaged tally is -EBADMSG
 * naming it. */
int iam_faillock_list(const char *cache_dir, struct iam_faillock_state **ret, size_t *ret_n,
                      struct iam_error *reterr) IAM_WUR;

/* The text of a tally and its parser (exposed for tests and fuzzing). */
int iam_faillock_format(const struct iam_faillock_state *s, char **ret_text, size_t *ret_len);
int iam_faillock_parse(const char *text, size_t len, struct iam_faillock_state *ret,
                       struct iam_error *reterr) IAM_WUR;
