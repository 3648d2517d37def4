/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A strict JSON reader that keeps the position of every value (see iam/json.h for why).
 *
 * Recursive descent, bounded by max_depth, so hostile nesting costs a clear error and no
 * stack. All nodes, strings and arrays live in one arena freed with the document.
 */
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "iam/json.h"

/* A parsed document's nodes, strings and arrays come from one arena of 64 KiB chunks. */
#define JSON_ARENA_CHUNK (64u * 1024u)

struct iam_json_doc {
    struct iam_arena arena;
    struct iam_json *root;
};

struct parser {
    const char *text;
    size_t len;
    size_t off;
    unsigned line, column;
    unsigned depth, max_depth;
    bool allow_duplicates;
    struct iam_json_doc *doc;
    struct iam_arena *arena; /* where nodes go: the document's, or scratch for a deferred item */
    struct iam_arena scratch;
    unsigned defer_depth;
    void (*on_deferred)(void *ctx, const char *key, size_t index, const struct iam_json *item);
    void *ctx;
    const char *key; /* the name of the member whose value is being parsed */
    struct iam_error *err;
    int r; /* the first failure's code */
    /* Items of the containers being parsed, innermost on top: one growing buffer for the
     * whole document instead of an allocation per object and array. */
    unsigned char *stack;
    size_t top, cap;
};

/* Not zeroed: every node, string and array is written whole before it is read. */
static void *doc_alloc(struct parser *p, size_t size) {
    return iam_arena_alloc_uninit(p->arena, size);
}

static struct iam_json_pos here(const struct parser *p) {
    return (struct iam_json_pos){.line = p->line, .column = p->column, .offset = p->off};
}

static void fail_at(struct parser *p, struct iam_json_pos at, int r, const char *fmt, ...)
    IAM_PRINTF(4, 5);
static void fail_at(struct parser *p, struct iam_json_pos at, int r, const char *fmt, ...) {
    va_list ap;

    if (p->r)
        return;
    p->r = r;
    va_start(ap, fmt);
    iam_error_setv(p->err, at.line, at.column, at.offset, fmt, ap);
    va_end(ap);
}

/* Advance over one byte, keeping line and column (columns count code points). */
static void advance(struct parser *p) {
    unsigned char c = (unsigned char)p->text[p->off];

    p->off++;
    if (c == '\n') {
        p->line++;
        p->column = 1;
    } else if ((c & 0xC0) != 0x80) {
        p->column++;
    }
}

static int peek(const struct parser *p) {
    return p->off < p->len ? (unsigned char)p->text[p->off] : -1;
}

static void skip_ws(struct parser *p) {
    /* Hot: pretty-printed databases are mostly indentation. Whitespace is ASCII, so each
     * byte is one column; only '\n' starts a line. */
    const char *t = p->text;
    size_t off = p->off, len = p->len;
    unsigned line = p->line, column = p->column;

    while (off < len) {
        char c = t[off];

        if (c == ' ' && len - off >= 8 && memcmp(t + off, "        ", 8) == 0) {
            off += 8;
            column += 8;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            column++;
        } else if (c == '\n') {
            line++;
            column = 1;
        } else {
            break;
        }
        off++;
    }
    p->off = off;
    p->line = line;
    p->column = column;
}

static const char *describe(int c) {
    static const char *const names[] = {"end of input", "a control character"};

    if (c < 0)
        return names[0];
    if (c < 0x20)
        return names[1];
    return NULL;
}

static void fail_unexpected(struct parser *p, const char *wanted) {
    int c = peek(p);
    const char *d = describe(c);

    if (d)
        fail_at(p, here(p), -EINVAL, "expected %s, found %s", wanted, d);
    else if (c < 0x80)
        fail_at(p, here(p), -EINVAL, "expected %s, found '%c'", wanted, c);
    else
        fail_at(p, here(p), -EINVAL, "expected %s, found a non-ASCII character", wanted);
}

/* Length of a valid UTF-8 sequence at s (at most avail bytes), 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && s[1] >= 0xA0)
            return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
            (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && s[1] >= 0x90)
            return 0; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

static size_t utf8_put(char *out, uint32_t cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const struct parser *p, size_t at, uint32_t *ret) {
    uint32_t v = 0;

    if (p->len - at < 4)
        return -1;
    for (size_t i = 0; i < 4; i++) {
        char c = p->text[at + i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *ret = v;
    return 0;
}

/* Parse a string at p->off (which is '"'). The decoded text is never longer than the raw
 * text, so one arena allocation of the raw length suffices. */
