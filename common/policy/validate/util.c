/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small parsers and matchers the validator needs: wildcard patterns, CIDRs, numbers, dates,
 * base64, policy-variable syntax and structural JSON equality. They are deliberately separate
 * from the engine's: the validator must describe what is wrong with a value, not just refuse it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../policy_private.h"
#include "validate_private.h"

/* ASCII case folding, as the engine's matcher does (locale-independent: sudo sets one). */
static int fold(int ch, bool nocase) {
    unsigned char c = (unsigned char)ch;

    return nocase && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/*
 * Does `wide` match everything `narrow` matches? Treat narrow's wildcards as symbols that
 * only wide's wildcards can stand for: wide '*' eats any run of narrow (wildcards included),
 * wide '?' eats one narrow character that is not '*', and a literal must equal a literal.
 * This is sound (never claims a cover that is not one); it can miss exotic covers, which only
 * means a REDUNDANT_* suggestion is not made.
 */
static bool covers(const char *w, const char *n, bool nocase, unsigned budget) {
    if (budget == 0)
        return false;
    while (*w && *w != '*') {
        if (!*n)
            return false;
        if (*w == '?') {
            if (*n == '*')
                return false;
        } else if (*n == '*' || *n == '?' || fold(*w, nocase) != fold(*n, nocase)) {
            return false;
        }
        w++;
        n++;
    }
    if (!*w)
        return *n == '\0';
    while (*w == '*')
        w++;
    if (!*w)
        return true;
    for (;; n++) {
        if (covers(w, n, nocase, budget - 1))
            return true;
        if (!*n)
            return false;
    }
}

bool iam_vpattern_covers(const char *wide, const char *narrow, bool nocase) {
    return covers(wide, narrow, nocase, 64);
}

bool iam_vpattern_can_start_with(const char *p, const char *prefix) {
    for (; *prefix; p++, prefix++) {
        if (*p == '*')
            return true;
        if (*p == '\0')
            return false;
        if (*p != '?' && *p != *prefix)
            return false;
    }
    return true;
}

bool iam_vhas_wildcard(const char *s) {
    return strpbrk(s, "*?") != NULL;
}

bool iam_vhas_variable(const char *s) {
    return strstr(s, "${") != NULL;
}

static bool var_name_char(unsigned char ch) {
    return isalnum(ch) || ch == ':' || ch == '/' || ch == '_' || ch == '-' || ch == '.' ||
           ch == '@' || ch == '+' || ch == '=';
}

/* Column of byte offset `at` inside the JSON string node, in code points from the node's
 * start (the opening quote). Only exact for strings without escapes before `at`, which is
 * what policy text looks like; otherwise the span falls back to the whole string. */
static bool substring_span(const struct vctx *c, const struct iam_json *node, size_t at, size_t n,
                           struct iam_json_pos *ret_start, struct iam_json_pos *ret_end) {
    const char *raw = c->text + node->start.offset + 1;
    size_t raw_len = node->end.offset - node->start.offset - 2;

    if (raw_len != node->u.str.len || memcmp(raw, node->u.str.s, raw_len) != 0)
        return false; /* escapes: raw and decoded differ */
    *ret_start = node->start;
    ret_start->offset += 1 + at;
    ret_start->column += 1;
    for (size_t i = 0; i < at; i++)
        if (((unsigned char)raw[i] & 0xC0) != 0x80)
            ret_start->column++;
    *ret_end = *ret_start;
    ret_end->offset += n;
    for (size_t i = at; i < at + n; i++)
        if (((unsigned char)raw[i] & 0xC0) != 0x80)
            ret_end->column++;
    return true;
}

static void var_finding(struct vctx *c, enum vcheck id, const struct iam_json *node, size_t at,
                        size_t n, const char *fmt, ...) IAM_PRINTF(6, 7);
static void var_finding(struct vctx *c, enum vcheck id, const struct iam_json *node, size_t at,
                        size_t n, const char *fmt, ...) {
    struct iam_json_pos s, e;
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (substring_span(c, node, at, n, &s, &e)) {
        iam_vpath_push_substring(c, s.column - node->start.column - 1, e.column - s.column);
        iam_vfinding_span(c, id, s, e, "%s", msg);
        iam_vpath_pop(c);
    } else {
        iam_vfinding(c, id, node, "%s", msg);
    }
}

bool iam_vcheck_variables(struct vctx *c, const struct iam_json *node) {
    const char *s = node->u.str.s;
    bool any = false;

    for (const char *p = strstr(s, "${"); p; p = strstr(p, "${")) {
        size_t at = (size_t)(p - s);
        const char *close = strchr(p + 2, '}');
        const char *comma;
        size_t inner_len;
        char name[128];

        any = true;
        if (!close) {
            var_finding(c, VC_MISSING_BRACE_IN_VARIABLE, node, at, strlen(p),
                        "The policy variable %.80s is missing a closing curly brace. Add } after "
                        "the variable text.",
                        p);
            break;
        }
        inner_len = (size_t)(close - (p + 2));
        if (inner_len == 0) {
            var_finding(c, VC_EMPTY_VARIABLE, node, at, 3,
                        "Empty policy variable. Remove the variable structure or provide a "
                        "variable within the structure.");
            p = close + 1;
            continue;
        }
        if (inner_len == 1 && strchr("*?$", p[2])) { /* ${*} ${?} ${$} escapes */
            p = close + 1;
            continue;
        }
        comma = memchr(p + 2, ',', inner_len);
        {
            size_t nlen = (size_t)((comma ? comma : close) - (p + 2));
            bool space = false, symbol = false;

            snprintf(name, sizeof(name), "%.*s", (int)(nlen < 120 ? nlen : 120), p + 2);
            for (size_t i = 0; i < nlen; i++) {
                unsigned char ch = (unsigned char)p[2 + i];

                if (ch == ' ' || ch == '\t')
                    space = true;
                else if (!var_name_char(ch))
                    symbol = true;
            }
            if (space)
                var_finding(c, VC_UNSUPPORTED_SPACE_IN_VARIABLE, node, at, inner_len + 3,
                            "A space is not supported within the policy variable text \"%s\". "
                            "Remove the space.",
                            name);
            else if (symbol || nlen == 0)
                var_finding(c, VC_HOST_UNSUPPORTED_SYMBOL_IN_VARIABLE, node, at, inner_len + 3,
                            "The policy variable \"%s\" holds a symbol that is not supported "
                            "within a variable name. Remove the symbol.",
                            name);
        }
        if (comma) {
            const char *d = comma + 1, *e = close;

            while (d < e && *d == ' ')
                d++;
            while (e > d && e[-1] == ' ')
                e--;
            if (e - d < 2 || *d != '\'' || e[-1] != '\'')
                var_finding(c, VC_MISSING_QUOTE_IN_VARIABLE, node, at, inner_len + 3,
                            "The default value of policy variable \"%s\" must begin and end "
                            "with a single quote. Add the missing quote.",
                            name);
        }
        p = close + 1;
    }
    return any;
}

bool iam_vparse_cidr(const char *s, struct vcidr *ret, bool *ret_host_bits) {
    struct iam_cidr engine;
    char buf[64];
    const char *slash = strchr(s, '/');
    size_t alen = slash ? (size_t)(slash - s) : strlen(s);
    uint8_t raw[16];
    unsigned maxp;

    if (iam_cidr_parse(s, strlen(s), &engine) < 0)
        return false;
    memset(ret, 0, sizeof(*ret));
    ret->v6 = engine.family == 6;
    ret->prefix = engine.prefix;
    memcpy(ret->addr, engine.addr, sizeof(ret->addr));
    /* The engine clears host bits; look at the address as written to see whether any were set. */
    *ret_host_bits = false;
    if (!slash || alen == 0 || alen >= sizeof(buf))
        return true;
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    memset(raw, 0, sizeof(raw));
    if (inet_pton(AF_INET, buf, raw) == 1) {
        maxp = 32;
    } else if (inet_pton(AF_INET6, buf, raw) == 1) {
        maxp = 128;
        if (!ret->v6) { /* IPv4-mapped: the engine's prefix counts IPv4 bits */
            memmove(raw, raw + 12, 4);
            maxp = 32;
        }
    } else {
        return true;
    }
    for (unsigned bit = ret->prefix; bit < maxp; bit++)
        if (raw[bit / 8] & (0x80u >> (bit % 8)))
            *ret_host_bits = true;
    return true;
}

/* Is the whole range inside one private or loopback block? */
bool iam_vcidr_private(const struct vcidr *c) {
    static const struct {
        uint8_t a[16];
        unsigned prefix;
        bool v6;
    } blocks[] = {
        {{10}, 8, false},  {{172, 16}, 12, false}, {{192, 168}, 16, false},
        {{127}, 8, false}, {{0xfc}, 7, true},      {{[15] = 1}, 128, true},
    };

    for (size_t i = 0; i < IAM_ELEMENTSOF(blocks); i++) {
        bool in = true;

        if (blocks[i].v6 != c->v6 || c->prefix < blocks[i].prefix)
            continue;
        for (unsigned bit = 0; bit < blocks[i].prefix; bit++) {
            unsigned m = 0x80u >> (bit % 8);

            if ((c->addr[bit / 8] & m) != (blocks[i].a[bit / 8] & m)) {
                in = false;
                break;
            }
        }
        if (in)
            return true;
    }
    return false;
}

/* Values are judged by the engine's own parsers (../values.c), so "the validator accepts
 * it" and "the engine accepts it" cannot drift apart. */
bool iam_vparse_number(const char *s, struct iam_num *ret) {
    return iam_num_parse(s, strlen(s), ret) == 0;
}

bool iam_vparse_date(const char *s, struct iam_time *ret, bool *ret_epoch) {
    size_t n = strlen(s);

    if (iam_time_parse(s, n, ret) < 0)
        return false;
    *ret_epoch = n > 0 && strspn(s, "0123456789") == n;
    return true;
}

bool iam_vbase64_valid(const char *s) {
    size_t n = strlen(s);
    uint8_t buf[96];

    if (n == 0)
        return false;
    if (n / 4 * 3 + 1 <= sizeof(buf))
        return iam_base64_decode(s, n, buf, sizeof(buf)) >= 0;
    {
        uint8_t *big = malloc(n / 4 * 3 + 1);
        bool ok;

        if (!big)
            return true; /* cannot tell; the engine step will */
        ok = iam_base64_decode(s, n, big, n / 4 * 3 + 1) >= 0;
        free(big);
        return ok;
    }
}

bool iam_vparse_bool(const char *s) {
    bool b;

    return iam_bool_parse(s, strlen(s), &b) == 0;
}

/* Duplicate keys are found by sorting (a merge sort that takes the comparison mode as an
 * argument, so no global state), which keeps hostile objects with thousands of keys
 * O(n log n). Within a run of equal keys, the first in the document is the original. */
static int cmp_mode(const struct iam_json_member *x, const struct iam_json_member *y, bool nocase) {
    int k = nocase ? strcasecmp(x->key, y->key) : strcmp(x->key, y->key);

    if (k)
        return k;
    return x->key_pos.offset < y->key_pos.offset ? -1 : x->key_pos.offset > y->key_pos.offset;
}

static void merge_sort(const struct iam_json_member **a, const struct iam_json_member **tmp,
                       size_t n, bool nocase) {
    size_t mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2)
        return;
    merge_sort(a, tmp, mid, nocase);
    merge_sort(a + mid, tmp, n - mid, nocase);
    while (i < mid && j < n)
        tmp[k++] = cmp_mode(a[i], a[j], nocase) <= 0 ? a[i++] : a[j++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof(*a));
}

