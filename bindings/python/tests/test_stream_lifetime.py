"""nax.Stream's hold on its client and its free: a stream that fails to build
gives back only the hold it took, and a close() after a close from a callback
returns only once the stream is freed.

A "stalled call" is a client call blocked inside libnax on a server that
accepted the connection and never answers; the test sees it in flight when
accept() returns, and ends it by closing that connection."""

import gc
import socket
import threading

import pytest

import nax
from conftest import PAIR

WAIT_S = 20


class StalledCall:
    """c.ticker() on another thread, held inside libnax until end()."""

    def __init__(self):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(4)
        self.srv.settimeout(WAIT_S)
        self.client = nax.Client(f"http://127.0.0.1:{self.srv.getsockname()[1]}",
                                 request_timeout_ms=WAIT_S * 1000, max_attempts=1)
        self.error = None
        self.thread = threading.Thread(target=self._call)
        self.thread.start()
        self.conn, _ = self.srv.accept()  # the call is now inside libnax

    def _call(self):
        try:
            self.client.ticker(PAIR)
        except nax.NaxError as e:
            self.error = e

    def end(self):
        self.conn.close()  # the call fails at once
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive()
        self.srv.close()
        assert isinstance(self.error, nax.NaxError)


@pytest.fixture
def stalled():
    s = StalledCall()
    yield s
    if s.thread.is_alive():
        s.end()


def test_failed_stream_new_gives_back_only_its_own_hold(stalled):
    c = stalled.client
    assert len(c._users) == 1  # the stalled call
    with pytest.raises(nax.InvalidArgumentError):
        nax.Stream(f"ticker:{PAIR}", client=c, ping_interval_ms=5)  # refused by nax_stream_new
    gc.collect()  # the half-built Stream's __del__ runs
    assert len(c._users) == 1, "the failed Stream gave back a hold it did not take"
    c.close()  # deferred: the call is still in flight
    assert c._owned, "the client was freed under the stalled call"
    stalled.end()
    assert not c._owned and not c._users  # the call's return freed it


def test_stream_refused_by_a_closing_client_gives_back_nothing(stalled):
    c = stalled.client
    c.close()  # deferred: a call is in flight
    with pytest.raises(nax.InvalidStateError):
        c.stream(f"ticker:{PAIR}")
    gc.collect()
    assert len(c._users) == 1 and c._owned, "the handle went while a call used it"
    stalled.end()
    assert not c._owned and not c._users


def test_failed_subscribe_in_the_constructor_frees_the_stream_at_once(public):
    with pytest.raises(nax.InvalidArgumentError) as ei:
        nax.Stream(f"ticker:{PAIR}", "nonsense", client=public)
    # the traceback still reaches the half-built stream: no collection helped
    assert ei.value.field == "channels[1]"
    assert not public._users, "the stream kept its hold on the client"
    del ei
    gc.collect()
    assert not public._users
    assert public.ticker(PAIR).pair == PAIR  # the client is intact


def test_close_after_close_from_a_callback_waits_for_the_free(public, monkeypatch):
    """The callback closes the stream (a helper thread frees it) and stays in
    the callback, so the helper's nax_stream_free waits. A close() from here
    must not return before that free and the client's release are done; it
    lets the callback return only once it waits (else this would deadlock)."""
    freeing, release = threading.Event(), threading.Event()
    real_free = nax._lib.nax_stream_free

    def spy_free(h):
        freeing.set()
        real_free(h)

    monkeypatch.setattr(nax._lib, "nax_stream_free", spy_free)
    holder = {}

    def on_state(ev):
        if ev.state == "LIVE" and "s" in holder:
            holder["s"].close()  # on the stream's thread: a helper frees it
            release.wait(WAIT_S)  # hold the stream's thread in the callback

    holder["s"] = s = nax.Stream(f"ticker:{PAIR}", client=public, on_state=on_state)

    class ReleasingEvent(threading.Event):
        """The stream's "freed" event: the first wait on it lets the
        callback return, since close() is now waiting."""

        def wait(self, timeout=None):
            release.set()
            return super().wait(timeout)

    s._done = ReleasingEvent()
    s.start()
    assert freeing.wait(WAIT_S), "the helper never started freeing"
    assert len(public._users) == 1  # the stream's hold, not yet given back
    s.close()
    users_at_return = len(public._users)
    release.set()  # (without the wait above: let the callback go now)
    assert users_at_return == 0, "close() returned before the stream was freed"
    assert s.state == "CLOSED" and s not in nax.stream._open_streams
