/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Document- and statement-level checks: grammar (elements, types, combinations), actions,
 * resources, principals, Sids, and the host-specific reading of Allow/Deny statements. The
 * Condition element is checked in conditions.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../policy_private.h"
#include "validate_private.h"

#define HOST_ACTION_LOGIN "host:Login"
#define HOST_ACTION_SUDO "host:Sudo"
#define IDENTITY_POLICY_QUOTA 6144

/* A policy element that holds one string or an array of strings (Action, Resource, ...). */
struct slist {
    const struct iam_json_member *m; /* NULL when the element is absent */
    bool array;
    size_t n; /* number of string items (items that are not strings are skipped) */
    bool ok;  /* the element has the right JSON type */
};

static const struct iam_json *sitem(const struct slist *l, size_t i) {
    return l->array ? l->m->value->u.arr.items[i] : l->m->value;
}

static size_t slen(const struct slist *l) {
    if (!l->m || !l->ok)
        return 0;
    return l->array ? l->m->value->u.arr.n : 1;
}

static void spush(struct vctx *c, const struct slist *l, size_t i) {
    iam_vpath_push_value(c, l->m->key);
    if (l->array)
        iam_vpath_push_index(c, i);
}

static void spop(struct vctx *c, const struct slist *l) {
    iam_vpath_pop(c);
    if (l->array)
        iam_vpath_pop(c);
}

/* Type-check a string-or-array element; reports DATA_TYPE_MISMATCH. */
static void sload(struct vctx *c, const struct iam_json *obj, const char *name, struct slist *l) {
    const struct iam_json_member *m = iam_json_member(obj, name);

    *l = (struct slist){.m = m};
    if (!m)
        return;
    if (m->value->type == IAM_JSON_STRING) {
        l->ok = true;
        l->n = 1;
    } else if (m->value->type == IAM_JSON_ARRAY) {
        l->ok = true;
        l->array = true;
        for (size_t i = 0; i < m->value->u.arr.n; i++) {
            const struct iam_json *it = m->value->u.arr.items[i];

            if (it->type == IAM_JSON_STRING) {
                l->n++;
                continue;
            }
            spush(c, l, i);
            iam_vfinding(c, VC_DATA_TYPE_MISMATCH, it,
                         "The %s element holds a %s; it accepts only strings.", name,
                         iam_json_type_name(it->type));
            spop(c, l);
        }
    } else {
        iam_vpath_push_value(c, name);
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, m->value,
                     "The %s element is a %s; it must be a string or an array of strings.", name,
                     iam_json_type_name(m->value->type));
        iam_vpath_pop(c);
    }
}

/* ---- duplicate keys ------------------------------------------------------------------- */

static void report_duplicate(struct vctx *c, const struct iam_json_member *later,
                             const struct iam_json_member *first) {
    iam_vfinding_key(c, VC_HOST_DUPLICATE_KEY, later,
                     "The key \"%.64s\" appears more than once in this object (first at line %u). "
                     "Keep one: JSON readers disagree on which one wins.",
                     later->key, first->key_pos.line);
}

static void check_duplicates(struct vctx *c, const struct iam_json *node) {
    if (node->type == IAM_JSON_ARRAY) {
        for (size_t i = 0; i < node->u.arr.n; i++) {
            iam_vpath_push_index(c, i);
            check_duplicates(c, node->u.arr.items[i]);
            iam_vpath_pop(c);
        }
        return;
    }
    if (node->type != IAM_JSON_OBJECT)
        return;
    iam_vfor_duplicate_keys(c, node, false, report_duplicate);
    for (size_t i = 0; i < node->u.obj.n; i++) {
        const struct iam_json_member *m = &node->u.obj.members[i];

        iam_vpath_push_value(c, m->key);
        check_duplicates(c, m->value);
        iam_vpath_pop(c);
    }
}

/* ---- actions -------------------------------------------------------------------------- */

static bool service_is(const char *action, const char *service) {
    size_t n = strlen(service);

    return strncasecmp(action, service, n) == 0 && action[n] == ':';
}

/* What host actions a list of Action/NotAction patterns lets the statement apply to. */
static struct host_cover cover_of(const struct slist *l, bool not ) {
    struct host_cover hc = {0};
    bool login = false, sudo = false, all = false;

    for (size_t i = 0; i < slen(l); i++) {
        const struct iam_json *it = sitem(l, i);
        const char *p;

        if (!iam_json_is_string(it) || iam_vhas_variable(it->u.str.s))
            continue;
        p = it->u.str.s;
        login |= iam_wildcard_match(p, HOST_ACTION_LOGIN, true);
        sudo |= iam_wildcard_match(p, HOST_ACTION_SUDO, true);
        if (strspn(p, "*") == strlen(p) || strcmp(p, "*:*") == 0)
            all = true;
        else if (!service_is(p, "host"))
            hc.other = true;
    }
    if (not ) {
        hc.login = !login;
        hc.sudo = !sudo;
        hc.other = !all;
    } else {
        hc.login = login;
        hc.sudo = sudo;
        hc.other |= all;
    }
    return hc;
}

static bool valid_action_char(unsigned char ch) {
    return isalnum(ch) || ch == '*' || ch == '?';
}