static int parse_string(struct parser *p, const char **ret_s, size_t *ret_len) {
    struct iam_json_pos start = here(p);
    size_t raw_start, end;
    char *out;
    size_t n = 0;

    advance(p); /* opening quote */
    raw_start = p->off;
    /* Find the closing quote first to size the output: the first '"' not escaped, that is
     * not preceded by an odd run of backslashes. */
    end = raw_start;
    for (;;) {
        const char *q = memchr(p->text + end, '"', p->len - end);
        size_t qi, bs = 0;

        if (!q) {
            end = p->len;
            break;
        }
        qi = (size_t)(q - p->text);
        while (qi - bs > raw_start && p->text[qi - bs - 1] == '\\')
            bs++;
        end = qi;
        if (bs % 2 == 0)
            break;
        end = qi + 1;
    }
    if (end >= p->len) {
        fail_at(p, start, -EINVAL, "unterminated string");
        return -1;
    }
    out = doc_alloc(p, end - raw_start + 1);
    if (!out) {
        fail_at(p, start, -ENOMEM, "out of memory");
        return -1;
    }
    while (p->off < end) {
        unsigned char c = (unsigned char)p->text[p->off];

        if (c < 0x20) {
            fail_at(p, here(p), -EINVAL, "control character in string (escape it)");
            return -1;
        }
        if (c == '\\') {
            struct iam_json_pos esc = here(p);
            char e;
            uint32_t cp;

            advance(p);
            e = p->text[p->off];
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out[n++] = e;
                break;
            case 'b':
                out[n++] = '\b';
                break;
            case 'f':
                out[n++] = '\f';
                break;
            case 'n':
                out[n++] = '\n';
                break;
            case 'r':
                out[n++] = '\r';
                break;
            case 't':
                out[n++] = '\t';
                break;
            case 'u':
                if (hex4(p, p->off + 1, &cp) < 0) {
                    fail_at(p, esc, -EINVAL, "bad \\u escape: four hex digits expected");
                    return -1;
                }
                for (int i = 0; i < 4; i++)
                    advance(p);
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    fail_at(p, esc, -EINVAL, "unpaired low surrogate \\u%04X", (unsigned)cp);
                    return -1;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;

                    if (p->off + 2 >= end || p->text[p->off + 1] != '\\' ||
                        p->text[p->off + 2] != 'u' || hex4(p, p->off + 3, &lo) < 0 ||
                        lo < 0xDC00 || lo > 0xDFFF) {
                        fail_at(p, esc, -EINVAL, "unpaired high surrogate \\u%04X",
                                (unsigned)cp);
                        return -1;
                    }
                    for (int i = 0; i < 6; i++)
                        advance(p);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (cp == 0) {
                    fail_at(p, esc, -EINVAL, "\\u0000 is not allowed in strings");
                    return -1;
                }
                n += utf8_put(out + n, cp);
                break;
            default:
                fail_at(p, esc, -EINVAL, "bad escape sequence in string");
                return -1;
            }
            advance(p);
            continue;
        }
        if (c < 0x80) {
            /* A run of plain ASCII (no escape, no control character, never '\n'): copy it
             * whole; each byte is one column. */
            size_t run = p->off;

            while (run < end) {
                unsigned char d = (unsigned char)p->text[run];

                if (d < 0x20 || d >= 0x80 || d == '\\')
                    break;
                run++;
            }
            memcpy(out + n, p->text + p->off, run - p->off);
            n += run - p->off;
            p->column += (unsigned)(run - p->off);
            p->off = run;
            continue;
        }
        size_t l = utf8_len((const unsigned char *)p->text + p->off, end - p->off);
        if (l == 0) {
            fail_at(p, here(p), -EINVAL, "invalid UTF-8 in string");
            return -1;
        }
        memcpy(out + n, p->text + p->off, l);
        n += l;
        for (size_t i = 0; i < l; i++)
            advance(p);
    }
    advance(p); /* closing quote */
    out[n] = '\0';
    *ret_s = out;
    *ret_len = n;
    return 0;
}

