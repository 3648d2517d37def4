/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Least privilege and unused access from the trail, in IAM Access Analyzer's shapes:
 *   generate-policy            GetGeneratedPolicy: what a principal used, as a policy
 *   list-findings-v2           ListFindingsV2: unused keys, passwords, roles, permissions, and
 *                              SharedIAMUserAccessKey (ours: one key used from too many places)
 *   get-finding-v2             GetFindingV2: one finding with its details
 *   get-access-key-last-used   IAM's GetAccessKeyLastUsed
 * Findings are computed from the trail and the identity store at each call (nothing is kept):
 * a finding's id is a hash of what it is about, so it stays the same from call to call while
 * the condition holds, and the finding goes away once it does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "iam/lastused.h"
#include "iam/validate.h"
#include "trail_common.h"
#include "trail_identity.h"
#include "trail_usage.h"

#define DAY 86400
#define MAX_POLICY_CHARS 6144 /* a managed policy, IAM's quota (whitespace not counted) */
#define MAX_EVIDENCE_USES 50
#define FINDINGS_DEFAULT_RESULTS 100

/* The actions a host asks about (the validator's catalogue): an unused-permission finding
 * looks at each. */
static const char *const host_actions[] = {"host:Login", "host:Sudo"};

static bool used_kind(uint8_t k) {
    return k == USE_ALLOWED || k == USE_WOULD_DENY;
}

static bool acts_as(const struct use *x, uint32_t principal) {
    return principal != USE_NONE && (x->principal == principal || x->issuer == principal);
}

static void uuid_from(const char *what, char out[37]) {
    uint8_t h[16];
    char hex[33];

    crypto_generichash(h, sizeof(h), (const unsigned char *)what, strlen(what), NULL, 0);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50); /* a name-based UUID: version 5's layout */
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static json_t *time_json(int64_t t) {
    char buf[32];

    trail_format_time_z(t, buf);
    return json_string(buf);
}

/* ================================================================================================
 * generate-policy
 * ============================================================================================= */

struct pair {
    uint32_t action, resource;
};

