/* SPDX-License-Identifier: Apache-2.0 */
/* Last use of each access key: one small file per key, replaced by rename, no lock. */
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

#include "iam/lastused.h"

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

static int open_dir(const char *cache_dir, bool create, struct iam_error *reterr) {
    char path[4096];
    struct stat st;
    int dfd;

    if (snprintf(path, sizeof(path), "%s/%s", cache_dir, IAM_LASTUSED_DIR) >= (int)sizeof(path))
        return -E2BIG;
    dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 && errno == ENOENT && create) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            int r = -errno;

            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(errno));
            return r;
        }
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (dfd < 0) {
        int r = errno == ELOOP || errno == ENOTDIR ? -EACCES : -errno;

        if (r != -ENOENT)
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(errno));
        return r;
    }
    if (fstat(dfd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
        (st.st_mode & 0022)) {
        iam_error_set(reterr, 0, 0, 0, "%s: unsafe owner or mode", path);
        close(dfd);
        return -EACCES;
    }
    return dfd;
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

/* name: an access key id, or "password-<UserId>"; both checked by the callers. */
static int record_named(const char *cache_dir, const char *access_key_id, const char *service,
                        time_t when, struct iam_error *reterr) {
    char tmp[200], line[IAM_LASTUSED_SERVICE_MAX + 32], svc[IAM_LASTUSED_SERVICE_MAX + 1];
    size_t n = 0;
    int dfd = -1, fd = -1, r = -EINVAL, len;

    /* The service name is for a report: keep it to a safe, short token. */
    for (; service && service[n] && n < IAM_LASTUSED_SERVICE_MAX; n++) {
        unsigned char ch = (unsigned char)service[n];

        svc[n] = (ch <= 0x20 || ch >= 0x7f) ? '_' : (char)ch;
    }
    svc[n] = '\0';
    if (n == 0)
        snprintf(svc, sizeof(svc), "-");
    len = snprintf(line, sizeof(line), "%" PRId64 " %s\n", (int64_t)when, svc);
    if (len < 0 || (size_t)len >= sizeof(line))
        goto out;

    dfd = open_dir(cache_dir, true, reterr);
    if (dfd < 0) {
        r = dfd;
        goto out;
    }
    snprintf(tmp, sizeof(tmp), ".%s.%08" PRIx32, access_key_id, randombytes_random());
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s/%s: %s", cache_dir, IAM_LASTUSED_DIR, strerror(errno));
        goto out;
    }
    if (write(fd, line, (size_t)len) != len) {
        r = -EIO;
        goto fail_unlink;
    }
    if (close(fd) < 0) {
        fd = -1;
        r = -EIO;
        goto fail_unlink;
    }
    fd = -1;
    if (renameat(dfd, tmp, dfd, access_key_id) < 0) {
        r = -errno;
        goto fail_unlink;
    }
    r = 0;
    goto out;
fail_unlink:
    iam_error_set(reterr, 0, 0, 0, "%s/%s/%s: %s", cache_dir, IAM_LASTUSED_DIR, access_key_id,
                  strerror(-r));
    (void)unlinkat(dfd, tmp, 0);
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    return r;
}

static int read_named(const char *cache_dir, const char *access_key_id, time_t *ret_when,
                      char *service, size_t service_size, struct iam_error *reterr) {
    char buf[IAM_LASTUSED_SERVICE_MAX + 40], *end, *sp;
    struct stat st;
    long long when;
    ssize_t n;
    int dfd = -1, fd = -1, r = -EINVAL;

    dfd = open_dir(cache_dir, false, reterr);
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
    n = read(fd, buf, sizeof(buf) - 1);
    if (n <= 0) {
        r = -EBADMSG;
        goto out;
    }
    buf[n] = '\0';
    errno = 0;
    when = strtoll(buf, &end, 10);
    if (errno || end == buf || *end != ' ' || when < 0 || !(sp = strchr(end + 1, '\n')) ||
        sp[1] != '\0') {
        r = -EBADMSG;
        iam_error_set(reterr, 0, 0, 0, "%s: malformed", access_key_id);
        goto out;
    }
    *sp = '\0';
    if (service && service_size > 0)
        snprintf(service, service_size, "%s", end + 1);
    *ret_when = (time_t)when;
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    return r;
}
