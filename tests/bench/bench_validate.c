/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How long does iam_policy_validate() take on a realistic 6 KB identity policy? It runs on
 * every policy write, so the target is under 1 ms. Prints the median, the 99th percentile and
 * the minimum of many runs, the same for the engine's compile alone (which validation
 * includes), and the number of findings (the policy is clean but for a few suggestions, as a
 * real one would be). Not a timed test: it only reports.
 *
 * Usage: bench_validate [ITERATIONS]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iam/policy.h"
#include "iam/validate.h"

static size_t append(char *buf, size_t size, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t append(char *buf, size_t size, size_t at, const char *fmt, ...) {
    va_list ap;
    int n;

    if (at >= size)
        return at;
    va_start(ap, fmt);
    n = vsnprintf(buf + at, size - at, fmt, ap);
    va_end(ap);
    return n < 0 ? at : at + (size_t)n;
}

/* Statements an operator would write: logins per team with tags, source networks and a
 * change window; sudo for on-call with commands; denies; and the AWS side of the same
 * people's access, with policy variables in resources. */
static size_t build_policy(char *buf, size_t size) {
    static const char *const teams[] = {"ops",   "dba", "web", "data",   "sec",
                                        "build", "qa",  "ml",  "support"};
    size_t n = 0;

    n = append(buf, size, n, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    for (size_t i = 0; i < IAM_ELEMENTSOF(teams); i++)
        n = append(buf, size, n,
                   "    {\n      \"Sid\": \"Login%s\",\n      \"Effect\": \"Allow\",\n"
                   "      \"Action\": \"host:Login\",\n"
                   "      \"Resource\": \"arn:aws:ec2:us-east-1:123456789012:instance/*\",\n"
                   "      \"Condition\": {\n"
                   "        \"StringEquals\": {\"aws:PrincipalTag/team\": \"%s\", "
                   "\"aws:ResourceTag/team\": \"%s\"},\n"
                   "        \"IpAddress\": {\"aws:SourceIp\": [\"10.%zu.0.0/16\", "
                   "\"192.168.%zu.0/24\"]},\n"
                   "        \"StringLike\": {\"host:Service\": [\"sshd\", \"login\", \"su*\"]},\n"
                   "        \"DateLessThan\": {\"aws:CurrentTime\": \"2027-12-31T23:59:59Z\"}\n"
                   "      }\n    },\n",
                   teams[i], teams[i], teams[i], i, i);
    n = append(buf, size, n,
               "    {\n      \"Sid\": \"OnCallSudo\",\n      \"Effect\": \"Allow\",\n"
               "      \"Action\": \"host:Sudo\",\n"
               "      \"Resource\": \"arn:aws:ec2:us-east-1:123456789012:instance/*\",\n"
               "      \"Condition\": {\n"
               "        \"StringEquals\": {\"aws:PrincipalTag/oncall\": \"true\"},\n"
               "        \"StringLike\": {\"host:Command\": [\"/usr/bin/systemctl restart *\", "
               "\"/usr/bin/journalctl *\"]},\n"
               "        \"StringEqualsIfExists\": {\"host:RunAsUser\": \"root\"},\n"
               "        \"DateGreaterThan\": {\"aws:CurrentTime\": \"2026-01-01T00:00:00Z\"}\n"
               "      }\n    },\n"
               "    {\n      \"Sid\": \"NoTelnet\",\n      \"Effect\": \"Deny\",\n"
               "      \"Action\": \"host:*\",\n      \"Resource\": \"*\",\n"
               "      \"Condition\": {\"StringEquals\": {\"host:Service\": [\"telnet\", "
               "\"rsh\", \"rlogin\"]}}\n    },\n"
               "    {\n      \"Sid\": \"NoPasswordsFromOutside\",\n      \"Effect\": \"Deny\",\n"
               "      \"Action\": \"host:Login\",\n      \"Resource\": \"*\",\n"
               "      \"Condition\": {\"StringEquals\": {\"host:AuthMethod\": \"password\"}, "
               "\"NotIpAddressIfExists\": {\"aws:SourceIp\": [\"10.0.0.0/8\", "
               "\"172.16.0.0/12\"]}}\n    },\n"
               "    {\n      \"Sid\": \"OwnHomeBucket\",\n      \"Effect\": \"Allow\",\n"
               "      \"Action\": [\"s3:GetObject\", \"s3:PutObject\", \"s3:DeleteObject\"],\n"
               "      \"Resource\": [\"arn:aws:s3:::home-bucket/${aws:username}/*\", "
               "\"arn:aws:s3:::home-bucket/shared/${aws:PrincipalTag/team, 'none'}/*\"]\n"
               "    },\n"
               "    {\n      \"Sid\": \"ListOwnPrefix\",\n      \"Effect\": \"Allow\",\n"
               "      \"Action\": \"s3:ListBucket\",\n"
               "      \"Resource\": \"arn:aws:s3:::home-bucket\",\n"
               "      \"Condition\": {\"StringLike\": {\"s3:prefix\": [\"${aws:username}/*\", "
               "\"shared/*\"]}}\n    },\n"
               "    {\n      \"Sid\": \"DescribeInstances\",\n      \"Effect\": \"Allow\",\n"
               "      \"Action\": [\"ec2:DescribeInstances\", \"ec2:DescribeTags\", "
               "\"ec2:DescribeInstanceStatus\"],\n      \"Resource\": \"*\"\n    },\n"
               "    {\n      \"Sid\": \"ManageOwnKeys\",\n      \"Effect\": \"Allow\",\n"
               "      \"Action\": [\"iam:CreateAccessKey\", \"iam:DeleteAccessKey\", "
               "\"iam:ListAccessKeys\", \"iam:UpdateAccessKey\"],\n"
               "      \"Resource\": \"arn:aws:iam::123456789012:user/${aws:username}\"\n"
               "    }\n  ]\n}\n");
    return n;
}

static double now_us(void) {
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, size_t n) {
    qsort(t, n, sizeof(t[0]), cmp_double);
    printf("%-28s median %8.1f us   p99 %8.1f us   min %8.1f us\n", what, t[n / 2], t[n * 99 / 100],
           t[0]);
}

int main(int argc, char *argv[]) {
    size_t iterations = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;
    char policy[16384];
    size_t len = build_policy(policy, sizeof(policy));
    double *tv = NULL, *tc = NULL;
    struct iam_findings *f = NULL;
    struct iam_error err;
    size_t nfind = 0;
    int ret = 1;

    if (iterations < 10)
        iterations = 10;
    if (len >= sizeof(policy)) {
        fprintf(stderr, "bench_validate: policy buffer too small\n");
        return 1;
    }
    tv = calloc(iterations, sizeof(*tv));
    tc = calloc(iterations, sizeof(*tc));
    if (!tv || !tc)
        goto out;
    iam_error_init(&err);
    if (iam_policy_validate(policy, len, IAM_POLICY_IDENTITY, &f, &err) < 0) {
        fprintf(stderr, "bench_validate: validation failed: %s\n", err.text);
        goto out;
    }
    nfind = iam_findings_count(f);
    if (iam_findings_has_error(f)) {
        fprintf(stderr, "bench_validate: the benchmark policy has ERROR findings:\n");
        for (size_t i = 0; i < nfind; i++)
            fprintf(stderr, "  %s: %s\n", iam_findings_get(f, i)->issue_code,
                    iam_findings_get(f, i)->details);
        goto out;
    }
    for (size_t i = 0; i < nfind; i++)
        printf("finding: %s %s\n", iam_finding_type_name(iam_findings_get(f, i)->type),
               iam_findings_get(f, i)->issue_code);
    iam_findings_free(f);
    f = NULL;

    for (size_t i = 0; i < iterations; i++) {
        double t0 = now_us();

        if (iam_policy_validate(policy, len, IAM_POLICY_IDENTITY, &f, &err) < 0)
            goto out;
        tv[i] = now_us() - t0;
        iam_findings_free(f);
        f = NULL;
    }
    for (size_t i = 0; i < iterations; i++) {
        struct iam_policy *p = NULL;
        double t0 = now_us();

        if (iam_policy_compile(policy, len, IAM_POLICY_IDENTITY, &p, &err) < 0)
            goto out;
        tc[i] = now_us() - t0;
        iam_policy_free(p);
    }
    printf("policy: %zu bytes, %zu findings (none ERROR), %zu runs each\n", len, nfind, iterations);
    report("validate (checks + engine)", tv, iterations);
    report("engine compile alone", tc, iterations);
    printf("validate median / compile median: %.2f\n", tv[iterations / 2] / tc[iterations / 2]);
    printf("target: under 1000 us per %zu-byte policy: %s\n", len,
           tv[iterations / 2] < 1000.0 ? "met" : "NOT met");
    ret = 0;
out:
    iam_findings_free(f);
    free(tv);
    free(tc);
    return ret;
}
