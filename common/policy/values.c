/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed values for condition operators: exact decimals, ISO 8601 / epoch dates, IPv4/IPv6
 * CIDRs, base64 and booleans. Everything here is locale-independent (we run inside sudo,
 * which calls setlocale) and allocation-free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_private.h"

/* ---- Numbers --------------------------------------------------------------------------- */

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? */
int iam_num_parse(const char *s, size_t len, struct iam_num *ret) {
    struct iam_num n = {0};
    size_t i = 0;
    bool neg = false, any = false, seen_nonzero = false;
    int64_t exp = 0; /* exponent for the position after the last stored digit */
    int64_t dexp = 0;
    int64_t int_digits_after_first = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    /* Integer part. */
    for (; i < len && is_digit(s[i]); i++) {
        any = true;
        if (s[i] == '0' && !seen_nonzero)
            continue;
        seen_nonzero = true;
        if (n.ndigits < IAM_NUM_MAX_DIGITS)
            n.digits[n.ndigits++] = s[i];
        else if (s[i] != '0')
            return -E2BIG;
        int_digits_after_first++;
    }
    if (i < len && s[i] == '.') {
        bool frac_any = false;

        i++;
        for (; i < len && is_digit(s[i]); i++) {
            frac_any = true;
            if (s[i] == '0' && !seen_nonzero) {
                dexp--; /* leading zero after the point moves the first digit right */
                continue;
            }
            seen_nonzero = true;
            if (n.ndigits < IAM_NUM_MAX_DIGITS)
                n.digits[n.ndigits++] = s[i];
            else if (s[i] != '0')
                return -E2BIG;
        }
        if (!frac_any && !any)
            return -EINVAL;
        any = any || frac_any;
    }
    if (!any)
        return -EINVAL;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        bool eneg = false, eany = false;

        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < len && is_digit(s[i]); i++) {
            eany = true;
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
        }
        if (!eany)
            return -EINVAL;
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return -EINVAL;
    /* Strip trailing zeros. */
    while (n.ndigits > 0 && n.digits[n.ndigits - 1] == '0')
        n.ndigits--;
    if (n.ndigits == 0) {
        memset(ret, 0, sizeof(*ret));
        return 0;
    }
    /* value = 0.d1d2... * 10^(int_digits + exp) where int_digits counts the significant
     * integer digits, or the (negative) count of zeros after the point before d1. */
    {
        int64_t e = (int_digits_after_first > 0 ? int_digits_after_first : dexp) + exp;

        if (e > 1000000 || e < -1000000)
            return -E2BIG;
        n.exp = (int32_t)e;
    }
    n.sign = neg ? -1 : 1;
    *ret = n;
    return 0;
}

int iam_num_cmp(const struct iam_num *a, const struct iam_num *b) {
    int mag;
    size_t m;

    if (a->sign != b->sign)
        return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0)
        return 0;
    if (a->exp != b->exp)
        mag = a->exp < b->exp ? -1 : 1;
    else {
        m = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
        mag = memcmp(a->digits, b->digits, m);
        if (mag == 0 && a->ndigits != b->ndigits)
            mag = a->ndigits < b->ndigits ? -1 : 1;
        mag = mag < 0 ? -1 : mag > 0 ? 1 : 0;
    }
    return a->sign > 0 ? mag : -mag;
}

