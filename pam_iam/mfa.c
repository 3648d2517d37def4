/* SPDX-License-Identifier: Apache-2.0 */
/* The second factor: a TOTP code of one of the user's enabled virtual MFA devices, asked for
 * after the secret (a second prompt, so sshd's keyboard-interactive, su and sudo all show it).
 * RFC 6238 with AWS's parameters (iam/totp.h, liboath loaded on the first code), a window of
 * one step either side of now (shifted by the device's drift from a resync), each code
 * accepted once per device: the last counter used is kept in <cache_dir>/mfa/<device>, and a
 * code must be newer than it and than the codes typed when the device was enabled. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include <security/pam_ext.h>

#include "iam/fileio.h"
#include "iam/totp.h"
#include "pam_iam_private.h"

#define MFA_DIR "mfa"
#define MFA_WINDOW 1 /* steps either side of now */

int pam_iam_mfa_ask(pam_handle_t *pamh, char code[PAM_IAM_MFA_CODE_MAX + 1]) {
    char *resp = NULL;
    size_t n;
    int pr;

    code[0] = '\0';
    pr = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &resp, "MFA code: ");
    if (pr == PAM_CONV_AGAIN)
        return PAM_INCOMPLETE;
    if (pr != PAM_SUCCESS || !resp) {
        free(resp);
        return PAM_AUTH_ERR;
    }
    n = strnlen(resp, PAM_IAM_MFA_CODE_MAX + 1);
    if (n <= PAM_IAM_MFA_CODE_MAX) {
        memcpy(code, resp, n);
        code[n] = '\0';
    } /* longer: left empty, so it is a wrong code with the same work */
    sodium_memzero(resp, strlen(resp));
    free(resp);
    return PAM_SUCCESS;
}

/* The state file's name: a hash of the serial (which may hold '/'). */
static void state_name(const char *serial, char out[33]) {
    unsigned char d[16];

    crypto_generichash(d, sizeof(d), (const unsigned char *)serial, strlen(serial), NULL, 0);
    sodium_bin2hex(out, 33, d, sizeof(d));
}

/* Under the directory's lock: refuse counter unless it is newer than the last one used, then
 * record it. 0 accepted, -EALREADY replayed, other -errno. */
static int use_counter(int dfd, const char *serial, int64_t counter) {
    char name[33], tmp[64], buf[32];
    long long last = -1;
    ssize_t n;
    int fd, r;

    state_name(serial, name);
    while (flock(dfd, LOCK_EX) < 0)
        if (errno != EINTR)
            return -errno;
    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        struct stat st;
        char *end = NULL;

        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0077)) {
            close(fd);
            return -EACCES;
        }

        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        errno = 0;
        last = n > 0 ? strtoll(buf, &end, 10) : -1;
        if (n <= 0 || errno || end == buf || *end != '\n' || last < 0)
            return -EBADMSG; /* a damaged state: fail closed */
    } else if (errno != ENOENT) {
        return errno == ELOOP ? -EACCES : -errno;
    }
    if (counter <= last)
        return -EALREADY;
    snprintf(tmp, sizeof(tmp), ".%s.%08" PRIx32, name, randombytes_random());
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    n = snprintf(buf, sizeof(buf), "%" PRId64 "\n", counter);
    r = write(fd, buf, (size_t)n) == n && fsync(fd) == 0 ? 0 : -EIO;
    if (close(fd) < 0 && r == 0)
        r = -EIO;
    if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
        r = -errno;
    if (r < 0)
        (void)unlinkat(dfd, tmp, 0);
    return r;
}

enum pam_iam_mfa_result pam_iam_mfa_check(pam_handle_t *pamh, const struct pam_iam_handle *h,
                                          const char *code, int64_t now, bool commit) {
    const struct iam_auth_user *u = h->user;
    const struct iam_auth_mfa *hit = NULL;
    int64_t hit_counter = -1;
    struct iam_error e;
    char msg[IAM_ERROR_SOURCE_MAX + IAM_ERROR_TEXT_MAX + 32];
    int dfd, r;

    iam_error_init(&e);
    if (iam_totp_load(&e) < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot check MFA codes: %s",
                   iam_error_format(&e, msg, sizeof(msg)));
        return PAM_IAM_MFA_ERROR;
    }
    /* every device, every step of the window: the same work whichever matches */
    for (size_t i = 0; u && i < u->n_mfa; i++) {
        uint8_t seed[IAM_TOTP_SEED_BYTES];
        size_t len = 0;
        int64_t c = -1;

        if (sodium_hex2bin(seed, sizeof(seed), u->mfa[i].seed_hex, strlen(u->mfa[i].seed_hex),
                           NULL, &len, NULL) != 0 ||
            len != sizeof(seed)) {
            pam_syslog(pamh, LOG_ERR, "MFA device %.256s of \"%.64s\" has a damaged seed",
                       u->mfa[i].serial, u->name);
            sodium_memzero(seed, sizeof(seed));
            return PAM_IAM_MFA_ERROR;
        }
        r = iam_totp_match(seed, len, iam_totp_counter(now) + u->mfa[i].drift, MFA_WINDOW,
                           code, &c);
        sodium_memzero(seed, sizeof(seed));
        if (r == 0 && !hit && c > u->mfa[i].not_before) {
            hit = &u->mfa[i];
            hit_counter = c;
        } else if (r < 0 && r != -ENOENT && r != -EINVAL) {
            pam_syslog(pamh, LOG_ERR, "cannot check MFA codes: %s", strerror(-r));
            return PAM_IAM_MFA_ERROR;
        }
    }
    if (!hit)
        return PAM_IAM_MFA_WRONG;
    if (!commit)
        return PAM_IAM_MFA_OK; /* the secret was wrong: the code is not used up */
    dfd = iam_state_dir_open(h->config->cache_dir, MFA_DIR, true, 0077, NULL);
    if (dfd < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot use %s/%s: %s", h->config->cache_dir, MFA_DIR,
                   strerror(-dfd));
        return PAM_IAM_MFA_ERROR;
    }
    r = use_counter(dfd, hit->serial, hit_counter);
    close(dfd);
    if (r == -EALREADY)
        return PAM_IAM_MFA_REPLAYED;
    if (r < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot record the use of an MFA code of %.256s: %s",
                   hit->serial, strerror(-r));
        return PAM_IAM_MFA_ERROR;
    }
    return PAM_IAM_MFA_OK;
}
