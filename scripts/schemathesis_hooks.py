"""Schemathesis hooks for scripts/schemathesis: valid PUTs sent over the current revision, and
one check for the rules a schema cannot state.

A PUT must name the revision it was read from, which no generator can guess: a generated
one is almost always stale (409) and the values are never saved. So a schema-valid PUT is
sent over the current revision (read just before), and must then be saved or refused for a
reason below. Invalid PUTs keep their generated revision: they must be refused either way.

The document states every rule of one field (limits, patterns) and the rules that join
fields it can (host and port when `enabled`, a user name when `use_auth`). Two kinds it
cannot: a value equal to another (`confirm_password` == `password`) and the server's state
(a password is needed when none is stored; the stored one travels only to the host, port
and user it was saved with; no body tests the saved settings), nor how many test targets are
not blank or that two entries spell one URL, nor what makes `ca_pem` a certificate (PEM
framing, X.509, its dates, use as a trust anchor). Those answer 422 on values
the schema allows, so scripts/schemathesis.toml lets positive data be answered 422 -- and
this check makes sure such a 422 is about exactly those rules: it may name `password`
only, or (with no body to the test endpoint) whatever the saved settings lack.
"""

import json
import os
import urllib.request

import schemathesis
from schemathesis.core import NOT_SET


def _current_revision():
    request = urllib.request.Request(
        os.environ["FMC_API_BASE"] + "/api/v1/proxy",
        headers={"Authorization": "Bearer " + os.environ["FMC_API_TOKEN"]},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["revision"]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    meta = case.meta
    if (
        case.method.upper() == "PUT"
        and case.path == "/api/v1/proxy"
        and meta is not None
        and meta.generation.mode.is_positive
        and isinstance(case.body, dict)
    ):
        case.body["revision"] = _current_revision()


def _targets_count_or_duplicate(message):
    return message is not None and (
        "targets can be tested" in message or "is already on line" in message
    )


@schemathesis.check
def only_cross_field_rules_refuse_valid_data(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    if case.path == "/api/v1/proxy/test" and case.body in (NOT_SET, None, b"", ""):
        return None
    said = response.json().get("fields") or {}
    fields = set(said.keys())
    # Test targets: the document states each entry's syntax; it cannot state "at most 8
    # entries that are not blank" nor "no URL twice" (two spellings of one URL).
    if _targets_count_or_duplicate(said.get("targets")):
        fields.discard("targets")
    # Trusted CA: the document says "PEM certificates, at most 32 KiB"; whether the text is
    # one is content no schema states, so any refusal of it names `ca_pem` alone.
    if said.get("ca_pem"):
        fields.discard("ca_pem")
    others = sorted(fields - {"password"})
    if others:
        raise AssertionError(
            f"schema-valid values refused for {others}: the document does not state "
            f"this rule ({response.text})"
        )
    return None