static void check_action(struct vctx *c, const struct iam_json *it, const char *elem) {
    const char *s = it->u.str.s, *colon = strchr(s, ':');
    size_t slen_;
    bool bad_service = false;

    if (iam_vhas_variable(s)) {
        iam_vfinding(
            c, VC_VARIABLE_UNSUPPORTED_IN_ELEMENT, it,
            "Policy variables are supported in the Resource and Condition elements. Remove "
            "the policy variable from this %s element.",
            elem);
        return;
    }
    if (strcmp(s, "*") == 0)
        return;
    if (!colon || colon == s || colon[1] == '\0' || strchr(colon + 1, ':')) {
        iam_vfinding(c, VC_INVALID_ACTION, it,
                     "The action \"%.80s\" is not of the form service:ActionName (for example "
                     "host:Login).",
                     s);
        return;
    }
    slen_ = (size_t)(colon - s);
    if (memchr(s, '*', slen_) || memchr(s, '?', slen_)) {
        /* IAM refuses the policy ("Action vendors ... must not contain wildcards"), and so
         * does the engine. */
        iam_vfinding(
            c, VC_INVALID_SERVICE_IN_ACTION, it,
            "The service prefix \"%.*s\" of action \"%.80s\" holds a wildcard: IAM refuses "
            "wildcards in a service prefix. Name the service, as in host:Login.",
            (int)(slen_ < 40 ? slen_ : 40), s, s);
        return;
    }
    for (size_t i = 0; i < slen_; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-'))
            bad_service = true;
    if (bad_service) {
        iam_vfinding(
            c, VC_INVALID_SERVICE_IN_ACTION, it,
            "The service \"%.*s\" in action \"%.80s\" does not exist: service prefixes are "
            "letters, digits and hyphens.",
            (int)(slen_ < 40 ? slen_ : 40), s, s);
        return;
    }
    for (const char *p = colon + 1; *p; p++)
        if (!valid_action_char((unsigned char)*p)) {
            iam_vfinding(
                c, VC_INVALID_ACTION, it,
                "The action \"%.80s\" does not exist: action names are letters and digits, "
                "with * and ? as wildcards.",
                s);
            return;
        }
    if (service_is(s, "host") && !iam_wildcard_match(colon + 1, "Login", true) &&
        !iam_wildcard_match(colon + 1, "Sudo", true))
        iam_vfinding(c, VC_HOST_UNKNOWN_ACTION, it,
                     "The action \"%.80s\" does not exist on a host: the host asks for host:Login "
                     "(any PAM service) and host:Sudo (sudo) only.",
                     s);
}

static void check_redundant(struct vctx *c, const struct slist *l, bool nocase, enum vcheck id,
                            const char *what) {
    size_t n = slen(l);

    if (n < 2 || n > 256)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct iam_json *a = sitem(l, i);

        if (!iam_json_is_string(a) || iam_vhas_variable(a->u.str.s))
            continue;
        for (size_t j = 0; j < n; j++) {
            const struct iam_json *b = sitem(l, j);

            if (i == j || !iam_json_is_string(b) || iam_vhas_variable(b->u.str.s))
                continue;
            if (!iam_vpattern_covers(b->u.str.s, a->u.str.s, nocase))
                continue;
            /* Two that cover each other (duplicates): only the later one is redundant. */
            if (iam_vpattern_covers(a->u.str.s, b->u.str.s, nocase) && j > i)
                continue;
            spush(c, l, i);
            iam_vfinding(c, id, a,
                         "The %s \"%.80s\" is redundant because \"%.80s\" already includes it. "
                         "Remove \"%.80s\".",
                         what, a->u.str.s, b->u.str.s, a->u.str.s);
            spop(c, l);
            break;
        }
    }
}

/* ---- resources ------------------------------------------------------------------------ */

/* Split an ARN into its six fields, ignoring ':' inside ${...}. Returns the field count
 * found (the sixth field is the rest of the string). */
static size_t arn_fields(const char *s, const char *start[6], size_t len[6]) {
    size_t n = 0;
    const char *f = s;
    int depth = 0;

    for (const char *p = s;; p++) {
        if (p[0] == '$' && p[1] == '{')
            depth++;
        else if (*p == '}' && depth > 0)
            depth--;
        if ((*p == ':' && depth == 0 && n < 5) || *p == '\0') {
            start[n] = f;
            len[n] = (size_t)(p - f);
            n++;
            if (*p == '\0')
                break;
            f = p + 1;
        }
    }
    if (n == 6)
        len[5] = strlen(start[5]);
    return n;
}

static bool field_dynamic(const char *f, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (f[i] == '*' || f[i] == '?' || (f[i] == '$' && i + 1 < n && f[i + 1] == '{'))
            return true;
    return false;
}

static bool valid_region(const char *f, size_t n) {
    size_t i = 0, parts = 0;

    /* [a-z]{2}(-[a-z]+)+-[0-9]+, e.g. us-east-1, us-gov-west-1, cn-north-1 */
    if (n < 4 || !islower((unsigned char)f[0]) || !islower((unsigned char)f[1]) || f[2] != '-')
        return false;
    i = 3;
    while (i < n) {
        size_t st = i;

        while (i < n && (islower((unsigned char)f[i]) || isdigit((unsigned char)f[i])))
            i++;
        if (i == st)
            return false;
        parts++;
        if (i < n) {
            if (f[i] != '-')
                return false;
            i++;
            if (i == n)
                return false;
        }
    }
    return parts >= 2 && isdigit((unsigned char)f[n - 1]);
}

static bool valid_partition(const char *f, size_t n) {
    static const char *const parts[] = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                        "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc"};

    for (size_t i = 0; i < IAM_ELEMENTSOF(parts); i++)
        if (strlen(parts[i]) == n && memcmp(parts[i], f, n) == 0)
            return true;
    return false;
}

