/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request context: condition keys and their values, parsed once into every typed form
 * they admit (number, date, address, boolean, binary) so evaluation parses nothing. Keys are
 * case-insensitive (IAM User Guide, "Condition element": key names are not case-sensitive).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_private.h"

#define IAM_CONTEXT_MAX_KEYS 4096
#define IAM_CONTEXT_MAX_VALUES 4096
#define IAM_CONTEXT_MAX_VALUE_LEN (64u * 1024u)

int iam_context_new(struct iam_context **ret_ctx) {
    struct iam_context *ctx;

    if (!ret_ctx)
        return -EINVAL;
    ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return -ENOMEM;
    *ret_ctx = ctx;
    return 0;
}

static void entry_clear(struct ctx_entry *e) {
    if (e->values) {
        for (size_t i = 0; i < e->n; i++) {
            free(e->values[i].s);
            free(e->values[i].bin);
        }
        free(e->values);
    }
    free(e->key);
    free(e->lkey);
    memset(e, 0, sizeof(*e));
}

void iam_context_free(struct iam_context *ctx) {
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->n; i++)
        entry_clear(&ctx->entries[i]);
    free(ctx->entries);
    free(ctx);
}

const struct ctx_entry *iam_context_lookup(const struct iam_context *ctx, const char *lkey,
                                           size_t len, uint32_t hash) {
    if (!ctx)
        return NULL;
    for (size_t i = 0; i < ctx->n; i++) {
        const struct ctx_entry *e = &ctx->entries[i];

        if (e->hash == hash && e->key_len == len && memcmp(e->lkey, lkey, len) == 0)
            return e;
    }
    return NULL;
}

static const char *type_name(enum iam_value_type t) {
    switch (t) {
    case IAM_VALUE_STRING:
        return "string";
    case IAM_VALUE_NUMERIC:
        return "numeric";
    case IAM_VALUE_BOOLEAN:
        return "boolean";
    case IAM_VALUE_DATE:
        return "date";
    case IAM_VALUE_IP:
        return "ip";
    case IAM_VALUE_BINARY:
        return "binary";
    }
    return "unknown";
}

/* Cheap test before allocating for a decode: only the base64 alphabet and padding. */
static bool looks_base64(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= len)))
            return false;
    }
    return true;
}

/* Parse one value into every form it admits; the declared type must parse. */
static int value_init(struct ctx_value *v, enum iam_value_type type, const char *s) {
    size_t len = strlen(s);
    uint8_t *bin = NULL;
    int r;

    if (len > IAM_CONTEXT_MAX_VALUE_LEN)
        return -E2BIG;
    v->s = strdup(s);
    if (!v->s)
        return -ENOMEM;
    v->len = len;
    if (iam_num_parse(s, len, &v->num) == 0)
        v->parsed |= CTXV_NUM;
    if (iam_time_parse(s, len, &v->time) == 0)
        v->parsed |= CTXV_TIME;
    if (iam_cidr_parse(s, len, &v->ip) == 0)
        v->parsed |= CTXV_IP;
    if (iam_bool_parse(s, len, &v->b) == 0)
        v->parsed |= CTXV_BOOL;
    if (len % 4 == 0 && (type == IAM_VALUE_BINARY || looks_base64(s, len))) {
        bin = malloc(len / 4 * 3 + 1);
        if (!bin)
            return -ENOMEM;
        r = iam_base64_decode(s, len, bin, len / 4 * 3 + 1);
        if (r >= 0) {
            v->bin = bin;
            v->bin_len = (size_t)r;
            v->parsed |= CTXV_BINARY;
        } else {
            free(bin);
        }
    }
    switch (type) {
    case IAM_VALUE_STRING:
        return 0;
    case IAM_VALUE_NUMERIC:
        return (v->parsed & CTXV_NUM) ? 0 : -EINVAL;
    case IAM_VALUE_BOOLEAN:
        return (v->parsed & CTXV_BOOL) ? 0 : -EINVAL;
    case IAM_VALUE_DATE:
        return (v->parsed & CTXV_TIME) ? 0 : -EINVAL;
    case IAM_VALUE_IP:
        return (v->parsed & CTXV_IP) ? 0 : -EINVAL;
    case IAM_VALUE_BINARY:
        return (v->parsed & CTXV_BINARY) ? 0 : -EINVAL;
    }
    return -EINVAL;
}

static bool key_valid(const char *key, size_t len) {
    if (len == 0 || len > 256)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
            return false;
    return true;
}

