/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-logs: prove the trail against its digests.
 *
 *   1. The digests, in sequence order, must form one chain from the anchor: each signed by the
 *      key the previous one certified (the first by the anchor), each naming the previous
 *      digest's hash and signature, each starting at the record where the previous one ended.
 *      A digest that is missing or fails breaks the chain: the records of the digests after it
 *      cannot be verified.
 *   2. On the host, the sealing state must continue the newest digest (its key is the one that
 *      digest certified): otherwise digests were removed from the end.
 *   3. Every line of the log is hashed and looked up among the sealed hashes. Walking the lines
 *      in order against the record numbers tells each kind of damage apart: a sealed record
 *      missing where it should be (deleted, or truncated at the end), an unknown line in its
 *      place (edited), an unknown line between two sealed ones (inserted), a sealed record
 *      out of its place (reordered) or a second time (duplicated).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trail_private.h"

#define MAX_ISSUES_PER_LOG 1000
#define NONE UINT64_MAX

/* ---- sealed hashes ---------------------------------------------------------------------- */

enum {
    REC_TRUSTED = 1u << 0, /* its digest is valid and chained to the anchor */
    REC_IN_RANGE = 1u << 1, /* its digest is within the requested time range */
};

struct slot {
    uint8_t h[IAM_TRAIL_HASH_BYTES];
    uint64_t idx; /* NONE = empty slot */
};

struct hmap {
    struct slot *v;
    size_t mask;
};

static int hmap_init(struct hmap *m, uint64_t n) {
    size_t cap = 16;

    while (cap < 2 * n + 16)
        cap <<= 1;
    m->v = malloc(cap * sizeof(*m->v));
    if (!m->v)
        return -ENOMEM;
    for (size_t i = 0; i < cap; i++)
        m->v[i].idx = NONE;
    m->mask = cap - 1;
    return 0;
}

static size_t hslot(const uint8_t h[IAM_TRAIL_HASH_BYTES]) {
    uint64_t x;

    memcpy(&x, h, sizeof(x)); /* the hash is uniform: its first bytes index the table */
    return (size_t)x;
}

/* Returns the record number already stored for h (a line sealed twice: the writer's random
 * eventID makes that rare, a copied line makes it happen), or NONE after storing idx. */
static uint64_t hmap_put(struct hmap *m, const uint8_t h[IAM_TRAIL_HASH_BYTES], uint64_t idx) {
    for (size_t i = hslot(h) & m->mask;; i = (i + 1) & m->mask) {
        if (m->v[i].idx == NONE) {
            memcpy(m->v[i].h, h, IAM_TRAIL_HASH_BYTES);
            m->v[i].idx = idx;
            return NONE;
        }
        if (memcmp(m->v[i].h, h, IAM_TRAIL_HASH_BYTES) == 0)
            return m->v[i].idx;
    }
}

static uint64_t hmap_get(const struct hmap *m, const uint8_t h[IAM_TRAIL_HASH_BYTES]) {
    for (size_t i = hslot(h) & m->mask;; i = (i + 1) & m->mask) {
        if (m->v[i].idx == NONE)
            return NONE;
        if (memcmp(m->v[i].h, h, IAM_TRAIL_HASH_BYTES) == 0)
            return m->v[i].idx;
    }
}

/* ---- the report --------------------------------------------------------------------------- */

struct run {
    const struct iam_validate_opts *o;
    struct iam_validate_report *rep;
    size_t log;        /* index of the log being validated */
    size_t log_issues; /* issues of this log so far */
    uint64_t dropped;  /* issues past MAX_ISSUES_PER_LOG */
};

static struct iam_validate_issue *add_issue(struct run *r, enum iam_validate_kind kind) {
    struct iam_validate_report *rep = r->rep;
    struct iam_validate_issue *ni;
    size_t *nl;

    if (r->log_issues >= MAX_ISSUES_PER_LOG) {
        r->dropped++;
        return NULL;
    }
    ni = realloc(rep->issues, (rep->n_issues + 1) * sizeof(*ni));
    if (!ni)
        return NULL;
    rep->issues = ni;
    nl = realloc(rep->issue_log, (rep->n_issues + 1) * sizeof(*nl));
    if (!nl)
        return NULL;
    rep->issue_log = nl;
    nl[rep->n_issues] = r->log;
    ni = &rep->issues[rep->n_issues++];
    memset(ni, 0, sizeof(*ni));
    ni->kind = kind;
    ni->record = NONE;
    ni->digest = NONE;
    r->log_issues++;
    return ni;
}

