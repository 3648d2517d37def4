/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Internals of the policy engine: typed values (numbers, dates, addresses, binary), wildcard
 * patterns with inline policy variables, the compiled policy and the prepared context.
 * Shared by compile.c, eval.c, values.c, pattern.c, context.c, the validator and the unit
 * tests; nothing here crosses common/include/iam/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "iam/policy.h"

/* ---- Typed values ---------------------------------------------------------------------- */

/* An exact decimal: value = sign * 0.d1d2d3... * 10^exp, digits without leading or trailing
 * zeros, so comparisons are exact (no binary rounding, no locale). */
#define IAM_NUM_MAX_DIGITS 40
struct iam_num {
    int8_t sign; /* -1, 0, 1 */
    uint8_t ndigits;
    int32_t exp;
    char digits[IAM_NUM_MAX_DIGITS];
};
int iam_num_parse(const char *s, size_t len, struct iam_num *ret); /* 0 or -EINVAL/-E2BIG */
int iam_num_cmp(const struct iam_num *a, const struct iam_num *b);

struct iam_time {
    int64_t sec; /* seconds since the epoch, UTC */
    int32_t nsec;
};
/* ISO 8601 (date, date-time, Z or offsets, fractional seconds) or epoch seconds. */
int iam_time_parse(const char *s, size_t len, struct iam_time *ret);
int iam_time_cmp(const struct iam_time *a, const struct iam_time *b);

struct iam_cidr {
    uint8_t family; /* 4 or 6 */
    uint8_t prefix; /* 0..32 or 0..128 */
    uint8_t addr[16];
};
/* An address or a CIDR; IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes IPv4 as AWS treats it.
 * Host bits below the prefix are cleared. */
int iam_cidr_parse(const char *s, size_t len, struct iam_cidr *ret);
/* Is the address (or network) addr inside net? */
bool iam_cidr_contains(const struct iam_cidr *net, const struct iam_cidr *addr);

/* Strict base64 (standard alphabet, padding required) into out (size at least len/4*3).
 * Returns the decoded length or -EINVAL. */
int iam_base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size);

/* "true"/"false", ASCII case-insensitive. */
int iam_bool_parse(const char *s, size_t len, bool *ret);

/* ---- Wildcard patterns with inline variables (pattern.c) ---------------------------------- */

enum pat_tok_kind {
    PAT_LIT,   /* literal text */
    PAT_STAR,  /* '*': any run of characters, possibly empty */
    PAT_QMARK, /* '?': exactly one character */
    PAT_VAR,   /* ${key} or ${key, 'default'}: the context value, matched literally */
};

struct pat_tok {
    uint8_t kind;
    bool has_default;
    uint8_t var; /* PAT_VAR: index among the pattern's variables */
    uint32_t len;        /* PAT_LIT: text length; PAT_VAR: key length */
    const char *s;       /* PAT_LIT: text; PAT_VAR: the key, lower-cased */
    uint32_t hash;       /* PAT_VAR: hash of the lower-cased key */
    const char *key;     /* PAT_VAR: the key as written, for MissingContextValues */
    const char *dflt;    /* PAT_VAR: default value */
    uint32_t dflt_len;
};

#define IAM_PAT_MAX_VARS 8
#define IAM_PAT_MAX_TOKENS 256

struct pattern {
    const struct pat_tok *toks;
    uint16_t n;
    uint8_t nvars;
    bool wild;     /* holds * or ? */
    bool any;      /* exactly "*" */
    bool prefix;   /* exactly a literal followed by '*' ("s3:Get*"): a prefix compare */
};

enum pat_flags {
    PATF_WILDCARDS = 1 << 0, /* '*' and '?' are wildcards */
    PATF_VARIABLES = 1 << 1, /* ${...} are policy variables */
    PATF_FOLD = 1 << 2,      /* fold literal text to lower case (case-insensitive match) */
    PATF_ARN_COMPLETE = 1 << 3, /* ARN: give a short ARN "*" in every missing segment */
};

