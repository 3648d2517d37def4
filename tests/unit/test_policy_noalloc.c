/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam_evaluate() allocates nothing (common/include/iam/policy.h). The process's allocator is
 * replaced by a counting one (tests/helpers/alloc_count.c), so an allocation made anywhere
 * during an evaluation counts: in our code, through strdup/asprintf in the C library, or in a
 * library we call. Identity policies, a permissions boundary and a resource policy, with
 * policy variables, every condition family the engine keeps compiled, allow, deny and
 * implicit deny, same and cross account.
 */
#include "policy_test_util.h"

#include <pthread.h>

#include "alloc_count.h"

#define P1(stmt) "{\"Version\":\"2012-10-17\",\"Statement\":" stmt "}"

static const char *busy_policy =
    P1("[{\"Effect\":\"Allow\",\"Action\":[\"host:*\",\"s3:Get*\"],\"Resource\":"
       "[\"arn:aws:s3:::home/${aws:username}/*\",\"arn:aws:ec2:*:*:instance/*\"],"
       "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\"]},"
       "\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
       "\"StringLike\":{\"aws:PrincipalTag/team\":\"ops*\"},"
       "\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]},"
       "\"NumericLessThan\":{\"s:n\":\"100\"}}},"
       "{\"Effect\":\"Deny\",\"Action\":\"host:Sudo\",\"Resource\":\"*\",\"Condition\":{"
       "\"StringNotEqualsIgnoreCase\":{\"aws:PrincipalTag/Role\":\"${aws:username}\"}}}]");

static const char *more_policy =
    P1("[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"NotResource\":\"arn:aws:s3:::secret*\","
       "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"false\"},"
       "\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:user/${aws:username}\"},"
       "\"BinaryEquals\":{\"s:bin\":\"QUJD\"},"
       "\"StringEqualsIfExists\":{\"host:Tty\":\"pts/${?}\"},"
       "\"Null\":{\"aws:TokenIssueTime\":\"true\"},"
       "\"ForAnyValue:StringLike\":{\"aws:TagKeys\":[\"x*\",\"a\"]},"
       "\"DateGreaterThanEquals\":{\"aws:EpochTime\":\"1700000000\"},"
       "\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}}}]");

static const char *boundary_policy =
    P1("{\"Effect\":\"Allow\",\"Action\":[\"host:Login\",\"host:Sudo\",\"s3:*\"],"
       "\"Resource\":\"*\"}");

static const char *resource_policy =
    P1("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},"
       "\"Action\":\"host:Login\",\"Resource\":\"*\"},"
       "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"host:Shutdown\",\"Resource\":\"*\"}]");

static void fail_if_counted(const struct alloc_count *c, const char *what) {
    char buf[512];

    if (c->allocs != 0 || c->frees != 0)
        fail_msg("%s: %lu allocations and %lu frees; the first: %s", what, c->allocs, c->frees,
                 alloc_count_describe(c, buf, sizeof(buf)));
}

/* The counter sees what the claim needs: allocations inside the C library too. */
static void counter_sees_every_allocation(void **state) {
    struct alloc_count c;
    char *s, *t = NULL;
    (void)state;

    alloc_count_start();
    c = alloc_count_stop();
    assert_int_equal(c.allocs, 0);
    assert_int_equal(c.frees, 0);

    alloc_count_start();
    s = strdup("planted");
    c = alloc_count_stop();
    assert_non_null(s);
    assert_int_equal(c.allocs, 1);
    assert_string_equal(c.first_fn, "malloc");
    free(s);

    alloc_count_start();
    assert_true(asprintf(&t, "%d", 42) > 0);
    free(t);
    c = alloc_count_stop();
    assert_true(c.allocs >= 1);
    assert_int_equal(c.frees, c.allocs);

    /* Compiling a policy allocates, through the same counter. */
    alloc_count_start();
    iam_policy_free(compile_ok(busy_policy));
    c = alloc_count_stop();
    assert_true(c.allocs > 0);
    assert_int_equal(c.frees, c.allocs);
}

