/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy engine benchmark (not a test: it prints figures).
 *
 * A realistic user: 10 identity policies, 40 statements, conditions on aws:SourceIp,
 * aws:CurrentTime, aws:PrincipalTag/..., StringLike, and policy variables in Resource. A stream
 * of different requests (action, resource, source address, time, user vary) is evaluated on
 * one core; we report the median of several runs (thread CPU time, so other load on the
 * machine does not count) in decisions/s and ns/decision, the decision
 * mix, the separate per-request cost of building a context, and parse+compile time per KB.
 *
 *   bench_policy [--runs N] [--requests N] [--dump FILE]
 *
 * --dump writes the request stream and each decision as JSON, so the Cedar side-by-side
 * (tests/bench/cedar/) evaluates exactly the same requests and checks it decides the same.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iam/policy.h"

#define ACCOUNT "123456789012"

/* ---- The policy set -------------------------------------------------------------------- */

static const char *const svc8[] = {"ec2", "ssm", "logs", "kms", "sqs", "sns", "dynamodb",
                                   "lambda"};

static char *policy_texts[10];
static size_t n_policies;

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    char *s = NULL;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    va_end(ap);
    return s;
}

static void build_policies(void) {
    policy_texts[n_policies++] = xasprintf(
        "{\n"
        "  \"Version\": \"2012-10-17\",\n"
        "  \"Statement\": [\n"
        "    {\"Sid\": \"HostLogin\", \"Effect\": \"Allow\", \"Action\": \"host:Login\",\n"
        "     \"Resource\": \"arn:aws:ec2:*:" ACCOUNT ":instance/*\",\n"
        "     \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": [\"10.0.0.0/8\", "
        "\"192.168.0.0/16\"]}}},\n"
        "    {\"Sid\": \"HostSudo\", \"Effect\": \"Allow\", \"Action\": \"host:Sudo\",\n"
        "     \"Resource\": \"arn:aws:ec2:*:" ACCOUNT ":instance/*\",\n"
        "     \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": \"ops\"},\n"
        "                   \"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}},\n"
        "    {\"Sid\": \"HostExpiry\", \"Effect\": \"Deny\", \"Action\": \"host:*\", "
        "\"Resource\": \"*\",\n"
        "     \"Condition\": {\"DateGreaterThan\": {\"aws:CurrentTime\": "
        "\"2027-01-01T00:00:00Z\"}}},\n"
        "    {\"Sid\": \"ProdSudoOpsOnly\", \"Effect\": \"Deny\", \"Action\": \"host:Sudo\",\n"
        "     \"Resource\": \"arn:aws:ec2:*:" ACCOUNT ":instance/i-prod*\",\n"
        "     \"Condition\": {\"StringNotEquals\": {\"aws:PrincipalTag/team\": \"ops\"}}}\n"
        "  ]\n"
        "}\n");
    policy_texts[n_policies++] = xasprintf(
        "{\n"
        "  \"Version\": \"2012-10-17\",\n"
        "  \"Statement\": [\n"
        "    {\"Sid\": \"HomeRW\", \"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\", "
        "\"s3:PutObject\"],\n"
        "     \"Resource\": \"arn:aws:s3:::home/${aws:username}/*\"},\n"
        "    {\"Sid\": \"HomeList\", \"Effect\": \"Allow\", \"Action\": \"s3:ListBucket\", "
        "\"Resource\": \"arn:aws:s3:::home\"},\n"
        "    {\"Sid\": \"NoRemoteDelete\", \"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\",\n"
        "     \"Resource\": \"arn:aws:s3:::home/*\",\n"
        "     \"Condition\": {\"NotIpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}},\n"
        "    {\"Sid\": \"SharedRead\", \"Effect\": \"Allow\", \"Action\": \"s3:Get*\", "
        "\"Resource\": \"arn:aws:s3:::shared/*\",\n"
        "     \"Condition\": {\"StringLike\": {\"aws:PrincipalTag/project\": \"proj-*\"}}}\n"
        "  ]\n"
        "}\n");
    for (size_t i = 0; i < 8; i++) {
        const char *s = svc8[i];

        policy_texts[n_policies++] = xasprintf(
            "{\n"
            "  \"Version\": \"2012-10-17\",\n"
            "  \"Statement\": [\n"
            "    {\"Sid\": \"Read\", \"Effect\": \"Allow\",\n"
            "     \"Action\": [\"%s:Describe*\", \"%s:List*\", \"%s:Get*\"],\n"
            "     \"Resource\": \"arn:aws:%s:*:" ACCOUNT ":*\",\n"
            "     \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"10.0.0.0/8\"}}},\n"
            "    {\"Sid\": \"Write\", \"Effect\": \"Allow\", \"Action\": [\"%s:Create*\", "
            "\"%s:Update*\"],\n"
            "     \"Resource\": \"arn:aws:%s:us-east-1:" ACCOUNT ":*\",\n"
            "     \"Condition\": {\"StringEquals\": {\"aws:PrincipalTag/team\": [\"ops\", "
            "\"dev\"]},\n"
            "                   \"DateLessThan\": {\"aws:CurrentTime\": "
            "\"2027-01-01T00:00:00Z\"}}},\n"
            "    {\"Sid\": \"DeleteOpsOnly\", \"Effect\": \"Deny\", \"Action\": \"%s:Delete*\", "
            "\"Resource\": \"*\",\n"
            "     \"Condition\": {\"StringNotLike\": {\"aws:PrincipalTag/team\": \"ops*\"}}},\n"
            "    {\"Sid\": \"OwnThings\", \"Effect\": \"Allow\", \"Action\": \"%s:*\",\n"
            "     \"Resource\": \"arn:aws:%s:*:" ACCOUNT ":thing/${aws:username}-*\",\n"
            "     \"Condition\": {\"StringLike\": {\"aws:PrincipalTag/project\": \"proj-*\"}}}\n"
            "  ]\n"
            "}\n",
            s, s, s, s, s, s, s, s, s, s);
    }
}

/* ---- The request stream ---------------------------------------------------------------- */

struct user {
    const char *name, *team, *project;
};
static const struct user users[] = {
    {"alice", "ops", "proj-a"},
    {"bob", "dev", "proj-b"},
    {"carol", "finance", NULL},
    {"dave", "ops-oncall", NULL},
};

struct req {
    const struct user *user;
    char action[64];
    char resource[160];
    char ip[48];
    char time[32];
    long long epoch;
    struct iam_context *ctx;
    enum iam_decision_kind decision;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const verbs[] = {"Describe", "List", "Get", "Create", "Update", "Delete", "Put",
                                    "Tag"};
static const char *const regions[] = {"us-east-1", "eu-west-1"};

static void make_request(struct req *r) {
    const struct user *u = &users[rnd((sizeof(users) / sizeof(users[0])))];
    uint32_t kind = rnd(10);
    const char *region = regions[rnd(2)];

    r->user = u;
    if (kind < 3) {
        r->user = u;
        snprintf(r->action, sizeof(r->action), "host:%s", rnd(2) ? "Login" : "Sudo");
        snprintf(r->resource, sizeof(r->resource), "arn:aws:ec2:%s:" ACCOUNT ":instance/i-%s%04x",
                 region, rnd(4) ? "" : "prod", rnd(65536));
    } else if (kind < 5) {
        static const char *const s3a[] = {"GetObject", "PutObject", "DeleteObject", "ListBucket",
                                          "GetObjectTagging"};
        const char *act = s3a[rnd((sizeof(s3a) / sizeof(s3a[0])))];
        uint32_t where = rnd(4);

        snprintf(r->action, sizeof(r->action), "s3:%s", act);
        if (strcmp(act, "ListBucket") == 0)
            snprintf(r->resource, sizeof(r->resource), "arn:aws:s3:::%s",
                     where ? "home" : "shared");
        else if (where == 0)
            snprintf(r->resource, sizeof(r->resource), "arn:aws:s3:::shared/doc%u.txt", rnd(100));
        else
            snprintf(r->resource, sizeof(r->resource), "arn:aws:s3:::home/%s/f%u",
                     users[rnd((sizeof(users) / sizeof(users[0])))].name, rnd(100));
    } else {
        const char *s = svc8[rnd(8)];
        const char *v = verbs[rnd((sizeof(verbs) / sizeof(verbs[0])))];

        snprintf(r->action, sizeof(r->action), "%s:%sThing%u", s, v, rnd(3));
        snprintf(r->resource, sizeof(r->resource), "arn:aws:%s:%s:" ACCOUNT ":thing/%s-%u", s,
                 region, rnd(3) ? users[rnd((sizeof(users) / sizeof(users[0])))].name : "team", rnd(1000));
    }
    switch (rnd(3)) {
    case 0:
        snprintf(r->ip, sizeof(r->ip), "10.%u.%u.%u", rnd(256), rnd(256), rnd(256));
        break;
    case 1:
        snprintf(r->ip, sizeof(r->ip), "192.168.%u.%u", rnd(256), rnd(256));
        break;
    default:
        snprintf(r->ip, sizeof(r->ip), "203.0.113.%u", rnd(256));
        break;
    }
    /* Mostly 2026, sometimes past the 2027-01-01 expiry. */
    r->epoch = 1767225600LL + (long long)rnd(365 * 86400) + (rnd(8) == 0 ? 365LL * 86400 : 0);
    {
        time_t t = (time_t)r->epoch;
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(r->time, sizeof(r->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
}

/* The context a PAM module would build for this request (the keys iam/host.h marks as always present). */
static struct iam_context *build_context(const struct req *r) {
    struct iam_context *ctx = NULL;
    char arn[128], epoch[32];
    const char *ip[1] = {r->ip}, *now[1] = {r->time}, *ep[1] = {epoch}, *no[1] = {"false"};
    int rc = 0;

    snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCOUNT ":user/%s", r->user->name);
    snprintf(epoch, sizeof(epoch), "%lld", r->epoch);
    if (iam_context_new(&ctx) < 0)
        return NULL;
    rc |= iam_context_add_string(ctx, "aws:username", r->user->name);
    rc |= iam_context_add_string(ctx, "aws:userid", "AIDAEXAMPLEUSERID");
    rc |= iam_context_add_string(ctx, "aws:PrincipalArn", arn);
    rc |= iam_context_add_string(ctx, "aws:PrincipalAccount", ACCOUNT);
    rc |= iam_context_add_string(ctx, "aws:PrincipalType", "User");
    rc |= iam_context_add_string(ctx, "aws:PrincipalTag/team", r->user->team);
    if (r->user->project)
        rc |= iam_context_add_string(ctx, "aws:PrincipalTag/project", r->user->project);
    rc |= iam_context_add(ctx, "aws:SourceIp", IAM_VALUE_IP, false, ip, 1, NULL);
    rc |= iam_context_add(ctx, "aws:CurrentTime", IAM_VALUE_DATE, false, now, 1, NULL);
    rc |= iam_context_add(ctx, "aws:EpochTime", IAM_VALUE_DATE, false, ep, 1, NULL);
    rc |= iam_context_add(ctx, "aws:MultiFactorAuthPresent", IAM_VALUE_BOOLEAN, false, no, 1,
                          NULL);
    rc |= iam_context_add_string(ctx, "host:Service", "sshd");
    if (rc) {
        iam_context_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- Timing ---------------------------------------------------------------------------- */

/* Thread CPU time: on a shared machine the wall clock also counts the time other processes
 * held the core; CPU time is what one core spends on our work. */
static double now_ns(void) {
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int main(int argc, char *argv[]) {
    size_t runs = 7, n_req = 4096, total_bytes = 0;
    const char *dump = NULL;
    struct iam_policy *pol[10] = {0};
    struct iam_policy_ref refs[10];
    struct iam_policy_set set = {0};
    struct req *reqs;
    double *t;
    size_t counts[3] = {0};
    size_t statements = 0;
    volatile size_t sink = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            n_req = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            dump = argv[++i];
        else {
            fprintf(stderr, "usage: bench_policy [--runs N] [--requests N] [--dump FILE]\n");
            return 2;
        }
    }
    if (runs < 1 || n_req < 1)
        return 2;
    t = calloc(runs, sizeof(*t));
    reqs = calloc(n_req, sizeof(*reqs));
    if (!t || !reqs)
        return 1;

    build_policies();
    for (size_t i = 0; i < n_policies; i++) {
        struct iam_error err;
        char buf[700];

        iam_error_init(&err);
        if (iam_policy_compile(policy_texts[i], strlen(policy_texts[i]), IAM_POLICY_IDENTITY,
                               &pol[i], &err) < 0) {
            fprintf(stderr, "policy %zu: %s\n", i, iam_error_format(&err, buf, sizeof(buf)));
            return 1;
        }
        total_bytes += strlen(policy_texts[i]);
        statements += iam_policy_statement_count(pol[i]);
        refs[i] = (struct iam_policy_ref){pol[i], "bench", "IAM Policy"};
    }
    set.identity = refs;
    set.n_identity = n_policies;
    printf("policy set: %zu policies, %zu statements, %zu bytes\n", n_policies, statements,
           total_bytes);

    /* Parse + compile time per KB. */
    for (size_t r = 0; r < runs; r++) {
        size_t reps = 200;
        double t0 = now_ns();

        for (size_t k = 0; k < reps; k++)
            for (size_t i = 0; i < n_policies; i++) {
                struct iam_policy *p = NULL;

                if (iam_policy_compile(policy_texts[i], strlen(policy_texts[i]),
                                       IAM_POLICY_IDENTITY, &p, NULL) < 0)
                    return 1;
                iam_policy_free(p);
            }
        t[r] = (now_ns() - t0) / ((double)reps * (double)total_bytes / 1024.0);
    }
    printf("parse+compile: median %.1f us per KB of policy (%zu runs)\n", median(t, runs) / 1e3,
           runs);

    /* The request stream and the per-request context cost. */
    for (size_t i = 0; i < n_req; i++)
        make_request(&reqs[i]);
    for (size_t r = 0; r < runs; r++) {
        double t0 = now_ns();

        for (size_t i = 0; i < n_req; i++) {
            struct iam_context *c = build_context(&reqs[i]);

            if (!c)
                return 1;
            sink += (size_t)c;
            iam_context_free(c);
        }
        t[r] = (now_ns() - t0) / (double)n_req;
    }
    printf("context build (12 keys, parse + free): median %.0f ns per request\n",
           median(t, runs));
    for (size_t i = 0; i < n_req; i++) {
        reqs[i].ctx = build_context(&reqs[i]);
        if (!reqs[i].ctx)
            return 1;
    }

    /* Decisions. */
    for (size_t i = 0; i < n_req; i++) {
        struct iam_request q = {reqs[i].action, reqs[i].resource, NULL, reqs[i].ctx};
        struct iam_decision d;

        if (iam_evaluate(&set, &q, &d) < 0)
            return 1;
        reqs[i].decision = d.decision;
        counts[d.decision]++;
    }
    {
        size_t loops = 0;
        double best = 0;

        /* Enough passes over the stream for ~0.3 s per run. */
        {
            double t0 = now_ns();

            for (size_t i = 0; i < n_req; i++) {
                struct iam_request q = {reqs[i].action, reqs[i].resource, NULL, reqs[i].ctx};
                struct iam_decision d;

                sink += (size_t)iam_evaluate(&set, &q, &d);
                sink += d.decision;
            }
            loops = (size_t)(3e8 / (now_ns() - t0 + 1));
            if (loops < 1)
                loops = 1;
        }
        for (size_t r = 0; r < runs; r++) {
            double t0 = now_ns();

            for (size_t l = 0; l < loops; l++)
                for (size_t i = 0; i < n_req; i++) {
                    struct iam_request q = {reqs[i].action, reqs[i].resource, NULL, reqs[i].ctx};
                    struct iam_decision d;

                    sink += (size_t)iam_evaluate(&set, &q, &d);
                    sink += d.decision;
                }
            t[r] = (now_ns() - t0) / ((double)loops * (double)n_req);
        }
        best = median(t, runs);
        printf("decisions: %zu distinct requests x %zu passes, median %.1f ns/decision = %.2f "
               "million decisions/s on one core (%zu runs)\n",
               n_req, loops, best, 1e3 / best, runs);
        printf("decision mix: allowed %zu, explicitDeny %zu, implicitDeny %zu\n",
               counts[IAM_DECISION_ALLOWED], counts[IAM_DECISION_EXPLICIT_DENY],
               counts[IAM_DECISION_IMPLICIT_DENY]);
        printf("IAM_NS_PER_DECISION=%.1f\n", best);
    }

    if (dump) {
        FILE *f = fopen(dump, "we");

        if (!f) {
            fprintf(stderr, "%s: %s\n", dump, strerror(errno));
            return 1;
        }
        fputs("[\n", f);
        for (size_t i = 0; i < n_req; i++) {
            const struct req *r = &reqs[i];

            fputs("{\"user\":", f);
            json_str(f, r->user->name);
            fputs(",\"team\":", f);
            json_str(f, r->user->team);
            if (r->user->project) {
                fputs(",\"project\":", f);
                json_str(f, r->user->project);
            }
            fputs(",\"action\":", f);
            json_str(f, r->action);
            fputs(",\"resource\":", f);
            json_str(f, r->resource);
            fputs(",\"ip\":", f);
            json_str(f, r->ip);
            fprintf(f, ",\"epoch\":%lld,\"time\":", r->epoch);
            json_str(f, r->time);
            fputs(",\"decision\":", f);
            json_str(f, iam_decision_name(r->decision));
            fputs(i + 1 < n_req ? "},\n" : "}\n", f);
        }
        fputs("]\n", f);
        if (fclose(f) != 0)
            return 1;
    }
    for (size_t i = 0; i < n_req; i++)
        iam_context_free(reqs[i].ctx);
    for (size_t i = 0; i < n_policies; i++) {
        iam_policy_free(pol[i]);
        free(policy_texts[i]);
    }
    free(reqs);
    free(t);
    return sink == 42 ? 3 : 0;
}
