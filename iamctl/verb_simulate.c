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
#include "verb_common.h"

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
    "EC2-VPC-InstanceStore", "EC2-VPC-InstanceStore-Subnet", "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",    "EC2-Classic-InstanceStore",    "EC2-Classic-EBS",
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
            return json_fail(err, v->u.arr.items[i], "%s[%zu] must be a string, not %s", member, i,
                             iam_json_type_name(v->u.arr.items[i]->type));
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
            return json_fail(err, it, "%s[%zu] must be a string holding the policy JSON, not %s",
                             member, i, iam_json_type_name(it->type));
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
                   strcmp(m->key, "ResourceHandlingOption") == 0 || strcmp(m->key, "Marker") == 0) {
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

/* The options, in the order they are applied (after --cli-input-json, which they override,
 * as in the AWS CLI). A repeated option replaces what it gave, but context entries add up. */
enum {
    O_INPUT,
    O_POLICIES,
    O_BOUNDARIES,
    O_RESOURCE_POLICY,
    O_RESOURCE_OWNER,
    O_CALLER,
    O_ACTIONS,
    O_RESOURCES,
    O_CONTEXT,
    O_HANDLING,
    O_MAX_ITEMS,
    O_MARKER,
    O_OUTPUT,
    O__MAX,
};

static const char usage_text[] =
    "usage: iamctl simulate-custom-policy --cli-input-json file://REQUEST.json\n"
    "       iamctl simulate-custom-policy --policy-input-list file://P.json ... --action-names "
    "A ...\n"
    "           [--permissions-boundary-policy-input-list file://B.json ...] [--resource-policy "
    "file://R.json]\n"
    "           [--resource-owner ARN] [--caller-arn ARN] [--resource-arns ARN ...]\n"
    "           [--context-entries ContextKeyName=K,ContextKeyValues=V,ContextKeyType=T ...]\n"
    "           [--resource-handling-option O] [--max-items N] [--starting-token T]\n";

static bool wants_help(int argc, char *argv[]) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

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

/* --policy-input-list / --permissions-boundary-policy-input-list: each value a document. */
static int apply_documents(struct request *rq, const struct opt *o, struct sparam *dst, size_t *n) {
    struct iam_error err;

    *n = 0;
    for (size_t k = 0; k < o->n_list; k++) {
        iam_error_init(&err);
        if (read_doc_param(rq, o->list[k], &dst[(*n)++], &err) < 0)
            return iamctl_fail_error(&err);
    }
    return 0;
}

/* The options that name documents, actions, resources and context entries. */
static int apply_lists(struct request *rq, const struct opt *opts, struct iam_context *ctx) {
    struct iam_error err;
    int r;

    for (unsigned id = O_POLICIES; id <= O_CONTEXT; id++)
        if (opts[id].kind == OPT_LIST && opts[id].n_list > MAX_LIST)
            return iamctl_usage("--%s: more than %d values", opts[id].name, MAX_LIST);
    if (opts[O_POLICIES].set) {
        if ((r = apply_documents(rq, &opts[O_POLICIES], rq->policies, &rq->n_policies)))
            return r;
        rq->have_policies = true;
    }
    if (opts[O_BOUNDARIES].set &&
        (r = apply_documents(rq, &opts[O_BOUNDARIES], rq->boundaries, &rq->n_boundaries)))
        return r;
    if (opts[O_ACTIONS].set) {
        rq->n_actions = 0;
        for (size_t k = 0; k < opts[O_ACTIONS].n_list; k++)
            rq->actions[rq->n_actions++] = opts[O_ACTIONS].list[k];
        rq->have_actions = true;
    }
    if (opts[O_RESOURCES].set) {
        rq->n_resources = 0;
        for (size_t k = 0; k < opts[O_RESOURCES].n_list; k++)
            rq->resources[rq->n_resources++] = opts[O_RESOURCES].list[k];
    }
    for (size_t k = 0; k < opts[O_CONTEXT].n_list; k++) {
        iam_error_init(&err);
        if (simulate_context_arg(opts[O_CONTEXT].list[k], ctx, &err) < 0)
            return iamctl_fail_error(&err);
    }
    return 0;
}

/* The options of one value. */
static int apply_values(struct request *rq, const struct opt *opts) {
    struct iam_error err;

    if (opts[O_RESOURCE_POLICY].set) {
        iam_error_init(&err);
        if (read_doc_param(rq, opts[O_RESOURCE_POLICY].value, &rq->resource_policy, &err) < 0)
            return iamctl_fail_error(&err);
        rq->have_resource_policy = true;
    }
    if (opts[O_RESOURCE_OWNER].set)
        rq->resource_owner = opts[O_RESOURCE_OWNER].value;
    if (opts[O_CALLER].set)
        rq->caller_arn = opts[O_CALLER].value;
    if (opts[O_HANDLING].set) {
        if (!handling_valid(opts[O_HANDLING].value))
            return iamctl_usage("--resource-handling-option '%s' is not valid",
                                opts[O_HANDLING].value);
        rq->handling = opts[O_HANDLING].value;
    }
    if (opts[O_MAX_ITEMS].set && parse_size(opts[O_MAX_ITEMS].value, 1, 1000, &rq->max_items) < 0)
        return iamctl_usage("--max-items must be an integer from 1 to 1000");
    if (opts[O_MARKER].set && parse_size(opts[O_MARKER].value, 0, SIZE_MAX / 2, &rq->marker) < 0)
        return iamctl_usage("--starting-token '%s' is not valid", opts[O_MARKER].value);
    if (opts[O_OUTPUT].set && strcmp(opts[O_OUTPUT].value, "json") != 0)
        return iamctl_usage("--output: only json is supported");
    return 0;
}

/* Parse: the request JSON first, then the options, which override its members. */
static int parse_request(int argc, char *argv[], struct request *rq, struct iam_context *ctx) {
    struct opt opts[O__MAX + 1] = {
        [O_INPUT] = {"cli-input-json", OPT_VALUE, false, true},
        [O_POLICIES] = {"policy-input-list", OPT_LIST, false, true},
        [O_BOUNDARIES] = {"permissions-boundary-policy-input-list", OPT_LIST, false, true},
        [O_RESOURCE_POLICY] = {"resource-policy", OPT_VALUE, false, true},
        [O_RESOURCE_OWNER] = {"resource-owner", OPT_VALUE, false, true},
        [O_CALLER] = {"caller-arn", OPT_VALUE, false, true},
        [O_ACTIONS] = {"action-names", OPT_LIST, false, true},
        [O_RESOURCES] = {"resource-arns", OPT_LIST, false, true},
        [O_CONTEXT] = {"context-entries", OPT_LIST, false, false},
        [O_HANDLING] = {"resource-handling-option", OPT_VALUE, false, true},
        [O_MAX_ITEMS] = {"max-items", OPT_VALUE, false, true},
        [O_MARKER] = {"starting-token", OPT_VALUE, false, true},
        [O_OUTPUT] = {"output", OPT_VALUE, false, true},
    };
    struct iam_error err;
    int r;

    iam_error_init(&err);
    r = opts_parse(argc, argv, opts);
    if (r == 0 && opts[O_INPUT].set && parse_request_json(rq, opts[O_INPUT].value, ctx, &err) < 0)
        r = iamctl_fail_error(&err);
    if (r == 0)
        r = apply_lists(rq, opts, ctx);
    if (r == 0)
        r = apply_values(rq, opts);
    opts_free(opts);
    return r;
}

/* Check: what the API requires of a request, before any policy is compiled. */
static int check_request(const struct request *rq) {
    struct iam_arn arn;

    if (!rq->have_policies || !rq->have_actions)
        return iamctl_usage("simulate-custom-policy: the following arguments are required:%s%s",
                            rq->have_policies ? "" : " --policy-input-list",
                            rq->have_actions ? "" : " --action-names");
    if (rq->n_policies == 0 || rq->n_actions == 0)
        return iamctl_fail("simulate-custom-policy: %s must not be empty",
                           rq->n_policies == 0 ? "PolicyInputList" : "ActionNames");
    for (size_t i = 0; i < rq->n_actions; i++)
        if (strlen(rq->actions[i]) < 3 || strlen(rq->actions[i]) > 128)
            return iamctl_fail("ActionNames[%zu] '%.64s' must be 3 to 128 characters", i,
                               rq->actions[i]);
    for (size_t i = 0; i < rq->n_resources; i++)
        if (strlen(rq->resources[i]) < 1 || strlen(rq->resources[i]) > 2048)
            return iamctl_fail("ResourceArns[%zu] must be 1 to 2048 characters", i);
    /* AWS: only an IAM user's ARN may be the simulated caller. */
    if (rq->caller_arn && (iam_arn_parse(rq->caller_arn, &arn) < 0 || arn.service.len != 3 ||
                           memcmp(arn.service.p, "iam", 3) != 0 || arn.resource.len < 6 ||
                           memcmp(arn.resource.p, "user/", 5) != 0))
        return iamctl_fail("CallerArn '%.100s' must be the ARN of an IAM user "
                           "(arn:aws:iam::ACCOUNT:user/NAME)",
                           rq->caller_arn);
    if (rq->resource_owner && !iam_account_id_valid(rq->resource_owner) &&
        (iam_arn_parse(rq->resource_owner, &arn) < 0 || arn.account.len != 12))
        return iamctl_fail("ResourceOwner '%.100s' must be an account ARN such as "
                           "arn:aws:iam::123456789012:root",
                           rq->resource_owner);
    if (rq->have_resource_policy && !rq->caller_arn)
        return iamctl_fail("CallerArn is required with a ResourcePolicy (its Principal element "
                           "needs a caller to match)");
    return 0;
}

/* Compile: every policy of the request, as the set the engine evaluates. */
struct compiled {
    struct iam_policy *policies[2 * MAX_LIST]; /* PolicyInputList, then the boundaries */
    struct iam_policy_ref refs[2 * MAX_LIST];
    char ids[2 * MAX_LIST][48]; /* "PolicyInputList.1", ... */
    size_t n;
    struct iam_policy *resource;
    struct iam_policy_ref resource_ref;
    struct iam_policy_set set;
};

static void compiled_free(struct compiled *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        iam_policy_free(c->policies[i]);
    iam_policy_free(c->resource);
    free(c);
}

static bool from_file(const struct sparam *sp) {
    return sp->source && strcmp(sp->source, "(argument)") != 0;
}

/* Policy i of the request (the boundaries follow the identity policies); the first bad one
 * names itself, and a file:// value both its file and which input it was. */
static int compile_one(const struct request *rq, struct compiled *c, size_t i) {
    bool bnd = i >= rq->n_policies;
    const struct sparam *sp = bnd ? &rq->boundaries[i - rq->n_policies] : &rq->policies[i];
    size_t num = bnd ? i - rq->n_policies + 1 : i + 1;
    struct iam_error err;

    snprintf(c->ids[i], sizeof(c->ids[i]), "%s.%zu",
             bnd ? "PermissionsBoundaryPolicyInputList" : "PolicyInputList", num);
    iam_error_init(&err);
    if (simulate_compile_policy(sp->s, sp->len, IAM_POLICY_IDENTITY,
                                from_file(sp) ? sp->source : c->ids[i], &c->policies[i],
                                &err) < 0) {
        if (from_file(sp)) {
            char text[IAM_ERROR_TEXT_MAX + 64];
            size_t tl;

            snprintf(text, sizeof(text), "%s (%s)", err.text, c->ids[i]);
            tl = strnlen(text, sizeof(err.text) - 1);
            memcpy(err.text, text, tl);
            err.text[tl] = '\0';
        }
        return iamctl_fail_error(&err);
    }
    c->n = i + 1;
    c->refs[i] = (struct iam_policy_ref){c->policies[i], c->ids[i], "IAM Policy"};
    return 0;
}

static int compile_request(const struct request *rq, struct compiled *c) {
    struct iam_error err;
    int r;

    for (size_t i = 0; i < rq->n_policies + rq->n_boundaries; i++)
        if ((r = compile_one(rq, c, i)))
            return r;
    if (rq->have_resource_policy) {
        iam_error_init(&err);
        if (simulate_compile_policy(
                rq->resource_policy.s, rq->resource_policy.len, IAM_POLICY_RESOURCE,
                from_file(&rq->resource_policy) ? rq->resource_policy.source : "ResourcePolicy",
                &c->resource, &err) < 0)
            return iamctl_fail_error(&err);
        c->resource_ref = (struct iam_policy_ref){c->resource, "ResourcePolicy", "resource"};
        c->set.resource = &c->resource_ref;
    }
    c->set.identity = c->refs;
    c->set.n_identity = rq->n_policies;
    c->set.boundary = rq->n_boundaries ? c->refs + rq->n_policies : NULL;
    c->set.n_boundary = rq->n_boundaries;
    return 0;
}

/* Run: evaluate every action on every resource and print the API's response. */
static int run_request(const struct request *rq, const struct compiled *c,
                       const struct iam_context *ctx) {
    const struct simulate_input in = {
        .set = &c->set,
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
    struct iam_error err;
    json_t *output = NULL;
    int ret;

    iam_error_init(&err);
    if (simulate_run(&in, &output, &err) < 0)
        ret = iamctl_fail_error(&err);
    else if (simulate_print(stdout, output) < 0)
        ret = iamctl_fail("cannot write the result: %s", strerror(errno));
    else
        ret = IAMCTL_EXIT_OK;
    json_decref(output);
    return ret;
}

int verb_simulate_custom_policy(int argc, char *argv[]) {
    struct request *rq = NULL;
    struct compiled *c = NULL;
    struct iam_context *ctx = NULL;
    int ret;

    if (wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return IAMCTL_EXIT_OK;
    }
    rq = calloc(1, sizeof(*rq));
    c = calloc(1, sizeof(*c));
    if (!rq || !c || iam_context_new(&ctx) < 0) {
        ret = iamctl_fail("out of memory");
        goto out;
    }
    if ((ret = parse_request(argc, argv, rq, ctx)) || (ret = check_request(rq)) ||
        (ret = compile_request(rq, c)))
        goto out;
    ret = run_request(rq, c, ctx);
out:
    compiled_free(c);
    iam_context_free(ctx);
    if (rq)
        request_free(rq);
    return ret;
}