static void evaluate_allocates_nothing(void **state) {
    struct iam_policy *busy = compile_ok(busy_policy), *more = compile_ok(more_policy);
    struct iam_policy *bd = compile_ok(boundary_policy), *rp = compile_res_ok(resource_policy);
    struct iam_policy_ref ids[] = {{busy, "PolicyInputList.1", "IAM Policy"},
                                   {more, "PolicyInputList.2", "IAM Policy"}};
    struct iam_policy_ref bref = {bd, "PermissionsBoundaryPolicyInputList.1", "IAM Policy"};
    struct iam_policy_ref rref = {rp, "ResourcePolicy", "resource"};
    struct iam_policy_set set = {.identity = ids, .n_identity = 2};
    struct iam_context *ctx = ctx_make(CTX(
        "aws:username|s|alice", "aws:SourceIp|i|10.1.2.3", "aws:CurrentTime|d|2026-11-28T01:00:00Z",
        "aws:EpochTime|d|1800000000", "aws:PrincipalTag/team|s|opsA", "aws:TagKeys|sL|a|b",
        "s:n|n|5", "s:bin|x|QUJD", "aws:MultiFactorAuthPresent|b|false",
        "aws:PrincipalArn|s|arn:aws:iam::123456789012:user/alice", "host:Tty|s|pts/?"));
    static const char *const actions[] = {"host:Login", "host:Sudo", "s3:GetObject",
                                          "iam:CreateUser", "host:Shutdown"};
    static const char *const resources[] = {"arn:aws:ec2:r:1:instance/i-1",
                                            "arn:aws:s3:::home/alice/f", "arn:aws:s3:::secret/x",
                                            "*"};
    struct iam_request req = {.context = ctx,
                              .principal_arn = "arn:aws:iam::123456789012:user/alice"};
    unsigned seen[4] = {0};
    struct iam_decision d;
    struct alloc_count c;
    (void)state;

    alloc_count_start();
    for (int i = 0; i < 1200; i++) {
        req.action = actions[i % 5];
        req.resource = resources[(i / 5) % 4];
        set.boundary = (i / 20) % 2 ? &bref : NULL;
        set.n_boundary = (i / 20) % 2;
        set.resource = (i / 40) % 2 ? &rref : NULL;
        set.cross_account = (i / 80) % 2;
        if (iam_evaluate(&set, &req, &d) != 0)
            break;
        if ((unsigned)d.decision < 4)
            seen[d.decision]++;
    }
    c = alloc_count_stop();
    fail_if_counted(&c, "iam_evaluate");
    /* The loop went through allow, explicit deny and implicit deny. */
    assert_true(seen[IAM_DECISION_ALLOWED] > 0);
    assert_true(seen[IAM_DECISION_EXPLICIT_DENY] > 0);
    assert_true(seen[IAM_DECISION_IMPLICIT_DENY] > 0);

    iam_context_free(ctx);
    iam_policy_free(rp);
    iam_policy_free(bd);
    iam_policy_free(more);
    iam_policy_free(busy);
}

struct thread_arg {
    const struct iam_policy_set *set;
    const struct iam_context *ctx;
    pthread_barrier_t *start, *done;
    int bad;
};

static void *thread_main(void *v) {
    struct thread_arg *a = v;

    pthread_barrier_wait(a->start);
    for (int i = 0; i < 5000; i++) {
        struct iam_request req = {.action = (i & 1) ? "host:Login" : "host:Sudo",
                                  .resource = "arn:aws:ec2:r:1:instance/i-1", .context = a->ctx};
        struct iam_decision d;

        if (iam_evaluate(a->set, &req, &d) != 0 ||
            d.decision != ((i & 1) ? IAM_DECISION_ALLOWED : IAM_DECISION_EXPLICIT_DENY))
            a->bad++;
    }
    pthread_barrier_wait(a->done);
    return NULL;
}

/* Four threads evaluating at once allocate nothing either (the counter is process-wide). The
 * threads exist before counting starts and exit after it stops: thread creation and exit
 * allocate, evaluation must not. */
static void evaluate_threads_allocate_nothing(void **state) {
    struct iam_policy *p = compile_ok(busy_policy);
    struct iam_policy_ref ref = {p, "PolicyInputList.1", "IAM Policy"};
    struct iam_policy_set set = {.identity = &ref, .n_identity = 1};
    struct iam_context *ctx = ctx_make(CTX("aws:username|s|alice", "aws:SourceIp|i|10.1.2.3",
                                           "aws:CurrentTime|d|2026-11-28T01:00:00Z",
                                           "aws:PrincipalTag/team|s|opsA", "s:n|n|5"));
    pthread_barrier_t start, done;
    pthread_t t[4];
    struct thread_arg args[4];
    struct alloc_count c;
    (void)state;

    assert_int_equal(pthread_barrier_init(&start, NULL, 5), 0);
    assert_int_equal(pthread_barrier_init(&done, NULL, 5), 0);
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){&set, ctx, &start, &done, 0};
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
    }
    alloc_count_start();
    pthread_barrier_wait(&start);
    pthread_barrier_wait(&done);
    c = alloc_count_stop();
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].bad, 0);
    }
    fail_if_counted(&c, "iam_evaluate on four threads");
    pthread_barrier_destroy(&done);
    pthread_barrier_destroy(&start);
    iam_context_free(ctx);
    iam_policy_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counter_sees_every_allocation),
        cmocka_unit_test(evaluate_allocates_nothing),
        cmocka_unit_test(evaluate_threads_allocate_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
