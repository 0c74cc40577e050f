"""The payload contract (contracts/weekly_payload.v2.schema.json) and the checks against it.

Light on imports: worker processes that build payloads check them here (``publish``)."""

from __future__ import annotations

import functools
import json

import fastjsonschema

from fitness_platform.paths import CONTRACTS_DIR

PAYLOAD_SCHEMA_PATH = CONTRACTS_DIR / "weekly_payload.v2.schema.json"


@functools.cache
def payload_validator():
    """The contract's reference validator (jsonschema, draft 2020-12): every error, with its path.
    Imported here: only a payload the compiled check refuses needs it."""
    import jsonschema

    schema = json.loads(PAYLOAD_SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@functools.cache
def fast_payload_check():
    """The same contract compiled to Python by fastjsonschema (about 20 times faster: a backfill
    validates every payload). It knows drafts up to 7, which is all the contract uses
    (``properties``, ``required``, ``type``, ``enum``, ``pattern``, ``format: date``, bounds; no
    2020-12-only keyword), so it compiles the contract as draft 7. A payload it rejects is
    validated again by ``payload_validator`` for the full list of errors."""
    schema = json.loads(PAYLOAD_SCHEMA_PATH.read_text(encoding="utf-8"))
    return fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"})


def schema_errors(payload: dict) -> list[str]:
    try:
        fast_payload_check()(payload)
    except fastjsonschema.JsonSchemaException:
        pass
    else:
        return []
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in payload_validator().iter_errors(payload)
    ]
    # Never accept what the fast check refused, even where the two would disagree.
    return errors or ["(root): refused by the compiled contract check"]