static locale_t c_locale(void) {
    static locale_t loc = (locale_t)0;
    locale_t l = __atomic_load_n(&loc, __ATOMIC_ACQUIRE);

    if (l)
        return l;
    l = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!l)
        return (locale_t)0;
    locale_t expected = (locale_t)0;
    if (!__atomic_compare_exchange_n(&loc, &expected, l, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
        freelocale(l);
        l = expected;
    }
    return l;
}

static int parse_number(struct parser *p, struct iam_json *node) {
    size_t s = p->off;
    char *text;
    locale_t loc;

    if (peek(p) == '-')
        advance(p);
    if (peek(p) == '0') {
        advance(p);
    } else if (peek(p) >= '1' && peek(p) <= '9') {
        while (peek(p) >= '0' && peek(p) <= '9')
            advance(p);
    } else {
        fail_unexpected(p, "a digit");
        return -1;
    }
    if (peek(p) == '.') {
        advance(p);
        if (!(peek(p) >= '0' && peek(p) <= '9')) {
            fail_unexpected(p, "a digit after '.'");
            return -1;
        }
        while (peek(p) >= '0' && peek(p) <= '9')
            advance(p);
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        advance(p);
        if (peek(p) == '+' || peek(p) == '-')
            advance(p);
        if (!(peek(p) >= '0' && peek(p) <= '9')) {
            fail_unexpected(p, "a digit in the exponent");
            return -1;
        }
        while (peek(p) >= '0' && peek(p) <= '9')
            advance(p);
    }
    text = doc_alloc(p, p->off - s + 1);
    if (!text) {
        fail_at(p, node->start, -ENOMEM, "out of memory");
        return -1;
    }
    memcpy(text, p->text + s, p->off - s);
    text[p->off - s] = '\0';
    node->type = IAM_JSON_NUMBER;
    node->u.num.text = text;
    node->u.num.len = p->off - s;
    /* strtod follows LC_NUMERIC; sudo calls setlocale(), so use the C locale explicitly. */
    loc = c_locale();
    if (!loc) {
        fail_at(p, node->start, -ENOMEM, "out of memory");
        return -1;
    }
    node->u.num.value = strtod_l(text, NULL, loc);
    return 0;
}

static int parse_literal(struct parser *p, const char *word, enum iam_json_type type,
                         struct iam_json *node) {
    size_t l = strlen(word);

    if (p->len - p->off < l || memcmp(p->text + p->off, word, l) != 0) {
        fail_unexpected(p, "a JSON value");
        return -1;
    }
    for (size_t i = 0; i < l; i++)
        advance(p);
    node->type = type;
    return 0;
}

static struct iam_json *parse_value(struct parser *p);

/* Push an item of size bytes (a multiple of 8) on the parser's stack. */
static int stack_push(struct parser *p, const void *item, size_t size) {
    if (p->cap - p->top < size) {
        size_t ncap = p->cap ? p->cap * 2 : 4096;
        unsigned char *ns;

        while (ncap - p->top < size)
            ncap *= 2;
        ns = realloc(p->stack, ncap);
        if (!ns)
            return -1;
        p->stack = ns;
        p->cap = ncap;
    }
    memcpy(p->stack + p->top, item, size);
    p->top += size;
    return 0;
}

/* Move the items above base into the arena and pop them; NULL when there are none or on
 * ENOMEM (told apart by the caller with n). */
static void *stack_take(struct parser *p, size_t base) {
    size_t n = p->top - base;
    void *a;

    if (n == 0)
        return NULL;
    a = doc_alloc(p, n);
    if (a)
        memcpy(a, p->stack + base, n);
    p->top = base;
    return a;
}

static int cmp_member_key(const void *a, const void *b) {
    const struct iam_json_member *const *x = a, *const *y = b;
    size_t l = (*x)->key_len < (*y)->key_len ? (*x)->key_len : (*y)->key_len;
    int c = memcmp((*x)->key, (*y)->key, l);

    if (c)
        return c;
    if ((*x)->key_len != (*y)->key_len)
        return (*x)->key_len < (*y)->key_len ? -1 : 1;
    /* Equal keys: order by position so the later one is reported. */
    return (*x)->key_pos.offset < (*y)->key_pos.offset ? -1 : 1;
}

