/* SPDX-License-Identifier: Apache-2.0 */
/* A bundle's data files: gzip, the sealed box of the secrets, the hash check. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "bundle_private.h"
#include "iam/bundle.h"

#define GZIP_WINDOW (15 + 16) /* deflate with a gzip header and trailer */

int bundle_gzip(const void *in, size_t len, int level, void **ret, size_t *ret_len,
                struct iam_error *reterr) {
    z_stream z;
    unsigned char *out = NULL;
    size_t cap;
    int zr, r = -ENOMEM;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, level, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        iam_error_set(reterr, 0, 0, 0, "zlib: cannot start compressing");
        return -ENOMEM;
    }
    cap = (size_t)deflateBound(&z, (uLong)len) + 64;
    if (len > UINT_MAX || !(out = malloc(cap))) {
        iam_error_set(reterr, 0, 0, 0,
                      len > UINT_MAX ? "a cache larger than 4 GiB"
                                     : "out of "
                                       "memory");
        r = len > UINT_MAX ? -E2BIG : -ENOMEM;
        goto out;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    zr = deflate(&z, Z_FINISH);
    if (zr != Z_STREAM_END) {
        iam_error_set(reterr, 0, 0, 0, "zlib: compressing failed (%d)", zr);
        r = -EIO;
        goto out;
    }
    *ret_len = cap - z.avail_out;
    *ret = out;
    out = NULL;
    r = 0;
out:
    deflateEnd(&z);
    free(out);
    return r;
}

/* Exactly want bytes out of a gzip stream that ends where in ends. */
static int gunzip(const char *what, const void *in, size_t len, size_t want, void **ret,
                  struct iam_error *reterr) {
    z_stream z;
    unsigned char *out = NULL;
    int zr, r = -EBADMSG;

    if (want > UINT_MAX || len > UINT_MAX) {
        iam_error_set(reterr, 0, 0, 0, "%s: larger than 4 GiB", what);
        return -E2BIG;
    }
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, GZIP_WINDOW) != Z_OK) {
        iam_error_set(reterr, 0, 0, 0, "zlib: cannot start decompressing");
        return -ENOMEM;
    }
    if (!(out = malloc(want + 1))) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        r = -ENOMEM;
        goto out;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)want + 1; /* one byte more: a longer stream is caught */
    zr = inflate(&z, Z_FINISH);
    if (zr != Z_STREAM_END || z.avail_in != 0 || z.total_out != want) {
        iam_error_set(reterr, 0, 0, 0,
                      "%s: the compressed data is damaged or not of the "
                      "manifest's ContentSize",
                      what);
        goto out;
    }
    *ret = out;
    out = NULL;
    r = 0;
out:
    inflateEnd(&z);
    if (out)
        sodium_memzero(out, want + 1);
    free(out);
    return r;
}

int iam_bundle_file_check(const struct iam_bundle_file *f, const void *data, size_t len,
                          struct iam_error *reterr) {
    uint8_t h[crypto_hash_sha256_BYTES];

    if (len != f->size) {
        iam_error_set(reterr, 0, 0, 0, "%s: %zu bytes, the manifest says %llu", f->path, len,
                      (unsigned long long)f->size);
        return -EBADMSG;
    }
    crypto_hash_sha256(h, data, len);
    if (sodium_memcmp(h, f->sha256, sizeof(h)) != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "%s: its SHA-256 is not the manifest's (the file was "
                      "altered)",
                      f->path);
        return -EBADMSG;
    }
    return 0;
}

int iam_bundle_decode_public(const struct iam_bundle_file *f, const void *data, size_t len, void **ret,
                          size_t *ret_len, struct iam_error *reterr) {
    int r = gunzip(f->path, data, len, (size_t)f->content_size, ret, reterr);

    if (r == 0)
        *ret_len = (size_t)f->content_size;
    return r;
}

int iam_bundle_decode_auth(const struct iam_bundle_file *f, const void *data, size_t len,
                           const struct iam_bundle_fleet_key *fleet, void **ret, size_t *ret_len,
                           struct iam_error *reterr) {
    unsigned char *plain = NULL;
    size_t plen;
    int r;

    if (len < crypto_box_SEALBYTES) {
        iam_error_set(reterr, 0, 0, 0, "%s: too short for a sealed box", f->path);
        return -EBADMSG;
    }
    plen = len - crypto_box_SEALBYTES;
    if (!(plain = malloc(plen + 1))) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    if (crypto_box_seal_open(plain, data, len, fleet->pk, fleet->sk) != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "%s: cannot be opened with the fleet key of "
                      "bundle_secret_key (sealed to another fleet, or damaged)",
                      f->path);
        r = -EKEYREJECTED;
        goto out;
    }
    if ((r = gunzip(f->path, plain, plen, (size_t)f->content_size, ret, reterr)) == 0)
        *ret_len = (size_t)f->content_size;
out:
    sodium_memzero(plain, plen + 1);
    free(plain);
    return r;
}
