/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fields of one record line in one pass, without building a tree: the lookup scanner runs
 * this only on lines that can match, and everything it is not asked about is skipped by
 * looking for the next quote or bracket. It accepts exactly one JSON object per line and
 * answers -EBADMSG for anything it cannot walk; a caller that needs every value (output)
 * parses the line with jansson.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "iam/trail.h"

#define MAX_DEPTH 64 /* nesting we are willing to skip over (jansson's default is 2048) */

struct member {
    const char *name;
    int field;                   /* enum iam_trail_field, or -1 */
    const struct member *child;  /* descend into this object */
    size_t len;                  /* strlen(name) */
};

/* {"name", ...} with its length computed at compile time */
#define M(name, field, child) {name, field, child, sizeof(name) - 1}

static const struct member issuer_members[] = {
    M("arn", IAM_TF_ISSUER_ARN, NULL),
    {NULL, -1, NULL, 0},
};
static const struct member session_members[] = {
    M("sessionIssuer", -1, issuer_members),
    {NULL, -1, NULL, 0},
};
static const struct member identity_members[] = {
    M("type", IAM_TF_USER_TYPE, NULL),
    M("userName", IAM_TF_USER_NAME, NULL),
    M("arn", IAM_TF_USER_ARN, NULL),
    M("principalId", IAM_TF_PRINCIPAL_ID, NULL),
    M("accessKeyId", IAM_TF_ACCESS_KEY_ID, NULL),
    M("sessionContext", -1, session_members),
    {NULL, -1, NULL, 0},
};
static const struct member request_members[] = {
    M("hostArn", IAM_TF_HOST_ARN, NULL),
    M("action", IAM_TF_ACTION, NULL),
    M("roleArn", IAM_TF_ROLE_ARN, NULL),
    {NULL, -1, NULL, 0},
};
static const struct member additional_members[] = {
    M("authMethod", IAM_TF_AUTH_METHOD, NULL),
    M("decision", IAM_TF_DECISION, NULL),
    M("enforced", IAM_TF_ENFORCED, NULL),
    {NULL, -1, NULL, 0},
};
static const struct member top_members[] = {
    M("eventTime", IAM_TF_EVENT_TIME, NULL),
    M("eventID", IAM_TF_EVENT_ID, NULL),
    M("eventName", IAM_TF_EVENT_NAME, NULL),
    M("eventSource", IAM_TF_EVENT_SOURCE, NULL),
    M("readOnly", IAM_TF_READ_ONLY, NULL),
    M("sourceIPAddress", IAM_TF_SOURCE_IP, NULL),
    M("userAgent", IAM_TF_USER_AGENT, NULL),
    M("errorCode", IAM_TF_ERROR_CODE, NULL),
    M("recipientAccountId", IAM_TF_RECIPIENT_ACCOUNT, NULL),
    M("userIdentity", -1, identity_members),
    M("requestParameters", -1, request_members),
    M("additionalEventData", -1, additional_members),
    {NULL, -1, NULL, 0},
};

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    return p;
}

/* p is at an opening quote. Returns the position after the closing quote, NULL when the
 * string does not end on this line. *escaped tells whether a backslash occurred inside.
 * Record strings are short: a byte loop beats memchr's call overhead here. */
static const char *skip_string(const char *p, const char *end, bool *escaped) {
    const char *q = p + 1;

    *escaped = false;
    while (q < end) {
        char c = *q;

        if (c == '"')
            return q + 1;
        if (c == '\\') {
            *escaped = true;
            q += 2; /* the escaped character is taken as is (\" \\ \uXXXX...) */
            continue;
        }
        q++;
    }
    return NULL;
}

static const char *skip_value(const char *p, const char *end, unsigned depth);

static const char *skip_container(const char *p, const char *end, unsigned depth) {
    char close = *p == '{' ? '}' : ']';
    bool obj = *p == '{', first = true;

    if (depth >= MAX_DEPTH)
        return NULL;
    p = skip_ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        bool esc;

        p = skip_ws(p, end);
        if (p >= end)
            return NULL;
        if (!first) {
            if (*p == close)
                return NULL; /* trailing comma */
        }
        first = false;
        if (obj) {
            if (*p != '"' || !(p = skip_string(p, end, &esc)))
                return NULL;
            p = skip_ws(p, end);
            if (p >= end || *p != ':')
                return NULL;
            p = skip_ws(p + 1, end);
        }
        p = skip_value(p, end, depth + 1);
        if (!p)
            return NULL;
        p = skip_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == close)
            return p + 1;
        if (*p != ',')
            return NULL;
        p++;
    }
}

static const char *skip_scalar(const char *p, const char *end) {
    const char *s = p;

    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
           *p != '\r' && *p != '\n')
        p++;
    if (p == s)
        return NULL;
    /* literals and numbers only */
    if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == 't' || *s == 'f' || *s == 'n'))
        return NULL;
    return p;
}

static const char *skip_value(const char *p, const char *end, unsigned depth) {
    bool esc;

    if (p >= end)
        return NULL;
    if (*p == '"')
        return skip_string(p, end, &esc);
    if (*p == '{' || *p == '[')
        return skip_container(p, end, depth);
    return skip_scalar(p, end);
}

/* Decode a key that holds escapes, to compare it with the names we look for. */
static bool key_equals_escaped(const char *raw, size_t n, const char *name) {
    json_error_t je;
    json_t *s = json_loadb(raw - 1, n + 2, JSON_DECODE_ANY, &je);
    bool eq = json_is_string(s) && strcmp(json_string_value(s), name) == 0 &&
              strlen(name) == json_string_length(s);

    json_decref(s);
    return eq;
}

