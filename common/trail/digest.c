/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Digest files: one JSON object per seal, shaped after CloudTrail's digest files (digestStart/
 * EndTime, previousDigestHashValue/Signature, digestPublicKeyFingerprint, digestSignature-
 * Algorithm), with the records' hashes inline instead of a list of log files.
 *
 * What is signed is the digest without its digestSignature member, serialized by jansson with
 * sorted keys and no whitespace: the verifier rebuilds that form from the parsed file, so
 * the file itself may be laid out for reading. Only strings and integers occur, so the form
 * is stable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "trail_private.h"

void iam_trail_compact_time(int64_t t, char out[20]) {
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm) == 0)
        snprintf(out, 20, "19700101T000000Z");
}

void iam_trail_iso_time(int64_t t, char out[32]) {
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

int iam_trail_parse_iso_time(const char *s, int64_t *ret) {
    struct iam_trail_span sp = {.p = s, .n = strlen(s), .is_string = true};

    return iam_trail_parse_time(&sp, ret);
}

char *iam_trail_digest_dir_for(const char *log) {
    char *d = NULL;

    if (asprintf(&d, "%s.digest", log) < 0)
        return NULL;
    return d;
}

static json_t *hex_json(const uint8_t *b, size_t n) {
    char *h = malloc(2 * n + 1);
    json_t *j;

    if (!h)
        return NULL;
    sodium_bin2hex(h, 2 * n + 1, b, n);
    j = json_string(h);
    free(h);
    return j;
}

static json_t *b64_json(const uint8_t *b, size_t n) {
    size_t len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = malloc(len);
    json_t *j;

    if (!s)
        return NULL;
    sodium_bin2base64(s, len, b, n, sodium_base64_VARIANT_ORIGINAL);
    j = json_string(s);
    free(s);
    return j;
}

static json_t *time_json(int64_t t) {
    char buf[32];

    iam_trail_iso_time(t, buf);
    return json_string(buf);
}

/* The signed form: sorted keys, compact. */
static char *canonical(const json_t *obj, size_t *len) {
    char *s = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);

    if (s)
        *len = strlen(s);
    return s;
}