/* Returns true when the string is a structurally valid ARN pattern ("*" included). */
static bool check_resource(struct vctx *c, const struct iam_json *it) {
    const char *s = it->u.str.s;
    const char *f[6];
    size_t fl[6], n;

    if (iam_vhas_variable(s)) {
        iam_vcheck_variables(c, it);
        if (!c->variables)
            iam_vfinding(c, VC_VARIABLE_UNSUPPORTED_IN_VERSION, it,
                         "To include variables in your policy, use the policy version 2012-10-17; "
                         "under 2008-10-17 \"%.80s\" is matched as literal text.",
                         s);
    }
    if (strcmp(s, "*") == 0)
        return true;
    if (strncmp(s, "arn:", 4) != 0) {
        iam_vfinding(c, VC_INVALID_ARN_PREFIX, it,
                     "Add the required prefix (arn) to the resource ARN \"%.80s\".", s);
        return false;
    }
    n = arn_fields(s, f, fl);
    if (n < 6) {
        iam_vfinding(c, VC_MISSING_ARN_FIELD, it,
                     "Resource ARNs must include at least 6 fields in the following structure: "
                     "arn:partition:service:region:account:resource; \"%.80s\" has %zu. %s",
                     s, n,
                     c->type == IAM_POLICY_IDENTITY
                         ? "IAM completes it with * in every missing field, so it covers every "
                           "such resource in every Region and account."
                         : "In a resource policy the engine matches nothing for it.");
        return false;
    }
    if (fl[2] == 0) {
        iam_vfinding(c, VC_MISSING_ARN_FIELD, it,
                     "The resource ARN \"%.80s\" has no service: use "
                     "arn:partition:service:region:account:resource.",
                     s);
        return false;
    }
    if (!field_dynamic(f[1], fl[1]) && !valid_partition(f[1], fl[1])) {
        iam_vfinding(c, VC_INVALID_PARTITION, it,
                     "The partition \"%.*s\" is not valid. Use aws, aws-cn or aws-us-gov.",
                     (int)(fl[1] < 40 ? fl[1] : 40), f[1]);
        return false;
    }
    if (field_dynamic(f[2], fl[2])) {
        iam_vfinding(c, VC_WILDCARD_IN_SERVICE_NAME, it,
                     "Avoid using wildcards (*, ?) in the service name \"%.*s\" because it might "
                     "grant unintended access to other services with similar names.",
                     (int)(fl[2] < 40 ? fl[2] : 40), f[2]);
    } else {
        for (size_t i = 0; i < fl[2]; i++)
            if (!(islower((unsigned char)f[2][i]) || isdigit((unsigned char)f[2][i]) ||
                  f[2][i] == '-')) {
                iam_vfinding(c, VC_INVALID_ARN_SERVICE_CASE, it,
                             "Update the service name \"%.*s\" in the resource ARN to use all "
                             "lowercase letters.",
                             (int)(fl[2] < 40 ? fl[2] : 40), f[2]);
                return false;
            }
    }
    if (fl[3] > 0 && !field_dynamic(f[3], fl[3]) && !valid_region(f[3], fl[3])) {
        iam_vfinding(c, VC_INVALID_ARN_REGION, it,
                     "The Region \"%.*s\" in the resource ARN is not valid (Regions look like "
                     "us-east-1).",
                     (int)(fl[3] < 40 ? fl[3] : 40), f[3]);
        return false;
    }
    if (fl[4] > 0 && !field_dynamic(f[4], fl[4]) && !(fl[4] == 3 && memcmp(f[4], "aws", 3) == 0)) {
        bool digits12 = fl[4] == 12;

        for (size_t i = 0; digits12 && i < 12; i++)
            digits12 = isdigit((unsigned char)f[4][i]);
        if (!digits12) {
            iam_vfinding(c, VC_INVALID_ARN_ACCOUNT, it,
                         "The resource ARN account ID \"%.*s\" is not valid. Provide a 12-digit "
                         "account ID.",
                         (int)(fl[4] < 40 ? fl[4] : 40), f[4]);
            return false;
        }
    }
    if (fl[5] == 0) {
        iam_vfinding(c, VC_INVALID_ARN_RESOURCE, it,
                     "Resource ARN \"%.80s\" does not match the expected ARN format: its resource "
                     "part is empty.",
                     s);
        return false;
    }
    if (iam_arn_wildcard_in_type(s, strlen(s))) {
        iam_vfinding(c, VC_INVALID_ARN_RESOURCE, it,
                     "Resource ARN \"%.80s\" puts a wildcard in the resource type: IAM does not "
                     "allow a wildcard there. Name the type, as in instance/* or user/*, or use * "
                     "for the whole resource part.",
                     s);
        return false;
    }
    return true;
}

/* Could this ARN pattern name a host? The host's resource is host_arn from iam.conf: an EC2
 * instance (arn:...:ec2:<region>:<account>:instance/i-...) or an SSM managed instance
 * (arn:...:ssm:<region>:<account>:managed-instance/mi-...). */
static bool could_be_host(const char *s) {
    const char *f[6];
    size_t fl[6];
    char service[64], resource[256];

    if (strcmp(s, "*") == 0 || iam_vhas_variable(s))
        return true;
    if (arn_fields(s, f, fl) < 6 || fl[2] >= sizeof(service) || fl[5] >= sizeof(resource))
        return true; /* not ours to judge (reported elsewhere or too long) */
    if (fl[3] == 0 || fl[4] == 0)
        return false; /* instances always have a Region and an account */
    snprintf(service, sizeof(service), "%.*s", (int)fl[2], f[2]);
    snprintf(resource, sizeof(resource), "%.*s", (int)fl[5], f[5]);
    return (iam_wildcard_match(service, "ec2", false) &&
            iam_vpattern_can_start_with(resource, "instance/")) ||
           (iam_wildcard_match(service, "ssm", false) &&
            iam_vpattern_can_start_with(resource, "managed-instance/"));
}

/* ---- principals ----------------------------------------------------------------------- */

