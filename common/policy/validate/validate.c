/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam_policy_validate(): Access Analyzer-style findings for one policy document.
 *
 * This file holds the public API: the findings store, the path stack and positions, the
 * driver (JSON parse, the checks of checks.c and conditions.c, then the engine's
 * own compile), and the ValidatePolicy JSON rendering.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_private.h"

#define AWSDOC(anchor)                                                                             \
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/"                                            \
    "access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-" anchor
#define HOSTDOC(id) "file:///usr/share/doc/iamctl/findings.md#" #id
#define AWSDOC_PREFIX "https://docs.aws.amazon.com/"

static const struct iam_check_info catalogue[VC__COUNT] = {
#define IAM_VC_INFO(id, kind, link)                                                                \
    [VC_##id] = {.issue_code = #id, .type = IAM_FINDING_##kind, .learn_more = link},
    IAM_VALIDATE_CHECKS(IAM_VC_INFO)
#undef IAM_VC_INFO
};

struct iam_findings {
    struct iam_finding **items;
    size_t n, cap;
};

size_t iam_validate_check_count(void) {
    return VC__COUNT;
}

const struct iam_check_info *iam_validate_check(size_t i) {
    static struct iam_check_info with_aws[VC__COUNT];
    static bool init;

    if (i >= VC__COUNT)
        return NULL;
    /* The aws flag is derived from the link; the table is constant after the first call and
     * the values written are always the same, so a race only rewrites identical bytes. */
    if (!__atomic_load_n(&init, __ATOMIC_ACQUIRE)) {
        for (size_t k = 0; k < VC__COUNT; k++) {
            with_aws[k] = catalogue[k];
            with_aws[k].aws =
                strncmp(catalogue[k].learn_more, AWSDOC_PREFIX, strlen(AWSDOC_PREFIX)) == 0;
        }
        __atomic_store_n(&init, true, __ATOMIC_RELEASE);
    }
    return &with_aws[i];
}

const char *iam_finding_type_name(enum iam_finding_type type) {
    switch (type) {
    case IAM_FINDING_ERROR:
        return "ERROR";
    case IAM_FINDING_SECURITY_WARNING:
        return "SECURITY_WARNING";
    case IAM_FINDING_WARNING:
        return "WARNING";
    case IAM_FINDING_SUGGESTION:
        return "SUGGESTION";
    }
    return "UNKNOWN";
}

int iam_policy_type_from_name(const char *name, enum iam_policy_type *ret_type) {
    if (!name)
        return -EINVAL;
    if (strcmp(name, "IDENTITY_POLICY") == 0)
        *ret_type = IAM_POLICY_IDENTITY;
    else if (strcmp(name, "RESOURCE_POLICY") == 0)
        *ret_type = IAM_POLICY_RESOURCE;
    else
        return -EINVAL;
    return 0;
}

/* ---- path stack ----------------------------------------------------------------------- */

static void push(struct vctx *c, struct iam_path_element e) {
    if (c->depth < VPATH_MAX)
        c->path[c->depth] = e;
    c->depth++;
}

void iam_vpath_push_value(struct vctx *c, const char *key) {
    push(c, (struct iam_path_element){.kind = IAM_PATH_VALUE, .text = key});
}

void iam_vpath_push_key(struct vctx *c, const char *key) {
    push(c, (struct iam_path_element){.kind = IAM_PATH_KEY, .text = key});
}

void iam_vpath_push_index(struct vctx *c, size_t i) {
    push(c, (struct iam_path_element){.kind = IAM_PATH_INDEX, .index = i});
}

void iam_vpath_push_substring(struct vctx *c, size_t start, size_t length) {
    push(c,
         (struct iam_path_element){.kind = IAM_PATH_SUBSTRING, .start = start, .length = length});
}

void iam_vpath_pop(struct vctx *c) {
    if (c->depth > 0)
        c->depth--;
}

/* ---- findings ------------------------------------------------------------------------- */

/* Offsets count code points. Positions carry line and column (in code points), so the offset
 * is the code-point offset of the line's start plus the column: one pass over the text builds
 * the table of line starts, and every conversion after that is O(1). */
static int build_lines(struct vctx *c) {
    size_t n = 1, chars = 0;

    if (c->line_chars)
        return 0;
    for (size_t i = 0; i < c->len; i++)
        n += c->text[i] == '\n';
    c->line_chars = calloc(n, sizeof(*c->line_chars));
    if (!c->line_chars)
        return c->r = -ENOMEM;
    c->nlines = n;
    n = 1;
    /* the reader skips a UTF-8 byte order mark without counting a column for it */
    if (c->len >= 3 && memcmp(c->text, "\xEF\xBB\xBF", 3) == 0)
        c->line_chars[0] = 1;
    for (size_t i = 0; i < c->len; i++) {
        if (((unsigned char)c->text[i] & 0xC0) != 0x80)
            chars++;
        if (c->text[i] == '\n' && n < c->nlines)
            c->line_chars[n++] = chars;
    }
    return 0;
}

static size_t char_offset(struct vctx *c, struct iam_json_pos p) {
    if (build_lines(c) < 0 || p.line == 0 || p.line > c->nlines)
        return 0;
    return c->line_chars[p.line - 1] + (p.column > 0 ? p.column - 1 : 0);
}

static struct iam_finding_position to_position(struct vctx *c, struct iam_json_pos p) {
    return (struct iam_finding_position){
        .line = p.line ? p.line : 1,
        .column = p.column > 0 ? p.column - 1 : 0,
        .offset = char_offset(c, p),
    };
}

static int findings_push(struct iam_findings *f, struct iam_finding *item) {
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        struct iam_finding **items = reallocarray(f->items, cap, sizeof(*items));

        if (!items)
            return -ENOMEM;
        f->items = items;
        f->cap = cap;
    }
    f->items[f->n++] = item;
    return 0;
}