int iam_trail_digest_build(const struct digest_input *in, const uint8_t seed[crypto_sign_SEEDBYTES],
                 char **ret_text, size_t *ret_len, uint8_t ret_hash[DIGEST_HASH_BYTES],
                 uint8_t ret_sig[DIGEST_SIG_BYTES]) {
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], sig[DIGEST_SIG_BYTES];
    char fp[IAM_SEAL_FINGERPRINT_HEX];
    json_t *o = NULL, *rec = NULL;
    char *canon = NULL, *text = NULL;
    size_t clen = 0;
    int r = -ENOMEM;

    crypto_sign_seed_keypair(pk, sk, seed);
    if (sodium_memcmp(pk, in->pk, sizeof(pk)) != 0) {
        r = -EINVAL; /* the state's key and seed disagree */
        goto out;
    }
    iam_seal_fingerprint(in->pk, fp);
    rec = json_object();
    o = json_object();
    if (!rec || !o)
        goto out;
    if (json_object_set_new(rec, "firstRecord", json_integer((json_int_t)in->first)) < 0 ||
        json_object_set_new(rec, "count", json_integer((json_int_t)in->count)) < 0 ||
        json_object_set_new(rec, "hashAlgorithm", json_string("BLAKE2b-128")) < 0 ||
        json_object_set_new(rec, "hashValues",
                            b64_json(in->hashes, in->count * IAM_TRAIL_HASH_BYTES)) < 0)
        goto out;
    if (in->oldest && (json_object_set_new(rec, "oldestEventTime", time_json(in->oldest)) < 0 ||
                       json_object_set_new(rec, "newestEventTime", time_json(in->newest)) < 0))
        goto out;
    if (json_object_set_new(o, "digestVersion", json_string(DIGEST_VERSION)) < 0 ||
        json_object_set_new(o, "awsAccountId", json_string(in->account_id ? in->account_id : ""))
            < 0 ||
        json_object_set_new(o, "hostArn", json_string(in->host_arn ? in->host_arn : "")) < 0 ||
        json_object_set_new(o, "digestStartTime", time_json(in->oldest ? in->oldest : in->now))
            < 0 ||
        json_object_set_new(o, "digestEndTime", time_json(in->now)) < 0 ||
        json_object_set_new(o, "digestSequence", json_integer((json_int_t)in->seq)) < 0 ||
        json_object_set_new(o, "digestPublicKey", b64_json(in->pk, IAM_SEAL_PUBLIC_KEY_BYTES)) <
            0 ||
        json_object_set_new(o, "digestPublicKeyFingerprint", json_string(fp)) < 0 ||
        json_object_set_new(o, "digestSignatureAlgorithm", json_string("Ed25519")) < 0 ||
        json_object_set_new(o, "nextDigestPublicKey",
                            b64_json(in->next_pk, IAM_SEAL_PUBLIC_KEY_BYTES)) < 0 ||
        json_object_set_new(o, "previousDigestHashAlgorithm", json_string("BLAKE2b-256")) < 0 ||
        json_object_set_new(o, "previousDigestHashValue",
                            in->has_prev ? hex_json(in->prev_hash, DIGEST_HASH_BYTES)
                                         : json_null()) < 0 ||
        json_object_set_new(o, "previousDigestSignature",
                            in->has_prev ? hex_json(in->prev_sig, DIGEST_SIG_BYTES)
                                         : json_null()) < 0 ||
        json_object_set(o, "records", rec) < 0)
        goto out;
    canon = canonical(o, &clen);
    if (!canon)
        goto out;
    crypto_sign_detached(sig, NULL, (const unsigned char *)canon, clen, sk);
    crypto_generichash(ret_hash, DIGEST_HASH_BYTES, (const unsigned char *)canon, clen, NULL, 0);
    if (json_object_set_new(o, "digestSignature", hex_json(sig, sizeof(sig))) < 0)
        goto out;
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        goto out;
    memcpy(ret_sig, sig, sizeof(sig));
    *ret_len = strlen(text);
    *ret_text = text;
    text = NULL;
    r = 0;
out:
    sodium_memzero(sk, sizeof(sk));
    free(canon);
    free(text);
    json_decref(rec);
    json_decref(o);
    return r;
}

static int get_hex(const json_t *o, const char *key, uint8_t *out, size_t n) {
    const char *s = json_string_value(json_object_get(o, key));
    size_t got = 0;

    if (!s || strlen(s) != 2 * n ||
        sodium_hex2bin(out, n, s, strlen(s), NULL, &got, NULL) != 0 || got != n)
        return -EBADMSG;
    return 0;
}

static int get_b64_key(const json_t *o, const char *key, uint8_t out[IAM_SEAL_PUBLIC_KEY_BYTES]) {
    const char *s = json_string_value(json_object_get(o, key));

    if (!s || iam_seal_parse_public_key(s, out) < 0)
        return -EBADMSG;
    return 0;
}

static int get_uint(const json_t *o, const char *key, uint64_t *ret) {
    const json_t *v = json_object_get(o, key);

    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -EBADMSG;
    *ret = (uint64_t)json_integer_value(v);
    return 0;
}

static int get_time(const json_t *o, const char *key, int64_t *ret, bool optional) {
    const char *s = json_string_value(json_object_get(o, key));

    if (!s)
        return optional && !json_object_get(o, key) ? 0 : -EBADMSG;
    return iam_trail_parse_iso_time(s, ret) < 0 ? -EBADMSG : 0;
}

