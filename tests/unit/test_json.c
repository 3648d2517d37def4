/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iam/json.h"

static struct iam_json_doc *parse_ok(const char *text) {
    struct iam_json_doc *doc = NULL;
    struct iam_error err;

    iam_error_init(&err);
    int r = iam_json_parse(text, strlen(text), NULL, &doc, &err);
    if (r < 0)
        fail_msg("parse of %s failed: %d %u:%u %s", text, r, err.line, err.column, err.text);
    return doc;
}

/* Parse must fail with code r at line:column and a message containing want. */
static void parse_bad(const char *text, size_t len, int want_r, unsigned line, unsigned column,
                      const char *want) {
    struct iam_json_doc *doc = NULL;
    struct iam_error err;
    int r;

    iam_error_init(&err);
    r = iam_json_parse(text, len, NULL, &doc, &err);
    assert_int_equal(r, want_r);
    assert_null(doc);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    if (!strstr(err.text, want))
        fail_msg("message \"%s\" lacks \"%s\"", err.text, want);
}

static void test_positions(void **state) {
    (void)state;
    const char *text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": "
                       "\"Allow\"}\n  ]\n}";
    struct iam_json_doc *doc = parse_ok(text);
    const struct iam_json *root = iam_json_root(doc), *st, *s0;
    const struct iam_json_member *m;

    assert_int_equal(root->type, IAM_JSON_OBJECT);
    assert_int_equal(root->start.line, 1);
    assert_int_equal(root->start.column, 1);
    assert_int_equal(root->end.line, 6);
    assert_int_equal(root->end.column, 2);
    m = iam_json_member(root, "Version");
    assert_non_null(m);
    assert_int_equal(m->key_pos.line, 2);
    assert_int_equal(m->key_pos.column, 3);
    assert_int_equal(m->value->start.column, 14);
    assert_string_equal(m->value->u.str.s, "2012-10-17");
    st = iam_json_get(root, "Statement");
    assert_true(iam_json_is_array(st));
    assert_int_equal(st->u.arr.n, 1);
    s0 = st->u.arr.items[0];
    assert_int_equal(s0->start.line, 4);
    assert_int_equal(s0->start.column, 5);
    assert_int_equal(s0->end.line, 4);
    assert_int_equal(s0->end.column, 24);
    assert_null(iam_json_get(root, "statement"));
    assert_ptr_equal(iam_json_get_ci(root, "statement"), st);
    iam_json_doc_free(doc);
}

static void test_columns_count_code_points(void **state) {
    (void)state;
    /* "é" is two bytes but one column. */
    struct iam_json_doc *doc = parse_ok("[\"\xc3\xa9\", 1]");
    const struct iam_json *root = iam_json_root(doc);

    assert_int_equal(root->u.arr.items[1]->start.column, 7);
    assert_int_equal(root->u.arr.items[1]->start.offset, 7);
    iam_json_doc_free(doc);
}

static void test_scalars(void **state) {
    (void)state;
    struct iam_json_doc *doc =
        parse_ok("[true, false, null, -0.5e2, 0, 12345678901234567890, \"a\\\"b\\\\c\\/\\n\"]");
    const struct iam_json *a = iam_json_root(doc);

    assert_int_equal(a->u.arr.n, 7);
    assert_int_equal(a->u.arr.items[0]->type, IAM_JSON_TRUE);
    assert_int_equal(a->u.arr.items[1]->type, IAM_JSON_FALSE);
    assert_int_equal(a->u.arr.items[2]->type, IAM_JSON_NULL);
    assert_int_equal(a->u.arr.items[3]->type, IAM_JSON_NUMBER);
    assert_true(a->u.arr.items[3]->u.num.value == -50.0);
    assert_string_equal(a->u.arr.items[3]->u.num.text, "-0.5e2");
    assert_string_equal(a->u.arr.items[5]->u.num.text, "12345678901234567890");
    assert_string_equal(a->u.arr.items[6]->u.str.s, "a\"b\\c/\n");
    assert_int_equal(a->u.arr.items[6]->u.str.len, 7);
    iam_json_doc_free(doc);
}

static void test_unicode_escapes(void **state) {
    (void)state;
    struct iam_json_doc *doc = parse_ok("\"\\u00e9\\u20AC\\ud83d\\ude00\"");
    const struct iam_json *s = iam_json_root(doc);

    assert_string_equal(s->u.str.s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    iam_json_doc_free(doc);
}

static void test_numbers_ignore_locale(void **state) {
    (void)state;
    /* If a decimal-comma locale is available, strtod would stop at '.'; we must not. */
    const char *old = setlocale(LC_NUMERIC, NULL);
    char *saved = old ? strdup(old) : NULL;

    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        free(saved);
        skip(); /* no decimal-comma locale installed here */
    }
    struct iam_json_doc *doc = parse_ok("1.5");
    assert_true(iam_json_root(doc)->u.num.value == 1.5);
    iam_json_doc_free(doc);
    (void)setlocale(LC_NUMERIC, saved ? saved : "C");
    free(saved);
}

