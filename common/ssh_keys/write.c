/* SPDX-License-Identifier: Apache-2.0 */
/* The SSH key cache writer (iam/ssh_keys.h); the layout is format.h's. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "iam/ssh_keys.h"
#include "ssh_keys/format.h"

static uint64_t make_seed(void) {
    uint64_t seed = 0;

    randombytes_buf(&seed, sizeof(seed));
    return seed;
}

/* Printable ASCII without spaces (an id, a fingerprint, a user name). */
static bool is_word(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    return len > 0;
}

/* "type base64": two words and exactly one space between them. */
static bool is_body(const char *s, size_t len) {
    const char *sp = memchr(s, ' ', len);

    return sp && sp > s && is_word(s, (size_t)(sp - s)) &&
           is_word(sp + 1, len - (size_t)(sp + 1 - s));
}

static size_t align8(size_t x) {
    return (x + 7) & ~(size_t)7;
}

static int check_user(const struct iam_ssh_keys_user *u, size_t *ret_size,
                      struct iam_error *reterr) {
    size_t size = sizeof(struct iam_sshk_record), nlen = u->name ? strlen(u->name) : 0;

    if (nlen == 0 || nlen > IAM_SSHK_MAX_NAME || !is_word(u->name, nlen)) {
        iam_error_set(reterr, 0, 0, 0,
                      "SSH keys: a user name is empty, too long or not "
                      "printable ASCII");
        return -EINVAL;
    }
    if (u->uid == 0) {
        iam_error_set(reterr, 0, 0, 0, "SSH keys: user \"%.64s\" has uid 0", u->name);
        return -EINVAL;
    }
    if (u->n_keys > IAM_SSHK_MAX_KEYS) {
        iam_error_set(reterr, 0, 0, 0,
                      "SSH keys: user \"%.64s\" has %zu Active keys, more "
                      "than %u",
                      u->name, u->n_keys, IAM_SSHK_MAX_KEYS);
        return -E2BIG;
    }
    size += nlen + 1;
    for (size_t k = 0; k < u->n_keys; k++) {
        const struct iam_ssh_key_entry *e = &u->keys[k];
        size_t il = e->id ? strlen(e->id) : 0, fl = e->fingerprint ? strlen(e->fingerprint) : 0,
               bl = e->body ? strlen(e->body) : 0;

        if (il == 0 || fl == 0 || bl == 0 || il > IAM_SSHK_MAX_ID || !is_word(e->id, il) ||
            fl > IAM_SSHK_MAX_FINGERPRINT || !is_word(e->fingerprint, fl) ||
            bl > IAM_SSHK_MAX_BODY || !is_body(e->body, bl)) {
            iam_error_set(reterr, 0, 0, 0,
                          "SSH keys: key %zu of user \"%.64s\" (%.32s) is not "
                          "an id, a fingerprint and a \"type base64\" body",
                          k + 1, u->name, il ? e->id : "no id");
            return -EINVAL;
        }
        size += sizeof(struct iam_sshk_key) + il + fl + bl + 3;
    }
    *ret_size = align8(size);
    return 0;
}

static void put_record(uint8_t *img, uint32_t off, const struct iam_ssh_keys_user *u, uint32_t size,
                       uint64_t seed) {
    struct iam_sshk_record rec = {.size = size,
                                  .uid = u->uid,
                                  .name_len = (uint8_t)strlen(u->name),
                                  .n_keys = (uint8_t)u->n_keys};
    uint8_t *p = img + off + sizeof(rec);

    memcpy(p, u->name, rec.name_len);
    p += rec.name_len + 1;
    for (size_t k = 0; k < u->n_keys; k++) {
        const struct iam_ssh_key_entry *e = &u->keys[k];
        struct iam_sshk_key kh = {.id_len = (uint16_t)strlen(e->id),
                                  .fingerprint_len = (uint16_t)strlen(e->fingerprint),
                                  .body_len = (uint32_t)strlen(e->body)};

        memcpy(p, &kh, sizeof(kh));
        p += sizeof(kh);
        memcpy(p, e->id, kh.id_len);
        p += kh.id_len + 1;
        memcpy(p, e->fingerprint, kh.fingerprint_len);
        p += kh.fingerprint_len + 1;
        memcpy(p, e->body, kh.body_len);
        p += kh.body_len + 1;
    }
    memcpy(img + off, &rec, sizeof(rec));
    rec.hash = iam_sshk_record_hash(img + off, size, seed, off);
    memcpy(img + off, &rec.hash, sizeof(rec.hash));
}

/* Put user i in the table; -EINVAL when the name is there already. */
static int table_put(uint8_t *img, const struct iam_sshk_header *h, uint32_t *owner,
                     const struct iam_ssh_keys_user *users, size_t i, uint32_t off,
                     struct iam_error *reterr) {
    const char *name = users[i].name;
    uint64_t hash = iam_sshk_name_hash(name, strlen(name), h->seed);
    uint32_t key = (uint32_t)(hash >> 32), line = iam_sshk_start_line(hash, h->n_lines);

    for (;; line = line + 1 == h->n_lines ? 0 : line + 1) {
        struct iam_sshk_line *l =
            (struct iam_sshk_line *)(img + h->table_offset + (size_t)line * IAM_SSHK_LINE_SIZE);

        for (uint32_t s = 0; s < IAM_SSHK_LINE_SLOTS; s++) {
            uint32_t *o = &owner[(size_t)line * IAM_SSHK_LINE_SLOTS + s];

            if (l->slot[s].off == 0) {
                l->slot[s] = (struct iam_sshk_slot){.key = key, .off = off};
                *o = (uint32_t)i;
                return 0;
            }
            if (l->slot[s].key == key && strcmp(users[*o].name, name) == 0) {
                iam_error_set(reterr, 0, 0, 0, "SSH keys: user \"%.64s\" is listed twice", name);
                return -EINVAL;
            }
        }
    }
}

