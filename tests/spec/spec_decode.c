/*
 * spec_decode: feeds the examples of docs/openapi.yaml and docs/asyncapi.yaml
 * through the libnax codec.
 *
 * Input (stdin): one example per line, "<type_name>\t<json>", where type_name
 * is what nax_type_name() returns. For each line the program decodes the JSON,
 * encodes the object again, decodes that encoding and encodes it once more.
 * Success prints "ok\t<line>\t<encoded json>" so the caller can compare the
 * round trip with the example; complete order books must also carry the checksum
 * nax_book_checksum() computes. Any failure prints one "FAIL line <n>: ..."
 * line naming the JSON path from nax_error_last(). Exit status: 0 when every
 * line passed and there was at least one, 1 otherwise.
 */
#include <nax.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Type numbers are small and stable; 100 leaves room for growth. */
#define MAX_TYPE_NUMBER 100

static nax_type type_by_name(const char *name)
{
    for (int t = 1; t <= MAX_TYPE_NUMBER; t++) {
        if (strcmp(nax_type_name((nax_type)t), name) == 0) {
            return (nax_type)t;
        }
    }
    return NAX_TYPE_NONE;
}

static void report_failure(unsigned long line_no, const char *type_name, const char *step, int rc)
{
    const nax_error *err = nax_error_last();
    printf("FAIL line %lu: %s: %s failed (%s): field '%s': %s\n", line_no, type_name, step,
           nax_strerror(rc), err->field, err->message);
}

/* Encodes obj into out, decodes the encoding and encodes that again: the bytes must not change. */
static int check_round_trip(unsigned long line_no, const char *type_name, nax_type type,
                            const void *obj, nax_buf *out)
{
    void *again = NULL;
    nax_buf second = NAX_BUF_INIT;
    int rc = nax_encode(out, type, obj);
    if (rc != 0) {
        report_failure(line_no, type_name, "nax_encode", rc);
        return -1;
    }
    rc = nax_decode(&again, type, out->data, out->len, NULL);
    if (rc != 0) {
        report_failure(line_no, type_name, "nax_decode of the re-encoded JSON", rc);
        return -1;
    }
    rc = nax_encode(&second, type, again);
    if (rc != 0) {
        report_failure(line_no, type_name, "second nax_encode", rc);
    } else if (second.len != out->len || memcmp(second.data, out->data, out->len) != 0) {
        printf("FAIL line %lu: %s: encoding is not stable: '%s' then '%s'\n", line_no, type_name,
               out->data, second.data);
        rc = -1;
    }
    nax_buf_dispose(&second);
    nax_object_free(again);
    return rc == 0 ? 0 : -1;
}

/* A complete book in an example must carry the checksum nax_book_checksum() computes. */
static int check_book_checksum(unsigned long line_no, const char *type_name, nax_type type,
                               const void *obj)
{
    const nax_book_level *bids, *asks;
    size_t bids_count, asks_count;
    uint32_t claimed, computed;

    if (type == NAX_TYPE_ORDER_BOOK) {
        const nax_order_book *book = obj;
        bids = book->bids, bids_count = book->bids_count;
        asks = book->asks, asks_count = book->asks_count;
        claimed = book->checksum;
    } else if (type == NAX_TYPE_STREAM_MESSAGE) {
        const nax_stream_message *msg = obj;
        if (msg->type != NAX_STREAM_MSG_SNAPSHOT || !msg->has_checksum) {
            return 0; /* an update's checksum depends on the book before it */
        }
        bids = msg->bids, bids_count = msg->bids_count;
        asks = msg->asks, asks_count = msg->asks_count;
        claimed = msg->checksum;
    } else {
        return 0;
    }
    int rc = nax_book_checksum(&computed, bids, bids_count, asks, asks_count);
    if (rc != 0) {
        report_failure(line_no, type_name, "nax_book_checksum", rc);
        return -1;
    }
    if (computed != claimed) {
        printf("FAIL line %lu: %s: checksum %lu, but nax_book_checksum() gives %lu\n", line_no,
               type_name, (unsigned long)claimed, (unsigned long)computed);
        return -1;
    }
    return 0;
}

/* Checks one "<type_name>\t<json>" line (without its newline); 0 when it passed. */
static int check_line(unsigned long line_no, char *line, size_t len)
{
    char *tab = memchr(line, '\t', len);
    if (tab == NULL) {
        printf("FAIL line %lu: no tab between type name and JSON\n", line_no);
        return -1;
    }
    *tab = '\0';
    const char *type_name = line;
    const char *json = tab + 1;
    size_t json_len = len - (size_t)(json - line);

    nax_type type = type_by_name(type_name);
    if (type == NAX_TYPE_NONE) {
        printf("FAIL line %lu: '%s' is not the name of any nax_type\n", line_no, type_name);
        return -1;
    }

    void *obj = NULL;
    int rc = nax_decode(&obj, type, json, json_len, NULL);
    if (rc != 0) {
        report_failure(line_no, type_name, "nax_decode", rc);
        return -1;
    }
    nax_buf encoded = NAX_BUF_INIT;
    rc = check_book_checksum(line_no, type_name, type, obj);
    if (rc == 0) {
        rc = check_round_trip(line_no, type_name, type, obj, &encoded);
    }
    if (rc == 0) {
        printf("ok\t%lu\t%s\n", line_no, encoded.data);
    }
    nax_buf_dispose(&encoded);
    nax_object_free(obj);
    return rc;
}

static void strip_line_end(char *line, size_t *len)
{
    while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r')) {
        line[--*len] = '\0';
    }
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned long line_no = 0, failures = 0;

    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        line_no++;
        strip_line_end(line, &len);
        if (len == 0) {
            continue;
        }
        if (check_line(line_no, line, len) != 0) {
            failures++;
        }
    }
    free(line);

    if (line_no == 0) {
        printf("FAIL: no examples on stdin\n");
        return 1;
    }
    printf("%lu line(s), %lu failure(s)\n", line_no, failures);
    return failures == 0 ? 0 : 1;
}