/* One allocation per finding: the finding, its location, its path and every string. */
static int add(struct vctx *c, enum vcheck id, struct iam_json_pos start, struct iam_json_pos end,
               const char *details) {
    size_t npath = c->depth < VPATH_MAX ? c->depth : VPATH_MAX;
    size_t size = sizeof(struct iam_finding) + sizeof(struct iam_finding_location) +
                  npath * sizeof(struct iam_path_element) + strlen(details) + 1;
    struct iam_finding *f;
    struct iam_finding_location *loc;
    struct iam_path_element *path;
    char *strings;

    if (c->r < 0)
        return c->r;
    for (size_t i = 0; i < npath; i++)
        if (c->path[i].text)
            size += strlen(c->path[i].text) + 1;
    f = calloc(1, size);
    if (!f)
        return c->r = -ENOMEM;
    loc = (struct iam_finding_location *)(f + 1);
    path = (struct iam_path_element *)(loc + 1);
    strings = (char *)(path + npath);
    for (size_t i = 0; i < npath; i++) {
        path[i] = c->path[i];
        if (c->path[i].text) {
            size_t l = strlen(c->path[i].text) + 1;

            memcpy(strings, c->path[i].text, l);
            path[i].text = strings;
            strings += l;
        }
    }
    memcpy(strings, details, strlen(details) + 1); /* counted in size above */
    loc->path = path;
    loc->n_path = npath;
    loc->start = to_position(c, start);
    loc->end = to_position(c, end);
    f->type = catalogue[id].type;
    f->issue_code = catalogue[id].issue_code;
    f->learn_more = catalogue[id].learn_more;
    f->details = strings;
    f->locations = loc;
    f->n_locations = 1;
    if (findings_push(c->out, f) < 0) {
        free(f);
        return c->r = -ENOMEM;
    }
    return 0;
}

static void addv(struct vctx *c, enum vcheck id, struct iam_json_pos start, struct iam_json_pos end,
                 const char *fmt, va_list ap) IAM_PRINTF(5, 0);
static void addv(struct vctx *c, enum vcheck id, struct iam_json_pos start, struct iam_json_pos end,
                 const char *fmt, va_list ap) {
    char details[512];

    vsnprintf(details, sizeof(details), fmt, ap);
    (void)add(c, id, start, end, details);
}

void iam_vfinding(struct vctx *c, enum vcheck id, const struct iam_json *node, const char *fmt,
                  ...) {
    va_list ap;

    va_start(ap, fmt);
    addv(c, id, node->start, node->end, fmt, ap);
    va_end(ap);
}

