/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SSH public key sshd accepted for this login, for host:AuthMethod = publickey and
 * host:SSHPublicKeyId.
 *
 * sshd (OpenSSH 7.8 and later; Debian 12 ships 9.2p1) puts SSH_AUTH_INFO_0 into the PAM
 * environment right before it runs the account phase and again before the session phase
 * (auth-pam.c, expose_authinfo()), whatever ExposeAuthInfo says: one line per
 * authentication method that succeeded, in order; a public key's line is "publickey", the
 * key as authorized_keys writes it ("type base64"), and for some keys more words (a security
 * key's signature count). It is read from the PAM environment only (pam_getenv), which the
 * user cannot write, never from the process environment.
 *
 * But sshd runs the account phase before it records the method that just succeeded
 * (monitor.c, OpenSSH 9.2p1), so there SSH_AUTH_INFO_0 holds only the methods of earlier
 * steps (`AuthenticationMethods publickey,keyboard-interactive`: the key). For a login by key
 * alone the account phase takes the record iam-authorized-keys left in this very process
 * (ssh_keys_read.h); the session phase reads SSH_AUTH_INFO_0, complete by then.
 *
 * The key is named by comparing its SHA256 fingerprint with those of the user's Active keys
 * in ssh_keys.cache. A key that is not among them (from ~/.ssh/authorized_keys, or one made
 * Inactive since) still makes the method publickey in the session phase, with no key id.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "iam/ssh_keys.h"
#include "pam_iam_private.h"
#include "ssh_keys_read.h"

#define PUBLICKEY_WORD "publickey "

/* The last "publickey ..." line of info: its text after the method and its length. */
static const char *last_publickey(const char *info, size_t *ret_len) {
    const char *found = NULL;

    for (const char *line = info; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);

        if (len > strlen(PUBLICKEY_WORD) &&
            strncmp(line, PUBLICKEY_WORD, strlen(PUBLICKEY_WORD)) == 0) {
            found = line + strlen(PUBLICKEY_WORD);
            *ret_len = len - strlen(PUBLICKEY_WORD);
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

/* The id of the user's Active key with fingerprint fp, into ret (size bytes); "" if none. */
static int find_key_id(pam_handle_t *pamh, const struct pam_iam_handle *h, const char *fp,
                       char *ret, size_t size) {
    struct iam_sshk *c = NULL;
    struct iam_sshk_user u;
    char path[PAM_IAM_MAX_PATH];
    int r;

    ret[0] = 0;
    if (snprintf(path, sizeof(path), "%s/" IAM_SSH_KEYS_CACHE_NAME, h->config->cache_dir) >=
        (int)sizeof(path))
        return -E2BIG;
    r = iam_sshk_open(path, (uid_t)-1, &c);
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot use %s: %s", path, strerror(-r));
        return r == -ENOENT ? -EIO : r;
    }
    r = iam_sshk_find(c, h->user->name, strlen(h->user->name), &u);
    if (r == -ENOENT) {
        r = 0; /* no Active key: the key sshd took is not one of IAM's */
        goto out;
    }
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot read %s: %s", path, strerror(-r));
        goto out;
    }
    for (unsigned k = 0; k < u.n_keys; k++)
        if (strcmp(u.keys[k].fingerprint, fp) == 0 && u.keys[k].id_len < size) {
            memcpy(ret, u.keys[k].id, u.keys[k].id_len + 1);
            break;
        }
    iam_sshk_user_free(&u);
out:
    iam_sshk_close(c);
    return r;
}

/* The record iam-authorized-keys left in this process for the key sshd was checking. */
static int from_record(pam_handle_t *pamh, const struct pam_iam_handle *h, char fp[64]) {
    struct iam_sshk_login l;
    int r = iam_sshk_login_take(h->config->cache_dir, getpid(), (int64_t)pam_iam_now(), &l);

    if (r == -ENOENT)
        return 0;
    if (r < 0) {
        pam_syslog(pamh, LOG_WARNING, "ignoring the record of iam-authorized-keys in %s/%s: %s",
                   h->config->cache_dir, IAM_SSHK_LOGIN_DIR, strerror(-r));
        return 0;
    }
    if (strcmp(l.user, h->user->name) != 0 || strlen(l.fingerprint) >= 64)
        return 0;
    memcpy(fp, l.fingerprint, strlen(l.fingerprint) + 1);
    return 1;
}

int pam_iam_ssh_key(pam_handle_t *pamh, const struct pam_iam_handle *h, bool take_record,
                    bool trust_record, struct pam_iam_sshkey *ret) {
    const char *info = pam_getenv(pamh, "SSH_AUTH_INFO_0"), *key;
    char fp[64], noted[64];
    size_t len = 0;
    int have_record = 0;

    memset(ret, 0, sizeof(*ret));
    if (!info)
        return 0; /* not sshd */
    /* taken whatever comes next, so that no later process with this pid finds it */
    if (take_record)
        have_record = from_record(pamh, h, noted);
    key = last_publickey(info, &len);
    if (key) {
        ret->used = true;
        /* A key whose fingerprint cannot be taken (not "type base64") is none of the user's. */
        if (iam_ssh_key_fingerprint(key, len, fp) < 0)
            return 0;
    } else if (have_record > 0 && trust_record) {
        ret->used = true;
        memcpy(fp, noted, sizeof(fp));
    } else {
        return 0;
    }
    return find_key_id(pamh, h, fp, ret->id, sizeof(ret->id));
}
