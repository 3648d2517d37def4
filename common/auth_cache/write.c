/* SPDX-License-Identifier: Apache-2.0 */
/* Writer of auth.cache (format in format.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "format.h"
#include "iam/auth_cache.h"
#include "iam/fileio.h"

struct buf {
    uint8_t *p;
    size_t len, cap;
    int err; /* sticky: first failure */
};

static void buf_reserve(struct buf *b, size_t more) {
    size_t cap;
    uint8_t *np;

    if (b->err)
        return;
    if (more > SIZE_MAX / 2 - b->len) {
        b->err = -E2BIG;
        return;
    }
    if (b->len + more <= b->cap)
        return;
    /* the first reservation is the caller's estimate as it is (the whole of it is
     * prefaulted: rounding it up to a power of two cost up to twice the memory); growth
     * beyond it doubles */
    cap = b->cap ? b->cap : b->len + more;
    while (cap < b->len + more)
        cap *= 2;
    /* not realloc: the old block holds secrets' hashes and is wiped before it is freed */
    np = malloc(cap);
    if (!np) {
        b->err = -ENOMEM;
        return;
    }
    iam_prefault(np, cap);
    if (b->p) {
        memcpy(np, b->p, b->len);
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = np;
    b->cap = cap;
}

static void buf_put(struct buf *b, const void *data, size_t len) {
    buf_reserve(b, len);
    if (b->err)
        return;
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
}

static void buf_u32(struct buf *b, uint32_t v) {
    buf_put(b, &v, sizeof(v));
}

static void buf_i64(struct buf *b, int64_t v) {
    buf_put(b, &v, sizeof(v));
}

/* A length-prefixed string; strings must be NUL-free and fit the record limit. */
static void buf_str(struct buf *b, const char *s, size_t len) {
    if (b->err)
        return;
    if (len > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    if (len && memchr(s, '\0', len)) {
        b->err = -EINVAL;
        return;
    }
    buf_u32(b, (uint32_t)len);
    buf_put(b, s, len);
    buf_put(b, "", 1);
}

static void buf_cstr(struct buf *b, const char *s) {
    if (!s) {
        if (!b->err)
            b->err = -EINVAL;
        return;
    }
    buf_str(b, s, strlen(s));
}

static size_t user_count_ok(size_t n) {
    return n <= IAM_AUTH_MAX_ITEMS;
}

static int check_user(const struct iam_auth_user *u, size_t i, struct iam_error *reterr) {
    size_t nl;

    if (!u->name || !u->user_id || !u->arn) {
        iam_error_set(reterr, 0, 0, 0, "user %zu: name, user id and ARN are required", i);
        return -EINVAL;
    }
    nl = strlen(u->name);
    if (nl == 0 || nl > IAM_AUTH_MAX_NAME) {
        iam_error_set(reterr, 0, 0, 0, "user %zu: name must be 1..%d bytes", i,
                      IAM_AUTH_MAX_NAME);
        return -EINVAL;
    }
    if (!user_count_ok(u->n_keys) || !user_count_ok(u->n_tags) || !user_count_ok(u->n_groups) ||
        !user_count_ok(u->n_policies)) {
        iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": more than %d keys, tags, groups or "
                      "policies", u->name, IAM_AUTH_MAX_ITEMS);
        return -E2BIG;
    }
    if ((u->n_keys && !u->keys) || (u->n_tags && !u->tags) || (u->n_groups && !u->groups) ||
        (u->n_policies && !u->policies)) {
        iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": NULL array", u->name);
        return -EINVAL;
    }
    if (u->is_role && (u->password_hash || u->n_keys || u->n_mfa || u->n_groups ||
                       u->max_session_duration <= 0)) {
        iam_error_set(reterr, 0, 0, 0, "role \"%.64s\": a role has no password, key, MFA "
                      "device or group, and a maximum session duration", u->name);
        return -EINVAL;
    }
    for (size_t k = 0, trust = 0; k < u->n_policies; k++) {
        const struct iam_auth_policy *p = &u->policies[k];

        if (p->kind == IAM_AUTH_POLICY_TRUST && (!u->is_role || trust++)) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": a trust policy belongs to a role, "
                          "once", u->name);
            return -EINVAL;
        }
        if (p->kind != IAM_AUTH_POLICY_IDENTITY && p->kind != IAM_AUTH_POLICY_BOUNDARY &&
            p->kind != IAM_AUTH_POLICY_TRUST) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": policy %zu has an unknown kind",
                          u->name, k);
            return -EINVAL;
        }
        if (!p->text && p->text_len) {
            iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": policy %zu has no text", u->name,
                          k);
            return -EINVAL;
        }
    }
    return 0;
}

/* The documents a build stores, each once: keyed by the pointers of an iam_auth_policy (the
 * callers pass the same strings for a policy every user shares), so finding one costs no
 * hashing of its text. */
struct doc_slot {
    const struct iam_auth_policy *p; /* NULL = empty */
    uint64_t off;                    /* where the document starts in the image */
    uint32_t len;
};

struct doc_table {
    struct doc_slot *slots;
    size_t cap, n;
};

static uint64_t doc_key(const struct iam_auth_policy *p) {
    uint64_t h = (uint64_t)(uintptr_t)p->text * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uintptr_t)p->source_id * 0xC2B2AE3D27D4EB4Full;
    h ^= (uint64_t)(uintptr_t)p->source_type + (uint64_t)p->kind + p->text_len;
    h ^= h >> 29;
    return h * 0x94D049BB133111EBull;
}

static bool doc_same(const struct iam_auth_policy *a, const struct iam_auth_policy *b) {
    return a->kind == b->kind && a->text == b->text && a->text_len == b->text_len &&
           a->source_id == b->source_id && a->source_type == b->source_type;
}

