#!/usr/bin/python3
"""The peer of validate in tests/bench/07-validate.bench: Debian's
python3-jsonschema run the same way, line by line.

  jsonschema-lines.py SCHEMA FILE > valid.ndjson

Each line of FILE is parsed and checked against SCHEMA (draft 2020-12,
formats asserted); a valid line is written as it came, an invalid one has
its errors collected (as validate collects every error) and is counted on
stderr."""
import json
import sys

from jsonschema import Draft202012Validator, FormatChecker

with open(sys.argv[1]) as f:
    validator = Draft202012Validator(json.load(f), format_checker=FormatChecker())
out = sys.stdout.buffer
invalid = 0
with open(sys.argv[2], "rb") as f:
    for line in f:
        rec = json.loads(line)
        if validator.is_valid(rec):
            out.write(line)
        else:
            invalid += len(list(validator.iter_errors(rec))) > 0
sys.stderr.write("invalid %d\n" % invalid)