const char *iam_validate_kind_name(enum iam_validate_kind kind) {
    switch (kind) {
    case IAM_VK_DIGEST_INVALID:
        return "digest invalid";
    case IAM_VK_DIGEST_MISSING:
        return "digest deleted";
    case IAM_VK_DIGESTS_TRUNCATED:
        return "newest digests deleted";
    case IAM_VK_RECORD_EDITED:
        return "edited";
    case IAM_VK_RECORD_DELETED:
        return "deleted";
    case IAM_VK_RECORD_INSERTED:
        return "inserted";
    case IAM_VK_RECORD_REORDERED:
        return "reordered";
    case IAM_VK_RECORD_DUPLICATED:
        return "duplicated";
    case IAM_VK_RECORDS_TRUNCATED:
        return "truncated";
    case IAM_VK_RECORDS_UNVERIFIABLE:
        return "unverifiable";
    case IAM_VK_NO_DIGESTS:
        return "no digests";
    }
    return "invalid";
}

/* ---- lines ------------------------------------------------------------------------------- */

enum {
    OBS_SEALED = 1u << 0,     /* its hash is in a digest */
    OBS_PARTIAL = 1u << 1,    /* a last line without '\n' (never sealed) */
    OBS_COPY = 1u << 2,       /* sealed hash, but each record with it already has its line */
};

struct obs {
    uint64_t idx;    /* record number when OBS_SEALED */
    uint64_t lineno;
    uint64_t offset;
    uint32_t len;
    uint32_t file;   /* index in opts->files */
    int64_t time;    /* event time of unsealed lines (0 unknown) */
    uint32_t flags;
};

struct lines {
    struct obs *v;
    size_t n, cap;
};

static int lines_add(struct lines *l, const struct obs *o) {
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 4096;
        struct obs *nv = realloc(l->v, nc * sizeof(*nv));

        if (!nv)
            return -ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = *o;
    return 0;
}

/* "path line N" and the event id/time of that line, read back. */
static void describe(struct run *r, struct iam_validate_issue *is, const struct obs *ob) {
    const struct iam_trail_file *f = &r->o->files->v[ob->file];
    struct iam_trail_reader *rd = NULL;
    struct iam_error e;
    char *buf;

    snprintf(is->where, sizeof(is->where), "%s line %llu", f->path,
             (unsigned long long)ob->lineno);
    iam_error_init(&e);
    buf = malloc((size_t)ob->len + 1);
    if (buf && iam_trail_open(f, &rd, &e) == 0 &&
        iam_trail_pread(rd, ob->offset, buf, ob->len, &e) == 0) {
        struct iam_trail_fields fl;
        int64_t t;

        if (iam_trail_scan(buf, ob->len, &fl) == 0) {
            if (iam_trail_span_str(&fl.f[IAM_TF_EVENT_ID], is->event_id,
                                   sizeof(is->event_id)) < 0)
                is->event_id[0] = '\0';
            if (iam_trail_parse_time(&fl.f[IAM_TF_EVENT_TIME], &t) == 0)
                is->event_time = t;
        }
    }
    iam_trail_close(rd);
    free(buf);
}

/* ---- one log ------------------------------------------------------------------------------ */

static int cmp_digest_seq(const void *a, const void *b) {
    const struct digest_file *x = a, *y = b;

    if (x->parsed != y->parsed)
        return x->parsed ? -1 : 1;
    if (x->d.seq != y->d.seq)
        return x->d.seq < y->d.seq ? -1 : 1;
    return strcmp(x->d.path ? x->d.path : "", y->d.path ? y->d.path : "");
}

static bool in_window(const struct iam_validate_opts *o, int64_t lo, int64_t hi) {
    if (o->has_start && hi && hi < o->start)
        return false;
    if (o->has_end && lo && lo > o->end)
        return false;
    return true;
}

struct chain {
    struct hmap map;
    uint8_t *rflags;    /* per record number: REC_* */
    uint64_t *same_next; /* per record number: the next record with the same hash, or NONE */
    uint8_t *taken;      /* per record number: a line of the log was matched to it */
    uint64_t total;     /* records covered by the digests (trusted or not) */
};

/* Walk the digests; fill the map of sealed hashes. */
/* Count the digests that do not parse (each an issue) and size the chain's tables by the
 * records the others cover. */
static int chain_init(struct run *r, struct iam_validate_log *lg, const struct digest_file *v,
                      size_t n, struct chain *c) {
    uint64_t total = 0;
    int rc;

    for (size_t i = 0; i < n; i++) {
        if (!v[i].parsed) {
            struct iam_validate_issue *is = add_issue(r, IAM_VK_DIGEST_INVALID);

            lg->digests++;
            if (is) {
                snprintf(is->where, sizeof(is->where), "%s", v[i].d.path ? v[i].d.path : "");
                snprintf(is->detail, sizeof(is->detail), "%s", v[i].bad);
            }
            continue;
        }
        if (v[i].d.first + v[i].d.count > total)
            total = v[i].d.first + v[i].d.count;
    }
    c->total = total;
    rc = hmap_init(&c->map, total);
    if (rc < 0)
        return rc;
    c->rflags = calloc(total + 1, 1);
    c->taken = calloc(total + 1, 1);
    c->same_next = malloc((total + 1) * sizeof(*c->same_next));
    if (!c->rflags || !c->taken || !c->same_next)
        return -ENOMEM;
    for (uint64_t k = 0; k <= total; k++)
        c->same_next[k] = NONE;
    return 0;
}