static bool is_account_id(const char *s) {
    if (strlen(s) != 12)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static void check_principal_value(struct vctx *c, const char *pkey, const struct iam_json *v) {
    const char *s = v->u.str.s;

    if (iam_vhas_variable(s)) {
        iam_vfinding(
            c, VC_VARIABLE_UNSUPPORTED_IN_ELEMENT, v,
            "Policy variables are supported in the Resource and Condition elements. Remove "
            "the policy variable from this principal.");
        return;
    }
    if (strcmp(pkey, "AWS") != 0 || strcmp(s, "*") == 0 || is_account_id(s))
        return;
    if (strncmp(s, "AIDA", 4) == 0 && strlen(s) >= 16) {
        iam_vfinding(c, VC_INVALID_USER_REFERENCE, v,
                     "The Principal element includes the IAM user ID \"%.40s\". We recommend that "
                     "you use a user ARN instead.",
                     s);
        return;
    }
    if (strncmp(s, "AROA", 4) == 0 && strlen(s) >= 16) {
        iam_vfinding(c, VC_INVALID_ROLE_REFERENCE, v,
                     "The Principal element includes the IAM role ID \"%.40s\". We recommend that "
                     "you use a role ARN instead.",
                     s);
        return;
    }
    if (strncmp(s, "arn:", 4) != 0) {
        iam_vfinding(
            c, VC_INVALID_PRINCIPAL_FORMAT, v,
            "The AWS principal \"%.80s\" is not valid: use \"*\", a 12-digit account ID or an "
            "IAM ARN.",
            s);
        return;
    }
    if (iam_vhas_wildcard(s))
        iam_vfinding(
            c, VC_UNSUPPORTED_WILDCARD_IN_PRINCIPAL, v,
            "Wildcards (*, ?) are not supported with the principal key AWS (\"%.80s\"). "
            "Replace the wildcard with a valid principal value, or use aws:PrincipalArn with "
            "ArnLike in a Condition.",
            s);
}

/* Returns true when the principal is everyone ("*" or AWS: "*"). */
static bool check_principal(struct vctx *c, const struct iam_json_member *m) {
    const struct iam_json *p = m->value;
    bool everyone = false, is_not = strcmp(m->key, "NotPrincipal") == 0;

    iam_vpath_push_value(c, m->key);
    if (p->type == IAM_JSON_STRING) {
        if (strcmp(p->u.str.s, "*") == 0)
            everyone = true;
        else
            iam_vfinding(c, VC_INVALID_PRINCIPAL_FORMAT, p,
                         "The %s element contents are not valid. Specify \"*\" or a key-value pair "
                         "such as {\"AWS\": \"123456789012\"}.",
                         m->key);
    } else if (p->type != IAM_JSON_OBJECT) {
        iam_vfinding(c, VC_INVALID_PRINCIPAL_FORMAT, p,
                     "The %s element contents are not valid. Specify a key-value pair in the %s "
                     "element.",
                     m->key, m->key);
    } else if (p->u.obj.n == 0) {
        if (is_not)
            iam_vfinding(
                c, VC_HOST_EMPTY_NOT_ELEMENT, p,
                "An empty NotPrincipal excludes nobody, so this statement would apply to "
                "everyone; the engine refuses it. Use Principal to name who it applies to.");
        else
            iam_vfinding(c, VC_EMPTY_OBJECT_PRINCIPAL, p,
                         "This statement includes no principals and does not affect the policy. "
                         "Specify principals.");
    } else {
        for (size_t i = 0; i < p->u.obj.n; i++) {
            const struct iam_json_member *pk = &p->u.obj.members[i];
            const struct iam_json *v = pk->value;

            if (strcmp(pk->key, "AWS") != 0 && strcmp(pk->key, "Service") != 0 &&
                strcmp(pk->key, "Federated") != 0 && strcmp(pk->key, "CanonicalUser") != 0) {
                iam_vfinding_key(c, VC_INVALID_PRINCIPAL_KEY, pk,
                                 "The principal key \"%.40s\" is not valid. Use AWS, Service, "
                                 "Federated or CanonicalUser.",
                                 pk->key);
                continue;
            }
            if (strcmp(pk->key, "AWS") != 0)
                iam_vfinding_key(c, VC_HOST_PRINCIPAL_NEVER_ON_HOST, pk,
                                 "A %s principal never signs in to a host: only IAM users of the "
                                 "account do. This entry has no effect on a host.",
                                 pk->key);
            iam_vpath_push_value(c, pk->key);
            if (v->type == IAM_JSON_STRING) {
                everyone |= strcmp(pk->key, "AWS") == 0 && strcmp(v->u.str.s, "*") == 0;
                check_principal_value(c, pk->key, v);
            } else if (v->type == IAM_JSON_ARRAY) {
                if (v->u.arr.n == 0 && is_not)
                    iam_vfinding(c, VC_HOST_EMPTY_NOT_ELEMENT, v,
                                 "An empty list under NotPrincipal excludes nobody; the engine "
                                 "refuses it. Name principals, or remove the entry.");
                else if (v->u.arr.n == 0)
                    iam_vfinding(c, VC_EMPTY_ARRAY_PRINCIPAL, v,
                                 "This statement includes no principals and does not affect the "
                                 "policy. Specify principals.");
                for (size_t k = 0; k < v->u.arr.n; k++) {
                    const struct iam_json *it = v->u.arr.items[k];

                    iam_vpath_push_index(c, k);
                    if (it->type != IAM_JSON_STRING) {
                        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, it,
                                     "A principal is a string; this is a %s.",
                                     iam_json_type_name(it->type));
                    } else {
                        everyone |= strcmp(pk->key, "AWS") == 0 && strcmp(it->u.str.s, "*") == 0;
                        check_principal_value(c, pk->key, it);
                    }
                    iam_vpath_pop(c);
                }
            } else {
                iam_vfinding(c, VC_DATA_TYPE_MISMATCH, v,
                             "A principal is a string or an array of strings; this is a %s.",
                             iam_json_type_name(v->type));
            }
            iam_vpath_pop(c);
        }
    }
    iam_vpath_pop(c);
    return everyone;
}

/* ---- PassRole and CreateServiceLinkedRole ---------------------------------------------- */

struct sensitive {
    const char *action;
    enum vcheck star_res, star_action_res, star_res_not_action, not_res, star_action_not_res,
        not_action_not_res;
    const char *what;
};

static const struct sensitive sensitive[] = {
    {"iam:PassRole", VC_PASS_ROLE_WITH_STAR_IN_RESOURCE,
     VC_PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE,
     VC_PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION, VC_PASS_ROLE_WITH_NOT_RESOURCE,
     VC_PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
     VC_PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE,
     "can be overly permissive because it allows iam:PassRole on multiple roles. We recommend "
     "that you specify resource ARNs or add the iam:PassedToService condition key"},
    {"iam:CreateServiceLinkedRole", VC_CREATE_SLR_WITH_STAR_IN_RESOURCE,
     VC_CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE,
     VC_CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION, VC_CREATE_SLR_WITH_NOT_RESOURCE,
     VC_CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
     VC_CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE,
     "can allow creation of unintended service-linked roles. We recommend that you specify "
     "resource ARNs"},
};

static bool star_resource(const struct slist *res) {
    for (size_t i = 0; i < slen(res); i++) {
        const struct iam_json *it = sitem(res, i);
        const char *f[6];
        size_t fl[6];

        if (!iam_json_is_string(it))
            continue;
        if (strcmp(it->u.str.s, "*") == 0)
            return true;
        if (arn_fields(it->u.str.s, f, fl) == 6 &&
            ((fl[5] == 1 && f[5][0] == '*') || (fl[5] == 6 && memcmp(f[5], "role/*", 6) == 0)))
            return true;
    }
    return false;
}

