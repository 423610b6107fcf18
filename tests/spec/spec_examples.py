#!/usr/bin/python3
"""Check the API contract documents against each other, include/nax/types.h and the codec.

Loads docs/openapi.yaml and docs/asyncapi.yaml and checks that:

1. every schema with `x-nax-type` matches its struct in include/nax/types.h
   (members, required members, JSON kinds that fit the C types, enum spellings
   from the header comments), and every nax_type has exactly one such schema;
2. every example (OpenAPI media-type and schema examples, AsyncAPI message
   payloads) is valid against its schema, using the JSON Schema subset below;
   every JSON body and every message has one; every nax_type has one;
3. order-book examples carry the checksum of the asyncapi.yaml algorithm (an
   update is applied to the snapshot example before it), and the signed stream
   `auth` example verifies with the secret of the API key example;
4. the HTTP conventions hold: an Idempotency-Key on every POST (required for
   orders, wallets and fiat), X-Request-Id on every response, Retry-After on
   429 and 503, the error body on every 4xx/5xx response;
5. with --decoder, every typed example goes through tests/spec/spec_decode.c
   ("<type_name>\t<json>" lines): nax_decode(), nax_encode(), decode again; the
   re-encoded JSON must equal the example.

It fails when it found fewer typed examples than operations, so it cannot pass
vacuously. Needs python3-yaml only.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import zlib
from decimal import Decimal

import yaml

BOOK_CHECKSUM_LEVELS = 25
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]{1,18})?$"

# Keywords the validator below understands; anything else in a schema is an
# error, so a new keyword cannot be silently ignored.
ANNOTATION_KEYWORDS = {
    "description", "summary", "title", "examples", "example", "default", "deprecated",
    "readOnly", "writeOnly", "contentMediaType", "$comment",
}
VALIDATION_KEYWORDS = {
    "$ref", "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "minItems", "maxItems", "uniqueItems", "items", "prefixItems", "additionalItems",
    "properties", "required", "additionalProperties", "allOf", "oneOf", "anyOf", "format",
    "contentEncoding",
}


class SpecError(Exception):
    """A problem in the documents that stops the check."""


def json_pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer_unescape(token):
    return token.replace("~1", "/").replace("~0", "~")


class Doc:
    """One loaded YAML document."""

    def __init__(self, path):
        self.path = os.path.realpath(path)
        self.name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            self.data = yaml.safe_load(f)


class Example:
    """One example value, where it lives, and the schema it must satisfy."""

    def __init__(self, location, value, doc, schema, type_name):
        self.location = location
        self.value = value
        self.doc = doc
        self.schema = schema
        self.type_name = type_name


class Specs:
    """Both documents, $ref resolution across them, and everything found in them."""

    def __init__(self, root):
        self.docs_by_path = {}
        self.openapi = self.load(os.path.join(root, "docs", "openapi.yaml"))
        self.asyncapi = self.load(os.path.join(root, "docs", "asyncapi.yaml"))
        self.examples = {}  # location -> Example, so shared examples are checked once
        self.operations = []
        self.errors = []

    def load(self, path):
        doc = Doc(path)
        self.docs_by_path[doc.path] = doc
        return doc

    def lookup(self, doc, ref):
        """Follow one $ref; returns (doc, node, location)."""
        file_part, _, pointer = ref.partition("#")
        if file_part:
            path = os.path.realpath(os.path.join(os.path.dirname(doc.path), file_part))
            doc = self.docs_by_path.get(path) or self.load(path)
        node = doc.data
        for token in pointer.split("/")[1:]:
            token = json_pointer_unescape(token)
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise SpecError(f"{doc.name}: unresolvable $ref {ref!r}")
        return doc, node, f"{doc.name}#{pointer}"

    def resolve(self, doc, node, location):
        """Follow $refs until a node without one (for non-schema objects)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            doc, node, location = self.lookup(doc, node["$ref"])
            seen += 1
            if seen > 20:
                raise SpecError(f"{location}: $ref loop")
        return doc, node, location

    def type_name_of(self, doc, schema):
        """The x-nax-type of a schema, following $refs; None when it has none."""
        for _ in range(20):
            if not isinstance(schema, dict):
                return None
            if "x-nax-type" in schema:
                return schema["x-nax-type"]
            if "$ref" not in schema:
                return None
            doc, schema, _ = self.lookup(doc, schema["$ref"])
        raise SpecError("$ref loop while looking for x-nax-type")

    def add_example(self, location, value, doc, schema):
        if location not in self.examples:
            self.examples[location] = Example(location, value, doc, schema,
                                              self.type_name_of(doc, schema))

    # ---------------------------------------------------------------- collecting

    def collect_openapi(self):
        doc = self.openapi
        for path, item in doc.data["paths"].items():
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                op = item[method]
                label = f"{method.upper()} {path}"
                self.operations.append(label)
                base = f"{doc.name}#/paths/{json_pointer_escape(path)}/{method}"
                if "requestBody" in op:
                    bdoc, body, bloc = self.resolve(doc, op["requestBody"], base + "/requestBody")
                    self.collect_content(bdoc, body, bloc, label + " request")
                for status, response in op.get("responses", {}).items():
                    rloc = f"{base}/responses/{status}"
                    rdoc, resp, rloc = self.resolve(doc, response, rloc)
                    self.collect_content(rdoc, resp, rloc, f"{label} {status}")
        self.collect_schema_examples(doc, doc.data["components"]["schemas"])

    def collect_content(self, doc, holder, location, user):
        for media_type, media in holder.get("content", {}).items():
            mloc = f"{location}/content/{json_pointer_escape(media_type)}"
            schema = media.get("schema")
            found = 0
            if "example" in media:
                self.add_media_example(doc, mloc + "/example", media["example"], schema,
                                       media_type)
                found += 1
            for name, ex in media.get("examples", {}).items():
                _, ex, eloc = self.resolve(doc, ex, f"{mloc}/examples/{name}")
                if "value" not in ex:
                    self.errors.append(f"{eloc}: example without an inline value")
                    continue
                self.add_media_example(doc, eloc + "/value", ex["value"], schema, media_type)
                found += 1
            if found == 0:
                self.errors.append(f"{mloc}: {user} has no example")

    def add_media_example(self, doc, location, value, schema, media_type):
        if is_json_media_type(media_type):
            self.add_example(location, value, doc, schema)
        elif not isinstance(value, str):
            self.errors.append(f"{location}: a {media_type} example must be text")

    def collect_schema_examples(self, doc, schemas):
        for name, schema in schemas.items():
            self.walk_schema_examples(doc, schema, f"{doc.name}#/components/schemas/{name}")

    def walk_schema_examples(self, doc, schema, location):
        if not isinstance(schema, dict):
            return
        for i, value in enumerate(schema.get("examples", [])):
            self.add_example(f"{location}/examples/{i}", value, doc, schema)
        if "example" in schema:
            self.add_example(f"{location}/example", schema["example"], doc, schema)
        for key, sub in schema.items():
            if key == "properties":
                for prop, prop_schema in sub.items():
                    self.walk_schema_examples(doc, prop_schema, f"{location}/properties/{prop}")
            elif key in ("allOf", "oneOf", "anyOf", "prefixItems", "items") and isinstance(
                    sub, list):
                for i, part in enumerate(sub):
                    self.walk_schema_examples(doc, part, f"{location}/{key}/{i}")
            elif key in ("items", "additionalProperties", "additionalItems"):
                self.walk_schema_examples(doc, sub, f"{location}/{key}")

    def collect_asyncapi(self):
        doc = self.asyncapi
        for name in doc.data.get("operations", {}):
            self.operations.append(f"asyncapi operation {name}")
        seen = set()
        for cname, channel in doc.data.get("channels", {}).items():
            for mname, message in channel.get("messages", {}).items():
                mdoc, msg, mloc = self.resolve(doc, message, f"{doc.name}#/channels/{cname}")
                if mloc not in seen:
                    seen.add(mloc)
                    self.collect_message(mdoc, msg, mloc, f"channel {cname} message {mname}")
        for mname, message in doc.data.get("components", {}).get("messages", {}).items():
            mloc = f"{doc.name}#/components/messages/{mname}"
            if mloc not in seen:
                seen.add(mloc)
                self.collect_message(doc, message, mloc, f"message {mname}")
        self.collect_schema_examples(doc, doc.data["components"]["schemas"])

    def collect_message(self, doc, message, location, user):
        found = 0
        for i, ex in enumerate(message.get("examples", [])):
            if "payload" in ex:
                self.add_example(f"{location}/examples/{i}/payload", ex["payload"], doc,
                                 message.get("payload"))
                found += 1
        if found == 0:
            self.errors.append(f"{location}: {user} has no example payload")

    # --------------------------------------------------------- HTTP conventions

    def check_http_conventions(self):
        doc = self.openapi
        for path, item in doc.data["paths"].items():
            for method in HTTP_METHODS:
                if method in item:
                    self.check_operation_headers(doc, path, method, item[method],
                                                 item.get("parameters", []))

    def check_operation_headers(self, doc, path, method, op, path_params):
        label = f"{method.upper()} {path}"
        params = [self.resolve(doc, p, label)[1] for p in path_params + op.get("parameters", [])]
        keys = [p for p in params if p.get("in") == "header" and p.get("name") == "Idempotency-Key"]
        if method == "post":
            must_require = re.match(r"^/v1/(orders|wallets|fiat)(/|$)", path) is not None
            if not keys:
                self.errors.append(f"{label}: no Idempotency-Key header parameter")
            elif must_require and not keys[0].get("required"):
                self.errors.append(f"{label}: Idempotency-Key must be required")
        for status, response in op.get("responses", {}).items():
            _, resp, rloc = self.resolve(doc, response, f"{label} {status}")
            headers = resp.get("headers", {})
            if "X-Request-Id" not in headers:
                self.errors.append(f"{label} {status}: no X-Request-Id header ({rloc})")
            if str(status) in ("429", "503") and "Retry-After" not in headers:
                self.errors.append(f"{label} {status}: no Retry-After header ({rloc})")
            is_error = status == "default" or str(status)[0] in "45"
            # /health answers 503 with its own body, which load balancers read.
            if is_error and not (path == "/health" and str(status) == "503"):
                json_media = resp.get("content", {}).get("application/json", {})
                if self.type_name_of(doc, json_media.get("schema")) != "error_body":
                    self.errors.append(f"{label} {status}: the body must be the error body")

    # ---------------------------------------------------------------- validation

    def validate(self, doc, schema, value, path, errors):
        """Validate value against schema (a JSON Schema subset); appends to errors."""
        if schema is True:
            return
        if schema is False:
            errors.append(f"{path}: no value is allowed here")
            return
        if not isinstance(schema, dict):
            raise SpecError(f"schema at {path} is not an object")
        for key in schema:
            if not (key.startswith("x-") or key in ANNOTATION_KEYWORDS
                    or key in VALIDATION_KEYWORDS):
                raise SpecError(f"spec_examples.py does not know the schema keyword {key!r} "
                                f"(at {path}); teach it before using the keyword")
        if "$ref" in schema:
            rdoc, target, _ = self.lookup(doc, schema["$ref"])
            self.validate(rdoc, target, value, path, errors)
        self.validate_type(schema, value, path, errors)
        self.validate_scalar(schema, value, path, errors)
        if isinstance(value, list):
            self.validate_array(doc, schema, value, path, errors)
        if isinstance(value, dict):
            self.validate_object(doc, schema, value, path, errors)
        for part in schema.get("allOf", []):
            self.validate(doc, part, value, path, errors)
        for key in ("oneOf", "anyOf"):
            if key not in schema:
                continue
            matches = 0
            for part in schema[key]:
                sub_errors = []
                self.validate(doc, part, value, path, sub_errors)
                matches += not sub_errors
            if matches == 0 or (key == "oneOf" and matches > 1):
                errors.append(f"{path}: matches {matches} of the {key} alternatives")

    @staticmethod
    def validate_type(schema, value, path, errors):
        if "type" not in schema:
            return
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(json_type_matches(t, value) for t in types):
            errors.append(f"{path}: expected {'/'.join(types)}, got {json.dumps(value)}")

    @staticmethod
    def validate_scalar(schema, value, path, errors):
        if "enum" in schema and not any(same_json(value, e) for e in schema["enum"]):
            errors.append(f"{path}: {json.dumps(value)} is not one of {schema['enum']}")
        if "const" in schema and not same_json(value, schema["const"]):
            errors.append(f"{path}: {json.dumps(value)} is not {json.dumps(schema['const'])}")
        if isinstance(value, str):
            if "pattern" in schema and not re.search(schema["pattern"], value):
                errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
            if len(value) < schema.get("minLength", 0):
                errors.append(f"{path}: shorter than {schema['minLength']}")
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                errors.append(f"{path}: longer than {schema['maxLength']}")
            if schema.get("contentEncoding") == "base64" and not is_base64(value):
                errors.append(f"{path}: not base64")
            if schema.get("format") == "email" and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                                                 value):
                errors.append(f"{path}: {value!r} is not an email address")
        if json_type_matches("number", value):
            if "minimum" in schema and value < schema["minimum"]:
                errors.append(f"{path}: {value} is below {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(f"{path}: {value} is above {schema['maximum']}")
            if schema.get("format") == "int64" and not -2**63 <= value < 2**63:
                errors.append(f"{path}: {value} does not fit int64")

    def validate_array(self, doc, schema, value, path, errors):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems"):
            dumped = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(dumped)) != len(dumped):
                errors.append(f"{path}: items are not unique")
        # A tuple is prefixItems (2020-12) or an items list (draft-07); the rest
        # of the array is then governed by items or additionalItems respectively.
        tuple_schemas, rest = [], schema.get("items", True)
        if "prefixItems" in schema:
            tuple_schemas = schema["prefixItems"]
        elif isinstance(schema.get("items"), list):
            tuple_schemas, rest = schema["items"], schema.get("additionalItems", True)
        for i, item in enumerate(value):
            item_schema = tuple_schemas[i] if i < len(tuple_schemas) else rest
            self.validate(doc, item_schema, item, f"{path}[{i}]", errors)

    def validate_object(self, doc, schema, value, path, errors):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{path}: required member {name!r} is missing")
        properties = schema.get("properties", {})
        for name, member in value.items():
            if name in properties:
                self.validate(doc, properties[name], member, f"{path}.{name}", errors)
            elif "additionalProperties" in schema:
                self.validate(doc, schema["additionalProperties"], member, f"{path}.{name}",
                              errors)

    def check_examples(self):
        for example in self.examples.values():
            errors = []
            for path in find_nulls(example.value, "$"):
                errors.append(f"{path}: null is never sent; omit the member instead")
            try:
                json.dumps(example.value, allow_nan=False)
            except (TypeError, ValueError) as exc:
                errors.append(f"not JSON: {exc}")
            if example.schema is None:
                errors.append("no schema to validate against")
            else:
                self.validate(example.doc, example.schema, example.value, "$", errors)
            for err in errors:
                self.errors.append(f"{example.location}: {err}")

    # --------------------------------------------------------- types.h agreement

    def check_types_header(self, header):
        """Every x-nax-type schema matches its struct; every nax_type has one."""
        type_names = set(header.type_names)
        base_schemas = {}
        for doc in (self.openapi, self.asyncapi):
            for name, schema in doc.data["components"]["schemas"].items():
                type_name = schema.get("x-nax-type")
                location = f"{doc.name}#/components/schemas/{name}"
                if type_name is None:
                    continue
                if type_name not in type_names:
                    self.errors.append(f"{location}: x-nax-type {type_name!r} is not a nax_type "
                                       "in include/nax/types.h")
                elif "allOf" in schema:
                    self.check_specialisation(doc, schema, type_name, location)
                elif type_name in base_schemas:
                    self.errors.append(f"{location}: a second schema for {type_name!r} "
                                       f"(first: {base_schemas[type_name][2]})")
                else:
                    base_schemas[type_name] = (doc, schema, location)
        for type_name in sorted(type_names - set(base_schemas)):
            self.errors.append(f"nax_type {type_name!r} has no schema with x-nax-type")
        for type_name, (doc, schema, location) in sorted(base_schemas.items()):
            if type_name == "error_body":
                # The wrapped form {"error": {...}}: the struct describes the inside.
                if set(schema.get("properties", {})) != {"error"} or schema.get("required") != [
                        "error"]:
                    self.errors.append(f"{location}: error_body must be exactly {{\"error\":...}}")
                    continue
                doc, schema, location = self.lookup(doc, schema["properties"]["error"]["$ref"])
            self.compare_struct(header, "nax_" + type_name, doc, schema, location)

    def check_specialisation(self, doc, schema, type_name, location):
        """A narrowed message schema must build on the base schema of its type."""
        bases = [part for part in schema["allOf"] if isinstance(part, dict) and "$ref" in part]
        if not any(self.type_name_of(doc, part) == type_name for part in bases):
            self.errors.append(f"{location}: allOf must include the base schema of {type_name!r}")

    def compare_struct(self, header, struct_name, doc, schema, location):
        fields = header.structs.get(struct_name)
        if fields is None:
            self.errors.append(f"{location}: no struct {struct_name} in include/nax/types.h")
            return
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        names = {f.name for f in fields}
        for missing in sorted(names - set(props)):
            self.errors.append(f"{location}: {struct_name}.{missing} has no property")
        for extra in sorted(set(props) - names):
            self.errors.append(f"{location}: property {extra!r} is not a member of {struct_name}")
        for field in fields:
            if field.name not in props:
                continue
            if field.required != (field.name in required):
                want = "required" if field.required else "optional"
                self.errors.append(f"{location}: {field.name} must be {want} as in {struct_name}")
            pdoc, pschema, ploc = self.resolve(doc, props[field.name],
                                               f"{location}/properties/{field.name}")
            self.compare_field(header, field, pdoc, pschema, ploc)
        if schema.get("additionalProperties") is not True:
            self.errors.append(f"{location}: needs additionalProperties: true")

    def compare_field(self, header, field, doc, schema, location):
        kind = field.json_kind()
        actual = schema.get("type")
        if kind == "decimal":
            if actual != "string" or schema.get("pattern") != DECIMAL_PATTERN:
                self.errors.append(f"{location}: {field.name} is a decimal string")
            return
        if actual != kind:
            self.errors.append(f"{location}: {field.name} must be a JSON {kind}, not {actual}")
            return
        if field.enum is not None:
            spellings = header.enums[field.enum]
            if schema.get("enum") != spellings:
                self.errors.append(f"{location}: {field.name} enum must be {spellings}")
        elif field.is_scope_set:
            _, items, iloc = self.resolve(doc, schema.get("items", {}), location + "/items")
            if items.get("enum") != header.enums["nax_scope"]:
                self.errors.append(f"{iloc}: scopes must be {header.enums['nax_scope']}")
        elif field.struct is not None:
            sub = schema
            if kind == "array":
                doc, sub, location = self.resolve(doc, schema.get("items", {}),
                                                  location + "/items")
            if field.struct != "nax_book_level":
                self.compare_struct(header, field.struct, doc, sub, location)