/* Two digests claiming digest i's number: at most one belongs to the chain; the other is an
 * issue and is skipped from then on. */
static void second_with_number(struct run *r, struct iam_validate_log *lg, struct digest_file *v,
                               size_t i, size_t n) {
    struct iam_validate_issue *is;

    if (i + 1 >= n || !v[i + 1].parsed || v[i + 1].d.seq != v[i].d.seq)
        return;
    is = add_issue(r, IAM_VK_DIGEST_INVALID);
    if (is) {
        snprintf(is->where, sizeof(is->where), "%s", v[i + 1].d.path);
        is->digest = v[i].d.seq;
        snprintf(is->detail, sizeof(is->detail), "a second digest with sequence number %llu",
                 (unsigned long long)v[i].d.seq);
    }
    lg->digests++;
    /* keep the one that verifies as the chain's */
    if (!v[i].d.sig_ok && v[i + 1].d.sig_ok) {
        struct digest_file t = v[i];

        v[i] = v[i + 1];
        v[i + 1] = t;
    }
    v[i + 1].parsed = false;
    v[i + 1].d.count = 0;
}

/* Why digest d does not belong to the chain after prev ("" when it does). */
static void digest_verdict(const struct iam_validate_log *lg, const struct digest *d,
                           const struct digest *prev, const uint8_t *anchor, bool trusted,
                           char *why, size_t size) {
    why[0] = '\0';
    if (!d->sig_ok)
        snprintf(why, size, "the signature does not verify (the digest was changed)");
    else if (d->seq == 0 && anchor && sodium_memcmp(d->pk, anchor, IAM_SEAL_PUBLIC_KEY_BYTES) != 0)
        snprintf(why, size, "signed by a key that is not the anchor (fingerprint %s)",
                 lg->fingerprint);
    else if (d->seq > 0 && prev && sodium_memcmp(d->pk, prev->next_pk, sizeof(d->pk)) != 0)
        snprintf(why, size, "signed by a key the previous digest did not certify");
    else if (d->seq > 0 && prev &&
             (!d->has_prev || memcmp(d->prev_hash, prev->hash, DIGEST_HASH_BYTES) != 0 ||
              memcmp(d->prev_sig, prev->sig, DIGEST_SIG_BYTES) != 0))
        snprintf(why, size, "does not name the previous digest");
    else if (d->seq == 0 && d->has_prev)
        snprintf(why, size, "the first digest names a previous one");
    else if (d->first != (prev ? prev->first + prev->count : 0) && trusted)
        snprintf(why, size, "starts at record #%llu, not where the previous ended",
                 (unsigned long long)d->first);
    else if (!trusted)
        snprintf(why, size, "cannot be verified: a digest before it is missing or invalid, "
                            "and it certified this digest's key");
}

/* The digest's records into the map, flagged trusted and in range as the digest is. */
static void take_records(struct chain *c, const struct digest *d, bool ok, bool range) {
    for (uint64_t k = 0; k < d->count; k++) {
        uint64_t idx = d->first + k, first;

        if (idx >= c->total)
            break;
        first = hmap_put(&c->map, d->hashes + k * IAM_TRAIL_HASH_BYTES, idx);
        /* sealed twice: chain the numbers, a line takes the first one still free */
        while (first != NONE && first != idx) {
            if (c->same_next[first] == NONE) {
                c->same_next[first] = idx;
                break;
            }
            first = c->same_next[first];
        }
        c->rflags[idx] = (uint8_t)((ok ? REC_TRUSTED : 0) | (range ? REC_IN_RANGE : 0));
    }
}

/* Digest d's place in the time range and in the report's counts and issues. */
static void count_digest(struct run *r, struct iam_validate_log *lg, const struct digest *d,
                         const char *why, bool range) {
    int64_t lo = d->oldest ? d->oldest : d->end_time, hi = d->newest ? d->newest : d->end_time;
    struct iam_validate_issue *is;

    if (range) {
        if (!lg->first_time || lo < lg->first_time)
            lg->first_time = lo;
        if (hi > lg->last_time)
            lg->last_time = hi;
        lg->records += d->count;
    }
    if (d->end_time > lg->newest_digest_time)
        lg->newest_digest_time = d->end_time;
    if (!why[0]) {
        lg->digests_valid++;
        return;
    }
    is = add_issue(r, IAM_VK_DIGEST_INVALID);
    if (is) {
        snprintf(is->where, sizeof(is->where), "%s", d->path);
        is->digest = d->seq;
        is->record = d->first;
        is->count = d->count;
        snprintf(is->detail, sizeof(is->detail), "%s", why);
    }
    if (range && (is = add_issue(r, IAM_VK_RECORDS_UNVERIFIABLE))) {
        is->digest = d->seq;
        is->record = d->first;
        is->count = d->count;
        snprintf(is->where, sizeof(is->where), "%s", d->path);
        snprintf(is->detail, sizeof(is->detail), "records #%llu to #%llu: their digest is not valid",
                 (unsigned long long)d->first, (unsigned long long)(d->first + d->count - 1));
    }
}

