/* SPDX-License-Identifier: Apache-2.0 */
/* Lockout after repeated failed attempts (iam/faillock.h), as pam_faillock does it, with the
 * tally in cache_dir. Every refusal after the secret was asked for is counted: a known user's
 * in the user's tally, a name IAM does not know in the dummy tally, so that both cost one
 * locked write. A locked user's attempts are checked as usual (the same work) and refused
 * whatever they typed; the refusal looks like any wrong secret to the one who typed it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "iam/faillock.h"
#include "pam_iam_private.h"

static void policy_of(const struct iam_config *c, struct iam_faillock_policy *ret) {
    ret->failures = c->lockout_failures;
    ret->window = c->lockout_window_seconds;
    ret->lock_time = c->lockout_time_seconds;
}

int pam_iam_lockout_check(pam_handle_t *pamh, const struct pam_iam_handle *h, int64_t now) {
    struct iam_faillock_state s;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    if (!h->config->lockout || !h->user || !h->user->user_id)
        return 0;
    iam_error_init(&e);
    r = iam_faillock_read(h->config->cache_dir, h->user->user_id, &s, &e);
    if (r == -ENOENT)
        return 0; /* the usual case: no failure since the last success */
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot read the failed-login tally of \"%.64s\": %s (iamctl "
                   "reset-lockout --user-name clears it)", h->user_name,
                   iam_error_format(&e, msg, sizeof(msg)));
        return r;
    }
    return iam_faillock_locked(&s, now) ? 1 : 2;
}

void pam_iam_lockout_reset(pam_handle_t *pamh, const struct pam_iam_handle *h) {
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int r;

    if (!h->config->lockout || !h->user || !h->user->user_id)
        return;
    iam_error_init(&e);
    r = iam_faillock_reset(h->config->cache_dir, h->user->user_id, &e);
    if (r < 0 && r != -ENOENT)
        pam_syslog(pamh, LOG_WARNING, "cannot reset the failed-login tally of \"%.64s\": %s, "
                   "ignoring", h->user_name, iam_error_format(&e, msg, sizeof(msg)));
}

int pam_iam_lockout_fail(pam_handle_t *pamh, const struct pam_iam_handle *h,
                         const struct pam_iam_items *items, int64_t now) {
    struct iam_faillock_policy p;
    struct iam_faillock_state s;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    const char *id = h->user ? h->user->user_id : NULL;
    int r;

    if (!h->config || !h->config->lockout)
        return IAM_FAILLOCK_COUNTED;
    if (h->user && !id)
        return IAM_FAILLOCK_COUNTED; /* a record without an id cannot have a tally */
    policy_of(h->config, &p);
    iam_error_init(&e);
    r = iam_faillock_fail(h->config->cache_dir, id, h->user ? h->user->name : NULL, &p, now,
                          items->service, items->rhost, &s, &e);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot count the failed login%s%.64s%s: %s", h->user ? " of \"" : "",
                   h->user ? h->user_name : "", h->user ? "\"" : "",
                   iam_error_format(&e, msg, sizeof(msg)));
        return r;
    }
    if (r == IAM_FAILLOCK_LOCK_STARTED) {
        struct iam_audit_record rec = {.event = IAM_AUDIT_LOCKOUT, .enforced = true};
        char text[160];

        if (s.locked_until == IAM_FAILLOCK_FOREVER)
            snprintf(text, sizeof(text), "%zu failed attempts within %u s: locked until an "
                     "administrator resets it", s.n_failures, p.window);
        else
            snprintf(text, sizeof(text), "%zu failed attempts within %u s: locked for %u s",
                     s.n_failures, p.window, p.lock_time);
        rec.time = (time_t)now;
        rec.os_user = h->user_name;
        rec.decision = "locked";
        rec.error_code = "UserLockedOut";
        rec.error_message = text;
        pam_syslog(pamh, LOG_NOTICE, "\"%.64s\" locked out: %s", h->user_name, text);
        pam_iam_audit(pamh, h, &rec, items);
    }
    return r;
}
