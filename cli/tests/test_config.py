"""The configuration: flags beat the environment beat the file; the file is used
only with mode 0600; login (NAX_PASSWORD, stdin, --save, --print-token) and
API keys; passwords and secrets never reach the output."""

import json
import os
import resource
import signal
import socket
import stat

import naxlib
from conftest import (EXIT_AUTH, EXIT_NOTFOUND, EXIT_SYSTEM, EXIT_USAGE, Cli, Result,
                      check_clean)


def write_config(path, text, mode=0o600):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    return path


def default_config(home):
    return home / ".config" / "nax" / "config"


def down_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def key_lines(url, key_id, secret):
    return f"url = {url}\napi_key = {key_id}\napi_secret = {secret}\n"


def file_pairs(path):
    """The config file's 'key = value' lines as a dict."""
    pairs = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            pairs[k.strip()] = v.strip()
    return pairs


def no_file_writes():
    """In the child before exec: every write to a file fails (EFBIG), as on a full
    disk; permissions would not stop root. SIGXFSZ ignored so write() returns."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def kv(out):
    return dict(line.split(None, 1) for line in out.splitlines() if "  " in line)


def key_ids(naxd, user):
    return [k["id"] for k in json.loads(naxd.api.get("/v1/auth/api-keys", token=user.token)
                                        .expect(200).body)["api_keys"]]


# ---- the file -----------------------------------------------------------------------


def test_file_mode_0600_enforced(naxd, trader, home):
    path = write_config(default_config(home), key_lines(naxd.url, *trader.key), 0o644)
    bare = Cli(home)
    r = bare("balances").expect(EXIT_USAGE)
    assert str(path) in r.err and "0644" in r.err and "0600" in r.err
    assert len(r.err.splitlines()) == 1
    assert trader.key.secret not in r.err + r.out
    for mode in (0o640, 0o604, 0o660):
        os.chmod(path, mode)
        r = bare("balances").expect(EXIT_USAGE)
        assert f"{mode:04o}" in r.err
    os.chmod(path, 0o600)
    rows = bare("balances").expect(0).out.split()
    assert rows[:4] == ["ASSET", "AVAILABLE", "LOCKED", "TOTAL"] and "AUD" in rows
    # even a public command refuses a readable file: it may hold secrets
    os.chmod(path, 0o644)
    bare("markets").expect(EXIT_USAGE)


def test_xdg_config_home_and_config_flag(naxd, trader, home):
    xdg = home / "xdg"
    write_config(xdg / "nax" / "config", key_lines(naxd.url, *trader.key))
    write_config(default_config(home), f"url = {down_url()}\n")
    bare = Cli(home)
    bare("balances", env={"XDG_CONFIG_HOME": str(xdg)}).expect(0)
    # without XDG_CONFIG_HOME, ~/.config/nax/config (a down URL, no key)
    bare("balances").expect(EXIT_USAGE)
    # --config names the file; it must exist
    other = write_config(home / "elsewhere.conf", key_lines(naxd.url, *trader.key))
    bare("--config", other, "balances").expect(0)
    r = bare("--config", home / "missing.conf", "markets").expect(EXIT_USAGE)
    assert "missing.conf" in r.err and "does not exist" in r.err


def test_file_syntax(naxd, trader, home):
    path = default_config(home)
    bare = Cli(home)
    write_config(path, f'# my exchange\n\n  url = "{naxd.url}"  \napi_key={trader.key.id}\n'
                       f'api_secret = {trader.key.secret}\n')
    bare("balances").expect(0)
    write_config(path, f"url = {naxd.url}\npassword = hunter2-secret\n")
    r = bare("markets").expect(EXIT_USAGE)
    assert "line 2" in r.err and "unknown key 'password'" in r.err
    assert "hunter2-secret" not in r.err
    write_config(path, f"url = {naxd.url}\njust some words\n")
    assert "line 2: expected 'key = value'" in bare("markets").expect(EXIT_USAGE).err
    write_config(path, f"url = {naxd.url}\nurl = {naxd.url}\n")
    assert "set twice" in bare("markets").expect(EXIT_USAGE).err


def test_half_a_key_is_refused(naxd, trader, home):
    r = Cli(home, url=naxd.url)("balances", env={"NAX_API_KEY": trader.key.id}) \
        .expect(EXIT_USAGE)
    assert "NAX_API_SECRET" in r.err


# ---- precedence ----------------------------------------------------------------------


def test_url_precedence(naxd, trader, home):
    bare = Cli(home, key=trader.key)
    write_config(default_config(home), f"url = {down_url()}\n")
    # env beats file
    bare("markets", env={"NAX_URL": naxd.url}).expect(0)
    # flag beats env
    bare("--url", naxd.url, "markets", env={"NAX_URL": down_url()}).expect(0)
    # and the file alone is used (here: a port nobody listens on)
    assert bare("markets").rc == 5
    write_config(default_config(home), f"url = {naxd.url}\n")
    bare("markets").expect(0)


def test_credential_precedence(naxd, trader, home):
    kid, secret = trader.key
    bad = "f" * 64
    path = default_config(home)
    bare = Cli(home, url=naxd.url)
    # file alone
    write_config(path, f"api_key = {kid}\napi_secret = {secret}\n")
    bare("balances").expect(0)
    # env beats file (a wrong secret in the environment is used)
    bare("balances", env={"NAX_API_SECRET": bad}).expect(EXIT_AUTH)
    # flag beats env: the right secret on the command line wins over a wrong one
    bare("--api-secret", secret, "balances", env={"NAX_API_SECRET": bad}).expect(0)
    # a token given as a flag beats a key in the environment
    bare("--token", "bogus", "balances",
         env={"NAX_API_KEY": kid, "NAX_API_SECRET": secret}).expect(EXIT_AUTH)
    # a key in the environment beats a token in the file
    write_config(path, "token = bogus\n")
    bare("balances").expect(EXIT_AUTH)
    bare("balances", env={"NAX_API_KEY": kid, "NAX_API_SECRET": secret}).expect(0)
    # at the same level a token wins over a key
    write_config(path, f"api_key = {kid}\napi_secret = {secret}\ntoken = bogus\n")
    bare("balances").expect(EXIT_AUTH)
    # key and token on the command line together is a contradiction
    r = bare("--api-key", kid, "--token", "t", "balances").expect(EXIT_USAGE)
    assert "not both" in r.err


# ---- login -------------------------------------------------------------------------------


def test_login_with_nax_password(naxd, home):
    user = naxlib.new_user(naxd, login=False)
    cli = Cli(home, url=naxd.url)
    r = cli("login", "--email", user.email, env={"NAX_PASSWORD": user.password}).expect(0)
    assert user.email in r.out and user.id in r.out and "expires in 900 s" in r.out
    assert user.password not in r.out + r.err
    assert "eyJ" not in r.out + r.err  # no token unless asked
    doc = cli("--json", "login", "--email", user.email,
              env={"NAX_PASSWORD": user.password}).expect(0).json()
    assert doc["id"] == user.id and doc["email"] == user.email
    assert "access_token" not in doc
    # wrong password: the credentials class, and the password nowhere
    r = cli("login", "--email", user.email, env={"NAX_PASSWORD": "Wrong-Pass-123"}) \
        .expect(EXIT_AUTH)
    assert "Wrong-Pass-123" not in r.out + r.err
    assert len(r.err.splitlines()) == 1


def test_login_password_from_stdin_and_never_from_argv(naxd, home):
    user = naxlib.new_user(naxd, login=False)
    cli = Cli(home, url=naxd.url)
    r = cli("login", "--email", user.email, input=user.password + "\n").expect(0)
    assert user.id in r.out and user.password not in r.out + r.err
    r = cli("login", "--email", user.email, f"--password={user.password}").expect(EXIT_USAGE)
    assert "NAX_PASSWORD" in r.err and user.password not in r.out + r.err
    r = cli("--password", user.password, "login").expect(EXIT_USAGE)
    assert user.password not in r.out + r.err
    # nothing on stdin: a clear usage error
    r = cli("login", "--email", user.email, input="").expect(EXIT_USAGE)
    assert "no password" in r.err


def test_login_save_writes_a_0600_file(naxd, home):
    user = naxlib.new_user(naxd, login=False)
    naxlib.verify_kyc(user)
    path = default_config(home)
    write_config(path, "# kept across saves\nwebhook_secret_kyc = whsec_AAAA\n")
    cli = Cli(home, url=naxd.url)
    r = cli("login", "--email", user.email, "--save",
            env={"NAX_PASSWORD": user.password}).expect(0)
    assert str(path) in r.out
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    text = path.read_text()
    assert "# kept across saves" in text and "webhook_secret_kyc = whsec_AAAA" in text
    assert f"url = {naxd.url}" in text and f"email = {user.email}" in text
    assert "token = eyJ" in text and user.password not in text
    # later commands use the saved session, with nothing in the environment
    bare = Cli(home)
    doc = bare("--json", "balances").expect(0).json()
    assert doc == {"balances": []}
    # a new file and folder are made 0600 and 0700
    fresh = home / "fresh"
    cli("login", "--email", user.email, "--save",
        env={"NAX_PASSWORD": user.password, "XDG_CONFIG_HOME": str(fresh)}).expect(0)
    assert stat.S_IMODE(os.stat(fresh / "nax" / "config").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(fresh / "nax").st_mode) == 0o700
    # the email saved is used by the next login
    r = Cli(home)("login", env={"NAX_PASSWORD": user.password}).expect(0)
    assert user.email in r.out


def test_login_print_token(naxd, home):
    user = naxlib.new_user(naxd, login=False)
    cli = Cli(home, url=naxd.url)
    r = cli("login", "--email", user.email, "--print-token",
            env={"NAX_PASSWORD": user.password}).expect(0)
    token = r.out.strip()
    assert r.out.count("\n") == 1 and token.count(".") == 2  # the JWT alone on stdout
    assert user.email in r.err
    Cli(home, url=naxd.url, token=token)("order", "list").expect(0)
    doc = cli("--json", "login", "--email", user.email, "--print-token",
              env={"NAX_PASSWORD": user.password}).expect(0).json()
    assert doc["token_type"] == "Bearer" and doc["access_token"] and doc["refresh_token"]


def test_api_keys(naxd, home):
    user = naxlib.new_user(naxd)
    naxlib.verify_kyc(user)
    session = Cli(home, url=naxd.url, token=user.token)
    created = dict(line.split(None, 1) for line in session(
        "api-keys", "create", "--label", "cli bot", "--scopes", "read").expect(0)
        .out.splitlines())
    assert created["label"] == "cli bot" and created["scopes"] == "read" and created["secret"]
    key = naxlib.ApiKey(user, {"id": created["id"], "secret": created["secret"], "scopes": []})
    Cli(home, url=naxd.url, key=key)("balances").expect(0)
    listed = session("--json", "api-keys", "list").expect(0).json()["api_keys"]
    assert [k["id"] for k in listed] == [created["id"]]
    assert all("secret" not in k for k in listed)
    rows = session("api-keys", "list").expect(0).out.splitlines()
    assert rows[0].split() == ["ID", "LABEL", "SCOPES", "CREATED", "LAST_USED"]
    # --save: into the file (0600), the secret not printed, and it works from there
    r = session("--json", "api-keys", "create", "--label", "saved", "--save").expect(0)
    saved = r.json()
    assert "secret" not in saved and saved["scopes"] == ["read", "trade"]
    path = default_config(home)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert f"api_key = {saved['id']}" in path.read_text()
    Cli(home)("balances").expect(0)
    # delete, then it is gone
    assert session("api-keys", "delete", created["id"]).expect(0).out.strip() == \
        f"deleted {created['id']}"
    session("api-keys", "delete", created["id"]).expect(EXIT_NOTFOUND)
    ids = [k["id"] for k in json.loads(naxd.api.get("/v1/auth/api-keys", token=user.token)
                                       .expect(200).body)["api_keys"]]
    assert created["id"] not in ids and saved["id"] in ids


def test_api_key_save_failure_revokes_the_key(naxd, home):
    """The key exists before the file is written: when writing fails, the key is
    deleted again (nobody holds its secret); when that fails too, its secret is
    printed, as the only copy."""
    user = naxlib.new_user(naxd)
    naxlib.verify_kyc(user)
    session = Cli(home, url=naxd.url, token=user.token)
    before = key_ids(naxd, user)
    r = session("api-keys", "create", "--label", "lost", "--save", preexec_fn=no_file_writes) \
        .expect(EXIT_SYSTEM)
    assert "cannot write the config file" in r.err and "deleted the new key" in r.err, r
    assert r.out == ""
    assert key_ids(naxd, user) == before
    assert not default_config(home).exists()

    # the delete fails too: the secret is printed (stdout), with a warning (stderr)
    naxd.faults("DELETE /v1/auth/api-keys/{id}", "error_before_commit", count=50, status=500)
    try:
        r = session("api-keys", "create", "--label", "kept", "--save",
                    preexec_fn=no_file_writes).expect(EXIT_SYSTEM)
        rj = session("--json", "api-keys", "create", "--label", "kept-json", "--save",
                     preexec_fn=no_file_writes).expect(EXIT_SYSTEM)
    finally:
        naxd.clear_faults()
    shown = kv(r.out)
    assert shown["label"] == "kept" and shown["secret"], r
    assert "could not delete" in r.err and "only copy" in r.err, r
    assert shown["secret"] not in r.err
    doc = rj.json()
    assert doc["label"] == "kept-json" and doc["secret"]
    assert set(key_ids(naxd, user)) == set(before) | {shown["id"], doc["id"]}
    for key_id, secret in ((shown["id"], shown["secret"]), (doc["id"], doc["secret"])):
        key = naxlib.ApiKey(user, {"id": key_id, "secret": secret, "scopes": []})
        Cli(home, url=naxd.url, key=key)("balances").expect(0)


def test_saved_key_replaces_the_saved_session(naxd, home):
    """api-keys create --save makes the key the file's credential: the saved
    session goes, so the key is used (and goes on working after the session
    would have expired)."""
    user = naxlib.new_user(naxd)
    naxlib.verify_kyc(user)
    cli = Cli(home, url=naxd.url)
    cli("login", "--email", user.email, "--save", env={"NAX_PASSWORD": user.password}).expect(0)
    path = default_config(home)
    assert "token" in file_pairs(path)
    bare = Cli(home)
    r = bare("api-keys", "create", "--label", "bot", "--save").expect(0)
    assert f"saved the key and its secret to {path}" in r.out
    assert "the file's credential is now this API key" in r.out
    assert "session" in r.out  # says the saved session was dropped
    pairs = file_pairs(path)
    kid = kv(r.out)["id"]
    assert pairs["api_key"] == kid and pairs["api_secret"]
    assert "token" not in pairs and "refresh_token" not in pairs
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    bare("balances").expect(0)
    # the key is what the CLI uses now: revoked, the CLI is refused
    naxd.api.delete(f"/v1/auth/api-keys/{kid}", token=user.token).expect(204)
    bare("balances").expect(EXIT_AUTH)


def test_saved_session_renews_and_a_dead_one_is_a_credentials_error(tmp_path, home):
    """login --save keeps the refresh token too: a command after the access token
    expired renews the session and saves the new pair. A session that cannot be
    renewed is a credentials error (exit 7), not a state error."""
    srv = naxlib.Server(tmp_path / "naxd-clock")
    srv.start()
    try:
        user = naxlib.new_user(srv, login=False)
        naxlib.verify_kyc(user)
        path = default_config(home)
        Cli(home, url=srv.url)("login", "--email", user.email, "--save",
                               env={"NAX_PASSWORD": user.password}).expect(0)
        first = file_pairs(path)
        assert first["token"] and first["refresh_token"]
        bare = Cli(home)
        srv.clock_skew(20 * 60 * 1000)  # past the access token (15 min), not the refresh (7 d)
        try:
            assert bare("--json", "balances").expect(0).json() == {"balances": []}
            second = file_pairs(path)
            assert second["token"] != first["token"]
            assert second["refresh_token"] != first["refresh_token"]
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            bare("balances").expect(0)
            assert file_pairs(path) == second  # nothing to renew
            # an expired token with no refresh token (NAX_TOKEN): credentials, exit 7
            r = Cli(home, url=srv.url, token=first["token"])("balances").expect(EXIT_AUTH)
            assert "expired" in r.err and "log in" in r.err, r
            assert file_pairs(path) == second  # the file's refresh token was not used
            # a key saved by a command that renewed the session: the key stays the
            # file's credential (the renewed session is not saved back)
            srv.clock_skew(40 * 60 * 1000)  # past the renewed access token too
            kid = kv(bare("api-keys", "create", "--label", "k", "--save").expect(0).out)["id"]
            pairs = file_pairs(path)
            assert pairs["api_key"] == kid and "token" not in pairs
            assert "refresh_token" not in pairs
            bare("balances").expect(0)
            write_config(path, "\n".join(f"{k} = {v}" for k, v in second.items()) + "\n")
            # both tokens dead
            srv.clock_skew(8 * 24 * 3600 * 1000)
            r = bare("balances").expect(EXIT_AUTH)
            assert "nax login" in r.err, r
            r = bare("--json", "balances").expect(EXIT_AUTH)
            # the refresh token expired: naxd says so until its timer forgets
            # expired tokens (every 30 s), then it is an unknown one
            assert json.loads(r.err)["error"]["code"] in ("token_expired", "invalid_token"), r
            r = bare("stream", "orders", "--seconds", "30").expect(EXIT_AUTH)
            assert "nax login" in r.err.splitlines()[-1], r
        finally:
            srv.clock_skew(0)
    finally:
        srv.close()


def test_secret_arguments_are_hidden_from_ps(naxd, trader, home):
    """--api-secret and --token are overwritten in the process's argument list
    as soon as they are read (they are still better kept off the command line)."""
    from conftest import LineReader
    cli = Cli(home, url=naxd.url)
    proc = cli.popen("--api-key", trader.key.id, "--api-secret", trader.key.secret,
                     "stream", "balances", creds=False)
    reader = LineReader(proc.stdout)
    try:
        # LIVE after authenticating with the key: the secret was read and used
        reader.wait_for(lambda line: line.startswith("LIVE"))
        with open(f"/proc/{proc.pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        assert b"--api-secret" in argv and trader.key.secret.encode() not in b" ".join(argv)
        assert b"x" * len(trader.key.secret) in argv
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        err = proc.stderr.read()
        reader.rest()  # the reader thread is done before its pipe is closed
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0, err
    check_clean(Result(proc.args, proc.returncode, "", err))


def test_login_reads_the_password_from_the_terminal_without_echo(naxd, home):
    import pty
    import select
    import subprocess
    import time
    user = naxlib.new_user(naxd, login=False)
    cli = Cli(home, url=naxd.url)
    master, slave = pty.openpty()
    proc = subprocess.Popen([cli.binary, "login", "--email", user.email], env=cli.env(),
                            stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen, typed = b"", False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO once the CLI closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not typed and b"Password for " + user.email.encode() in seen:
            os.write(master, user.password.encode() + b"\n")  # typed at the prompt
            typed = True
        if proc.poll() is not None and not ready:
            break
    os.close(master)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    assert proc.wait(timeout=30) == 0, seen
    assert typed and user.id in out
    # the terminal did not echo what was typed
    assert user.password.encode() not in seen, seen
