/* SPDX-License-Identifier: Apache-2.0 */
/*
 * LookupEvents over trail files: one pass over every file, newest max_results kept in a heap.
 *
 * The scanner never parses what cannot match: with an attribute, the value as the writer
 * encodes it (jansson's JSON string form) must occur in the line, so a memmem over whole
 * blocks finds the few candidate lines and everything else is skipped at memory speed. A line
 * holding a backslash is a candidate too (its fields may be written with escapes that hide
 * the value from memmem). Candidates are then checked field by field (iam_trail_scan), so
 * the answer is exact, not a substring match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iam/trail.h"

static const char *const attr_names[] = {
    [IAM_LOOKUP_EVENT_NAME] = "EventName",       [IAM_LOOKUP_USERNAME] = "Username",
    [IAM_LOOKUP_RESOURCE_NAME] = "ResourceName", [IAM_LOOKUP_ACCESS_KEY_ID] = "AccessKeyId",
    [IAM_LOOKUP_EVENT_ID] = "EventId",           [IAM_LOOKUP_EVENT_SOURCE] = "EventSource",
    [IAM_LOOKUP_READ_ONLY] = "ReadOnly",
};

int iam_lookup_attr_from_name(const char *name, enum iam_lookup_attr *ret) {
    if (!name || !ret)
        return -EINVAL;
    for (size_t i = 1; i < IAM_ELEMENTSOF(attr_names); i++)
        if (attr_names[i] && strcmp(attr_names[i], name) == 0) {
            *ret = (enum iam_lookup_attr)i;
            return 0;
        }
    return -EINVAL;
}

static int key_cmp(const struct iam_lookup_key *a, const struct iam_lookup_key *b) {
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    return strcmp(a->event_id, b->event_id);
}

/* ---- a min-heap of the newest hits (the oldest kept one on top) ---------------------------- */

struct heap {
    struct iam_lookup_hit *v;
    size_t n, cap;
};

static void sift_down(struct heap *h, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        struct iam_lookup_hit t;

        if (l < h->n && key_cmp(&h->v[l].key, &h->v[m].key) < 0)
            m = l;
        if (r < h->n && key_cmp(&h->v[r].key, &h->v[m].key) < 0)
            m = r;
        if (m == i)
            return;
        t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
}

static void sift_up(struct heap *h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        struct iam_lookup_hit t;

        if (key_cmp(&h->v[i].key, &h->v[p].key) >= 0)
            return;
        t = h->v[i];
        h->v[i] = h->v[p];
        h->v[p] = t;
        i = p;
    }
}

/* ---- time ------------------------------------------------------------------------------------ */