/* Compile text into a pattern. On a malformed variable, -EINVAL with *ret_errpos the byte
 * offset of the problem and *ret_errmsg a static message. */
int iam_pattern_compile(struct iam_arena *a, const char *text, size_t len, unsigned flags,
                        struct pattern *ret, size_t *ret_errpos, const char **ret_errmsg);

/* Split a compiled pattern at the ':' of the first five ARN segments (never inside a
 * variable). Returns the number of segments (1..6). */
struct arn_pattern {
    uint8_t nseg;
    bool any; /* "*" alone */
    uint8_t lit_segs;       /* leading segments that are literal text, merged below */
    const char *lit_prefix; /* e.g. "arn:aws:ec2:" for lit_segs 3 */
    size_t lit_prefix_len;
    struct pattern seg[6];
};
int iam_arn_pattern_compile(struct iam_arena *a, const char *text, size_t len, unsigned flags,
                            struct arn_pattern *ret, size_t *ret_errpos, const char **ret_errmsg);

/* Does an ARN pattern put a wildcard where the resource type goes, for a service whose
 * resource part always begins with one (ec2, iam, sts)? "*" alone for the resource part is
 * fine. Refused by the engine and reported by the validator. */
bool iam_arn_wildcard_in_type(const char *s, size_t len);

struct iam_context;
struct eval_env {
    const struct iam_context *ctx;
    /* Keys of variables that were missing (no value, no default); NULL to not record. */
    const char **missing;
    size_t *n_missing;
    size_t max_missing;
    bool *missing_truncated;
};

/* Match s against p. Variables are resolved from env->ctx; a missing variable without a
 * default makes the match fail. ci: compare ASCII case-insensitively (the pattern's literal
 * text must have been compiled with PATF_FOLD). Allocates nothing. */
bool iam_pattern_match(const struct pattern *p, const char *s, size_t len, bool ci,
                       const struct eval_env *env);
/* ARN-aware match: segment by segment, the last pattern segment taking the rest. */
bool iam_arn_pattern_match(const struct arn_pattern *p, const char *s, size_t len,
                           const struct eval_env *env);
/* A subject split at its first five ':' once, for many ARN matches. */
struct arn_split {
    const char *s;
    size_t len;
    unsigned n; /* segments, 1..6 */
    size_t off[6], end[6];
};
void iam_arn_split(const char *s, size_t len, struct arn_split *ret);
bool iam_arn_pattern_match_split(const struct arn_pattern *p, const struct arn_split *sp,
                                 const struct eval_env *env);
/* Plain wildcard match of NUL-terminated strings (no variables). */
bool iam_wildcard_match(const char *pattern, const char *s, bool ci);

uint32_t iam_key_hash(const char *s, size_t len); /* FNV-1a over ASCII-lower-cased bytes */
void iam_eval_note_missing(const struct eval_env *env, const char *key);

/* ---- Context (context.c) --------------------------------------------------------------- */

enum ctx_parsed {
    CTXV_NUM = 1 << 0,
    CTXV_TIME = 1 << 1,
    CTXV_IP = 1 << 2,
    CTXV_BOOL = 1 << 3,
    CTXV_BINARY = 1 << 4,
};

struct ctx_value {
    char *s; /* as given, NUL-terminated */
    size_t len;
    unsigned parsed; /* enum ctx_parsed: which typed forms below are valid */
    bool b;
    struct iam_num num;
    struct iam_time time;
    struct iam_cidr ip;
    uint8_t *bin;
    size_t bin_len;
};

struct ctx_entry {
    char *key;       /* as given */
    char *lkey;      /* lower-cased */
    size_t key_len;
    uint32_t hash;
    enum iam_value_type type;
    bool is_list;
    size_t n;
    struct ctx_value *values;
};

struct iam_context {
    size_t n, cap;
    struct ctx_entry *entries;
};

const struct ctx_entry *iam_context_lookup(const struct iam_context *ctx, const char *lkey,
                                           size_t len, uint32_t hash);

