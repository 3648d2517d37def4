/* SPDX-License-Identifier: Apache-2.0 */
/* The publisher's signing key and the fleet key: one text line each, root 0600. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bundle_private.h"
#include "iam/bundle.h"

#define KEY_FILE_MAX 512

static const char *const key_tag[] = {
    [IAM_BUNDLE_SIGNING_KEY] = "iam-bundle-signing-key-v1",
    [IAM_BUNDLE_FLEET_KEY] = "iam-fleet-secret-key-v1",
};

static const char *const key_what[] = {
    [IAM_BUNDLE_SIGNING_KEY] = "bundle signing key",
    [IAM_BUNDLE_FLEET_KEY] = "fleet secret key",
};

void iam_bundle_key_wipe(void *key, size_t size) {
    if (key)
        sodium_memzero(key, size);
}

void iam_bundle_key_to_base64(const uint8_t pk[32], char out[IAM_BUNDLE_PUBLIC_KEY_B64 + 1]) {
    sodium_bin2base64(out, IAM_BUNDLE_PUBLIC_KEY_B64 + 1, pk, 32, sodium_base64_VARIANT_ORIGINAL);
}

int iam_bundle_key_from_base64(const char *text, uint8_t ret[32]) {
    uint8_t k[32];
    size_t n = 0;
    const char *end = NULL;

    if (strlen(text) != IAM_BUNDLE_PUBLIC_KEY_B64)
        return -EINVAL;
    if (sodium_base642bin(k, sizeof(k), text, IAM_BUNDLE_PUBLIC_KEY_B64, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != sizeof(k) || *end != '\0')
        return -EINVAL;
    memcpy(ret, k, sizeof(k));
    return 0;
}

/* Write text as a new file beside path, fsync it, then link it into place (refusing an
 * existing file) or rename it over path (replace). The directory is fsync'ed. */
int bundle_write_secret_file(const char *path, const char *text, size_t len, bool replace,
                             struct iam_error *reterr) {
    char *tmp = NULL, *dir = NULL, *slash;
    int fd = -1, dfd = -1, r = -ENOMEM;

    if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
        tmp = NULL;
        goto oom;
    }
    slash = strrchr(path, '/');
    if (!(dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".")))
        goto oom;
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: cannot create a file there: %s", path, strerror(-r));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    if (fchmod(fd, 0600) < 0)
        goto sys;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto sys;
        off += (size_t)w;
    }
    if (fsync(fd) < 0)
        goto sys;
    if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: %s", path,
                      r == -EEXIST ? "already exists; refusing to replace it" : strerror(-r));
        goto out;
    }
    if (!replace)
        (void)unlink(tmp);
    free(tmp);
    tmp = NULL;
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) < 0)
        goto sys;
    r = 0;
    goto out;
sys:
    r = -errno;
    iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(-r));
    goto out;
oom:
    iam_error_set(reterr, 0, 0, 0, "out of memory");
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (tmp)
        (void)unlink(tmp);
    free(tmp);
    free(dir);
    return r;
}

int iam_bundle_key_create(const char *path, enum iam_bundle_key_kind kind, bool replace,
                          struct iam_error *reterr) {
    uint8_t secret[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    char line[128];
    int n, r;

    if (sodium_init() < 0) {
        iam_error_set(reterr, 0, 0, 0, "libsodium failed to initialise");
        return -EIO;
    }
    if (kind == IAM_BUNDLE_SIGNING_KEY) {
        randombytes_buf(secret, sizeof(secret)); /* the seed */
        crypto_sign_seed_keypair(pk, sk, secret);
    } else {
        crypto_box_keypair(pk, secret);
    }
    sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret), sodium_base64_VARIANT_ORIGINAL);
    n = snprintf(line, sizeof(line), "%s %s\n", key_tag[kind], b64);
    r = bundle_write_secret_file(path, line, (size_t)n, replace, reterr);
    sodium_memzero(secret, sizeof(secret));
    sodium_memzero(sk, sizeof(sk));
    sodium_memzero(b64, sizeof(b64));
    sodium_memzero(line, sizeof(line));
    return r;
}

/* Read a key file whole, refusing anything but a root-owned (or caller-owned) regular file
 * closed to group and others. */