static bool same_key(const struct iam_json_member *a, const struct iam_json_member *b) {
    return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

static void check_duplicates(struct parser *p, struct iam_json_member *m, size_t n) {
    const struct iam_json_member *dup = NULL;

    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n && !dup; i++)
            for (size_t j = 0; j < i; j++)
                if (same_key(&m[i], &m[j])) {
                    dup = &m[i];
                    break;
                }
    } else {
        const struct iam_json_member **sorted = malloc(n * sizeof(*sorted));

        if (!sorted) {
            fail_at(p, m[0].key_pos, -ENOMEM, "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++)
            sorted[i] = &m[i];
        qsort(sorted, n, sizeof(*sorted), cmp_member_key);
        for (size_t i = 1; i < n; i++)
            if (same_key(sorted[i], sorted[i - 1]) &&
                (!dup || sorted[i]->key_pos.offset < dup->key_pos.offset))
                dup = sorted[i];
        free(sorted);
    }
    if (dup)
        fail_at(p, dup->key_pos, -EINVAL, "duplicate key \"%.64s\"", dup->key);
}

static int parse_object(struct parser *p, struct iam_json *node) {
    size_t base = p->top, n;
    int r = -1;

    advance(p); /* '{' */
    skip_ws(p);
    if (peek(p) == '}') {
        advance(p);
        goto done;
    }
    for (;;) {
        struct iam_json_member m = {0};

        skip_ws(p);
        if (peek(p) != '"') {
            fail_unexpected(p, "a member name in double quotes");
            goto out;
        }
        m.key_pos = here(p);
        if (parse_string(p, &m.key, &m.key_len) < 0)
            goto out;
        skip_ws(p);
        if (peek(p) != ':') {
            fail_unexpected(p, "':' after the member name");
            goto out;
        }
        advance(p);
        p->key = m.key;
        m.value = parse_value(p);
        if (!m.value)
            goto out;
        if (stack_push(p, &m, sizeof(m)) < 0) {
            fail_at(p, m.key_pos, -ENOMEM, "out of memory");
            goto out;
        }
        skip_ws(p);
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == '}') {
            advance(p);
            break;
        }
        fail_unexpected(p, "',' or '}'");
        goto out;
    }
done:
    n = (p->top - base) / sizeof(struct iam_json_member);
    node->type = IAM_JSON_OBJECT;
    node->u.obj.n = n;
    node->u.obj.members = stack_take(p, base);
    if (n) {
        if (!node->u.obj.members) {
            fail_at(p, node->start, -ENOMEM, "out of memory");
            goto out;
        }
        if (!p->allow_duplicates) {
            check_duplicates(p, node->u.obj.members, n);
            if (p->r)
                goto out;
        }
    }
    r = 0;
out:
    p->top = base;
    return r;
}

/* An item of an array at the defer depth: parsed whole into scratch (every check made, and
 * shown to on_deferred), then kept as a deferred node only. */
static struct iam_json *parse_deferred(struct parser *p, const char *key, size_t index) {
    struct iam_json *item, *stub = NULL;

    p->arena = &p->scratch;
    item = parse_value(p);
    p->arena = &p->doc->arena;
    if (item) {
        if (p->on_deferred)
            p->on_deferred(p->ctx, key, index, item);
        stub = doc_alloc(p, sizeof(*stub));
        if (stub) {
            memset(stub, 0, sizeof(*stub));
            stub->type = item->type;
            stub->deferred = true;
            stub->start = item->start;
            stub->end = item->end;
        } else {
            fail_at(p, item->start, -ENOMEM, "out of memory");
        }
    }
    iam_arena_free(&p->scratch);
    return stub;
}

