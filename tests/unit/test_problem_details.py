"""Validation messages of webargs/marshmallow, flattened into the `errors` of a problem."""
from __future__ import annotations

import marshmallow as ma
import pytest

from api.problems import flatten_messages


class Sample(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 5))
    score = ma.fields.Integer(validate=ma.validate.Range(0, 100))
    kind = ma.fields.String(validate=ma.validate.OneOf(["a", "b"]))
    code = ma.fields.String(validate=ma.validate.Regexp(r"^[a-z]+$"))
    note = ma.fields.String()
    members = ma.fields.List(ma.fields.String())


def test_nested_messages_become_dotted_fields_with_location_and_rule():
    messages = {"json": {"foo": ["Unknown field."], "a": {"b": ["Missing data for required field."]}}}
    assert flatten_messages(messages) == [
        {"field": "foo", "location": "json", "rule": "unknown_field", "message": "Unknown field."},
        {"field": "a.b", "location": "json", "rule": "required", "message": "Missing data for required field."},
    ]


def test_schema_level_message_names_the_body():
    assert flatten_messages({"json": {"_schema": ["Invalid input type."]}}) == [
        {"field": "(body)", "location": "json", "rule": "type", "message": "Invalid input type."},
    ]


def test_every_message_of_a_field_is_listed():
    messages = {"query": {"page": ["Not a valid integer.", "Must be greater than or equal to 1."]}}
    assert [(e["field"], e["location"], e["rule"]) for e in flatten_messages(messages)] == [
        ("page", "query", "type"), ("page", "query", "range")]


def test_messages_without_a_location_have_no_location():
    assert flatten_messages({"score": "Not a valid integer."}) == [
        {"field": "score", "rule": "type", "message": "Not a valid integer."}]


@pytest.mark.parametrize("payload, field, rule", [
    ({"name": "x", "extra": 1}, "extra", "unknown_field"),
    ({}, "name", "required"),
    ({"name": "x", "note": None}, "note", "not_null"),
    ({"name": "x", "score": "many"}, "score", "type"),
    ({"name": "x", "score": 101}, "score", "range"),
    ({"name": "toolong"}, "name", "length"),
    ({"name": "x", "kind": "c"}, "kind", "one_of"),
    ({"name": "x", "code": "A1"}, "code", "pattern"),
    ({"name": "x", "members": ["ok", 3]}, "members.1", "type"),
    ([], "(body)", "type"),
])
def test_marshmallow_messages_map_to_rules(payload, field, rule):
    errors = flatten_messages({"json": Sample().validate(payload)})
    assert [(e["field"], e["rule"], e["location"]) for e in errors] == [(field, rule, "json")]


def test_unrecognised_message_is_rule_invalid():
    assert flatten_messages({"json": {"period": ["Ends before it starts."]}}) == [
        {"field": "period", "location": "json", "rule": "invalid", "message": "Ends before it starts."}]