static int digits(const char *p, int n) {
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The writer's own form, "YYYY-MM-DDTHH:MM:SSZ", without strptime; anything else goes the
 * general way. */
static int record_time(const struct iam_trail_span *s, int64_t *ret) {
    const char *p = s->p;

    if (p && s->is_string && !s->escaped && s->n == 20 && p[4] == '-' && p[7] == '-' &&
        p[10] == 'T' && p[13] == ':' && p[16] == ':' && p[19] == 'Z') {
        int y = digits(p, 4), mo = digits(p + 5, 2), d = digits(p + 8, 2),
            h = digits(p + 11, 2), mi = digits(p + 14, 2), se = digits(p + 17, 2);

        if (y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 &&
            mi >= 0 && mi <= 59 && se >= 0 && se <= 60) {
            *ret = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
                   se;
            return 0;
        }
        return -EINVAL;
    }
    return iam_trail_parse_time(s, ret);
}

/* ---- matching -------------------------------------------------------------------------------- */

struct scan {
    const struct iam_lookup_query *q;
    char *needle; /* NULL: every line is a candidate */
    size_t needle_len;
    struct heap heap;
    uint64_t total;
    size_t file;
    uint64_t lines, malformed;
};

/* The resource id at the end of an ARN: after the last '/' or, failing that, the last ':'. */
static bool resource_matches(const struct iam_trail_span *s, const char *value) {
    char buf[2048];
    const char *id;

    if (!s->p || iam_trail_span_str(s, buf, sizeof(buf)) < 0)
        return false;
    if (strcmp(buf, value) == 0)
        return true;
    id = strrchr(buf, '/');
    if (!id)
        id = strrchr(buf, ':');
    return id && strcmp(id + 1, value) == 0;
}

static bool read_only_value(const struct iam_trail_span *s) {
    if (!s->p)
        return false;
    if (!s->is_string)
        return s->n == 4 && memcmp(s->p, "true", 4) == 0;
    return iam_trail_span_eq(s, "true");
}

static bool attr_matches(const struct iam_lookup_query *q, const struct iam_trail_fields *f) {
    switch (q->attr) {
    case IAM_LOOKUP_ANY:
        return true;
    case IAM_LOOKUP_EVENT_NAME:
        return iam_trail_span_eq(&f->f[IAM_TF_EVENT_NAME], q->value);
    case IAM_LOOKUP_USERNAME:
        return iam_trail_span_eq(&f->f[IAM_TF_USER_NAME], q->value);
    case IAM_LOOKUP_RESOURCE_NAME:
        return resource_matches(&f->f[IAM_TF_HOST_ARN], q->value) ||
               resource_matches(&f->f[IAM_TF_ROLE_ARN], q->value);
    case IAM_LOOKUP_ACCESS_KEY_ID:
        return iam_trail_span_eq(&f->f[IAM_TF_ACCESS_KEY_ID], q->value);
    case IAM_LOOKUP_EVENT_ID:
        return iam_trail_span_eq(&f->f[IAM_TF_EVENT_ID], q->value);
    case IAM_LOOKUP_EVENT_SOURCE:
        return iam_trail_span_eq(&f->f[IAM_TF_EVENT_SOURCE], q->value);
    case IAM_LOOKUP_READ_ONLY:
        return read_only_value(&f->f[IAM_TF_READ_ONLY]) == (strcmp(q->value, "true") == 0);
    }
    return false;
}

/* eventTime where the writer puts it: {"eventVersion":"...","eventTime":"YYYY-MM-DDTHH:MM:SSZ"
 * at the start of the line. false when the line is laid out otherwise (then it goes the
 * general way). Used only to pass over lines that cannot make it into the result. */
static bool fast_time(const char *line, size_t n, int64_t *ret) {
    static const char head[] = "{\"eventVersion\":\"";
    static const char mid[] = "\",\"eventTime\":\"";
    const char *p = line + sizeof(head) - 1, *end = line + (n < 96 ? n : 96);
    struct iam_trail_span t;

    if (n < 96 || memcmp(line, head, sizeof(head) - 1) != 0)
        return false;
    while (p < end && *p != '"' && *p != '\\')
        p++;
    if (p + sizeof(mid) - 1 + 21 > end || memcmp(p, mid, sizeof(mid) - 1) != 0)
        return false;
    p += sizeof(mid) - 1;
    if (p[20] != '"')
        return false;
    t = (struct iam_trail_span){.p = p, .n = 20, .is_string = true};
    return record_time(&t, ret) == 0;
}

static int consider(struct scan *s, const char *line, size_t n, uint64_t offset) {
    const struct iam_lookup_query *q = s->q;
    struct iam_trail_fields f;
    struct iam_lookup_key key;
    int64_t t;

    s->lines++;
    if (n == 0)
        return 0;
    /* Lines that cannot be in the result cost no more than finding their time. */
    if (fast_time(line, n, &t)) {
        if ((q->has_start && t < q->start) || (q->has_end && t > q->end) ||
            (q->has_after && t > q->after.time))
            return 0;
        if (s->heap.n == s->heap.cap && t < s->heap.v[0].key.time)
            return 0;
    }
    if (iam_trail_scan(line, n, &f) < 0 || record_time(&f.f[IAM_TF_EVENT_TIME], &key.time) < 0) {
        s->malformed++;
        return 0;
    }
    if (!attr_matches(q, &f))
        return 0;
    if ((q->has_start && key.time < q->start) || (q->has_end && key.time > q->end))
        return 0;
    if (iam_trail_span_str(&f.f[IAM_TF_EVENT_ID], key.event_id, sizeof(key.event_id)) < 0)
        key.event_id[0] = '\0';
    if (q->has_after && key_cmp(&key, &q->after) >= 0)
        return 0;
    s->total++;
    if (s->heap.n < s->heap.cap) {
        struct iam_lookup_hit *h = &s->heap.v[s->heap.n++];

        *h = (struct iam_lookup_hit){.key = key, .file = s->file, .offset = offset,
                                     .len = (uint32_t)n};
        sift_up(&s->heap, s->heap.n - 1);
    } else if (key_cmp(&key, &s->heap.v[0].key) > 0) {
        s->heap.v[0] = (struct iam_lookup_hit){.key = key, .file = s->file, .offset = offset,
                                               .len = (uint32_t)n};
        sift_down(&s->heap, 0);
    }
    return 0;
}

static int scan_block(struct scan *s, const char *buf, size_t len, uint64_t off) {
    const char *p = buf, *end = buf + len;
    const char *hit = NULL, *bsl = NULL;

    if (!s->needle) {
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;

            consider(s, p, (size_t)(le - p), off + (uint64_t)(p - buf));
            p = le + 1;
        }
        return 0;
    }
    while (p < end) {
        const char *cand, *ls, *le;

        if (hit != end && (!hit || hit < p)) {
            hit = memmem(p, (size_t)(end - p), s->needle, s->needle_len);
            if (!hit)
                hit = end; /* none left in this block */
        }
        if (bsl != end && (!bsl || bsl < p)) {
            bsl = memchr(p, '\\', (size_t)(end - p));
            if (!bsl)
                bsl = end; /* none left in this block */
        }
        cand = hit < bsl ? hit : bsl;
        if (cand >= end)
            break;
        ls = cand;
        while (ls > p && ls[-1] != '\n')
            ls--;
        le = memchr(cand, '\n', (size_t)(end - cand));
        if (!le)
            le = end;
        consider(s, ls, (size_t)(le - ls), off + (uint64_t)(ls - buf));
        p = le + 1;
    }
    return 0;
}

