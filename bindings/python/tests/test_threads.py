"""One Client shared by several threads, and the GIL released while a call
blocks in libnax."""

import socket
import threading
import uuid
from decimal import Decimal

import nax
from conftest import PAIR

THREADS = 8
ROUNDS = 10


def test_threads_share_one_client(trader):
    c = trader.client
    errors, placed, lock = [], [], threading.Lock()
    start = threading.Barrier(THREADS)

    def work(n):
        try:
            start.wait()
            for i in range(ROUNDS):
                price = Decimal(f"{40000 + n}.{i:02d}")
                coid = f"t{n}-{i}-{uuid.uuid4().hex[:6]}"
                o = c.place_order(PAIR, "buy", "0.01000000", price, client_order_id=coid)
                assert o.price == price and o.client_order_id == coid
                assert c.get_order(o.id).id == o.id
                assert c.ticker(PAIR).pair == PAIR
                if i % 2:
                    assert c.cancel_order(o.id).status is nax.OrderStatus.CANCELLED
                else:
                    with lock:
                        placed.append(o.id)
                try:
                    c.get_order("o_0")
                except nax.NotFoundError as e:
                    assert e.http_status == 404  # this thread's detail, not another's
        except BaseException as e:  # reported below
            errors.append(e)

    ts = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors
    open_ids = {o.id for o in c.iter_orders(status="open", limit=50)}
    assert open_ids == set(placed) and len(placed) == THREADS * ROUNDS // 2
    assert set(c.cancel_all().cancelled) == open_ids


def test_close_waits_for_calls_in_flight(naxd):
    """close() from one thread while others are inside calls: the C client
    is freed only after the last call returns; later calls raise."""
    c = nax.Client(naxd.url)
    inside, results = threading.Barrier(5), []

    def work():
        inside.wait()
        for _ in range(20):
            try:
                results.append(c.health().status)
            except nax.InvalidStateError:
                results.append("closed")

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    inside.wait()
    c.close()
    for t in ts:
        t.join()
    assert set(results) <= {"ok", "closed"} and len(results) == 80


class StallServer:
    """Accepts one HTTP request and answers only when released."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.got_request = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        conn, _ = self.sock.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            self.got_request.set()
            self.release.wait(60)
            body = (b'{"pair":"BTC-AUD","bid":"64123.45","volume_24h":"0.12345678",'
                    b'"seq":7,"ts":1767268800123}')
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() +
                         b"\r\nConnection: close\r\n\r\n" + body)

    def close(self):
        self.release.set()
        self.sock.close()


def test_gil_is_released_while_a_call_blocks():
    """A call blocked in libnax on a stalled socket lets other Python threads
    run: the stall server's thread (pure Python) sees the request and the
    main thread computes, while the calling thread is still inside C."""
    srv = StallServer()
    out = {}
    try:
        with nax.Client(f"http://127.0.0.1:{srv.port}", max_attempts=1,
                        request_timeout_ms=60000, deadline_ms=60000) as c:
            caller = threading.Thread(target=lambda: out.update(t=c.ticker("BTC-AUD")))
            caller.start()
            # Both of these need the GIL while `caller` is blocked in C.
            assert srv.got_request.wait(30), "the stall server never ran"
            total = sum(i * i for i in range(200000))
            assert total > 0 and caller.is_alive() and "t" not in out
            srv.release.set()
            caller.join(30)
            assert not caller.is_alive()
    finally:
        srv.close()
    t = out["t"]
    assert t.bid == Decimal("64123.45") and t.volume_24h == Decimal("0.12345678")
    assert t.seq == 7

