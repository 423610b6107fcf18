/*
 * Memory behaviour, through a counting allocator installed with
 * nax_global_init(): a typical decoded object is one allocation, yajl's own
 * allocations never reach the heap for small messages, nothing leaks, and
 * when the k-th allocation fails decode and encode fail cleanly with
 * NAX_ENOMEM for every k.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_test.h"

typedef struct counting {
    long allocations; /* successful malloc/realloc-from-NULL calls */
    long live;        /* blocks allocated and not yet freed */
    long fail_at;     /* the allocation number that fails (1-based), 0 = never */
    long attempts;    /* allocation attempts since the last reset */
} counting;

static counting counters;

static int should_fail(void)
{
    counters.attempts++;
    return counters.fail_at != 0 && counters.attempts == counters.fail_at;
}

static void *count_malloc(size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p) {
        counters.allocations++;
        counters.live++;
    }
    return p;
}

static void *count_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) {
        counters.allocations++;
        counters.live++;
    }
    return p;
}

static void count_free(void *ptr, void *ud)
{
    (void)ud;
    if (ptr)
        counters.live--;
    free(ptr);
}

static void reset(long fail_at)
{
    counters.allocations = 0;
    counters.live = 0;
    counters.attempts = 0;
    counters.fail_at = fail_at;
}

static void setup(void)
{
    nax_allocator a = {NAX_ALLOCATOR_VERSION, count_malloc, count_realloc, count_free, NULL};
    ck_assert_int_eq(nax_global_init(&a), 0);
    reset(0);
}

static void teardown(void)
{
    reset(0);
    nax_global_shutdown();
}

/* ---- inputs ---- */

typedef struct input {
    nax_type type;
    char *json;
    size_t len;
    char name[96];
} input;

/* The full.json of every type. */
static size_t load_full_files(input *out)
{
    size_t n = 0;
    for (int t = NAX_TYPE_ERROR_BODY; t <= NAX_TYPE_STREAM_MESSAGE; t++) {
        snprintf(out[n].name, sizeof out[n].name, "%s/full.json", nax_type_name((nax_type)t));
        out[n].type = (nax_type)t;
        out[n].json = read_file(golden_path(out[n].name), &out[n].len);
        ck_assert_ptr_nonnull(out[n].json);
        n++;
    }
    return n;
}

/* A book of `levels` levels a side, in canonical form. */
static char *big_book(int levels, size_t *len)
{
    size_t cap = (size_t)levels * 64 + 256, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "{\"pair\":\"BTC-AUD\",\"seq\":1,\"bids\":[");
    for (int i = 0; i < levels; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s[\"%d.%02d\",\"0.%08d\"]", i ? "," : "", 90000 - i,
                              i % 100, i + 1);
    n += (size_t)snprintf(s + n, cap - n, "],\"asks\":[");
    for (int i = 0; i < levels; i++)
        n +=
            (size_t)snprintf(s + n, cap - n, "%s[\"%d.5\",\"%d\"]", i ? "," : "", 90001 + i, i + 1);
    n += (size_t)snprintf(s + n, cap - n, "],\"checksum\":0,\"ts\":1}");
    *len = n;
    return s;
}

/* ---- tests ---- */

START_TEST(a_typical_object_is_one_allocation)
{
    input in[44];
    size_t n = load_full_files(in);
    for (size_t i = 0; i < n; i++) {
        reset(0);
        void *obj = NULL;
        ck_assert_int_eq(nax_decode(&obj, in[i].type, in[i].json, in[i].len, NULL), 0);
        ck_assert_msg(counters.allocations == 1 && counters.live == 1,
                      "%s: %ld allocations, %ld live after decode", in[i].name,
                      counters.allocations, counters.live);
        nax_object_free(obj);
        ck_assert_int_eq(counters.live, 0);
        free(in[i].json);
    }
}
END_TEST

