/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wildcard patterns as IAM uses them: '*' (any run, possibly empty) and '?' (one character),
 * with policy variables (${key}, ${key, 'default'}, ${*} ${?} ${$}) resolved inline while
 * matching, so a match allocates nothing. A substituted value is literal text: a '*' in a
 * user name is not a wildcard (IAM User Guide, "Policy variables").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_private.h"

static char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

uint32_t iam_key_hash(const char *s, size_t len) {
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)lower(s[i]);
        h *= 16777619u;
    }
    return h;
}

/* ---- Compile --------------------------------------------------------------------------- */

struct tokbuf {
    struct pat_tok toks[IAM_PAT_MAX_TOKENS];
    unsigned n;
    char *lit; /* scratch for the literal being built */
    size_t lit_len;
};

static int flush_lit(struct iam_arena *a, struct tokbuf *tb) {
    char *s;

    if (tb->lit_len == 0)
        return 0;
    if (tb->n >= IAM_PAT_MAX_TOKENS)
        return -E2BIG;
    s = iam_arena_strndup(a, tb->lit, tb->lit_len);
    if (!s)
        return -ENOMEM;
    tb->toks[tb->n++] = (struct pat_tok){.kind = PAT_LIT, .s = s, .len = (uint32_t)tb->lit_len};
    tb->lit_len = 0;
    return 0;
}

static int push_tok(struct iam_arena *a, struct tokbuf *tb, struct pat_tok t) {
    int r = flush_lit(a, tb);

    if (r < 0)
        return r;
    if (t.kind == PAT_STAR && tb->n > 0 && tb->toks[tb->n - 1].kind == PAT_STAR)
        return 0; /* "**" is "*" */
    if (tb->n >= IAM_PAT_MAX_TOKENS)
        return -E2BIG;
    tb->toks[tb->n++] = t;
    return 0;
}

static bool is_space(char c) {
    return c == ' ' || c == '\t';
}

/* Parse the inside of ${...} starting at text[i] (just after "${"). */
static int parse_var(struct iam_arena *a, struct tokbuf *tb, const char *text, size_t len,
                     size_t *pi, unsigned flags, size_t *ret_errpos, const char **ret_errmsg) {
    size_t i = *pi, ks, ke, close;
    struct pat_tok t = {.kind = PAT_VAR};
    char *lk;
    int r;

    close = i;
    /* Find the closing brace, skipping a quoted default (which may contain '}'). */
    {
        bool quoted = false;

        for (; close < len; close++) {
            if (text[close] == '\'')
                quoted = !quoted;
            else if (text[close] == '}' && !quoted)
                break;
        }
    }
    if (close >= len) {
        *ret_errpos = i - 2;
        *ret_errmsg = "unterminated policy variable (use ${$} for a literal '$')";
        return -EINVAL;
    }
    /* The escapes ${*} ${?} ${$}. */
    if (close == i + 1 && (text[i] == '*' || text[i] == '?' || text[i] == '$')) {
        if (tb->lit_len >= IAM_POLICY_MAX_BYTES)
            return -E2BIG;
        tb->lit[tb->lit_len++] = (flags & PATF_FOLD) ? lower(text[i]) : text[i];
        *pi = close + 1;
        return 0;
    }
    ks = i;
    while (ks < close && is_space(text[ks]))
        ks++;
    ke = ks;
    while (ke < close && text[ke] != ',' && text[ke] != '\'')
        ke++;
    {
        size_t kend = ke;

        while (kend > ks && is_space(text[kend - 1]))
            kend--;
        if (kend == ks) {
            *ret_errpos = i;
            *ret_errmsg = "empty policy variable name";
            return -EINVAL;
        }
        for (size_t k = ks; k < kend; k++)
            if (is_space(text[k]) || text[k] == '$' || text[k] == '{') {
                *ret_errpos = k;
                *ret_errmsg = "invalid character in policy variable name";
                return -EINVAL;
            }
        t.key = iam_arena_strndup(a, text + ks, kend - ks);
        lk = iam_arena_strndup(a, text + ks, kend - ks);
        if (!t.key || !lk)
            return -ENOMEM;
        for (size_t k = 0; k < kend - ks; k++)
            lk[k] = lower(lk[k]);
        t.s = lk;
        t.len = (uint32_t)(kend - ks);
        t.hash = iam_key_hash(lk, kend - ks);
    }
    if (ke < close) {
        /* , 'default' */
        size_t q1, q2;

        if (text[ke] != ',') {
            *ret_errpos = ke;
            *ret_errmsg = "expected ',' before the default value of a policy variable";
            return -EINVAL;
        }
        q1 = ke + 1;
        while (q1 < close && is_space(text[q1]))
            q1++;
        if (q1 >= close || text[q1] != '\'') {
            *ret_errpos = q1;
            *ret_errmsg = "the default value of a policy variable must be in single quotes";
            return -EINVAL;
        }
        q2 = q1 + 1;
        while (q2 < close && text[q2] != '\'')
            q2++;
        if (q2 >= close) {
            *ret_errpos = q1;
            *ret_errmsg = "unterminated default value in policy variable";
            return -EINVAL;
        }
        for (size_t k = q2 + 1; k < close; k++)
            if (!is_space(text[k])) {
                *ret_errpos = k;
                *ret_errmsg = "unexpected text after the default value of a policy variable";
                return -EINVAL;
            }
        t.has_default = true;
        t.dflt = iam_arena_strndup(a, text + q1 + 1, q2 - q1 - 1);
        if (!t.dflt)
            return -ENOMEM;
        t.dflt_len = (uint32_t)(q2 - q1 - 1);
    }
    r = push_tok(a, tb, t);
    if (r < 0)
        return r;
    *pi = close + 1;
    return 0;
}

