"""POST /graphql (docs/shift.graphql, docs/guides/naxd.md): the Shift-style GraphQL
endpoint over naxd's own engine. Selection sets decide the answer; syntax and
validation problems are GraphQL errors in a 200; domain refusals map from the REST
codes; scopes, idempotency and fault injection behave as on the REST routes.
"""

import uuid

import pytest

from naxlib import (D, Server, balances, fund_crypto, fund_fiat, make_api_key, new_user,
                    verify_kyc)

ORDER_FIELDS = ("id clientOrderId pair side type price quantity filledQuantity averagePrice "
                "status timeInForce postOnly createdAt updatedAt")
CREATE = ("mutation Place($input: CreateOrderInput!) { createOrder(input: $input) { %s } }"
          % ORDER_FIELDS)
LIMIT_BUY = {"pair": "BTC-AUD", "side": "BUY", "type": "LIMIT", "price": "100.00",
             "quantity": "0.50000000"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("naxd-graphql"))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def trader(srv):
    user = new_user(srv)
    fund_fiat(user, "AUD", "1000.00")
    yield user
    user.delete("/v1/orders").expect(200)


def gql(user, query, variables=None, operation=None, **kw):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return user.post("/graphql", json=body, **kw)


def ok(resp):
    """The data of a successful GraphQL response."""
    resp.expect(200)
    doc = resp.json()
    assert "errors" not in doc, resp.text
    return doc["data"]


def error_of(resp):
    """The only error of a GraphQL error response (HTTP 200). Its extensions name
    the request (requestId, as X-Request-Id); that member is taken out here."""
    resp.expect(200)
    doc = resp.json()
    assert len(doc["errors"]) == 1, resp.text
    err = doc["errors"][0]
    assert err["extensions"].pop("requestId") == resp.headers["X-Request-Id"], resp.text
    return doc, err


def orders_of(user):
    return user.get("/v1/orders?limit=1000").expect(200).json()["orders"]


# ---- queries -------------------------------------------------------------------------


def test_balances_match_rest_exactly(trader):
    fund_crypto(trader, "BTC", "0.25")
    data = ok(gql(trader, "{ balances { asset available locked total } }"))
    rest = trader.get("/v1/wallets/balances").expect(200).json()["balances"]
    assert data["balances"] == rest
    assert {b["asset"] for b in data["balances"]} == {"AUD", "BTC"}


def test_selection_set_decides_the_fields(trader):
    data = ok(gql(trader, "query { balances { total } }"))
    assert data == {"balances": [{"total": "1000.00"}]}
    data = ok(gql(trader, "{ t: __typename balances { __typename a: asset asset } }"))
    assert data == {"t": "Query", "balances": [{"__typename": "Balance", "a": "AUD",
                                                 "asset": "AUD"}]}


def test_same_response_key_merges_subselections(trader):
    data = ok(gql(trader, "{ balances { asset } balances { total asset } }"))
    assert data == {"balances": [{"asset": "AUD", "total": "1000.00"}]}


def test_conflicting_aliases_fail_validation(trader):
    doc, err = error_of(gql(trader, "{ balances { x: asset x: total } }"))
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert err["path"] == ["balances", "x"]
    assert "data" not in doc


# ---- createOrder ---------------------------------------------------------------------


def test_create_limit_order_with_variables(trader):
    cid = "gql-" + uuid.uuid4().hex[:8]
    data = ok(gql(trader, CREATE, {"input": dict(LIMIT_BUY, clientOrderId=cid)}))
    o = data["createOrder"]
    assert o["id"].startswith("o_")
    assert (o["clientOrderId"], o["pair"], o["side"], o["type"]) == (cid, "BTC-AUD", "BUY",
                                                                     "LIMIT")
    assert (o["price"], o["quantity"], o["filledQuantity"]) == ("100.00", "0.50000000",
                                                                "0.00000000")
    assert o["averagePrice"] is None
    assert (o["status"], o["timeInForce"], o["postOnly"]) == ("OPEN", "GTC", False)
    assert isinstance(o["createdAt"], int) and o["updatedAt"] >= o["createdAt"]
    rest = trader.get(f"/v1/orders/{o['id']}").expect(200).json()
    assert rest["client_order_id"] == cid and rest["price"] == o["price"]
    assert rest["side"] == "buy" and rest["status"] == "open"
    # the hold is the REST one: 100.00 x 0.5 plus the taker fee
    assert balances(trader)["AUD"][1] > D("50")