/* Walk the digests in sequence order; fill the map of sealed hashes. */
static int check_chain(struct run *r, struct iam_validate_log *lg, struct digest_file *v,
                       size_t n, const uint8_t *anchor, struct chain *c) {
    const struct digest *prev = NULL;
    bool trusted = true;
    uint64_t next_seq = 0;
    int rc;

    qsort(v, n, sizeof(*v), cmp_digest_seq);
    rc = chain_init(r, lg, v, n, c);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const struct digest *d;
        char why[256];
        bool range;

        if (!v[i].parsed)
            continue;
        lg->digests++;
        second_with_number(r, lg, v, i, n);
        d = &v[i].d;
        for (; next_seq < d->seq; next_seq++) {
            struct iam_validate_issue *is = add_issue(r, IAM_VK_DIGEST_MISSING);

            if (is) {
                is->digest = next_seq;
                snprintf(is->where, sizeof(is->where), "%s", lg->digest_dir);
                snprintf(is->detail, sizeof(is->detail),
                         "digest %llu is missing: it sealed records from #%llu on, which cannot "
                         "be verified",
                         (unsigned long long)next_seq,
                         (unsigned long long)(prev ? prev->first + prev->count : 0));
            }
            trusted = false;
        }
        digest_verdict(lg, d, prev, anchor, trusted, why, sizeof(why));
        range = in_window(r->o, d->oldest ? d->oldest : d->end_time,
                          d->newest ? d->newest : d->end_time);
        count_digest(r, lg, d, why, range);
        if (why[0])
            trusted = false;
        take_records(c, d, !why[0], range);
        prev = d;
        next_seq = d->seq + 1;
    }
    return 0;
}