/* ---- Dates ----------------------------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool is_leap(unsigned y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int fixed_digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *ret) {
    unsigned v = 0;

    if (len - *i < n)
        return -EINVAL;
    for (unsigned k = 0; k < n; k++) {
        char c = s[*i + k];

        if (!is_digit(c))
            return -EINVAL;
        v = v * 10 + (unsigned)(c - '0');
    }
    *i += n;
    *ret = v;
    return 0;
}

static int epoch_parse(const char *s, size_t len, struct iam_time *ret) {
    size_t i = 0;
    bool neg = false;
    int64_t sec = 0;
    int32_t nsec = 0;
    unsigned scale = 100000000;

    if (i < len && s[i] == '-')
        neg = true, i++;
    if (i == len || !is_digit(s[i]))
        return -EINVAL;
    for (; i < len && is_digit(s[i]); i++) {
        if (sec > (INT64_MAX - 9) / 10 / 2)
            return -E2BIG;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i == len)
            return -EINVAL;
        for (; i < len && is_digit(s[i]); i++) {
            nsec += (int32_t)((unsigned)(s[i] - '0') * scale);
            scale /= 10;
        }
    }
    if (i != len)
        return -EINVAL;
    if (neg) {
        sec = -sec;
        if (nsec) {
            sec -= 1;
            nsec = 1000000000 - nsec;
        }
    }
    ret->sec = sec;
    ret->nsec = nsec;
    return 0;
}

int iam_time_parse(const char *s, size_t len, struct iam_time *ret) {
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    int32_t nsec = 0;
    int64_t off = 0;
    size_t i = 0;

    if (len == 0)
        return -EINVAL;
    /* Epoch seconds: digits only (optionally signed and with a fraction). */
    {
        size_t k = 0;
        bool only = true;

        for (k = 0; k < len; k++)
            if (!is_digit(s[k]) && s[k] != '.' && !(k == 0 && s[k] == '-'))
                only = false;
        if (only)
            return epoch_parse(s, len, ret);
    }
    if (fixed_digits(s, len, &i, 4, &y) < 0 || i >= len || s[i++] != '-' ||
        fixed_digits(s, len, &i, 2, &mo) < 0 || i >= len || s[i++] != '-' ||
        fixed_digits(s, len, &i, 2, &d) < 0)
        return -EINVAL;
    if (mo < 1 || mo > 12 || d < 1)
        return -EINVAL;
    if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
        return -EINVAL;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't')
            return -EINVAL;
        i++;
        if (fixed_digits(s, len, &i, 2, &h) < 0 || i >= len || s[i++] != ':' ||
            fixed_digits(s, len, &i, 2, &mi) < 0)
            return -EINVAL;
        if (i < len && s[i] == ':') {
            i++;
            if (fixed_digits(s, len, &i, 2, &sec) < 0)
                return -EINVAL;
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                unsigned scale = 100000000;
                bool any = false;

                i++;
                for (; i < len && is_digit(s[i]); i++) {
                    any = true;
                    nsec += (int32_t)((unsigned)(s[i] - '0') * scale);
                    scale /= 10;
                }
                if (!any)
                    return -EINVAL;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -EINVAL;
        if (i < len) {
            if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                int sign = s[i] == '-' ? -1 : 1;
                unsigned oh, om = 0;

                i++;
                if (fixed_digits(s, len, &i, 2, &oh) < 0)
                    return -EINVAL;
                if (i < len) {
                    if (s[i] == ':')
                        i++;
                    if (fixed_digits(s, len, &i, 2, &om) < 0)
                        return -EINVAL;
                }
                if (i != len || oh > 23 || om > 59)
                    return -EINVAL;
                off = sign * (int64_t)(oh * 3600 + om * 60);
            } else {
                return -EINVAL;
            }
        }
    }
    if (i != len)
        return -EINVAL;
    ret->sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    ret->nsec = nsec;
    return 0;
}

int iam_time_cmp(const struct iam_time *a, const struct iam_time *b) {
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    if (a->nsec != b->nsec)
        return a->nsec < b->nsec ? -1 : 1;
    return 0;
}

/* ---- Addresses ------------------------------------------------------------------------- */

static void clear_host_bits(uint8_t *addr, unsigned bytes, unsigned prefix) {
    for (unsigned b = 0; b < bytes; b++) {
        unsigned bit = b * 8;

        if (bit >= prefix)
            addr[b] = 0;
        else if (prefix - bit < 8)
            addr[b] &= (uint8_t)(0xffu << (8 - (prefix - bit)));
    }
}

