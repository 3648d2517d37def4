/* SPDX-License-Identifier: Apache-2.0 */
/* Reader of auth.cache (format in format.h): pread of the header, the probed
 * slots and one record per lookup. Every offset and length is checked before use. */
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
#include "iam_cache_dir.h"

struct iam_auth_cache {
    int fd;
    struct ac_header2 h; /* a version 1 header is held here too, without documents */
    char *path;
    struct stat st;         /* of the file open */
    char cur[PATH_MAX + 1]; /* its path, as iam_cache_current_path() gives it */
};

struct iam_auth_record {
    struct iam_auth_user user; /* views into data, docs and the arrays below */
    uint8_t *data;
    size_t len;
    uint8_t *docs; /* version 2: the documents the record refers to, read after it */
    size_t docs_len;
    void *arrays; /* one block: keys, tags, groups, policies */
    size_t arrays_len;
    struct iam_auth_mfa *mfa; /* MFA devices */
};

static int bad(struct iam_error *reterr, const char *what) {
    iam_error_set(reterr, 0, 0, 0, "%s", what);
    return -EBADMSG;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off) {
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -EIO;
        }
        if (n == 0)
            return -EBADMSG; /* shorter than the header says */
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* Version 1's header into the version 2 form (no documents). */
static void header_from_v1(const struct ac_header *v1, struct ac_header2 *h) {
    memset(h, 0, sizeof(*h));
    memcpy(h, v1, offsetof(struct ac_header, reserved));
    h->docs_off = v1->records_off;
    h->docs_len = 0;
}

/* The layout the header describes must be the one the writer makes. */
static bool header_consistent(const struct ac_header2 *h, uint64_t file_size) {
    uint64_t slots_end;

    if (h->slot_size != sizeof(struct ac_slot) || h->file_size != file_size ||
        h->n_users > IAM_AUTH_MAX_USERS || h->n_slots < 8 ||
        h->n_slots > 4ull * IAM_AUTH_MAX_USERS || (h->n_slots & (h->n_slots - 1)) ||
        h->n_slots < 2 * h->n_users || h->index_off != h->header_size)
        return false;
    slots_end = h->index_off + h->n_slots * sizeof(struct ac_slot);
    return h->docs_off == slots_end && h->docs_len <= file_size &&
           h->docs_off <= file_size - h->docs_len && h->records_off == h->docs_off + h->docs_len &&
           h->records_off <= file_size;
}

static int read_header(int fd, uint64_t file_size, struct ac_header2 *h,
                       struct iam_error *reterr) {
    union {
        struct ac_header v1;
        struct ac_header2 v2;
    } buf;
    uint8_t sum[AC_SUM_LEN];
    size_t sum_at;
    int r;

    if (file_size < sizeof(struct ac_header))
        return bad(reterr, "truncated header");
    r = pread_all(fd, &buf, file_size < sizeof(buf.v2) ? sizeof(buf.v1) : sizeof(buf.v2), 0);
    if (r < 0) {
        iam_error_set(reterr, 0, 0, 0, "cannot read the header");
        return r;
    }
    if (memcmp(buf.v1.magic, AC_MAGIC, AC_MAGIC_LEN) != 0 ||
        buf.v1.byte_order != AC_BYTE_ORDER_MARK)
        return bad(reterr, "not an auth cache (bad magic)");
    if (buf.v1.version == 1 && buf.v1.header_size == sizeof(buf.v1)) {
        sum_at = offsetof(struct ac_header, header_sum);
        crypto_generichash(sum, sizeof(sum), (const uint8_t *)&buf.v1, sum_at, NULL, 0);
        if (sodium_memcmp(sum, buf.v1.header_sum, sizeof(sum)) != 0)
            return bad(reterr, "header checksum mismatch");
        header_from_v1(&buf.v1, h);
    } else if (buf.v2.version == IAM_AUTH_CACHE_VERSION && buf.v2.header_size == sizeof(buf.v2) &&
               file_size >= sizeof(buf.v2)) {
        sum_at = offsetof(struct ac_header2, header_sum);
        crypto_generichash(sum, sizeof(sum), (const uint8_t *)&buf.v2, sum_at, NULL, 0);
        if (sodium_memcmp(sum, buf.v2.header_sum, sizeof(sum)) != 0)
            return bad(reterr, "header checksum mismatch");
        *h = buf.v2;
    } else if (buf.v1.version != 1 && buf.v1.version != IAM_AUTH_CACHE_VERSION) {
        iam_error_set(reterr, 0, 0, 0, "version %u, this reader knows 1 and %u", buf.v1.version,
                      IAM_AUTH_CACHE_VERSION);
        return -ENOTSUP;
    } else {
        return bad(reterr, "inconsistent header");
    }
    if (!header_consistent(h, file_size))
        return bad(reterr, "inconsistent header");
    return 0;
}