void iam_vfinding_span(struct vctx *c, enum vcheck id, struct iam_json_pos start,
                       struct iam_json_pos end, const char *fmt, ...) {
    va_list ap;

    va_start(ap, fmt);
    addv(c, id, start, end, fmt, ap);
    va_end(ap);
}

/* The span of an object key: from its opening quote to just past its closing quote. */
static struct iam_json_pos key_end(const struct vctx *c, const struct iam_json_member *m) {
    struct iam_json_pos p = m->key_pos;
    size_t i = p.offset;

    if (i >= c->len || c->text[i] != '"')
        return p;
    for (i++, p.column++; i < c->len && c->text[i] != '"'; i++) {
        if (c->text[i] == '\\' && i + 1 < c->len)
            i++, p.column++;
        if (((unsigned char)c->text[i] & 0xC0) != 0x80)
            p.column++;
    }
    p.column++;
    p.offset = i + 1;
    return p;
}

void iam_vfinding_key(struct vctx *c, enum vcheck id, const struct iam_json_member *m,
                      const char *fmt, ...) {
    va_list ap;

    iam_vpath_push_key(c, m->key);
    va_start(ap, fmt);
    addv(c, id, m->key_pos, key_end(c, m), fmt, ap);
    va_end(ap);
    iam_vpath_pop(c);
}

/* Is there an ERROR finding that overlaps [from, to] (to inclusive)? */
bool iam_vhas_error_at(struct vctx *c, struct iam_json_pos from, struct iam_json_pos to) {
    size_t a = char_offset(c, from), b = char_offset(c, to);

    for (size_t i = 0; i < c->out->n; i++) {
        const struct iam_finding *f = c->out->items[i];

        if (f->type == IAM_FINDING_ERROR && f->locations[0].start.offset <= b &&
            a <= f->locations[0].end.offset)
            return true;
    }
    return false;
}

/* ---- public API ----------------------------------------------------------------------- */

size_t iam_findings_count(const struct iam_findings *f) {
    return f ? f->n : 0;
}

const struct iam_finding *iam_findings_get(const struct iam_findings *f, size_t i) {
    return f && i < f->n ? f->items[i] : NULL;
}

size_t iam_findings_count_type(const struct iam_findings *f, enum iam_finding_type type) {
    size_t n = 0;

    for (size_t i = 0; f && i < f->n; i++)
        if (f->items[i]->type == type)
            n++;
    return n;
}

bool iam_findings_has_error(const struct iam_findings *f) {
    return iam_findings_count_type(f, IAM_FINDING_ERROR) > 0;
}

void iam_findings_free(struct iam_findings *f) {
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->items[i]);
    free(f->items);
    free(f);
}

/* Walk down to the deepest node whose span holds offset, building its path, so an engine
 * error lands on the value it is about. */
/* Walk down to the deepest node whose span holds offset, building its path, so an engine
 * error lands on the value it is about. An offset on a member's key lands on that member's
 * value. Returns the root when nothing deeper holds it. */
static const struct iam_json *locate(struct vctx *c, const struct iam_json *node, size_t offset) {
    for (;;) {
        const struct iam_json *next = NULL;

        if (node->type == IAM_JSON_OBJECT) {
            for (size_t i = 0; i < node->u.obj.n && !next; i++) {
                const struct iam_json_member *m = &node->u.obj.members[i];

                if (offset >= m->key_pos.offset && offset < m->value->end.offset) {
                    iam_vpath_push_value(c, m->key);
                    next = m->value;
                    if (offset < m->value->start.offset)
                        return next; /* on the key itself */
                }
            }
        } else if (node->type == IAM_JSON_ARRAY) {
            for (size_t i = 0; i < node->u.arr.n && !next; i++) {
                const struct iam_json *it = node->u.arr.items[i];

                if (offset >= it->start.offset && offset < it->end.offset) {
                    iam_vpath_push_index(c, i);
                    next = it;
                }
            }
        }
        if (!next)
            return node;
        node = next;
    }
}

/* The one place the engine is asked: anything it refuses that no check reported already
 * becomes an ERROR, so "no ERROR finding" implies "the engine compiles it". */