/* Read the log's lines and look each one up. */
static int read_lines(struct run *r, size_t g, const struct chain *c, struct lines *out,
                      uint64_t *done, uint64_t total_bytes, struct iam_error *reterr) {
    const struct iam_trail_files *files = r->o->files;

    for (size_t i = 0; i < files->n; i++) {
        struct iam_trail_reader *rd = NULL;
        const char *buf;
        size_t len;
        uint64_t off, lineno;
        bool partial;
        int rc;

        if (files->v[i].group != g)
            continue;
        rc = iam_trail_open(&files->v[i], &rd, reterr);
        if (rc == -ENOENT)
            continue;
        if (rc < 0)
            return rc;
        while ((rc = iam_trail_read_block(rd, &buf, &len, &off, &lineno, &partial, reterr)) > 0) {
            const char *p = buf, *end = buf + len;

            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                struct obs ob = {.lineno = lineno, .offset = off + (uint64_t)(p - buf),
                                 .len = (uint32_t)(le - p), .file = (uint32_t)i};
                uint8_t h[IAM_TRAIL_HASH_BYTES];

                lineno++;
                if (!nl) {
                    ob.flags |= OBS_PARTIAL;
                } else {
                    iam_trail_record_hash(p, (size_t)(le - p), h);
                    ob.idx = c->total ? hmap_get(&c->map, h) : NONE;
                    if (ob.idx != NONE) {
                        uint64_t k = ob.idx;

                        ob.flags |= OBS_SEALED;
                        while (k != NONE && c->taken[k])
                            k = c->same_next[k];
                        if (k == NONE) {
                            ob.flags |= OBS_COPY; /* every record with this hash is taken */
                        } else {
                            c->taken[k] = 1;
                            ob.idx = k;
                        }
                    }
                }
                if (!(ob.flags & OBS_SEALED)) {
                    struct iam_trail_fields fl;
                    int64_t t;

                    if (iam_trail_scan(p, (size_t)(le - p), &fl) == 0 &&
                        iam_trail_parse_time(&fl.f[IAM_TF_EVENT_TIME], &t) == 0)
                        ob.time = t;
                }
                if ((rc = lines_add(out, &ob)) < 0) {
                    iam_trail_close(rd);
                    return rc;
                }
                p = le + 1;
            }
            if (r->o->progress)
                r->o->progress(*done + iam_trail_reader_consumed(rd), total_bytes,
                               r->o->userdata);
        }
        *done += (uint64_t)files->v[i].size;
        iam_trail_close(rd);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Is an unsealed line within the requested time range? One without a time always is. */
static bool line_in_window(const struct run *r, const struct obs *ob) {
    const struct iam_validate_opts *o = r->o;

    if (!ob->time)
        return true;
    return !((o->has_start && ob->time < o->start) || (o->has_end && ob->time > o->end));
}

static bool reportable(const struct chain *c, uint64_t idx) {
    return idx < c->total && (c->rflags[idx] & REC_TRUSTED) && (c->rflags[idx] & REC_IN_RANGE);
}

/* "#5" or "#5 to #9" */
static void record_range(char *out, size_t size, uint64_t first, uint64_t count) {
    if (count == 1)
        snprintf(out, size, "#%llu", (unsigned long long)first);
    else
        snprintf(out, size, "#%llu to #%llu", (unsigned long long)first,
                 (unsigned long long)(first + count - 1));
}

/* Report runs of sealed records that are missing from the log (nowhere in it). */
static void report_missing(struct run *r, struct iam_validate_log *lg, const struct chain *c,
                           const uint64_t *pos_of, uint64_t from, uint64_t to,
                           enum iam_validate_kind kind, const struct obs *near, bool at_end,
                           uint64_t *invalid) {
    uint64_t k = from;

    while (k < to) {
        uint64_t s = k, cnt = 0;
        struct iam_validate_issue *is;
        char range[64];

        if (pos_of[k] || !reportable(c, k)) {
            k++;
            continue;
        }
        while (k < to && !pos_of[k] && reportable(c, k)) {
            cnt++;
            k++;
        }
        *invalid += cnt;
        is = add_issue(r, kind);
        if (!is)
            continue;
        is->record = s;
        is->count = cnt;
        if (near)
            snprintf(is->where, sizeof(is->where), "%s %s line %llu", at_end ? "after" : "before",
                     r->o->files->v[near->file].path, (unsigned long long)near->lineno);
        else
            snprintf(is->where, sizeof(is->where), "%s", lg->log);
        record_range(range, sizeof(range), s, cnt);
        snprintf(is->detail, sizeof(is->detail), "sealed record%s %s not in the trail",
                 cnt == 1 ? "" : "s", range);
    }
}

/* The walk of the lines against the record numbers (see the top of this file). */
struct seal_walk {
    struct run *r;
    struct iam_validate_log *lg;
    const struct chain *c;
    const struct lines *L;
    uint64_t *pos_of; /* record number -> 1 + index of the line holding it, 0 if none */
    uint64_t expect;  /* the record number the next line should hold */
    uint64_t invalid; /* sealed records found invalid */
};

/* A line whose hash is sealed. */
static void walk_sealed(struct seal_walk *w, const struct obs *ob) {
    uint64_t idx = ob->idx;
    struct iam_validate_issue *is;

    if (ob->flags & OBS_COPY) {
        if (reportable(w->c, idx) && (is = add_issue(w->r, IAM_VK_RECORD_DUPLICATED))) {
            describe(w->r, is, ob);
            is->record = idx;
            snprintf(is->detail, sizeof(is->detail), "a copy of sealed record #%llu",
                     (unsigned long long)idx);
        }
    } else if (idx == w->expect) {
        w->expect++;
    } else if (idx > w->expect) {
        /* records expect..idx-1 are not here: gone, or further on (reordered) */
        report_missing(w->r, w->lg, w->c, w->pos_of, w->expect, idx, IAM_VK_RECORD_DELETED, ob,
                       false, &w->invalid);
        w->expect = idx + 1;
    } else if (reportable(w->c, idx)) {
        w->invalid++;
        is = add_issue(w->r, IAM_VK_RECORD_REORDERED);
        if (is) {
            describe(w->r, is, ob);
            is->record = idx;
            snprintf(is->detail, sizeof(is->detail),
                     "sealed record #%llu is out of its place (it belongs before record #%llu)",
                     (unsigned long long)idx, (unsigned long long)(w->expect - 1));
        }
    }
}

/* Lines i..j-1 hold no sealed hash; the sealed records gone[] (appearing nowhere) belong
 * where they are: paired in order, a line replaces a record (edited), extra lines were
 * inserted, extra records deleted. */
static void pair_unsealed(struct seal_walk *w, size_t i, size_t j, const uint64_t *gone,
                          size_t n_gone) {
    const struct lines *L = w->L;
    const bool at_end = j == L->n;
    const size_t u = j - i;
    struct iam_validate_issue *is;

    for (size_t k = 0; k < u; k++) {
        const struct obs *x = &L->v[i + k];

        if (k < n_gone) {
            if (!reportable(w->c, gone[k]))
                continue;
            w->invalid++;
            if ((is = add_issue(w->r, IAM_VK_RECORD_EDITED))) {
                describe(w->r, is, x);
                is->record = gone[k];
                snprintf(is->detail, sizeof(is->detail),
                         "does not match sealed record #%llu, which should be here",
                         (unsigned long long)gone[k]);
            }
        } else if (line_in_window(w->r, x) && (is = add_issue(w->r, IAM_VK_RECORD_INSERTED))) {
            describe(w->r, is, x);
            snprintf(is->detail, sizeof(is->detail),
                     "no digest holds this line, and sealed records follow it");
        }
    }
    for (size_t k = u; k < n_gone; k++) {
        const struct obs *near = &L->v[at_end ? j - 1 : j];

        if (!reportable(w->c, gone[k]))
            continue;
        w->invalid++;
        if ((is = add_issue(w->r, IAM_VK_RECORD_DELETED))) {
            snprintf(is->where, sizeof(is->where), "%s %s line %llu", at_end ? "after" : "before",
                     w->r->o->files->v[near->file].path, (unsigned long long)near->lineno);
            is->record = gone[k];
            snprintf(is->detail, sizeof(is->detail), "sealed record #%llu is not in the trail",
                     (unsigned long long)gone[k]);
        }
    }
}

/* A run of lines no digest holds, from line i; returns the index after it, or 0 on ENOMEM
 * (a run is never empty, so 0 cannot be a real answer). */
static size_t walk_unsealed(struct seal_walk *w, size_t i) {
    const struct lines *L = w->L;
    size_t j = i, n_gone = 0;
    uint64_t next_known = w->c->total, *gone = NULL;
    bool at_end;

    while (j < L->n && !(L->v[j].flags & OBS_SEALED))
        j++;
    at_end = j == L->n;
    if (at_end && w->expect >= w->c->total) {
        /* after everything sealed: not sealed yet (normal) */
        w->lg->unsealed += j - i;
        return j;
    }
    if (!at_end)
        next_known = L->v[j].idx > w->expect && w->pos_of[L->v[j].idx] == j + 1 ? L->v[j].idx
                                                                               : w->expect;
    /* sealed records between expect and next_known that appear nowhere */
    if (next_known > w->expect) {
        gone = malloc((size_t)(next_known - w->expect) * sizeof(*gone));
        if (!gone)
            return 0;
        for (uint64_t k = w->expect; k < next_known; k++)
            if (!w->pos_of[k])
                gone[n_gone++] = k;
        w->expect = next_known;
    }
    pair_unsealed(w, i, j, gone, n_gone);
    free(gone);
    return j;
}

static int classify(struct run *r, struct iam_validate_log *lg, const struct chain *c,
                    const struct lines *L) {
    struct seal_walk w = {.r = r, .lg = lg, .c = c, .L = L};
    uint64_t *pos_of = calloc(c->total + 1, sizeof(*pos_of)); /* owned here, lent to w */
    size_t i = 0;
    int rc = -ENOMEM;

    if (!pos_of)
        return -ENOMEM;
    w.pos_of = pos_of;
    for (size_t k = 0; k < L->n; k++)
        if ((L->v[k].flags & OBS_SEALED) && !(L->v[k].flags & OBS_COPY))
            pos_of[L->v[k].idx] = k + 1;
    while (i < L->n) {
        if (L->v[i].flags & OBS_SEALED) {
            walk_sealed(&w, &L->v[i]);
            i++;
            continue;
        }
        i = walk_unsealed(&w, i);
        if (i == 0)
            goto out;
    }
    /* sealed records never reached: cut off the end */
    if (w.expect < c->total)
        report_missing(r, lg, c, pos_of, w.expect, c->total, IAM_VK_RECORDS_TRUNCATED,
                       L->n ? &L->v[L->n - 1] : NULL, true, &w.invalid);
    lg->records_valid = lg->records >= w.invalid ? lg->records - w.invalid : 0;
    /* records of invalid digests are not valid either */
    for (uint64_t k = 0; k < c->total; k++)
        if ((c->rflags[k] & REC_IN_RANGE) && !(c->rflags[k] & REC_TRUSTED) &&
            lg->records_valid > 0)
            lg->records_valid--;
    rc = 0;
out:
    free(pos_of);
    return rc;
}

/* The log a file belongs to: the host's audit_log for its rotations, else the name up to
 * ".jsonl" (host1/audit.jsonl.2.gz belongs to host1/audit.jsonl). */
static void group_key(const struct iam_validate_opts *o, const char *path, char *out,
                      size_t size) {
    const char *base, *j;

    if (o->host_log && strncmp(path, o->host_log, strlen(o->host_log)) == 0 &&
        (path[strlen(o->host_log)] == '\0' || path[strlen(o->host_log)] == '.' ||
         path[strlen(o->host_log)] == '-')) {
        snprintf(out, size, "%s", o->host_log);
        return;
    }
    base = strrchr(path, '/');
    base = base ? base + 1 : path;
    j = strstr(base, ".jsonl");
    if (j)
        snprintf(out, size, "%.*s", (int)(j - path) + 6, path);
    else
        snprintf(out, size, "%s", path);
}

/* A digest the state announced but that is not in the directory (deleted, or a crash
 * between the two writes of seal-logs): taken from the state, where it is signed like the
 * others, and reported. */
static int add_pending(struct run *r, struct iam_validate_log *lg,
                       const struct iam_trail_seal_state_view *sv, struct digest_file **v,
                       size_t *n) {
    struct digest_file *nv;
    struct iam_validate_issue *is;

    if (!sv->pending_name)
        return 0;
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].d.path && strstr((*v)[i].d.path, sv->pending_name))
            return 0;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return -ENOMEM;
    *v = nv;
    memset(&nv[*n], 0, sizeof(nv[*n]));
    if (iam_trail_digest_parse(sv->pending, sv->pending_len, &nv[*n].d, nv[*n].bad,
                     sizeof(nv[*n].bad)) < 0)
        return 0;
    nv[*n].parsed = true;
    if (asprintf(&nv[*n].d.path, "%s (its copy in the sealing state)", sv->pending_name) < 0)
        nv[*n].d.path = NULL;
    if ((is = add_issue(r, IAM_VK_DIGEST_MISSING))) {
        is->digest = nv[*n].d.seq;
        snprintf(is->where, sizeof(is->where), "%.3800s/%.255s", lg->digest_dir,
                 sv->pending_name);
        snprintf(is->detail, sizeof(is->detail),
                 "the newest digest's file is missing (deleted, or seal-logs was interrupted: it "
                 "writes it again); its copy in the sealing state still verifies the records");
    }
    (*n)++;
    return 0;
}