def test_create_order_with_literal_input_and_only_requested_fields(trader):
    q = """
    # a comment, commas and a block string are ignored or read as the spec says
    mutation {
      placed: createOrder(input: {pair: "BTC-AUD", side: BUY, type: LIMIT,
                                  price: \"\"\"
                                      100.00
                                  \"\"\", quantity: "0.1", timeInForce: GTC,
                                  postOnly: true, clientOrderId: "lit\\u002D1"}) {
        status, postOnly, clientOrderId, __typename
      }
    }"""
    data = ok(gql(trader, q))
    assert data == {"placed": {"status": "OPEN", "postOnly": True, "clientOrderId": "lit-1",
                               "__typename": "Order"}}


def test_market_order_fills_against_the_book(srv, trader):
    seller = new_user(srv)
    fund_crypto(seller, "BTC", "1.0")
    ok(gql(seller, CREATE, {"input": {"pair": "BTC-AUD", "side": "SELL", "type": "LIMIT",
                                      "price": "200.00", "quantity": "0.20000000"}}))
    data = ok(gql(trader, CREATE, {"input": {"pair": "BTC-AUD", "side": "BUY",
                                             "type": "MARKET", "quantity": "0.10000000",
                                             "timeInForce": "IOC"}}))
    o = data["createOrder"]
    assert (o["type"], o["status"], o["price"]) == ("MARKET", "FILLED", None)
    assert D(o["filledQuantity"]) == D("0.1") and D(o["averagePrice"]) == D("200")
    assert balances(trader)["BTC"][0] == D("0.1")
    seller.delete("/v1/orders").expect(200)


# ---- domain errors -------------------------------------------------------------------


@pytest.mark.parametrize("change,field,reason", [
    ({"quantity": "500"}, "input.quantity", "insufficient_funds"),
    ({"price": "100.001"}, "input.price", "invalid_price"),
    ({"quantity": "0.000000001"}, "input.quantity", "invalid_quantity"),
    ({"pair": "DOGE-AUD"}, "input.pair", "unknown_pair"),
    ({"price": "1e3"}, "input.price", None),
    ({"price": None}, "input.price", "invalid_request"),
    ({"type": "MARKET", "postOnly": True, "price": None}, "input.postOnly", "invalid_request"),
])
def test_refusals_are_bad_user_input_with_the_field(trader, change, field, reason):
    doc, err = error_of(gql(trader, CREATE, {"input": dict(LIMIT_BUY, **change)}))
    assert doc["data"] is None
    assert err["extensions"]["code"] == "BAD_USER_INPUT"
    assert err["extensions"]["field"] == field
    assert err["extensions"].get("reason") == reason
    assert err["path"] == ["createOrder"] and err["locations"][0]["line"] == 1
    assert orders_of(trader) == []


def test_duplicate_client_order_id_is_conflict(trader):
    inp = dict(LIMIT_BUY, clientOrderId="dup-" + uuid.uuid4().hex[:8])
    ok(gql(trader, CREATE, {"input": inp}))
    doc, err = error_of(gql(trader, CREATE, {"input": inp}))
    assert err["extensions"]["code"] == "CONFLICT"
    assert err["extensions"]["field"] == "input.clientOrderId"
    assert err["extensions"]["reason"] == "duplicate_client_order_id"
    assert len(orders_of(trader)) == 1


def test_halted_market_is_bad_user_input(tmp_path):
    markets = [{"pair": "BTC-AUD", "base": "BTC", "quote": "AUD", "tick_size": "0.01",
                "lot_size": "0.00000001", "min_notional": "10.00", "maker_fee": "0.001",
                "taker_fee": "0.002", "status": "halted"}]
    server = Server(tmp_path, config={"markets": markets})
    server.start()
    try:
        user = new_user(server)
        fund_fiat(user, "AUD", "1000.00")
        doc, err = error_of(gql(user, CREATE, {"input": LIMIT_BUY}))
        assert err["extensions"]["code"] == "BAD_USER_INPUT"
        assert err["extensions"]["field"] == "input.pair"
        assert err["extensions"]["reason"] == "market_halted"
    finally:
        server.close()


def test_one_create_order_per_request(trader):
    q = ("mutation { a: createOrder(input: {pair: \"BTC-AUD\", side: BUY, type: LIMIT, "
         "price: \"100.00\", quantity: \"0.1\"}) { id } b: createOrder(input: {pair: "
         "\"BTC-AUD\", side: BUY, type: LIMIT, price: \"100.00\", quantity: \"0.2\"}) { id } }")
    doc, err = error_of(gql(trader, q))
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert orders_of(trader) == []


# ---- syntax, validation, variables ---------------------------------------------------


