"""The dataclasses of nax.models and the request methods of nax.Client
against docs/openapi.yaml, so the binding cannot drift from the contract."""

import dataclasses
import inspect
import typing
from decimal import Decimal
from enum import Enum

import pytest
import yaml

from conftest import REPO

import nax
from nax import models

SPEC = yaml.safe_load((REPO / "docs" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]

# request schema -> (Client method, {schema member: parameter name} where they differ)
REQUESTS = {
    "RegisterRequest": ("register", {}),
    "LoginRequest": ("login", {"totp_code": "totp"}),
    "ApiKeyRequest": ("create_api_key", {}),
    "ProfileUpdate": ("update_profile", {}),
    "KycDocumentRequest": ("upload_kyc_document", {}),
    "OrderRequest": ("place_order", {}),
    "DepositAddressRequest": ("deposit_address", {}),
    "WithdrawRequest": ("withdraw", {}),
    "FiatDepositRequest": ("fiat_deposit", {}),
    "FiatWithdrawRequest": ("fiat_withdraw", {}),
}
# required members the Python API fills in by default (a valid value is checked)
DEFAULTED = {("ApiKeyRequest", "scopes"), ("OrderRequest", "type")}
# bodies the client never sends or receives as such
NOT_MAPPED = {"ErrorBody", "RefreshRequest", "TotpCode", "WebhookEvent"}


def ref_name(prop):
    ref = prop.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def unwrap_optional(tp):
    if typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        assert len(args) == 1
        return args[0], True
    return tp, False


def expected_type(prop):
    """The Python type a schema property maps to."""
    name = ref_name(prop)
    if name == "Decimal":
        return Decimal
    if name in ("Timestamp", "Sequence"):
        return int
    if name in ("Pair", "Asset", "TotpDigits"):
        return str
    if name in models.ENUM_SCHEMAS:
        return models.ENUM_SCHEMAS[name]
    if name == "Scopes":
        return tuple[models.Scope, ...]
    if name == "BookLevel":
        return models.BookLevel
    if name in SCHEMAS and SCHEMAS[name].get("type") == "object":
        return next(c for c, s in models.SCHEMAS.items() if s == name)
    t = prop.get("type")
    if t == "array":
        return tuple[expected_type(prop["items"]), ...]
    return {"string": str, "integer": int, "boolean": bool}[t]


@pytest.mark.parametrize("cls", list(models.SCHEMAS), ids=lambda c: c.__name__)
def test_dataclass_fields_match_the_schema(cls):
    schema = SCHEMAS[models.SCHEMAS[cls]]
    props, required = schema["properties"], set(schema.get("required", ()))
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(fields) == set(props), f"{cls.__name__} vs {models.SCHEMAS[cls]}"
    hints = typing.get_type_hints(cls, vars(models))
    for name, prop in props.items():
        tp, optional = unwrap_optional(hints[name])
        has_default = fields[name].default is not dataclasses.MISSING
        if name in required:
            assert not optional and not has_default, f"{cls.__name__}.{name} is required"
        else:
            assert has_default, f"{cls.__name__}.{name} is optional: it needs a default"
            assert optional or tp is bool, f"{cls.__name__}.{name} should be Optional"
        assert tp == expected_type(prop), f"{cls.__name__}.{name}: {tp} != {expected_type(prop)}"


def test_every_object_schema_is_mapped():
    objects = {n for n, s in SCHEMAS.items() if s.get("x-nax-type")}
    mapped = set(models.SCHEMAS.values()) | set(models.UNWRAPPED) | set(REQUESTS) | NOT_MAPPED
    assert objects - mapped == set()


@pytest.mark.parametrize("schema", list(models.UNWRAPPED))
def test_unwrapped_lists_hold_one_array(schema):
    member, cls = models.UNWRAPPED[schema]
    props = SCHEMAS[schema]["properties"]
    assert list(props) == [member]
    assert ref_name(props[member]["items"]) == models.SCHEMAS[cls]


@pytest.mark.parametrize("schema", list(models.ENUM_SCHEMAS))
def test_enums_match(schema):
    assert [e.value for e in models.ENUM_SCHEMAS[schema]] == SCHEMAS[schema]["enum"]


@pytest.mark.parametrize("schema", list(REQUESTS))
def test_request_methods_take_every_member(schema):
    method, renamed = REQUESTS[schema]
    params = inspect.signature(getattr(nax.Client, method)).parameters
    props = SCHEMAS[schema]["properties"]
    required = set(SCHEMAS[schema].get("required", ()))
    for name in props:
        pname = renamed.get(name, name)
        assert pname in params, f"Client.{method} lacks {pname} ({schema}.{name})"
        optional = params[pname].default is not inspect.Parameter.empty
        # content_base64 may come as raw bytes instead (content=)
        if (schema, name) in DEFAULTED:
            default = params[pname].default
            allowed = [e.value for e in models.ENUM_SCHEMAS[
                ref_name(SCHEMAS[ref_name(props[name])]["items"])
                if ref_name(props[name]) == "Scopes" else ref_name(props[name])]]
            values = default if isinstance(default, tuple) else (default,)
            assert values and all(v in allowed for v in values), (schema, name, default)
        elif name in required and name != "content_base64":
            assert not optional, f"Client.{method}: {pname} is required by {schema}"
        if name not in required:
            assert optional, f"Client.{method}: {pname} is optional in {schema}"


def test_builders_make_decimals_from_strings():
    t = models.builder(models.Ticker)({"pair": "BTC-AUD", "volume_24h": "0.00000001",
                                       "seq": 3, "ts": 1, "bid": "64123.45"})
    assert t.volume_24h == Decimal("0.00000001") and type(t.volume_24h) is Decimal
    assert t.bid == Decimal("64123.45") and t.ask is None and t.last is None
    o = models.builder(models.Order)({
        "id": "o_1", "pair": "BTC-AUD", "side": "buy", "type": "limit", "quantity": "1",
        "filled_quantity": "0", "time_in_force": "GTC", "status": "open", "created_at": 1,
        "updated_at": 2})
    assert o.side is models.Side.BUY and o.side == "buy" and o.post_only is False


SECRET_VALUES = {
    models.Token: dict(access_token="eyJhbGciOi.access-SECRET-1", refresh_token="rt-SECRET-2",
                       token_type="Bearer", expires_in=900, refresh_expires_in=86400),
    models.TotpSetup: dict(secret="JBSWY3DPEHPK3PXP",
                           otpauth_uri="otpauth://totp/NA-X:a?secret=JBSWY3DPEHPK3PXP"),
    models.ApiKey: dict(id="k_1", label="bot", scopes=(models.Scope.READ,), created_at=1,
                        secret="9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d1e"),
}
# the values above that are secret (the others must still show)
SECRET_FIELDS = {models.Token: {"access_token", "refresh_token"},
                 models.TotpSetup: {"secret", "otpauth_uri"}, models.ApiKey: {"secret"}}


@pytest.mark.parametrize("cls", list(SECRET_VALUES), ids=lambda c: c.__name__)
def test_repr_and_str_hide_secrets(cls):
    obj = models.builder(cls)(SECRET_VALUES[cls])
    for text in (repr(obj), str(obj), f"{obj}", repr([obj]), repr((obj,))):
        for name in SECRET_FIELDS[cls]:
            assert SECRET_VALUES[cls][name] not in text, f"{cls.__name__}.{name} in {text}"
            assert f"{name}='<hidden>'" in text
        assert text.count(cls.__name__ + "(") == 1
    assert "label='bot'" in repr(obj) if cls is models.ApiKey else True
    assert "expires_in=900" in repr(obj) if cls is models.Token else True
    # the values themselves are still there to read
    for name in SECRET_FIELDS[cls]:
        assert getattr(obj, name) == SECRET_VALUES[cls][name]


def test_absent_api_key_secret_shows_none():
    k = models.ApiKey(id="k_1", label="bot", scopes=(), created_at=1)
    assert "secret=None" in repr(k)


@pytest.mark.parametrize("cls", [c for c in models.SCHEMAS if dataclasses.is_dataclass(c)],
                         ids=lambda c: c.__name__)
def test_every_secret_looking_field_is_hidden(cls):
    """A new model field named like a credential must be masked too."""
    words = ("secret", "token", "password", "otpauth")
    for f in dataclasses.fields(cls):
        if f.name == "token_type" or not any(w in f.name for w in words):
            continue
        hint = typing.get_type_hints(cls, vars(models))[f.name]
        value = "s3cr3t-value"
        kwargs = {g.name: _sample(typing.get_type_hints(cls, vars(models))[g.name])
                  for g in dataclasses.fields(cls)}
        kwargs[f.name] = value if unwrap_optional(hint)[0] is str else kwargs[f.name]
        assert value not in repr(cls(**kwargs)), f"{cls.__name__}.{f.name} shows in repr"


def _sample(tp):
    tp, _ = unwrap_optional(tp)
    if typing.get_origin(tp) is tuple:
        return ()
    if tp is models.BookLevel:
        return models.BookLevel(Decimal(1), Decimal(1))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return next(iter(tp))
    if dataclasses.is_dataclass(tp):
        return None
    return {str: "x", int: 0, bool: False, Decimal: Decimal(0)}[tp]