struct stmt {
    uint32_t *actions; /* sorted by name */
    size_t n_actions;
    char **resources;
    size_t n_resources;
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_pair(const struct pair *v, size_t n, uint32_t a, uint32_t r) {
    for (size_t i = 0; i < n; i++)
        if (v[i].action == a && v[i].resource == r)
            return true;
    return false;
}

static int add_pair(struct pair **v, size_t *n, uint32_t a, uint32_t r) {
    struct pair *nv;

    if (has_pair(*v, *n, a, r))
        return 0;
    nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return -ENOMEM;
    *v = nv;
    nv[(*n)++] = (struct pair){a, r};
    return 0;
}

/* "arn:aws:ec2:r:a:instance/i-1" -> "arn:aws:ec2:r:a:instance/" (the part a wildcard keeps) */
static size_t arn_prefix_len(const char *arn) {
    const char *slash = strrchr(arn, '/'), *colon = strrchr(arn, ':');
    const char *cut = slash && (!colon || slash > colon) ? slash : colon;

    return cut ? (size_t)(cut - arn) + 1 : 0;
}

struct gen {
    struct usage *u;
    uint32_t principal;
    struct pair *used;       /* (action, resource) the principal used */
    size_t n_used;
    struct pair *unused;     /* recorded for the principal, refused, never used */
    size_t n_unused;
    char **universe;         /* every resource the trail names, and this host */
    size_t n_universe;
    struct stmt *st;
    size_t n_st;
};

static void gen_free(struct gen *g) {
    free(g->used);
    free(g->unused);
    for (size_t i = 0; i < g->n_universe; i++)
        free(g->universe[i]);
    free(g->universe);
    for (size_t i = 0; i < g->n_st; i++) {
        free(g->st[i].actions);
        for (size_t k = 0; k < g->st[i].n_resources; k++)
            free(g->st[i].resources[k]);
        free(g->st[i].resources);
    }
    free(g->st);
}

static int add_universe(struct gen *g, const char *arn) {
    char **nv;

    if (!arn || !*arn)
        return 0;
    for (size_t i = 0; i < g->n_universe; i++)
        if (strcmp(g->universe[i], arn) == 0)
            return 0;
    nv = realloc(g->universe, (g->n_universe + 1) * sizeof(*nv));
    if (!nv)
        return -ENOMEM;
    g->universe = nv;
    nv[g->n_universe] = strdup(arn);
    if (!nv[g->n_universe])
        return -ENOMEM;
    g->n_universe++;
    return 0;
}

static int cmp_action_ids(const void *a, const void *b, void *u) {
    return strcasecmp(usage_str(u, *(const uint32_t *)a), usage_str(u, *(const uint32_t *)b));
}

/* The actions used on one resource, sorted; *ret is malloc'd. */
static int actions_on(const struct gen *g, uint32_t res, uint32_t **ret, size_t *n) {
    uint32_t *v = NULL;

    *n = 0;
    for (size_t i = 0; i < g->n_used; i++) {
        bool dup = false;

        if (g->used[i].resource != res)
            continue;
        for (size_t k = 0; k < *n; k++)
            dup |= strcasecmp(usage_str(g->u, v[k]), usage_str(g->u, g->used[i].action)) == 0;
        if (dup)
            continue;
        {
            uint32_t *nv = realloc(v, (*n + 1) * sizeof(*nv));

            if (!nv) {
                free(v);
                return -ENOMEM;
            }
            v = nv;
        }
        v[(*n)++] = g->used[i].action;
    }
    if (*n > 1)
        qsort_r(v, *n, sizeof(*v), cmp_action_ids, g->u);
    *ret = v;
    return 0;
}

static bool same_actions(const struct gen *g, const uint32_t *a, size_t na, const uint32_t *b,
                         size_t nb) {
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (strcasecmp(usage_str(g->u, a[i]), usage_str(g->u, b[i])) != 0)
            return false;
    return true;
}

/* One statement per set of actions, naming the resources used with exactly that set. */
static int build_statements(struct gen *g) {
    uint32_t *resources = NULL;
    size_t n_res = 0;
    int r = 0;

    for (size_t i = 0; i < g->n_used; i++) {
        bool seen = false;

        for (size_t k = 0; k < n_res; k++)
            seen |= resources[k] == g->used[i].resource;
        if (!seen) {
            uint32_t *nv = realloc(resources, (n_res + 1) * sizeof(*nv));

            if (!nv) {
                free(resources);
                return -ENOMEM;
            }
            resources = nv;
            resources[n_res++] = g->used[i].resource;
        }
    }
    for (size_t i = 0; i < n_res && r == 0; i++) {
        uint32_t *acts = NULL;
        size_t na = 0, s;
        char **nr;

        r = actions_on(g, resources[i], &acts, &na);
        if (r < 0)
            break;
        for (s = 0; s < g->n_st; s++)
            if (same_actions(g, g->st[s].actions, g->st[s].n_actions, acts, na))
                break;
        if (s == g->n_st) {
            struct stmt *ns = realloc(g->st, (g->n_st + 1) * sizeof(*ns));

            if (!ns) {
                free(acts);
                r = -ENOMEM;
                break;
            }
            g->st = ns;
            g->st[g->n_st++] = (struct stmt){.actions = acts, .n_actions = na};
        } else {
            free(acts);
        }
        nr = realloc(g->st[s].resources, (g->st[s].n_resources + 1) * sizeof(*nr));
        if (!nr) {
            r = -ENOMEM;
            break;
        }
        g->st[s].resources = nr;
        nr[g->st[s].n_resources] = strdup(usage_str(g->u, resources[i]));
        if (!nr[g->st[s].n_resources]) {
            r = -ENOMEM;
            break;
        }
        g->st[s].n_resources++;
    }
    free(resources);
    return r;
}

/* Resources of one statement that share everything but their id become "prefix*" when every
 * resource the trail knows under that prefix is among them: the wildcard then adds no known
 * resource the principal did not use. */
static int group_wildcards(struct gen *g, struct stmt *st) {
    qsort(st->resources, st->n_resources, sizeof(char *), cmp_str);
    for (size_t i = 0; i < st->n_resources; i++) {
        size_t plen = arn_prefix_len(st->resources[i]), j = i, known = 0, mine = 0;
        char *w;

        if (plen == 0 || strchr(st->resources[i], '*'))
            continue;
        while (j < st->n_resources && strlen(st->resources[j]) > plen &&
               strncmp(st->resources[j], st->resources[i], plen) == 0)
            j++;
        mine = j - i;
        if (mine < 2)
            continue;
        for (size_t k = 0; k < g->n_universe; k++)
            if (strlen(g->universe[k]) > plen &&
                strncmp(g->universe[k], st->resources[i], plen) == 0)
                known++;
        if (known != mine)
            continue; /* a wildcard would cover a known resource not used with these actions */
        w = malloc(plen + 2);
        if (!w)
            return -ENOMEM;
        memcpy(w, st->resources[i], plen);
        w[plen] = '*';
        w[plen + 1] = '\0';
        for (size_t k = i; k < j; k++)
            free(st->resources[k]);
        st->resources[i] = w;
        memmove(&st->resources[i + 1], &st->resources[j],
                (st->n_resources - j) * sizeof(char *));
        st->n_resources -= mine - 1;
    }
    return 0;
}

static json_t *one_or_list(json_t *arr) {
    if (json_array_size(arr) == 1) {
        json_t *one = json_incref(json_array_get(arr, 0));

        json_decref(arr);
        return one;
    }
    return arr;
}

static json_t *statement_json(const struct gen *g, const struct stmt *st) {
    json_t *acts = json_array(), *res = json_array();

    for (size_t i = 0; i < st->n_actions; i++)
        json_array_append_new(acts, json_string(usage_str(g->u, st->actions[i])));
    for (size_t i = 0; i < st->n_resources; i++)
        json_array_append_new(res, json_string(st->resources[i]));
    return json_pack("{s:s,s:o,s:o}", "Effect", "Allow", "Action", one_or_list(acts), "Resource",
                     one_or_list(res));
}

/* Check what we generate before anyone else does: it compiles, validate-policy finds no
 * error, every used request is allowed, no recorded unused one is. */
static int self_check(const struct gen *g, const char *text, char *why, size_t why_size) {
    struct iam_policy *pol = NULL;
    struct iam_findings *fi = NULL;
    struct iam_error e;
    struct iam_policy_ref ref;
    struct iam_policy_set set;
    int r;

    iam_error_init(&e);
    r = iam_policy_compile(text, strlen(text), IAM_POLICY_IDENTITY, &pol, &e);
    if (r < 0) {
        snprintf(why, why_size, "it does not compile: %s", e.text);
        return -EINVAL;
    }
    r = iam_policy_validate(text, strlen(text), IAM_POLICY_IDENTITY, &fi, &e);
    if (r < 0 || iam_findings_has_error(fi)) {
        snprintf(why, why_size, "validate-policy finds an error in it");
        r = -EINVAL;
        goto out;
    }
    ref = (struct iam_policy_ref){.policy = pol, .source_id = "generated", .source_type = "user"};
    set = (struct iam_policy_set){.identity = &ref, .n_identity = 1};
    r = 0;
    for (size_t i = 0; i < g->n_used + g->n_unused && r == 0; i++) {
        bool want = i < g->n_used;
        const struct pair *p = want ? &g->used[i] : &g->unused[i - g->n_used];
        struct iam_request req = {.action = usage_str(g->u, p->action),
                                  .resource = usage_str(g->u, p->resource)};
        struct iam_decision d;

        if (iam_evaluate(&set, &req, &d) < 0 ||
            (d.decision == IAM_DECISION_ALLOWED) != want) {
            snprintf(why, why_size, "%s on %s would be %s", req.action, req.resource,
                     want ? "denied" : "allowed");
            r = -EINVAL;
        }
    }
out:
    iam_findings_free(fi);
    iam_policy_free(pol);
    return r;
}

/* The pairs: what the principal used in the period, what it was refused, every known
 * resource, and every known host action on a known resource it did not use there. */
static int collect_pairs(struct gen *g, const struct iam_config *config, bool has_start,
                         int64_t start, int64_t end) {
    const struct usage *u = g->u;
    int r = config ? add_universe(g, config->host_arn) : 0;

    for (size_t i = 0; i < u->n && r == 0; i++) {
        const struct use *x = &u->v[i];

        if (x->resource)
            r = add_universe(g, usage_str(u, x->resource));
        if (r < 0 || !x->action || !x->resource || !acts_as(x, g->principal) ||
            (has_start && x->time < start) || x->time > end)
            continue;
        if (used_kind(x->kind))
            r = add_pair(&g->used, &g->n_used, x->action, x->resource);
    }
    /* refused and never used: the policy must not allow these */
    for (size_t i = 0; i < u->n && r == 0; i++) {
        const struct use *x = &u->v[i];

        if (x->kind != USE_DENIED || !x->action || !x->resource ||
            !acts_as(x, g->principal) || (has_start && x->time < start) || x->time > end)
            continue;
        if (!has_pair(g->used, g->n_used, x->action, x->resource))
            r = add_pair(&g->unused, &g->n_unused, x->action, x->resource);
    }
    /* nothing the principal did not use, among what others did: known host actions on every
     * known resource */
    for (size_t k = 0; k < g->n_universe && r == 0; k++) {
        for (size_t a = 0; a < IAM_ELEMENTSOF(host_actions) && r == 0; a++) {
            uint32_t ai = usage_find(u, host_actions[a]), ri = usage_find(u, g->universe[k]);
            bool used = false;

            if (!ai || !ri)
                continue;
            for (size_t i = 0; i < g->n_used; i++)
                used |= g->used[i].resource == ri &&
                        strcasecmp(usage_str(u, g->used[i].action), host_actions[a]) == 0;
            if (!used)
                r = add_pair(&g->unused, &g->n_unused, ai, ri);
        }
    }
    if (r == 0)
        r = build_statements(g);
    for (size_t s = 0; s < g->n_st && r == 0; s++)
        r = group_wildcards(g, &g->st[s]);
    return r;
}

static char *policy_text(json_t *stmts) {
    json_t *doc = json_pack("{s:s,s:O}", "Version", "2012-10-17", "Statement", stmts);
    char *t = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

    json_decref(doc);
    return t;
}

/* The statements, checked together (self_check), then cut into policies of at most
 * MAX_POLICY_CHARS each: generatedPolicies. Returns an exit code. */
static int make_policies(struct gen *g, json_t **ret) {
    json_t *all = json_array(), *policies = json_array(), *stmts = NULL;
    char why[512], *text;
    int r = IAMCTL_EXIT_OK;

    if (g->n_st == 0) {
        /* nothing used: no policy (an empty Statement is not a policy) */
        json_decref(all);
        *ret = policies;
        return policies ? IAMCTL_EXIT_OK : iamctl_fail("out of memory");
    }
    for (size_t s = 0; all && s < g->n_st; s++)
        json_array_append_new(all, statement_json(g, &g->st[s]));
    text = all ? policy_text(all) : NULL;
    if (!text || !policies) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if (self_check(g, text, why, sizeof(why)) < 0) {
        r = iamctl_fail("generate-policy: the policy made from the trail fails its own check "
                        "(%s); this is a bug, please report it",
                        why);
        goto out;
    }
    for (size_t s = 0; s < g->n_st;) {
        stmts = json_array();
        while (s < g->n_st) {
            char *t;

            json_array_append(stmts, json_array_get(all, s));
            t = policy_text(stmts);
            if (!t || (strlen(t) > MAX_POLICY_CHARS && json_array_size(stmts) > 1)) {
                json_array_remove(stmts, json_array_size(stmts) - 1);
                free(t);
                break;
            }
            free(t);
            s++;
        }
        free(text);
        text = policy_text(stmts);
        json_decref(stmts);
        stmts = NULL;
        if (!text) {
            r = iamctl_fail("out of memory");
            goto out;
        }
        json_array_append_new(policies, json_pack("{s:s}", "policy", text));
    }
    *ret = policies;
    policies = NULL;
out:
    free(text);
    json_decref(stmts);
    json_decref(policies);
    json_decref(all);
    return r;
}

/* GetGeneratedPolicy's response around the policies (stolen). */
static json_t *generated_output(const struct iam_trail_files *files, const char *arn,
                                bool has_start, int64_t start, int64_t end, int64_t started,
                                json_t *policies) {
    json_t *trails = json_array(), *ct;
    char job[37], seed[128];

    for (size_t i = 0; i < files->n; i++) {
        bool seen = false;

        for (size_t k = 0; k < i; k++)
            seen |= files->v[k].group == files->v[i].group;
        if (!seen)
            json_array_append_new(trails, json_pack("{s:s,s:[],s:b}", "cloudTrailArn",
                                                    files->v[i].path, "regions", "allRegions",
                                                    true));
    }
    snprintf(seed, sizeof(seed), "%s %lld", arn, (long long)started);
    uuid_from(seed, job);
    ct = json_pack("{s:o,s:o,s:o}", "trailProperties", trails, "startTime",
                   time_json(has_start ? start : 0), "endTime", time_json(end));
    if (ct && !has_start)
        json_object_del(ct, "startTime");
    return json_pack("{s:{s:s,s:s,s:o,s:o},s:{s:{s:b,s:s,s:o},s:o}}", "jobDetails", "jobId", job,
                     "status", "SUCCEEDED", "startedOn", time_json(started), "completedOn",
                     time_json(trail_now()), "generatedPolicyResult", "properties",
                     "isComplete", true, "principalArn", arn, "cloudTrailProperties", ct,
                     "generatedPolicies", policies);
}

int verb_generate_policy(int argc, char *argv[]) {
    struct opt opts[] = {{"principal-arn", OPT_VALUE, true}, {"start-time", OPT_VALUE},
                         {"end-time", OPT_VALUE},            {"audit-log", OPT_LIST},
                         {NULL}};
    struct iam_config *config = NULL;
    struct iam_trail_files files = {0};
    struct usage u = {0};
    struct gen g = {0};
    struct trail_progress prog;
    struct iam_error e;
    const char *arn;
    int64_t start = 0, end, started = trail_now();
    bool has_start = false;
    json_t *policies = NULL;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    arn = opt_get(opts, "principal-arn")->value;
    if (strncmp(arn, "arn:", 4) != 0 || (!strstr(arn, ":user/") && !strstr(arn, ":role/"))) {
        r = iamctl_usage("generate-policy: --principal-arn is the ARN of an IAM user or role");
        goto out;
    }
    end = started;
    if (opt_get(opts, "start-time")->value) {
        if ((r = trail_time_arg("start-time", opt_get(opts, "start-time")->value, &start)))
            goto out;
        has_start = true;
    }
    if (opt_get(opts, "end-time")->value &&
        (r = trail_time_arg("end-time", opt_get(opts, "end-time")->value, &end)))
        goto out;
    if (has_start && start > end) {
        r = iamctl_usage("generate-policy: --start-time is after --end-time");
        goto out;
    }
    if (opt_get(opts, "audit-log")->n_list) {
        struct iam_error ce;

        iam_error_init(&ce);
        if (iam_config_load(arg_config, &config, &ce) < 0)
            config = NULL; /* collected trails need no iam.conf */
    }
    if ((r = trail_files(opt_get(opts, "audit-log"), &config, &files)))
        goto out;
    trail_progress_init(&prog, "reading the trail");
    iam_error_init(&e);
    r = usage_collect(&files, NULL, &u, trail_progress_cb, &prog, &e);
    trail_progress_done(&prog);
    if (r < 0) {
        r = r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
        goto out;
    }
    g.u = &u;
    g.principal = usage_find(&u, arn);
    if (collect_pairs(&g, config, has_start, start, end) < 0) {
        r = iamctl_fail("out of memory");
        goto out;
    }
    if ((r = make_policies(&g, &policies)))
        goto out;
    if (u.malformed)
        fprintf(stderr, "iamctl: warning: %llu lines of the trail are not records, ignoring\n",
                (unsigned long long)u.malformed);
    r = print_json(generated_output(&files, arn, has_start, start, end, started, policies));
    policies = NULL;
out:
    json_decref(policies);
    gen_free(&g);
    usage_free(&u);
    iam_trail_files_free(&files);
    iam_config_free(config);
    opts_free(opts);
    return r;
}

/* ================================================================================================
 * findings
 * ============================================================================================= */

struct finding {
    char id[37];
    const char *type;
    const char *resource;      /* principal ARN */
    const char *resource_type; /* AWS::IAM::User, AWS::IAM::Role */
    int64_t created;
    json_t *details;           /* findingDetails (owned) */
};

struct findings {
    struct finding *v;
    size_t n;
};

static void findings_free(struct findings *f) {
    for (size_t i = 0; i < f->n; i++)
        json_decref(f->v[i].details);
    free(f->v);
    memset(f, 0, sizeof(*f));
}

static int add_finding(struct findings *f, const char *type, const struct ident *p,
                       const char *subject, int64_t created, json_t *details) {
    struct finding *nv;
    char seed[1024];

    if (!details)
        return -ENOMEM;
    nv = realloc(f->v, (f->n + 1) * sizeof(*nv));
    if (!nv) {
        json_decref(details);
        return -ENOMEM;
    }
    f->v = nv;
    nv = &f->v[f->n++];
    snprintf(seed, sizeof(seed), "%s|%s|%s", type, p->arn, subject ? subject : "");
    uuid_from(seed, nv->id);
    nv->type = type;
    nv->resource = p->arn;
    nv->resource_type = p->kind == IDENT_USER ? "AWS::IAM::User" : "AWS::IAM::Role";
    nv->created = created;
    nv->details = details;
    return 0;
}

struct analysis {
    struct ident_set *ids;
    const struct iam_config *cfg;
    struct usage u;
    int64_t now, age; /* age in seconds */
    char region[64];
};

/* Newest use of a key: the trail, and this host's last-use record (pam_iam writes it at
 * every key login, and it outlives rotated logs). */
static int64_t key_last_used(const struct analysis *a, const char *key_id, const char **ret_service,
                             const char **ret_host) {
    uint32_t k = usage_find(&a->u, key_id);
    int64_t best = 0;
    static char svc[IAM_LASTUSED_SERVICE_MAX + 1];
    time_t when;
    struct iam_error e;

    if (ret_service)
        *ret_service = NULL;
    if (ret_host)
        *ret_host = NULL;
    for (size_t i = 0; k && i < a->u.n; i++) {
        const struct use *x = &a->u.v[i];

        if (x->key == k && x->kind == USE_KEY_AUTH && x->time >= best) {
            best = x->time;
            if (ret_service)
                *ret_service = usage_str(&a->u, x->service);
            if (ret_host)
                *ret_host = usage_str(&a->u, x->host);
        }
    }
    iam_error_init(&e);
    if (iam_lastused_read(a->cfg->cache_dir, key_id, &when, svc, sizeof(svc), &e) == 0 &&
        (int64_t)when > best) {
        best = (int64_t)when;
        if (ret_service)
            *ret_service = svc;
        if (ret_host)
            *ret_host = a->cfg->host_arn;
    }
    return best;
}

static int64_t principal_last(const struct analysis *a, const struct ident *p, uint8_t kind) {
    uint32_t pid = usage_find(&a->u, p->arn);
    int64_t best = 0;

    for (size_t i = 0; pid && i < a->u.n; i++) {
        const struct use *x = &a->u.v[i];

        if (!acts_as(x, pid))
            continue;
        if (kind == USE_ALLOWED ? used_kind(x->kind) : x->kind == kind)
            if (x->time > best)
                best = x->time;
    }
    return best;
}

/* A role was used when it acted (a session of it did something allowed) or when someone
 * became it (an allowed sts: action on it). */
static int64_t role_last_used(const struct analysis *a, const struct ident *p) {
    uint32_t rid = usage_find(&a->u, p->arn);
    int64_t best = principal_last(a, p, USE_ALLOWED);

    for (size_t i = 0; rid && i < a->u.n; i++) {
        const struct use *x = &a->u.v[i];

        if (x->resource == rid && used_kind(x->kind) && x->time > best)
            best = x->time;
    }
    return best;
}

static json_t *last_accessed(json_t *o, int64_t t) {
    if (o && t)
        json_object_set_new(o, "lastAccessed", time_json(t));
    return o;
}

static int unused_findings(struct analysis *a, struct findings *out) {
    const int64_t cutoff = a->now - a->age;
    int r = 0;

    for (size_t i = 0; i < ident_count(a->ids) && r == 0; i++) {
        const struct ident *p = ident_at(a->ids, i);

        if (p->kind == IDENT_USER) {
            for (size_t k = 0; k < p->n_keys && r == 0; k++) {
                const struct ident_key *key = &p->keys[k];
                int64_t last = key_last_used(a, key->id, NULL, NULL);
                int64_t since = last ? last : key->created;

                if (!key->active || since > cutoff || !since)
                    continue;
                r = add_finding(out, "UnusedIAMUserAccessKey", p, key->id, since + a->age,
                                json_pack("[{s:o}]", "unusedIamUserAccessKeyDetails",
                                          last_accessed(json_pack("{s:s}", "accessKeyId",
                                                                  key->id),
                                                        last)));
            }
            if (p->has_password && r == 0) {
                int64_t last = principal_last(a, p, USE_PASSWORD_AUTH);
                int64_t here = trail_password_last_used(a->cfg->cache_dir, p->id);

                if (here > last)
                    last = here; /* this host's record outlives rotated logs */
                int64_t since = last ? last : p->password_created;

                if (since && since <= cutoff)
                    r = add_finding(out, "UnusedIAMUserPassword", p, NULL, since + a->age,
                                    json_pack("[{s:o}]", "unusedIamUserPasswordDetails",
                                              last_accessed(json_object(), last)));
            }
        } else {
            int64_t last = role_last_used(a, p);
            int64_t since = last ? last : p->created;

            if (since && since <= cutoff)
                r = add_finding(out, "UnusedIAMRole", p, NULL, since + a->age,
                                json_pack("[{s:o}]", "unusedIamRoleDetails",
                                          last_accessed(json_object(), last)));
        }
    }
    return r;
}

/* Host actions the principal's policies grant on some host of the trail (or this host) but
 * that it did not use within the period. */
static int permission_findings(struct analysis *a, struct findings *out) {
    const int64_t cutoff = a->now - a->age;
    const char **hosts = NULL;
    size_t n_hosts = 0;
    int r = 0;

    /* every host the trail names, and this one */
    for (size_t i = 0; i <= a->u.n && r == 0; i++) {
        const char *h = i < a->u.n ? usage_str(&a->u, a->u.v[i].host) : a->cfg->host_arn;
        bool seen = false;
        const char **nv;

        if (!h || !*h)
            continue;
        for (size_t k = 0; k < n_hosts && !seen; k++)
            seen = strcmp(hosts[k], h) == 0;
        if (seen)
            continue;
        nv = realloc(hosts, (n_hosts + 1) * sizeof(*nv));
        if (!nv) {
            r = -ENOMEM;
            break;
        }
        hosts = nv;
        hosts[n_hosts++] = h;
    }
    for (size_t i = 0; i < ident_count(a->ids) && r == 0; i++) {
        const struct ident *p = ident_at(a->ids, i);
        struct iam_policy_set set;
        struct iam_context *ctx = NULL;
        json_t *acts = json_array();
        int64_t newest = 0;
        uint32_t pid = usage_find(&a->u, p->arn);

        if (!acts) {
            r = -ENOMEM;
            break;
        }
        if (p->kind == IDENT_ROLE) {
            int64_t last = role_last_used(a, p), since = last ? last : p->created;

            if (since && since <= cutoff) {
                /* an unused role is one UnusedIAMRole finding, not also its permissions
                 * (as Access Analyzer does) */
                json_decref(acts);
                continue;
            }
        }
        r = ident_policies(a->ids, p, &set, &ctx);
        if (r < 0) {
            json_decref(acts);
            break;
        }
        for (size_t k = 0; k < IAM_ELEMENTSOF(host_actions); k++) {
            const char *action = host_actions[k];
            bool granted = false;
            int64_t last = 0;

            for (size_t h = 0; h < n_hosts && !granted; h++) {
                struct iam_request req = {.action = action, .resource = hosts[h],
                                          .principal_arn = p->arn, .context = ctx};
                struct iam_decision d;

                granted = iam_evaluate_potential(&set, &req, &d) == 0 &&
                          d.decision == IAM_DECISION_ALLOWED;
            }
            if (!granted)
                continue;
            for (size_t u = 0; pid && u < a->u.n; u++) {
                const struct use *x = &a->u.v[u];

                if (acts_as(x, pid) && used_kind(x->kind) &&
                    strcasecmp(usage_str(&a->u, x->action), action) == 0 && x->time > last)
                    last = x->time;
            }
            if (last > cutoff)
                continue;
            if (last > newest)
                newest = last;
            json_array_append_new(acts, last_accessed(json_pack("{s:s}", "action", action), last));
        }
        iam_context_free(ctx);
        if (json_array_size(acts) == 0) {
            json_decref(acts);
            continue;
        }
        {
            int64_t since = newest ? newest : p->created;

            r = add_finding(out, "UnusedPermission", p, "host", since ? since + a->age : a->now,
                            json_pack("[{s:o}]", "unusedPermissionDetails",
                                      last_accessed(json_pack("{s:s,s:o}", "serviceNamespace",
                                                              "host", "actions", acts),
                                                    newest)));
        }
    }
    free(hosts);
    return r;
}

struct key_use {
    int64_t t;
    uint32_t ip, host, event_id, service;
};

static int cmp_key_use(const void *a, const void *b) {
    const struct key_use *x = a, *y = b;

    return x->t < y->t ? -1 : x->t > y->t;
}

static size_t distinct(const uint32_t *v, size_t n) {
    size_t d = 0;

    for (size_t i = 0; i < n; i++) {
        bool seen = v[i] == USE_NONE;

        for (size_t k = 0; k < i && !seen; k++)
            seen = v[k] == v[i];
        d += !seen;
    }
    return d;
}

/* One key used from more addresses, or on more hosts, within the window than a person
 * plausibly is: the densest window of the period is the evidence. */
static int shared_key_findings(struct analysis *a, struct findings *out) {
    const int64_t cutoff = a->now - a->age, window = (int64_t)a->cfg->shared_key_window_minutes * 60;
    const size_t max_ips = a->cfg->shared_key_max_source_ips, max_hosts = a->cfg->shared_key_max_hosts;
    int r = 0;

    for (size_t i = 0; i < ident_count(a->ids) && r == 0; i++) {
        const struct ident *p = ident_at(a->ids, i);

        for (size_t k = 0; k < p->n_keys && r == 0; k++) {
            uint32_t kid = usage_find(&a->u, p->keys[k].id);
            struct key_use *uses = NULL;
            uint32_t *ips = NULL, *hs = NULL;
            size_t n = 0, best_lo = 0, best_hi = 0, best_ips = 0, best_hosts = 0;

            if (!kid)
                continue;
            for (size_t u = 0; u < a->u.n; u++) {
                const struct use *x = &a->u.v[u];
                struct key_use *nv;

                if (x->key != kid || x->kind != USE_KEY_AUTH || x->time < cutoff ||
                    x->time > a->now)
                    continue;
                nv = realloc(uses, (n + 1) * sizeof(*nv));
                if (!nv) {
                    r = -ENOMEM;
                    break;
                }
                uses = nv;
                uses[n++] = (struct key_use){x->time, x->ip, x->host, x->event_id, x->service};
            }
            ips = malloc((n + 1) * sizeof(*ips));
            hs = malloc((n + 1) * sizeof(*hs));
            if (r < 0 || !ips || !hs) {
                free(uses);
                free(ips);
                free(hs);
                r = -ENOMEM;
                break;
            }
            if (n > 1)
                qsort(uses, n, sizeof(*uses), cmp_key_use);
            /* every window [uses[lo].t, uses[lo].t + window] */
            for (size_t lo = 0, hi = 0; lo < n; lo++) {
                size_t di, dh;

                if (hi < lo)
                    hi = lo;
                while (hi + 1 < n && uses[hi + 1].t - uses[lo].t <= window)
                    hi++;
                for (size_t m = lo; m <= hi; m++) {
                    ips[m - lo] = uses[m].ip;
                    hs[m - lo] = uses[m].host;
                }
                di = distinct(ips, hi - lo + 1);
                dh = distinct(hs, hi - lo + 1);
                if ((di > max_ips || dh > max_hosts) &&
                    (di > best_ips || (di == best_ips && dh > best_hosts))) {
                    best_ips = di;
                    best_hosts = dh;
                    best_lo = lo;
                    best_hi = hi;
                }
            }
            if (best_ips > max_ips || best_hosts > max_hosts) {
                json_t *ipa = json_array(), *ha = json_array(), *ua = json_array(), *det;

                for (size_t m = best_lo; m <= best_hi; m++) {
                    const char *ip = usage_str(&a->u, uses[m].ip);
                    const char *h = usage_str(&a->u, uses[m].host);
                    bool seen_ip = !*ip, seen_h = !*h;

                    for (size_t q = best_lo; q < m; q++) {
                        seen_ip |= uses[q].ip == uses[m].ip;
                        seen_h |= uses[q].host == uses[m].host;
                    }
                    if (!seen_ip)
                        json_array_append_new(ipa, json_string(ip));
                    if (!seen_h)
                        json_array_append_new(ha, json_string(h));
                    if (m - best_lo < MAX_EVIDENCE_USES)
                        json_array_append_new(
                            ua, json_pack("{s:o,s:s,s:s,s:s,s:s}", "eventTime",
                                          time_json(uses[m].t), "sourceIPAddress", ip, "host", h,
                                          "service", usage_str(&a->u, uses[m].service), "eventId",
                                          usage_str(&a->u, uses[m].event_id)));
                }
                det = json_pack("[{s:{s:s,s:{s:o,s:o,s:I},s:I,s:I,s:I,s:I,s:o,s:o,s:o}}]",
                                "sharedIamUserAccessKeyDetails", "accessKeyId", p->keys[k].id,
                                "window", "start", time_json(uses[best_lo].t), "end",
                                time_json(uses[best_hi].t), "minutes",
                                (json_int_t)a->cfg->shared_key_window_minutes,
                                "sourceIpAddressCount", (json_int_t)best_ips, "hostCount",
                                (json_int_t)best_hosts, "maxSourceIpAddresses",
                                (json_int_t)max_ips, "maxHosts", (json_int_t)max_hosts,
                                "sourceIpAddresses", ipa, "hosts", ha, "uses", ua);
                r = add_finding(out, "SharedIAMUserAccessKey", p, p->keys[k].id,
                                uses[best_hi].t, det);
            }
            free(uses);
            free(ips);
            free(hs);
        }
    }
    return r;
}

static int cmp_finding(const void *a, const void *b) {
    const struct finding *x = a, *y = b;
    int c = strcmp(x->resource, y->resource);

    if (c)
        return c;
    c = strcmp(x->type, y->type);
    return c ? c : strcmp(x->id, y->id);
}

/* Load everything and compute every finding. Returns an exit code. */
static int analyse(struct opt *opts, struct analysis *a, struct findings *f) {
    struct iam_trail_files files = {0};
    struct iam_config *cfg_copy = NULL;
    struct trail_progress prog;
    struct iam_error e;
    const char *age = opt_get(opts, "unused-access-age")->value;
    unsigned long days;
    int r;

    memset(a, 0, sizeof(*a));
    if ((r = ident_open(&a->ids)))
        return r;
    a->cfg = ident_config(a->ids);
    a->now = trail_now();
    days = a->cfg->unused_access_age_days;
    if (age) {
        char *end;

        errno = 0;
        days = strtoul(age, &end, 10);
        if (errno || *end || age[0] == '-' || days < 1 || days > 365)
            return iamctl_usage("--unused-access-age is a number of days from 1 to 365 (as in "
                                "Access Analyzer)");
    }
    a->age = (int64_t)days * DAY;
    /* trail_files wants a config it may own: hand it a loaded copy */
    if (!opt_get(opts, "audit-log")->n_list && (r = trail_load_config(&cfg_copy)))
        return r;
    r = trail_files(opt_get(opts, "audit-log"), &cfg_copy, &files);
    iam_config_free(cfg_copy);
    if (r) {
        iam_trail_files_free(&files);
        return r;
    }
    trail_progress_init(&prog, "reading the trail");
    iam_error_init(&e);
    r = usage_collect(&files, NULL, &a->u, trail_progress_cb, &prog, &e);
    trail_progress_done(&prog);
    iam_trail_files_free(&files);
    if (r < 0)
        return r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
    r = unused_findings(a, f);
    if (r == 0)
        r = permission_findings(a, f);
    if (r == 0)
        r = shared_key_findings(a, f);
    if (r < 0)
        return iamctl_fail("cannot compute the findings: %s", strerror(-r));
    if (f->n > 1)
        qsort(f->v, f->n, sizeof(*f->v), cmp_finding);
    return 0;
}

static void analysis_done(struct analysis *a) {
    usage_free(&a->u);
    ident_close(a->ids);
    a->ids = NULL;
}

static json_t *finding_summary(const struct analysis *a, const struct finding *f, bool details) {
    json_t *o = json_object();

    json_object_set_new(o, "analyzedAt", time_json(a->now));
    json_object_set_new(o, "createdAt", time_json(f->created < a->now ? f->created : a->now));
    json_object_set_new(o, "id", json_string(f->id));
    json_object_set_new(o, "resource", json_string(f->resource));
    json_object_set_new(o, "resourceType", json_string(f->resource_type));
    json_object_set_new(o, "resourceOwnerAccount", json_string(a->cfg->account_id));
    json_object_set_new(o, "status", json_string("ACTIVE"));
    json_object_set_new(o, "updatedAt", time_json(a->now));
    if (details)
        json_object_set(o, "findingDetails", f->details);
    json_object_set_new(o, "findingType", json_string(f->type));
    return o;
}

/* --filter: Access Analyzer's criteria map over findingType, resource, resourceType, status
 * and id, each with "eq", "neq" or "contains" (a list of values). */
static int filter_parse(const char *arg, json_t **ret) {
    char *text = NULL;
    size_t len;
    const char *src;
    json_error_t je;
    json_t *j;
    const char *key;
    json_t *crit;
    int r;

    if ((r = iamctl_read_param(arg, &text, &len, &src)) < 0)
        return iamctl_fail("--filter: %s", strerror(-r));
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!json_is_object(j)) {
        json_decref(j);
        return iamctl_usage("--filter: %s:%d:%d: a JSON object such as "
                            "{\"findingType\": {\"eq\": [\"UnusedIAMRole\"]}}",
                            src, je.line, je.column);
    }
    json_object_foreach(j, key, crit) {
        const char *op;
        json_t *vals;

        if (strcmp(key, "findingType") != 0 && strcmp(key, "resource") != 0 &&
            strcmp(key, "resourceType") != 0 && strcmp(key, "status") != 0 &&
            strcmp(key, "id") != 0) {
            json_decref(j);
            return iamctl_usage("--filter: ValidationException: cannot filter on '%.64s' "
                                "(findingType, resource, resourceType, status, id)",
                                key);
        }
        json_object_foreach(crit, op, vals) {
            if ((strcmp(op, "eq") != 0 && strcmp(op, "neq") != 0 && strcmp(op, "contains") != 0) ||
                !json_is_array(vals)) {
                json_decref(j);
                return iamctl_usage("--filter: %s: use \"eq\", \"neq\" or \"contains\" with a "
                                    "list of values",
                                    key);
            }
        }
    }
    *ret = j;
    return 0;
}