static void check_sensitive(struct vctx *c, const struct iam_json *st, const struct slist *act,
                            const struct slist *notact, const struct slist *res,
                            const struct slist *notres) {
    for (size_t k = 0; k < IAM_ELEMENTSOF(sensitive); k++) {
        const struct sensitive *sv = &sensitive[k];
        bool named = false, star = false, notact_allows = false;
        bool sres = res->m && star_resource(res), nres = notres->m && notres->ok;

        for (size_t i = 0; i < slen(act); i++) {
            const struct iam_json *it = sitem(act, i);

            if (!iam_json_is_string(it))
                continue;
            if (strcasecmp(it->u.str.s, sv->action) == 0)
                named = true;
            else if (iam_vhas_wildcard(it->u.str.s) &&
                     iam_wildcard_match(it->u.str.s, sv->action, true))
                star = true;
        }
        if (notact->m && notact->ok) {
            notact_allows = true;
            for (size_t i = 0; i < slen(notact); i++) {
                const struct iam_json *it = sitem(notact, i);

                if (iam_json_is_string(it) && iam_wildcard_match(it->u.str.s, sv->action, true))
                    notact_allows = false;
            }
        }
        if (k == 0 && iam_vcondition_has_key(iam_json_get(st, "Condition"), "iam:PassedToService"))
            sres = false; /* AWS's remedy is in place */
        if (named && sres)
            iam_vfinding(c, sv->star_res, st, "Using %s with a wildcard (*) in the resource %s.",
                         sv->action, sv->what);
        if (star && !named && sres)
            iam_vfinding(c, sv->star_action_res, st,
                         "Using wildcards (*) in the action and the resource allows %s on all "
                         "resources; this %s.",
                         sv->action, sv->what);
        if (notact_allows && sres)
            iam_vfinding(c, sv->star_res_not_action, st,
                         "Using NotAction with a wildcard (*) in the resource allows %s on all "
                         "resources; this %s.",
                         sv->action, sv->what);
        if (named && nres)
            iam_vfinding(c, sv->not_res, st, "Using %s with NotResource %s.", sv->action, sv->what);
        if (star && !named && nres)
            iam_vfinding(
                c, sv->star_action_not_res, st,
                "Using an action with a wildcard (*) and NotResource allows %s on multiple "
                "resources; this %s.",
                sv->action, sv->what);
        if (notact_allows && nres)
            iam_vfinding(
                c, sv->not_action_not_res, st,
                "Using NotAction with NotResource allows %s on multiple resources; this %s.",
                sv->action, sv->what);
    }
}

/* ---- statements ----------------------------------------------------------------------- */

static const char *const statement_elements[] = {"Sid",       "Effect",    "Action",
                                                 "NotAction", "Resource",  "NotResource",
                                                 "Condition", "Principal", "NotPrincipal"};

static bool known(const char *key, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0)
            return true;
    return false;
}

static void check_sid(struct vctx *c, const struct iam_json_member *m) {
    const struct iam_json *v = m->value;

    iam_vpath_push_value(c, "Sid");
    if (v->type != IAM_JSON_STRING) {
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, v, "The Sid element must be a string, not a %s.",
                     iam_json_type_name(v->type));
    } else if (v->u.str.len == 0) {
        iam_vfinding(c, VC_EMPTY_SID_VALUE, v,
                     "Add a value to the empty string in the Sid element.");
    } else if (iam_vhas_variable(v->u.str.s)) {
        iam_vfinding(
            c, VC_VARIABLE_UNSUPPORTED_IN_ELEMENT, v,
            "Policy variables are supported in the Resource and Condition elements. Remove "
            "the policy variable from the Sid element.");
    } else if (c->type == IAM_POLICY_IDENTITY) {
        for (const char *p = v->u.str.s; *p; p++)
            if (!isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80) {
                iam_vfinding(
                    c, VC_UNSUPPORTED_SID, v,
                    "Update the characters in the Sid \"%.64s\" to use one of the following "
                    "character types: [a-z, A-Z, 0-9].",
                    v->u.str.s);
                break;
            }
    }
    iam_vpath_pop(c);
}

/* One statement's elements, found once and shared by the steps of check_statement(). */
struct stmt_check {
    const struct iam_json *st;
    const struct iam_json_member *effm, *condm, *pm, *npm;
    struct slist act, notact, res, notres;
    bool allow, deny;
    struct host_cover cover; /* which host actions the statement covers */
    bool on_host;            /* ... at least one */
    bool assume_role;        /* Action covers sts:AssumeRole */
};

static void check_elements(struct vctx *c, struct stmt_check *s) {
    const struct iam_json *st = s->st;
    const struct iam_json_member *sidm = iam_json_member(st, "Sid");

    for (size_t i = 0; i < st->u.obj.n; i++) {
        const struct iam_json_member *m = &st->u.obj.members[i];

        if (!known(m->key, statement_elements, IAM_ELEMENTSOF(statement_elements)))
            iam_vfinding_key(c, VC_INVALID_POLICY_ELEMENT, m,
                             "The policy element \"%.64s\" is not valid in a statement. Use Sid, "
                             "Effect, Action, NotAction, Resource, NotResource, Condition, "
                             "Principal or NotPrincipal.",
                             m->key);
    }
    if (sidm)
        check_sid(c, sidm);
}

static void check_effect(struct vctx *c, struct stmt_check *s) {
    const struct iam_json_member *effm = s->effm;

    if (!effm) {
        iam_vfinding(c, VC_MISSING_EFFECT, s->st,
                     "Add an Effect element to the policy statement with a value of Allow or "
                     "Deny.");
    } else if (effm->value->type != IAM_JSON_STRING) {
        iam_vpath_push_value(c, "Effect");
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, effm->value,
                     "The Effect element must be the string Allow or Deny, not a %s.",
                     iam_json_type_name(effm->value->type));
        iam_vpath_pop(c);
    } else if (strcmp(effm->value->u.str.s, "Allow") == 0) {
        s->allow = true;
    } else if (strcmp(effm->value->u.str.s, "Deny") == 0) {
        s->deny = true;
    } else {
        iam_vpath_push_value(c, "Effect");
        iam_vfinding(c, VC_INVALID_EFFECT, effm->value,
                     "The effect \"%.40s\" is not valid. Use Allow or Deny (the case matters).",
                     effm->value->u.str.s);
        iam_vpath_pop(c);
    }
}