START_TEST(failed_decodes_free_everything)
{
    input in[44];
    size_t n = load_full_files(in);
    for (size_t i = 0; i < n; i++) {
        const char *bad[] = {"{\"x\":1", "[1,2]", "{\"a\":\"\xff\"}", "{\"x\":[[[{}]]]} x"};
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            reset(0);
            void *obj = NULL;
            ck_assert_int_ne(nax_decode(&obj, in[i].type, bad[b], strlen(bad[b]), NULL), 0);
            ck_assert_int_eq(counters.live, 0);
        }
        /* A schema error after most of the object was built. */
        char *broken = strdup(in[i].json);
        broken[in[i].len - 1] = ',';
        char *text = malloc(in[i].len + 32);
        snprintf(text, in[i].len + 32, "%s\"zzz\":1,\"zzz\":2,%s", broken, "\"q\":}");
        reset(0);
        void *obj = NULL;
        ck_assert_int_ne(nax_decode(&obj, in[i].type, text, strlen(text), NULL), 0);
        ck_assert_int_eq(counters.live, 0);
        free(text);
        free(broken);
        free(in[i].json);
    }
}
END_TEST

/* Fails allocation k = 1, 2, ... until decoding succeeds; every failure must
 * be NAX_ENOMEM with nothing left allocated. Returns the allocations needed. */
static long decode_under_failures(nax_type type, const char *json, size_t len, const char *name)
{
    for (long k = 1;; k++) {
        reset(k);
        void *obj = (void *)&obj;
        int rc = nax_decode(&obj, type, json, len, NULL);
        if (rc == 0) {
            ck_assert_msg(counters.attempts < k, "%s: success although allocation %ld failed", name,
                          k);
            nax_object_free(obj);
            ck_assert_int_eq(counters.live, 0);
            return k - 1;
        }
        ck_assert_msg(rc == NAX_ENOMEM, "%s: allocation %ld failed: got %d (%s)", name, k, rc,
                      nax_error_last()->message);
        ck_assert_int_eq(nax_error_last()->code, NAX_ENOMEM);
        ck_assert_ptr_null(obj);
        ck_assert_msg(counters.live == 0, "%s: %ld blocks leaked when allocation %ld failed", name,
                      counters.live, k);
    }
}

static long encode_under_failures(nax_type type, const void *obj, const char *expected,
                                  const char *name)
{
    for (long k = 1;; k++) {
        nax_buf buf = NAX_BUF_INIT;
        reset(k);
        int rc = nax_encode(&buf, type, obj);
        if (rc == 0) {
            ck_assert_str_eq(buf.data, expected);
            nax_buf_dispose(&buf);
            ck_assert_int_eq(counters.live, 0);
            return k - 1;
        }
        ck_assert_msg(rc == NAX_ENOMEM, "%s: allocation %ld failed: got %d (%s)", name, k, rc,
                      nax_error_last()->message);
        ck_assert_uint_eq(buf.len, 0);
        nax_buf_dispose(&buf);
        ck_assert_msg(counters.live == 0, "%s: leak when allocation %ld failed", name, k);
    }
}

START_TEST(every_allocation_failure_is_clean)
{
    input in[44];
    size_t n = load_full_files(in);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(decode_under_failures(in[i].type, in[i].json, in[i].len, in[i].name), 1);
        reset(0);
        void *obj = decode_ok_at(in[i].type, in[i].json, in[i].len, in[i].name, 0);
        ck_assert_int_ge(encode_under_failures(in[i].type, obj, in[i].json, in[i].name), 1);
        nax_object_free(obj);
        free(in[i].json);
    }
}
END_TEST