int iam_pattern_compile(struct iam_arena *a, const char *text, size_t len, unsigned flags,
                        struct pattern *ret, size_t *ret_errpos, const char **ret_errmsg) {
    struct tokbuf *tb = NULL;
    struct pat_tok *toks = NULL;
    struct pattern p = {0};
    size_t i = 0;
    int r = -EINVAL;

    *ret_errpos = 0;
    *ret_errmsg = NULL;
    if (len > IAM_POLICY_MAX_BYTES) {
        *ret_errmsg = "value too long";
        return -E2BIG;
    }
    /* Scratch, freed below; only the final tokens and texts go to the arena. Not zeroed (12 KB
     * per pattern): only toks[0..n) are ever read, each written whole by push_tok/flush_lit. */
    tb = malloc(sizeof(*tb));
    if (!tb)
        return -ENOMEM;
    tb->n = 0;
    tb->lit_len = 0;
    tb->lit = malloc(len + 1);
    if (!tb->lit) {
        r = -ENOMEM;
        goto out;
    }
    while (i < len) {
        char c = text[i];

        if ((flags & PATF_VARIABLES) && c == '$' && i + 1 < len && text[i + 1] == '{') {
            i += 2;
            r = parse_var(a, tb, text, len, &i, flags, ret_errpos, ret_errmsg);
            if (r < 0)
                goto out;
            continue;
        }
        if ((flags & PATF_WILDCARDS) && (c == '*' || c == '?')) {
            r = push_tok(a, tb, (struct pat_tok){.kind = c == '*' ? PAT_STAR : PAT_QMARK});
            if (r < 0)
                goto out;
            p.wild = true;
            i++;
            continue;
        }
        tb->lit[tb->lit_len++] = (flags & PATF_FOLD) ? lower(c) : c;
        i++;
    }
    r = flush_lit(a, tb);
    if (r < 0)
        goto out;
    for (unsigned k = 0; k < tb->n; k++)
        if (tb->toks[k].kind == PAT_VAR)
            tb->toks[k].var = (uint8_t)(p.nvars < 255 ? p.nvars++ : 255);
    if (p.nvars > IAM_PAT_MAX_VARS) {
        *ret_errmsg = "too many policy variables in one value";
        r = -E2BIG;
        goto out;
    }
    toks = iam_arena_alloc(a, sizeof(*toks) * (tb->n ? tb->n : 1));
    if (!toks) {
        r = -ENOMEM;
        goto out;
    }
    memcpy(toks, tb->toks, sizeof(*toks) * tb->n);
    p.toks = toks;
    p.n = (uint16_t)tb->n;
    p.any = tb->n == 1 && toks[0].kind == PAT_STAR;
    p.prefix = tb->n == 2 && toks[0].kind == PAT_LIT && toks[1].kind == PAT_STAR;
    *ret = p;
    r = 0;
out:
    if (r == -E2BIG && !*ret_errmsg)
        *ret_errmsg = "value too complex";
    if (tb)
        free(tb->lit);
    free(tb);
    return r;
}

