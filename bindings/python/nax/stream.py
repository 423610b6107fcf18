"""``nax.Stream``: the market stream (``nax_stream``) with callbacks,
``for event in stream`` and ``async for event in stream``.

The C stream runs on a thread of libnax. Each event is encoded there with
libnax's codec and turned into the dataclasses of :mod:`nax.models`, then

- handed to the callback given for its kind (``on_ticker(ticker, flags)``,
  ``on_book(update)``, ``on_state(event)``, ...), on the stream's thread; or
- put on the stream's queue, read by ``for event in stream`` /
  :meth:`Stream.get`, or by ``async for event in stream``, where the stream's
  thread hands each event to the event loop with
  ``loop.call_soon_threadsafe``.

The queue is used when no callback is given (or ``queue=True``); events
that have a callback do not go on it.

Queue policy (bounded, nothing dropped silently): at most ``queue_size``
events (default 1024) wait for the consumer. When it is full the stream's
thread waits for room, which slows the socket reader exactly as a slow C
callback does: naxd then reports ``lagging``, the local book resyncs (a
RESYNCING event, then a fresh snapshot) and the private channels catch up
over REST. Closing the stream releases a waiting thread at once; events
still arriving then are dropped, except the final CLOSED state event, which
always reaches the queue, so iteration ends after yielding it.

An exception raised by a callback stops the stream (CLOSED, reason
``callback``) and is re-raised by :meth:`Stream.close`.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import ctypes
import enum
import threading
import weakref
from ctypes import byref, c_char_p, c_void_p
from typing import Any, Callable, Optional

from . import _core, _lib, _structs
from .errors import InvalidStateError, check
from .models import (Balance, BookTop, BookUpdate, Fill, Order, OrderBook, StateEvent,
                     StreamStats, Ticker, Trade)


class Flags(enum.IntFlag):
    """Event flags of market and private events."""
    NONE = 0
    SNAPSHOT = 1  #: part of the state sent right after subscribing
    CATCHUP = 2  #: fetched over REST after a reconnect


_FLAGS = {i: Flags(i) for i in range(4)}

_STATE_NAMES = {i: _lib.nax_stream_state_name(i).decode() for i in range(7)}
_REASON_NAMES = {i: _lib.nax_stream_reason_name(i).decode() for i in range(32)}
_STATE_NUM = {v: k for k, v in _STATE_NAMES.items()}
_CLOSED = 6

_r_order_book = _structs.reader(OrderBook)


class Event:
    """One item of ``for event in stream``: ``kind`` is ``"state"``,
    ``"ticker"``, ``"trade"``, ``"book"``, ``"order"``, ``"balance"`` or
    ``"fill"``; ``data`` the matching object (StateEvent, Ticker, Trade,
    BookUpdate, Order, Balance, Fill); ``flags`` a :class:`Flags`."""

    __slots__ = ("kind", "data", "flags")

    def __init__(self, kind: str, data: Any, flags: Flags = Flags.NONE):
        self.kind, self.data, self.flags = kind, data, flags

    @property
    def snapshot(self) -> bool:
        return bool(self.flags & Flags.SNAPSHOT)

    @property
    def catchup(self) -> bool:
        return bool(self.flags & Flags.CATCHUP)

    def __repr__(self) -> str:
        return f"Event({self.kind!r}, {self.data!r}, {self.flags!r})"


_END = object()  # ends an async iteration after close()

# Streams still open at interpreter exit are closed first: their thread must
# not call back into an interpreter that is being torn down.
_open_streams: "weakref.WeakSet[Stream]" = weakref.WeakSet()


@atexit.register
def _close_open_streams() -> None:
    for s in list(_open_streams):
        try:
            s._callback_error = None
            s.close()
        except Exception:
            pass

ItemCallback = Callable[[Any, Flags], Any]


class Stream:
    """A market stream subscriber (``nax_stream``, library thread mode).

    ``client`` (a :class:`nax.Client`) gives the URL, TLS settings and the
    credentials for the private channels (``orders``, ``balances``,
    ``fills``) and fetches the catch-up after a reconnect; it stays open while
    the stream lives. Without a client give ``url`` (``ws://host:port``);
    only public channels then work.

    Channels: ``ticker:{pair}``, ``trades:{pair}``, ``book:{pair}``,
    ``orders``, ``balances``, ``fills``. Nothing is sent before
    :meth:`start` (``with``, ``for`` and ``async for`` start it).
    """

    def __init__(self, *channels: str, client: Any = None, url: Optional[str] = None,
                 on_state: Optional[Callable[[StateEvent], Any]] = None,
                 on_ticker: Optional[ItemCallback] = None,
                 on_trade: Optional[ItemCallback] = None,
                 on_book: Optional[Callable[[BookUpdate], Any]] = None,
                 on_order: Optional[ItemCallback] = None,
                 on_balance: Optional[ItemCallback] = None,
                 on_fill: Optional[ItemCallback] = None, queue: Optional[bool] = None,
                 queue_size: int = 1024, ping_interval_ms: int = 0, missed_pongs: int = 0,
                 reconnect_min_ms: int = 0, reconnect_max_ms: int = 0,
                 connect_timeout_ms: int = 0, tls_insecure: bool = False,
                 ca_path: Optional[str] = None):
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self._user = {"state": on_state, "ticker": on_ticker, "trade": on_trade,
                      "book": on_book, "order": on_order, "balance": on_balance,
                      "fill": on_fill}
        self._queue_on = (queue if queue is not None else
                          all(cb is None for cb in self._user.values()))
        self._cap = queue_size
        self._cond = threading.Condition()
        self._items: collections.deque = collections.deque()
        self._in_flight = 0  # events handed to the consumer side and not yet taken
        self._blocked = 0  # the stream's thread is waiting for room
        self._finished = False  # the CLOSED event was queued, or the stream was freed
        self._closing = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._aq: Optional[asyncio.Queue] = None
        self._state_cond = threading.Condition()
        self._last_state: Optional[StateEvent] = None
        self._callback_error: Optional[BaseException] = None
        self._driver: Optional[int] = None
        self._started = False
        # True until nax_stream_new succeeded: a stream that failed to build
        # has nothing to free and holds nothing of the client (see __del__).
        self._freed = True
        self._done = threading.Event()  # set once _free finished everything
        # Guards the handle: calls in progress (any thread) are counted, and
        # the free waits for them, since nax_stream_free must be the last call.
        self._guard = threading.Condition()
        self._active = 0
        # Set only with a hold on the client taken (client._enter) and a
        # stream made: _free gives that hold back, exactly once.
        self._client = None
        self._h: Optional[int] = None

        # The C callbacks; kept referenced for the life of the stream.
        self._cbs = _lib.StreamCallbacks(
            _lib.ON_STATE(self._c_state),
            _lib.ON_ITEM(self._item_cb("ticker", Ticker)),
            _lib.ON_ITEM(self._item_cb("trade", Trade)),
            _lib.ON_BOOK(self._c_book),
            _lib.ON_ITEM(self._item_cb("order", Order)),
            _lib.ON_ITEM(self._item_cb("balance", Balance)),
            _lib.ON_ITEM(self._item_cb("fill", Fill)), None)

        o = _lib.StreamOptions()
        check(_lib.nax_stream_options_init(byref(o), _lib.STREAM_OPTIONS_VERSION))
        ch = client._enter() if client is not None else None  # raises: no hold taken
        try:
            o.client = ch
            o.url = _core.opt_bytes(url)
            o.callbacks = self._cbs
            o.ping_interval_ms, o.missed_pongs = ping_interval_ms, missed_pongs
            o.reconnect_min_ms, o.reconnect_max_ms = reconnect_min_ms, reconnect_max_ms
            o.connect_timeout_ms = connect_timeout_ms
            o.tls_insecure, o.ca_path = 1 if tls_insecure else 0, _core.opt_bytes(ca_path)
            h = c_void_p()
            check(_lib.nax_stream_new(byref(h), byref(o)))
        except BaseException:
            if client is not None:
                client._leave()  # the one hold taken above; _free will not
            self._done.set()
            raise
        self._h, self._client, self._freed = h.value, client, False
        _open_streams.add(self)
        if channels:
            try:
                self.subscribe(*channels)
            except BaseException:
                self.close()  # nobody gets this stream: free it and the hold now
                raise

    # ------------------------------------------------------- C callbacks
    # They run on the stream's thread and never let an exception through:
    # one stops the stream (non-zero return) and is kept for close().

    def _deliver(self, kind: str, data: Any, flags: Flags, cb) -> int:
        if cb is not None:
            if kind in ("state", "book"):
                cb(data)
            else:
                cb(data, flags)
        elif self._queue_on:
            self._put(Event(kind, data, flags))
        return 0

    def _item_cb(self, kind: str, cls: type):
        read = _structs.reader(cls)  # the struct is valid during the callback

        def on_item(ptr, flags, _ud):
            try:
                self._driver = threading.get_ident()
                cb = self._user[kind]
                if cb is None and not self._queue_on:
                    return 0
                return self._deliver(kind, read(ptr),
                                     _FLAGS.get(flags) or Flags(flags), cb)
            except BaseException as e:  # noqa: B902 - must not cross into C
                return self._fail(e)

        return on_item

    def _c_book(self, bp, _ud):
        try:
            self._driver = threading.get_ident()
            cb = self._user["book"]
            if cb is None and not self._queue_on:
                return 0
            b = bp.contents
            up = BookUpdate(pair=b.pair.decode(), seq=b.seq, snapshot=bool(b.snapshot),
                            bids=_structs.levels(b.bids, b.bids_count),
                            asks=_structs.levels(b.asks, b.asks_count), checksum=b.checksum)
            return self._deliver("book", up, Flags.NONE, cb)
        except BaseException as e:  # noqa: B902
            return self._fail(e)

    def _c_state(self, evp, _ud):
        try:
            self._driver = threading.get_ident()
            e = evp.contents
            ev = StateEvent(state=_STATE_NAMES.get(e.state, str(e.state)),
                            reason=_REASON_NAMES.get(e.reason, str(e.reason)),
                            channel=e.channel.decode() if e.channel else None,
                            message=(e.message or b"").decode("utf-8", "replace"),
                            error=e.error, attempt=e.attempt, delay_ms=e.delay_ms,
                            close_code=e.close_code)
            with self._state_cond:
                self._last_state = ev
                self._state_cond.notify_all()
            if e.state == _CLOSED:
                cb = self._user["state"]
                try:
                    if cb is not None:
                        cb(ev)
                finally:
                    if self._queue_on:
                        self._put(Event("state", ev), terminal=True)
                return 0
            return self._deliver("state", ev, Flags.NONE, self._user["state"])
        except BaseException as e:  # noqa: B902
            return self._fail(e)

    def _fail(self, e: BaseException) -> int:
        if self._callback_error is None:
            self._callback_error = e
        return 1

    # ------------------------------------------------------------- queue

    def _put(self, ev: Event, terminal: bool = False) -> None:
        with self._cond:
            if terminal:
                self._finished = True
            else:
                while self._in_flight >= self._cap and not self._closing:
                    self._blocked += 1  # seen by tests: the stream's thread waits
                    self._cond.notify_all()
                    self._cond.wait()
                    self._blocked -= 1
                if self._closing:
                    return  # closing: nobody will read it
            self._in_flight += 1
            loop = self._loop
            if loop is None:
                self._items.append(ev)
                self._cond.notify_all()
                return
            aq = self._aq
        try:
            loop.call_soon_threadsafe(aq.put_nowait, ev)
        except RuntimeError:  # the loop is closed: nobody will read it
            with self._cond:
                self._in_flight -= 1

    def _taken(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def get(self, timeout: Optional[float] = None) -> Event:
        """The next queued event; waits up to ``timeout`` seconds (None:
        forever). Raises TimeoutError when none came, StopIteration once the
        stream is closed and the queue empty."""
        if not self._queue_on:
            raise InvalidStateError("this stream delivers to callbacks (pass queue=True)",
                                    nax_code=-5)
        if self._loop is not None:
            raise InvalidStateError("this stream is iterated with async for", nax_code=-5)
        self._ensure_started()
        with self._cond:
            while not self._items:
                if self._finished:
                    raise StopIteration
                if not self._cond.wait(timeout):
                    raise TimeoutError(f"no stream event within {timeout} s")
            ev = self._items.popleft()
            self._in_flight -= 1
            self._cond.notify_all()
            return ev

    def __iter__(self) -> "Stream":
        return self

    def __next__(self) -> Event:
        return self.get()

    def __aiter__(self) -> "Stream":
        loop = asyncio.get_running_loop()
        if not self._queue_on:
            raise InvalidStateError("this stream delivers to callbacks (pass queue=True)",
                                    nax_code=-5)
        with self._cond:
            if self._loop is None:
                self._aq = asyncio.Queue()
                # events queued before: handed over first, in order
                while self._items:
                    self._aq.put_nowait(self._items.popleft())
                if self._finished and self._closing:
                    self._aq.put_nowait(_END)
                self._loop = loop
            elif self._loop is not loop:
                raise InvalidStateError("the stream is iterated on another event loop",
                                        nax_code=-5)
        self._ensure_started()
        return self

    async def __anext__(self) -> Event:
        aq = self._aq
        if aq is None:
            raise InvalidStateError("use async for (or __aiter__) first", nax_code=-5)
        if getattr(self, "_aended", False):
            raise StopAsyncIteration
        ev = await aq.get()
        if ev is _END:
            self._aended = True
            raise StopAsyncIteration
        self._taken()
        if ev.kind == "state" and ev.data.state == "CLOSED":
            self._aended = True
        return ev

    # ---------------------------------------------------------- control

    def _enter(self) -> int:
        with self._guard:
            h = self._h
            if h is None or self._freed:
                raise InvalidStateError("the stream is closed", nax_code=-5)
            self._active += 1
            return h

    def _leave(self) -> None:
        with self._guard:
            self._active -= 1
            if self._active == 0:
                self._guard.notify_all()

    def _call(self, fn, *args) -> int:
        h = self._enter()
        try:
            return fn(h, *args)
        finally:
            self._leave()

    def _ensure_started(self) -> None:
        if not self._started and not self._closing:
            self.start()

    def start(self) -> "Stream":
        """Start connecting (the library's thread drives the stream from now on)."""
        h = self._enter()
        try:
            with self._guard:
                if not self._started:
                    check(_lib.nax_stream_start(h))
                    self._started = True
        finally:
            self._leave()
        return self

    def _channels(self, channels) -> tuple[Any, int]:
        enc = [c.encode() for c in channels]
        return (c_char_p * len(enc))(*enc), len(enc)

    def subscribe(self, *channels: str) -> None:
        """Add channels (thread-safe; takes effect on the stream's thread)."""
        arr, n = self._channels(channels)
        check(self._call(_lib.nax_stream_subscribe, arr, n))

    def unsubscribe(self, *channels: str) -> None:
        """Remove channels and their local books."""
        arr, n = self._channels(channels)
        check(self._call(_lib.nax_stream_unsubscribe, arr, n))

    @property
    def state(self) -> str:
        """The connection's state now, e.g. ``"LIVE"`` (``"CLOSED"`` once closed)."""
        try:
            return _STATE_NAMES[self._call(_lib.nax_stream_state_get)]
        except InvalidStateError:
            return "CLOSED"

    @property
    def last_state_event(self) -> Optional[StateEvent]:
        return self._last_state

    def wait_for_state(self, state: str, timeout: Optional[float] = None) -> bool:
        """Wait until the stream's state is ``state`` (e.g. ``"LIVE"``);
        False when ``timeout`` seconds passed first or the stream closed."""
        if state not in _STATE_NUM:
            raise ValueError(f"unknown state {state!r}")
        with self._state_cond:
            return self._state_cond.wait_for(
                lambda: self.state == state or self.state == "CLOSED", timeout) and \
                self.state == state

    def stats(self) -> StreamStats:
        st = _lib.StreamStats()
        st.struct_size = ctypes.sizeof(st)
        check(self._call(_lib.nax_stream_stats_get, byref(st)))
        return StreamStats(messages=st.messages, bytes=st.bytes, connects=st.connects,
                           resyncs=st.resyncs, gaps=st.gaps,
                           checksum_mismatches=st.checksum_mismatches, lagging=st.lagging,
                           catchup_events=st.catchup_events)

    def book_top(self, pair: str) -> BookTop:
        """Best bid and ask of a subscribed book, read consistently.
        NotFoundError until its first snapshot."""
        t = _lib.BookTop()
        t.struct_size = ctypes.sizeof(t)
        check(self._call(_lib.nax_stream_book_top, pair.encode(), byref(t)))
        return BookTop(seq=t.seq, live=bool(t.live),
                       bid=_structs.level(t.bid) if t.has_bid else None,
                       ask=_structs.level(t.ask) if t.has_ask else None, bid_levels=t.bid_levels,
                       ask_levels=t.ask_levels)

    def book(self, pair: str, depth: int = 0) -> OrderBook:
        """A consistent copy of a subscribed book (depth 0: every level)."""
        out = c_void_p()
        rc = self._call(_lib.nax_stream_book_copy, pair.encode(), depth, out)
        return _core.take(rc, out, _r_order_book)

    def stop(self) -> None:
        """Close the connection for good (returns at once; :meth:`close` frees)."""
        try:
            self._call(_lib.nax_stream_stop)
        except InvalidStateError:
            pass

    def close(self) -> None:
        """Stop the stream, wait for its thread, free it and release the
        client. Re-raises an exception a callback raised. From inside a
        callback the stream is stopped and freed by a helper thread; a
        close() from any other thread then waits for that helper to finish,
        so once close() returns outside a callback the stream is freed."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()  # a thread waiting for room gives up
        if self._driver is not None and threading.get_ident() == self._driver:
            self.stop()  # freeing joins this very thread: leave it to another
            threading.Thread(target=self._free, name="nax-stream-close", daemon=True).start()
            return
        self._free()
        err, self._callback_error = self._callback_error, None
        if err is not None:
            raise err

    def _free(self) -> None:
        """Free the C stream and give the client back, once. Any other caller
        (a close() after a close from a callback, atexit) returns only after
        the first one finished, so a returned close() means freed."""
        with self._guard:
            first = not self._freed
            if first:
                self._freed = True  # no new calls from here on
                self._guard.wait_for(lambda: self._active == 0)  # calls in flight are short
                h, self._h = self._h, None
        if not first:
            self._done.wait()
            return
        try:
            if h is not None:
                _lib.nax_stream_free(h)  # waits for the stream's thread (GIL released)
            with self._cond:
                self._finished = True
                self._cond.notify_all()
                loop, aq = self._loop, self._aq
            if loop is not None and aq is not None:
                try:
                    loop.call_soon_threadsafe(aq.put_nowait, _END)
                except RuntimeError:
                    pass
            with self._state_cond:
                self._state_cond.notify_all()
            client, self._client = self._client, None
            if client is not None:
                client._leave()
        finally:
            # only now: atexit must still see (and wait for) a stream being freed
            _open_streams.discard(self)
            self._done.set()

    async def aclose(self) -> None:
        """close() without blocking the event loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def __enter__(self) -> "Stream":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    async def __aenter__(self) -> "Stream":
        return self.start()

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    def __del__(self):
        try:
            if not self._freed:
                self._callback_error = None
                self.close()
        except Exception:
            pass


__all__ = ["Stream", "Event", "Flags"]