@pytest.mark.parametrize("query,line,column", [
    ("{ balances { asset ", 1, 20),
    ("{\n  balances { asset } }\n}", 3, 1),
    ("query { balances { asset } } %", 1, 30),
    ("{ balances { \"asset\" } }", 1, 14),
    ("query ($x: String = $y) { balances { asset } }", 1, 21),
    ("{ balances { asset(x: 01) } }", 1, 24),
    ("{ balances { asset(x: \"\\q\") } }", 1, 23),
])
def test_syntax_errors_carry_the_location(trader, query, line, column):
    doc, err = error_of(gql(trader, query))
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", err
    assert err["locations"] == [{"line": line, "column": column}], err
    assert "data" not in doc


@pytest.mark.parametrize("query,variables,path,fragment", [
    ("{ balances { asset foo } }", None, ["balances", "foo"], "Cannot query field \"foo\""),
    ("{ orders { id } }", None, ["orders"], "on type \"Query\""),
    ("{ balances }", None, ["balances"], "must have a selection"),
    ("{ balances { asset { x } } }", None, ["balances", "asset"], "must not have a selection"),
    ("mutation { createOrder { id } }", None, ["createOrder"], "is required"),
    ("mutation { createOrder(input: {pair: \"BTC-AUD\"}) { id } }", None, ["createOrder"],
     "was not provided"),
    ("mutation { createOrder(input: {pair: \"BTC-AUD\", side: \"BUY\", type: LIMIT, "
     "quantity: \"1\"}) { id } }", None, ["createOrder"], "Expected value of type \"Side!\""),
    ("mutation { createOrder(input: {pair: \"BTC-AUD\", side: UP, type: LIMIT, "
     "quantity: \"1\"}) { id } }", None, ["createOrder"], "does not exist in \"Side\""),
    ("mutation { createOrder(input: {pair: \"BTC-AUD\", side: BUY, type: LIMIT, "
     "quantity: \"1\", colour: \"red\"}) { id } }", None, ["createOrder"], "not defined by"),
    ("mutation ($i: CreateOrderInput) { createOrder(input: $i) { id } }", {}, ["createOrder"],
     "used in position expecting"),
    ("mutation { createOrder(input: $i) { id } }", None, ["createOrder"], "is not defined"),
    ("query ($unused: String) { balances { asset } }", None, [], "never used"),
    ("query ($x: Order) { balances { asset } }", None, [], "non-input type"),
    ("{ __schema { types { name } } }", None, ["__schema"], "Cannot query field"),
    ("subscription { balances { asset } }", None, [], "subscriptions"),
    ("{ balances { ...F } }", None, [], "Fragments are not supported"),
    ("fragment F on Balance { asset } { balances { asset } }", None, [], "Fragments"),
    ("{ balances @skip(if: true) { asset } }", None, [], "Directives are not supported"),
    ("type Foo { x: Int }", None, [], "not executable"),
])
def test_validation_errors(trader, query, variables, path, fragment):
    doc, err = error_of(gql(trader, query, variables))
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", err
    assert err.get("path", []) == path
    assert fragment in err["message"]
    assert "data" not in doc


def test_variable_values_are_coerced_and_checked(trader):
    q = "mutation ($i: CreateOrderInput!) { createOrder(input: $i) { id } }"
    doc, err = error_of(gql(trader, q, {}))
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "i"}
    doc, err = error_of(gql(trader, q, {"i": dict(LIMIT_BUY, side="UP")}))
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "i.side"}
    doc, err = error_of(gql(trader, q, {"i": dict(LIMIT_BUY, quantity=0.5)}))
    assert err["extensions"]["field"] == "i.quantity", "money is a string, never a number"
    doc, err = error_of(gql(trader, q, {"i": dict(LIMIT_BUY, extra=1)}))
    assert err["extensions"]["field"] == "i.extra"
    assert orders_of(trader) == []
    # a default value, and an input object built from several variables
    q2 = ("mutation ($q: String!, $side: Side = BUY, $po: Boolean) { createOrder(input: "
          "{pair: \"BTC-AUD\", side: $side, type: LIMIT, price: \"100.00\", quantity: $q, "
          "postOnly: $po}) { side quantity postOnly } }")
    assert ok(gql(trader, q2, {"q": "0.1"}))["createOrder"] == {
        "side": "BUY", "quantity": "0.1", "postOnly": False}


def test_operation_name_selects_the_operation(trader):
    q = "query A { balances { asset } } query B { balances { total } }"
    assert ok(gql(trader, q, operation="B")) == {"balances": [{"total": "1000.00"}]}
    doc, err = error_of(gql(trader, q))
    assert "operation name" in err["message"]
    doc, err = error_of(gql(trader, q, operation="C"))
    assert "Unknown operation" in err["message"]


