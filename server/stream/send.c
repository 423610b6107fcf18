/* Control messages for one connection: acks, `error` and `lagging`. */
#include <string.h>

#include "internal.h"

static void push_encoded(naxd__conn *c, nax_type type, const void *obj)
{
    naxd__msg *m;
    if (naxd__msg_encode(c->s, &m, type, obj, NULL, 0)) {
        naxd__conn_close(c, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION, "cannot encode");
        return;
    }
    naxd__conn_push(c, m);
    if (!m->refs)
        nax__free(m);
}

void naxd__send_ack(naxd__conn *c, nax_stream_op_kind op, uint64_t id, const char *code,
                    const char *field, const char *message)
{
    nax_error_body err = {sizeof(err), code, message, field, NULL};
    nax_stream_ack ack = {sizeof(ack), op, id, code == NULL, code ? &err : NULL};
    push_encoded(c, NAX_TYPE_STREAM_ACK, &ack);
}

void naxd__send_error(naxd__conn *c, const char *channel, const char *code, const char *message)
{
    nax_error_body err = {sizeof(err), code, message, NULL, NULL};
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = channel;
    msg.type = NAX_STREAM_MSG_ERROR;
    msg.ts = naxd__now(c->s);
    msg.error = &err;
    push_encoded(c, NAX_TYPE_STREAM_MESSAGE, &msg);
}

void naxd__send_lagging(naxd__conn *c, const char *channel)
{
    nax_stream_message msg;
    memset(&msg, 0, sizeof(msg));
    msg.struct_size = sizeof(msg);
    msg.channel = channel;
    msg.type = NAX_STREAM_MSG_LAGGING;
    msg.ts = naxd__now(c->s);
    push_encoded(c, NAX_TYPE_STREAM_MESSAGE, &msg);
}