static void run_engine(struct vctx *c, const struct iam_json *root) {
    struct iam_policy *policy = NULL;
    const struct iam_json *node = NULL;
    struct iam_json_pos at;
    struct iam_error err;
    const char *text;
    int r;

    iam_error_init(&err);
    r = iam_policy_compile(c->text, c->len, c->type, &policy, &err);
    iam_policy_free(policy);
    if (r == -ENOMEM) {
        c->r = r;
        return;
    }
    if (r >= 0)
        return;
    text = err.set ? err.text : "the policy engine refused the policy";
    if (err.line == 0) {
        if (!iam_findings_has_error(c->out)) /* no position: tie it to the document */
            iam_vfinding(c, VC_HOST_POLICY_REJECTED, root, "The policy engine refuses this: %s.",
                         text);
        c->depth = 0;
        return;
    }
    node = locate(c, root, err.offset);
    /* Already explained by a check at that place (the engine may point at the key, the
     * value or a character inside it)? */
    at = (struct iam_json_pos){.line = err.line, .column = err.column, .offset = err.offset};
    if (!iam_vhas_error_at(c, node->start, node->end) && !iam_vhas_error_at(c, at, at))
        iam_vfinding(c, VC_HOST_POLICY_REJECTED, node, "The policy engine refuses this: %s.", text);
    c->depth = 0;
}

static int cmp_findings(const void *a, const void *b) {
    const struct iam_finding *x = *(struct iam_finding *const *)a;
    const struct iam_finding *y = *(struct iam_finding *const *)b;

    if (x->locations[0].start.offset != y->locations[0].start.offset)
        return x->locations[0].start.offset < y->locations[0].start.offset ? -1 : 1;
    /* same place: the more severe first, then by code so the order is stable */
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return strcmp(x->issue_code, y->issue_code);
}

/* Access Analyzer's ValidatePolicyResourceType values; only a role's trust policy has checks
 * of its own here (a host has no S3 bucket or DynamoDB table to attach a policy to). */
static const struct {
    const char *name;
    enum iam_validate_resource_type type;
    bool supported;
} resource_types[] = {
    {"AWS::IAM::AssumeRolePolicyDocument", IAM_VALIDATE_RESOURCE_ROLE_TRUST, true},
    {"AWS::S3::Bucket", IAM_VALIDATE_RESOURCE_NONE, false},
    {"AWS::S3::AccessPoint", IAM_VALIDATE_RESOURCE_NONE, false},
    {"AWS::S3::MultiRegionAccessPoint", IAM_VALIDATE_RESOURCE_NONE, false},
    {"AWS::S3ObjectLambda::AccessPoint", IAM_VALIDATE_RESOURCE_NONE, false},
    {"AWS::DynamoDB::Table", IAM_VALIDATE_RESOURCE_NONE, false},
};

int iam_validate_resource_type_from_name(const char *name,
                                         enum iam_validate_resource_type *ret_type) {
    if (!name || !ret_type)
        return -EINVAL;
    for (size_t i = 0; i < IAM_ELEMENTSOF(resource_types); i++)
        if (strcmp(name, resource_types[i].name) == 0) {
            if (!resource_types[i].supported)
                return -EOPNOTSUPP;
            *ret_type = resource_types[i].type;
            return 0;
        }
    return -EINVAL;
}

const char *iam_validate_resource_type_name(enum iam_validate_resource_type type) {
    for (size_t i = 0; i < IAM_ELEMENTSOF(resource_types); i++)
        if (resource_types[i].supported && resource_types[i].type == type)
            return resource_types[i].name;
    return NULL;
}

int iam_policy_validate(const char *text, size_t len, enum iam_policy_type type,
                        struct iam_findings **ret_findings, struct iam_error *reterr) {
    return iam_policy_validate_for(text, len, type, IAM_VALIDATE_RESOURCE_NONE, ret_findings,
                                   reterr);
}

