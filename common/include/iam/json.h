/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A strict JSON reader (RFC 8259) that remembers where every value is.
 *
 * Why not jansson here: jansson reports the position of a syntax error only, not of values,
 * and every semantic error in a policy, request or database must name its line and column
 * (and MatchedStatements report statement positions). jansson is still used to *write* JSON.
 *
 * The tree lives in one arena owned by the document; nodes are borrowed views.
 * Rejected: invalid UTF-8, unpaired surrogates, \u0000 (we hand out C strings), duplicate
 * keys in one object (exact match), nesting deeper than max_depth, trailing garbage, and
 * inputs over IAM_JSON_MAX_INPUT bytes.
 */

#include <stdbool.h>
#include <stddef.h>

#include "iam/error.h"

#define IAM_JSON_DEFAULT_MAX_DEPTH 64
#define IAM_JSON_MAX_INPUT (256u * 1024u * 1024u)

enum iam_json_type {
    IAM_JSON_NULL,
    IAM_JSON_FALSE,
    IAM_JSON_TRUE,
    IAM_JSON_NUMBER,
    IAM_JSON_STRING,
    IAM_JSON_ARRAY,
    IAM_JSON_OBJECT,
};

struct iam_json_pos {
    unsigned line;   /* 1-based */
    unsigned column; /* 1-based, counted in code points */
    size_t offset;   /* byte offset */
};

struct iam_json;

struct iam_json_member {
    const char *key; /* NUL-terminated, decoded */
    size_t key_len;
    struct iam_json_pos key_pos;
    struct iam_json *value;
};

struct iam_json {
    enum iam_json_type type;
    /* An item left unparsed (iam_json_opts.defer_depth): only type, start and end are set;
     * iam_json_parse_item() parses it on its own. */
    bool deferred;
    struct iam_json_pos start; /* first byte of the value */
    struct iam_json_pos end;   /* just past the last byte of the value */
    union {
        struct {
            const char *s; /* NUL-terminated, decoded; contains no NUL */
            size_t len;
        } str;
        struct {
            const char *text; /* the number as written, NUL-terminated */
            size_t len;
            double value;
        } num;
        struct {
            struct iam_json **items;
            size_t n;
        } arr;
        struct {
            struct iam_json_member *members; /* in document order */
            size_t n;
        } obj;
    } u;
};

struct iam_json_doc;

struct iam_json_opts {
    unsigned max_depth;       /* 0 = IAM_JSON_DEFAULT_MAX_DEPTH */
    bool allow_duplicate_keys; /* default false: a duplicate key is an error */
    /* Non-zero: the items of arrays nested this deep (the root is 1) are checked whole as
     * they are read -- every error the parse reports is still reported, at its place -- but
     * kept only as deferred nodes, so a large document never has all its nodes at once.
     * on_deferred, when set, sees each such item parsed whole just before its nodes go:
     * key is the member name of the array holding it (NULL when the array is itself an
     * array's item), index its place in the array. */
    unsigned defer_depth;
    void (*on_deferred)(void *ctx, const char *key, size_t index, const struct iam_json *item);
    void *ctx;
};

/* Parse len bytes (need not be NUL-terminated). opts may be NULL.
 * -EINVAL with position in reterr on bad JSON; -E2BIG over a size or depth limit; -ENOMEM. */
int iam_json_parse(const char *text, size_t len, const struct iam_json_opts *opts,
                   struct iam_json_doc **ret_doc, struct iam_error *reterr) IAM_WUR;
const struct iam_json *iam_json_root(const struct iam_json_doc *doc);
/* A deferred node (or any node) of a document parsed from text, parsed again as a document
 * of its own: its positions are those of the whole text. text is the whole text the node
 * came from. opts: as for iam_json_parse (defer_depth ignored). Errors as iam_json_parse. */
int iam_json_parse_item(const char *text, const struct iam_json *node,
                        const struct iam_json_opts *opts, struct iam_json_doc **ret_doc,
                        struct iam_error *reterr) IAM_WUR;
void iam_json_doc_free(struct iam_json_doc *doc); /* NULL-safe */

/* Member lookup; NULL when obj is not an object or has no such key. */
const struct iam_json *iam_json_get(const struct iam_json *obj, const char *key);
/* Same, ASCII case-insensitive. */
const struct iam_json *iam_json_get_ci(const struct iam_json *obj, const char *key);
const struct iam_json_member *iam_json_member(const struct iam_json *obj, const char *key);

const char *iam_json_type_name(enum iam_json_type type); /* "string", "object", ... */

static inline bool iam_json_is_string(const struct iam_json *j) {
    return j && j->type == IAM_JSON_STRING;
}
static inline bool iam_json_is_object(const struct iam_json *j) {
    return j && j->type == IAM_JSON_OBJECT;
}
static inline bool iam_json_is_array(const struct iam_json *j) {
    return j && j->type == IAM_JSON_ARRAY;
}
static inline bool iam_json_is_bool(const struct iam_json *j) {
    return j && (j->type == IAM_JSON_TRUE || j->type == IAM_JSON_FALSE);
}
/* The text of a scalar, NUL-terminated: a string's content, a number as written, "true" or
 * "false"; NULL for null, objects, arrays (and a NULL node). *ret_len, when given, gets its
 * length in bytes. */
const char *iam_json_scalar_text(const struct iam_json *j, size_t *ret_len);

/* Record an error at a node's start position (first error wins). */
void iam_json_error(struct iam_error *e, const struct iam_json *at, const char *fmt, ...)
    IAM_PRINTF(3, 4);