/* Split at ':' in literal text, outside variables, for the first five ARN separators. */
int iam_arn_pattern_compile(struct iam_arena *a, const char *text, size_t len, unsigned flags,
                            struct arn_pattern *ret, size_t *ret_errpos, const char **ret_errmsg) {
    struct arn_pattern ap = {0};
    size_t start = 0, i = 0;
    int r;

    *ret_errpos = 0;
    *ret_errmsg = NULL;
    while (i <= len) {
        bool split = false;

        if (i < len && (flags & PATF_VARIABLES) && text[i] == '$' && i + 1 < len &&
            text[i + 1] == '{') {
            /* Skip the variable, honouring a quoted default. */
            bool quoted = false;

            i += 2;
            while (i < len && (text[i] != '}' || quoted)) {
                if (text[i] == '\'')
                    quoted = !quoted;
                i++;
            }
            if (i < len)
                i++;
            continue;
        }
        if (i == len)
            split = true;
        else if (text[i] == ':' && ap.nseg < 5)
            split = true;
        if (split) {
            r = iam_pattern_compile(a, text + start, i - start, flags, &ap.seg[ap.nseg], ret_errpos,
                                    ret_errmsg);
            if (r < 0) {
                *ret_errpos += start;
                return r;
            }
            ap.nseg++;
            start = i + 1;
        }
        i++;
    }
    ap.any = ap.nseg == 1 && ap.seg[0].any;
    if ((flags & PATF_ARN_COMPLETE) && !ap.any) {
        /* "arn:aws:sqs" is "arn:aws:sqs:*:*:*". */
        while (ap.nseg < 6) {
            r = iam_pattern_compile(a, "*", 1, PATF_WILDCARDS, &ap.seg[ap.nseg], ret_errpos,
                                    ret_errmsg);
            if (r < 0)
                return r;
            ap.nseg++;
        }
    }
    /* Leading segments that are plain literal text (never the last one, which takes the rest)
     * are compared in one go, colons included: "arn:aws:ec2:". */
    {
        size_t plen = 0;
        unsigned k = 0;

        while (k + 1 < ap.nseg &&
               (ap.seg[k].n == 0 || (ap.seg[k].n == 1 && ap.seg[k].toks[0].kind == PAT_LIT))) {
            plen += (ap.seg[k].n ? ap.seg[k].toks[0].len : 0) + 1;
            k++;
        }
        if (k > 0) {
            char *pre = iam_arena_alloc(a, plen + 1);
            size_t o = 0;

            if (!pre)
                return -ENOMEM;
            for (unsigned q = 0; q < k; q++) {
                if (ap.seg[q].n) {
                    memcpy(pre + o, ap.seg[q].toks[0].s, ap.seg[q].toks[0].len);
                    o += ap.seg[q].toks[0].len;
                }
                pre[o++] = ':';
            }
            pre[o] = '\0';
            ap.lit_prefix = pre;
            ap.lit_prefix_len = plen;
            ap.lit_segs = (uint8_t)k;
        }
    }
    *ret = ap;
    return 0;
}

/* Services whose every resource ARN begins with a resource type (instance/..., user/...,
 * assumed-role/...). The IAM User Guide ("IAM identifiers"): "Don't use a wildcard in the
 * user/, group/, or policy/ part of the ARN ... IAM does not allow" it; for ec2 the ARN
 * format is resource-type/id. Other services' formats are not known here. */
static bool resource_type_service(const char *svc, size_t len) {
    static const char *const typed[] = {"ec2", "iam", "sts"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(typed); i++)
        if (strlen(typed[i]) == len && memcmp(typed[i], svc, len) == 0)
            return true;
    return false;
}

/* Does the ARN put a wildcard where a typed service's resource type goes ("*\/12345",
 * "u*")? A resource part that is "*" alone covers every type and is fine. */
bool iam_arn_wildcard_in_type(const char *s, size_t len) {
    size_t start[6], end[6], n = 0, f = 0;
    int depth = 0;

    for (size_t i = 0; i <= len && n < 6; i++) {
        if (i + 1 < len && s[i] == '$' && s[i + 1] == '{')
            depth++;
        else if (i < len && s[i] == '}' && depth > 0)
            depth--;
        if (i == len || (s[i] == ':' && depth == 0 && n < 5)) {
            start[n] = f;
            end[n] = i;
            n++;
            f = i + 1;
        }
    }
    if (n < 6 || !resource_type_service(s + start[2], end[2] - start[2]))
        return false;
    end[5] = len;
    if (end[5] - start[5] == 1 && s[start[5]] == '*')
        return false;
    for (size_t i = start[5]; i < end[5] && s[i] != '/' && s[i] != ':'; i++) {
        if (s[i] == '$' && i + 1 < end[5] && s[i + 1] == '{')
            return false; /* a variable there is not a wildcard */
        if (s[i] == '*' || s[i] == '?')
            return true;
    }
    return false;
}

