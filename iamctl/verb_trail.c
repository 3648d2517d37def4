/* SPDX-License-Identifier: Apache-2.0 */
/* lookup-events: CloudTrail's LookupEvents over the host's trail or collected trails. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "trail_common.h"

#define LOOKUP_DEFAULT_RESULTS 50
#define LOOKUP_MAX_RESULTS 1000 /* AWS stops at 50; a local trail can afford larger pages */
#define TOKEN_VERSION "1"

/* ---- --lookup-attributes ----------------------------------------------------------------- */

struct lookup_attr {
    char *key;
    char *value;
};

static int take_attr(struct lookup_attr *a, size_t *n, const char *key, const char *value) {
    if (*n >= 1)
        return iamctl_usage("lookup-events: InvalidLookupAttributesException: only one lookup "
                            "attribute is allowed (as in CloudTrail)");
    {
        char *k = strdup(key), *v = strdup(value);

        if (!k || !v) {
            free(k);
            free(v);
            return iamctl_fail("out of memory");
        }
        a->key = k;
        a->value = v;
    }
    (*n)++;
    return 0;
}

/* "AttributeKey=K,AttributeValue=V" in either order (the value is the rest of the text when
 * it comes last, so it may hold commas), or the JSON list the API takes. */
static int parse_attrs(char **items, size_t n_items, struct lookup_attr *out, size_t *n_out) {
    int r;

    for (size_t i = 0; i < n_items; i++) {
        const char *it = items[i];
        char *text = NULL;
        size_t len;
        const char *src;

        if ((r = iamctl_read_param(it, &text, &len, &src)) < 0)
            return iamctl_fail("--lookup-attributes %s: %s", it + 7, strerror(-r));
        if (text[strspn(text, " \t\r\n")] == '[' || text[strspn(text, " \t\r\n")] == '{') {
            json_error_t je;
            json_t *j = json_loadb(text, len, 0, &je), *arr;
            size_t k;
            json_t *el;

            if (!j) {
                r = iamctl_usage("--lookup-attributes: %s:%d:%d: %s", src, je.line, je.column,
                                 je.text);
                free(text);
                return r;
            }
            arr = json_is_array(j) ? j : NULL;
            if (!arr) {
                arr = json_array();
                json_array_append(arr, j);
                json_decref(j);
                j = arr;
            }
            json_array_foreach(arr, k, el) {
                const char *key = json_string_value(json_object_get(el, "AttributeKey"));
                const char *val = json_string_value(json_object_get(el, "AttributeValue"));

                if (!json_is_object(el) || !key || !val || json_object_size(el) != 2) {
                    json_decref(j);
                    free(text);
                    return iamctl_usage("--lookup-attributes: each item is "
                                        "{\"AttributeKey\": ..., \"AttributeValue\": ...}");
                }
                if ((r = take_attr(out, n_out, key, val))) {
                    json_decref(j);
                    free(text);
                    return r;
                }
            }
            json_decref(j);
            free(text);
            continue;
        }
        {
            char *k = NULL, *v = NULL;

            if (strncmp(text, "AttributeKey=", 13) == 0) {
                char *c = strstr(text, ",AttributeValue=");

                if (c) {
                    *c = '\0';
                    k = text + 13;
                    v = c + 16;
                }
            } else if (strncmp(text, "AttributeValue=", 15) == 0) {
                char *c = strstr(text, ",AttributeKey=");

                if (c) {
                    *c = '\0';
                    v = text + 15;
                    k = c + 14;
                }
            }
            if (!k || !v) {
                free(text);
                return iamctl_usage("--lookup-attributes: expected "
                                    "AttributeKey=KEY,AttributeValue=VALUE");
            }
            r = take_attr(out, n_out, k, v);
            free(text);
            if (r)
                return r;
        }
    }
    return 0;
}

/* ---- NextToken ----------------------------------------------------------------------------- */

/* The filter a token belongs to, so that a token is refused with other filters (AWS:
 * InvalidNextTokenException). */