/* The host's state must continue the newest digest: same next sequence, the key the newest
 * digest certified, the same record count. Otherwise digests were removed from the end. */
static void check_state_continues(struct run *r, struct iam_validate_log *lg,
                                  const struct iam_trail_seal_state_view *sv,
                                  const struct digest_file *v, size_t n) {
    const struct digest *last = NULL;
    struct iam_validate_issue *is;

    for (size_t i = 0; i < n; i++)
        if (v[i].parsed && (!last || v[i].d.seq > last->seq))
            last = &v[i].d;
    if (last ? sv->seq == last->seq + 1 &&
                   sodium_memcmp(sv->pk, last->next_pk, IAM_SEAL_PUBLIC_KEY_BYTES) == 0 &&
                   sv->records == last->first + last->count
             : sv->seq == 0)
        return;
    if (!(is = add_issue(r, IAM_VK_DIGESTS_TRUNCATED)))
        return;
    snprintf(is->where, sizeof(is->where), "%s", lg->digest_dir);
    is->digest = last ? last->seq + 1 : 0;
    is->record = last ? last->first + last->count : 0;
    snprintf(is->detail, sizeof(is->detail),
             "the sealing state is at digest %llu and record #%llu, the newest digest here is "
             "%s: digests were removed from the end, and the records they sealed cannot be "
             "verified",
             (unsigned long long)sv->seq, (unsigned long long)sv->records,
             last ? "older" : "missing");
}