/* ---- Match ----------------------------------------------------------------------------- */

struct resolved {
    const char *s[IAM_PAT_MAX_VARS];
    size_t len[IAM_PAT_MAX_VARS];
};

void iam_eval_note_missing(const struct eval_env *env, const char *key) {
    if (!env || !env->missing)
        return;
    for (size_t i = 0; i < *env->n_missing; i++)
        if (strcasecmp(env->missing[i], key) == 0)
            return;
    if (*env->n_missing >= env->max_missing) {
        if (env->missing_truncated)
            *env->missing_truncated = true;
        return;
    }
    env->missing[(*env->n_missing)++] = key;
}

/* Resolve the pattern's variables; false when one is missing and has no default. Variables
 * are single-valued: a multivalued key cannot be substituted and matches nothing. */
static bool resolve(const struct pattern *p, const struct eval_env *env, struct resolved *res) {
    unsigned v = 0;
    bool ok = true;

    for (unsigned k = 0; k < p->n; k++) {
        const struct pat_tok *t = &p->toks[k];
        const struct ctx_entry *e;

        if (t->kind != PAT_VAR)
            continue;
        e = env && env->ctx ? iam_context_lookup(env->ctx, t->s, t->len, t->hash) : NULL;
        if (e && e->n == 1 && !e->is_list) {
            res->s[v] = e->values[0].s;
            res->len[v] = e->values[0].len;
        } else if (!e && t->has_default) {
            res->s[v] = t->dflt;
            res->len[v] = t->dflt_len;
        } else {
            if (!e)
                iam_eval_note_missing(env, t->key);
            ok = false;
        }
        v++;
    }
    return ok;
}

/* Matching works on "segments": maximal runs of tokens without '*'. Each segment has a fixed
 * length once its variables are resolved. With k stars the pattern is
 *     head * mid1 * mid2 * ... * tail
 * head is anchored at the start, tail at the end, and each middle segment is placed at its
 * leftmost fit after the previous one; that greedy placement is exact for '*' wildcards. */
/* n bytes equal; ci: the pattern side a is lower-case already, the subject b is folded. */
static inline bool bytes_eq(const char *a, const char *b, size_t n, bool ci) {
    if (!ci) {
        /* Eight bytes at a time (unaligned loads through memcpy), then the tail. */
        while (n >= 8) {
            uint64_t x, y;

            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y)
                return false;
            a += 8;
            b += 8;
            n -= 8;
        }
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != lower(b[i]))
            return false;
    return true;
}

static inline size_t tok_len(const struct pat_tok *t, const struct resolved *res) {
    switch (t->kind) {
    case PAT_LIT:
        return t->len;
    case PAT_VAR:
        return res->len[t->var];
    case PAT_QMARK:
        return 1;
    default:
        return 0;
    }
}

/* Does the segment toks[from, to) match s at exactly pos (s has room for it)? */
static bool seg_at(const struct pattern *p, const struct resolved *res, unsigned from,
                   unsigned to, const char *s, bool ci) {
    for (unsigned k = from; k < to; k++) {
        const struct pat_tok *t = &p->toks[k];

        if (t->kind == PAT_QMARK) {
            s++;
            continue;
        }
        if (t->kind == PAT_LIT) {
            if (!bytes_eq(t->s, s, t->len, ci))
                return false;
            s += t->len;
        } else {
            /* A variable's value is literal text; case-insensitive operators fold it too. */
            const char *v = res->s[t->var];
            size_t n = res->len[t->var];

            if (ci) {
                for (size_t i = 0; i < n; i++)
                    if (lower(v[i]) != lower(s[i]))
                        return false;
            } else if (memcmp(v, s, n) != 0) {
                return false;
            }
            s += n;
        }
    }
    return true;
}