void iam_vfor_duplicate_keys(struct vctx *c, const struct iam_json *obj, bool nocase,
                             void (*fn)(struct vctx *c, const struct iam_json_member *later,
                                        const struct iam_json_member *first)) {
    size_t n = obj->u.obj.n;
    const struct iam_json_member **v, **tmp;

    if (n < 2)
        return;
    v = calloc(2 * n, sizeof(*v));
    if (!v) {
        c->r = -ENOMEM;
        return;
    }
    tmp = v + n;
    for (size_t i = 0; i < n; i++)
        v[i] = &obj->u.obj.members[i];
    merge_sort(v, tmp, n, nocase);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;

        while (j < n &&
               (nocase ? strcasecmp(v[i]->key, v[j]->key) : strcmp(v[i]->key, v[j]->key)) == 0) {
            fn(c, v[j], v[i]);
            j++;
        }
        i = j;
    }
    free(v);
}

/* Structural equality: objects as unordered maps, arrays in order, scalars by text. A member
 * named skip_key is ignored at the top level only (the statements' Sid). */
bool iam_vjson_equal(const struct iam_json *a, const struct iam_json *b, const char *skip_key) {
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case IAM_JSON_NULL:
    case IAM_JSON_TRUE:
    case IAM_JSON_FALSE:
        return true;
    case IAM_JSON_NUMBER:
        return strcmp(a->u.num.text, b->u.num.text) == 0;
    case IAM_JSON_STRING:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case IAM_JSON_ARRAY:
        if (a->u.arr.n != b->u.arr.n)
            return false;
        for (size_t i = 0; i < a->u.arr.n; i++)
            if (!iam_vjson_equal(a->u.arr.items[i], b->u.arr.items[i], NULL))
                return false;
        return true;
    case IAM_JSON_OBJECT: {
        size_t na = 0, nb = 0;

        for (size_t i = 0; i < a->u.obj.n; i++) {
            const struct iam_json_member *m = &a->u.obj.members[i];
            const struct iam_json *other;

            if (skip_key && strcmp(m->key, skip_key) == 0)
                continue;
            na++;
            other = iam_json_get(b, m->key);
            if (!other || !iam_vjson_equal(m->value, other, NULL))
                return false;
        }
        for (size_t i = 0; i < b->u.obj.n; i++)
            if (!skip_key || strcmp(b->u.obj.members[i].key, skip_key) != 0)
                nb++;
        return na == nb;
    }
    }
    return false;
}
