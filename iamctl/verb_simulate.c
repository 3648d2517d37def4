/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iamctl simulate-custom-policy: the AWS CLI command and SimulateCustomPolicy API.
 *
 *   iamctl simulate-custom-policy --cli-input-json file://REQUEST.json
 *   iamctl simulate-custom-policy --policy-input-list file://p1.json file://p2.json \
 *       [--permissions-boundary-policy-input-list file://b.json ...] \
 *       [--resource-policy file://r.json] [--resource-owner ARN] [--caller-arn ARN] \
 *       --action-names s3:GetObject ... [--resource-arns ARN ...] \
 *       [--context-entries ContextKeyName=k,ContextKeyValues=v,ContextKeyType=string ...] \
 *       [--resource-handling-option OPT] [--max-items N] [--starting-token MARKER]
 *
 * The request is validated as the CLI's parameter validation does (unknown members and wrong
 * types are errors). Exit 0 whatever the decisions, 1 on a bad request or policy (with
 * "iamctl: <source>:<line>:<col>: <text>"), 2 on a usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iam/arn.h"
#include "iamctl.h"
#include "simulate.h"

/* Tree nodes are never NULL; these skip iam_json_is_*()'s NULL test so gcc's
 * -Wnull-dereference analysis stays quiet. */
static inline bool is_str(const struct iam_json *j) {
    return j->type == IAM_JSON_STRING;
}
static inline bool is_arr(const struct iam_json *j) {
    return j->type == IAM_JSON_ARRAY;
}
static inline bool is_obj(const struct iam_json *j) {
    return j->type == IAM_JSON_OBJECT;
}

#define MAX_LIST 1000

/* A string parameter and where it came from (for error positions). */
struct sparam {
    const char *s;
    size_t len;
    const char *source; /* file or "(argument)"; NULL when it came from the request JSON */
};

struct request {
    struct sparam policies[MAX_LIST];
    size_t n_policies;
    bool have_policies;
    struct sparam boundaries[MAX_LIST];
    size_t n_boundaries;
    struct sparam resource_policy;
    bool have_resource_policy;
    const char *resource_owner;
    const char *caller_arn;
    const char *actions[MAX_LIST];
    size_t n_actions;
    bool have_actions;
    const char *resources[MAX_LIST];
    size_t n_resources;
    const char *handling;
    size_t max_items;
    size_t marker;
    /* Buffers and documents to free. */
    char *bufs[3 * MAX_LIST];
    size_t n_bufs;
    struct iam_json_doc *docs[MAX_LIST];
    size_t n_docs;
};

static void request_free(struct request *rq) {
    for (size_t i = 0; i < rq->n_bufs; i++)
        free(rq->bufs[i]);
    for (size_t i = 0; i < rq->n_docs; i++)
        iam_json_doc_free(rq->docs[i]);
    free(rq);
}

static int keep_buf(struct request *rq, char *buf) {
    if (rq->n_bufs >= IAM_ELEMENTSOF(rq->bufs)) {
        free(buf);
        return -E2BIG;
    }
    rq->bufs[rq->n_bufs++] = buf;
    return 0;
}

static const char *const handling_options[] = {
    "EC2-VPC-InstanceStore",        "EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",           "EC2-Classic-InstanceStore",    "EC2-Classic-EBS",
};

static bool handling_valid(const char *s) {
    for (size_t i = 0; i < IAM_ELEMENTSOF(handling_options); i++)
        if (strcmp(s, handling_options[i]) == 0)
            return true;
    return false;
}

/* ---- The request JSON (--cli-input-json) ----------------------------------------------- */

static int json_fail(struct iam_error *err, const struct iam_json *at, const char *fmt, ...)
    IAM_PRINTF(3, 4);
static int json_fail(struct iam_error *err, const struct iam_json *at, const char *fmt, ...) {
    char text[IAM_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    iam_json_error(err, at, "%s", text);
    return -EINVAL;
}

static int json_string_list(const struct iam_json *v, const char *member, const char **out,
                            size_t *n, struct iam_error *err) {
    if (!is_arr(v))
        return json_fail(err, v, "%s must be an array of strings, not %s", member,
                         iam_json_type_name(v->type));
    if (v->u.arr.n > MAX_LIST)
        return json_fail(err, v, "%s has more than %d items", member, MAX_LIST);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        if (!is_str(v->u.arr.items[i]))
            return json_fail(err, v->u.arr.items[i], "%s[%zu] must be a string, not %s", member,
                             i, iam_json_type_name(v->u.arr.items[i]->type));
        out[i] = v->u.arr.items[i]->u.str.s;
    }
    *n = v->u.arr.n;
    return 0;
}

static int json_policy_list(const struct iam_json *v, const char *member, struct sparam *out,
                            size_t *n, struct iam_error *err) {
    if (!is_arr(v))
        return json_fail(err, v, "%s must be an array of policy documents (strings), not %s",
                         member, iam_json_type_name(v->type));
    if (v->u.arr.n > MAX_LIST)
        return json_fail(err, v, "%s has more than %d items", member, MAX_LIST);
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const struct iam_json *it = v->u.arr.items[i];

        if (!is_str(it))
            return json_fail(err, it,
                             "%s[%zu] must be a string holding the policy JSON, not %s", member,
                             i, iam_json_type_name(it->type));
        out[i] = (struct sparam){it->u.str.s, it->u.str.len, NULL};
    }
    *n = v->u.arr.n;
    return 0;
}