int iam_trail_digest_parse(const char *text, size_t len, struct digest *ret, char *err,
                           size_t err_size) {
    json_error_t je;
    json_t *o = NULL, *rec, *sigv;
    char *canon = NULL;
    const char *hv, *ver;
    size_t clen = 0, got = 0;
    int r = -EBADMSG;

    memset(ret, 0, sizeof(*ret));
    o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        snprintf(err, err_size, "not JSON: line %d column %d: %s", je.line, je.column, je.text);
        goto out;
    }
    ver = json_string_value(json_object_get(o, "digestVersion"));
    if (!ver || strcmp(ver, DIGEST_VERSION) != 0) {
        snprintf(err, err_size, "not a digest of this format (digestVersion)");
        goto out;
    }
    rec = json_object_get(o, "records");
    hv = json_string_value(json_object_get(rec, "hashValues"));
    if (get_uint(o, "digestSequence", &ret->seq) < 0 ||
        get_b64_key(o, "digestPublicKey", ret->pk) < 0 ||
        get_b64_key(o, "nextDigestPublicKey", ret->next_pk) < 0 ||
        get_hex(o, "digestSignature", ret->sig, DIGEST_SIG_BYTES) < 0 ||
        get_time(o, "digestEndTime", &ret->end_time, false) < 0 || !json_is_object(rec) ||
        get_uint(rec, "firstRecord", &ret->first) < 0 || get_uint(rec, "count", &ret->count) < 0 ||
        get_time(rec, "oldestEventTime", &ret->oldest, true) < 0 ||
        get_time(rec, "newestEventTime", &ret->newest, true) < 0 || !hv ||
        !json_is_string(json_object_get(o, "hostArn"))) {
        snprintf(err, err_size, "a member is missing or malformed");
        goto out;
    }
    if (json_is_null(json_object_get(o, "previousDigestHashValue"))) {
        ret->has_prev = false;
    } else if (get_hex(o, "previousDigestHashValue", ret->prev_hash, DIGEST_HASH_BYTES) < 0 ||
               get_hex(o, "previousDigestSignature", ret->prev_sig, DIGEST_SIG_BYTES) < 0) {
        snprintf(err, err_size, "previousDigestHashValue/Signature malformed");
        goto out;
    } else {
        ret->has_prev = true;
    }
    if (ret->count > IAM_SEAL_MAX_BATCH ||
        strlen(hv) != sodium_base64_ENCODED_LEN(ret->count * IAM_TRAIL_HASH_BYTES,
                                                sodium_base64_VARIANT_ORIGINAL) -
                          1) {
        snprintf(err, err_size, "records.count does not match records.hashValues");
        goto out;
    }
    r = -ENOMEM;
    ret->hashes = malloc(ret->count * IAM_TRAIL_HASH_BYTES + 1);
    ret->host_arn = strdup(json_string_value(json_object_get(o, "hostArn")));
    if (!ret->hashes || !ret->host_arn)
        goto out;
    r = -EBADMSG;
    if (sodium_base642bin(ret->hashes, ret->count * IAM_TRAIL_HASH_BYTES + 1, hv, strlen(hv),
                          NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != ret->count * IAM_TRAIL_HASH_BYTES) {
        snprintf(err, err_size, "records.hashValues is not base64 of the hashes");
        goto out;
    }
    /* the signed form: everything but the signature */
    sigv = json_object_get(o, "digestSignature");
    json_incref(sigv);
    json_object_del(o, "digestSignature");
    canon = canonical(o, &clen);
    json_decref(sigv);
    if (!canon) {
        r = -ENOMEM;
        goto out;
    }
    crypto_generichash(ret->hash, DIGEST_HASH_BYTES, (const unsigned char *)canon, clen, NULL, 0);
    ret->sig_ok = crypto_sign_verify_detached(ret->sig, (const unsigned char *)canon, clen,
                                              ret->pk) == 0;
    r = 0;
out:
    free(canon);
    json_decref(o);
    if (r < 0)
        iam_trail_digest_free(ret);
    return r;
}

void iam_trail_digest_free(struct digest *d) {
    if (!d)
        return;
    free(d->hashes);
    free(d->host_arn);
    free(d->path);
    d->hashes = NULL;
    d->host_arn = NULL;
    d->path = NULL;
}

void iam_trail_digest_files_free(struct digest_file *v, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        iam_trail_digest_free(&v[i].d);
    free(v);
}

static int read_small(int dfd, const char *name, char **ret, size_t *ret_len) {
    struct stat st;
    char *buf = NULL;
    size_t done = 0;
    int fd, r;

    fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ELOOP ? -EACCES : -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        r = -EACCES;
        goto out;
    }
    if ((uint64_t)st.st_size > IAM_SEAL_MAX_DIGEST_SIZE) {
        r = -E2BIG;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    while (done < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + done, (size_t)st.st_size - done);

        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            r = got < 0 ? -errno : -EIO;
            goto out;
        }
        done += (size_t)got;
    }
    buf[done] = '\0';
    *ret = buf;
    buf = NULL;
    *ret_len = done;
    r = 0;