class Field:
    """One member of a types.h struct, as far as the JSON shape goes."""

    def __init__(self, ctype, name, comment):
        self.ctype = " ".join(ctype.split())
        self.name = name
        self.comment = comment
        # "required for limit orders" is conditional, so optional in the schema.
        self.required = bool(re.match(r"required(?! for)\b", comment))
        # Lists are pointer arrays: `const T *const *name`.
        self.is_list = "*const*" in self.ctype.replace(" ", "")
        self.is_scope_set = "nax_scope" in comment
        self.base = re.sub(r"\bconst\b|\*", " ", self.ctype).split()[-1]
        self.enum = None
        self.struct = None

    def classify(self, header):
        if self.base in header.enums:
            self.enum = self.base
        elif self.base in header.structs:
            self.struct = self.base

    def json_kind(self):
        if self.base == "nax_decimal":
            return "decimal"
        if self.base == "char":
            return "array" if self.is_list else "string"
        if self.is_scope_set:
            return "array"
        if self.enum is not None:
            return "string"
        if self.base == "nax_book_level" or self.is_list:
            return "array"
        if self.struct is not None:
            return "object"
        if self.base == "int" and "boolean" in self.comment:
            return "boolean"
        if self.base in ("int64_t", "uint64_t", "uint32_t", "int"):
            return "integer"
        raise SpecError(f"spec_examples.py cannot map C type {self.ctype!r} of {self.name}")