static void check_actions(struct vctx *c, struct stmt_check *s) {
    sload(c, s->st, "Action", &s->act);
    sload(c, s->st, "NotAction", &s->notact);
    if (s->act.m && s->notact.m)
        iam_vfinding_key(c, VC_UNSUPPORTED_ELEMENT_COMBINATION, s->notact.m,
                         "The policy elements Action and NotAction can not be used in the same "
                         "statement. Remove one of these elements.");
    else if (!s->act.m && !s->notact.m)
        iam_vfinding(c, VC_MISSING_ACTION, s->st,
                     "Add an Action or NotAction element to the policy statement.");
    for (int k = 0; k < 2; k++) {
        const struct slist *l = k ? &s->notact : &s->act;

        for (size_t i = 0; i < slen(l); i++) {
            const struct iam_json *it = sitem(l, i);

            if (!iam_json_is_string(it))
                continue;
            spush(c, l, i);
            check_action(c, it, l->m->key);
            spop(c, l);
        }
        check_redundant(c, l, true, VC_REDUNDANT_ACTION, "action");
        if (l->m && l->ok && l->array && l->m->value->u.arr.n == 0) {
            iam_vpath_push_value(c, l->m->key);
            if (!k)
                iam_vfinding(c, VC_EMPTY_ARRAY_ACTION, l->m->value,
                             "This statement includes no actions and does not affect the "
                             "policy. Specify actions.");
            else
                iam_vfinding(c, VC_HOST_EMPTY_NOT_ELEMENT, l->m->value,
                             "An empty NotAction excludes nothing, so this %s would cover every "
                             "action, host:Login and host:Sudo included; the engine refuses it. "
                             "Use Action to list the actions.",
                             s->allow ? "Allow" : "statement");
            iam_vpath_pop(c);
        }
    }
}

static void check_resources(struct vctx *c, struct stmt_check *s) {
    sload(c, s->st, "Resource", &s->res);
    sload(c, s->st, "NotResource", &s->notres);
    if (s->res.m && s->notres.m)
        iam_vfinding_key(c, VC_UNSUPPORTED_ELEMENT_COMBINATION, s->notres.m,
                         "The policy elements Resource and NotResource can not be used in the "
                         "same statement. Remove one of these elements.");
    else if (!s->res.m && !s->notres.m && c->type == IAM_POLICY_IDENTITY)
        iam_vfinding(c, VC_MISSING_RESOURCE, s->st,
                     "Add a Resource or NotResource element to the policy statement.");
    for (int k = 0; k < 2; k++) {
        const struct slist *l = k ? &s->notres : &s->res;

        for (size_t i = 0; i < slen(l); i++) {
            const struct iam_json *it = sitem(l, i);
            bool valid;

            if (!iam_json_is_string(it))
                continue;
            spush(c, l, i);
            valid = check_resource(c, it);
            if (valid && !k && s->on_host && !s->cover.other && !could_be_host(it->u.str.s))
                iam_vfinding(c, VC_HOST_RESOURCE_NEVER_HOST, it,
                             "\"%.80s\" can never be a host's ARN (host_arn names an EC2 "
                             "instance, arn:aws:ec2:<region>:<account>:instance/<id>, or an SSM "
                             "managed instance), so this entry grants or denies no host action.",
                             it->u.str.s);
            spop(c, l);
        }
        check_redundant(c, l, false, VC_REDUNDANT_RESOURCE, "resource");
        if (l->m && l->ok && l->array && l->m->value->u.arr.n == 0) {
            iam_vpath_push_value(c, l->m->key);
            if (!k)
                iam_vfinding(c, VC_EMPTY_ARRAY_RESOURCE, l->m->value,
                             "This statement includes no resources and does not affect the "
                             "policy. Specify resources.");
            else
                iam_vfinding(c, VC_HOST_EMPTY_NOT_ELEMENT, l->m->value,
                             "An empty NotResource excludes nothing, so this %s would cover "
                             "every resource, every host included; the engine refuses it. Use "
                             "Resource to list the resources.",
                             s->allow ? "Allow" : "statement");
            iam_vpath_pop(c);
        }
    }
}

static void check_principals(struct vctx *c, const struct stmt_check *s) {
    const struct iam_json_member *pm = s->pm, *npm = s->npm;
    bool everyone = false;

    if (c->type == IAM_POLICY_IDENTITY) {
        if (pm)
            iam_vfinding_key(c, VC_UNSUPPORTED_PRINCIPAL, pm,
                             "The Principal element is not supported in an identity policy. "
                             "Remove the Principal element.");
        if (npm)
            iam_vfinding_key(c, VC_UNSUPPORTED_PRINCIPAL, npm,
                             "The NotPrincipal element is not supported in an identity policy. "
                             "Remove the NotPrincipal element.");
        return;
    }
    if (pm && npm)
        iam_vfinding_key(c, VC_UNSUPPORTED_ELEMENT_COMBINATION, npm,
                         "The policy elements Principal and NotPrincipal can not be used in the "
                         "same statement. Remove one of these elements.");
    else if (!pm && !npm)
        iam_vfinding(c, VC_MISSING_PRINCIPAL, s->st,
                     "Add a Principal element to the policy statement: a resource policy names "
                     "who it applies to.");
    if (pm)
        everyone = check_principal(c, pm);
    if (npm) {
        (void)check_principal(c, npm);
        if (s->allow)
            iam_vfinding_key(c, VC_ALLOW_WITH_NOT_PRINCIPAL, npm,
                             "Using Allow with NotPrincipal can be overly permissive. We "
                             "recommend that you use Principal instead.");
    }
    if (s->allow && everyone && s->on_host && !s->condm)
        iam_vfinding_key(c, VC_HOST_ALLOW_ALL_PRINCIPALS, pm,
                         "This Allow applies to every IAM user of the account, with no "
                         "condition: anyone in the database may %s this host. Name the users or "
                         "add a condition.",
                         s->cover.sudo ? "use sudo on" : "log in to");
    else if (s->allow && everyone && !s->condm && s->assume_role &&
             c->resource_type == IAM_VALIDATE_RESOURCE_ROLE_TRUST)
        iam_vfinding_key(c, VC_HOST_ALLOW_ALL_PRINCIPALS, pm,
                         "This trust policy lets every principal assume the role, with no "
                         "condition: every IAM user may become it on a host, no identity policy "
                         "needed (and at AWS, anyone). Name the users, or trust the account "
                         "(\"AWS\": \"ACCOUNT-ID\") so that identity policies decide.");
}

static void check_statement_condition(struct vctx *c, const struct stmt_check *s) {
    const struct iam_json *cond = s->condm->value;

    iam_vpath_push_value(c, "Condition");
    if (cond->type != IAM_JSON_OBJECT)
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, cond,
                     "The Condition element must be an object of operators, not a %s.",
                     iam_json_type_name(cond->type));
    else if (s->allow || s->deny)
        iam_vcheck_condition(c, cond, s->allow, &s->cover, s->on_host);
    else
        iam_vcheck_condition(c, cond, true, &(struct host_cover){0}, false);
    iam_vpath_pop(c);
}

