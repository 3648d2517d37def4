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

static int flush_lit(struct arena *a, struct tokbuf *tb) {
    char *s;

    if (tb->lit_len == 0)
        return 0;
    if (tb->n >= IAM_PAT_MAX_TOKENS)
        return -E2BIG;
    s = arena_strndup(a, tb->lit, tb->lit_len);
    if (!s)
        return -ENOMEM;
    tb->toks[tb->n++] = (struct pat_tok){.kind = PAT_LIT, .s = s, .len = (uint32_t)tb->lit_len};
    tb->lit_len = 0;
    return 0;
}

static int push_tok(struct arena *a, struct tokbuf *tb, struct pat_tok t) {
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
static int parse_var(struct arena *a, struct tokbuf *tb, const char *text, size_t len, size_t *pi,
                     unsigned flags, size_t *ret_errpos, const char **ret_errmsg) {
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
        t.key = arena_strndup(a, text + ks, kend - ks);
        lk = arena_strndup(a, text + ks, kend - ks);
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
        t.dflt = arena_strndup(a, text + q1 + 1, q2 - q1 - 1);
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

int pattern_compile(struct arena *a, const char *text, size_t len, unsigned flags,
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
    /* Scratch, freed below; only the final tokens and texts go to the arena. */
    tb = calloc(1, sizeof(*tb));
    if (!tb)
        return -ENOMEM;
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
            p.nvars++;
    if (p.nvars > IAM_PAT_MAX_VARS) {
        *ret_errmsg = "too many policy variables in one value";
        r = -E2BIG;
        goto out;
    }
    toks = arena_alloc(a, sizeof(*toks) * (tb->n ? tb->n : 1));
    if (!toks) {
        r = -ENOMEM;
        goto out;
    }
    memcpy(toks, tb->toks, sizeof(*toks) * tb->n);
    p.toks = toks;
    p.n = (uint16_t)tb->n;
    p.any = tb->n == 1 && toks[0].kind == PAT_STAR;
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
int arn_pattern_compile(struct arena *a, const char *text, size_t len, unsigned flags,
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
            r = pattern_compile(a, text + start, i - start, flags, &ap.seg[ap.nseg], ret_errpos,
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
    *ret = ap;
    return 0;
}

/* ---- Match ----------------------------------------------------------------------------- */

struct resolved {
    const char *s[IAM_PAT_MAX_VARS];
    size_t len[IAM_PAT_MAX_VARS];
};

void record_missing(const struct eval_env *env, const char *key) {
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
        e = env && env->ctx ? context_lookup(env->ctx, t->s, t->len, t->hash) : NULL;
        if (e && e->n == 1 && !e->is_list) {
            res->s[v] = e->values[0].s;
            res->len[v] = e->values[0].len;
        } else if (!e && t->has_default) {
            res->s[v] = t->dflt;
            res->len[v] = t->dflt_len;
        } else {
            if (!e)
                record_missing(env, t->key);
            ok = false;
        }
        v++;
    }
    return ok;
}

struct cursor {
    unsigned tok;
    size_t off;
};

/* Text of token k: literal text, or the resolved variable value. */
static inline void tok_text(const struct pattern *p, const struct resolved *res,
                            const unsigned *varidx, unsigned k, const char **s, size_t *len) {
    const struct pat_tok *t = &p->toks[k];

    if (t->kind == PAT_LIT) {
        *s = t->s;
        *len = t->len;
    } else {
        *s = res->s[varidx[k]];
        *len = res->len[varidx[k]];
    }
}

/* Move past exhausted text tokens. */
static inline void norm(const struct pattern *p, const struct resolved *res,
                        const unsigned *varidx, struct cursor *c) {
    while (c->tok < p->n) {
        const struct pat_tok *t = &p->toks[c->tok];
        const char *s;
        size_t len;

        if (t->kind == PAT_STAR || t->kind == PAT_QMARK)
            return;
        tok_text(p, res, varidx, c->tok, &s, &len);
        if (c->off < len)
            return;
        c->tok++;
        c->off = 0;
    }
}

static bool match_tokens(const struct pattern *p, const struct resolved *res,
                         const unsigned *varidx, const char *s, size_t len, bool ci) {
    struct cursor pc = {0, 0}, star = {0, 0};
    bool have_star = false;
    size_t si = 0, star_si = 0;

    while (si < len) {
        norm(p, res, varidx, &pc);
        if (pc.tok < p->n) {
            const struct pat_tok *t = &p->toks[pc.tok];

            if (t->kind == PAT_STAR) {
                have_star = true;
                star = (struct cursor){pc.tok + 1, 0};
                star_si = si;
                pc = star;
                continue;
            }
            if (t->kind == PAT_QMARK) {
                pc.tok++;
                pc.off = 0;
                si++;
                continue;
            }
            {
                const char *ts;
                size_t tl;
                char a, b;

                tok_text(p, res, varidx, pc.tok, &ts, &tl);
                a = ts[pc.off];
                b = s[si];
                /* Literal text of a folded pattern is lower-case already; variable values
                 * and the subject are folded here. */
                if (ci) {
                    a = lower(a);
                    b = lower(b);
                }
                if (a == b) {
                    pc.off++;
                    si++;
                    continue;
                }
            }
        }
        if (!have_star)
            return false;
        star_si++;
        si = star_si;
        pc = star;
    }
    for (;;) {
        norm(p, res, varidx, &pc);
        if (pc.tok < p->n && p->toks[pc.tok].kind == PAT_STAR) {
            pc.tok++;
            pc.off = 0;
            continue;
        }
        break;
    }
    return pc.tok >= p->n;
}

bool pattern_match(const struct pattern *p, const char *s, size_t len, bool ci,
                   const struct eval_env *env) {
    struct resolved res;
    unsigned varidx[IAM_PAT_MAX_TOKENS];

    if (p->any)
        return true;
    /* Fast path: one literal token. */
    if (p->n == 1 && p->toks[0].kind == PAT_LIT) {
        if (p->toks[0].len != len)
            return false;
        return ci ? strncasecmp(p->toks[0].s, s, len) == 0 : memcmp(p->toks[0].s, s, len) == 0;
    }
    if (p->n == 0)
        return len == 0;
    if (p->nvars) {
        unsigned v = 0;

        if (!resolve(p, env, &res))
            return false;
        for (unsigned k = 0; k < p->n; k++)
            if (p->toks[k].kind == PAT_VAR)
                varidx[k] = v++;
    }
    return match_tokens(p, &res, varidx, s, len, ci);
}

bool arn_pattern_match(const struct arn_pattern *p, const char *s, size_t len,
                       const struct eval_env *env) {
    size_t start = 0;

    if (p->any)
        return true;
    for (unsigned k = 0; k < p->nseg; k++) {
        size_t end;

        if (k + 1 == p->nseg) {
            end = len; /* the last pattern segment takes the rest */
        } else {
            const char *colon = memchr(s + start, ':', len - start);

            if (!colon)
                return false; /* the subject has fewer segments */
            end = (size_t)(colon - s);
        }
        if (!pattern_match(&p->seg[k], s + start, end - start, false, env))
            return false;
        start = end + 1;
    }
    return true;
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