static int make_needle(struct scan *s) {
    const struct iam_lookup_query *q = s->q;
    json_t *str;
    char *enc;

    switch (q->attr) {
    case IAM_LOOKUP_ANY:
        return 0;
    case IAM_LOOKUP_READ_ONLY:
        if (strcmp(q->value, "true") != 0)
            return 0; /* records without the field count as false: every line */
        s->needle = strdup("\"readOnly\"");
        break;
    default:
        str = json_string(q->value);
        enc = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
        json_decref(str);
        if (!enc)
            return -ENOMEM;
        if (q->attr == IAM_LOOKUP_RESOURCE_NAME) {
            /* the id may end an ARN: look for the value without its quotes */
            size_t n = strlen(enc);

            memmove(enc, enc + 1, n - 2);
            enc[n - 2] = '\0';
        }
        s->needle = enc;
        break;
    }
    if (!s->needle)
        return -ENOMEM;
    s->needle_len = strlen(s->needle);
    if (s->needle_len == 0) {
        free(s->needle);
        s->needle = NULL;
    }
    return 0;
}

static int cmp_newest_first(const void *a, const void *b) {
    return -key_cmp(&((const struct iam_lookup_hit *)a)->key,
                    &((const struct iam_lookup_hit *)b)->key);
}

static int cmp_location(const void *a, const void *b) {
    const struct iam_lookup_hit *x = *(const struct iam_lookup_hit *const *)a;
    const struct iam_lookup_hit *y = *(const struct iam_lookup_hit *const *)b;

    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return 0;
}