/* The anchor: given, else the host's state, else the first digest's own key. */
static bool pick_anchor(const struct run *r, struct iam_validate_log *lg,
                        const struct iam_trail_seal_state_view *sv, bool have_state,
                        const struct digest_file *v, size_t n,
                        uint8_t anchor[IAM_SEAL_PUBLIC_KEY_BYTES]) {
    if (r->o->anchor) {
        memcpy(anchor, r->o->anchor, IAM_SEAL_PUBLIC_KEY_BYTES);
        lg->anchor_source = "given";
    } else if (have_state) {
        memcpy(anchor, sv->anchor, IAM_SEAL_PUBLIC_KEY_BYTES);
        lg->anchor_source = "state";
    } else {
        size_t i;

        for (i = 0; i < n; i++)
            if (v[i].parsed && v[i].d.seq == 0)
                break;
        if (i == n)
            return false;
        memcpy(anchor, v[i].d.pk, IAM_SEAL_PUBLIC_KEY_BYTES);
        lg->anchor_source = "trail";
    }
    iam_seal_fingerprint(anchor, lg->fingerprint);
    return true;
}

/* g: the files' group, or SIZE_MAX for a log none of whose files exist (key names it). */
static int validate_log(struct run *r, size_t g, const char *key, uint64_t *done,
                        uint64_t total_bytes, struct iam_error *reterr) {
    const struct iam_validate_opts *o = r->o;
    struct iam_validate_log *lg = &r->rep->logs[r->log];
    struct digest_file *v = NULL;
    size_t n = 0;
    struct chain c = {0};
    struct lines L = {0};
    struct iam_trail_seal_state_view sv = {0};
    bool host, have_state = false, have_anchor;
    uint8_t anchor[IAM_SEAL_PUBLIC_KEY_BYTES];
    struct iam_validate_issue *is;
    int rc;

    snprintf(lg->log, sizeof(lg->log), "%s", key);
    host = o->host_log && strcmp(lg->log, o->host_log) == 0;
    if (host && o->host_digest_dir)
        snprintf(lg->digest_dir, sizeof(lg->digest_dir), "%s", o->host_digest_dir);
    else
        snprintf(lg->digest_dir, sizeof(lg->digest_dir), "%.4080s.digest", lg->log);
    if (host && o->state_dir) {
        struct iam_error e;

        iam_error_init(&e);
        rc = iam_trail_seal_state_view(o->state_dir, &sv, &e);
        if (rc < 0 && rc != -ENOENT) {
            iam_error_set(reterr, 0, 0, 0, "%s", e.text);
            return rc;
        }
        have_state = rc == 0 && strcmp(sv.log, lg->log) == 0; /* another log's proves nothing */
    }
    rc = iam_trail_digest_load_dir(lg->digest_dir, &v, &n, reterr);
    if (rc == -ENOENT)
        rc = 0;
    if (rc < 0 || (have_state && (rc = add_pending(r, lg, &sv, &v, &n)) < 0))
        goto out;
    if (n == 0 && (is = add_issue(r, IAM_VK_NO_DIGESTS))) {
        snprintf(is->where, sizeof(is->where), "%s", lg->digest_dir);
        snprintf(is->detail, sizeof(is->detail),
                 "no digests: nothing of %.160s can be validated (has seal-logs run?)", lg->log);
    }
    have_anchor = pick_anchor(r, lg, &sv, have_state, v, n, anchor);
    for (size_t i = 0; i < n; i++)
        if (v[i].parsed && !lg->host_arn[0] && v[i].d.host_arn)
            snprintf(lg->host_arn, sizeof(lg->host_arn), "%s", v[i].d.host_arn);
    rc = check_chain(r, lg, v, n, have_anchor ? anchor : NULL, &c);
    if (rc < 0)
        goto out;
    if (have_state)
        check_state_continues(r, lg, &sv, v, n);
    rc = read_lines(r, g, &c, &L, done, total_bytes, reterr);
    if (rc < 0 || (rc = classify(r, lg, &c, &L)) < 0)
        goto out;
    if (r->dropped) {
        r->log_issues--; /* room for the note */
        if ((is = add_issue(r, IAM_VK_RECORDS_UNVERIFIABLE))) {
            snprintf(is->detail, sizeof(is->detail), "and %llu more problems not listed",
                     (unsigned long long)r->dropped);
            snprintf(is->where, sizeof(is->where), "%s", lg->log);
        }
    }
    rc = 0;
out:
    free(L.v);
    free(c.map.v);
    free(c.rflags);
    free(c.taken);
    free(c.same_next);
    iam_trail_digest_files_free(v, n);
    iam_trail_seal_state_view_free(&sv);
    return rc;
}