int iam_policy_validate_for(const char *text, size_t len, enum iam_policy_type type,
                            enum iam_validate_resource_type resource_type,
                            struct iam_findings **ret_findings, struct iam_error *reterr) {
    struct iam_findings *out = NULL;
    struct iam_json_doc *doc = NULL;
    struct iam_json_opts opts = {.allow_duplicate_keys = true};
    struct iam_error jerr;
    struct vctx c;
    int r = -EINVAL;

    if ((!text && len > 0) || !ret_findings ||
        (type != IAM_POLICY_IDENTITY && type != IAM_POLICY_RESOURCE) ||
        (resource_type != IAM_VALIDATE_RESOURCE_NONE &&
         (type != IAM_POLICY_RESOURCE || !iam_validate_resource_type_name(resource_type)))) {
        iam_error_set(reterr, 0, 0, 0, "invalid arguments to iam_policy_validate");
        return -EINVAL;
    }
    out = calloc(1, sizeof(*out));
    if (!out)
        return -ENOMEM;
    c = (struct vctx){.text = text ? text : "",
                      .len = len,
                      .type = type,
                      .resource_type = resource_type,
                      .out = out};

    if (len > IAM_POLICY_MAX_BYTES) {
        struct iam_json_pos zero = {.line = 1, .column = 1, .offset = 0};

        iam_vfinding_span(
            &c, VC_HOST_POLICY_REJECTED, zero, zero,
            "The policy is %zu bytes long; the policy engine accepts at most %u bytes.", len,
            IAM_POLICY_MAX_BYTES);
        goto done;
    }
    iam_error_init(&jerr);
    r = iam_json_parse(c.text, len, &opts, &doc, &jerr);
    if (r == -ENOMEM)
        goto out;
    if (r < 0) {
        struct iam_json_pos at = {.line = jerr.line ? jerr.line : 1,
                                  .column = jerr.column ? jerr.column : 1,
                                  .offset = jerr.offset};
        struct iam_json_pos end = at;

        if (end.offset < len) {
            end.offset++;
            end.column++;
        }
        iam_vfinding_span(&c, VC_JSON_SYNTAX_ERROR, at, end,
                          "Fix the JSON syntax error at line %u, column %u: %s.", at.line,
                          at.column - 1, jerr.text);
        goto done;
    }
    iam_vcheck_document(&c, iam_json_root(doc));
    c.depth = 0;
    if (c.r == 0)
        run_engine(&c, iam_json_root(doc));
done:
    r = c.r;
    if (r < 0)
        goto out;
    if (out->n > 1)
        qsort(out->items, out->n, sizeof(out->items[0]), cmp_findings);
    *ret_findings = out;
    out = NULL;
    r = 0;
out:
    if (r == -ENOMEM)
        iam_error_set(reterr, 0, 0, 0, "out of memory");
    free(c.line_chars);
    iam_json_doc_free(doc);
    iam_findings_free(out);
    return r;
}

/* ---- ValidatePolicy JSON ---------------------------------------------------------------- */

/* A small streaming writer: findings can number in the thousands on hostile input, and
 * building a jansson tree for them costs seconds; this is linear. Output matches jansson's
 * layout (JSON_INDENT(n) or JSON_COMPACT), UTF-8 passed through, controls escaped. */
struct jw {
    char *p;
    size_t len, cap;
    int r;
    unsigned indent, depth;
    bool after_key;
    bool first[16];
};

static void jw_put(struct jw *w, const char *s, size_t n) {
    if (w->r < 0)
        return;
    if (w->cap - w->len <= n) {
        size_t cap = w->cap ? w->cap : 4096;
        char *np;

        while (cap - w->len <= n)
            cap *= 2;
        np = realloc(w->p, cap);
        if (!np) {
            w->r = -ENOMEM;
            return;
        }
        w->p = np;
        w->cap = cap;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = '\0';
}

static void jw_newline(struct jw *w, unsigned depth) {
    static const char spaces[] = "                                ";

    if (!w->indent)
        return;
    jw_put(w, "\n", 1);
    for (size_t n = (size_t)depth * w->indent; n > 0;) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

        jw_put(w, spaces, k);
        n -= k;
    }
}

/* Comma and line break before a value or a key, unless the value follows its key. */
static void jw_prefix(struct jw *w) {
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth == 0)
        return;
    if (!w->first[w->depth])
        jw_put(w, ",", 1);
    w->first[w->depth] = false;
    jw_newline(w, w->depth);
}