static bool filter_match(json_t *filter, const json_t *summary) {
    const char *key;
    json_t *crit;

    json_object_foreach(filter, key, crit) {
        const char *have = json_string_value(json_object_get(summary, key));
        const char *op;
        json_t *vals;

        if (!have)
            return false;
        json_object_foreach(crit, op, vals) {
            size_t i;
            json_t *v;
            bool any = false;

            json_array_foreach(vals, i, v) {
                const char *s = json_string_value(v);

                if (!s)
                    continue;
                if (strcmp(op, "contains") == 0)
                    any |= strstr(have, s) != NULL;
                else
                    any |= strcmp(have, s) == 0;
            }
            if (strcmp(op, "neq") == 0 ? any : !any)
                return false;
        }
    }
    return true;
}

int verb_list_findings_v2(int argc, char *argv[]) {
    struct opt opts[] = {{"unused-access-age", OPT_VALUE}, {"filter", OPT_VALUE},
                         {"max-results", OPT_VALUE},       {"next-token", OPT_VALUE},
                         {"audit-log", OPT_LIST},          {"analyzer-arn", OPT_VALUE},
                         {NULL}};
    struct analysis a = {0};
    struct findings f = {0};
    json_t *filter = NULL, *list = NULL;
    size_t max = FINDINGS_DEFAULT_RESULTS, skip = 0, shown = 0, matched = 0;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if (opt_get(opts, "filter")->value && (r = filter_parse(opt_get(opts, "filter")->value,
                                                            &filter)))
        goto out;
    if (opt_get(opts, "max-results")->value) {
        char *end;
        const char *v = opt_get(opts, "max-results")->value;

        errno = 0;
        max = strtoul(v, &end, 10);
        if (errno || *end || v[0] == '-' || max < 1 || max > 1000) {
            r = iamctl_usage("list-findings-v2: --max-results is 1 to 1000");
            goto out;
        }
    }
    if (opt_get(opts, "next-token")->value) {
        char *end;
        const char *v = opt_get(opts, "next-token")->value;

        errno = 0;
        skip = strtoul(v, &end, 10);
        if (errno || *end || v[0] == '-') {
            r = iamctl_usage("list-findings-v2: ValidationException: the token is not one "
                             "list-findings-v2 gave");
            goto out;
        }
    }
    if ((r = analyse(opts, &a, &f)))
        goto out;
    list = json_array();
    for (size_t i = 0; i < f.n; i++) {
        json_t *s = finding_summary(&a, &f.v[i], false);

        if (filter && !filter_match(filter, s)) {
            json_decref(s);
            continue;
        }
        if (matched++ < skip || shown >= max) {
            json_decref(s);
            continue;
        }
        json_array_append_new(list, s);
        shown++;
    }
    {
        json_t *o = json_pack("{s:o}", "findings", list);

        list = NULL;
        if (skip + shown < matched) {
            char tok[32];

            snprintf(tok, sizeof(tok), "%zu", skip + shown);
            json_object_set_new(o, "nextToken", json_string(tok));
        }
        r = print_json(o);
    }
out:
    json_decref(list);
    json_decref(filter);
    findings_free(&f);
    analysis_done(&a);
    opts_free(opts);
    return r;
}