static void filter_digest(const struct iam_lookup_query *q, char out[17]) {
    crypto_generichash_state st;
    unsigned char h[8];
    char buf[64];
    int a = (int)q->attr;

    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)&a, sizeof(a));
    if (q->value)
        crypto_generichash_update(&st, (const unsigned char *)q->value, strlen(q->value) + 1);
    snprintf(buf, sizeof(buf), "%d:%lld:%d:%lld", q->has_start, (long long)q->start, q->has_end,
             (long long)q->end);
    crypto_generichash_update(&st, (const unsigned char *)buf, strlen(buf));
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 17, h, sizeof(h));
}

static int make_token(const struct iam_lookup_query *q, const struct iam_lookup_key *k,
                      char **ret) {
    char digest[17], *plain = NULL, *b64;
    size_t n, blen;

    filter_digest(q, digest);
    if (asprintf(&plain, TOKEN_VERSION ":%s:%lld:%s", digest, (long long)k->time, k->event_id) < 0)
        return -ENOMEM;
    n = strlen(plain);
    blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    b64 = malloc(blen);
    if (!b64) {
        free(plain);
        return -ENOMEM;
    }
    sodium_bin2base64(b64, blen, (const unsigned char *)plain, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(plain);
    *ret = b64;
    return 0;
}

static int parse_token(struct iam_lookup_query *q, const char *token) {
    unsigned char plain[256];
    size_t n = 0;
    char digest[17], *p, *c1, *c2, *c3, *end;
    long long t;

    if (strlen(token) > 300 ||
        sodium_base642bin(plain, sizeof(plain) - 1, token, strlen(token), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        goto bad;
    plain[n] = '\0';
    p = (char *)plain;
    c1 = strchr(p, ':');
    c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    c3 = c2 ? strchr(c2 + 1, ':') : NULL;
    if (!c3 || (size_t)(c1 - p) != strlen(TOKEN_VERSION) || strncmp(p, TOKEN_VERSION, 1) != 0)
        goto bad;
    *c2 = '\0';
    *c3 = '\0';
    filter_digest(q, digest);
    if (strcmp(c1 + 1, digest) != 0)
        return iamctl_usage("lookup-events: InvalidNextTokenException: the token belongs to "
                            "another query (same lookup attribute and times are needed)");
    errno = 0;
    t = strtoll(c2 + 1, &end, 10);
    if (errno || *end || strlen(c3 + 1) >= sizeof(q->after.event_id))
        goto bad;
    q->has_after = true;
    q->after.time = (int64_t)t;
    snprintf(q->after.event_id, sizeof(q->after.event_id), "%s", c3 + 1);
    return 0;
bad:
    return iamctl_usage("lookup-events: InvalidNextTokenException: the token is not one "
                        "lookup-events gave");
}

/* ---- output -------------------------------------------------------------------------------- */

/* "AWS::EC2::Instance" for arn:aws:ec2:...:instance/i-..., "AWS::IAM::Role" for a role, and
 * in general AWS::<SERVICE>::<ResourceType> from the ARN. */
static void resource_type(const char *arn, char *out, size_t size) {
    const char *p = arn, *svc, *res;
    char service[64] = "", type[96] = "";
    size_t n;

    for (int i = 0; i < 2 && p; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    svc = p;
    for (int i = 0; i < 3 && p; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    res = p;
    if (!svc || !res) {
        snprintf(out, size, "AWS::Host::Host");
        return;
    }
    n = strcspn(svc, ":");
    if (n == 3 && strncmp(svc, "ec2", 3) == 0)
        snprintf(service, sizeof(service), "EC2");
    else if (n == 3 && strncmp(svc, "iam", 3) == 0)
        snprintf(service, sizeof(service), "IAM");
    else if (n == 3 && strncmp(svc, "ssm", 3) == 0)
        snprintf(service, sizeof(service), "SSM");
    else if (n < sizeof(service)) {
        for (size_t i = 0; i < n; i++)
            service[i] = (char)(i == 0 && svc[i] >= 'a' && svc[i] <= 'z' ? svc[i] - 32 : svc[i]);
        service[n] = '\0';
    }
    n = strcspn(res, "/:");
    {
        size_t o = 0;
        bool up = true;

        for (size_t i = 0; i < n && o + 1 < sizeof(type); i++) {
            char ch = res[i];

            if (ch == '-' || ch == '_') {
                up = true;
                continue;
            }
            type[o++] = (char)(up && ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
            up = false;
        }
        type[o] = '\0';
    }
    snprintf(out, size, "AWS::%s::%s", service[0] ? service : "Host", type[0] ? type : "Host");
}

static int set_span(json_t *o, const char *key, const struct iam_trail_span *s) {
    char buf[4096];

    if (!s->p || !s->is_string || iam_trail_span_str(s, buf, sizeof(buf)) < 0)
        return 0;
    return json_object_set_new(o, key, json_string(buf));
}

static json_t *event_json(const struct iam_lookup_hit *h) {
    struct iam_trail_fields f;
    json_t *ev = NULL, *res = NULL, *raw;
    char when[32], buf[2048];
    const struct iam_trail_span *rs[2];
    bool ro = false;

    if (iam_trail_scan(h->line, h->len, &f) < 0)
        return NULL;
    raw = json_stringn(h->line, h->len); /* NULL unless valid UTF-8 */
    ev = json_object();
    res = json_array();
    if (!raw || !ev || !res)
        goto fail;
    if (f.f[IAM_TF_READ_ONLY].p)
        ro = f.f[IAM_TF_READ_ONLY].is_string ? iam_trail_span_eq(&f.f[IAM_TF_READ_ONLY], "true")
                                             : f.f[IAM_TF_READ_ONLY].n == 4 &&
                                                   memcmp(f.f[IAM_TF_READ_ONLY].p, "true", 4) == 0;
    trail_format_time(h->key.time, when);
    if (set_span(ev, "EventId", &f.f[IAM_TF_EVENT_ID]) < 0 ||
        set_span(ev, "EventName", &f.f[IAM_TF_EVENT_NAME]) < 0 ||
        json_object_set_new(ev, "ReadOnly", json_string(ro ? "true" : "false")) < 0 ||
        set_span(ev, "AccessKeyId", &f.f[IAM_TF_ACCESS_KEY_ID]) < 0 ||
        json_object_set_new(ev, "EventTime", json_string(when)) < 0 ||
        set_span(ev, "EventSource", &f.f[IAM_TF_EVENT_SOURCE]) < 0 ||
        set_span(ev, "Username", &f.f[IAM_TF_USER_NAME]) < 0)
        goto fail;
    rs[0] = &f.f[IAM_TF_HOST_ARN];
    rs[1] = &f.f[IAM_TF_ROLE_ARN];
    for (size_t i = 0; i < 2; i++) {
        char type[128];

        if (!rs[i]->p || iam_trail_span_str(rs[i], buf, sizeof(buf)) < 0 || !buf[0])
            continue;
        resource_type(buf, type, sizeof(type));
        if (json_array_append_new(res, json_pack("{s:s,s:s}", "ResourceType", type,
                                                 "ResourceName", buf)) < 0)
            goto fail;
    }
    if (json_object_set_new(ev, "Resources", res) < 0) {
        res = NULL;
        goto fail;
    }
    res = NULL;
    if (json_object_set_new(ev, "CloudTrailEvent", raw) < 0) {
        raw = NULL;
        goto fail;
    }
    return ev;
fail:
    json_decref(raw);
    json_decref(res);
    json_decref(ev);
    return NULL;
}

int verb_lookup_events(int argc, char *argv[]) {
    struct opt opts[] = {{"lookup-attributes", OPT_LIST}, {"start-time", OPT_VALUE},
                         {"end-time", OPT_VALUE},         {"max-results", OPT_VALUE},
                         {"next-token", OPT_VALUE},       {"audit-log", OPT_LIST},
                         {NULL}};
    struct lookup_attr attrs[1] = {{NULL, NULL}};
    size_t n_attrs = 0;
    struct iam_config *config = NULL;
    struct iam_trail_files files = {0};
    struct iam_lookup_query q = {.attr = IAM_LOOKUP_ANY, .max_results = LOOKUP_DEFAULT_RESULTS};
    struct iam_lookup_result res = {0};
    struct trail_progress prog;
    struct iam_error e;
    json_t *out = NULL, *events = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if ((r = parse_attrs(opt_get(opts, "lookup-attributes")->list,
                         opt_get(opts, "lookup-attributes")->n_list, attrs, &n_attrs)))
        goto out;
    if (n_attrs == 1) {
        if (iam_lookup_attr_from_name(attrs[0].key, &q.attr) < 0) {
            r = iamctl_usage("lookup-events: InvalidLookupAttributesException: unknown "
                             "AttributeKey '%.64s' (EventId, EventName, ReadOnly, Username, "
                             "ResourceName, EventSource, AccessKeyId)",
                             attrs[0].key);
            goto out;
        }
        q.value = attrs[0].value;
        if (q.attr == IAM_LOOKUP_READ_ONLY && strcmp(q.value, "true") != 0 &&
            strcmp(q.value, "false") != 0) {
            r = iamctl_usage("lookup-events: InvalidLookupAttributesException: ReadOnly is "
                             "true or false");
            goto out;
        }
        if (!q.value[0]) {
            r = iamctl_usage("lookup-events: InvalidLookupAttributesException: an empty "
                             "AttributeValue matches nothing");
            goto out;
        }
    }
    if (opt_get(opts, "start-time")->value) {
        if ((r = trail_time_arg("start-time", opt_get(opts, "start-time")->value, &q.start)))
            goto out;
        q.has_start = true;
    }
    if (opt_get(opts, "end-time")->value) {
        if ((r = trail_time_arg("end-time", opt_get(opts, "end-time")->value, &q.end)))
            goto out;
        q.has_end = true;
    }
    if (q.has_start && q.has_end && q.start > q.end) {
        r = iamctl_usage("lookup-events: InvalidTimeRangeException: --start-time is after "
                         "--end-time");
        goto out;
    }
    if (opt_get(opts, "max-results")->value) {
        const char *v = opt_get(opts, "max-results")->value;
        char *end;
        unsigned long m;

        errno = 0;
        m = strtoul(v, &end, 10);
        if (errno || *end || v[0] == '-' || m < 1 || m > LOOKUP_MAX_RESULTS) {
            r = iamctl_usage("lookup-events: InvalidMaxResultsException: --max-results is "
                             "1 to %d",
                             LOOKUP_MAX_RESULTS);
            goto out;
        }
        q.max_results = m;
    }
    if (opt_get(opts, "next-token")->value &&
        (r = parse_token(&q, opt_get(opts, "next-token")->value)))
        goto out;
    if ((r = trail_files(opt_get(opts, "audit-log"), &config, &files)))
        goto out;

    trail_progress_init(&prog, "reading the trail");
    q.progress = trail_progress_cb;
    q.userdata = &prog;
    iam_error_init(&e);
    r = iam_trail_lookup(&files, &q, &res, &e);
    trail_progress_done(&prog);
    if (r < 0) {
        r = r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
        goto out;
    }
    out = json_object();
    events = json_array();
    if (!out || !events) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < res.n; i++) {
        json_t *ev = event_json(&res.hits[i]);

        if (!ev) {
            res.malformed++; /* not valid UTF-8 or JSON after all: not an event */
            continue;
        }
        json_array_append_new(events, ev);
    }
    json_object_set_new(out, "Events", events);
    events = NULL;
    if (res.more && res.n > 0) {
        char *tok = NULL;

        if (make_token(&q, &res.hits[res.n - 1].key, &tok) < 0) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        json_object_set_new(out, "NextToken", json_string(tok));
        free(tok);
    }
    if (res.malformed)
        fprintf(stderr, "iamctl: warning: %llu lines of the trail are not records (not JSON, "
                        "no eventTime, or too long), ignoring\n",
                (unsigned long long)res.malformed);
    r = print_json(out);
    out = NULL;
out:
    json_decref(out);
    json_decref(events);
    iam_lookup_result_free(&res);
    iam_trail_files_free(&files);
    iam_config_free(config);
    free(attrs[0].key);
    free(attrs[0].value);
    opts_free(opts);
    return r;
}