static struct doc_slot *doc_find(struct doc_table *t, const struct iam_auth_policy *p) {
    size_t i = (size_t)(doc_key(p) >> 32) & (t->cap - 1);

    while (t->slots[i].p && !doc_same(t->slots[i].p, p))
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

/* Twice the room, every entry moved (the table holds distinct documents: it stays small). */
static int doc_grow(struct doc_table *t) {
    struct doc_table n = {.cap = t->cap ? t->cap * 2 : 1024, .n = t->n};

    n.slots = calloc(n.cap, sizeof(*n.slots));
    if (!n.slots)
        return -ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].p)
            *doc_find(&n, t->slots[i].p) = t->slots[i];
    free(t->slots);
    *t = n;
    return 0;
}

/* One document at the end of b (checksum first). */
static void put_doc(struct buf *b, const struct iam_auth_policy *p) {
    size_t start = b->len;
    uint8_t zero[AC_SUM_LEN] = {0};

    buf_put(b, zero, sizeof(zero));
    buf_u32(b, AC_DOC_MAGIC);
    buf_u32(b, (uint32_t)p->kind);
    buf_cstr(b, p->source_type ? p->source_type : "");
    buf_cstr(b, p->source_id ? p->source_id : "");
    buf_str(b, p->text ? p->text : "", p->text ? p->text_len : 0);
    if (b->err)
        return;
    if (b->len - start > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    crypto_generichash(b->p + start, AC_SUM_LEN, b->p + start + AC_SUM_LEN,
                       b->len - start - AC_SUM_LEN, NULL, 0);
}

/* Every distinct document of every user, written at the end of b. */
static int put_docs(struct buf *b, struct doc_table *t, const struct iam_auth_user *users,
                    size_t n_users) {
    if (doc_grow(t) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < n_users; i++)
        for (size_t k = 0; k < users[i].n_policies; k++) {
            const struct iam_auth_policy *p = &users[i].policies[k];
            struct doc_slot *d = doc_find(t, p);
            if (d->p)
                continue;
            if ((t->n + 1) * 2 > t->cap) {
                if (doc_grow(t) < 0)
                    return -ENOMEM;
                d = doc_find(t, p);
            }
            d->p = p;
            d->off = b->len;
            put_doc(b, p);
            if (b->err)
                return b->err;
            d->len = (uint32_t)(b->len - d->off);
            t->n++;
        }
    return 0;
}

/* Where a record's policy document lies in the image. */
struct ac_ref {
    uint64_t off;
    uint32_t len;
};

/* Serialise one user's record (checksum first) at the end of b; refs[i] is where the
 * document of u->policies[i] lies. */
static void put_record(struct buf *b, const struct iam_auth_user *u, const struct ac_ref *refs) {
    size_t start = b->len;
    uint32_t flags = 0;
    uint8_t zero[AC_SUM_LEN] = {0};

    if (u->password_hash)
        flags |= AC_REC_FLAG_LOGIN_PROFILE;
    if (u->password_reset_required)
        flags |= AC_REC_FLAG_RESET_REQUIRED;
    if (u->password_hash && u->password_expires > 0)
        flags |= AC_REC_FLAG_EXPIRES | (u->password_hard_expiry ? AC_REC_FLAG_HARD_EXPIRY : 0);
    if (u->n_mfa > 0)
        flags |= AC_REC_FLAG_MFA;
    if (u->is_role)
        flags |= AC_REC_FLAG_ROLE;

    buf_put(b, zero, sizeof(zero));
    buf_u32(b, AC_RECORD_MAGIC);
    buf_u32(b, flags);
    buf_u32(b, (uint32_t)u->n_keys);
    buf_u32(b, (uint32_t)u->n_tags);
    buf_u32(b, (uint32_t)u->n_groups);
    buf_u32(b, (uint32_t)u->n_policies);
    buf_cstr(b, u->name);
    buf_cstr(b, u->user_id);
    buf_cstr(b, u->arn);
    buf_cstr(b, u->password_hash ? u->password_hash : "");
    for (size_t i = 0; i < u->n_keys; i++) {
        buf_cstr(b, u->keys[i].id);
        buf_cstr(b, u->keys[i].active ? "Active" : "Inactive");
        buf_i64(b, u->keys[i].create_date);
        buf_cstr(b, u->keys[i].secret_hash);
    }
    for (size_t i = 0; i < u->n_tags; i++) {
        buf_cstr(b, u->tags[i].key);
        buf_cstr(b, u->tags[i].value);
    }
    for (size_t i = 0; i < u->n_groups; i++)
        buf_cstr(b, u->groups[i]);
    for (size_t i = 0; i < u->n_policies; i++) {
        buf_put(b, &refs[i].off, sizeof(refs[i].off));
        buf_u32(b, refs[i].len);
    }
    if (flags & AC_REC_FLAG_EXPIRES)
        buf_i64(b, u->password_expires);
    if (flags & AC_REC_FLAG_MFA) {
        buf_u32(b, (uint32_t)u->n_mfa);
        for (size_t i = 0; i < u->n_mfa; i++) {
            buf_cstr(b, u->mfa[i].serial);
            buf_cstr(b, u->mfa[i].seed_hex);
            buf_i64(b, u->mfa[i].not_before);
            buf_i64(b, u->mfa[i].drift);
        }
    }
    if (flags & AC_REC_FLAG_ROLE)
        buf_i64(b, u->max_session_duration);
    if (b->err)
        return;
    if (b->len - start > IAM_AUTH_MAX_RECORD) {
        b->err = -E2BIG;
        return;
    }
    crypto_generichash(b->p + start, AC_SUM_LEN, b->p + start + AC_SUM_LEN,
                       b->len - start - AC_SUM_LEN, NULL, 0);
}

static uint64_t name_hash(const uint8_t key[crypto_shorthash_KEYBYTES], const char *name) {
    uint8_t out[crypto_shorthash_BYTES];
    uint64_t h;

    crypto_shorthash(out, (const unsigned char *)name, strlen(name), key);
    memcpy(&h, out, sizeof(h));
    return h;
}

static void slot_seal(struct ac_slot *s, uint64_t slot_no,
                      const uint8_t key[crypto_shorthash_KEYBYTES]) {
    uint8_t in[24 + 8];

    memcpy(in, s, 24);
    memcpy(in + 24, &slot_no, 8);
    crypto_shorthash(s->check, in, sizeof(in), key);
}

static void slot_insert(struct ac_slot *slots, uint64_t n_slots, uint64_t hash, uint64_t rec_off,
                        uint32_t rec_len) {
    uint64_t pos = hash & (n_slots - 1);

    while (slots[pos].rec_off != 0)
        pos = (pos + 1) & (n_slots - 1);
    slots[pos].name_hash = hash;
    slots[pos].rec_off = rec_off;
    slots[pos].rec_len = rec_len;
    slots[pos].reserved = 0;
}

/* The records, after the documents; each user's slot filled in. Names are unique: a
 * duplicate is found by probing for the same hash and comparing the name in the record. */
static int put_records(struct buf *b, const struct ac_header2 *h, const struct iam_auth_user *users,
                       size_t n_users, struct doc_table *docs, struct iam_error *reterr) {
    struct ac_ref refs[IAM_AUTH_MAX_ITEMS]; /* check_user() bounds n_policies */

    for (size_t i = 0; i < n_users; i++) {
        const struct iam_auth_user *u = &users[i];
        uint64_t hash = name_hash(h->hash_key, u->name), rec_off = b->len;
        const struct ac_slot *slots = (const struct ac_slot *)(b->p + h->index_off);

        for (uint64_t pos = hash & (h->n_slots - 1); slots[pos].rec_off;
             pos = (pos + 1) & (h->n_slots - 1)) {
            const uint8_t *rec = b->p + slots[pos].rec_off + AC_REC_FIXED;
            uint32_t len;
            if (slots[pos].name_hash != hash)
                continue;
            memcpy(&len, rec, sizeof(len));
            if (len == strlen(u->name) && memcmp(rec + 4, u->name, len) == 0) {
                iam_error_set(reterr, 0, 0, 0, "duplicate user name \"%.64s\"", u->name);
                return -EINVAL;
            }
        }
        for (size_t k = 0; k < u->n_policies; k++) {
            const struct doc_slot *d = doc_find(docs, &u->policies[k]);
            refs[k] = (struct ac_ref){.off = d->off, .len = d->len};
        }
        put_record(b, u, refs);
        if (b->err) {
            if (b->err == -E2BIG)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": record over %u bytes", u->name,
                              IAM_AUTH_MAX_RECORD);
            else if (b->err == -EINVAL)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": missing field or NUL in a "
                              "string", u->name);
            return b->err;
        }
        slot_insert((struct ac_slot *)(b->p + h->index_off), h->n_slots, hash, rec_off,
                    (uint32_t)(b->len - rec_off));
    }
    return 0;
}