/* ---- Compiled policy ------------------------------------------------------------------- */

enum cond_base {
    OP_STRING_EQUALS,
    OP_STRING_EQUALS_IC,
    OP_STRING_LIKE,
    OP_NUMERIC_EQ,
    OP_NUMERIC_LT,
    OP_NUMERIC_LE,
    OP_NUMERIC_GT,
    OP_NUMERIC_GE,
    OP_DATE_EQ,
    OP_DATE_LT,
    OP_DATE_LE,
    OP_DATE_GT,
    OP_DATE_GE,
    OP_BOOL,
    OP_BINARY_EQUALS,
    OP_IP_ADDRESS,
    OP_ARN_LIKE, /* ArnEquals and ArnLike match the same way */
    OP_NULL,
};

enum cond_set {
    SET_NONE,
    SET_ANY, /* ForAnyValue: */
    SET_ALL, /* ForAllValues: */
};

/* Operator families (what type the values are) and comparisons, for the validator's reasoning
 * about conditions. */
enum cond_family {
    FAM_STRING,
    FAM_NUMERIC,
    FAM_DATE,
    FAM_BOOL,
    FAM_BINARY,
    FAM_IP,
    FAM_ARN,
    FAM_NULL
};
enum cond_cmp {
    CMP_EQ,
    CMP_NE,
    CMP_LT,
    CMP_LE,
    CMP_GT,
    CMP_GE,
    CMP_LIKE,
    CMP_NOTLIKE,
    CMP_EQI,
    CMP_NEI,
    CMP_OTHER
};

/* The condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"):
 * X(name, base, negated, family, comparison). The one table of them: the engine compiles
 * with it and the validator checks with it. ArnEquals and ArnLike match alike, as do their
 * negations. */
#define IAM_CONDITION_OPERATORS(X)                                                                 \
    X("StringEquals", OP_STRING_EQUALS, false, FAM_STRING, CMP_EQ)                                 \
    X("StringNotEquals", OP_STRING_EQUALS, true, FAM_STRING, CMP_NE)                               \
    X("StringEqualsIgnoreCase", OP_STRING_EQUALS_IC, false, FAM_STRING, CMP_EQI)                   \
    X("StringNotEqualsIgnoreCase", OP_STRING_EQUALS_IC, true, FAM_STRING, CMP_NEI)                 \
    X("StringLike", OP_STRING_LIKE, false, FAM_STRING, CMP_LIKE)                                   \
    X("StringNotLike", OP_STRING_LIKE, true, FAM_STRING, CMP_NOTLIKE)                              \
    X("NumericEquals", OP_NUMERIC_EQ, false, FAM_NUMERIC, CMP_EQ)                                  \
    X("NumericNotEquals", OP_NUMERIC_EQ, true, FAM_NUMERIC, CMP_NE)                                \
    X("NumericLessThan", OP_NUMERIC_LT, false, FAM_NUMERIC, CMP_LT)                                \
    X("NumericLessThanEquals", OP_NUMERIC_LE, false, FAM_NUMERIC, CMP_LE)                          \
    X("NumericGreaterThan", OP_NUMERIC_GT, false, FAM_NUMERIC, CMP_GT)                             \
    X("NumericGreaterThanEquals", OP_NUMERIC_GE, false, FAM_NUMERIC, CMP_GE)                       \
    X("DateEquals", OP_DATE_EQ, false, FAM_DATE, CMP_EQ)                                           \
    X("DateNotEquals", OP_DATE_EQ, true, FAM_DATE, CMP_NE)                                         \
    X("DateLessThan", OP_DATE_LT, false, FAM_DATE, CMP_LT)                                         \
    X("DateLessThanEquals", OP_DATE_LE, false, FAM_DATE, CMP_LE)                                   \
    X("DateGreaterThan", OP_DATE_GT, false, FAM_DATE, CMP_GT)                                      \
    X("DateGreaterThanEquals", OP_DATE_GE, false, FAM_DATE, CMP_GE)                                \
    X("Bool", OP_BOOL, false, FAM_BOOL, CMP_EQ)                                                    \
    X("BinaryEquals", OP_BINARY_EQUALS, false, FAM_BINARY, CMP_EQ)                                 \
    X("IpAddress", OP_IP_ADDRESS, false, FAM_IP, CMP_EQ)                                           \
    X("NotIpAddress", OP_IP_ADDRESS, true, FAM_IP, CMP_NE)                                         \
    X("ArnEquals", OP_ARN_LIKE, false, FAM_ARN, CMP_LIKE)                                          \
    X("ArnLike", OP_ARN_LIKE, false, FAM_ARN, CMP_LIKE)                                            \
    X("ArnNotEquals", OP_ARN_LIKE, true, FAM_ARN, CMP_NOTLIKE)                                     \
    X("ArnNotLike", OP_ARN_LIKE, true, FAM_ARN, CMP_NOTLIKE)                                       \
    X("Null", OP_NULL, false, FAM_NULL, CMP_OTHER)