/* An Allow of host:Sudo through a wildcard that does not name it. */
static void check_sudo_via_wildcard(struct vctx *c, const struct stmt_check *s) {
    const struct slist *act = &s->act;

    for (size_t i = 0; i < slen(act); i++)
        if (iam_json_is_string(sitem(act, i)) &&
            strcasecmp(sitem(act, i)->u.str.s, HOST_ACTION_SUDO) == 0)
            return;
    for (size_t i = 0; i < slen(act); i++) {
        const struct iam_json *it = sitem(act, i);

        if (iam_json_is_string(it) && iam_vhas_wildcard(it->u.str.s) &&
            iam_wildcard_match(it->u.str.s, HOST_ACTION_SUDO, true)) {
            spush(c, act, i);
            iam_vfinding(c, VC_HOST_SUDO_VIA_WILDCARD, it,
                         "\"%.40s\" grants host:Sudo (root on the host) without naming it. If "
                         "sudo is meant, name host:Sudo; if not, list the actions you mean.",
                         it->u.str.s);
            spop(c, act);
            return;
        }
    }
}

/* The host's reading of Allows that grant more than they name. */
static void check_broad_allow(struct vctx *c, const struct stmt_check *s) {
    if (s->notact.m && s->notact.ok && !s->act.m && s->on_host)
        iam_vfinding_key(c, VC_HOST_ALLOW_NOT_ACTION, s->notact.m,
                         "This Allow with NotAction grants every action it does not name, %s "
                         "included, and any action added later. List the allowed actions in "
                         "Action instead.",
                         s->cover.login && s->cover.sudo ? "host:Login and host:Sudo"
                         : s->cover.sudo                 ? "host:Sudo"
                                                         : "host:Login");
    if (s->notres.m && s->notres.ok && !s->res.m && s->on_host)
        iam_vfinding_key(c, VC_HOST_ALLOW_NOT_RESOURCE, s->notres.m,
                         "This Allow with NotResource applies to every host except the ones it "
                         "names, including hosts added later. List the hosts in Resource "
                         "instead.");
    if (s->act.m && !s->notact.m && s->cover.sudo)
        check_sudo_via_wildcard(c, s);
    check_sensitive(c, s->st, &s->act, &s->notact, &s->res, &s->notres);
}

/* ---- a role's trust policy (AWS::IAM::AssumeRolePolicyDocument) ------------------------- */

#define TRUST_TYPE "AWS::IAM::AssumeRolePolicyDocument"

/* The actions a trust policy may name: STS's (AssumeRole and its variants, TagSession,
 * SetSourceIdentity, SetContext), in any case, wildcards within sts: included. */
static bool trust_action_ok(const char *a) {
    return strncasecmp(a, "sts:", 4) == 0;
}

/* What CreateRole and UpdateAssumeRolePolicy refuse in a trust policy on top of the rules of
 * every resource policy (IAM's MalformedPolicyDocument): a Resource or NotResource element,
 * NotAction, and an action outside STS. */
static void check_trust_statement(struct vctx *c, const struct stmt_check *s) {
    const struct slist *act = &s->act;

    for (int k = 0; k < 2; k++) {
        const struct iam_json_member *m = k ? s->notres.m : s->res.m;

        if (m)
            iam_vfinding_key(c, VC_UNSUPPORTED_RESOURCE_ARN_IN_POLICY, m,
                             "The resource ARN is not supported for the resource-based policy "
                             "attached to the resource type " TRUST_TYPE ": a trust policy is "
                             "about the role it is attached to, and IAM refuses it (\"Has "
                             "prohibited field Resource\"). Remove the %s element.",
                             m->key);
    }
    if (s->notact.m)
        iam_vfinding_key(c, VC_UNSUPPORTED_ACTION_IN_POLICY, s->notact.m,
                         "NotAction is not supported for the resource-based policy attached to "
                         "the resource type " TRUST_TYPE ": it names every action but the ones "
                         "it lists, and IAM refuses it (\"AssumeRole policy may only specify STS "
                         "AssumeRole actions.\"). List the STS actions in Action.");
    for (size_t i = 0; i < slen(act); i++) {
        const struct iam_json *it = sitem(act, i);

        if (!iam_json_is_string(it) || trust_action_ok(it->u.str.s))
            continue;
        spush(c, act, i);
        iam_vfinding(c, VC_UNSUPPORTED_ACTION_IN_POLICY, it,
                     "The action %.80s is not supported for the resource-based policy attached "
                     "to the resource type " TRUST_TYPE ": IAM accepts only STS actions there, "
                     "such as sts:AssumeRole and sts:TagSession (\"AssumeRole policy may only "
                     "specify STS AssumeRole actions.\").",
                     it->u.str.s);
        spop(c, act);
    }
}

static void check_statement(struct vctx *c, const struct iam_json *st) {
    struct stmt_check s = {
        .st = st,
        .effm = iam_json_member(st, "Effect"),
        .condm = iam_json_member(st, "Condition"),
        .pm = iam_json_member(st, "Principal"),
        .npm = iam_json_member(st, "NotPrincipal"),
    };

    check_elements(c, &s);
    check_effect(c, &s);
    check_actions(c, &s);
    if (s.act.m && !s.notact.m)
        s.cover = cover_of(&s.act, false);
    else if (s.notact.m && !s.act.m)
        s.cover = cover_of(&s.notact, true);
    s.on_host = s.cover.login || s.cover.sudo;
    for (size_t i = 0; i < slen(&s.act); i++)
        s.assume_role |= iam_json_is_string(sitem(&s.act, i)) &&
                         iam_wildcard_match(sitem(&s.act, i)->u.str.s, "sts:AssumeRole", true);
    check_resources(c, &s);
    if (c->resource_type == IAM_VALIDATE_RESOURCE_ROLE_TRUST)
        check_trust_statement(c, &s);
    check_principals(c, &s);
    if (s.condm)
        check_statement_condition(c, &s);
    if (s.allow)
        check_broad_allow(c, &s);
}

/* ---- document ------------------------------------------------------------------------- */

