"""`naxd set-kyc`: the operator command sets a user's KYC status on a running naxd
through the operator route, and refuses without the operator token."""
import os
import subprocess

from naxlib import new_user


def set_kyc(naxd, *args, token=None):
    env = dict(os.environ)
    env.pop("NAXD_OPERATOR_TOKEN", None)
    if token:
        env["NAXD_OPERATOR_TOKEN"] = token
    return subprocess.run([naxd.binary, "set-kyc", "--url", naxd.url, *args], env=env,
                          capture_output=True, text=True, timeout=30)


def test_set_kyc_verifies_and_rejects(naxd):
    user = new_user(naxd)
    assert user.get("/v1/users/kyc-status").expect(200).json()["status"] == "unverified"
    r = set_kyc(naxd, "--user", user.id, "--status", "verified", token=naxd.operator_token)
    assert r.returncode == 0, r.stderr + r.stdout
    assert '"verified"' in r.stdout
    assert user.get("/v1/users/kyc-status").expect(200).json()["status"] == "verified"

    r = set_kyc(naxd, "--user", user.id, "--status", "rejected", "--reason", 'blurry "scan"',
                token=naxd.operator_token)
    assert r.returncode == 0, r.stderr + r.stdout
    kyc = user.get("/v1/users/kyc-status").expect(200).json()
    assert kyc["status"] == "rejected" and kyc["reason"] == 'blurry "scan"'


def test_set_kyc_needs_the_operator_token(naxd):
    user = new_user(naxd)
    r = set_kyc(naxd, "--user", user.id, "--status", "verified")
    assert r.returncode == 2 and "NAXD_OPERATOR_TOKEN" in r.stderr
    r = set_kyc(naxd, "--user", user.id, "--status", "verified", token="op_wrong")
    assert r.returncode == 1
    assert user.get("/v1/users/kyc-status").expect(200).json()["status"] == "unverified"
    r = set_kyc(naxd, "--user", user.id, "--status", "maybe", token=naxd.operator_token)
    assert r.returncode == 2