static void test_errors(void **state) {
    (void)state;
    parse_bad("", 0, -EINVAL, 1, 1, "empty document");
    parse_bad("  \n ", 4, -EINVAL, 2, 2, "empty document");
    parse_bad("{\"a\": 1,\n \"a\": 2}", 17, -EINVAL, 2, 2, "duplicate key \"a\"");
    parse_bad("{\"a\" 1}", 7, -EINVAL, 1, 6, "expected ':'");
    parse_bad("[1, 2,]", 7, -EINVAL, 1, 7, "expected a JSON value");
    parse_bad("[1 2]", 5, -EINVAL, 1, 4, "expected ',' or ']'");
    parse_bad("{\"a\": tru}", 10, -EINVAL, 1, 7, "expected a JSON value");
    parse_bad("01", 2, -EINVAL, 1, 2, "unexpected text after");
    parse_bad("1.", 2, -EINVAL, 1, 3, "digit after '.'");
    parse_bad("-", 1, -EINVAL, 1, 2, "expected a digit");
    parse_bad("1e", 2, -EINVAL, 1, 3, "exponent");
    parse_bad("\"abc", 4, -EINVAL, 1, 1, "unterminated string");
    parse_bad("\"a\nb\"", 5, -EINVAL, 1, 3, "control character");
    parse_bad("\"\\x\"", 4, -EINVAL, 1, 2, "bad escape");
    parse_bad("\"\\u12\"", 6, -EINVAL, 1, 2, "four hex digits");
    parse_bad("\"\\u0000\"", 8, -EINVAL, 1, 2, "\\u0000");
    parse_bad("\"\\ud800\"", 8, -EINVAL, 1, 2, "unpaired high surrogate");
    parse_bad("\"\\udc00\"", 8, -EINVAL, 1, 2, "unpaired low surrogate");
    parse_bad("\"\xff\"", 3, -EINVAL, 1, 2, "invalid UTF-8");
    parse_bad("\"\xc0\xaf\"", 4, -EINVAL, 1, 2, "invalid UTF-8");       /* overlong '/' */
    parse_bad("\"\xed\xa0\x80\"", 5, -EINVAL, 1, 2, "invalid UTF-8");   /* surrogate */
    parse_bad("\"\xf4\x90\x80\x80\"", 6, -EINVAL, 1, 2, "invalid UTF-8"); /* > U+10FFFF */
    parse_bad("[1] x", 5, -EINVAL, 1, 5, "unexpected text");
    parse_bad("{\"a\":1}\0", 8, -EINVAL, 1, 8, "unexpected text");
    parse_bad("{'a':1}", 7, -EINVAL, 1, 2, "member name in double quotes");
}

static void test_nul_byte_is_refused(void **state) {
    (void)state;
    static const char text[] = {'{', '"', 'a', '"', ':', '\0', '}'};

    parse_bad(text, sizeof(text), -EINVAL, 1, 6, "expected a JSON value");
}

static void test_depth_limit(void **state) {
    (void)state;
    size_t n = 100000;
    char *deep = malloc(2 * n);
    struct iam_json_doc *doc = NULL;
    struct iam_json_opts opts = {.max_depth = 10};
    struct iam_error err;

    assert_non_null(deep);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(deep, 2 * n, NULL, &doc, &err), -E2BIG);
    assert_int_equal(err.column, IAM_JSON_DEFAULT_MAX_DEPTH + 1);
    assert_non_null(strstr(err.text, "nesting deeper than 64"));
    /* Exactly at the limit is fine. */
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(deep + n - 10, 20, &opts, &doc, &err), 0);
    iam_json_doc_free(doc);
    doc = NULL;
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(deep + n - 11, 22, &opts, &doc, &err), -E2BIG);
    free(deep);
}

static void test_many_keys_duplicates(void **state) {
    (void)state;
    /* Above the linear-scan threshold the duplicate check sorts; the later key is reported. */
    char buf[4096];
    size_t o = 0;
    struct iam_json_doc *doc = NULL;
    struct iam_error err;

    o += (size_t)snprintf(buf + o, sizeof(buf) - o, "{");
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\"k%d\":%d,", i, i);
    o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\"k7\":0}");
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(buf, o, NULL, &doc, &err), -EINVAL);
    assert_non_null(strstr(err.text, "duplicate key \"k7\""));
    assert_int_equal(err.offset, o - 7);

    struct iam_json_opts allow = {.allow_duplicate_keys = true};
    assert_int_equal(iam_json_parse(buf, o, &allow, &doc, NULL), 0);
    assert_int_equal(iam_json_root(doc)->u.obj.n, 41);
    iam_json_doc_free(doc);
}