int iam_auth_cache_open(const char *path, struct iam_auth_cache **ret_cache,
                        struct iam_error *reterr) {
    struct iam_auth_cache *c = NULL;
    int fd = -1, r = -EINVAL;

    if (!path || !ret_cache)
        goto out;
    iam_error_set_source(reterr, path);
    if (sodium_init() < 0) {
        r = -ENOTSUP;
        goto out;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        r = -ENOMEM;
        goto out;
    }
    c->fd = -1;
    /* through <cache_dir>/current when the directory has generations (iam_cache_dir.h):
     * the auth.cache compiled with the nss.cache readers see */
    r = iam_cache_open_current(path, geteuid(), &fd, &c->st, c->cur, sizeof(c->cur));
    if (r < 0) {
        fd = -1;
        if (r == -EACCES)
            iam_error_set(reterr, 0, 0, 0,
                          "unsafe: a symbolic link, or not a regular file or directory owned "
                          "by root and closed to group and other writes");
        else
            iam_error_set(reterr, 0, 0, 0, "%s", strerror(-r));
        goto out;
    }
    if (c->st.st_mode & 0077) {
        iam_error_set(reterr, 0, 0, 0, "unsafe: must be a regular file owned by root, mode "
                      "0600 (is uid %u, mode %04o)",
                      (unsigned)c->st.st_uid, (unsigned)(c->st.st_mode & 07777));
        r = -EACCES;
        goto out;
    }
    if ((r = read_header(fd, (uint64_t)c->st.st_size, &c->h, reterr)) < 0)
        goto out;
    c->path = strdup(path);
    if (!c->path) {
        r = -ENOMEM;
        goto out;
    }
    c->fd = fd;
    fd = -1;
    *ret_cache = c;
    c = NULL;
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    iam_auth_cache_close(c);
    return r;
}

void iam_auth_cache_close(struct iam_auth_cache *c) {
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->path);
    free(c);
}

const char *iam_auth_cache_identity(const struct iam_auth_cache *c, struct stat *ret_st) {
    *ret_st = c->st;
    return c->cur;
}

uint64_t iam_auth_cache_serial(const struct iam_auth_cache *c) {
    return c ? c->h.serial : 0;
}

uint64_t iam_auth_cache_n_users(const struct iam_auth_cache *c) {
    return c ? c->h.n_users : 0;
}

void iam_auth_record_free(struct iam_auth_record *rec) {
    if (!rec)
        return;
    if (rec->data) {
        sodium_memzero(rec->data, rec->len);
        free(rec->data);
    }
    if (rec->docs) {
        sodium_memzero(rec->docs, rec->docs_len);
        free(rec->docs);
    }
    if (rec->arrays) {
        sodium_memzero(rec->arrays, rec->arrays_len);
        free(rec->arrays);
    }
    if (rec->mfa) {
        sodium_memzero(rec->mfa, IAM_AUTH_MAX_MFA * sizeof(*rec->mfa));
        free(rec->mfa);
    }
    sodium_memzero(rec, sizeof(*rec));
    free(rec);
}

const struct iam_auth_user *iam_auth_record_user(const struct iam_auth_record *rec) {
    return rec ? &rec->user : NULL;
}

/* A cursor over one record's bytes. */
struct cur {
    const uint8_t *p;
    size_t len, pos;
    int err;
};