int iam_cidr_parse(const char *s, size_t len, struct iam_cidr *ret) {
    char buf[64];
    const char *slash;
    size_t alen;
    unsigned prefix = 0;
    bool has_prefix = false;
    struct iam_cidr c = {0};

    if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len))
        return -EINVAL;
    slash = memchr(s, '/', len);
    alen = slash ? (size_t)(slash - s) : len;
    if (slash) {
        size_t i = alen + 1;

        if (i == len || len - i > 3)
            return -EINVAL;
        for (; i < len; i++) {
            if (!is_digit(s[i]))
                return -EINVAL;
            prefix = prefix * 10 + (unsigned)(s[i] - '0');
        }
        if (len - alen - 1 > 1 && s[alen + 1] == '0')
            return -EINVAL; /* no leading zeros in the prefix */
        has_prefix = true;
    }
    memcpy(buf, s, alen);
    buf[alen] = '\0';
    if (inet_pton(AF_INET, buf, c.addr) == 1) {
        c.family = 4;
        if (!has_prefix)
            prefix = 32;
        if (prefix > 32)
            return -EINVAL;
    } else if (memchr(buf, ':', alen) && inet_pton(AF_INET6, buf, c.addr) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

        c.family = 6;
        if (!has_prefix)
            prefix = 128;
        if (prefix > 128)
            return -EINVAL;
        /* IPv4-mapped IPv6 is the IPv4 address (Java's InetAddress, which AWS's evaluator
         * follows, turns ::ffff:a.b.c.d into an Inet4Address). A mapped network wider than
         * /96 is a genuine IPv6 range and stays one. */
        if (memcmp(c.addr, mapped, sizeof(mapped)) == 0 && prefix >= 96) {
            memmove(c.addr, c.addr + 12, 4);
            memset(c.addr + 4, 0, 12);
            c.family = 4;
            prefix -= 96;
        }
    } else {
        return -EINVAL;
    }
    c.prefix = (uint8_t)prefix;
    clear_host_bits(c.addr, c.family == 4 ? 4 : 16, prefix);
    *ret = c;
    return 0;
}

bool iam_cidr_contains(const struct iam_cidr *net, const struct iam_cidr *addr) {
    unsigned full, rem;

    if (net->family != addr->family || addr->prefix < net->prefix)
        return false;
    full = net->prefix / 8;
    rem = net->prefix % 8;
    if (memcmp(net->addr, addr->addr, full) != 0)
        return false;
    if (rem) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rem));

        if ((net->addr[full] & mask) != (addr->addr[full] & mask))
            return false;
    }
    return true;
}

/* ---- Base64 and booleans --------------------------------------------------------------- */

static int b64val(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int iam_base64_decode(const char *s, size_t len, uint8_t *out, size_t out_size) {
    size_t o = 0;

    if (len % 4 != 0)
        return -EINVAL;
    if (len / 4 * 3 > out_size || len / 4 * 3 > (size_t)INT32_MAX)
        return -E2BIG;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        unsigned pad = 0;

        for (unsigned k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad) /* data after padding */
                return -EINVAL;
            v[k] = b64val(s[i + k]);
            if (v[k] < 0)
                return -EINVAL;
        }
        out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
        if (pad < 2)
            out[o++] = (uint8_t)((v[1] & 0xf) << 4 | v[2] >> 2);
        if (pad < 1)
            out[o++] = (uint8_t)((v[2] & 0x3) << 6 | v[3]);
        /* Canonical form: unused bits must be zero. */
        if ((pad == 2 && (v[1] & 0xf)) || (pad == 1 && (v[2] & 0x3)))
            return -EINVAL;
    }
    return (int)o;
}

int iam_bool_parse(const char *s, size_t len, bool *ret) {
    if (len == 4 && strncasecmp(s, "true", 4) == 0) {
        *ret = true;
        return 0;
    }
    if (len == 5 && strncasecmp(s, "false", 5) == 0) {
        *ret = false;
        return 0;
    }
    return -EINVAL;
}
