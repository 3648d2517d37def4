/* SPDX-License-Identifier: Apache-2.0 */
/* Secret checks with equal work for every user and every outcome (OpenSSH's fake password,
 * pam_unix's dummy hash): the same number of key verifications whether the user exists, has
 * keys, or named a key; the password check runs (real or dummy) whenever no key matched.
 * Equal work is not equal time: a known user's refusal also decodes that user's own record
 * and formats a longer audit record, a few microseconds more than an unknown user's, which
 * bench_timing and bench_pam resolve. So a refusal also waits out a floor, as OpenSSH's sshd
 * does for every failed attempt (auth2.c, ensure_minimum_time_since(): 5 ms or more). */
#include <stdio.h>
#include <string.h>

#include "iam/secret.h"
#include "pam_iam_private.h"

/* AWS allows two access keys per user; we always do at least this many verifications. */
#define KEY_SLOTS 2

static void fail(struct pam_iam_verdict *v, const char *code, const char *message) {
    v->ok = false;
    v->error_code = code;
    v->error_message = message;
}

void pam_iam_verify(const struct pam_iam_handle *h, const char *tok, size_t len, int64_t now,
                    struct pam_iam_verdict *ret) {
    const struct iam_auth_user *u = h->user;
    const unsigned allow = h->args.allow;
    char named[IAM_ACCESS_KEY_ID_LEN + 1] = "";
    const char *secret = tok;
    size_t slen = len, n_slots, hit = SIZE_MAX;
    bool key_form = false, key_shaped;

    memset(ret, 0, sizeof(*ret));
    fail(ret, "FailedAuthentication", "wrong secret access key or password");

    /* "AKIA...:secret" names the key. */
    if (len > IAM_ACCESS_KEY_ID_LEN && tok[IAM_ACCESS_KEY_ID_LEN] == ':') {
        memcpy(named, tok, IAM_ACCESS_KEY_ID_LEN);
        named[IAM_ACCESS_KEY_ID_LEN] = '\0';
        if (iam_access_key_id_valid(named)) {
            key_form = true;
            secret = tok + IAM_ACCESS_KEY_ID_LEN + 1;
            slen = len - IAM_ACCESS_KEY_ID_LEN - 1;
        } else {
            named[0] = '\0';
        }
    }
    key_shaped = iam_secret_key_valid(secret, slen);

    if ((allow & PAM_IAM_ALLOW_ACCESSKEY) && (key_form || key_shaped)) {
        n_slots = u && u->n_keys > KEY_SLOTS ? u->n_keys : KEY_SLOTS;
        for (size_t i = 0; i < n_slots; i++) {
            const struct iam_auth_key *k = u && i < u->n_keys ? &u->keys[i] : NULL;
            int r;

            if (!k || !key_shaped || (key_form && strcmp(k->id, named) != 0)) {
                iam_secret_verify_dummy_key(secret, slen);
                continue;
            }
            r = iam_secret_verify(k->secret_hash, secret, slen);
            if (r == 1 && hit == SIZE_MAX)
                hit = i; /* no early break: every slot costs the same */
        }
        if (hit != SIZE_MAX) {
            const struct iam_auth_key *k = &u->keys[hit];
            unsigned days = h->config->max_access_key_age_days;

            snprintf(ret->info.key_id, sizeof(ret->info.key_id), "%s", k->id);
            snprintf(ret->info.method, sizeof(ret->info.method), "%s",
                     iam_host_auth_method_word(IAM_HOST_AUTH_ACCESSKEY));
            if (!k->active)
                fail(ret, "InvalidClientTokenId", "the access key is inactive");
            else if (days > 0 && now - k->create_date > (int64_t)days * 86400)
                fail(ret, "ExpiredToken", "the access key is older than "
                     "max_access_key_age_days");
            else
                ret->ok = true;
            /* A bare secret that is an inactive or expired key must cost what a wrong one
             * costs (which goes on to the password check), or the reject time would tell
             * that it is one of this user's old keys. */
            if (!ret->ok && !key_form && (allow & PAM_IAM_ALLOW_PASSWORD))
                iam_secret_verify_dummy_password(tok, len <= IAM_PASSWORD_MAX ? len : 0);
            return;
        }
        if (key_form) {
            /* A named key never falls back to the password. */
            snprintf(ret->info.key_id, sizeof(ret->info.key_id), "%s", named);
            snprintf(ret->info.method, sizeof(ret->info.method), "%s",
                     iam_host_auth_method_word(IAM_HOST_AUTH_ACCESSKEY));
            return;
        }
    }

    if ((allow & PAM_IAM_ALLOW_PASSWORD) && !key_form) {
        const char *dn = u && !u->password_hash && h->config->ldap_uri
                             ? pam_iam_directory_dn(u)
                             : NULL;
        int r = 0;

        snprintf(ret->info.method, sizeof(ret->info.method), "%s",
                 iam_host_auth_method_word(IAM_HOST_AUTH_PASSWORD));
        /* A user from a directory without a login profile: the directory's password, checked
         * by the caller with the directory (no local hash to verify; the bind is the work). */
        if (dn && pam_iam_directory_disabled(u)) {
            fail(ret, "DirectoryAccountDisabled", "the directory account is disabled");
            return;
        }
        if (dn) {
            ret->directory_dn = dn;
            return;
        }
        if (u && u->password_hash && len <= IAM_PASSWORD_MAX)
            r = iam_secret_verify(u->password_hash, tok, len);
        else
            iam_secret_verify_dummy_password(tok, len <= IAM_PASSWORD_MAX ? len : 0);
        if (r == 1) {
            if (u->password_reset_required)
                fail(ret, "PasswordResetRequired", "the password must be reset by an "
                     "administrator before it can be used");
            else if (u->password_expires > 0 && now >= u->password_expires)
                fail(ret, "PasswordExpired",
                     u->password_hard_expiry
                         ? "the password has expired (MaxPasswordAge): an administrator must "
                           "set a new one"
                         : "the password has expired (MaxPasswordAge): change it with iamctl "
                           "change-password, or have an administrator set a new one");
            else
                ret->ok = true;
        }
    }
}
