/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What the trail verbs (lookup-events, seal-logs, validate-logs, generate-policy, the
 * findings) share: the clock, time arguments, which files make up the trail, progress. */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "iam/config.h"
#include "iam/trail.h"
#include "verb_common.h"

/* Now, in epoch seconds. IAMCTL_NOW (epoch seconds or ISO 8601, read with secure_getenv) sets
 * it for tests, so findings and windows can be checked at chosen moments. */
int64_t trail_now(void);

/* A --start-time/--end-time value as the AWS CLI takes it: ISO 8601 ("2024-05-01",
 * "2024-05-01T10:00:00Z", "...+02:00") or epoch seconds. Usage error (printed) on anything
 * else: returns an exit code, 0 on success. */
int trail_time_arg(const char *opt, const char *value, int64_t *ret);
/* "2024-05-01T10:00:00+00:00", as the AWS CLI prints times. */
void trail_format_time(int64_t t, char out[32]);
/* "2024-05-01T10:00:00Z", as CloudTrail and Access Analyzer write them. */
void trail_format_time_z(int64_t t, char out[32]);

/* User.PasswordLastUsed as IAM prints it, from the last-use record pam_iam keeps
 * (<cache_dir>/lastused/password-<UserId>); left out when the password was never used here.
 * trail_password_last_used() gives the time, 0 when none. */
int64_t trail_password_last_used(const char *cache_dir, const char *user_id);
void trail_set_password_last_used(json_t *user, const char *cache_dir, const char *user_id);

/* Load --config's iam.conf (error printed; returns an exit code, 0 on success). */
int trail_load_config(struct iam_config **ret);

/* The trail's files: each --audit-log PATH (files or directories), or, when there is none,
 * the host's audit log (iam.conf's audit_log) with its rotations. *ret_config is loaded
 * when needed (the default) and may stay NULL otherwise. Returns an exit code. */
int trail_files(const struct opt *audit_log, struct iam_config **ret_config,
                struct iam_trail_files *ret);

/* Progress on stderr when it is a terminal: "iamctl: what: 42%", at most a few times a
 * second; trail_progress_done() clears the line. */
struct trail_progress {
    const char *what;
    bool tty;
    int64_t last_ms;
    int last_pct;
    bool shown;
};
void trail_progress_init(struct trail_progress *p, const char *what);
void trail_progress_cb(uint64_t done, uint64_t total, void *userdata);
void trail_progress_done(struct trail_progress *p);
