/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Condition checks: operators, keys, values, types, and the host's reading of a condition
 * (which keys the host sets, and conditions that can never be true).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../policy_private.h"
#include "iam/host.h"
#include "validate_private.h"

/* The operators, from the engine's table (one table for both). */
static const struct opdef {
    const char *name;
    enum cond_family fam;
    enum cond_cmp cmp;
    bool negated;
} ops[] = {
#define OPDEF(name, base, negated, family, cmp) {name, family, cmp, negated},
    IAM_CONDITION_OPERATORS(OPDEF)
#undef OPDEF
};

static const char *const fam_names[] = {"String", "Numeric",   "Date", "Bool",
                                        "Binary", "IpAddress", "Arn",  "Null"};

enum ktype { K_UNKNOWN, K_STRING, K_ARN, K_NUMERIC, K_DATE, K_DATE_OR_NUM, K_BOOL, K_IP };
enum presence { P_NEVER, P_SOMETIMES, P_ALWAYS };

/* The keys a request can carry, with their types and when each is present: the host's own
 * from iam/host.h (docs/architecture.md, "Actions and context keys"), then the AWS global
 * keys a host never sets. prefix: the name ends in '/' and takes a tag key. */
static const struct keydef {
    const char *name;
    enum ktype type;
    bool multi, prefix;
    enum presence login, sudo;
} keys[] = {
#define KT_STRING K_STRING
#define KT_ARN K_ARN
#define KT_NUMERIC K_NUMERIC
#define KT_DATE K_DATE
#define KT_DATE_NUMERIC K_DATE_OR_NUM
#define KT_BOOL K_BOOL
#define KT_IP K_IP
#define KF_SINGLE_MULTI false
#define KF_MULTI_MULTI true
#define KF_TAG_MULTI false
#define KF_SINGLE_PREFIX false
#define KF_MULTI_PREFIX false
#define KF_TAG_PREFIX true
#define HOST_KEYDEF(id, name, type, form, login, sudo, assume, value)                              \
    {name, KT_##type, KF_##form##_MULTI, KF_##form##_PREFIX, P_##login, P_##sudo},
    IAM_HOST_CONTEXT_KEYS(HOST_KEYDEF)
#undef HOST_KEYDEF
    /* AWS global keys a host never sets */
    {"aws:RequestTag/", K_STRING, false, true, P_NEVER, P_NEVER},
    {"aws:TagKeys", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:CalledVia", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:CalledViaFirst", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:CalledViaLast", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:FederatedProvider", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:MultiFactorAuthAge", K_NUMERIC, false, false, P_NEVER, P_NEVER},
    {"aws:PrincipalIsAWSService", K_BOOL, false, false, P_NEVER, P_NEVER},
    {"aws:PrincipalOrgID", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:PrincipalOrgPaths", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:PrincipalServiceName", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:PrincipalServiceNamesList", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:Referer", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:RequestedRegion", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:ResourceAccount", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:ResourceOrgID", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:ResourceOrgPaths", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:SecureTransport", K_BOOL, false, false, P_NEVER, P_NEVER},
    {"aws:SourceAccount", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:SourceArn", K_ARN, false, false, P_NEVER, P_NEVER},
    {"aws:SourceOrgID", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:SourceOrgPaths", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:SourceVpc", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:SourceVpce", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:SourceVpcArn", K_ARN, false, false, P_NEVER, P_NEVER},
    {"aws:TokenIssueTime", K_DATE, false, false, P_NEVER, P_NEVER},
    {"aws:UserAgent", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:ViaAWSService", K_BOOL, false, false, P_NEVER, P_NEVER},
    {"aws:VpcSourceIp", K_IP, false, false, P_NEVER, P_NEVER},
    {"aws:Ec2InstanceSourceVpc", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:Ec2InstanceSourcePrivateIPv4", K_IP, false, false, P_NEVER, P_NEVER},
    {"aws:VpceAccount", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:VpceOrgID", K_STRING, false, false, P_NEVER, P_NEVER},
    {"aws:VpceOrgPaths", K_STRING, true, false, P_NEVER, P_NEVER},
    {"aws:IsMcpServiceAction", K_BOOL, false, false, P_NEVER, P_NEVER},
    {"aws:AssumedRoot", K_BOOL, false, false, P_NEVER, P_NEVER},
};

/* Values a host ever sets for a key with a closed set of values. */
static const struct {
    const char *key;
    const char *const values[IAM_HOST_N_AUTH_METHODS + 1];
} enums[] = {
#define HOST_AUTH_WORD(id, word, meaning) word,
    {"host:AuthMethod", {IAM_HOST_AUTH_METHODS(HOST_AUTH_WORD) NULL}},
#undef HOST_AUTH_WORD
    {"aws:PrincipalType", {"User", NULL}},
};

static const struct keydef *find_key(const char *name) {
    for (size_t i = 0; i < IAM_ELEMENTSOF(keys); i++) {
        size_t n = strlen(keys[i].name);

        if (keys[i].prefix ? strncasecmp(name, keys[i].name, n) == 0 && name[n] != '\0'
                           : strcasecmp(name, keys[i].name) == 0)
            return &keys[i];
    }
    return NULL;
}

static enum presence presence_of(const struct keydef *k, const struct host_cover *cover) {
    enum presence l, s;

    if (!k)
        return P_NEVER;
    if (cover->login && cover->sudo) {
        l = k->login;
        s = k->sudo;
        if (l == s)
            return l;
        return P_SOMETIMES;
    }
    return cover->sudo ? k->sudo : k->login;
}

bool iam_vcondition_has_key(const struct iam_json *cond, const char *key) {
    if (!iam_json_is_object(cond))
        return false;
    for (size_t i = 0; i < cond->u.obj.n; i++) {
        const struct iam_json *block = cond->u.obj.members[i].value;

        if (iam_json_get_ci(block, key))
            return true;
    }
    return false;
}

struct op {
    const struct opdef *def;
    int qualifier; /* 0, 1 = ForAllValues, 2 = ForAnyValue */
    bool ifexists;
};

/* Parse an operator name (iam_cond_op_parse: the engine's own reading). Returns 0, -1
 * unknown, -2 Null...IfExists. */
static int parse_op(const char *name, struct op *ret) {
    struct iam_cond_op co;
    int r = iam_cond_op_parse(name, &co);

    *ret = (struct op){0};
    if (r == -ENOENT)
        return -1;
    ret->qualifier = co.set == SET_ALL ? 1 : co.set == SET_ANY ? 2 : 0;
    ret->ifexists = co.if_exists;
    for (size_t i = 0; i < IAM_ELEMENTSOF(ops); i++)
        if (strcmp(co.name, ops[i].name) == 0)
            ret->def = &ops[i];
    if (!ret->def)
        return -1; /* not reached: both tables come from IAM_CONDITION_OPERATORS */
    return r < 0 ? -2 : 0;
}

/* Does the condition hold when the key is absent from the request? */
static bool true_when_missing(const struct op *op, const struct iam_json *v) {
    if (op->def->fam == FAM_NULL) {
        /* Null: "true" holds when the key is missing; values are ORed */
        if (v->type == IAM_JSON_ARRAY) {
            for (size_t i = 0; i < v->u.arr.n; i++) {
                const char *t = iam_json_scalar_text(v->u.arr.items[i], NULL);

                if (t && strcasecmp(t, "true") == 0)
                    return true;
            }
            return false;
        }
        return iam_json_scalar_text(v, NULL) &&
               strcasecmp(iam_json_scalar_text(v, NULL), "true") == 0;
    }
    if (op->ifexists || op->qualifier == 1)
        return true;
    if (op->qualifier == 2)
        return false;
    return op->def->negated;
}

static bool ktype_accepts(enum ktype k, enum cond_family f) {
    switch (k) {
    case K_UNKNOWN:
        return true;
    case K_STRING:
        return f == FAM_STRING;
    case K_ARN:
        return f == FAM_STRING || f == FAM_ARN;
    case K_NUMERIC:
        return f == FAM_NUMERIC;
    case K_DATE:
        return f == FAM_DATE;
    case K_DATE_OR_NUM:
        return f == FAM_DATE || f == FAM_NUMERIC;
    case K_BOOL:
        return f == FAM_BOOL;
    case K_IP:
        return f == FAM_IP;
    }
    return true;
}

static const char *ktype_ops(enum ktype k) {
    switch (k) {
    case K_STRING:
        return "a String operator";
    case K_ARN:
        return "an Arn or String operator";
    case K_NUMERIC:
        return "a Numeric operator";
    case K_DATE:
        return "a Date operator";
    case K_DATE_OR_NUM:
        return "a Date or Numeric operator";
    case K_BOOL:
        return "the Bool operator";
    case K_IP:
        return "IpAddress or NotIpAddress";
    default:
        return "another operator";
    }
}

/* A constraint on one key, gathered across the block for the never-true analysis. */
struct constraint {
    const char *key;
    const struct opdef *def;
    const struct iam_json *values;
    const char *opname;
};

#define MAX_CONSTRAINTS 64

struct cstate {
    struct vctx *c;
    const struct iam_json *cond;
    bool allow;
    const struct host_cover *cover;
    bool on_host;
    struct constraint cons[MAX_CONSTRAINTS];
    size_t ncons;
};

static size_t nvalues(const struct iam_json *v) {
    return v->type == IAM_JSON_ARRAY ? v->u.arr.n : 1;
}

static const struct iam_json *value_at(const struct iam_json *v, size_t i) {
    return v->type == IAM_JSON_ARRAY ? v->u.arr.items[i] : v;
}

static void never_true(struct cstate *s, const char *op, const char *key, const struct iam_json *at,
                       const char *why) {
    struct vctx *c = s->c;

    iam_vpath_push_value(c, op);
    iam_vpath_push_value(c, key);
    if (s->allow)
        iam_vfinding(c, VC_HOST_CONDITION_NEVER_TRUE, at,
                     "This condition can never be true%s: %s. The statement never allows anything "
                     "there.",
                     s->cover->other ? " for host actions" : "", why);
    else
        iam_vfinding(c, VC_HOST_DENY_NEVER_APPLIES, at,
                     "This Deny never applies%s because its condition can never be true: %s.",
                     s->cover->other ? " to host actions" : "", why);
    iam_vpath_pop(c);
    iam_vpath_pop(c);
}

/* When a key the host sets only sometimes is there. */
static const char *when_set(const char *key) {
    if (strncasecmp(key, "aws:PrincipalTag/", 17) == 0)
        return "when the user has that tag";
    if (strncasecmp(key, "aws:ResourceTag/", 16) == 0)
        return "when the host has that tag (host_tag.<key> in iam.conf)";
    if (strcasecmp(key, "aws:SourceIp") == 0 || strcasecmp(key, "host:RemoteHost") == 0)
        return "for remote logins (a console login has no remote address)";
    if (strcasecmp(key, "host:Tty") == 0)
        return "when the session has a terminal";
    if (strcasecmp(key, "host:AuthMethod") == 0)
        return "when pam_iam authenticated the user (not when another PAM module did)";
    return "for some requests";
}

/* ---- one key of one operator ----------------------------------------------------------- */

/* Counts over one key's values, for the findings about the whole list. */
struct value_tally {
    size_t n_ip, n_private; /* valid IP ranges, and those inside a private block */
};

/* One scalar value t (the text of it) against the operator's type. */
static void check_value_type(struct cstate *s, const struct op *op, const char *opname,
                             const char *key, const struct iam_json *it, const char *t,
                             struct value_tally *tally) {
    struct vctx *c = s->c;
    struct iam_num num;
    struct iam_time tm;
    bool epoch, host_bits;
    struct vcidr cidr;

    switch (op->def->fam) {
    case FAM_NUMERIC:
        if (!iam_vparse_number(t, &num))
            iam_vfinding(c, VC_TYPE_MISMATCH_NUMBER, it,
                         "\"%.40s\" is not a number. Add a valid numeric value for %s.", t, opname);
        break;
    case FAM_DATE:
        if (!iam_vparse_date(t, &tm, &epoch))
            iam_vfinding(c, VC_TYPE_MISMATCH_DATE, it,
                         "The date condition operator is used with an invalid value \"%.40s\". "
                         "Specify a valid date using YYYY-MM-DD or another ISO 8601 date/time "
                         "format.",
                         t);
        else if (epoch && strcasecmp(key, "aws:EpochTime") != 0)
            iam_vfinding(c, VC_INVALID_DATE_VALUE, it,
                         "The date %.20s (epoch seconds) might not resolve as expected. We "
                         "recommend that you use the YYYY-MM-DD format.",
                         t);
        break;
    case FAM_BOOL:
    case FAM_NULL:
        if (!iam_vparse_bool(t))
            iam_vfinding(c, VC_TYPE_MISMATCH_BOOLEAN, it,
                         "Add a valid Boolean value (true or false) for %s; \"%.40s\" is not one.",
                         opname, t);
        break;
    case FAM_BINARY:
        if (!iam_vbase64_valid(t))
            iam_vfinding(c, VC_TYPE_MISMATCH_STRING, it,
                         "Add a valid base64-encoded string value for %s; \"%.40s\" is not one.",
                         opname, t);
        break;
    case FAM_IP:
        if (!iam_vparse_cidr(t, &cidr, &host_bits)) {
            iam_vfinding(c, VC_TYPE_MISMATCH_IP_RANGE, it,
                         "%s is used with an invalid IP range value \"%.60s\". Specify the IP "
                         "range in standard CIDR format.",
                         opname, t);
            break;
        }
        tally->n_ip++;
        if (iam_vcidr_private(&cidr))
            tally->n_private++;
        if (host_bits)
            iam_vfinding(c, VC_IMPROVE_IP_RANGE, it,
                         "The non-zero bits in \"%.60s\" after the /%u mask are ignored. Write "
                         "the network address instead.",
                         t, cidr.prefix);
        break;
    case FAM_STRING:
        if (op->def->cmp == CMP_LIKE || op->def->cmp == CMP_NOTLIKE)
            break;
        if (iam_vhas_wildcard(t))
            iam_vfinding(c, VC_WILDCARD_WITHOUT_LIKE_OPERATOR, it,
                         "The value \"%.60s\" includes a * or ? character, which %s compares "
                         "literally. If you meant a wildcard, use %s.",
                         t, opname, op->def->negated ? "StringNotLike" : "StringLike");
        break;
    case FAM_ARN:
        break;
    }
}

/* A value holding a policy variable: only String and ARN operators resolve one. */
static void check_value_variables(struct cstate *s, const struct op *op, const char *opname,
                                  const struct iam_json *it, const char *t) {
    struct vctx *c = s->c;

    if (op->def->fam != FAM_STRING && op->def->fam != FAM_ARN) {
        iam_vfinding(c, VC_INVALID_VARIABLE_FOR_OPERATOR, it,
                     "Policy variables can only be used with String and ARN operators, not with "
                     "%s.",
                     opname);
        return;
    }
    iam_vcheck_variables(c, it);
    if (!c->variables)
        iam_vfinding(c, VC_VARIABLE_UNSUPPORTED_IN_VERSION, it,
                     "To include variables in your policy, use the policy version 2012-10-17; "
                     "under 2008-10-17 \"%.80s\" is compared as literal text.",
                     t);
}

/* aws:SourceIp only sees public addresses in AWS; a host sees private ones too. */
static void check_private_source_ip(struct cstate *s, const struct op *op, const struct iam_json *v,
                                    size_t n, const struct value_tally *tally) {
    bool all = tally->n_private == tally->n_ip && tally->n_ip == n;

    if (op->def->negated)
        iam_vfinding(s->c, all ? VC_PRIVATE_NOT_IP_ADDRESS : VC_PRIVATE_NOT_IP_ADDRESS_SUBSET, v,
                     "The values for condition key aws:SourceIp include %s private IP addresses "
                     "and %s. aws:SourceIp works only for public IP address ranges in AWS "
                     "(host: actions are exempt: hosts are reached from private addresses).",
                     all ? "only" : "some",
                     all ? "has no effect" : "the private addresses have no effect");
    else
        iam_vfinding(s->c, all ? VC_PRIVATE_IP_ADDRESS : VC_PRIVATE_IP_ADDRESS_SUBSET, v,
                     "The values for condition key aws:SourceIp include %s private IP addresses "
                     "and %s. aws:SourceIp works only for public IP address ranges in AWS "
                     "(host: actions are exempt: hosts are reached from private addresses).",
                     all ? "only" : "some",
                     all ? "will not have the desired effect"
                         : "the private addresses will not have the desired effect");
}

static void check_values(struct cstate *s, const struct op *op, const char *opname, const char *key,
                         const struct iam_json *v) {
    struct vctx *c = s->c;
    enum cond_family fam = op->def->fam;
    size_t n = nvalues(v);
    struct value_tally tally = {0};
    enum iam_json_type first = IAM_JSON_NULL;
    bool mixed = false;

    for (size_t i = 0; i < n; i++) {
        const struct iam_json *it = value_at(v, i);
        const char *t = iam_json_scalar_text(it, NULL);
        /* true and false are one JSON type here */
        enum iam_json_type jt = it->type == IAM_JSON_FALSE ? IAM_JSON_TRUE : it->type;

        if (v->type == IAM_JSON_ARRAY)
            iam_vpath_push_index(c, i);
        if (!t)
            iam_vfinding(c, VC_DATA_TYPE_MISMATCH, it,
                         "A condition value is a string, number or boolean; this is a %s.",
                         iam_json_type_name(it->type));
        else if (i == 0)
            first = jt;
        else if (jt != first)
            mixed = true;
        if (t && it->type == IAM_JSON_STRING && iam_vhas_variable(t))
            check_value_variables(s, op, opname, it, t);
        else if (t)
            check_value_type(s, op, opname, key, it, t, &tally);
        if (v->type == IAM_JSON_ARRAY)
            iam_vpath_pop(c);
    }
    if (mixed)
        iam_vfinding(c, VC_INVALID_CONDITION_DATA_TYPE, v,
                     "The condition value data types do not match. Use condition values of the "
                     "same JSON data type.");
    if (fam == FAM_BOOL && op->qualifier == 0 && n > 1)
        iam_vfinding(c, VC_INVALID_CONDITION_MULTIPLE_BOOLEAN, v,
                     "The condition key %.64s does not support multiple Boolean values. Use a "
                     "single Boolean value.",
                     key);
    if (fam == FAM_NUMERIC && op->qualifier == 0 && n > 1 && op->def->cmp >= CMP_LT &&
        op->def->cmp <= CMP_GE)
        iam_vfinding(c, VC_REDUNDANT_CONDITION_VALUE_NUM, v,
                     "Multiple values in %s are redundant. Replace them with the %s single value.",
                     opname, op->def->cmp <= CMP_LE ? "greatest" : "least");
    if (fam == FAM_IP && strcasecmp(key, "aws:SourceIp") == 0 && !s->on_host && tally.n_private > 0)
        check_private_source_ip(s, op, v, n, &tally);
}

/* "host:Service, host:RemoteHost, ... and host:Command": the host: keys of iam/host.h. */
static const char *host_keys_text(char *buf, size_t size) {
    static const char *const names[] = {
#define HOST_KEY_NAME(id, name, type, form, login, sudo, assume, value) name,
        IAM_HOST_CONTEXT_KEYS(HOST_KEY_NAME)
#undef HOST_KEY_NAME
    };
    size_t at = 0, last = 0;

    for (size_t i = 0; i < IAM_ELEMENTSOF(names); i++)
        if (strncmp(names[i], "host:", 5) == 0)
            last = i;
    buf[0] = '\0';
    for (size_t i = 0, k = 0; i < IAM_ELEMENTSOF(names) && at < size; i++) {
        int w;

        if (strncmp(names[i], "host:", 5) != 0)
            continue;
        w = snprintf(buf + at, size - at, "%s%s",
                     k == 0      ? ""
                     : i == last ? " and "
                                 : ", ",
                     names[i]);
        if (w < 0)
            break;
        at += (size_t)w;
        k++;
    }
    return buf;
}

/* The key's name: service:keyname, a global key that exists, a host key the host sets.
 * Returns whether the key is valid; *ret_kd is its definition when we know it. */
static bool check_key_name(struct cstate *s, const struct iam_json_member *km,
                           const struct keydef **ret_kd) {
    struct vctx *c = s->c;
    const char *key = km->key, *colon = strchr(key, ':'), *name;
    const struct keydef *kd;

    *ret_kd = NULL;
    if (!colon || colon == key || colon[1] == '\0' ||
        strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") <
            (size_t)(colon - key)) {
        iam_vfinding_key(c, VC_INVALID_CONDITION_KEY_FORMAT, km,
                         "The condition key \"%.64s\" is not valid. Use the format "
                         "service:keyname.",
                         key);
        return false;
    }
    kd = find_key(key);
    *ret_kd = kd;
    if (kd)
        return true;
    if (strncasecmp(key, "host:", 5) == 0) {
        char list[256];

        iam_vfinding_key(c, VC_INVALID_SERVICE_CONDITION_KEY, km,
                         "The condition key \"%.64s\" does not exist on a host. The host sets "
                         "%s.",
                         key, host_keys_text(list, sizeof(list)));
        return false;
    }
    if (strncasecmp(key, "aws:", 4) != 0)
        return true; /* another service's key: not ours to judge */
    name = key + 4;
    if (strcasecmp(name, "ARN") == 0)
        iam_vfinding_key(c, VC_UNSUPPORTED_GLOBAL_CONDITION_KEY, km,
                         "The condition key aws:ARN is not supported. Use aws:PrincipalArn or "
                         "aws:SourceArn instead.");
    else if (strncasecmp(name, "PrincipalTag", 12) == 0 ||
             strncasecmp(name, "ResourceTag", 11) == 0 || strncasecmp(name, "RequestTag", 10) == 0)
        iam_vfinding_key(
            c, VC_MISSING_TAG_KEY_IN_CONDITION, km,
            "The condition key \"%.64s\" must include a tag key to control access "
            "based on tags. Use the format %.*s/tag-key.",
            key, (int)(strchr(name, '/') ? strchr(name, '/') - key : (long)strlen(key)), key);
    else
        iam_vfinding_key(c, VC_INVALID_GLOBAL_CONDITION_KEY, km,
                         "The condition key \"%.64s\" does not exist. Use a valid global "
                         "condition key.",
                         key);
    return false;
}

/* An empty list of values: what each form of the operator makes of it. */
static void check_empty_values(struct cstate *s, const struct op *op, const char *opname,
                               const char *key, const struct iam_json *v) {
    struct vctx *c = s->c;

    if (op->qualifier == 1)
        iam_vfinding(c, VC_EMPTY_ARRAY_CONDITION_FORALLVALUES, v,
                     "The ForAllValues prefix with an empty condition key matches only if the "
                     "key is missing from the request context. To test that, use the Null "
                     "condition operator with the value true instead.");
    else if (op->qualifier == 2)
        iam_vfinding(c, VC_EMPTY_ARRAY_CONDITION_FORANYVALUE, v,
                     "The ForAnyValue prefix with an empty condition key never matches the "
                     "request context and it does not affect the policy. Specify conditions.");
    else if (op->ifexists)
        iam_vfinding(c, VC_EMPTY_ARRAY_CONDITION_IFEXISTS, v,
                     "The IfExists suffix with an empty condition key matches only if the key is "
                     "missing from the request context. To test that, use the Null condition "
                     "operator with the value true instead.");
    else if (op->def->negated)
        iam_vfinding(c, VC_EMPTY_ARRAY_CONDITION, v,
                     "There are no values for the condition key %.64s: %s with no values "
                     "excludes nothing, so this condition always holds. Specify conditions.",
                     key, opname);
    else
        iam_vfinding(c, VC_EMPTY_ARRAY_CONDITION, v,
                     "There are no values for the condition key %.64s, so no request matches "
                     "and the statement does not affect the policy. Specify conditions.",
                     key);
}

/* The operator and qualifier against what we know of the key. */
static void check_key_operator(struct cstate *s, const struct op *op, const char *key,
                               const struct keydef *kd, const struct iam_json *v) {
    struct vctx *c = s->c;

    if (kd && op->def->fam != FAM_NULL && !ktype_accepts(kd->type, op->def->fam))
        iam_vfinding(c, VC_TYPE_MISMATCH, v, "Use %s instead of %s for the condition key %.64s.",
                     ktype_ops(kd->type), fam_names[op->def->fam], key);
    if (op->qualifier && op->def->fam == FAM_NULL)
        iam_vfinding(c, VC_NULL_WITH_QUALIFIER, v,
                     "Avoid using the Null condition operator with the ForAllValues or "
                     "ForAnyValue qualifiers because they always return true or false "
                     "respectively.");
    else if (op->qualifier == 1 && kd && !kd->multi)
        iam_vfinding(c, VC_FORALLVALUES_WITH_SINGLE_VALUED_KEY, v,
                     "Using ForAllValues with the single-valued condition key %.64s can be "
                     "overly permissive: it is also true when the key is absent. We recommend "
                     "that you remove ForAllValues:.",
                     key);
    else if (op->qualifier == 0 && kd && kd->multi && op->def->fam != FAM_NULL)
        iam_vfinding(c, VC_MISSING_QUALIFIER, v,
                     "The request context key %.64s has multiple values. Use the ForAllValues or "
                     "ForAnyValue condition key qualifiers.",
                     key);
    if (strcasecmp(key, "aws:VpcSourceIp") == 0 &&
        !iam_vcondition_has_key(s->cond, "aws:SourceVpc"))
        iam_vfinding(c, VC_MISSING_PAIRED_CONDITION_KEYS, v,
                     "Using the condition key aws:VpcSourceIp can be overly permissive without "
                     "also using aws:SourceVpc. We recommend that you add it to the same "
                     "condition block.");
}

/* How the host sees this key: never set, set only sometimes, always set. */
static void check_key_on_host(struct cstate *s, const struct op *op, const char *key,
                              const struct keydef *kd, const struct iam_json *v) {
    struct vctx *c = s->c;
    enum presence p = presence_of(kd, s->cover);
    bool missing_true = true_when_missing(op, v);

    if (p == P_NEVER) {
        if (strncasecmp(key, "host:", 5) == 0)
            iam_vfinding(c, VC_HOST_KEY_NOT_FOR_ACTION, v,
                         "The host sets %.64s only for host:Sudo, and this statement covers "
                         "host:Login only, so this condition is always %s here.",
                         key, missing_true ? "true" : "false");
        else if (!missing_true && s->allow)
            iam_vfinding(c, VC_HOST_CONDITION_NEVER_TRUE, v,
                         "A host never sets %.64s, so this condition is never true on a host and "
                         "the statement never allows a host action.",
                         key);
        else if (!missing_true)
            iam_vfinding(c, VC_HOST_DENY_NEVER_APPLIES, v,
                         "A host never sets %.64s, so this condition is never true on a host and "
                         "this Deny never applies to host actions.",
                         key);
        else
            iam_vfinding(c, VC_HOST_CONTEXT_KEY_NEVER_SET, v,
                         "A host never sets %.64s, so on a host this condition is always true%s.",
                         key, s->allow ? "" : ": this Deny applies to every host action it covers");
    } else if (p == P_SOMETIMES && !s->allow && !missing_true && op->def->fam != FAM_NULL) {
        iam_vfinding(c, VC_HOST_DENY_KEY_SOMETIMES_ABSENT, v,
                     "The host sets %.64s only %s, and without it this Deny does not apply. Use "
                     "%sIfExists to deny those requests too, or add a Null check.",
                     key, when_set(key), op->def->name);
    } else if (p == P_ALWAYS && op->ifexists && !s->cover->other) {
        iam_vfinding(c, VC_HOST_IFEXISTS_KEY_ALWAYS_PRESENT, v,
                     "The host always sets %.64s for the actions of this statement, so IfExists "
                     "changes nothing. Use %s.",
                     key, op->def->name);
    }
}

/* ---- sudo commands -------------------------------------------------------------------- */

/* Programs that are a root shell, or start any command, when sudo runs them. */
static const char *const shells[] = {
    "/bin/sh",       "/bin/bash",     "/bin/dash",     "/bin/zsh",      "/bin/ksh",
    "/bin/csh",      "/bin/tcsh",     "/bin/fish",     "/bin/su",       "/usr/bin/sh",
    "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/zsh",  "/usr/bin/ksh",  "/usr/bin/csh",
    "/usr/bin/tcsh", "/usr/bin/fish", "/usr/bin/su",   "/usr/bin/env",  "/usr/bin/sudo",
};

/* The classic mistakes with the keys of a sudo command (the approval plugin's): an Allow
 * whose host:Command pattern takes in a shell, and host:CommandLine, which is one string that
 * another order or spelling of the same options changes. */
static void check_sudo_keys(struct cstate *s, const struct op *op, const char *key,
                            const struct iam_json *v) {
    struct vctx *c = s->c;
    bool like = op->def->cmp == CMP_LIKE;

    if (!s->cover->sudo || op->def->fam != FAM_STRING || op->def->negated || op->qualifier)
        return;
    if (strcasecmp(key, "host:Command") == 0 && s->allow && like) {
        for (size_t i = 0; i < nvalues(v); i++) {
            const struct iam_json *it = value_at(v, i);
            const char *t = iam_json_scalar_text(it, NULL);

            for (size_t k = 0; t && !iam_vhas_variable(t) && k < IAM_ELEMENTSOF(shells); k++) {
                if (!iam_wildcard_match(t, shells[k], false))
                    continue;
                iam_vfinding(c, VC_HOST_SUDO_SHELL_IN_REACH, it,
                             "The pattern \"%.64s\" for host:Command also matches %s: this "
                             "statement lets the user start a shell with sudo, and from it run "
                             "anything. Name the commands, or add a Deny on the shells.",
                             t, shells[k]);
                break;
            }
        }
    }
    if (strcasecmp(key, "host:CommandLine") != 0)
        return;
    if (!s->allow) {
        iam_vfinding(c, VC_HOST_COMMAND_LINE_AS_STRING, v,
                     "host:CommandLine is the whole command line as one string: the same command "
                     "with its options in another order, split or joined (-fv for -f -v), or "
                     "given twice does not match, and this Deny does not apply to it. Deny on "
                     "host:Command, with ForAnyValue on host:CommandArgs.");
        return;
    }
    for (size_t i = 0; like && i < nvalues(v); i++) {
        const struct iam_json *it = value_at(v, i);
        const char *t = iam_json_scalar_text(it, NULL);

        if (t && iam_vhas_wildcard(t)) {
            iam_vfinding(c, VC_HOST_COMMAND_LINE_AS_STRING, it,
                         "A wildcard in host:CommandLine matches any arguments in its place, and "
                         "any number of them: \"%.64s\" allows more than the command it shows. "
                         "Allow on host:Command, with ForAllValues on host:CommandArgs.",
                         t);
            break;
        }
    }
}

static void check_key(struct cstate *s, const struct op *op, const char *opname,
                      const struct iam_json_member *km) {
    struct vctx *c = s->c;
    const char *key = km->key;
    const struct iam_json *v = km->value;
    const struct keydef *kd;
    bool valid = check_key_name(s, km, &kd);

    iam_vpath_push_value(c, key);
    if (v->type != IAM_JSON_ARRAY && !iam_json_scalar_text(v, NULL)) {
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, v,
                     "A condition value is a string, number, boolean or an array of them; this "
                     "is a %s.",
                     iam_json_type_name(v->type));
        iam_vpath_pop(c);
        return;
    }
    if (v->type == IAM_JSON_ARRAY && v->u.arr.n == 0) {
        check_empty_values(s, op, opname, key, v);
        iam_vpath_pop(c);
        return;
    }
    check_values(s, op, opname, key, v);
    check_key_operator(s, op, key, kd, v);
    if (s->on_host && valid) {
        check_key_on_host(s, op, key, kd, v);
        check_sudo_keys(s, op, key, v);
    }
    if (s->ncons < MAX_CONSTRAINTS && op->qualifier == 0 && !op->ifexists)
        s->cons[s->ncons++] =
            (struct constraint){.key = key, .def = op->def, .values = v, .opname = opname};
    iam_vpath_pop(c);
}

/* ---- conditions that can never be true ------------------------------------------------- */

/* A bound of a Numeric or Date key, compared exactly with the engine's own types. */
struct bound {
    bool set, strict;
    struct iam_num num;
    struct iam_time time;
};

static bool bound_value(const struct opdef *def, const struct iam_json *it, struct bound *b) {
    const char *t = iam_json_scalar_text(it, NULL);
    bool epoch;

    if (!t || iam_vhas_variable(t))
        return false;
    b->set = true;
    return def->fam == FAM_DATE ? iam_vparse_date(t, &b->time, &epoch)
                                : iam_vparse_number(t, &b->num);
}

static int bound_cmp(enum cond_family fam, const struct bound *a, const struct bound *b) {
    return fam == FAM_DATE ? iam_time_cmp(&a->time, &b->time) : iam_num_cmp(&a->num, &b->num);
}

static void check_ranges(struct cstate *s) {
    for (size_t i = 0; i < s->ncons; i++) {
        const struct constraint *ci = &s->cons[i];
        enum cond_family fam = ci->def->fam;
        struct bound lo = {0}, hi = {0};
        bool seen = false, done = false;
        const struct constraint *last = NULL;

        if (fam != FAM_NUMERIC && fam != FAM_DATE)
            continue;
        for (size_t k = 0; k < i; k++) /* analyse each key once, from its first constraint */
            if (strcasecmp(s->cons[k].key, ci->key) == 0 && s->cons[k].def->fam == fam)
                done = true;
        if (done)
            continue;
        for (size_t j = i; j < s->ncons; j++) {
            const struct constraint *cj = &s->cons[j];
            bool upper = cj->def->cmp == CMP_LT || cj->def->cmp == CMP_LE;
            struct bound b = {0};
            bool ok = true;

            if (cj->def->fam != fam || strcasecmp(cj->key, ci->key) != 0)
                continue;
            if (cj->def->cmp < CMP_LT || cj->def->cmp > CMP_GE)
                continue;
            for (size_t k = 0; k < nvalues(cj->values) && ok; k++) {
                struct bound v = {0};

                ok = bound_value(cj->def, value_at(cj->values, k), &v);
                /* values are ORed: the loosest bound wins */
                if (ok &&
                    (!b.set || (upper ? bound_cmp(fam, &v, &b) > 0 : bound_cmp(fam, &v, &b) < 0)))
                    b = v;
            }
            if (!ok || !b.set)
                continue;
            b.strict = cj->def->cmp == CMP_LT || cj->def->cmp == CMP_GT;
            if (upper) {
                int k = hi.set ? bound_cmp(fam, &b, &hi) : -1;

                if (k < 0 || (k == 0 && b.strict))
                    hi = b;
            } else {
                int k = lo.set ? bound_cmp(fam, &b, &lo) : 1;

                if (k > 0 || (k == 0 && b.strict))
                    lo = b;
            }
            if (seen)
                last = cj;
            seen = true;
        }
        if (last && lo.set && hi.set) {
            int k = bound_cmp(fam, &lo, &hi);

            if (k > 0 || (k == 0 && (lo.strict || hi.strict)))
                never_true(s, last->opname, last->key, last->values,
                           "no value is both above the lower bound and below the upper bound "
                           "given for this key");
        }
    }
}

static bool value_possible(const struct constraint *cn, const char *const *allowed, const char *t) {
    for (size_t k = 0; allowed[k]; k++) {
        switch (cn->def->cmp) {
        case CMP_EQ:
            if (strcmp(t, allowed[k]) == 0)
                return true;
            break;
        case CMP_EQI:
            if (strcasecmp(t, allowed[k]) == 0)
                return true;
            break;
        case CMP_LIKE:
            if (iam_wildcard_match(t, allowed[k], false))
                return true;
            break;
        default:
            return true;
        }
    }
    return false;
}

static void check_enums(struct cstate *s) {
    for (size_t i = 0; i < s->ncons; i++) {
        const struct constraint *cn = &s->cons[i];
        const char *const *allowed = NULL;
        bool possible = false;
        char why[256];

        if (cn->def->fam != FAM_STRING ||
            (cn->def->cmp != CMP_EQ && cn->def->cmp != CMP_EQI && cn->def->cmp != CMP_LIKE))
            continue;
        for (size_t e = 0; e < IAM_ELEMENTSOF(enums); e++)
            if (strcasecmp(enums[e].key, cn->key) == 0)
                allowed = enums[e].values;
        if (!allowed && strcasecmp(cn->key, "aws:PrincipalAccount") != 0)
            continue;
        for (size_t k = 0; k < nvalues(cn->values) && !possible; k++) {
            const char *t = iam_json_scalar_text(value_at(cn->values, k), NULL);

            if (!t || iam_vhas_variable(t))
                possible = true;
            else if (allowed)
                possible = value_possible(cn, allowed, t);
            else /* an account ID is 12 digits */
                possible =
                    cn->def->cmp == CMP_LIKE
                        ? iam_wildcard_match(t, "000000000000", false) || iam_vhas_wildcard(t)
                        : strlen(t) == 12 && strspn(t, "0123456789") == 12;
        }
        if (possible)
            continue;
        if (allowed)
            snprintf(why, sizeof(why), "the host only ever sets %s to %s%s%s%s%s", cn->key,
                     allowed[0], allowed[1] ? ", " : "", allowed[1] ? allowed[1] : "",
                     allowed[1] && allowed[2] ? " or " : "",
                     allowed[1] && allowed[2] ? allowed[2] : "");
        else
            snprintf(why, sizeof(why), "an account ID is 12 digits, and no value here is one");
        never_true(s, cn->opname, cn->key, cn->values, why);
    }
}

static bool in_values(const struct iam_json *v, const char *t) {
    for (size_t k = 0; k < nvalues(v); k++) {
        const char *u = iam_json_scalar_text(value_at(v, k), NULL);

        if (u && strcmp(u, t) == 0)
            return true;
    }
    return false;
}

static void check_equal_and_not(struct cstate *s) {
    for (size_t i = 0; i < s->ncons; i++) {
        const struct constraint *eq = &s->cons[i];

        if (eq->def->fam != FAM_STRING || eq->def->cmp != CMP_EQ)
            continue;
        for (size_t j = 0; j < s->ncons; j++) {
            const struct constraint *ne = &s->cons[j];
            bool all = true;

            if (ne->def->fam != FAM_STRING || ne->def->cmp != CMP_NE ||
                strcasecmp(ne->key, eq->key) != 0)
                continue;
            for (size_t k = 0; k < nvalues(eq->values) && all; k++) {
                const char *t = iam_json_scalar_text(value_at(eq->values, k), NULL);

                all = t && !iam_vhas_variable(t) && in_values(ne->values, t);
            }
            if (all)
                never_true(s, ne->opname, ne->key, ne->values,
                           "every value StringEquals accepts is one StringNotEquals refuses");
        }
    }
}

static void report_case_duplicate(struct vctx *c, const struct iam_json_member *later,
                                  const struct iam_json_member *first) {
    if (strcmp(later->key, first->key) == 0)
        return; /* an exact duplicate: HOST_DUPLICATE_KEY */
    iam_vfinding_key(c, VC_DUPLICATE_KEYS_WITH_DIFFERENT_CASE, later,
                     "The condition key \"%.64s\" appears more than once with different "
                     "capitalization (\"%.64s\") in the same condition block. Remove the duplicate "
                     "condition keys.",
                     later->key, first->key);
}

void iam_vcheck_condition(struct vctx *c, const struct iam_json *cond, bool allow,
                          const struct host_cover *cover, bool on_host) {
    struct cstate s = {.c = c, .cond = cond, .allow = allow, .cover = cover, .on_host = on_host};

    if (cond->u.obj.n == 0) {
        iam_vfinding(c, VC_EMPTY_OBJECT_CONDITION, cond,
                     "This condition block is empty and it does not affect the policy. Specify "
                     "conditions.");
        return;
    }
    for (size_t i = 0; i < cond->u.obj.n; i++) {
        const struct iam_json_member *om = &cond->u.obj.members[i];
        const struct iam_json *block = om->value;
        struct op op;
        int r = parse_op(om->key, &op);

        if (r == -2) {
            iam_vfinding_key(c, VC_NULL_WITH_IF_EXISTS, om,
                             "The Null condition operator cannot be used with the IfExists suffix. "
                             "Update the operator or the suffix.");
            continue;
        }
        if (r < 0) {
            iam_vfinding_key(c, VC_INVALID_CONDITION_OPERATOR, om,
                             "The condition operator \"%.64s\" is not valid. Use a valid condition "
                             "operator (names are case-sensitive).",
                             om->key);
            continue;
        }
        iam_vpath_push_value(c, om->key);
        if (block->type != IAM_JSON_OBJECT) {
            iam_vfinding(c, VC_DATA_TYPE_MISMATCH, block,
                         "A condition operator takes an object of condition keys, not a %s.",
                         iam_json_type_name(block->type));
        } else if (block->u.obj.n == 0) {
            iam_vfinding(c, VC_EMPTY_OBJECT_CONDITION, block,
                         "This condition block is empty and it does not affect the policy. Specify "
                         "conditions.");
        } else {
            iam_vfor_duplicate_keys(c, block, true, report_case_duplicate);
            for (size_t k = 0; k < block->u.obj.n; k++) {
                const struct iam_json_member *km = &block->u.obj.members[k];

                check_key(&s, &op, om->key, km);
            }
        }
        iam_vpath_pop(c);
    }
    check_ranges(&s);
    check_equal_and_not(&s);
    if (on_host)
        check_enums(&s);
}