/* A first guess of the image's size, so the buffer is allocated once in the usual case. */
static size_t size_hint(const struct iam_auth_user *users, size_t n_users) {
    size_t n = 0;

    for (size_t i = 0; i < n_users && i < 64; i++)
        n += 256 + users[i].n_keys * 160 + users[i].n_tags * 64 + users[i].n_groups * 32 +
             users[i].n_policies * AC_REF_LEN;
    return n_users > 64 ? n / 64 * n_users : n;
}

int iam_auth_cache_build(const struct iam_auth_user *users, size_t n_users, uint64_t serial,
                         void **ret_buf, size_t *ret_len, struct iam_error *reterr) {
    return iam_auth_cache_build_keyed(users, n_users, serial, NULL, ret_buf, ret_len, reterr);
}

int iam_auth_cache_build_keyed(const struct iam_auth_user *users, size_t n_users,
                               uint64_t serial, const uint8_t key[IAM_AUTH_CACHE_KEY_LEN],
                               void **ret_buf, size_t *ret_len, struct iam_error *reterr) {
    struct buf b = {0};
    struct ac_header2 h;
    struct doc_table docs = {0};
    struct ac_slot *slots;
    uint64_t n_slots = 8;
    int r = -EINVAL;

    if (!ret_buf || !ret_len || (n_users && !users))
        goto out;
    if (n_users > IAM_AUTH_MAX_USERS) {
        iam_error_set(reterr, 0, 0, 0, "%zu users: over the limit of %u", n_users,
                      IAM_AUTH_MAX_USERS);
        r = -E2BIG;
        goto out;
    }
    if (sodium_init() < 0) {
        r = -ENOTSUP;
        goto out;
    }
    for (size_t i = 0; i < n_users; i++)
        if ((r = check_user(&users[i], i, reterr)) < 0)
            goto out;
    while (n_slots < 2 * (uint64_t)n_users)
        n_slots *= 2;
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, AC_MAGIC, AC_MAGIC_LEN);
    h.byte_order = AC_BYTE_ORDER_MARK;
    h.version = IAM_AUTH_CACHE_VERSION;
    h.header_size = sizeof(struct ac_header2);
    h.slot_size = sizeof(struct ac_slot);
    h.serial = serial;
    h.n_users = n_users;
    h.n_slots = n_slots;
    h.index_off = sizeof(struct ac_header2);
    h.docs_off = h.index_off + n_slots * sizeof(struct ac_slot);
    if (key)
        memcpy(h.hash_key, key, sizeof(h.hash_key));
    else
        crypto_shorthash_keygen(h.hash_key);

    /* header and index are filled in at the end; reserve their room now */
    buf_reserve(&b, h.docs_off + size_hint(users, n_users));
    if (b.err || !b.p) {
        r = b.err ? b.err : -ENOMEM;
        goto out;
    }
    memset(b.p, 0, h.docs_off);
    b.len = h.docs_off;
    if ((r = put_docs(&b, &docs, users, n_users)) < 0) {
        if (r == -E2BIG)
            iam_error_set(reterr, 0, 0, 0, "a policy document over %u bytes", IAM_AUTH_MAX_RECORD);
        goto out;
    }
    h.docs_len = b.len - h.docs_off;
    h.records_off = b.len;
    if ((r = put_records(&b, &h, users, n_users, &docs, reterr)) < 0)
        goto out;
    slots = (struct ac_slot *)(b.p + h.index_off);
    for (uint64_t i = 0; i < n_slots; i++)
        if (slots[i].rec_off != 0)
            slot_seal(&slots[i], i, h.hash_key);
    h.file_size = b.len;
    crypto_generichash(h.index_sum, AC_SUM_LEN, b.p + h.index_off,
                       n_slots * sizeof(struct ac_slot), NULL, 0);
    crypto_generichash(h.header_sum, AC_SUM_LEN, (const uint8_t *)&h,
                       offsetof(struct ac_header2, header_sum), NULL, 0);
    memcpy(b.p, &h, sizeof(h));

    *ret_buf = b.p;
    *ret_len = b.len;
    b.p = NULL;
    r = 0;
