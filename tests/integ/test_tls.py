"""naxd serves HTTPS when given a certificate (--tls-cert/--tls-key): a client that
trusts that certificate gets answers; one that verifies against the system store
refuses the connection; plain HTTP on the TLS port gets no answer."""
import http.client
import json
import socket
import ssl
import subprocess

import pytest


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    return crt, key


def test_naxd_serves_tls(server_factory, cert):
    crt, key = cert
    srv = server_factory(args=["--tls-cert", str(crt), "--tls-key", str(key)])
    assert srv.listening["tls"] is True

    trusting = ssl.create_default_context(cafile=str(crt))
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=trusting, timeout=10)
    conn.request("GET", "/health")
    r = conn.getresponse()
    assert r.status == 200 and json.loads(r.read())["store"] == "ok"
    conn.request("GET", "/v1/markets")  # keep-alive over TLS
    r = conn.getresponse()
    assert r.status == 200 and json.loads(r.read())["markets"]
    assert conn.sock.version() in ("TLSv1.2", "TLSv1.3")
    conn.close()

    strict = ssl.create_default_context()  # system CAs only: the self-signed cert is refused
    with pytest.raises(ssl.SSLCertVerificationError):
        c = http.client.HTTPSConnection("127.0.0.1", srv.port, context=strict, timeout=10)
        c.request("GET", "/health")

    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            reply = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            reply = b""
    assert not reply.startswith(b"HTTP/1.1 200")