START_TEST(large_objects_grow_the_arena)
{
    size_t len;
    char *json = big_book(3000, &len);
    reset(0);
    nax_order_book *b = decode_ok_at(NAX_TYPE_ORDER_BOOK, json, len, __FILE__, __LINE__);
    ck_assert_uint_eq(b->bids_count, 3000);
    ck_assert_uint_eq(b->asks_count, 3000);
    ASSERT_DEC(&b->bids[2999].price, "87001.99");
    ASSERT_DEC(&b->asks[2999].quantity, "3000");
    /* A few arena chunks, not one allocation per level. */
    ck_assert_int_le(counters.live, 8);
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_BOOK, b), json);
    nax_object_free(b);
    reset(0);
    long needed = decode_under_failures(NAX_TYPE_ORDER_BOOK, json, len, "big book");
    ck_assert_int_gt(needed, 2);
    free(json);

    /* Many nested objects and strings. */
    size_t cap = 400 * 320, n = 0;
    char *list = malloc(cap);
    n += (size_t)snprintf(list + n, cap - n, "{\"orders\":[");
    for (int i = 0; i < 400; i++)
        n += (size_t)snprintf(list + n, cap - n,
                              "%s{\"id\":\"o_%d\",\"pair\":\"BTC-AUD\",\"side\":\"buy\","
                              "\"type\":\"market\",\"quantity\":\"%d.5\","
                              "\"filled_quantity\":\"0\",\"time_in_force\":\"IOC\","
                              "\"status\":\"filled\",\"created_at\":%d,\"updated_at\":%d}",
                              i ? "," : "", i, i, i + 1, i + 2);
    n += (size_t)snprintf(list + n, cap - n, "],\"next_cursor\":\"c\"}");
    reset(0);
    nax_order_list *l = decode_ok_at(NAX_TYPE_ORDER_LIST, list, n, __FILE__, __LINE__);
    ck_assert_uint_eq(l->orders_count, 400);
    ck_assert_str_eq(l->orders[399]->id, "o_399");
    ck_assert_str_eq(ENCODE_OK(NAX_TYPE_ORDER_LIST, l), list);
    nax_object_free(l);
    decode_under_failures(NAX_TYPE_ORDER_LIST, list, n, "big order list");
    free(list);
}
END_TEST

START_TEST(long_escaped_strings_leave_nothing_behind)
{
    /* Long strings with escapes make yajl outgrow its pool and use the heap. */
    size_t count = 5000, cap = count * 2 + 64;
    char *json = malloc(cap);
    size_t n = (size_t)snprintf(json, cap, "{\"status\":\"");
    for (size_t i = 0; i < count / 2; i++) {
        json[n++] = '\\';
        json[n++] = 'n';
    }
    n += (size_t)snprintf(json + n, cap - n, "\",\"store\":\"ok\",\"version\":\"1\"}");
    reset(0);
    nax_health *h = decode_ok_at(NAX_TYPE_HEALTH, json, n, __FILE__, __LINE__);
    ck_assert_uint_eq(strlen(h->status), count / 2);
    ck_assert_int_eq(counters.live, 1);
    ck_assert_int_gt(counters.allocations, 1); /* yajl's buffer did reach the heap */
    nax_object_free(h);
    ck_assert_int_eq(counters.live, 0);
    free(json);
}
END_TEST

START_TEST(encoding_into_a_reused_buffer_does_not_allocate)
{
    nax_health h = {sizeof h, "ok", "ok", "0.1.0"};
    nax_buf buf = NAX_BUF_INIT;
    ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_HEALTH, &h), 0);
    reset(0);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(nax_encode(&buf, NAX_TYPE_HEALTH, &h), 0);
    ck_assert_int_eq(counters.allocations, 0);
    nax_buf_dispose(&buf);
}
END_TEST

START_TEST(checksum_does_not_allocate)
{
    nax_book_level lv[30];
    for (int i = 0; i < 30; i++) {
        lv[i].price = DEC("97250.50");
        lv[i].quantity = DEC("1.000");
    }
    uint32_t crc;
    reset(1); /* the first allocation would fail */
    ck_assert_int_eq(nax_book_checksum(&crc, lv, 30, lv, 30), 0);
    ck_assert_int_eq(counters.attempts, 0);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("codec_memory");
    TCase *tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, a_typical_object_is_one_allocation);
    tcase_add_test(tc, failed_decodes_free_everything);
    tcase_add_test(tc, every_allocation_failure_is_clean);
    tcase_add_test(tc, large_objects_grow_the_arena);
    tcase_add_test(tc, long_escaped_strings_leave_nothing_behind);
    tcase_add_test(tc, encoding_into_a_reused_buffer_does_not_allocate);
    tcase_add_test(tc, checksum_does_not_allocate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(memory_suite());
}