int iam_context_add(struct iam_context *ctx, const char *key, enum iam_value_type type,
                    bool is_list, const char *const *values, size_t n_values,
                    struct iam_error *reterr) {
    struct ctx_entry e = {0};
    size_t len;
    int r = -EINVAL;

    if (!ctx || !key || (n_values && !values)) {
        iam_error_set(reterr, 0, 0, 0, "invalid context arguments");
        return -EINVAL;
    }
    len = strlen(key);
    if (!key_valid(key, len)) {
        iam_error_set(reterr, 0, 0, 0, "invalid context key name '%.64s'", key);
        return -EINVAL;
    }
    if ((unsigned)type > IAM_VALUE_BINARY) {
        iam_error_set(reterr, 0, 0, 0, "context key '%.64s': unknown value type", key);
        return -EINVAL;
    }
    if (!is_list && n_values != 1) {
        iam_error_set(reterr, 0, 0, 0,
                      "context key '%.64s': a %s key takes exactly one value, got %zu", key,
                      type_name(type), n_values);
        return -EINVAL;
    }
    if (n_values > IAM_CONTEXT_MAX_VALUES) {
        iam_error_set(reterr, 0, 0, 0, "context key '%.64s': too many values", key);
        return -E2BIG;
    }
    e.key = strdup(key);
    e.lkey = strdup(key);
    if (!e.key || !e.lkey) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < len; i++)
        if (e.lkey[i] >= 'A' && e.lkey[i] <= 'Z')
            e.lkey[i] = (char)(e.lkey[i] + ('a' - 'A'));
    e.key_len = len;
    e.hash = iam_key_hash(e.lkey, len);
    e.type = type;
    e.is_list = is_list;
    if (n_values) {
        e.values = calloc(n_values, sizeof(*e.values));
        if (!e.values) {
            r = -ENOMEM;
            goto out;
        }
    }
    for (size_t i = 0; i < n_values; i++) {
        if (!values[i]) {
            iam_error_set(reterr, 0, 0, 0, "context key '%.64s': value %zu is null", key, i + 1);
            r = -EINVAL;
            goto out;
        }
        e.n = i + 1;
        r = value_init(&e.values[i], type, values[i]);
        if (r == -EINVAL)
            iam_error_set(reterr, 0, 0, 0, "context key '%.64s': '%.64s' is not a valid %s value",
                          key, values[i], type_name(type));
        else if (r == -E2BIG)
            iam_error_set(reterr, 0, 0, 0, "context key '%.64s': value %zu is too long", key,
                          i + 1);
        if (r < 0)
            goto out;
    }
    e.n = n_values;
    /* Replace an existing key, or append. */
    for (size_t i = 0; i < ctx->n; i++) {
        struct ctx_entry *old = &ctx->entries[i];

        if (old->hash == e.hash && old->key_len == len && memcmp(old->lkey, e.lkey, len) == 0) {
            entry_clear(old);
            *old = e;
            memset(&e, 0, sizeof(e));
            r = 0;
            goto out;
        }
    }
    if (ctx->n >= IAM_CONTEXT_MAX_KEYS) {
        iam_error_set(reterr, 0, 0, 0, "too many context keys");
        r = -E2BIG;
        goto out;
    }
    if (ctx->n == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 16;
        struct ctx_entry *ne = realloc(ctx->entries, cap * sizeof(*ne));

        if (!ne) {
            r = -ENOMEM;
            goto out;
        }
        ctx->entries = ne;
        ctx->cap = cap;
    }
    ctx->entries[ctx->n++] = e;
    memset(&e, 0, sizeof(e));
    r = 0;
out:
    entry_clear(&e);
    return r;
}

int iam_context_add_string(struct iam_context *ctx, const char *key, const char *value) {
    const char *v[1] = {value};

    return iam_context_add(ctx, key, IAM_VALUE_STRING, false, v, 1, NULL);
}

void iam_context_remove(struct iam_context *ctx, const char *key) {
    size_t len;
    uint32_t h;

    if (!ctx || !key)
        return;
    len = strlen(key);
    h = iam_key_hash(key, len);
    for (size_t i = 0; i < ctx->n; i++) {
        struct ctx_entry *e = &ctx->entries[i];

        if (e->hash == h && e->key_len == len && strncasecmp(e->lkey, key, len) == 0) {
            entry_clear(e);
            memmove(e, e + 1, (ctx->n - i - 1) * sizeof(*e));
            ctx->n--;
            return;
        }
    }
}