int iam_validate_trail(const struct iam_validate_opts *o, struct iam_validate_report *ret,
                       struct iam_error *reterr) {
    struct run r = {.o = o, .rep = ret};
    uint64_t total_bytes = 0, done = 0;
    size_t n_groups = 0;
    bool host_seen = false;
    int rc = 0;

    if (!o || !o->files || !ret)
        return -EINVAL;
    memset(ret, 0, sizeof(*ret));
    if (sodium_init() < 0)
        return -ENOTSUP;
    for (size_t i = 0; i < o->files->n; i++) {
        total_bytes += (uint64_t)o->files->v[i].size;
        if (o->files->v[i].group + 1 > n_groups)
            n_groups = o->files->v[i].group + 1;
    }
    ret->logs = calloc(n_groups + 1, sizeof(*ret->logs));
    if (!ret->logs)
        return -ENOMEM;
    for (size_t g = 0; g < n_groups && rc == 0; g++) {
        char key[4096];
        bool any = false;

        for (size_t i = 0; i < o->files->n && !any; i++)
            if (o->files->v[i].group == g) {
                group_key(o, o->files->v[i].path, key, sizeof(key));
                any = true;
            }
        if (!any)
            continue;
        if (o->host_log && strcmp(key, o->host_log) == 0)
            host_seen = true;
        r.log = ret->n_logs++;
        r.log_issues = 0;
        r.dropped = 0;
        rc = validate_log(&r, g, key, &done, total_bytes, reterr);
    }
    /* the host's log with no file left at all: its digests still say what should be there */
    if (rc == 0 && o->host_log && !host_seen) {
        r.log = ret->n_logs++;
        r.log_issues = 0;
        r.dropped = 0;
        rc = validate_log(&r, SIZE_MAX, o->host_log, &done, total_bytes, reterr);
    }
    if (rc < 0)
        iam_validate_report_free(ret);
    return rc;
}

void iam_validate_report_free(struct iam_validate_report *rep) {
    if (!rep)
        return;
    free(rep->logs);
    free(rep->issues);
    free(rep->issue_log);
    memset(rep, 0, sizeof(*rep));
}