out:
    free(docs.slots);
    if (b.p) {
        sodium_memzero(b.p, b.len);
        free(b.p);
    }
    return r;
}

/* Temp file in the same directory, fsync, rename, fsync the directory. */
int iam_auth_cache_write(const char *path, const struct iam_auth_user *users, size_t n_users,
                         uint64_t serial, struct iam_error *reterr) {
    void *data = NULL;
    size_t len = 0;
    int r;

    if (!path || !*path) {
        iam_error_set(reterr, 0, 0, 0, "no cache path");
        return -EINVAL;
    }
    iam_error_set_source(reterr, path);
    r = iam_auth_cache_build(users, n_users, serial, &data, &len, reterr);
    if (r < 0)
        return r;
    r = iam_file_write_atomic(path, data, len, 0600, reterr);
    sodium_memzero(data, len);
    free(data);
    return r;
}

/* ---- the image of a few changed users, from the previous image ---------------------------- */

_Static_assert(IAM_AUTH_CACHE_KEY_LEN == crypto_shorthash_KEYBYTES, "one key size");

/* A document of the old image: where it lies and what it holds (pointers into the image). */
struct old_doc {
    uint64_t off;
    uint32_t len;
    enum iam_auth_policy_kind kind;
    const char *type, *id, *text;
    size_t type_len, id_len, text_len;
};

/* A record of the old image, in file (= user) order. */
struct old_rec {
    uint64_t off;
    uint32_t len;
    const char *name;
    size_t name_len;
    uint32_t refs_at, n_refs; /* where its document references start, from off */
    size_t ref0;              /* its first reference's entry in patch.ref_doc */
    const struct iam_auth_user *repl; /* the changed user in its place, or NULL */
};

struct patch {
    const uint8_t *img;
    size_t len;
    struct ac_header2 h;
    struct old_doc *docs;
    size_t n_docs;
    struct old_rec *recs;
    size_t n_recs;
    /* the changed users; those old lacks, in order (appended); each one's documents */
    const struct iam_auth_user *changed;
    size_t n_changed;
    const struct iam_auth_user **app;
    size_t n_app;
    uint32_t *cdocs;
    size_t *cstart;
    /* the documents of changed users that old lacks: views of their iam_auth_policy */
    const struct iam_auth_policy **fresh;
    size_t n_fresh;
    /* old documents by offset (index + 1; open addressing), and the document each old
     * reference names, found once */
    uint32_t *doc_slots;
    size_t n_doc_slots;
    uint32_t *ref_doc;
    size_t n_refs;
    /* per document (old ones, then fresh ones): its place in the new image (+1; 0: unused) */
    uint32_t *order;
    uint64_t *new_off;
    uint32_t *new_len;
};

static void patch_free(struct patch *p) {
    free(p->app);
    free(p->cdocs);
    free(p->cstart);
    free(p->doc_slots);
    free(p->ref_doc);
    free(p->docs);
    free(p->recs);
    free(p->fresh);
    free(p->order);
    free(p->new_off);
    free(p->new_len);
}

/* A cursor over a bounded piece of the image. */
struct rd {
    const uint8_t *p, *end;
    bool bad;
};