static bool match_tokens(const struct pattern *p, const struct resolved *res, const char *s,
                         size_t len, bool ci) {
    unsigned k = 0, n = p->n, from;
    size_t pos = 0, seglen;

    /* Head: tokens before the first star, anchored at the start. */
    seglen = 0;
    while (k < n && p->toks[k].kind != PAT_STAR)
        seglen += tok_len(&p->toks[k++], res);
    if (k == n) /* no star at all: the whole string */
        return seglen == len && seg_at(p, res, 0, n, s, ci);
    if (seglen > len || !seg_at(p, res, 0, k, s, ci))
        return false;
    pos = seglen;
    for (;;) {
        /* k is at a star: skip stars, then take the next segment. */
        while (k < n && p->toks[k].kind == PAT_STAR)
            k++;
        if (k == n)
            return true; /* trailing star takes the rest */
        from = k;
        seglen = 0;
        while (k < n && p->toks[k].kind != PAT_STAR)
            seglen += tok_len(&p->toks[k++], res);
        if (seglen > len - pos)
            return false;
        if (k == n) /* tail: anchored at the end */
            return seg_at(p, res, from, n, s + len - seglen, ci);
        /* middle: leftmost fit; a literal first character is found with memchr */
        {
            const struct pat_tok *ft = &p->toks[from];
            bool lit_first = !ci && ft->kind == PAT_LIT;

            for (;;) {
                if (lit_first) {
                    const char *hit = memchr(s + pos, ft->s[0], len - seglen - pos + 1);

                    if (!hit)
                        return false;
                    pos = (size_t)(hit - s);
                }
                if (seg_at(p, res, from, k, s + pos, ci))
                    break;
                if (pos + seglen >= len)
                    return false;
                pos++;
            }
        }
        pos += seglen;
    }
}

/* The general case, kept out of line so the common fast paths stay small. */
static __attribute__((noinline)) bool match_slow(const struct pattern *p, const char *s,
                                                 size_t len, bool ci,
                                                 const struct eval_env *env) {
    struct resolved res;

    if (p->nvars && !resolve(p, env, &res))
        return false;
    return match_tokens(p, &res, s, len, ci);
}

bool iam_pattern_match(const struct pattern *p, const char *s, size_t len, bool ci,
                       const struct eval_env *env) {
    const struct pat_tok *t0;

    if (p->any)
        return true;
    if (p->n == 0)
        return len == 0;
    t0 = &p->toks[0];
    if (t0->kind == PAT_LIT) {
        if (p->n == 1) /* one literal */
            return t0->len == len && bytes_eq(t0->s, s, len, ci);
        /* "literal*" is a prefix compare; otherwise the leading literal rejects early. */
        if (len < t0->len || !bytes_eq(t0->s, s, t0->len, ci))
            return false;
        if (p->prefix)
            return true;
    }
    return match_slow(p, s, len, ci, env);
}

void iam_arn_split(const char *s, size_t len, struct arn_split *ret) {
    size_t start = 0;

    ret->s = s;
    ret->len = len;
    ret->n = 0;
    for (size_t i = 0; i < len && ret->n < 5; i++)
        if (s[i] == ':') {
            ret->off[ret->n++] = start;
            start = i + 1;
        }
    ret->off[ret->n++] = start; /* the last segment runs to the end */

    for (unsigned k = 0; k + 1 < ret->n; k++)
        ret->end[k] = ret->off[k + 1] - 1;
    ret->end[ret->n - 1] = len;
}

bool iam_arn_pattern_match_split(const struct arn_pattern *p, const struct arn_split *sp,
                                 const struct eval_env *env) {
    if (p->any)
        return true;
    /* Pattern segment k against subject segment k; the pattern's last segment takes the rest
     * of the subject, so the subject needs at least as many segments as the pattern. */
    if (sp->n < p->nseg)
        return false;
    if (p->lit_segs) {
        /* The subject's segment lit_segs must start right after the literal prefix. */
        if (sp->off[p->lit_segs] != p->lit_prefix_len ||
            !bytes_eq(p->lit_prefix, sp->s, p->lit_prefix_len, false))
            return false;
    }
    for (unsigned k = p->lit_segs; k < p->nseg; k++) {
        size_t off = sp->off[k];
        size_t end = k + 1 == p->nseg ? sp->len : sp->end[k];

        if (!iam_pattern_match(&p->seg[k], sp->s + off, end - off, false, env))
            return false;
    }
    return true;
}

bool iam_arn_pattern_match(const struct arn_pattern *p, const char *s, size_t len,
                           const struct eval_env *env) {
    struct arn_split sp;

    if (p->any)
        return true;
    iam_arn_split(s, len, &sp);
    return iam_arn_pattern_match_split(p, &sp, env);
}

bool iam_wildcard_match(const char *pattern, const char *s, bool ci) {
    const char *star_p = NULL, *star_s = NULL;

    while (*s) {
        if (*pattern == '*') {
            while (*pattern == '*')
                pattern++;
            star_p = pattern;
            star_s = s;
            continue;
        }
        if (*pattern && (*pattern == '?' || (ci ? lower(*pattern) == lower(*s) : *pattern == *s))) {
            pattern++;
            s++;
            continue;
        }
        if (!star_p)
            return false;
        pattern = star_p;
        s = ++star_s;
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}