class TypesHeader:
    """The parts of include/nax/types.h that define the JSON shapes."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.type_names = [name.lower() for name, number in
                           re.findall(r"\bNAX_TYPE_(\w+)\s*=\s*(\d+)", text) if number != "0"]
        if len(self.type_names) < 40:
            raise SpecError(f"{path}: found only {len(self.type_names)} nax_type values")
        self.enums = {}
        for body, name in re.findall(r"typedef enum (?:\w+) \{(.*?)\} (\w+);", text, re.S):
            self.enums[name] = re.findall(r'/\*\*<\s*`"([^"]+)"`', body)
        del self.enums["nax_type"]
        self.structs = {}
        for body, name in re.findall(r"typedef struct (?:\w+) \{(.*?)\} (\w+);", text, re.S):
            self.structs[name] = self.parse_members(body)
        for fields in self.structs.values():
            for field in fields:
                field.classify(self)

    @staticmethod
    def parse_members(body):
        fields = []
        for ctype, name, comment in re.findall(
                r"^\s*([^;/]*?[\s*])(\w+);\s*/\*\*<\s*(.*?)\s*\*/", body, re.M):
            if name == "struct_size" or name.endswith("_count") or name.startswith("has_"):
                continue  # C bookkeeping, not JSON members
            fields.append(Field(ctype, name, comment))
        return fields


# -------------------------------------------------------------------- helpers

def is_json_media_type(media_type):
    base = media_type.split(";")[0].strip()
    return base == "application/json" or base.endswith("+json")


def json_type_matches(json_type, value):
    if json_type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if json_type == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    python_types = {"string": str, "boolean": bool, "array": list, "object": dict,
                    "null": type(None)}
    if json_type not in python_types:
        raise SpecError(f"unknown JSON type {json_type!r}")
    return isinstance(value, python_types[json_type])


def same_json(a, b):
    """Equality that, unlike ==, tells true from 1 and 1 from 1.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b