def test_bounds_on_the_document(trader):
    big = "{ balances { asset } }" + " " * (64 * 1024)
    doc, err = error_of(gql(trader, big))
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and "64" not in err.get("path", [])
    deep = "{ balances { asset(x: " + "[" * 20 + "]" * 20 + ") } }"
    doc, err = error_of(gql(trader, deep))
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and "nested" in err["message"]
    many = "{ " + " ".join(f"a{i}: __typename" for i in range(2100)) + " }"
    doc, err = error_of(gql(trader, many))
    assert err["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and "tokens" in err["message"]


# ---- HTTP level ----------------------------------------------------------------------


def test_http_level_refusals(srv, trader):
    r = srv.api.post("/graphql", json={"query": "{ balances { asset } }"})
    assert r.status == 401 and r.code == "unauthorized", r.text
    r = trader.post("/graphql", body=b"{not json")
    assert r.status == 400 and r.code == "invalid_json", r.text
    r = trader.post("/graphql", json={"variables": {}})
    assert r.status == 400 and r.code == "invalid_request" and r.error["field"] == "query"
    r = trader.post("/graphql", json={"query": "{ balances { asset } }", "variables": [1]})
    assert r.status == 400 and r.error["field"] == "variables"
    r = trader.post("/graphql", json={"query": "{ balances { asset } }", "operationName": 7})
    assert r.status == 400 and r.error["field"] == "operationName"
    r = trader.call("GET", "/graphql")
    assert r.status == 405


def test_api_key_scopes_per_field(trader):
    read = make_api_key(trader, scopes=("read",))
    trade = make_api_key(trader, scopes=("trade",))
    assert ok(gql(trader, "{ balances { asset } }", key=read))["balances"][0]["asset"] == "AUD"
    doc, err = error_of(gql(trader, CREATE, {"input": LIMIT_BUY}, key=read))
    assert err["extensions"]["code"] == "FORBIDDEN" and doc["data"] is None
    doc, err = error_of(gql(trader, "{ balances { asset } }", key=trade))
    assert err["extensions"]["code"] == "FORBIDDEN" and err["path"] == ["balances"]
    o = ok(gql(trader, CREATE, {"input": LIMIT_BUY}, key=trade))["createOrder"]
    assert [x["id"] for x in orders_of(trader)] == [o["id"]]
    # a bad signature is refused before any GraphQL
    r = gql(trader, "{ balances { asset } }", key=(read.id, "wrong-secret"))
    assert r.status == 401, r.text


# ---- idempotency and faults ----------------------------------------------------------


def test_idempotency_key_replays_the_mutation(trader):
    key = str(uuid.uuid4())
    body = {"input": dict(LIMIT_BUY, clientOrderId="idem-" + key[:8])}
    first = gql(trader, CREATE, body, idem=key)
    second = gql(trader, CREATE, body, idem=key)
    assert ok(first) == ok(second)
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(orders_of(trader)) == 1
    other = gql(trader, CREATE, {"input": LIMIT_BUY}, idem=key)
    assert other.status == 422 and other.code == "idempotency_key_reused"
    # a refusal is not stored: the same key works once the cause is gone
    key2 = str(uuid.uuid4())
    big = {"input": dict(LIMIT_BUY, quantity="15")}
    doc, err = error_of(gql(trader, CREATE, big, idem=key2))
    assert err["extensions"]["reason"] == "insufficient_funds"
    fund_fiat(trader, "AUD", "1000.00")
    assert ok(gql(trader, CREATE, big, idem=key2))["createOrder"]["quantity"] == "15"


@pytest.mark.parametrize("action", ["drop_after_commit", "error_after_commit"])
def test_fault_after_commit_then_retry_places_one_order(srv, trader, action):
    key = str(uuid.uuid4())
    body = {"input": dict(LIMIT_BUY, clientOrderId="f-" + key[:8])}
    srv.faults("POST /graphql", action, count=1)
    try:
        r = gql(trader, CREATE, body, idem=key, retry=False, fresh=True)
        assert r.status == 500, r.text
    except ConnectionError:
        assert action == "drop_after_commit"
    except Exception as exc:  # http.client.RemoteDisconnected and friends
        assert action == "drop_after_commit", exc
    again = ok(gql(trader, CREATE, body, idem=key))["createOrder"]
    assert [o["id"] for o in orders_of(trader)] == [again["id"]]


def test_commit_failure_is_503_and_changes_nothing(srv, trader):
    before = balances(trader)
    srv.faults("POST /graphql", "commit_fail", count=1)
    r = gql(trader, CREATE, {"input": LIMIT_BUY})
    assert r.status == 503 and r.code == "store_unavailable", r.text
    srv.wait_writable()
    assert orders_of(trader) == [] and balances(trader) == before


def test_audit_chain_holds_graphql_orders(srv, trader):
    ok(gql(trader, CREATE, {"input": LIMIT_BUY}))
    rc, out = srv.verify_audit()
    assert rc == 0, out
