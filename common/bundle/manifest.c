/* SPDX-License-Identifier: Apache-2.0 */
/* The signed manifest: written by publish, checked by pull before anything else. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bundle_private.h"
#include "iam/bundle.h"
#include "iam/config.h"
#include "iam/json.h"

#define MAX_SERIAL ((uint64_t)1 << 53) /* an integer every JSON reader keeps exactly */
#define MAX_FILE_SIZE ((uint64_t)1 << 40)

const char *const bundle_file_key[IAM_BUNDLE_N_FILES] = {"nss.cache", "auth.cache",
                                                          "ssh_keys.cache"};
const char *const bundle_file_suffix[IAM_BUNDLE_N_FILES] = {".gz", ".sealed", ".gz"};
static const char *const file_encoding[IAM_BUNDLE_N_FILES] = {"gzip", "gzip+sealedbox", "gzip"};

void iam_bundle_format_time(int64_t t, char *buf, size_t size) {
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "1970-01-01T00:00:00Z");
}

int iam_bundle_parse_time(const char *s, int64_t *ret) {
    struct tm tm = {0};
    const char *end;
    time_t t;

    if (strlen(s) != 20)
        return -EINVAL;
    end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end)
        return -EINVAL;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -EINVAL;
    *ret = (int64_t)t;
    return 0;
}

bool bundle_path_ok(const char *name, size_t which) {
    size_t k = strlen(bundle_file_key[which]), sfx = strlen(bundle_file_suffix[which]);

    if (strlen(name) != k + 1 + 16 + sfx || strncmp(name, bundle_file_key[which], k) != 0 ||
        name[k] != '.' || strcmp(name + k + 17, bundle_file_suffix[which]) != 0)
        return false;
    return strspn(name + k + 1, "0123456789abcdef") == 16;
}

bool bundle_path_any(const char *name) {
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
        if (bundle_path_ok(name, i))
            return true;
    return false;
}

/* ---- writing -------------------------------------------------------------------------- */

/* "name":{"Path":...,"Size":...,"Sha256":...,"Encoding":...,"ContentSize":...} of each data
 * file, comma-separated, in bundle_file_key order. malloc'd; NULL when out of memory. */
static char *files_json(const struct iam_bundle_manifest *m) {
    char *out = NULL, *next;

    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++) {
        char hex[65];

        sodium_bin2hex(hex, sizeof(hex), m->files[i].sha256, 32);
        if (asprintf(&next,
                     "%s%s\"%s\":{\"Path\":\"%s\",\"Size\":%" PRIu64 ",\"Sha256\":\"%s\","
                     "\"Encoding\":\"%s\",\"ContentSize\":%" PRIu64 "}",
                     out ? out : "", out ? "," : "", bundle_file_key[i], m->files[i].path,
                     m->files[i].size, hex, file_encoding[i], m->files[i].content_size) < 0)
            next = NULL;
        free(out);
        if (!(out = next))
            return NULL;
    }
    return out;
}