static int read_key_file(const char *path, enum iam_bundle_key_kind kind, char *buf, size_t size,
                         size_t *ret_len, struct iam_error *reterr) {
    struct stat sb;
    size_t len = 0;
    int fd, r = 0;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: cannot read the %s: %s", path, key_what[kind],
                      r == -ELOOP ? "it is a symbolic link" : strerror(-r));
        return r;
    }
    if (fstat(fd, &sb) < 0) {
        r = -errno;
        iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(-r));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || (sb.st_uid != 0 && sb.st_uid != geteuid()) ||
        (sb.st_mode & 077) != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "%s: the %s must be a regular file owned by root with "
                      "mode 0600 (chown root:root and chmod 0600 it)",
                      path, key_what[kind]);
        r = -EACCES;
        goto out;
    }
    while (len < size) {
        ssize_t n = read(fd, buf + len, size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            iam_error_set(reterr, 0, 0, 0, "%s: %s", path, strerror(-r));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len == size) {
        iam_error_set(reterr, 0, 0, 0, "%s: not a %s (too long)", path, key_what[kind]);
        r = -EBADMSG;
        goto out;
    }
    *ret_len = len;
out:
    close(fd);
    return r;
}

/* The 32 secret bytes of a key file of kind. */
static int load_secret(const char *path, enum iam_bundle_key_kind kind, uint8_t ret[32],
                       struct iam_error *reterr) {
    char buf[KEY_FILE_MAX];
    size_t len = 0, tag = strlen(key_tag[kind]), n = 0;
    const char *end = NULL;
    int r;

    if ((r = read_key_file(path, kind, buf, sizeof(buf), &len, reterr)) < 0)
        goto out;
    r = -EBADMSG;
    if (len < tag + 2 || memcmp(buf, key_tag[kind], tag) != 0 || buf[tag] != ' ' ||
        buf[len - 1] != '\n') {
        iam_error_set(reterr, 1, 1, 0, "%s: not a %s (it starts with \"%s \")", path,
                      key_what[kind], key_tag[kind]);
        goto out;
    }
    if (sodium_base642bin(ret, 32, buf + tag + 1, len - tag - 2, NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != 32 || end != buf + len - 1) {
        iam_error_set(reterr, 1, (unsigned)tag + 2, tag + 1, "%s: the %s is damaged", path,
                      key_what[kind]);
        goto out;
    }
    r = 0;
out:
    sodium_memzero(buf, sizeof(buf));
    return r;
}

int iam_bundle_signing_key_load(const char *path, struct iam_bundle_signing_key *ret,
                                struct iam_error *reterr) {
    uint8_t seed[32];
    int r;

    if (sodium_init() < 0)
        return -EIO;
    if ((r = load_secret(path, IAM_BUNDLE_SIGNING_KEY, seed, reterr)) == 0)
        crypto_sign_seed_keypair(ret->pk, ret->sk, seed);
    sodium_memzero(seed, sizeof(seed));
    return r;
}

int iam_bundle_fleet_key_load(const char *path, struct iam_bundle_fleet_key *ret,
                              struct iam_error *reterr) {
    int r;

    if (sodium_init() < 0)
        return -EIO;
    if ((r = load_secret(path, IAM_BUNDLE_FLEET_KEY, ret->sk, reterr)) == 0 &&
        crypto_scalarmult_base(ret->pk, ret->sk) != 0) {
        iam_bundle_key_wipe(ret, sizeof(*ret));
        iam_error_set(reterr, 0, 0, 0, "%s: the fleet secret key is not usable", path);
        r = -EBADMSG;
    }
    return r;
}

int iam_bundle_fleet_key_export(const char *src, const char *dst, struct iam_error *reterr) {
    struct iam_bundle_fleet_key k;
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    char line[128];
    int n, r;

    if ((r = iam_bundle_fleet_key_load(src, &k, reterr)) < 0)
        return r;
    sodium_bin2base64(b64, sizeof(b64), k.sk, sizeof(k.sk), sodium_base64_VARIANT_ORIGINAL);
    n = snprintf(line, sizeof(line), "%s %s\n", key_tag[IAM_BUNDLE_FLEET_KEY], b64);
    r = bundle_write_secret_file(dst, line, (size_t)n, false, reterr);
    iam_bundle_key_wipe(&k, sizeof(k));
    sodium_memzero(b64, sizeof(b64));
    sodium_memzero(line, sizeof(line));
    return r;
}