out:
    free(buf);
    close(fd);
    return r;
}

int iam_trail_digest_load_dir(const char *dir, struct digest_file **ret, size_t *ret_n,
                    struct iam_error *reterr) {
    struct digest_file *v = NULL;
    size_t n = 0;
    DIR *d = NULL;
    struct dirent *de;
    int dfd, r;

    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) {
        r = errno == ELOOP ? -EACCES : -errno;
        if (r != -ENOENT)
            iam_error_set(reterr, 0, 0, 0, "%s: %s", dir, strerror(errno));
        return r;
    }
    d = fdopendir(dfd);
    if (!d) {
        r = -errno;
        close(dfd);
        return r;
    }
    while ((errno = 0, de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        struct digest_file *nv, *f;
        char *text = NULL;
        size_t len = 0;

        if (strncmp(de->d_name, DIGEST_PREFIX, strlen(DIGEST_PREFIX)) != 0 || nl < 6 ||
            strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        if (n >= 10000000) {
            r = -E2BIG;
            iam_error_set(reterr, 0, 0, 0, "%s: too many digest files", dir);
            goto fail;
        }
        nv = realloc(v, (n + 1) * sizeof(*nv));
        if (!nv) {
            r = -ENOMEM;
            goto fail;
        }
        v = nv;
        f = &v[n];
        memset(f, 0, sizeof(*f));
        n++;
        if (asprintf(&f->d.path, "%s/%s", dir, de->d_name) < 0) {
            f->d.path = NULL;
            r = -ENOMEM;
            goto fail;
        }
        r = read_small(dirfd(d), de->d_name, &text, &len);
        if (r == -ENOMEM)
            goto fail;
        if (r < 0) {
            snprintf(f->bad, sizeof(f->bad), "cannot be read: %s", strerror(-r));
            continue;
        }
        {
            char *path = f->d.path;

            f->d.path = NULL;
            r = iam_trail_digest_parse(text, len, &f->d, f->bad, sizeof(f->bad));
            f->d.path = path;
        }
        free(text);
        if (r == -ENOMEM)
            goto fail;
        f->parsed = r == 0;
    }
    if (errno) {
        r = -errno;
        goto fail;
    }
    closedir(d);
    *ret = v;
    *ret_n = n;
    return 0;
fail:
    closedir(d);
    iam_trail_digest_files_free(v, n);
    return r;
}

int iam_seal_parse_public_key(const char *text, uint8_t ret_pk[IAM_SEAL_PUBLIC_KEY_BYTES]) {
    size_t n, got = 0;

    if (!text || !ret_pk)
        return -EINVAL;
    n = strlen(text);
    if (n == 2 * IAM_SEAL_PUBLIC_KEY_BYTES)
        return sodium_hex2bin(ret_pk, IAM_SEAL_PUBLIC_KEY_BYTES, text, n, NULL, &got, NULL) ==
                           0 &&
                       got == IAM_SEAL_PUBLIC_KEY_BYTES
                   ? 0
                   : -EINVAL;
    if (n == sodium_base64_ENCODED_LEN(IAM_SEAL_PUBLIC_KEY_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL) -
                 1)
        return sodium_base642bin(ret_pk, IAM_SEAL_PUBLIC_KEY_BYTES, text, n, NULL, &got, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) == 0 &&
                       got == IAM_SEAL_PUBLIC_KEY_BYTES
                   ? 0
                   : -EINVAL;
    return -EINVAL;
}

void iam_seal_fingerprint(const uint8_t pk[IAM_SEAL_PUBLIC_KEY_BYTES],
                          char out[IAM_SEAL_FINGERPRINT_HEX]) {
    uint8_t h[16];

    crypto_generichash(h, sizeof(h), pk, IAM_SEAL_PUBLIC_KEY_BYTES, NULL, 0);
    sodium_bin2hex(out, IAM_SEAL_FINGERPRINT_HEX, h, sizeof(h));
}