static uint32_t rd_u32(struct rd *r) {
    uint32_t v = 0;

    if (r->bad || r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static void rd_skip(struct rd *r, size_t n) {
    if (r->bad || (size_t)(r->end - r->p) < n)
        r->bad = true;
    else
        r->p += n;
}

/* A string as put by buf_str: its bytes (NUL-terminated in the image) and length. */
static const char *rd_str(struct rd *r, size_t *ret_len) {
    uint32_t n = rd_u32(r);
    const char *s = (const char *)r->p;

    if (r->bad || (size_t)(r->end - r->p) <= n || r->p[n] != '\0') {
        r->bad = true;
        return NULL;
    }
    r->p += n + 1;
    if (ret_len)
        *ret_len = n;
    return s;
}

static int patch_bad(struct iam_error *reterr, const char *what) {
    iam_error_set(reterr, 0, 0, 0, "the previous auth.cache cannot be reused: %s", what);
    return -EBADMSG;
}

static int patch_header(struct patch *p, struct iam_error *reterr) {
    struct ac_header2 *h = &p->h;
    uint8_t sum[AC_SUM_LEN];

    if (p->len < sizeof(*h))
        return patch_bad(reterr, "too short");
    memcpy(h, p->img, sizeof(*h));
    if (memcmp(h->magic, AC_MAGIC, AC_MAGIC_LEN) != 0 || h->byte_order != AC_BYTE_ORDER_MARK ||
        h->version != IAM_AUTH_CACHE_VERSION || h->header_size != sizeof(*h) ||
        h->slot_size != sizeof(struct ac_slot) || h->file_size != p->len ||
        h->n_slots < 8 || (h->n_slots & (h->n_slots - 1)) || h->n_slots > 4 * (uint64_t)IAM_AUTH_MAX_USERS ||
        h->n_users > IAM_AUTH_MAX_USERS || h->n_slots < 2 * h->n_users ||
        h->index_off != sizeof(*h) ||
        h->docs_off != h->index_off + h->n_slots * sizeof(struct ac_slot) ||
        h->docs_len > p->len || h->docs_off > p->len - h->docs_len ||
        h->records_off != h->docs_off + h->docs_len)
        return patch_bad(reterr, "header");
    crypto_generichash(sum, sizeof(sum), p->img, offsetof(struct ac_header2, header_sum), NULL, 0);
    if (sodium_memcmp(sum, h->header_sum, sizeof(sum)) != 0)
        return patch_bad(reterr, "header checksum");
    /* the index is not checked: a name found through it is compared with its record, and
     * the new index is made afresh */
    return 0;
}

/* Every document, in file order. */
static int patch_docs(struct patch *p, struct iam_error *reterr) {
    struct rd r = {.p = p->img + p->h.docs_off, .end = p->img + p->h.records_off};
    size_t cap = 0;

    while (r.p < r.end) {
        struct old_doc *d;
        const uint8_t *start = r.p;

        if (p->n_docs == cap) {
            struct old_doc *nd = reallocarray(p->docs, cap = cap ? cap * 2 : 256, sizeof(*nd));
            if (!nd) {
                iam_error_set(reterr, 0, 0, 0, "out of memory");
                return -ENOMEM;
            }
            p->docs = nd;
        }
        d = &p->docs[p->n_docs];
        rd_skip(&r, AC_SUM_LEN);
        if (rd_u32(&r) != AC_DOC_MAGIC)
            r.bad = true;
        d->kind = (enum iam_auth_policy_kind)rd_u32(&r);
        d->type = rd_str(&r, &d->type_len);
        d->id = rd_str(&r, &d->id_len);
        d->text = rd_str(&r, &d->text_len);
        if (r.bad)
            return patch_bad(reterr, "a policy document");
        d->off = (uint64_t)(start - p->img);
        d->len = (uint32_t)(r.p - start);
        p->n_docs++;
    }
    return 0;
}

/* One record: its name and where its references are; r is left at its end. */
static void patch_record(struct rd *r, const uint8_t *start, struct old_rec *rec) {
    uint32_t flags, n_keys, n_tags, n_groups, n_pol;

    rd_skip(r, AC_SUM_LEN);
    if (rd_u32(r) != AC_RECORD_MAGIC)
        r->bad = true;
    flags = rd_u32(r);
    n_keys = rd_u32(r);
    n_tags = rd_u32(r);
    n_groups = rd_u32(r);
    n_pol = rd_u32(r);
    rec->name = rd_str(r, &rec->name_len);
    (void)rd_str(r, NULL); /* user id */
    (void)rd_str(r, NULL); /* ARN */
    (void)rd_str(r, NULL); /* password hash */
    for (uint32_t k = 0; k < n_keys && !r->bad; k++) {
        (void)rd_str(r, NULL);
        (void)rd_str(r, NULL);
        rd_skip(r, 8);
        (void)rd_str(r, NULL);
    }
    for (uint32_t k = 0; k < 2 * n_tags + n_groups && !r->bad; k++)
        (void)rd_str(r, NULL);
    rec->refs_at = (uint32_t)(r->p - start);
    rec->n_refs = n_pol;
    if (n_pol > IAM_AUTH_MAX_ITEMS)
        r->bad = true;
    rd_skip(r, (size_t)n_pol * AC_REF_LEN);
    if (flags & AC_REC_FLAG_EXPIRES)
        rd_skip(r, 8);
    if (flags & AC_REC_FLAG_MFA) {
        uint32_t n = rd_u32(r);
        for (uint32_t k = 0; k < n && !r->bad; k++) {
            (void)rd_str(r, NULL);
            (void)rd_str(r, NULL);
            rd_skip(r, 16);
        }
    }
    if (flags & AC_REC_FLAG_ROLE)
        rd_skip(r, 8); /* max_session_duration */
}

/* Every record, in file order: as many as the header says, filling the file. */
static int patch_records(struct patch *p, struct iam_error *reterr) {
    struct rd r = {.p = p->img + p->h.records_off, .end = p->img + p->len};

    p->recs = calloc(p->h.n_users + 1, sizeof(*p->recs));
    if (!p->recs) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    while (r.p < r.end && p->n_recs < p->h.n_users) {
        struct old_rec *rec = &p->recs[p->n_recs];
        const uint8_t *start = r.p;

        patch_record(&r, start, rec);
        if (r.bad || (size_t)(r.p - start) > IAM_AUTH_MAX_RECORD)
            return patch_bad(reterr, "a record");
        rec->off = (uint64_t)(start - p->img);
        rec->len = (uint32_t)(r.p - start);
        rec->ref0 = p->n_refs;
        p->n_refs += rec->n_refs;
        p->n_recs++;
    }
    if (r.p != r.end || p->n_recs != p->h.n_users)
        return patch_bad(reterr, "the records do not fill the file");
    return 0;
}

/* The old record named name (through the old index), or SIZE_MAX. */
static size_t patch_find(const struct patch *p, const char *name) {
    const struct ac_slot *slots = (const struct ac_slot *)(p->img + p->h.index_off);
    uint64_t hash = name_hash(p->h.hash_key, name), n = p->h.n_slots;
    size_t len = strlen(name);

    for (uint64_t pos = hash & (n - 1), k = 0; slots[pos].rec_off && k < n;
         pos = (pos + 1) & (n - 1), k++) {
        size_t lo = 0, hi = p->n_recs;
        uint64_t off = slots[pos].rec_off;

        if (slots[pos].name_hash != hash)
            continue;
        while (lo < hi) { /* records are in offset order */
            size_t mid = lo + (hi - lo) / 2;
            if (p->recs[mid].off < off)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->n_recs && p->recs[lo].off == off && p->recs[lo].name_len == len &&
            memcmp(p->recs[lo].name, name, len) == 0)
            return lo;
    }
    return SIZE_MAX;
}

static size_t doc_slot_of(uint64_t off, size_t n_slots) {
    return (size_t)((off * 0x9E3779B97F4A7C15ull) >> 32) & (n_slots - 1);
}

/* The table of old documents by offset. */
static int patch_doc_index(struct patch *p) {
    p->n_doc_slots = 16;
    while (p->n_doc_slots < 2 * p->n_docs)
        p->n_doc_slots *= 2;
    p->doc_slots = calloc(p->n_doc_slots, sizeof(*p->doc_slots));
    if (!p->doc_slots)
        return -ENOMEM;
    for (size_t i = 0; i < p->n_docs; i++) {
        size_t j = doc_slot_of(p->docs[i].off, p->n_doc_slots);
        while (p->doc_slots[j])
            j = (j + 1) & (p->n_doc_slots - 1);
        p->doc_slots[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* The old document at off, len, or SIZE_MAX. */
static size_t patch_doc_at(const struct patch *p, uint64_t off, uint32_t len) {
    for (size_t j = doc_slot_of(off, p->n_doc_slots); p->doc_slots[j];
         j = (j + 1) & (p->n_doc_slots - 1)) {
        const struct old_doc *d = &p->docs[p->doc_slots[j] - 1];
        if (d->off == off)
            return d->len == len ? p->doc_slots[j] - 1 : SIZE_MAX;
    }
    return SIZE_MAX;
}

static bool same_str(const char *a, size_t a_len, const char *b) {
    b = b ? b : "";
    return strlen(b) == a_len && memcmp(a, b, a_len) == 0;
}

/* The document index (old ones first, then fresh) holding what pol says: the same kind,
 * source type, source id and text. A document of a changed user not in old becomes a fresh
 * one. A linear search of old's documents for each: changed users are few, and so is the
 * work. SIZE_MAX on ENOMEM. */
static size_t patch_doc_of(struct patch *p, const struct iam_auth_policy *pol, size_t *cap) {
    const char *text = pol->text ? pol->text : "";
    size_t text_len = pol->text ? pol->text_len : 0;

    for (size_t i = 0; i < p->n_docs; i++) {
        const struct old_doc *d = &p->docs[i];
        if (d->kind == pol->kind && d->text_len == text_len &&
            memcmp(d->text, text, text_len) == 0 && same_str(d->id, d->id_len, pol->source_id) &&
            same_str(d->type, d->type_len, pol->source_type))
            return i;
    }
    for (size_t i = 0; i < p->n_fresh; i++) {
        const struct iam_auth_policy *f = p->fresh[i];
        if (f->kind == pol->kind && f->text_len == pol->text_len &&
            (text_len == 0 || memcmp(f->text, pol->text, text_len) == 0) &&
            strcmp(f->source_id ? f->source_id : "", pol->source_id ? pol->source_id : "") == 0 &&
            strcmp(f->source_type ? f->source_type : "", pol->source_type ? pol->source_type : "") == 0)
            return p->n_docs + i;
    }
    if (p->n_fresh == *cap) {
        const struct iam_auth_policy **nf = reallocarray(
            p->fresh, *cap = *cap ? *cap * 2 : 16, sizeof(const struct iam_auth_policy *));
        if (!nf)
            return SIZE_MAX;
        p->fresh = nf;
    }
    p->fresh[p->n_fresh++] = pol;
    return p->n_docs + p->n_fresh - 1;
}

/* The documents of a changed user, as indexes (cdocs[k] for its k-th policy). */
static int patch_changed_docs(struct patch *p, const struct iam_auth_user *changed,
                              size_t n_changed, uint32_t **ret_cdocs, size_t **ret_start,
                              struct iam_error *reterr) {
    size_t total = 0, cap = 0, *start = calloc(n_changed + 1, sizeof(*start));
    uint32_t *cdocs;

    for (size_t i = 0; i < n_changed; i++)
        total += changed[i].n_policies;
    cdocs = calloc(total + 1, sizeof(*cdocs));
    if (!start || !cdocs) {
        free(start);
        free(cdocs);
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    total = 0;
    for (size_t i = 0; i < n_changed; i++) {
        start[i] = total;
        for (size_t k = 0; k < changed[i].n_policies; k++) {
            size_t d = patch_doc_of(p, &changed[i].policies[k], &cap);
            if (d == SIZE_MAX) {
                free(start);
                free(cdocs);
                iam_error_set(reterr, 0, 0, 0, "out of memory");
                return -ENOMEM;
            }
            cdocs[total++] = (uint32_t)d;
        }
    }
    *ret_cdocs = cdocs;
    *ret_start = start;
    return 0;
}

/* The k-th document reference of an old record: the old document it names, or SIZE_MAX. */
static size_t patch_ref(const struct patch *p, const struct old_rec *rec, uint32_t k,
                        uint64_t *ret_off, uint32_t *ret_len) {
    const uint8_t *at = p->img + rec->off + rec->refs_at + (size_t)k * AC_REF_LEN;

    memcpy(ret_off, at, sizeof(*ret_off));
    memcpy(ret_len, at + 8, sizeof(*ret_len));
    return patch_doc_at(p, *ret_off, *ret_len);
}

/* Mark document d used, in first-use order (the order iam_auth_cache_build writes them). */
static void patch_use(struct patch *p, size_t d, uint32_t *seq, uint32_t *n_seq) {
    if (!p->order[d]) {
        seq[*n_seq] = (uint32_t)d;
        p->order[d] = ++*n_seq;
    }
}

int iam_auth_cache_key_of(const void *img, size_t len, uint8_t key[IAM_AUTH_CACHE_KEY_LEN]) {
    struct ac_header2 h;

    if (!img || len < sizeof(h))
        return -EBADMSG;
    memcpy(&h, img, sizeof(h));
    if (memcmp(h.magic, AC_MAGIC, AC_MAGIC_LEN) != 0 || h.byte_order != AC_BYTE_ORDER_MARK ||
        h.version != IAM_AUTH_CACHE_VERSION)
        return -EBADMSG;
    memcpy(key, h.hash_key, IAM_AUTH_CACHE_KEY_LEN);
    return 0;
}

/* Each changed user in place of its namesake, or after the others (p->app). */
static int patch_match(struct patch *p, struct iam_error *reterr) {
    int r;

    p->app = calloc(p->n_changed + 1, sizeof(const struct iam_auth_user *));
    if (!p->app) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < p->n_changed; i++) {
        const struct iam_auth_user *c = &p->changed[i];
        size_t at;

        if ((r = check_user(c, i, reterr)) < 0)
            return r;
        at = patch_find(p, c->name);
        if (at != SIZE_MAX && !p->recs[at].repl) {
            p->recs[at].repl = c;
            continue;
        }
        for (size_t k = 0; k < p->n_app && at == SIZE_MAX; k++)
            if (strcmp(p->app[k]->name, c->name) == 0)
                at = k;
        if (at != SIZE_MAX) {
            iam_error_set(reterr, 0, 0, 0, "duplicate user name \"%.64s\"", c->name);
            return -EINVAL;
        }
        p->app[p->n_app++] = c;
    }
    if (p->n_recs + p->n_app > IAM_AUTH_MAX_USERS) {
        iam_error_set(reterr, 0, 0, 0, "%zu users: over the limit of %u", p->n_recs + p->n_app,
                      IAM_AUTH_MAX_USERS);
        return -E2BIG;
    }
    return 0;
}

/* User i of the new image: a changed one (its view), or NULL for old record i. */
static const struct iam_auth_user *patch_user(const struct patch *p, size_t i) {
    return i < p->n_recs ? p->recs[i].repl : p->app[i - p->n_recs];
}

/* The documents in the order of their first use over the users in their new order (the
 * order iam_auth_cache_build writes them): seq[0..*ret_n). */
static int patch_order(struct patch *p, uint32_t *seq, uint32_t *ret_n,
                       struct iam_error *reterr) {
    size_t n_users = p->n_recs + p->n_app;

    *ret_n = 0;
    for (size_t i = 0; i < n_users; i++) {
        const struct iam_auth_user *u = patch_user(p, i);
        const struct old_rec *rec = &p->recs[i];

        if (u) {
            size_t c = (size_t)(u - p->changed);
            for (size_t k = 0; k < u->n_policies; k++)
                patch_use(p, p->cdocs[p->cstart[c] + k], seq, ret_n);
            continue;
        }
        for (uint32_t k = 0; k < rec->n_refs; k++) {
            uint64_t off;
            uint32_t len;
            size_t d = patch_ref(p, rec, k, &off, &len);
            if (d == SIZE_MAX)
                return patch_bad(reterr, "a record names no document");
            p->ref_doc[rec->ref0 + k] = (uint32_t)d;
            patch_use(p, d, seq, ret_n);
        }
    }
    return 0;
}

/* The documents at the end of b, in seq's order: old ones copied, fresh ones written. */
static int patch_put_docs(struct patch *p, struct buf *b, const uint32_t *seq, uint32_t n_seq,
                          struct iam_error *reterr) {
    for (uint32_t i = 0; i < n_seq; i++) {
        size_t d = seq[i];

        p->new_off[d] = b->len;
        if (d < p->n_docs)
            buf_put(b, p->img + p->docs[d].off, p->docs[d].len);
        else if (p->fresh && d - p->n_docs < p->n_fresh)
            put_doc(b, p->fresh[d - p->n_docs]);
        else
            b->err = -EINVAL; /* no such document: cannot happen */
        if (b->err) {
            if (b->err == -E2BIG)
                iam_error_set(reterr, 0, 0, 0, "a policy document over %u bytes",
                              IAM_AUTH_MAX_RECORD);
            return b->err;
        }
        p->new_len[d] = (uint32_t)(b->len - p->new_off[d]);
    }
    return 0;
}

/* Old record rec copied to the end of b; its references redone (and its checksum) when its
 * documents moved. */
static void patch_copy_record(const struct patch *p, struct buf *b, const struct old_rec *rec) {
    uint64_t rec_off = b->len;
    bool moved = false;

    buf_put(b, p->img + rec->off, rec->len);
    if (b->err || !p->docs) /* no documents: no references (patch_order checked) */
        return;
    for (uint32_t k = 0; k < rec->n_refs; k++) {
        size_t d = p->ref_doc[rec->ref0 + k];
        uint8_t *at = b->p + rec_off + rec->refs_at + (size_t)k * AC_REF_LEN;

        if (p->new_off[d] == p->docs[d].off && p->new_len[d] == p->docs[d].len)
            continue;
        memcpy(at, &p->new_off[d], sizeof(p->new_off[d]));
        memcpy(at + 8, &p->new_len[d], sizeof(p->new_len[d]));
        moved = true;
    }
    if (moved)
        crypto_generichash(b->p + rec_off, AC_SUM_LEN, b->p + rec_off + AC_SUM_LEN,
                           rec->len - AC_SUM_LEN, NULL, 0);
}

/* Every record at the end of b, each in its slot of the index (at h->index_off). */
static int patch_put_records(struct patch *p, struct buf *b, const struct ac_header2 *h,
                             struct iam_error *reterr) {
    struct ac_ref refs[IAM_AUTH_MAX_ITEMS];
    size_t n_users = p->n_recs + p->n_app;

    for (size_t i = 0; i < n_users; i++) {
        const struct iam_auth_user *u = patch_user(p, i);
        uint64_t rec_off = b->len;
        const char *name;

        if (u) {
            size_t c = (size_t)(u - p->changed);
            for (size_t k = 0; k < u->n_policies; k++) {
                size_t d = p->cdocs[p->cstart[c] + k];
                refs[k] = (struct ac_ref){.off = p->new_off[d], .len = p->new_len[d]};
            }
            put_record(b, u, refs);
            name = u->name;
        } else {
            patch_copy_record(p, b, &p->recs[i]);
            name = p->recs[i].name; /* NUL-terminated in the image (checked when read) */
        }
        if (b->err) {
            if (u && b->err == -E2BIG)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": record over %u bytes", u->name,
                              IAM_AUTH_MAX_RECORD);
            else if (u && b->err == -EINVAL)
                iam_error_set(reterr, 0, 0, 0, "user \"%.64s\": missing field or NUL in a "
                              "string", u->name);
            return b->err;
        }
        slot_insert((struct ac_slot *)(b->p + h->index_off), h->n_slots,
                    name_hash(h->hash_key, name), rec_off, (uint32_t)(b->len - rec_off));
    }
    return 0;
}

/* The index sealed, the sums, the header at the start of b. */
static void patch_seal(struct buf *b, struct ac_header2 *h) {
    struct ac_slot *slots = (struct ac_slot *)(b->p + h->index_off);

    for (uint64_t i = 0; i < h->n_slots; i++)
        if (slots[i].rec_off != 0)
            slot_seal(&slots[i], i, h->hash_key);
    h->file_size = b->len;
    crypto_generichash(h->index_sum, AC_SUM_LEN, b->p + h->index_off,
                       h->n_slots * sizeof(struct ac_slot), NULL, 0);
    crypto_generichash(h->header_sum, AC_SUM_LEN, (const uint8_t *)h,
                       offsetof(struct ac_header2, header_sum), NULL, 0);
    memcpy(b->p, h, sizeof(*h));
}

int iam_auth_cache_patch(const void *old, size_t old_len, const struct iam_auth_user *changed,
                         size_t n_changed, uint64_t serial, size_t *ret_n_appended,
                         void **ret_buf, size_t *ret_len, struct iam_error *reterr) {
    struct patch p = {.img = old, .len = old_len, .changed = changed, .n_changed = n_changed};
    uint32_t *seq = NULL, n_seq = 0;
    struct ac_header2 h;
    struct buf b = {0};
    size_t n_all;
    int r;

    if (!old || !ret_buf || !ret_len || (n_changed && !changed))
        return -EINVAL;
    if (sodium_init() < 0)
        return -ENOTSUP;
    if ((r = patch_header(&p, reterr)) < 0 || (r = patch_docs(&p, reterr)) < 0 ||
        (r = patch_records(&p, reterr)) < 0 || (r = patch_match(&p, reterr)) < 0 ||
        (r = patch_changed_docs(&p, changed, n_changed, &p.cdocs, &p.cstart, reterr)) < 0)
        goto out;
    n_all = p.n_docs + p.n_fresh;
    p.order = calloc(n_all + 1, sizeof(*p.order));
    p.new_off = calloc(n_all + 1, sizeof(*p.new_off));
    p.new_len = calloc(n_all + 1, sizeof(*p.new_len));
    p.ref_doc = malloc((p.n_refs + 1) * sizeof(*p.ref_doc));
    seq = calloc(n_all + 1, sizeof(*seq));
    if (!p.order || !p.new_off || !p.new_len || !seq || !p.ref_doc || patch_doc_index(&p) < 0) {
        iam_error_set(reterr, 0, 0, 0, "out of memory");
        r = -ENOMEM;
        goto out;
    }
    if ((r = patch_order(&p, seq, &n_seq, reterr)) < 0)
        goto out;
    /* the header and index as iam_auth_cache_build makes them */
    h = p.h;
    h.serial = serial;
    h.n_users = p.n_recs + p.n_app;
    h.n_slots = 8;
    while (h.n_slots < 2 * h.n_users)
        h.n_slots *= 2;
    h.docs_off = h.index_off + h.n_slots * sizeof(struct ac_slot);
    buf_reserve(&b, h.docs_off + old_len - p.h.docs_off + 4096 * (n_changed + 1));
    if (b.err || !b.p) {
        r = b.err ? b.err : -ENOMEM;
        goto out;
    }
    memset(b.p, 0, h.docs_off);
    b.len = h.docs_off;
    if ((r = patch_put_docs(&p, &b, seq, n_seq, reterr)) < 0)
        goto out;
    h.docs_len = b.len - h.docs_off;
    h.records_off = b.len;
    if ((r = patch_put_records(&p, &b, &h, reterr)) < 0)
        goto out;
    patch_seal(&b, &h);
    *ret_buf = b.p;
    *ret_len = b.len;
    if (ret_n_appended)
        *ret_n_appended = p.n_app;
    b.p = NULL;
    r = 0;
out:
    if (b.p) {
        sodium_memzero(b.p, b.cap);
        free(b.p);
    }
    patch_free(&p);
    free(seq);
    return r;
}
