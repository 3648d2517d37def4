/* SPDX-License-Identifier: Apache-2.0 */
/* Typed values of the condition operators: exact decimals (Numeric*), ISO 8601 and epoch dates
 * (Date*), IPv4/IPv6 CIDRs (IpAddress), base64 (BinaryEquals), booleans (Bool, Null). */
#include "policy_test_util.h"
#include "policy/policy_private.h"

static int numcmp(const char *a, const char *b) {
    struct iam_num x, y;

    assert_int_equal(iam_num_parse(a, strlen(a), &x), 0);
    assert_int_equal(iam_num_parse(b, strlen(b), &y), 0);
    return iam_num_cmp(&x, &y);
}

static bool num_ok(const char *s) {
    struct iam_num x;

    return iam_num_parse(s, strlen(s), &x) == 0;
}

static void numbers(void **state) {
    (void)state;
    assert_int_equal(numcmp("10", "10.0"), 0);
    assert_int_equal(numcmp("1e1", "10"), 0);
    assert_int_equal(numcmp("0.1", "0.10"), 0);
    assert_int_equal(numcmp("-0", "0"), 0);
    assert_int_equal(numcmp("0.000", "0"), 0);
    assert_int_equal(numcmp("9.999", "10"), -1);
    assert_int_equal(numcmp("-2", "-1"), -1);
    assert_int_equal(numcmp("-1", "0"), -1);
    assert_int_equal(numcmp("100", "99.9999999999999999999999"), 1);
    assert_int_equal(numcmp("0.05", "0.5"), -1);
    assert_int_equal(numcmp("12345678901234567890", "12345678901234567891"), -1);
    assert_int_equal(numcmp("1.5E-3", "0.0015"), 0);
    assert_int_equal(numcmp(".5", "0.5"), 0);
    assert_int_equal(numcmp("+3", "3"), 0);
    assert_false(num_ok(""));
    assert_false(num_ok("abc"));
    assert_false(num_ok("1x"));
    assert_false(num_ok("."));
    assert_false(num_ok("1e"));
    assert_false(num_ok("--1"));
    assert_false(num_ok("0x10"));
    assert_false(num_ok(" 1"));
    assert_false(num_ok("NaN"));
    assert_false(num_ok("Infinity"));
}

static int64_t tsec(const char *s) {
    struct iam_time t;

    if (iam_time_parse(s, strlen(s), &t) != 0)
        fail_msg("date '%s' did not parse", s);
    return t.sec;
}

static bool time_ok(const char *s) {
    struct iam_time t;

    return iam_time_parse(s, strlen(s), &t) == 0;
}