static uint32_t cur_u32(struct cur *c) {
    uint32_t v = 0;

    if (c->err || c->len - c->pos < sizeof(v)) {
        c->err = -EBADMSG;
        return 0;
    }
    memcpy(&v, c->p + c->pos, sizeof(v));
    c->pos += sizeof(v);
    return v;
}

static int64_t cur_i64(struct cur *c) {
    int64_t v = 0;

    if (c->err || c->len - c->pos < sizeof(v)) {
        c->err = -EBADMSG;
        return 0;
    }
    memcpy(&v, c->p + c->pos, sizeof(v));
    c->pos += sizeof(v);
    return v;
}

/* A string: u32 length, bytes, NUL; no NUL inside. */
static const char *cur_str(struct cur *c, size_t *ret_len) {
    uint32_t len = cur_u32(c);
    const char *s;

    if (c->err)
        return NULL;
    if ((size_t)len >= c->len - c->pos || c->p[c->pos + len] != '\0' ||
        memchr(c->p + c->pos, '\0', len) != NULL) {
        c->err = -EBADMSG;
        return NULL;
    }
    s = (const char *)c->p + c->pos;
    c->pos += (size_t)len + 1;
    if (ret_len)
        *ret_len = len;
    return s;
}

/* kind, source type, source id, text: a version 1 record's policy, a version 2 document. */
static void decode_policy(struct cur *c, struct iam_auth_policy *p) {
    uint32_t kind = cur_u32(c);

    if (kind != IAM_AUTH_POLICY_IDENTITY && kind != IAM_AUTH_POLICY_BOUNDARY &&
        kind != IAM_AUTH_POLICY_TRUST)
        c->err = -EBADMSG;
    p->kind = (enum iam_auth_policy_kind)kind;
    p->source_type = cur_str(c, NULL);
    p->source_id = cur_str(c, NULL);
    p->text = cur_str(c, &p->text_len);
}

/* Version 2: the record's np document references (at c), each read, checked and decoded
 * into pols; the documents' bytes are the record's (rec->docs). 0, -EBADMSG or -ENOMEM. */
static int read_docs(struct iam_auth_cache *cache, struct iam_auth_record *rec, struct cur *c,
                     uint32_t np, struct iam_auth_policy *pols, struct iam_error *reterr) {
    const uint64_t lo = cache->h.docs_off, hi = cache->h.docs_off + cache->h.docs_len;
    size_t refs_at = c->pos, total = 0, at = 0;

    for (uint32_t i = 0; i < np; i++) {
        uint64_t off = (uint64_t)cur_i64(c);
        uint32_t len = cur_u32(c);
        if (c->err || off < lo || len < AC_DOC_FIXED || off > hi || len > hi - off ||
            len > IAM_AUTH_MAX_RECORD - total)
            return -EBADMSG;
        total += len;
    }
    rec->docs = malloc(total ? total : 1);
    if (!rec->docs)
        return -ENOMEM;
    rec->docs_len = total;
    c->pos = refs_at;
    for (uint32_t i = 0; i < np; i++) {
        uint64_t off = (uint64_t)cur_i64(c);
        uint32_t len = cur_u32(c);
        uint8_t sum[AC_SUM_LEN];
        struct cur d = {.p = rec->docs + at, .len = len, .pos = AC_SUM_LEN};
        int r = pread_all(cache->fd, rec->docs + at, len, off);

        if (r < 0)
            return r == -EBADMSG ? bad(reterr, "truncated document") : -EBADMSG;
        crypto_generichash(sum, sizeof(sum), rec->docs + at + AC_SUM_LEN, len - AC_SUM_LEN, NULL,
                           0);
        if (sodium_memcmp(sum, rec->docs + at, sizeof(sum)) != 0 || cur_u32(&d) != AC_DOC_MAGIC)
            return -EBADMSG;
        decode_policy(&d, &pols[i]);
        if (d.err || d.pos != d.len)
            return -EBADMSG;
        at += len;
    }
    return 0;
}

