/* SPDX-License-Identifier: Apache-2.0 */
/* Last use of each access key: one small file per key, one fixed-size record written in
 * place, no lock (iam/lastused.h). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/fileio.h"
#include "iam/lastused.h"

/* "<20-digit epoch seconds> <service, space-padded to IAM_LASTUSED_SERVICE_MAX> " then 16 hex
 * digits of the check of those bytes and "\n". */
#define LASTUSED_CHECKED_LEN (20 + 1 + IAM_LASTUSED_SERVICE_MAX + 1)
#define LASTUSED_RECORD_LEN (LASTUSED_CHECKED_LEN + 16 + 1)

/* "AKIA"/"ASIA" + 16 of A-Z2-7: also keeps the id a safe file name. */
static bool key_id_ok(const char *id) {
    size_t n = strnlen(id, 21);

    if (n != 20 || (strncmp(id, "AKIA", 4) != 0 && strncmp(id, "ASIA", 4) != 0))
        return false;
    for (size_t i = 4; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '2' && id[i] <= '7')))
            return false;
    return true;
}

/* A user's unique id ("AIDA" + letters and digits, as IAM makes them): a safe file name. */
static bool user_id_ok(const char *id) {
    size_t n = strnlen(id, 129);

    if (n < 5 || n > 128 || strncmp(id, "AIDA", 4) != 0)
        return false;
    for (size_t i = 4; i < n; i++)
        if (!((id[i] >= 'A' && id[i] <= 'Z') || (id[i] >= '0' && id[i] <= '9')))
            return false;
    return true;
}

static int record_named(const char *cache_dir, const char *access_key_id, const char *service,
                        time_t when, struct iam_error *reterr);
static int read_named(const char *cache_dir, const char *access_key_id, time_t *ret_when,
                      char *service, size_t service_size, struct iam_error *reterr);

int iam_lastused_record(const char *cache_dir, const char *access_key_id, const char *service,
                        time_t when, struct iam_error *reterr) {
    if (!cache_dir || !access_key_id || !key_id_ok(access_key_id))
        return -EINVAL;
    return record_named(cache_dir, access_key_id, service, when, reterr);
}

int iam_lastused_read(const char *cache_dir, const char *access_key_id, time_t *ret_when,
                      char *service, size_t service_size, struct iam_error *reterr) {
    if (!cache_dir || !access_key_id || !ret_when || !key_id_ok(access_key_id))
        return -EINVAL;
    return read_named(cache_dir, access_key_id, ret_when, service, service_size, reterr);
}

int iam_lastused_record_password(const char *cache_dir, const char *user_id, const char *service,
                                 time_t when, struct iam_error *reterr) {
    char name[160];

    if (!cache_dir || !user_id || !user_id_ok(user_id))
        return -EINVAL;
    snprintf(name, sizeof(name), "password-%s", user_id);
    return record_named(cache_dir, name, service, when, reterr);
}

int iam_lastused_read_password(const char *cache_dir, const char *user_id, time_t *ret_when,
                               char *service, size_t service_size, struct iam_error *reterr) {
    char name[160];

    if (!cache_dir || !user_id || !ret_when || !user_id_ok(user_id))
        return -EINVAL;
    snprintf(name, sizeof(name), "password-%s", user_id);
    return read_named(cache_dir, name, ret_when, service, service_size, reterr);
}

/* The record's check: SipHash-2-4 (crypto_shorthash) under a fixed, public key. It detects a
 * record read while another login was writing it, nothing more: the directory is root's. */
static void record_check(const char *rec, size_t len, char hex[17]) {
    static const unsigned char key[crypto_shorthash_KEYBYTES] = "iam lastused v2";
    unsigned char h[crypto_shorthash_BYTES];

    crypto_shorthash(h, (const unsigned char *)rec, len, key);
    sodium_bin2hex(hex, 17, h, sizeof(h));
}