static void dates(void **state) {
    struct iam_time a, b;
    (void)state;

    assert_int_equal(tsec("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(tsec("2020-01-01"), 1577836800);
    assert_int_equal(tsec("2020-01-01T00:00:00Z"), 1577836800);
    assert_int_equal(tsec("2020-01-01T00:00Z"), 1577836800);
    assert_int_equal(tsec("2020-01-01T00:00:00"), 1577836800);
    assert_int_equal(tsec("2020-01-01T01:00:00+01:00"), 1577836800);
    assert_int_equal(tsec("2020-01-01T01:00:00+0100"), 1577836800);
    assert_int_equal(tsec("2019-12-31T19:00:00-05:00"), 1577836800);
    assert_int_equal(tsec("2020-02-29T00:00:00Z"), 1582934400);
    assert_int_equal(tsec("1577836800"), 1577836800);
    assert_int_equal(tsec("0"), 0);
    assert_int_equal(tsec("2000-03-01"), 951868800);
    assert_int_equal(tsec("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(iam_time_parse("2020-01-01T00:00:00.250Z", 24, &a), 0);
    assert_int_equal(a.nsec, 250000000);
    assert_int_equal(iam_time_parse("1577836800.25", 13, &b), 0);
    assert_int_equal(iam_time_cmp(&a, &b), 0);
    assert_false(time_ok(""));
    assert_false(time_ok("2020-1-01"));
    assert_false(time_ok("2020-13-01"));
    assert_false(time_ok("2021-02-29"));
    assert_false(time_ok("2020-04-31"));
    assert_false(time_ok("2020-01-01T24:00:00Z"));
    assert_false(time_ok("2020-01-01T00:60Z"));
    assert_false(time_ok("2020-01-01 00:00:00Z"));
    assert_false(time_ok("2020-01-01T00:00:00ZZ"));
    assert_false(time_ok("2020-01-01T00:00:00+25:00"));
    assert_false(time_ok("2020-01-01T00:00:00."));
    assert_false(time_ok("tomorrow"));
    assert_false(time_ok("12-"));
}

static bool in(const char *net, const char *addr) {
    struct iam_cidr n, a;

    assert_int_equal(iam_cidr_parse(net, strlen(net), &n), 0);
    assert_int_equal(iam_cidr_parse(addr, strlen(addr), &a), 0);
    return iam_cidr_contains(&n, &a);
}

static bool cidr_ok(const char *s) {
    struct iam_cidr c;

    return iam_cidr_parse(s, strlen(s), &c) == 0;
}

static void cidrs(void **state) {
    (void)state;
    assert_true(in("10.0.0.0/8", "10.255.255.255"));
    assert_false(in("10.0.0.0/8", "11.0.0.0"));
    assert_true(in("10.1.2.3/8", "10.9.9.9")); /* host bits ignored */
    assert_true(in("0.0.0.0/0", "1.2.3.4"));
    assert_true(in("1.2.3.4/32", "1.2.3.4"));
    assert_true(in("1.2.3.4", "1.2.3.4"));
    assert_false(in("1.2.3.4/32", "1.2.3.5"));
    assert_true(in("192.168.0.0/23", "192.168.1.200"));
    assert_false(in("192.168.0.0/23", "192.168.2.0"));
    assert_true(in("::/0", "2001:db8::1"));
    assert_false(in("::/0", "1.2.3.4"));
    assert_false(in("0.0.0.0/0", "2001:db8::1"));
    assert_true(in("2001:db8::/32", "2001:db8:ffff:ffff::"));
    assert_true(in("2001:db8::1/128", "2001:DB8::1"));
    assert_false(in("2001:db8::1/128", "2001:db8::2"));
    /* IPv4-mapped IPv6 is IPv4, on either side. */
    assert_true(in("10.0.0.0/8", "::ffff:10.1.1.1"));
    assert_true(in("::ffff:10.0.0.0/104", "10.1.1.1"));
    assert_false(in("::ffff:10.0.0.0/104", "11.1.1.1"));
    /* A request network inside the policy network. */
    assert_true(in("10.0.0.0/8", "10.1.0.0/16"));
    assert_false(in("10.0.0.0/16", "10.0.0.0/8"));
    assert_false(cidr_ok("10.0.0.0/33"));
    assert_false(cidr_ok("10.0.0"));
    assert_false(cidr_ok("10.0.0.256"));
    assert_false(cidr_ok("010.0.0.1"));
    assert_false(cidr_ok("10.0.0.0/"));
    assert_false(cidr_ok("10.0.0.0/08"));
    assert_false(cidr_ok("10.0.0.0/a"));
    assert_false(cidr_ok("::1/129"));
    assert_false(cidr_ok("gg::1"));
    assert_false(cidr_ok(""));
    assert_false(cidr_ok("example.com"));
}

static void base64_and_bool(void **state) {
    uint8_t out[16];
    bool b;
    (void)state;

    assert_int_equal(iam_base64_decode("QmluYXJ5", 8, out, sizeof(out)), 6);
    assert_memory_equal(out, "Binary", 6);
    assert_int_equal(iam_base64_decode("YQ==", 4, out, sizeof(out)), 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(iam_base64_decode("YWI=", 4, out, sizeof(out)), 2);
    assert_int_equal(iam_base64_decode("", 0, out, sizeof(out)), 0);
    assert_int_equal(iam_base64_decode("YQ=", 3, out, sizeof(out)), -EINVAL);
    assert_int_equal(iam_base64_decode("Y===", 4, out, sizeof(out)), -EINVAL);
    assert_int_equal(iam_base64_decode("YR==", 4, out, sizeof(out)), -EINVAL); /* non-canonical */
    assert_int_equal(iam_base64_decode("Y!==", 4, out, sizeof(out)), -EINVAL);
    assert_int_equal(iam_base64_decode("YQ==YQ==", 8, out, sizeof(out)), -EINVAL);
    assert_int_equal(iam_bool_parse("TRUE", 4, &b), 0);
    assert_true(b);
    assert_int_equal(iam_bool_parse("false", 5, &b), 0);
    assert_false(b);
    assert_int_equal(iam_bool_parse("yes", 3, &b), -EINVAL);
    assert_int_equal(iam_bool_parse("1", 1, &b), -EINVAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers),
        cmocka_unit_test(dates),
        cmocka_unit_test(cidrs),
        cmocka_unit_test(base64_and_bool),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