static const struct member *find_member(const struct member *m, const char *k, size_t n,
                                        bool escaped) {
    for (; m->name; m++) {
        if (escaped ? key_equals_escaped(k, n, m->name)
                    : (m->len == n && m->name[0] == k[0] && memcmp(m->name, k, n) == 0))
            return m;
    }
    return NULL;
}

static const char *walk_object(const char *p, const char *end, const struct member *schema,
                               struct iam_trail_fields *out, unsigned depth) {
    bool first = true;

    if (depth >= MAX_DEPTH || p >= end || *p != '{')
        return NULL;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return p + 1;
    for (;;) {
        const char *k, *kend, *v;
        const struct member *m;
        bool kesc;

        p = skip_ws(p, end);
        if (p >= end || *p != '"')
            return NULL;
        (void)first;
        first = false;
        k = p + 1;
        kend = skip_string(p, end, &kesc);
        if (!kend)
            return NULL;
        m = find_member(schema, k, (size_t)(kend - 1 - k), kesc);
        p = skip_ws(kend, end);
        if (p >= end || *p != ':')
            return NULL;
        v = skip_ws(p + 1, end);
        if (v >= end)
            return NULL;
        if (m && m->child && *v == '{') {
            p = walk_object(v, end, m->child, out, depth + 1);
        } else {
            p = skip_value(v, end, depth + 1);
            if (p && m && m->field >= 0) {
                struct iam_trail_span *s = &out->f[m->field];

                if (*v == '"') {
                    s->p = v + 1;
                    s->n = (size_t)(p - 1 - (v + 1));
                    s->is_string = true;
                    s->escaped = memchr(s->p, '\\', s->n) != NULL;
                } else {
                    s->p = v;
                    s->n = (size_t)(p - v);
                    s->is_string = false;
                    s->escaped = false;
                }
            }
        }
        if (!p)
            return NULL;
        p = skip_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == '}')
            return p + 1;
        if (*p != ',')
            return NULL;
        p++;
    }
}

int iam_trail_scan(const char *line, size_t len, struct iam_trail_fields *ret) {
    const char *end, *p;

    if (!line || !ret)
        return -EINVAL;
    end = line + len;
    memset(ret, 0, sizeof(*ret));
    p = skip_ws(line, end);
    p = walk_object(p, end, top_members, ret, 0);
    if (!p)
        goto bad;
    p = skip_ws(p, end);
    if (p != end)
        goto bad;
    return 0;
bad:
    memset(ret, 0, sizeof(*ret));
    return -EBADMSG;
}

int iam_trail_span_str(const struct iam_trail_span *s, char *buf, size_t size) {
    if (!s || !buf || size == 0)
        return -EINVAL;
    buf[0] = '\0';
    if (!s->p)
        return 0;
    if (!s->is_string)
        return -EINVAL;
    if (!s->escaped) {
        if (s->n >= size)
            return -E2BIG;
        memcpy(buf, s->p, s->n);
        buf[s->n] = '\0';
        return 0;
    }
    {
        json_error_t je;
        json_t *v = json_loadb(s->p - 1, s->n + 2, JSON_DECODE_ANY, &je);
        int r = 0;

        if (!json_is_string(v))
            r = -EBADMSG;
        else if (json_string_length(v) >= size)
            r = -E2BIG;
        else if (memchr(json_string_value(v), '\0', json_string_length(v)))
            r = -EBADMSG; /* \u0000: not a C string */
        else
            memcpy(buf, json_string_value(v), json_string_length(v) + 1);
        json_decref(v);
        return r;
    }
}

bool iam_trail_span_eq(const struct iam_trail_span *s, const char *value) {
    size_t n;

    if (!s || !s->p || !s->is_string || !value)
        return false;
    n = strlen(value);
    if (!s->escaped)
        return s->n == n && memcmp(s->p, value, n) == 0;
    {
        json_error_t je;
        json_t *v = json_loadb(s->p - 1, s->n + 2, JSON_DECODE_ANY, &je);
        bool eq = json_is_string(v) && json_string_length(v) == n &&
                  memcmp(json_string_value(v), value, n) == 0;

        json_decref(v);
        return eq;
    }
}

int iam_trail_parse_time(const struct iam_trail_span *s, int64_t *ret) {
    char buf[64];
    struct tm tm;
    const char *rest;
    int64_t t;

    if (!s || !ret || iam_trail_span_str(s, buf, sizeof(buf)) < 0 || !buf[0])
        return -EINVAL;
    memset(&tm, 0, sizeof(tm));
    rest = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return -EINVAL;
    if (*rest == '.') {
        rest++;
        if (*rest < '0' || *rest > '9')
            return -EINVAL;
        while (*rest >= '0' && *rest <= '9')
            rest++;
    }
    t = (int64_t)timegm(&tm);
    if (strcmp(rest, "Z") == 0 || strcmp(rest, "z") == 0) {
        /* UTC */
    } else if ((rest[0] == '+' || rest[0] == '-') && rest[1] >= '0' && rest[1] <= '9' &&
               rest[2] >= '0' && rest[2] <= '9' && rest[3] == ':' && rest[4] >= '0' &&
               rest[4] <= '9' && rest[5] >= '0' && rest[5] <= '9' && rest[6] == '\0') {
        int64_t off = ((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
                      ((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;

        t += rest[0] == '+' ? -off : off;
    } else {
        return -EINVAL;
    }
    *ret = t;
    return 0;
}

void iam_trail_record_hash(const char *line, size_t len, uint8_t out[IAM_TRAIL_HASH_BYTES]) {
    crypto_generichash(out, IAM_TRAIL_HASH_BYTES, (const unsigned char *)line, len, NULL, 0);
}