/* Decode data (already checksum-verified) into rec->user. */
static int decode_record(struct iam_auth_cache *cache, struct iam_auth_record *rec,
                         struct iam_error *reterr) {
    struct cur c = {.p = rec->data, .len = rec->len, .pos = AC_SUM_LEN};
    struct iam_auth_user *u = &rec->user;
    struct iam_auth_key *keys;
    struct iam_auth_tag *tags;
    const char **groups;
    struct iam_auth_policy *pols;
    uint32_t magic, flags, nk, nt, ng, np;
    size_t need;
    const char *s;

    magic = cur_u32(&c);
    flags = cur_u32(&c);
    nk = cur_u32(&c);
    nt = cur_u32(&c);
    ng = cur_u32(&c);
    np = cur_u32(&c);
    if (c.err || magic != AC_RECORD_MAGIC || nk > IAM_AUTH_MAX_ITEMS ||
        nt > IAM_AUTH_MAX_ITEMS || ng > IAM_AUTH_MAX_ITEMS || np > IAM_AUTH_MAX_ITEMS)
        return bad(reterr, "malformed record header");

    need = nk * sizeof(*keys) + nt * sizeof(*tags) + ng * sizeof(*groups) + np * sizeof(*pols);
    /* Never NULL, even for a record with no key, tag, group or policy: the pointers below
     * are then one past an empty array and never dereferenced. */
    rec->arrays = calloc(1, need > 0 ? need : 1);
    if (!rec->arrays)
        return -ENOMEM;
    rec->arrays_len = need;
    keys = rec->arrays;
    tags = (struct iam_auth_tag *)(keys + nk);
    groups = (const char **)(tags + nt);
    pols = (struct iam_auth_policy *)(groups + ng);

    u->name = cur_str(&c, NULL);
    u->user_id = cur_str(&c, NULL);
    u->arn = cur_str(&c, NULL);
    s = cur_str(&c, NULL);
    if ((flags & ~(AC_REC_FLAG_LOGIN_PROFILE | AC_REC_FLAG_RESET_REQUIRED |
                   AC_REC_FLAG_EXPIRES | AC_REC_FLAG_HARD_EXPIRY | AC_REC_FLAG_MFA |
                   AC_REC_FLAG_ROLE)) ||
        ((flags & AC_REC_FLAG_ROLE) &&
         ((flags & (AC_REC_FLAG_LOGIN_PROFILE | AC_REC_FLAG_MFA)) || nk || ng)) ||
        ((flags & (AC_REC_FLAG_EXPIRES | AC_REC_FLAG_HARD_EXPIRY)) &&
         !(flags & AC_REC_FLAG_LOGIN_PROFILE)) ||
        ((flags & AC_REC_FLAG_HARD_EXPIRY) && !(flags & AC_REC_FLAG_EXPIRES)))
        c.err = -EBADMSG;
    u->password_hash = (flags & AC_REC_FLAG_LOGIN_PROFILE) ? s : NULL;
    u->password_reset_required = (flags & AC_REC_FLAG_RESET_REQUIRED) != 0;
    for (uint32_t i = 0; i < nk; i++) {
        const char *status;

        keys[i].id = cur_str(&c, NULL);
        status = cur_str(&c, NULL);
        keys[i].create_date = cur_i64(&c);
        keys[i].secret_hash = cur_str(&c, NULL);
        if (c.err)
            break;
        if (strcmp(status, "Active") == 0)
            keys[i].active = true;
        else if (strcmp(status, "Inactive") == 0)
            keys[i].active = false;
        else
            c.err = -EBADMSG;
    }
    for (uint32_t i = 0; i < nt && !c.err; i++) {
        tags[i].key = cur_str(&c, NULL);
        tags[i].value = cur_str(&c, NULL);
    }
    for (uint32_t i = 0; i < ng && !c.err; i++)
        groups[i] = cur_str(&c, NULL);
    if (cache->h.version == 1)
        for (uint32_t i = 0; i < np && !c.err; i++)
            decode_policy(&c, &pols[i]);
    else if (!c.err && (c.err = read_docs(cache, rec, &c, np, pols, reterr)) == -ENOMEM)
        return -ENOMEM;
    if (!c.err && (flags & AC_REC_FLAG_EXPIRES)) {
        u->password_expires = cur_i64(&c);
        u->password_hard_expiry = (flags & AC_REC_FLAG_HARD_EXPIRY) != 0;
        if (u->password_expires <= 0)
            c.err = -EBADMSG;
    }
    if (!c.err && (flags & AC_REC_FLAG_MFA)) {
        uint32_t nm = cur_u32(&c);

        if (c.err || nm == 0 || nm > IAM_AUTH_MAX_MFA)
            return bad(reterr, "malformed record (MFA devices)");
        rec->mfa = calloc(IAM_AUTH_MAX_MFA, sizeof(*rec->mfa));
        if (!rec->mfa)
            return -ENOMEM;
        for (uint32_t i = 0; i < nm && !c.err; i++) {
            size_t hl = 0;

            rec->mfa[i].serial = cur_str(&c, NULL);
            rec->mfa[i].seed_hex = cur_str(&c, &hl);
            rec->mfa[i].not_before = cur_i64(&c);
            rec->mfa[i].drift = cur_i64(&c);
            if (!c.err && hl != 40)
                c.err = -EBADMSG;
        }
        u->mfa = rec->mfa;
        u->n_mfa = nm;
    }
    if (!c.err && (flags & AC_REC_FLAG_ROLE)) {
        u->is_role = true;
        u->max_session_duration = cur_i64(&c);
        if (u->max_session_duration <= 0)
            c.err = -EBADMSG;
    }
    if (c.err || c.pos != c.len)
        return bad(reterr, "malformed record");
    u->keys = nk ? keys : NULL;
    u->n_keys = nk;
    u->tags = nt ? tags : NULL;
    u->n_tags = nt;
    u->groups = ng ? (const char *const *)groups : NULL;
    u->n_groups = ng;
    u->policies = np ? pols : NULL;
    u->n_policies = np;
    return 0;
}