/* An operator as written in a policy: "[ForAllValues:|ForAnyValue:]Name[IfExists]". */
struct iam_cond_op {
    const char *name; /* the operator without qualifier or IfExists, from the table */
    uint8_t base;     /* enum cond_base */
    uint8_t set;      /* enum cond_set */
    bool negated;
    bool if_exists;
};

/* 0; -ENOENT when there is no such operator (names are case-sensitive); -EINVAL for
 * NullIfExists, which does not exist (Access Analyzer's NULL_WITH_IF_EXISTS is an error).
 * ForAllValues:Null and ForAnyValue:Null do exist: always true and always false. */
int iam_cond_op_parse(const char *text, struct iam_cond_op *ret);

struct cond_value {
    union {
        struct pattern pat;     /* String*, with variables under 2012-10-17 */
        struct arn_pattern arn; /* Arn* */
        struct iam_num num;
        struct iam_time time;
        struct iam_cidr cidr;
        bool b; /* Bool, Null */
        struct {
            const uint8_t *p;
            size_t len;
        } bin;
    } u;
};

struct cond_entry {
    uint8_t base; /* enum cond_base */
    uint8_t set;  /* enum cond_set */
    bool negated;
    bool if_exists;
    const char *key; /* as written */
    const char *lkey;
    size_t key_len;
    uint32_t hash;
    size_t n;
    const struct cond_value *values;
};

enum principal_kind {
    PRINC_ANY,       /* "*" or {"AWS": "*"} */
    PRINC_AWS,       /* an IAM ARN */
    PRINC_ACCOUNT,   /* a 12-digit account id or arn:aws:iam::<id>:root */
    PRINC_OTHER,     /* Service, Federated, CanonicalUser: never an IAM user */
};

struct principal {
    uint8_t kind;
    const char *value; /* ARN, account id, or service name */
};

struct statement {
    const char *sid;
    enum iam_effect effect;
    unsigned start_line, start_column, end_line, end_column;
    bool not_action;
    size_t n_actions;
    const struct pattern *actions; /* folded, no variables */
    /* Prefilter: hashes of the literal service prefixes of the actions ("s3" of "s3:Get*"),
     * so most statements are skipped with an integer compare. any_service when one action
     * has a wildcard in its service part, or for NotAction. */
    bool any_service;
    size_t n_services;
    const uint32_t *services;
    bool has_resource;
    bool not_resource;
    size_t n_resources;
    const struct arn_pattern *resources;
    bool has_principal;
    bool not_principal;
    size_t n_principals;
    const struct principal *principals;
    size_t n_conds;
    const struct cond_entry *conds;
};

struct iam_policy {
    struct iam_arena arena;
    enum iam_policy_type type;
    const char *version;
    bool variables; /* Version 2012-10-17 */
    /* Prefilter over the whole policy: bit (hash % 64) of every service its statements'
     * actions name; all ones when a statement matches any service. */
    uint64_t service_bloom;
    size_t n_statements;
    struct statement *statements;
};