static void test_bom_and_empty_containers(void **state) {
    (void)state;
    struct iam_json_doc *doc = parse_ok("\xEF\xBB\xBF{\"a\": [], \"b\": {}}");
    const struct iam_json *root = iam_json_root(doc);

    assert_int_equal(iam_json_get(root, "a")->u.arr.n, 0);
    assert_int_equal(iam_json_get(root, "b")->u.obj.n, 0);
    assert_int_equal(root->start.column, 1);
    iam_json_doc_free(doc);
}

static void test_over_size_limit(void **state) {
    (void)state;
    struct iam_json_doc *doc = NULL;
    struct iam_error err;

    iam_error_init(&err);
    /* The length is checked before any byte is read. */
    assert_int_equal(iam_json_parse("", (size_t)IAM_JSON_MAX_INPUT + 1, NULL, &doc, &err), -E2BIG);
    assert_null(doc);
}

/* Deferred items: checked whole as they are read, kept as stubs, parsed again on their own
 * with the positions of the whole text. */
struct seen_items {
    size_t n;
    char keys[4][16];
    size_t index[4];
};

static void note_item(void *ctx, const char *key, size_t index, const struct iam_json *item) {
    struct seen_items *s = ctx;

    assert_true(item->type == IAM_JSON_OBJECT && !item->deferred && item->u.obj.n == 1);
    if (s->n < 4) {
        snprintf(s->keys[s->n], sizeof(s->keys[0]), "%s", key ? key : "(none)");
        s->index[s->n] = index;
    }
    s->n++;
}

static void test_deferred_items(void **state) {
    (void)state;
    static const char text[] = "{\"a\": [{\"x\": 1},\n  {\"y\": [2, 3]}],\n \"b\": [{\"z\": \"\\u00e9\"}], \"c\": 4}";
    static const char dup[] = "{\"a\": [{\"x\": 1},\n  {\"y\": 2, \"y\": 3}]}";
    static const char bad[] = "{\"a\": [{\"x\": 1},\n  {\"y\": tru}]}";
    struct seen_items seen = {0};
    struct iam_json_opts opts = {.defer_depth = 2, .on_deferred = note_item, .ctx = &seen};
    struct iam_json_doc *doc = NULL, *item = NULL;
    const struct iam_json *a, *y;
    struct iam_error err;

    iam_error_init(&err);
    assert_int_equal(iam_json_parse(text, strlen(text), &opts, &doc, &err), 0);
    assert_int_equal(seen.n, 3);
    assert_string_equal(seen.keys[0], "a");
    assert_string_equal(seen.keys[1], "a");
    assert_int_equal(seen.index[1], 1);
    assert_string_equal(seen.keys[2], "b");
    a = iam_json_get(iam_json_root(doc), "a");
    assert_int_equal(a->u.arr.n, 2);
    assert_true(a->u.arr.items[1]->deferred);
    assert_int_equal(a->u.arr.items[1]->type, IAM_JSON_OBJECT);
    assert_int_equal(a->u.arr.items[1]->u.obj.n, 0);
    assert_false(iam_json_get(iam_json_root(doc), "c")->deferred);
    assert_int_equal(iam_json_parse_item(text, a->u.arr.items[1], NULL, &item, &err), 0);
    y = iam_json_get(iam_json_root(item), "y");
    assert_int_equal(y->u.arr.n, 2);
    assert_int_equal(y->start.line, 2);
    assert_int_equal(y->start.column, 9);
    assert_int_equal(y->u.arr.items[1]->start.offset, (size_t)(strstr(text, "3]") - text));
    iam_json_doc_free(item);
    item = NULL;
    assert_int_equal(iam_json_parse_item(text, iam_json_get(iam_json_root(doc), "b")->u.arr.items[0],
                                         NULL, &item, &err), 0);
    assert_string_equal(iam_json_get(iam_json_root(item), "z")->u.str.s, "\xC3\xA9");
    iam_json_doc_free(item);
    iam_json_doc_free(doc);
    doc = NULL;
    /* an error inside a deferred item is found by the first parse, at its place */
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(dup, strlen(dup), &opts, &doc, &err), -EINVAL);
    assert_null(doc);
    assert_non_null(strstr(err.text, "duplicate key \"y\""));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 12);
    iam_error_init(&err);
    assert_int_equal(iam_json_parse(bad, strlen(bad), &opts, &doc, &err), -EINVAL);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 9);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_columns_count_code_points),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_unicode_escapes),
        cmocka_unit_test(test_numbers_ignore_locale),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_byte_is_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_many_keys_duplicates),
        cmocka_unit_test(test_bom_and_empty_containers),
        cmocka_unit_test(test_over_size_limit),
        cmocka_unit_test(test_deferred_items),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