def is_base64(text):
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def find_nulls(value, path):
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, member in value.items():
            yield from find_nulls(member, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from find_nulls(item, f"{path}[{i}]")


# -------------------------------------------------------------- book checksums

def normalise_decimal(text):
    """Strip trailing fractional zeros, then a bare point: "97250.50" -> "97250.5"."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def book_checksum(bids, asks):
    """The checksum of asyncapi.yaml: CRC-32 of "p:q|p:q#p:q|p:q" over the top levels."""
    def side(levels):
        return "|".join(f"{normalise_decimal(p)}:{normalise_decimal(q)}"
                        for p, q in levels[:BOOK_CHECKSUM_LEVELS])
    return zlib.crc32(f"{side(bids)}#{side(asks)}".encode("ascii"))


def apply_book_update(levels, changes, best_first_descending):
    """Apply update levels (quantity 0 removes) to one side, keeping best first."""
    book = {Decimal(p): (p, q) for p, q in levels}
    for price, quantity in changes:
        if Decimal(quantity) == 0:
            book.pop(Decimal(price), None)
        else:
            book[Decimal(price)] = (price, quantity)
    ordered = sorted(book, reverse=best_first_descending)
    return [list(book[p]) for p in ordered]


def check_book_checksums(examples, errors):
    """Snapshots and REST books must carry their checksum; updates the one after applying."""
    books = [ex for ex in examples if ex.type_name in ("order_book", "stream_message")
             and isinstance(ex.value, dict) and "checksum" in ex.value]
    snapshots = {}
    for ex in books:
        value = ex.value
        if ex.type_name == "order_book" or value.get("type") == "snapshot":
            snapshots[(value.get("channel", "book:" + value.get("pair", "")), value["seq"])] = value
            want = book_checksum(value["bids"], value["asks"])
            if value["checksum"] != want:
                errors.append(f"{ex.location}: checksum {value['checksum']}, the book gives {want}")
    for ex in books:
        value = ex.value
        if ex.type_name != "stream_message" or value.get("type") != "update":
            continue
        base = snapshots.get((value["channel"], value["seq"] - 1))
        if base is None:
            errors.append(f"{ex.location}: no snapshot example of {value['channel']} with seq "
                          f"{value['seq'] - 1} to apply this update to")
            continue
        bids = apply_book_update(base["bids"], value.get("bids", []), True)
        asks = apply_book_update(base["asks"], value.get("asks", []), False)
        want = book_checksum(bids, asks)
        if value["checksum"] != want:
            errors.append(f"{ex.location}: checksum {value['checksum']}, the book after this "
                          f"update gives {want}")


def check_stream_auth_signatures(examples, errors):
    """A signed auth example must verify with the secret of the API key example it names."""
    secrets = {ex.value["id"]: ex.value["secret"] for ex in examples
               if ex.type_name == "api_key" and "secret" in ex.value}
    for ex in examples:
        value = ex.value
        if ex.type_name != "stream_op" or "signature" not in value:
            continue
        secret = secrets.get(value.get("api_key"))
        if secret is None:
            errors.append(f"{ex.location}: no api_key example with a secret for "
                          f"{value.get('api_key')!r}")
            continue
        message = f"{value['timestamp']}GET/v1/stream".encode("utf-8")
        want = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
        if value["signature"] != want:
            errors.append(f"{ex.location}: signature should be {want}")


# ------------------------------------------------------------------- decoding

def run_decoder(decoder, typed_examples, errors):
    """Feed typed examples to spec_decode; every one must decode and round-trip."""
    lines = []
    for example in typed_examples:
        text = json.dumps(example.value, separators=(",", ":"), ensure_ascii=False)
        lines.append(f"{example.type_name}\t{text}\n")
    try:
        result = subprocess.run([decoder], input="".join(lines), capture_output=True,
                                text=True, timeout=300, check=False)
    except OSError as exc:
        errors.append(f"cannot run {decoder}: {exc}")
        return 0
    passed = 0
    for out_line in result.stdout.splitlines():
        if out_line.startswith("ok\t"):
            _, number, encoded = out_line.split("\t", 2)
            example = typed_examples[int(number) - 1]
            if not same_json(json.loads(encoded), example.value):
                errors.append(f"{example.location}: re-encoded as {encoded}, which differs from "
                              "the example (is the example in canonical form?)")
            else:
                passed += 1
        elif out_line.startswith("FAIL"):
            match = re.match(r"FAIL line (\d+):", out_line)
            where = typed_examples[int(match.group(1)) - 1].location if match else decoder
            errors.append(f"{where}: {out_line}")
    if result.stderr.strip():
        print(result.stderr, file=sys.stderr, end="")
    if result.returncode != 0:
        errors.append(f"{decoder} exited with status {result.returncode}")
    elif passed != len(typed_examples):
        errors.append(f"{decoder} confirmed {passed} of {len(typed_examples)} examples")
    return passed


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get("NAX_SOURCE_DIR",
                                                         os.path.join(here, "..", "..")),
                        help="repository root (default: $NAX_SOURCE_DIR or ../..)")
    parser.add_argument("--decoder", help="path of the spec_decode program")
    args = parser.parse_args()

    try:
        specs = Specs(args.root)
        header = TypesHeader(os.path.join(args.root, "include", "nax", "types.h"))
        specs.collect_openapi()
        specs.collect_asyncapi()
        specs.check_types_header(header)
        specs.check_http_conventions()
        specs.check_examples()
    except SpecError as exc:
        print(f"spec_examples: {exc}")
        return 1

    errors = specs.errors
    typed = [ex for ex in specs.examples.values() if ex.type_name is not None]
    untyped = len(specs.examples) - len(typed)
    exemplified = {ex.type_name for ex in typed}
    for type_name in header.type_names:
        if type_name not in exemplified:
            errors.append(f"nax_type {type_name!r} has no example")
    if not errors:  # the checksum check relies on examples that match their schemas
        check_book_checksums(typed, errors)
        check_stream_auth_signatures(typed, errors)
    if len(typed) < len(specs.operations):
        errors.append(f"only {len(typed)} typed examples for {len(specs.operations)} operations")

    decoded = 0
    if args.decoder:
        decoded = run_decoder(args.decoder, typed, errors)

    errors = list(dict.fromkeys(errors))  # a struct nested in several places reports once
    for err in errors:
        print(f"FAIL {err}")
    print(f"spec_examples: {len(specs.operations)} operations, {len(typed)} typed examples "
          f"({len(exemplified)} types), {untyped} scalar schema examples, "
          f"{decoded} decoded and round-tripped by the codec, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
