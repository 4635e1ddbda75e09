"""Validates pymemcheck JSON documents against the schemas beside this script.

usage: /usr/bin/python3 Schemas/validate-json.py SCHEMA-NAME FILE...   (SCHEMA-NAME: matrix, targets, ...)
Every schema here is loaded, so one may refer to another by its file name. Prints one line per
problem and exits 1 if any document does not validate.
"""
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is missing: apt-get install -y python3-jsonschema")

here = pathlib.Path(__file__).resolve().parent
store = {}
for path in here.glob("*.schema.json"):
    schema = json.loads(path.read_text())
    store[schema["$id"]] = schema
name, files = sys.argv[1], sys.argv[2:]
schema = json.loads((here / f"{name}.schema.json").read_text())
validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
validator = validator_class(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
failed = False
for file in files:
    document = json.loads(pathlib.Path(file).read_text())
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        failed = True
        place = "/".join(str(part) for part in error.absolute_path)
        print(f"{file}: {name}: at /{place}: {error.message[:300]}")
sys.exit(1 if failed else 0)