static size_t nonblank_chars(const char *s, size_t len) {
    size_t n = 0;
    bool in_str = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if ((ch & 0xC0) == 0x80)
            continue;
        if (in_str) {
            n++;
            if (ch == '\\' && i + 1 < len) {
                i++;
                n++;
            } else if (ch == '"') {
                in_str = false;
            }
        } else if (ch == '"') {
            in_str = true;
            n++;
        } else if (!isspace(ch)) {
            n++;
        }
    }
    return n;
}

void iam_vcheck_document(struct vctx *c, const struct iam_json *root) {
    static const char *const top[] = {"Version", "Id", "Statement"};
    const struct iam_json_member *vm, *sm, *idm;
    const struct iam_json *stmts[512];
    size_t nst = 0;

    check_duplicates(c, root);
    if (root->type != IAM_JSON_OBJECT) {
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, root,
                     "A policy is a JSON object with Version and Statement; this is a %s.",
                     iam_json_type_name(root->type));
        return;
    }
    if (c->type == IAM_POLICY_IDENTITY) {
        size_t n = nonblank_chars(c->text, c->len);

        if (n > IDENTITY_POLICY_QUOTA)
            iam_vfinding(c, VC_POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA, root,
                         "The identity policy has %zu characters excluding whitespace, over IAM's "
                         "%u for a managed policy. We recommend that you use multiple granular "
                         "policies.",
                         n, IDENTITY_POLICY_QUOTA);
    }
    for (size_t i = 0; i < root->u.obj.n; i++) {
        const struct iam_json_member *m = &root->u.obj.members[i];

        if (!known(m->key, top, IAM_ELEMENTSOF(top)))
            iam_vfinding_key(
                c, VC_INVALID_POLICY_ELEMENT, m,
                "The policy element \"%.64s\" is not valid at the top of a policy. Use "
                "Version, Id and Statement.",
                m->key);
    }

    vm = iam_json_member(root, "Version");
    if (!vm) {
        iam_vfinding_span(c, VC_MISSING_VERSION, root->start, root->start,
                          "We recommend that you specify the Version element (\"2012-10-17\"): "
                          "without it, policy variables such as ${aws:username} are plain text.");
    } else {
        iam_vpath_push_value(c, "Version");
        if (vm->value->type != IAM_JSON_STRING)
            iam_vfinding(c, VC_DATA_TYPE_MISMATCH, vm->value,
                         "The Version element must be a string, not a %s.",
                         iam_json_type_name(vm->value->type));
        else if (strcmp(vm->value->u.str.s, "2012-10-17") == 0)
            c->variables = true;
        else if (strcmp(vm->value->u.str.s, "2008-10-17") != 0)
            iam_vfinding(c, VC_INVALID_VERSION, vm->value,
                         "The version \"%.40s\" is not valid. Use one of the following versions: "
                         "2012-10-17, 2008-10-17.",
                         vm->value->u.str.s);
        iam_vpath_pop(c);
    }
    idm = iam_json_member(root, "Id");
    if (idm && idm->value->type != IAM_JSON_STRING) {
        iam_vpath_push_value(c, "Id");
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, idm->value,
                     "The Id element must be a string, not a %s.",
                     iam_json_type_name(idm->value->type));
        iam_vpath_pop(c);
    }

    sm = iam_json_member(root, "Statement");
    if (!sm) {
        iam_vfinding_span(c, VC_MISSING_STATEMENT, root->start, root->start,
                          "Add a Statement element to the policy.");
        return;
    }
    iam_vpath_push_value(c, "Statement");
    if (sm->value->type == IAM_JSON_OBJECT) {
        check_statement(c, sm->value);
        stmts[nst++] = sm->value;
    } else if (sm->value->type == IAM_JSON_ARRAY) {
        if (sm->value->u.arr.n == 0)
            iam_vfinding(c, VC_MISSING_STATEMENT, sm->value, "Add a statement to the policy.");
        for (size_t i = 0; i < sm->value->u.arr.n; i++) {
            const struct iam_json *st = sm->value->u.arr.items[i];

            iam_vpath_push_index(c, i);
            if (st->type != IAM_JSON_OBJECT) {
                iam_vfinding(c, VC_DATA_TYPE_MISMATCH, st,
                             "A statement is a JSON object, not a %s.",
                             iam_json_type_name(st->type));
            } else {
                check_statement(c, st);
                if (nst < IAM_ELEMENTSOF(stmts))
                    stmts[nst++] = st;
            }
            iam_vpath_pop(c);
        }
    } else {
        iam_vfinding(c, VC_DATA_TYPE_MISMATCH, sm->value,
                     "The Statement element must be an object or an array of objects, not a %s.",
                     iam_json_type_name(sm->value->type));
    }

    /* Across statements: Sids and duplicates. Paths need the statement's index. */
    for (size_t i = 0; i < nst && sm->value->type == IAM_JSON_ARRAY; i++) {
        const struct iam_json *sid = iam_json_get(stmts[i], "Sid");
        size_t idx = 0;

        while (sm->value->u.arr.items[idx] != stmts[i])
            idx++;
        for (size_t j = 0; j < i; j++) {
            const struct iam_json *other = iam_json_get(stmts[j], "Sid");

            if (iam_json_is_string(sid) && sid->u.str.len > 0 && iam_json_is_string(other) &&
                strcmp(sid->u.str.s, other->u.str.s) == 0) {
                iam_vpath_push_index(c, idx);
                iam_vpath_push_value(c, "Sid");
                iam_vfinding(c, VC_UNIQUE_SIDS_REQUIRED, sid,
                             "Duplicate statement ID \"%.64s\" (also at line %u): Sids must be "
                             "unique within a policy. Update the Sid value.",
                             sid->u.str.s, other->start.line);
                iam_vpath_pop(c);
                iam_vpath_pop(c);
                break;
            }
        }
        for (size_t j = 0; j < i; j++)
            if (iam_vjson_equal(stmts[i], stmts[j], "Sid")) {
                iam_vpath_push_index(c, idx);
                iam_vfinding(c, VC_REDUNDANT_STATEMENT, stmts[i],
                             "This statement is redundant: the statement at line %u provides "
                             "identical permissions. Remove one of them.",
                             stmts[j]->start.line);
                iam_vpath_pop(c);
                break;
            }
    }
    iam_vpath_pop(c);
}
