/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials: access keys, login profiles (passwords) and SSH public keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "iam/secret.h"
#include "verb_common.h"


/* ---- access keys -------------------------------------------------------------------------- */

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int verb_create_access_key(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_access_key *keys, key = {.active = true};
    char id[IAM_ACCESS_KEY_ID_LEN + 1], secret[IAM_SECRET_KEY_LEN + 1];
    char hash[IAM_SECRET_HASH_MAX], now[32], out[1024];
    size_t n;
    int r, len;

    sodium_memzero(secret, sizeof(secret));
    sodium_memzero(out, sizeof(out));
    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = iam_store_access_keys(h.st, &u, &keys, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (n >= IAM_MAX_ACCESS_KEYS_PER_USER) {
        r = iamctl_fail("LimitExceeded: Cannot exceed quota for AccessKeysPerUser: %d",
                        IAM_MAX_ACCESS_KEYS_PER_USER);
        goto out;
    }
    if (iam_access_key_generate(id, secret) < 0 ||
        iam_secret_hash_key(secret, IAM_SECRET_KEY_LEN, hash, sizeof(hash)) < 0) {
        r = iamctl_fail("cannot generate an access key");
        goto out;
    }
    now_iso(now);
    key.access_key_id = id;
    key.create_date = now;
    key.secret_hash = hash;
    if ((r = iam_store_access_key_insert(h.st, &u, &key)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if ((r = sth_commit(&h)))
        goto out;
    /* Printed by hand from a stack buffer that is wiped afterwards: a jansson string or a
     * stdio buffer would leave the secret on the heap. Every value is from a safe alphabet
     * (validated name, A-Z2-7, base64, digits), so nothing needs escaping. */
    len = snprintf(out, sizeof(out),
                   "{\n    \"AccessKey\": {\n        \"UserName\": \"%s\",\n"
                   "        \"AccessKeyId\": \"%s\",\n        \"Status\": \"Active\",\n"
                   "        \"SecretAccessKey\": \"%s\",\n        \"CreateDate\": \"%s\"\n"
                   "    }\n}\n",
                   u.name, id, secret, now);
    fflush(stdout);
    if (len < 0 || (size_t)len >= sizeof(out) || write_all(STDOUT_FILENO, out, (size_t)len) < 0)
        r = iamctl_fail("cannot write the output: the key %s was created, but its secret is "
                        "lost; delete it with delete-access-key",
                        id);
out:
    sodium_memzero(secret, sizeof(secret));
    sodium_memzero(out, sizeof(out));
    sodium_memzero(hash, sizeof(hash));
    opts_free(opts);
    return sth_close(&h, r);
}

/* The key and its owner, checking --user-name when given. */
static int find_key(struct sth *h, const char *key_id, const char *user_name,
                    struct iam_store_access_key *ret) {
    int r = iam_store_access_key_get(h->st, key_id, ret);

    if (r == -ENOENT)
        return iamctl_fail("NoSuchEntity: The Access Key with id %.32s cannot be found.", key_id);
    if (r < 0)
        return sth_fail(h, r);
    if (user_name && strcasecmp(ret->user_name, user_name) != 0)
        return iamctl_fail("NoSuchEntity: The Access Key with id %.32s cannot be found for user "
                           "%s.",
                           key_id, user_name);
    return 0;
}

int verb_update_access_key(int argc, char *argv[]) {
    struct opt opts[] = {{"access-key-id", OPT_VALUE, true},
                         {"status", OPT_VALUE, true},
                         {"user-name", OPT_VALUE},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_access_key key;
    const char *status;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    status = opt_value(opts, "status");
    if (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0) {
        r = iamctl_usage("--status must be Active or Inactive");
        goto out;
    }
    if ((r = sth_open(&h, true)) || (r = find_key(&h, opt_value(opts, "access-key-id"),
                                                  opt_value(opts, "user-name"), &key)))
        goto out;
    if ((r = iam_store_access_key_set_status(h.st, &key, strcmp(status, "Active") == 0)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_delete_access_key(int argc, char *argv[]) {
    struct opt opts[] = {{"access-key-id", OPT_VALUE, true}, {"user-name", OPT_VALUE}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_access_key key;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = sth_open(&h, true)) ||
        (r = find_key(&h, opt_value(opts, "access-key-id"), opt_value(opts, "user-name"), &key)))
        goto out;
    if ((r = iam_store_access_key_delete(h.st, &key)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    r = sth_commit(&h);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_access_keys(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_access_key *keys;
    struct page pg;
    size_t n, from, to;
    int64_t next;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = iam_store_access_keys(h.st, &u, &keys, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    page_slice(&pg, n, &from, &to, &next);
    arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "UserName", u.name,
                                             "AccessKeyId", keys[i].access_key_id, "Status",
                                             keys[i].active ? "Active" : "Inactive",
                                             "CreateDate", keys[i].create_date));
    r = print_page(json_pack("{s:o}", "AccessKeyMetadata", arr), next);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

/* ---- SSH public keys ------------------------------------------------------------------ */

/* "type base64 [comment]": the blob must decode and name the same type inside. Returns the
 * normalised "type base64" in *ret_body and the OpenSSH SHA256 fingerprint. */
int ssh_key_parse(const char *text, char **ret_body, char fp[64]) {
    const char *sp, *b64, *end;
    unsigned char *blob = NULL, digest[crypto_hash_sha256_BYTES];
    size_t tlen, blen, bin_len = 0;
    char *body = NULL;
    int r = IAMCTL_EXIT_FAIL;

    while (*text == ' ' || *text == '\t')
        text++;
    sp = strchr(text, ' ');
    if (!sp)
        goto bad;
    tlen = (size_t)(sp - text);
    b64 = sp + 1;
    end = b64;
    while (*end && *end != ' ' && *end != '\n' && *end != '\r')
        end++;
    blen = (size_t)(end - b64);
    if (tlen == 0 || tlen > 64 || blen == 0 || blen > 16384)
        goto bad;
    for (const char *p = end; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
            goto bad;
    blob = malloc(blen);
    if (!blob)
        return iamctl_fail("out of memory");
    if (sodium_base642bin(blob, blen, b64, blen, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len < 4 + tlen)
        goto bad;
    if (((size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3]) != tlen ||
        memcmp(blob + 4, text, tlen) != 0)
        goto bad;
    crypto_hash_sha256(digest, blob, bin_len);
    memcpy(fp, "SHA256:", 7);
    sodium_bin2base64(fp + 7, 64 - 7, digest, sizeof(digest),
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    body = strndup(text, (size_t)(end - text));
    if (!body) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    *ret_body = body;
    r = 0;
    goto out;
bad:
    r = iamctl_fail("InvalidPublicKey: expected an OpenSSH public key line (\"ssh-ed25519 "
                    "AAAA... [comment]\")");
out:
    free(blob);
    return r;
}

static json_t *ssh_key_json(const char *user, const struct iam_store_ssh_key *k, bool full) {
    json_t *o = json_pack("{s:s,s:s}", "UserName", user, "SSHPublicKeyId", k->ssh_key_id);

    if (full) {
        if (k->fingerprint)
            json_object_set_new(o, "Fingerprint", json_string(k->fingerprint));
        json_object_set_new(o, "SSHPublicKeyBody", json_string(k->body));
    }
    json_object_set_new(o, "Status", json_string(k->active ? "Active" : "Inactive"));
    if (k->upload_date)
        json_object_set_new(o, "UploadDate", json_string(k->upload_date));
    return o;
}

int verb_upload_ssh_public_key(int argc, char *argv[]) {
    struct opt opts[] = {
        {"user-name", OPT_VALUE, true}, {"ssh-public-key-body", OPT_VALUE, true}, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_ssh_key *keys, key = {.active = true};
    char *text = NULL, *body = NULL, fp[64], id[22], now[32];
    const char *source;
    json_t *out = NULL;
    size_t len, n;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if ((r = check_param_size("--ssh-public-key-body", opt_value(opts, "ssh-public-key-body"),
                              64 * 1024)))
        goto out;
    if (iamctl_read_param(opt_value(opts, "ssh-public-key-body"), &text, &len, &source) < 0) {
        r = iamctl_fail("cannot read --ssh-public-key-body");
        goto out;
    }
    if ((r = ssh_key_parse(text, &body, fp)) || (r = sth_open(&h, true)) ||
        (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = iam_store_ssh_keys(h.st, &u, &keys, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    if (n >= IAM_MAX_SSH_KEYS_PER_USER) {
        r = iamctl_fail("LimitExceeded: Cannot exceed quota for SSHPublicKeysPerUser: %d",
                        IAM_MAX_SSH_KEYS_PER_USER);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (keys[i].fingerprint && strcmp(keys[i].fingerprint, fp) == 0) {
            r = iamctl_fail("DuplicateSSHPublicKey: the key is already uploaded for user %s",
                            u.name);
            goto out;
        }
    make_unique_id("APKA", id);
    now_iso(now);
    key.ssh_key_id = id;
    key.body = body;
    key.fingerprint = fp;
    key.upload_date = now;
    if ((r = iam_store_ssh_key_insert(h.st, &u, &key)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    out = json_pack("{s:o}", "SSHPublicKey", ssh_key_json(u.name, &key, true));
    if (!(r = sth_commit(&h))) {
        r = print_json(out);
        out = NULL;
    }
out:
    json_decref(out);
    free(text);
    free(body);
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_list_ssh_public_keys(int argc, char *argv[]) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true}, PAGE_OPTS, {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_ssh_key *keys;
    struct page pg;
    size_t n, from, to;
    int64_t next;
    json_t *arr;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = page_parse(opts, &pg)) ||
        (r = sth_open(&h, false)) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    if ((r = iam_store_ssh_keys(h.st, &u, &keys, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    page_slice(&pg, n, &from, &to, &next);
    arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, ssh_key_json(u.name, &keys[i], false));
    r = print_page(json_pack("{s:o}", "SSHPublicKeys", arr), next);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

static int ssh_key_args(struct opt *opts, char op) {
    const char *status = opt_value(opts, "status"), *enc = opt_value(opts, "encoding");

    if (op == 'u' && strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0)
        return iamctl_usage("--status must be Active or Inactive");
    if (op == 'g' && enc && strcmp(enc, "SSH") != 0)
        return iamctl_usage("--encoding: only SSH is supported");
    return 0;
}

static int ssh_key_op(int argc, char *argv[], char op) {
    struct opt opts[] = {{"user-name", OPT_VALUE, true},
                         {"ssh-public-key-id", OPT_VALUE, true},
                         {"status", OPT_VALUE, op == 'u'},
                         {"encoding", OPT_VALUE},
                         {NULL}};
    struct sth h = STH_INIT;
    struct iam_store_identity u;
    struct iam_store_ssh_key *keys;
    const char *kid;
    size_t n;
    int r;

    if ((r = opts_parse(argc, argv, opts)) || (r = ssh_key_args(opts, op)) ||
        (r = sth_open(&h, op != 'g')) || (r = sth_user(&h, opt_value(opts, "user-name"), &u)))
        goto out;
    kid = opt_value(opts, "ssh-public-key-id");
    if ((r = iam_store_ssh_keys(h.st, &u, &keys, &n)) < 0) {
        r = sth_fail(&h, r);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i].ssh_key_id, kid) != 0)
            continue;
        if (op == 'g') {
            r = print_json(json_pack("{s:o}", "SSHPublicKey", ssh_key_json(u.name, &keys[i], true)));
            goto out;
        }
        r = op == 'u' ? iam_store_ssh_key_set_status(h.st, &u, keys[i].id,
                                                      strcmp(opt_value(opts, "status"), "Active") == 0)
                      : iam_store_ssh_key_delete(h.st, &u, keys[i].id);
        r = r < 0 ? sth_fail(&h, r) : sth_commit(&h);
        goto out;
    }
    r = iamctl_fail("NoSuchEntity: The Public Key with id %.64s cannot be found.", kid);
out:
    opts_free(opts);
    return sth_close(&h, r);
}

int verb_get_ssh_public_key(int argc, char *argv[]) {
    return ssh_key_op(argc, argv, 'g');
}

int verb_update_ssh_public_key(int argc, char *argv[]) {
    return ssh_key_op(argc, argv, 'u');
}

int verb_delete_ssh_public_key(int argc, char *argv[]) {
    return ssh_key_op(argc, argv, 'd');
}