static int parse_request_json(struct request *rq, const char *value, struct iam_context *ctx,
                              struct iam_error *err) {
    char *buf = NULL;
    size_t len;
    const char *source;
    struct iam_json_doc *doc = NULL;
    const struct iam_json *root;
    int r;

    r = iamctl_read_param(value, &buf, &len, &source);
    if (r < 0) {
        iam_error_set(err, 0, 0, 0, "--cli-input-json %s: %s", value, strerror(-r));
        return r;
    }
    r = keep_buf(rq, buf);
    if (r < 0)
        return r;
    iam_error_set_source(err, source);
    r = iam_json_parse(buf, len, NULL, &doc, err);
    if (r < 0)
        return r;
    rq->docs[rq->n_docs++] = doc;
    root = iam_json_root(doc);
    if (!is_obj(root))
        return json_fail(err, root, "the request must be a JSON object, not %s",
                         iam_json_type_name(root->type));
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct iam_json_member *m = &root->u.obj.members[i];
        const struct iam_json *v = m->value;

        if (strcmp(m->key, "PolicyInputList") == 0) {
            r = json_policy_list(v, m->key, rq->policies, &rq->n_policies, err);
            rq->have_policies = true;
        } else if (strcmp(m->key, "PermissionsBoundaryPolicyInputList") == 0) {
            r = json_policy_list(v, m->key, rq->boundaries, &rq->n_boundaries, err);
        } else if (strcmp(m->key, "ResourcePolicy") == 0) {
            if (!is_str(v))
                return json_fail(err, v, "ResourcePolicy must be a string, not %s",
                                 iam_json_type_name(v->type));
            rq->resource_policy = (struct sparam){v->u.str.s, v->u.str.len, NULL};
            rq->have_resource_policy = true;
        } else if (strcmp(m->key, "ResourceOwner") == 0 || strcmp(m->key, "CallerArn") == 0 ||
                   strcmp(m->key, "ResourceHandlingOption") == 0 ||
                   strcmp(m->key, "Marker") == 0) {
            if (!is_str(v))
                return json_fail(err, v, "%s must be a string, not %s", m->key,
                                 iam_json_type_name(v->type));
            if (strcmp(m->key, "ResourceOwner") == 0)
                rq->resource_owner = v->u.str.s;
            else if (strcmp(m->key, "CallerArn") == 0)
                rq->caller_arn = v->u.str.s;
            else if (strcmp(m->key, "ResourceHandlingOption") == 0) {
                if (!handling_valid(v->u.str.s))
                    return json_fail(err, v, "ResourceHandlingOption '%.64s' is not valid",
                                     v->u.str.s);
                rq->handling = v->u.str.s;
            } else {
                char *end;
                unsigned long long mk;

                errno = 0;
                mk = strtoull(v->u.str.s, &end, 10);
                if (errno || *end || end == v->u.str.s || v->u.str.s[0] == '-')
                    return json_fail(err, v, "Marker '%.64s' is not valid", v->u.str.s);
                rq->marker = (size_t)mk;
            }
        } else if (strcmp(m->key, "ActionNames") == 0) {
            r = json_string_list(v, m->key, rq->actions, &rq->n_actions, err);
            rq->have_actions = true;
        } else if (strcmp(m->key, "ResourceArns") == 0) {
            r = json_string_list(v, m->key, rq->resources, &rq->n_resources, err);
        } else if (strcmp(m->key, "ContextEntries") == 0) {
            if (!is_arr(v))
                return json_fail(err, v, "ContextEntries must be an array, not %s",
                                 iam_json_type_name(v->type));
            r = simulate_context_entries_json(v, ctx, err);
        } else if (strcmp(m->key, "MaxItems") == 0) {
            if (v->type != IAM_JSON_NUMBER || v->u.num.value < 1 || v->u.num.value > 1000 ||
                v->u.num.value != (double)(size_t)v->u.num.value)
                return json_fail(err, v, "MaxItems must be an integer from 1 to 1000");
            rq->max_items = (size_t)v->u.num.value;
        } else {
            iam_error_set(err, m->key_pos.line, m->key_pos.column, m->key_pos.offset,
                          "unknown parameter '%.64s' in the request (SimulateCustomPolicy takes "
                          "PolicyInputList, PermissionsBoundaryPolicyInputList, ActionNames, "
                          "ResourceArns, ResourcePolicy, ResourceOwner, CallerArn, "
                          "ContextEntries, ResourceHandlingOption, MaxItems, Marker)",
                          m->key);
            return -EINVAL;
        }
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- Flags ----------------------------------------------------------------------------- */

static bool is_flag(const char *s) {
    return strncmp(s, "--", 2) == 0;
}

static int read_doc_param(struct request *rq, const char *value, struct sparam *out,
                          struct iam_error *err) {
    char *buf = NULL;
    size_t len;
    const char *source;
    int r = iamctl_read_param(value, &buf, &len, &source);

    if (r < 0) {
        iam_error_set(err, 0, 0, 0, "%s: %s", value, strerror(-r));
        return r;
    }
    r = keep_buf(rq, buf);
    if (r < 0)
        return r;
    *out = (struct sparam){buf, len, source};
    return 0;
}

enum {
    F_POLICIES,
    F_BOUNDARIES,
    F_RESOURCE_POLICY,
    F_RESOURCE_OWNER,
    F_CALLER,
    F_ACTIONS,
    F_RESOURCES,
    F_CONTEXT,
    F_HANDLING,
    F_MAX_ITEMS,
    F_MARKER,
    F_INPUT,
    F_OUTPUT,
};

static const struct {
    const char *name;
    int id;
    bool list;
} flags[] = {
    {"--policy-input-list", F_POLICIES, true},
    {"--permissions-boundary-policy-input-list", F_BOUNDARIES, true},
    {"--resource-policy", F_RESOURCE_POLICY, false},
    {"--resource-owner", F_RESOURCE_OWNER, false},
    {"--caller-arn", F_CALLER, false},
    {"--action-names", F_ACTIONS, true},
    {"--resource-arns", F_RESOURCES, true},
    {"--context-entries", F_CONTEXT, true},
    {"--resource-handling-option", F_HANDLING, false},
    {"--max-items", F_MAX_ITEMS, false},
    {"--starting-token", F_MARKER, false},
    {"--cli-input-json", F_INPUT, false},
    {"--output", F_OUTPUT, false},
};

static int parse_size(const char *s, size_t min, size_t max, size_t *ret) {
    char *end;
    unsigned long long v;

    if (!*s || *s == '-' || *s == '+')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *ret = (size_t)v;
    return 0;
}

int verb_simulate_custom_policy(int argc, char *argv[]) {
    struct request *rq = NULL;
    struct iam_context *ctx = NULL;
    struct iam_policy **compiled = NULL;
    struct iam_policy_ref *refs = NULL;
    struct iam_policy *res_policy = NULL;
    struct iam_policy_ref res_ref = {0};
    struct iam_policy_set set = {0};
    struct simulate_input in = {0};
    struct iam_error err;
    json_t *output = NULL;
    const char *input_json = NULL;
    char ids[2 * MAX_LIST][48];
    size_t n_compiled = 0;
    int ret = IAMCTL_EXIT_FAIL, r;

    iam_error_init(&err);
    rq = calloc(1, sizeof(*rq));
    if (!rq || iam_context_new(&ctx) < 0) {
        ret = iamctl_fail("out of memory");
        goto out;
    }
    /* The request JSON first, so flags given as well override its members (AWS CLI). */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cli-input-json") == 0) {
            if (i + 1 >= argc || is_flag(argv[i + 1])) {
                ret = iamctl_usage("--cli-input-json needs a value");
                goto out;
            }
            input_json = argv[i + 1];
        }
    }
    if (input_json) {
        r = parse_request_json(rq, input_json, ctx, &err);
        if (r < 0) {
            ret = iamctl_fail_error(&err);
            goto out;
        }
    }
    for (int i = 1; i < argc;) {
        int id = -1;
        bool list = false;
        int first, end;

        for (size_t f = 0; f < IAM_ELEMENTSOF(flags); f++)
            if (strcmp(argv[i], flags[f].name) == 0) {
                id = flags[f].id;
                list = flags[f].list;
            }
        if (id < 0) {
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                printf("usage: iamctl simulate-custom-policy --cli-input-json file://REQUEST.json\n"
                       "       iamctl simulate-custom-policy --policy-input-list file://P.json "
                       "... --action-names A ...\n"
                       "           [--permissions-boundary-policy-input-list file://B.json ...]"
                       " [--resource-policy file://R.json]\n"
                       "           [--resource-owner ARN] [--caller-arn ARN] [--resource-arns "
                       "ARN ...]\n"
                       "           [--context-entries ContextKeyName=K,ContextKeyValues=V,"
                       "ContextKeyType=T ...]\n"
                       "           [--resource-handling-option O] [--max-items N] "
                       "[--starting-token T]\n");
                ret = IAMCTL_EXIT_OK;
                goto out;
            }
            ret = iamctl_usage("simulate-custom-policy: unknown argument '%s'", argv[i]);
            goto out;
        }
        first = i + 1;
        end = first;
        while (end < argc && !is_flag(argv[end]) && (list || end == first))
            end++;
        if (end == first) {
            ret = iamctl_usage("%s needs a value", argv[i]);
            goto out;
        }
        if (end - first > MAX_LIST) {
            ret = iamctl_usage("%s: more than %d values", argv[i], MAX_LIST);
            goto out;
        }
        switch (id) {
        case F_POLICIES:
        case F_BOUNDARIES: {
            struct sparam *dst = id == F_POLICIES ? rq->policies : rq->boundaries;
            size_t *n = id == F_POLICIES ? &rq->n_policies : &rq->n_boundaries;

            *n = 0;
            for (int k = first; k < end; k++) {
                r = read_doc_param(rq, argv[k], &dst[(*n)++], &err);
                if (r < 0) {
                    ret = iamctl_fail_error(&err);
                    goto out;
                }
            }
            if (id == F_POLICIES)
                rq->have_policies = true;
            break;
        }
        case F_RESOURCE_POLICY:
            r = read_doc_param(rq, argv[first], &rq->resource_policy, &err);
            if (r < 0) {
                ret = iamctl_fail_error(&err);
                goto out;
            }
            rq->have_resource_policy = true;
            break;
        case F_RESOURCE_OWNER:
            rq->resource_owner = argv[first];
            break;
        case F_CALLER:
            rq->caller_arn = argv[first];
            break;
        case F_ACTIONS:
            rq->n_actions = 0;
            for (int k = first; k < end; k++)
                rq->actions[rq->n_actions++] = argv[k];
            rq->have_actions = true;
            break;
        case F_RESOURCES:
            rq->n_resources = 0;
            for (int k = first; k < end; k++)
                rq->resources[rq->n_resources++] = argv[k];
            break;
        case F_CONTEXT:
            for (int k = first; k < end; k++) {
                iam_error_init(&err);
                r = simulate_context_arg(argv[k], ctx, &err);
                if (r < 0) {
                    ret = iamctl_fail_error(&err);
                    goto out;
                }
            }
            break;
        case F_HANDLING:
            if (!handling_valid(argv[first])) {
                ret = iamctl_usage("--resource-handling-option '%s' is not valid", argv[first]);
                goto out;
            }
            rq->handling = argv[first];
            break;
        case F_MAX_ITEMS:
            if (parse_size(argv[first], 1, 1000, &rq->max_items) < 0) {
                ret = iamctl_usage("--max-items must be an integer from 1 to 1000");
                goto out;
            }
            break;
        case F_MARKER:
            if (parse_size(argv[first], 0, SIZE_MAX / 2, &rq->marker) < 0) {
                ret = iamctl_usage("--starting-token '%s' is not valid", argv[first]);
                goto out;
            }
            break;
        case F_OUTPUT:
            if (strcmp(argv[first], "json") != 0) {
                ret = iamctl_usage("--output: only json is supported");
                goto out;
            }
            break;
        case F_INPUT:
            break; /* read above */
        }
        i = end;
    }
    if (!rq->have_policies || !rq->have_actions) {
        ret = iamctl_usage("simulate-custom-policy: the following arguments are required:%s%s",
                           rq->have_policies ? "" : " --policy-input-list",
                           rq->have_actions ? "" : " --action-names");
        goto out;
    }
    if (rq->n_policies == 0 || rq->n_actions == 0) {
        ret = iamctl_fail("simulate-custom-policy: %s must not be empty",
                          rq->n_policies == 0 ? "PolicyInputList" : "ActionNames");
        goto out;
    }
    for (size_t i = 0; i < rq->n_actions; i++)
        if (strlen(rq->actions[i]) < 3 || strlen(rq->actions[i]) > 128) {
            ret = iamctl_fail("ActionNames[%zu] '%.64s' must be 3 to 128 characters", i,
                              rq->actions[i]);
            goto out;
        }
    for (size_t i = 0; i < rq->n_resources; i++)
        if (strlen(rq->resources[i]) < 1 || strlen(rq->resources[i]) > 2048) {
            ret = iamctl_fail("ResourceArns[%zu] must be 1 to 2048 characters", i);
            goto out;
        }
    if (rq->caller_arn) {
        struct iam_arn arn;

        /* AWS: only an IAM user's ARN may be the simulated caller. */
        if (iam_arn_parse(rq->caller_arn, &arn) < 0 || arn.service.len != 3 ||
            memcmp(arn.service.p, "iam", 3) != 0 || arn.resource.len < 6 ||
            memcmp(arn.resource.p, "user/", 5) != 0) {
            ret = iamctl_fail("CallerArn '%.100s' must be the ARN of an IAM user "
                              "(arn:aws:iam::ACCOUNT:user/NAME)",
                              rq->caller_arn);
            goto out;
        }
    }
    if (rq->resource_owner) {
        struct iam_arn arn;

        if (!iam_account_id_valid(rq->resource_owner) &&
            (iam_arn_parse(rq->resource_owner, &arn) < 0 || arn.account.len != 12)) {
            ret = iamctl_fail("ResourceOwner '%.100s' must be an account ARN such as "
                              "arn:aws:iam::123456789012:root",
                              rq->resource_owner);
            goto out;
        }
    }
    if (rq->have_resource_policy && !rq->caller_arn) {
        ret = iamctl_fail("CallerArn is required with a ResourcePolicy (its Principal element "
                          "needs a caller to match)");
        goto out;
    }

    /* Compile every policy; the first bad one names itself. */
    compiled = calloc(rq->n_policies + rq->n_boundaries, sizeof(*compiled));
    refs = calloc(rq->n_policies + rq->n_boundaries, sizeof(*refs));
    if (!compiled || !refs) {
        ret = iamctl_fail("out of memory");
        goto out;
    }
    for (size_t i = 0; i < rq->n_policies + rq->n_boundaries; i++) {
        bool bnd = i >= rq->n_policies;
        const struct sparam *sp = bnd ? &rq->boundaries[i - rq->n_policies] : &rq->policies[i];
        size_t num = bnd ? i - rq->n_policies + 1 : i + 1;

        snprintf(ids[i], sizeof(ids[i]), "%s.%zu",
                 bnd ? "PermissionsBoundaryPolicyInputList" : "PolicyInputList", num);
        iam_error_init(&err);
        r = simulate_compile_policy(sp->s, sp->len, IAM_POLICY_IDENTITY,
                                    sp->source && strcmp(sp->source, "(argument)") != 0
                                        ? sp->source
                                        : ids[i],
                                    &compiled[i], &err);
        if (r < 0) {
            if (sp->source && strcmp(sp->source, "(argument)") != 0) {
                /* file:// value: name the file, and which input it was. */
                char text[IAM_ERROR_TEXT_MAX + 64];
                size_t tl;

                snprintf(text, sizeof(text), "%s (%s)", err.text, ids[i]);
                tl = strnlen(text, sizeof(err.text) - 1);
                memcpy(err.text, text, tl);
                err.text[tl] = '\0';
            }
            ret = iamctl_fail_error(&err);
            goto out;
        }
        n_compiled = i + 1;
        refs[i] = (struct iam_policy_ref){compiled[i], ids[i], "IAM Policy"};
    }
    if (rq->have_resource_policy) {
        iam_error_init(&err);
        r = simulate_compile_policy(rq->resource_policy.s, rq->resource_policy.len,
                                    IAM_POLICY_RESOURCE,
                                    rq->resource_policy.source &&
                                            strcmp(rq->resource_policy.source, "(argument)") != 0
                                        ? rq->resource_policy.source
                                        : "ResourcePolicy",
                                    &res_policy, &err);
        if (r < 0) {
            ret = iamctl_fail_error(&err);
            goto out;
        }
        res_ref = (struct iam_policy_ref){res_policy, "ResourcePolicy", "resource"};
        set.resource = &res_ref;
    }
    set.identity = refs;
    set.n_identity = rq->n_policies;
    set.boundary = rq->n_boundaries ? refs + rq->n_policies : NULL;
    set.n_boundary = rq->n_boundaries;
    in = (struct simulate_input){
        .set = &set,
        .actions = rq->actions,
        .n_actions = rq->n_actions,
        .resources = rq->resources,
        .n_resources = rq->n_resources,
        .caller_arn = rq->caller_arn,
        .resource_owner = rq->resource_owner,
        .ctx = ctx,
        .max_items = rq->max_items,
        .marker = rq->marker,
    };
    iam_error_init(&err);
    r = simulate_run(&in, &output, &err);
    if (r < 0) {
        ret = iamctl_fail_error(&err);
        goto out;
    }
    if (simulate_print(stdout, output) < 0) {
        ret = iamctl_fail("cannot write the result: %s", strerror(errno));
        goto out;
    }
    ret = IAMCTL_EXIT_OK;
out:
    json_decref(output);
    for (size_t i = 0; i < n_compiled; i++)
        iam_policy_free(compiled[i]);
    free(compiled);
    free(refs);
    iam_policy_free(res_policy);
    iam_context_free(ctx);
    if (rq)
        request_free(rq);
    return ret;
}