/* Read the kept lines back, file by file in ascending offsets (one pass per gzip file). */
static int fetch(const struct iam_trail_files *files, struct iam_lookup_hit *hits, size_t n,
                 struct iam_error *reterr) {
    struct iam_lookup_hit **order = NULL;
    struct iam_trail_reader *rd = NULL;
    size_t cur = (size_t)-1;
    int r = -ENOMEM;

    if (n == 0)
        return 0;
    order = calloc(n, sizeof(struct iam_lookup_hit *));
    if (!order)
        goto out;
    for (size_t i = 0; i < n; i++)
        order[i] = &hits[i];
    qsort(order, n, sizeof(struct iam_lookup_hit *), cmp_location);
    for (size_t i = 0; i < n; i++) {
        struct iam_lookup_hit *h = order[i];

        if (h->file != cur) {
            iam_trail_close(rd);
            rd = NULL;
            r = iam_trail_open(&files->v[h->file], &rd, reterr);
            if (r < 0)
                goto out;
            cur = h->file;
        }
        h->line = malloc((size_t)h->len + 1);
        if (!h->line) {
            r = -ENOMEM;
            goto out;
        }
        r = iam_trail_pread(rd, h->offset, h->line, h->len, reterr);
        if (r < 0)
            goto out;
        h->line[h->len] = '\0';
    }
    r = 0;
out:
    iam_trail_close(rd);
    free(order);
    return r;
}

int iam_trail_lookup(const struct iam_trail_files *files, const struct iam_lookup_query *q,
                     struct iam_lookup_result *ret, struct iam_error *reterr) {
    struct scan s = {.q = q};
    struct iam_trail_reader *rd = NULL;
    uint64_t total_bytes = 0, done_before = 0;
    int r = -EINVAL;

    if (!files || !q || !ret || q->max_results == 0 ||
        (q->attr != IAM_LOOKUP_ANY && !q->value))
        goto out;
    memset(ret, 0, sizeof(*ret));
    r = make_needle(&s);
    if (r < 0)
        goto out;
    r = -ENOMEM;
    s.heap.cap = q->max_results + 1; /* one more than asked tells whether there are more */
    s.heap.v = calloc(s.heap.cap, sizeof(*s.heap.v));
    if (!s.heap.v)
        goto out;
    for (size_t i = 0; i < files->n; i++)
        total_bytes += (uint64_t)files->v[i].size;

    /* Newest first (files from the live log back, plain files from their end), so the heap
     * holds the newest records early and older lines are passed over by their time alone. */
    for (size_t k = files->n; k-- > 0;) {
        const size_t i = k;
        const char *buf;
        size_t len;
        uint64_t off;

        s.file = i;
        r = files->v[i].gzip ? iam_trail_open(&files->v[i], &rd, reterr)
                             : iam_trail_open_reverse(&files->v[i], &rd, reterr);
        if (r == -ENOENT)
            continue; /* rotated away since the list was made: its records moved on */
        if (r < 0)
            goto out;
        while ((r = iam_trail_read_block(rd, &buf, &len, &off, NULL, NULL, reterr)) > 0) {
            scan_block(&s, buf, len, off);
            if (q->progress)
                q->progress(done_before + iam_trail_reader_consumed(rd), total_bytes,
                            q->userdata);
        }
        if (r < 0)
            goto out;
        s.malformed += iam_trail_reader_overlong(rd);
        done_before += (uint64_t)files->v[i].size;
        iam_trail_close(rd);
        rd = NULL;
    }
    qsort(s.heap.v, s.heap.n, sizeof(*s.heap.v), cmp_newest_first);
    ret->more = s.heap.n > q->max_results;
    if (ret->more)
        s.heap.n = q->max_results;
    r = fetch(files, s.heap.v, s.heap.n, reterr);
    if (r < 0)
        goto out;
    ret->hits = s.heap.v;
    ret->n = s.heap.n;
    s.heap.v = NULL;
    ret->lines = s.lines;
    ret->malformed = s.malformed;
    r = 0;
out:
    if (s.heap.v) {
        for (size_t i = 0; i < s.heap.n; i++)
            free(s.heap.v[i].line);
        free(s.heap.v);
    }
    iam_trail_close(rd);
    free(s.needle);
    return r;
}

void iam_lookup_result_free(struct iam_lookup_result *res) {
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        free(res->hits[i].line);
    free(res->hits);
    memset(res, 0, sizeof(*res));
}