int iam_bundle_manifest_seal(const struct iam_bundle_manifest *m,
                             const struct iam_bundle_signing_key *key, char **ret, size_t *ret_len,
                             struct iam_error *reterr) {
    char created[32], expires[32], fleet[IAM_BUNDLE_PUBLIC_KEY_B64 + 1], settings[65];
    char *files = NULL, *body = NULL, *signed_msg = NULL, *b64 = NULL, *sig64 = NULL, *out = NULL;
    uint8_t sig[crypto_sign_BYTES];
    size_t ctx = strlen(IAM_BUNDLE_SIG_CONTEXT), blen, b64len;
    int n, r = -ENOMEM;

    iam_bundle_format_time(m->created, created, sizeof(created));
    iam_bundle_format_time(m->expires, expires, sizeof(expires));
    iam_bundle_key_to_base64(m->fleet_pk, fleet);
    sodium_bin2hex(settings, sizeof(settings), m->settings, 32);
    if (!(files = files_json(m)))
        goto out;
    n = asprintf(&body,
                 "{\"Format\":\"" IAM_BUNDLE_FORMAT "\",\"AccountId\":\"%s\",\"Serial\":%" PRIu64
                 ",\"Created\":\"%s\",\"Expires\":\"%s\",\"FleetKey\":\"%s\",\"Settings\":"
                 "\"%s\",\"Files\":{%s}}",
                 m->account_id, m->serial, created, expires, fleet, settings, files);
    if (n < 0) {
        body = NULL;
        goto out;
    }
    blen = (size_t)n;
    if (!(signed_msg = malloc(ctx + blen)))
        goto out;
    memcpy(signed_msg, IAM_BUNDLE_SIG_CONTEXT, ctx);
    memcpy(signed_msg + ctx, body, blen);
    crypto_sign_detached(sig, NULL, (const unsigned char *)signed_msg, ctx + blen, key->sk);
    b64len = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    if (!(b64 = malloc(b64len)) ||
        !(sig64 = malloc(sodium_base64_ENCODED_LEN(sizeof(sig), sodium_base64_VARIANT_ORIGINAL))))
        goto out;
    sodium_bin2base64(b64, b64len, (const unsigned char *)body, blen,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sig64, sodium_base64_ENCODED_LEN(sizeof(sig), sodium_base64_VARIANT_ORIGINAL),
                      sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
    n = asprintf(&out,
                 "{\"Format\":\"" IAM_BUNDLE_FORMAT "\",\"Manifest\":\"%s\",\"Signature\":"
                 "\"%s\"}\n",
                 b64, sig64);
    if (n < 0) {
        out = NULL;
        goto out;
    }
    *ret = out;
    *ret_len = (size_t)n;
    out = NULL;
    r = 0;
out:
    if (r < 0)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    free(files);
    free(body);
    free(signed_msg);
    free(b64);
    free(sig64);
    free(out);
    return r;
}

/* ---- reading ---------------------------------------------------------------------------- */

static int bad(struct iam_error *e, const struct iam_json *at, const char *what) {
    if (at)
        iam_json_error(e, at, "manifest: %s", what);
    else
        iam_error_set(e, 0, 0, 0, "manifest: %s", what);
    return -EBADMSG;
}

static const char *get_str(const struct iam_json *obj, const char *key) {
    const struct iam_json *v = iam_json_get(obj, key);
    return iam_json_is_string(v) ? v->u.str.s : NULL;
}

/* A non-negative integer written as digits only, at most max. */
static int get_u64(const struct iam_json *obj, const char *key, uint64_t max, uint64_t *ret) {
    const struct iam_json *v = iam_json_get(obj, key);
    uint64_t n = 0;

    if (!v || v->type != IAM_JSON_NUMBER || v->u.num.len == 0 || v->u.num.len > 16 ||
        strspn(v->u.num.text, "0123456789") != v->u.num.len)
        return -EBADMSG;
    for (size_t i = 0; i < v->u.num.len; i++)
        n = n * 10 + (uint64_t)(v->u.num.text[i] - '0');
    if (n > max)
        return -EBADMSG;
    *ret = n;
    return 0;
}

static int hex32(const char *s, uint8_t ret[32]) {
    size_t n = 0;

    if (!s || strlen(s) != 64 || strspn(s, "0123456789abcdef") != 64 ||
        sodium_hex2bin(ret, 32, s, 64, NULL, &n, NULL) != 0 || n != 32)
        return -EBADMSG;
    return 0;
}

static int parse_file(const struct iam_json *files, size_t which, struct iam_bundle_file *f,
                      struct iam_error *e) {
    const struct iam_json *o = iam_json_get(files, bundle_file_key[which]);
    const char *path, *sha, *enc;

    if (!iam_json_is_object(o))
        return bad(e, files, "Files has no object for this cache");
    path = get_str(o, "Path");
    sha = get_str(o, "Sha256");
    enc = get_str(o, "Encoding");
    if (!path || !bundle_path_ok(path, which))
        return bad(e, o, "Path is missing or not a bundle file name");
    if (!enc || strcmp(enc, file_encoding[which]) != 0)
        return bad(e, o, "Encoding is missing or unknown");
    if (hex32(sha, f->sha256) < 0)
        return bad(e, o, "Sha256 is missing or not 64 lower-case hex digits");
    if (get_u64(o, "Size", MAX_FILE_SIZE, &f->size) < 0 ||
        get_u64(o, "ContentSize", MAX_FILE_SIZE, &f->content_size) < 0)
        return bad(e, o, "Size or ContentSize is missing or out of range");
    memcpy(f->path, path, strlen(path) + 1);
    return 0;
}

static int parse_manifest(const char *text, size_t len, struct iam_bundle_manifest *m,
                          struct iam_error *e) {
    struct iam_json_doc *doc = NULL;
    const struct iam_json *root, *files;
    const char *fmt, *acct, *created, *expires, *fleet;
    int r;

    r = -EBADMSG;
    if (iam_json_parse(text, len, NULL, &doc, e) < 0)
        goto out;
    root = iam_json_root(doc);
    if (!iam_json_is_object(root)) {
        bad(e, root, "not a JSON object");
        goto out;
    }
    fmt = get_str(root, "Format");
    acct = get_str(root, "AccountId");
    created = get_str(root, "Created");
    expires = get_str(root, "Expires");
    fleet = get_str(root, "FleetKey");
    files = iam_json_get(root, "Files");
    if (!fmt || strcmp(fmt, IAM_BUNDLE_FORMAT) != 0) {
        bad(e, root, "Format is missing or not " IAM_BUNDLE_FORMAT);
        goto out;
    }
    if (!acct || strlen(acct) != 12 || strspn(acct, "0123456789") != 12) {
        bad(e, root, "AccountId is missing or not 12 digits");
        goto out;
    }
    memcpy(m->account_id, acct, 13);
    if (get_u64(root, "Serial", MAX_SERIAL, &m->serial) < 0) {
        bad(e, root, "Serial is missing or not a whole number");
        goto out;
    }
    if (!created || !expires || iam_bundle_parse_time(created, &m->created) < 0 ||
        iam_bundle_parse_time(expires, &m->expires) < 0 || m->expires <= m->created) {
        bad(e, root, "Created or Expires is missing, malformed, or Expires is not later");
        goto out;
    }
    if (!fleet || iam_bundle_key_from_base64(fleet, m->fleet_pk) < 0) {
        bad(e, root, "FleetKey is missing or not a base64 key");
        goto out;
    }
    if (hex32(get_str(root, "Settings"), m->settings) < 0) {
        bad(e, root, "Settings is missing or not 64 lower-case hex digits");
        goto out;
    }
    if (!iam_json_is_object(files)) {
        bad(e, root, "Files is missing");
        goto out;
    }
    for (size_t i = 0; i < IAM_BUNDLE_N_FILES; i++)
        if ((r = parse_file(files, i, &m->files[i], e)) < 0)
            goto out;
    r = 0;
out:
    iam_json_doc_free(doc);
    return r;
}

int iam_bundle_manifest_open(const void *data, size_t len, const uint8_t pk[32],
                             struct iam_bundle_manifest *ret, struct iam_error *reterr) {
    struct iam_json_doc *doc = NULL;
    const struct iam_json *root;
    const char *fmt, *body64, *sig64, *end = NULL;
    uint8_t sig[crypto_sign_BYTES];
    char *msg = NULL;
    size_t ctx = strlen(IAM_BUNDLE_SIG_CONTEXT), blen = 0, n = 0;
    struct iam_bundle_manifest m;
    int r = -EBADMSG;

    memset(&m, 0, sizeof(m));
    if (len > IAM_BUNDLE_MANIFEST_MAX) {
        iam_error_set(reterr, 0, 0, 0, "manifest: larger than %u bytes", IAM_BUNDLE_MANIFEST_MAX);
        return -EBADMSG;
    }
    if (iam_json_parse(data, len, NULL, &doc, reterr) < 0)
        goto out;
    root = iam_json_root(doc);
    fmt = get_str(root, "Format");
    body64 = get_str(root, "Manifest");
    sig64 = get_str(root, "Signature");
    if (!iam_json_is_object(root) || !fmt || strcmp(fmt, IAM_BUNDLE_FORMAT) != 0 || !body64 ||
        !sig64 || root->u.obj.n != 3) {
        bad(reterr, root,
            "expected {\"Format\": \"" IAM_BUNDLE_FORMAT "\", \"Manifest\": ..., "
            "\"Signature\": ...}");
        goto out;
    }
    if (sodium_base642bin(sig, sizeof(sig), sig64, strlen(sig64), NULL, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != sizeof(sig) || *end) {
        bad(reterr, iam_json_get(root, "Signature"), "Signature is not a base64 signature");
        goto out;
    }
    if (!(msg = malloc(ctx + strlen(body64) + 1))) {
        r = -ENOMEM;
        goto out;
    }
    memcpy(msg, IAM_BUNDLE_SIG_CONTEXT, ctx);
    if (sodium_base642bin((unsigned char *)msg + ctx, strlen(body64) + 1, body64, strlen(body64),
                          NULL, &blen, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        *end) {
        bad(reterr, iam_json_get(root, "Manifest"), "Manifest is not base64");
        goto out;
    }
    if (crypto_sign_verify_detached(sig, (const unsigned char *)msg, ctx + blen, pk) != 0) {
        iam_error_set(reterr, 0, 0, 0,
                      "the manifest's signature does not verify with "
                      "bundle_public_key (altered, or signed by another key)");
        r = -EKEYREJECTED;
        goto out;
    }
    /* from here on the content is the publisher's */
    iam_error_init(reterr);
    if ((r = parse_manifest(msg + ctx, blen, &m, reterr)) < 0)
        goto out;
    *ret = m;
    r = 0;
out:
    free(msg);
    iam_json_doc_free(doc);
    return r;
}

void iam_bundle_settings_digest(const struct iam_config *c, uint8_t ret[32]) {
    crypto_generichash_state st;
    char gid[16];

    snprintf(gid, sizeof(gid), "%u", c->default_gid);
    crypto_generichash_init(&st, NULL, 0, 32);
    /* each value with its NUL, so no two settings run into each other */
    crypto_generichash_update(&st, (const unsigned char *)c->home_template,
                              strlen(c->home_template) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->default_shell,
                              strlen(c->default_shell) + 1);
    crypto_generichash_update(&st, (const unsigned char *)(c->private_groups ? "1" : "0"), 2);
    crypto_generichash_update(&st, (const unsigned char *)gid, strlen(gid) + 1);
    crypto_generichash_final(&st, ret, 32);
}