int verb_get_finding_v2(int argc, char *argv[]) {
    struct opt opts[] = {{"id", OPT_VALUE, true},  {"unused-access-age", OPT_VALUE},
                         {"audit-log", OPT_LIST},  {"analyzer-arn", OPT_VALUE},
                         {"max-results", OPT_VALUE}, {"next-token", OPT_VALUE},
                         {NULL}};
    struct analysis a = {0};
    struct findings f = {0};
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    if ((r = analyse(opts, &a, &f)))
        goto out;
    r = iamctl_fail("ResourceNotFoundException: no finding %.64s (its access may have been used "
                    "or removed since: list-findings-v2 shows what holds now)",
                    opt_get(opts, "id")->value);
    for (size_t i = 0; i < f.n; i++)
        if (strcmp(f.v[i].id, opt_get(opts, "id")->value) == 0) {
            r = print_json(finding_summary(&a, &f.v[i], true));
            break;
        }
out:
    findings_free(&f);
    analysis_done(&a);
    opts_free(opts);
    return r;
}

/* "us-east-1" from arn:aws:ec2:us-east-1:..., or "N/A" */
static void region_of(const char *arn, char *out, size_t size) {
    const char *p = arn;

    snprintf(out, size, "N/A");
    for (int i = 0; i < 3 && p; i++)
        p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL;
    if (p && *p != ':') {
        size_t n = strcspn(p, ":");

        if (n > 0 && n < size)
            snprintf(out, size, "%.*s", (int)n, p);
    }
}