static int parse_array(struct parser *p, struct iam_json *node) {
    size_t base = p->top, n, index = 0;
    /* items are deferred only at the defer depth, never inside a deferred item */
    bool defer = p->defer_depth && p->depth == p->defer_depth && p->arena != &p->scratch;
    const char *key = p->key;
    int r = -1;

    p->key = NULL;
    advance(p); /* '[' */
    skip_ws(p);
    if (peek(p) == ']') {
        advance(p);
        goto done;
    }
    for (;;) {
        struct iam_json *item = defer ? parse_deferred(p, key, index++) : parse_value(p);

        if (!item)
            goto out;
        if (stack_push(p, &item, sizeof(item)) < 0) {
            fail_at(p, item->start, -ENOMEM, "out of memory");
            goto out;
        }
        skip_ws(p);
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == ']') {
            advance(p);
            break;
        }
        fail_unexpected(p, "',' or ']'");
        goto out;
    }
done:
    n = (p->top - base) / sizeof(struct iam_json *);
    node->type = IAM_JSON_ARRAY;
    node->u.arr.n = n;
    node->u.arr.items = stack_take(p, base);
    if (n && !node->u.arr.items) {
        fail_at(p, node->start, -ENOMEM, "out of memory");
        goto out;
    }
    r = 0;
out:
    p->top = base;
    return r;
}

static struct iam_json *parse_value(struct parser *p) {
    struct iam_json *node;
    int r;

    skip_ws(p);
    node = doc_alloc(p, sizeof(*node));
    if (!node) {
        fail_at(p, here(p), -ENOMEM, "out of memory");
        return NULL;
    }
    memset(node, 0, sizeof(*node));
    node->start = here(p);
    switch (peek(p)) {
    case '{':
    case '[':
        if (p->depth >= p->max_depth) {
            fail_at(p, here(p), -E2BIG, "nesting deeper than %u levels", p->max_depth);
            return NULL;
        }
        p->depth++;
        r = peek(p) == '{' ? parse_object(p, node) : parse_array(p, node);
        p->depth--;
        break;
    case '"':
        r = parse_string(p, &node->u.str.s, &node->u.str.len);
        node->type = IAM_JSON_STRING;
        break;
    case 't':
        r = parse_literal(p, "true", IAM_JSON_TRUE, node);
        break;
    case 'f':
        r = parse_literal(p, "false", IAM_JSON_FALSE, node);
        break;
    case 'n':
        r = parse_literal(p, "null", IAM_JSON_NULL, node);
        break;
    default:
        if (peek(p) == '-' || (peek(p) >= '0' && peek(p) <= '9')) {
            r = parse_number(p, node);
        } else {
            fail_unexpected(p, "a JSON value");
            r = -1;
        }
        break;
    }
    if (r < 0)
        return NULL;
    node->end = here(p);
    return node;
}

int iam_json_parse(const char *text, size_t len, const struct iam_json_opts *opts,
                   struct iam_json_doc **ret_doc, struct iam_error *reterr) {
    struct parser p = {
        .text = text,
        .len = len,
        .line = 1,
        .column = 1,
        .max_depth = opts && opts->max_depth ? opts->max_depth : IAM_JSON_DEFAULT_MAX_DEPTH,
        .allow_duplicates = opts && opts->allow_duplicate_keys,
        .err = reterr,
    };
    struct iam_json_doc *doc = NULL;
    int r;

    if (!text && len > 0)
        return -EINVAL;
    if (len > IAM_JSON_MAX_INPUT) {
        iam_error_set(reterr, 0, 0, 0, "input of %zu bytes is over the %u byte limit", len,
                      IAM_JSON_MAX_INPUT);
        return -E2BIG;
    }
    doc = calloc(1, sizeof(*doc));
    if (!doc)
        return -ENOMEM;
    doc->arena = IAM_ARENA_INIT(JSON_ARENA_CHUNK);
    p.doc = doc;
    p.arena = &doc->arena;
    p.scratch = IAM_ARENA_INIT(JSON_ARENA_CHUNK);
    if (opts) {
        p.defer_depth = opts->defer_depth;
        p.on_deferred = opts->on_deferred;
        p.ctx = opts->ctx;
    }
    /* A UTF-8 byte order mark is tolerated (files from some editors carry one). */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.off = 3;
    skip_ws(&p);
    if (p.off >= len) {
        fail_at(&p, here(&p), -EINVAL, "empty document: expected a JSON value");
        goto out;
    }
    doc->root = parse_value(&p);
    if (!doc->root)
        goto out;
    skip_ws(&p);
    if (p.off < len)
        fail_at(&p, here(&p), -EINVAL, "unexpected text after the JSON value");
out:
    free(p.stack);
    iam_arena_free(&p.scratch);
    r = p.r;
    if (r < 0) {
        iam_json_doc_free(doc);
        return r;
    }
    *ret_doc = doc;
    return 0;
}