/* name: an access key id, or "password-<UserId>"; both checked by the callers. */
static int record_named(const char *cache_dir, const char *access_key_id, const char *service,
                        time_t when, struct iam_error *reterr) {
    char rec[LASTUSED_RECORD_LEN + 1], svc[IAM_LASTUSED_SERVICE_MAX + 1], check[17];
    size_t n = 0;
    ssize_t w;
    int dfd = -1, fd = -1, r;

    /* The service name is for a report: keep it to a safe, short token. */
    for (; service && service[n] && n < IAM_LASTUSED_SERVICE_MAX; n++) {
        unsigned char ch = (unsigned char)service[n];

        svc[n] = (ch <= 0x20 || ch >= 0x7f) ? '_' : (char)ch;
    }
    svc[n] = '\0';
    if (n == 0)
        snprintf(svc, sizeof(svc), "-");
    if (when < 0)
        return -EINVAL;
    snprintf(rec, sizeof(rec), "%020" PRId64 " %-*s ", (int64_t)when, IAM_LASTUSED_SERVICE_MAX,
             svc);
    record_check(rec, LASTUSED_CHECKED_LEN, check);
    memcpy(rec + LASTUSED_CHECKED_LEN, check, 16);
    rec[LASTUSED_RECORD_LEN - 1] = '\n';

    dfd = iam_state_dir_open(cache_dir, IAM_LASTUSED_DIR, true, 0022, reterr);
    if (dfd < 0)
        return dfd;
    /* in place: one pwrite() of the whole record at offset 0, which is every byte a record
     * has (the file never holds more). No temp file and no rename: on ext4 a rename over a
     * file forces the new file's data out to the disk (auto_da_alloc), at every login. */
    fd = openat(dfd, access_key_id, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        goto fail;
    }
    do
        w = pwrite(fd, rec, LASTUSED_RECORD_LEN, 0);
    while (w < 0 && errno == EINTR);
    r = w < 0 ? -errno : w != LASTUSED_RECORD_LEN ? -EIO : 0;
    if (close(fd) < 0 && r == 0)
        r = -EIO;
    if (r == 0)
        goto out;
fail:
    iam_error_set(reterr, 0, 0, 0, "%s/%s/%s: %s", cache_dir, IAM_LASTUSED_DIR, access_key_id,
                  strerror(-r));
out:
    close(dfd);
    return r;
}

/* A record as record_named() writes it: 0 and *ret_when, service (trailing spaces dropped);
 * -EAGAIN when its check does not match (read while being written); -EBADMSG when it is not
 * one. */
static int parse_record(const char *buf, size_t len, time_t *ret_when, char *service,
                        size_t service_size) {
    char check[17], *end;
    size_t sl;
    long long when;

    if (len != LASTUSED_RECORD_LEN || buf[20] != ' ' || buf[LASTUSED_CHECKED_LEN - 1] != ' ' ||
        buf[LASTUSED_RECORD_LEN - 1] != '\n' || strspn(buf, "0123456789") != 20)
        return -EBADMSG;
    record_check(buf, LASTUSED_CHECKED_LEN, check);
    if (memcmp(check, buf + LASTUSED_CHECKED_LEN, 16) != 0)
        return -EAGAIN;
    errno = 0;
    when = strtoll(buf, &end, 10);
    if (errno || end != buf + 20)
        return -EBADMSG;
    for (sl = IAM_LASTUSED_SERVICE_MAX; sl > 0 && buf[21 + sl - 1] == ' '; sl--)
        ;
    if (sl == 0)
        return -EBADMSG;
    if (service && service_size > 0)
        snprintf(service, service_size, "%.*s", (int)sl, buf + 21);
    *ret_when = (time_t)when;
    return 0;
}

/* The one-line form earlier versions wrote by rename: "<epoch seconds> <service>\n". */
static int parse_line(char *buf, time_t *ret_when, char *service, size_t service_size) {
    char *end, *sp;
    long long when;

    errno = 0;
    when = strtoll(buf, &end, 10);
    if (errno || end == buf || *end != ' ' || when < 0 || !(sp = strchr(end + 1, '\n')) ||
        sp[1] != '\0')
        return -EBADMSG;
    *sp = '\0';
    if (service && service_size > 0)
        snprintf(service, service_size, "%s", end + 1);
    *ret_when = (time_t)when;
    return 0;
}

static int read_named(const char *cache_dir, const char *access_key_id, time_t *ret_when,
                      char *service, size_t service_size, struct iam_error *reterr) {
    char buf[LASTUSED_RECORD_LEN + 8];
    struct stat st;
    ssize_t n;
    int dfd = -1, fd = -1, r = -EINVAL;

    dfd = iam_state_dir_open(cache_dir, IAM_LASTUSED_DIR, false, 0022, reterr);
    if (dfd < 0) {
        r = dfd;
        goto out;
    }
    fd = openat(dfd, access_key_id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        goto out;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 0022)) {
        r = -EACCES;
        iam_error_set(reterr, 0, 0, 0, "%s: unsafe owner or mode", access_key_id);
        goto out;
    }
    /* a record caught while a login rewrites it is read again; a few tries, then it is
     * reported as damaged */
    for (int tries = 0;; tries++) {
        n = pread(fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0) {
            r = -EBADMSG;
            break;
        }
        buf[n] = '\0';
        r = parse_record(buf, (size_t)n, ret_when, service, service_size);
        if (r == -EBADMSG && (size_t)n < LASTUSED_RECORD_LEN)
            r = parse_line(buf, ret_when, service, service_size);
        if (r != -EAGAIN || tries == 3)
            break;
    }
    if (r < 0) {
        r = -EBADMSG;
        iam_error_set(reterr, 0, 0, 0, "%s: malformed", access_key_id);
        goto out;
    }
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    return r;
}