static void jw_open(struct jw *w, char ch) {
    jw_prefix(w);
    jw_put(w, &ch, 1);
    if (w->depth + 1 < IAM_ELEMENTSOF(w->first))
        w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(struct jw *w, char ch) {
    bool empty = w->first[w->depth];

    if (w->depth > 0)
        w->depth--;
    if (!empty)
        jw_newline(w, w->depth);
    jw_put(w, &ch, 1);
}

static void jw_raw_string(struct jw *w, const char *s) {
    jw_put(w, "\"", 1);
    for (const char *p = s; *p;) {
        size_t run = 0;
        unsigned char ch;
        char esc[8];

        /* copy runs that need no escaping in one go */
        while (p[run] && p[run] != '"' && p[run] != '\\' && (unsigned char)p[run] >= 0x20 &&
               p[run] != 0x7f)
            run++;
        jw_put(w, p, run);
        p += run;
        if (!*p)
            break;
        ch = (unsigned char)*p++;
        switch (ch) {
        case '"':
            jw_put(w, "\\\"", 2);
            break;
        case '\\':
            jw_put(w, "\\\\", 2);
            break;
        case '\n':
            jw_put(w, "\\n", 2);
            break;
        case '\t':
            jw_put(w, "\\t", 2);
            break;
        case '\r':
            jw_put(w, "\\r", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", ch);
            jw_put(w, esc, 6);
        }
    }
    jw_put(w, "\"", 1);
}

static void jw_key(struct jw *w, const char *key) {
    jw_prefix(w);
    jw_raw_string(w, key);
    jw_put(w, w->indent ? ": " : ":", w->indent ? 2 : 1);
    w->after_key = true;
}

static void jw_string(struct jw *w, const char *key, const char *s) {
    jw_key(w, key);
    jw_prefix(w);
    jw_raw_string(w, s);
}

static void jw_uint(struct jw *w, const char *key, size_t v) {
    char num[32];
    int n = snprintf(num, sizeof(num), "%zu", v);

    jw_key(w, key);
    jw_prefix(w);
    jw_put(w, num, (size_t)n);
}

static void jw_position(struct jw *w, const char *key, const struct iam_finding_position *p) {
    jw_key(w, key);
    jw_open(w, '{');
    jw_uint(w, "line", p->line);
    jw_uint(w, "column", p->column);
    jw_uint(w, "offset", p->offset);
    jw_close(w, '}');
}

static void jw_location(struct jw *w, const struct iam_finding_location *l) {
    jw_open(w, '{');
    jw_key(w, "path");
    jw_open(w, '[');
    for (size_t i = 0; i < l->n_path; i++) {
        const struct iam_path_element *e = &l->path[i];

        jw_open(w, '{');
        switch (e->kind) {
        case IAM_PATH_INDEX:
            jw_uint(w, "index", e->index);
            break;
        case IAM_PATH_KEY:
            jw_string(w, "key", e->text);
            break;
        case IAM_PATH_VALUE:
            jw_string(w, "value", e->text);
            break;
        case IAM_PATH_SUBSTRING:
            jw_key(w, "substring");
            jw_open(w, '{');
            jw_uint(w, "start", e->start);
            jw_uint(w, "length", e->length);
            jw_close(w, '}');
            break;
        }
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_key(w, "span");
    jw_open(w, '{');
    jw_position(w, "start", &l->start);
    jw_position(w, "end", &l->end);
    jw_close(w, '}');
    jw_close(w, '}');
}

int iam_findings_to_json(const struct iam_findings *f, unsigned indent, char **ret_json) {
    struct jw w = {.indent = indent > 16 ? 16 : indent};

    jw_open(&w, '{');
    jw_key(&w, "findings");
    jw_open(&w, '[');
    for (size_t i = 0; f && i < f->n; i++) {
        const struct iam_finding *fi = f->items[i];

        jw_open(&w, '{');
        jw_string(&w, "findingDetails", fi->details);
        jw_string(&w, "findingType", iam_finding_type_name(fi->type));
        jw_string(&w, "issueCode", fi->issue_code);
        jw_string(&w, "learnMoreLink", fi->learn_more);
        jw_key(&w, "locations");
        jw_open(&w, '[');
        for (size_t k = 0; k < fi->n_locations; k++)
            jw_location(&w, &fi->locations[k]);
        jw_close(&w, ']');
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    if (w.r < 0) {
        free(w.p);
        return w.r;
    }
    *ret_json = w.p;
    return 0;
}