int iam_json_parse_item(const char *text, const struct iam_json *node,
                        const struct iam_json_opts *opts, struct iam_json_doc **ret_doc,
                        struct iam_error *reterr) {
    struct parser p = {
        .text = text,
        .max_depth = opts && opts->max_depth ? opts->max_depth : IAM_JSON_DEFAULT_MAX_DEPTH,
        .allow_duplicates = opts && opts->allow_duplicate_keys,
        .err = reterr,
    };
    struct iam_json_doc *doc;
    int r;

    if (!text || !node || node->end.offset < node->start.offset ||
        node->end.offset > IAM_JSON_MAX_INPUT)
        return -EINVAL;
    p.len = node->end.offset;
    p.off = node->start.offset;
    p.line = node->start.line;
    p.column = node->start.column;
    doc = calloc(1, sizeof(*doc));
    if (!doc)
        return -ENOMEM;
    doc->arena = IAM_ARENA_INIT(JSON_ARENA_CHUNK);
    p.doc = doc;
    p.arena = &doc->arena;
    doc->root = parse_value(&p);
    if (doc->root && p.off != p.len)
        fail_at(&p, here(&p), -EINVAL, "unexpected text after the JSON value");
    free(p.stack);
    r = p.r;
    if (r < 0) {
        iam_json_doc_free(doc);
        return r;
    }
    *ret_doc = doc;
    return 0;
}

const struct iam_json *iam_json_root(const struct iam_json_doc *doc) {
    return doc ? doc->root : NULL;
}

void iam_json_doc_free(struct iam_json_doc *doc) {
    if (!doc)
        return;
    iam_arena_free(&doc->arena);
    free(doc);
}

const char *iam_json_scalar_text(const struct iam_json *j, size_t *ret_len) {
    const char *s;
    size_t len;

    if (!j)
        return NULL;
    switch (j->type) {
    case IAM_JSON_STRING:
        s = j->u.str.s;
        len = j->u.str.len;
        break;
    case IAM_JSON_NUMBER:
        s = j->u.num.text;
        len = j->u.num.len;
        break;
    case IAM_JSON_TRUE:
        s = "true";
        len = 4;
        break;
    case IAM_JSON_FALSE:
        s = "false";
        len = 5;
        break;
    default:
        return NULL;
    }
    if (ret_len)
        *ret_len = len;
    return s;
}

const struct iam_json_member *iam_json_member(const struct iam_json *obj, const char *key) {
    if (!iam_json_is_object(obj) || !key)
        return NULL;
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (strcmp(obj->u.obj.members[i].key, key) == 0)
            return &obj->u.obj.members[i];
    return NULL;
}

const struct iam_json *iam_json_get(const struct iam_json *obj, const char *key) {
    const struct iam_json_member *m = iam_json_member(obj, key);

    return m ? m->value : NULL;
}

const struct iam_json *iam_json_get_ci(const struct iam_json *obj, const char *key) {
    if (!iam_json_is_object(obj) || !key)
        return NULL;
    for (size_t i = 0; i < obj->u.obj.n; i++)
        if (strcasecmp(obj->u.obj.members[i].key, key) == 0)
            return obj->u.obj.members[i].value;
    return NULL;
}

const char *iam_json_type_name(enum iam_json_type type) {
    switch (type) {
    case IAM_JSON_NULL:
        return "null";
    case IAM_JSON_FALSE:
    case IAM_JSON_TRUE:
        return "boolean";
    case IAM_JSON_NUMBER:
        return "number";
    case IAM_JSON_STRING:
        return "string";
    case IAM_JSON_ARRAY:
        return "array";
    case IAM_JSON_OBJECT:
        return "object";
    }
    return "unknown";
}

void iam_json_error(struct iam_error *e, const struct iam_json *at, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    if (at)
        iam_error_setv(e, at->start.line, at->start.column, at->start.offset, fmt, ap);
    else
        iam_error_setv(e, 0, 0, 0, fmt, ap);
    va_end(ap);
}