/* Validate slot slot_no, whose bytes are in *s. */
static int check_slot(struct iam_auth_cache *c, uint64_t slot_no, const struct ac_slot *s,
                      struct iam_error *reterr) {
    uint8_t in[24 + 8], check[AC_SLOT_CHECK_LEN];

    if (s->rec_off == 0) {
        static const struct ac_slot empty;

        if (memcmp(s, &empty, sizeof(empty)) != 0)
            return bad(reterr, "damaged empty index slot");
        return 0;
    }
    memcpy(in, s, 24);
    memcpy(in + 24, &slot_no, 8);
    crypto_shorthash(check, in, sizeof(in), c->h.hash_key);
    if (sodium_memcmp(check, s->check, sizeof(check)) != 0 || s->reserved != 0)
        return bad(reterr, "index slot check mismatch");
    if (s->rec_off < c->h.records_off || s->rec_len < AC_REC_FIXED ||
        s->rec_len > IAM_AUTH_MAX_RECORD || s->rec_off > c->h.file_size ||
        s->rec_len > c->h.file_size - s->rec_off)
        return bad(reterr, "index slot points outside the records");
    return 0;
}

static int read_slot(struct iam_auth_cache *c, uint64_t slot_no, struct ac_slot *ret,
                     struct iam_error *reterr) {
    int r = pread_all(c->fd, ret, sizeof(*ret), c->h.index_off + slot_no * sizeof(*ret));

    if (r < 0)
        return r == -EBADMSG ? bad(reterr, "truncated index") : r;
    return check_slot(c, slot_no, ret, reterr);
}

/* A few consecutive slots read with one pread: a probe sequence is usually one or two slots
 * long, and a lookup that is not found reads one slot further than one that is; reading
 * them together makes both cost one system call. */
#define SLOT_WINDOW 8

struct slot_window {
    uint64_t first, n;
    struct ac_slot s[SLOT_WINDOW];
};