int iam_ssh_keys_cache_build(const struct iam_ssh_keys_user *users, size_t n_users, uint64_t serial,
                             void **ret_data, size_t *ret_size, struct iam_error *reterr) {
    struct iam_sshk_header h = {.version = IAM_SSHK_VERSION,
                                .header_size = sizeof(struct iam_sshk_header),
                                .serial = serial};
    uint32_t *sizes = NULL, *owner = NULL;
    uint8_t *img = NULL;
    uint64_t total;
    size_t n_with = 0, n_keys = 0, records = 0;
    int r;

    sizes = calloc(n_users + 1, sizeof(*sizes));
    if (!sizes)
        goto oom;
    for (size_t i = 0; i < n_users; i++) {
        size_t sz;

        if (users[i].n_keys == 0)
            continue;
        if ((r = check_user(&users[i], &sz, reterr)) < 0)
            goto out;
        if (sz > IAM_SSHK_MAX_RECORD || records + sz > IAM_SSHK_MAX_FILE)
            goto too_big;
        sizes[i] = (uint32_t)sz;
        records += sz;
        n_keys += users[i].n_keys;
        n_with++;
    }
    if (n_with > UINT32_MAX / 2)
        goto too_big;
    memcpy(h.magic, IAM_SSHK_MAGIC, IAM_SSHK_MAGIC_LEN);
    h.seed = make_seed();
    h.n_lines = iam_sshk_lines_for((uint32_t)n_with);
    h.table_offset = 128;
    total = (uint64_t)h.table_offset + (uint64_t)h.n_lines * IAM_SSHK_LINE_SIZE;
    h.records_offset = (uint32_t)total;
    total += records;
    if (total >= IAM_SSHK_MAX_FILE)
        goto too_big;
    h.file_size = total;
    h.n_users = (uint32_t)n_with;
    h.n_keys = (uint32_t)n_keys;
    img = calloc(1, (size_t)total);
    owner = calloc((size_t)h.n_lines * IAM_SSHK_LINE_SLOTS, sizeof(*owner));
    if (!img || !owner)
        goto oom;
    for (size_t i = 0, off = h.records_offset; i < n_users; i++) {
        if (!sizes[i])
            continue;
        if ((r = table_put(img, &h, owner, users, i, (uint32_t)off, reterr)) < 0)
            goto out;
        put_record(img, (uint32_t)off, &users[i], sizes[i], h.seed);
        off += sizes[i];
    }
    for (uint32_t line = 0; line < h.n_lines; line++) {
        struct iam_sshk_line *l =
            (struct iam_sshk_line *)(img + h.table_offset + (size_t)line * IAM_SSHK_LINE_SIZE);
        l->hash = iam_sshk_line_hash(l, h.seed, line);
    }
    h.header_hash = iam_sshk_header_hash(&h);
    memcpy(img, &h, sizeof(h));
    *ret_data = img;
    *ret_size = (size_t)total;
    img = NULL;
    r = 0;
    goto out;
too_big:
    iam_error_set(reterr, 0, 0, 0, "SSH keys: the account's keys exceed the cache's limits");
    r = -E2BIG;
    goto out;
oom:
    iam_error_set(reterr, 0, 0, 0, "out of memory");
    r = -ENOMEM;
out:
    free(img);
    free(sizes);
    free(owner);
    return r;
}

int iam_ssh_key_fingerprint(const char *body, size_t len, char fp[64]) {
    unsigned char digest[crypto_hash_sha256_BYTES], *blob = NULL;
    const char *sp = memchr(body, ' ', len), *b64, *end;
    size_t tlen, blen, bin_len = 0;
    int r = -EINVAL;

    if (!sp)
        return -EINVAL;
    tlen = (size_t)(sp - body);
    b64 = sp + 1;
    end = b64;
    while (end < body + len && *end != ' ' && *end != '\n' && *end != '\r' && *end != '\t')
        end++;
    blen = (size_t)(end - b64);
    if (tlen == 0 || tlen > 64 || blen == 0 || blen > IAM_SSHK_MAX_BODY)
        return -EINVAL;
    blob = malloc(blen);
    if (!blob)
        return -ENOMEM;
    if (sodium_base642bin(blob, blen, b64, blen, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len < 4 + tlen)
        goto out;
    if (((size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3]) != tlen ||
        memcmp(blob + 4, body, tlen) != 0)
        goto out;
    crypto_hash_sha256(digest, blob, bin_len);
    memcpy(fp, "SHA256:", sizeof("SHA256:"));
    sodium_bin2base64(fp + 7, 64 - 7, digest, sizeof(digest),
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    r = 0;
out:
    free(blob);
    return r;
}