int verb_get_access_key_last_used(int argc, char *argv[]) {
    struct opt opts[] = {{"access-key-id", OPT_VALUE, true}, {"audit-log", OPT_LIST}, {NULL}};
    struct analysis a = {0};
    struct iam_trail_files files = {0};
    struct iam_config *cfg_copy = NULL;
    const struct ident *p;
    const char *key_id, *service = NULL, *host = NULL;
    struct iam_error e;
    struct trail_progress prog;
    int64_t last;
    json_t *lu;
    int r;

    if ((r = opts_parse(argc, argv, opts)))
        goto out;
    key_id = opt_get(opts, "access-key-id")->value;
    if ((r = ident_open(&a.ids)))
        goto out;
    a.cfg = ident_config(a.ids);
    p = ident_by_key(a.ids, key_id, NULL);
    if (!p) {
        r = iamctl_fail("NoSuchEntity: the access key %.32s does not exist", key_id);
        goto out;
    }
    if (!opt_get(opts, "audit-log")->n_list && (r = trail_load_config(&cfg_copy)))
        goto out;
    if (opt_get(opts, "audit-log")->n_list || strcmp(a.cfg->audit_log, "none") != 0) {
        r = trail_files(opt_get(opts, "audit-log"), &cfg_copy, &files);
        if (r)
            goto out;
        trail_progress_init(&prog, "reading the trail");
        iam_error_init(&e);
        r = usage_collect(&files, p->arn, &a.u, trail_progress_cb, &prog, &e);
        trail_progress_done(&prog);
        if (r < 0) {
            r = r == -ENOMEM ? iamctl_fail("out of memory") : iamctl_fail_error(&e);
            goto out;
        }
    }
    last = key_last_used(&a, key_id, &service, &host);
    if (last) {
        char region[64];

        region_of(host && *host ? host : a.cfg->host_arn, region, sizeof(region));
        lu = json_pack("{s:o,s:s,s:s}", "LastUsedDate", time_json(last), "ServiceName",
                       service && *service ? service : "N/A", "Region", region);
        /* AWS prints times with an offset here, as in every IAM response */
        if (lu) {
            char t[32];

            trail_format_time(last, t);
            json_object_set_new(lu, "LastUsedDate", json_string(t));
        }
    } else {
        lu = json_pack("{s:s,s:s}", "ServiceName", "N/A", "Region", "N/A");
    }
    r = print_json(json_pack("{s:s,s:o}", "UserName", p->name, "AccessKeyLastUsed", lu));
out:
    iam_config_free(cfg_copy);
    iam_trail_files_free(&files);
    analysis_done(&a);
    opts_free(opts);
    return r;
}