static int read_slot_window(struct iam_auth_cache *c, struct slot_window *w, uint64_t slot_no,
                            struct ac_slot *ret, struct iam_error *reterr) {
    if (w->n == 0 || slot_no < w->first || slot_no - w->first >= w->n) {
        uint64_t n = c->h.n_slots - slot_no < SLOT_WINDOW ? c->h.n_slots - slot_no : SLOT_WINDOW;
        int r = pread_all(c->fd, w->s, (size_t)n * sizeof(w->s[0]),
                          c->h.index_off + slot_no * sizeof(w->s[0]));

        if (r < 0) {
            w->n = 0;
            return r == -EBADMSG ? bad(reterr, "truncated index") : r;
        }
        w->first = slot_no;
        w->n = n;
    }
    *ret = w->s[slot_no - w->first];
    return check_slot(c, slot_no, ret, reterr);
}

static int load_record(struct iam_auth_cache *c, const struct ac_slot *s,
                       struct iam_auth_record **ret, struct iam_error *reterr) {
    struct iam_auth_record *rec = NULL;
    uint8_t sum[AC_SUM_LEN];
    int r = -ENOMEM;

    rec = calloc(1, sizeof(*rec));
    if (!rec)
        goto out;
    rec->data = malloc(s->rec_len);
    if (!rec->data)
        goto out;
    rec->len = s->rec_len;
    r = pread_all(c->fd, rec->data, rec->len, s->rec_off);
    if (r < 0) {
        if (r == -EBADMSG)
            r = bad(reterr, "truncated record");
        goto out;
    }
    crypto_generichash(sum, sizeof(sum), rec->data + AC_SUM_LEN, rec->len - AC_SUM_LEN, NULL,
                       0);
    if (sodium_memcmp(sum, rec->data, sizeof(sum)) != 0) {
        r = bad(reterr, "record checksum mismatch");
        goto out;
    }
    r = decode_record(c, rec, reterr);
    if (r < 0)
        goto out;
    *ret = rec;
    rec = NULL;
    r = 0;
out:
    iam_auth_record_free(rec);
    return r;
}

static bool name_plausible(const char *name, size_t *ret_len) {
    size_t n;

    if (!name)
        return false;
    n = strnlen(name, IAM_AUTH_MAX_NAME + 1);
    if (n == 0 || n > IAM_AUTH_MAX_NAME)
        return false;
    *ret_len = n;
    return true;
}

/*
 * Read, check and decode the record of slot s and throw it away: the work a found user
 * costs, done for a name that is not there (see iam_auth_cache_find). Errors are ignored,
 * the caller has its answer; nothing of the record leaves this function.
 */
static void decoy_record(struct iam_auth_cache *c, const struct ac_slot *s, const char *name) {
    struct iam_auth_record *rec = NULL;
    struct iam_error e;

    iam_error_init(&e);
    if (load_record(c, s, &rec, &e) == 0) {
        volatile int same = strcmp(rec->user.name, name); /* the comparison a find makes */
        (void)same;
    }
    iam_auth_record_free(rec);
}

int iam_auth_cache_find(struct iam_auth_cache *c, const char *name,
                        struct iam_auth_record **ret_record, struct iam_error *reterr) {
    uint8_t out[crypto_shorthash_BYTES];
    uint64_t hash, pos, mask;
    struct ac_slot seen = {0};
    struct slot_window w = {0};
    size_t nlen;
    int r;

    if (!c || !ret_record)
        return -EINVAL;
    if (!name_plausible(name, &nlen))
        return -ENOENT;
    crypto_shorthash(out, (const unsigned char *)name, nlen, c->h.hash_key);
    memcpy(&hash, out, sizeof(hash));
    mask = c->h.n_slots - 1;
    pos = hash & mask;
    for (uint64_t probes = 0; probes < c->h.n_slots; probes++, pos = (pos + 1) & mask) {
        struct ac_slot s;
        struct iam_auth_record *rec = NULL;

        r = read_slot_window(c, &w, pos, &s, reterr);
        if (r < 0)
            return r;
        if (s.rec_off == 0) {
            /* Not there. A found user costs one record read, check and decode; so does a
             * name that is not there, or the time to refuse it would tell. The record of
             * an occupied slot this probe passed is used, else the next occupied slot's
             * (the table is at most half full: about one more slot read). */
            for (uint64_t more = probes + 1; seen.rec_off == 0 && c->h.n_users > 0 &&
                                             more < c->h.n_slots;
                 more++) {
                struct iam_error ignored;

                iam_error_init(&ignored);
                pos = (pos + 1) & mask;
                if (read_slot_window(c, &w, pos, &seen, &ignored) < 0)
                    return -ENOENT;
            }
            if (seen.rec_off != 0)
                decoy_record(c, &seen, name);
            return -ENOENT;
        }
        seen = s;
        if (s.name_hash != hash)
            continue;
        r = load_record(c, &s, &rec, reterr);
        if (r < 0)
            return r;
        if (strcmp(rec->user.name, name) == 0) {
            *ret_record = rec;
            return 0;
        }
        iam_auth_record_free(rec);
    }
    /* A table with no empty slot cannot come from our writer. */
    return bad(reterr, "index has no empty slot");
}

/* The len bytes at off are all zero: the room a writer leaves for a later patch, which no
 * lookup reads (a record or document is only reached through a checked slot or reference),
 * checked here so that verify still covers every byte of the file. */
static int room_empty(struct iam_auth_cache *c, uint64_t off, uint64_t len,
                      struct iam_error *reterr) {
    uint8_t buf[16384];

    while (len > 0) {
        size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
        uint8_t acc = 0;
        int r = pread_all(c->fd, buf, n, off);

        if (r < 0)
            return r == -EBADMSG ? bad(reterr, "truncated room") : r;
        for (size_t i = 0; i < n; i++)
            acc |= buf[i];
        if (acc != 0)
            return bad(reterr, "bytes in the room left for patches");
        off += n;
        len -= n;
    }
    return 0;
}

int iam_auth_cache_verify(struct iam_auth_cache *c, struct iam_error *reterr) {
    crypto_generichash_state st;
    uint8_t sum[AC_SUM_LEN];
    uint64_t used = 0, end = 0;
    int r;

    if (!c)
        return -EINVAL;
    crypto_generichash_init(&st, NULL, 0, AC_SUM_LEN);
    for (uint64_t i = 0; i < c->h.n_slots; i++) {
        struct ac_slot s;
        struct iam_auth_record *rec = NULL, *again = NULL;

        r = read_slot(c, i, &s, reterr);
        if (r < 0)
            return r;
        crypto_generichash_update(&st, (const uint8_t *)&s, sizeof(s));
        if (s.rec_off == 0)
            continue;
        used++;
        r = load_record(c, &s, &rec, reterr);
        if (r < 0)
            return r;
        /* The name must lead back to this very slot's record. */
        r = iam_auth_cache_find(c, rec->user.name, &again, reterr);
        if (r == 0 && (again->len != rec->len || memcmp(again->data, rec->data, rec->len)))
            r = bad(reterr, "a record is not reachable by its name");
        else if (r == -ENOENT)
            r = bad(reterr, "a record is not reachable by its name");
        iam_auth_record_free(again);
        iam_auth_record_free(rec);
        if (r < 0)
            return r;
        if (s.rec_off + s.rec_len > end)
            end = s.rec_off + s.rec_len;
    }
    crypto_generichash_final(&st, sum, sizeof(sum));
    if (sodium_memcmp(sum, c->h.index_sum, sizeof(sum)) != 0)
        return bad(reterr, "index checksum mismatch");
    if (used != c->h.n_users)
        return bad(reterr, "user count does not match the index");
    if ((c->h.n_users == 0 && c->h.file_size != c->h.records_off) ||
        (c->h.n_users > 0 && end != c->h.file_size))
        return bad(reterr, "trailing or missing bytes after the records");
    if (c->h.doc_room > c->h.docs_len || c->h.rec_room > c->h.file_size - c->h.records_off)
        return bad(reterr, "room left for patches outside its section");
    if ((r = room_empty(c, c->h.records_off - c->h.doc_room, c->h.doc_room, reterr)) < 0 ||
        (r = room_empty(c, c->h.records_off, c->h.rec_room, reterr)) < 0)
        return r;
    return 0;
}
