"""Validates YAML files against Mosaic's schemas as an editor would: with a second JSON Schema
implementation (python3-jsonschema), the files as PyYAML reads them (before interpolation), and no
network — the schemas are known only by their file:// addresses, so a $ref that does not lead to
one of the files is an error.

Usage: python3 validate.py SCHEMAS_DIR [SCHEMA=FILE ...]
SCHEMA is a schema's path under SCHEMAS_DIR, optionally with a fragment
(playbook.schema.json#/$defs/resource); a FILE whose top level is a mapping of resources
(module resources) is given as SCHEMA=FILE@resources to check each of them.

Prints "schemas: N files, M $refs resolved", then per document "ok FILE" or
"error FILE: PATH: MESSAGE" lines; exits 1 when any schema is invalid or a $ref does not resolve,
2 when a document has errors.
"""
import json
import pathlib
import sys

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    files = sorted(root.rglob("*.schema.json"))

    def retrieve(uri):
        # As an editor opening schemas/playbook.schema.json: the files next to it, nothing else.
        if not uri.startswith(root.as_uri() + "/"):
            raise LookupError(f"{uri}: not a file of {root} (no network)")
        path = pathlib.Path(uri[len("file://"):])
        return Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))

    registry = Registry(retrieve=retrieve)

    broken = 0
    resolved = 0
    for f in files:
        uri = f.as_uri()
        schema = registry.resolver().lookup(uri)
        try:
            Draft202012Validator.check_schema(schema.contents)
        except Exception as e:  # SchemaError: the file is not a valid 2020-12 schema
            print(f"invalid schema {uri}: {e.message}")
            broken += 1
        # Relative to the file's $id when it has one (JSON Schema's rule), else to the file itself.
        resolver = schema.resolver.in_subresource(Resource.from_contents(schema.contents))
        for ref in refs(schema.contents):
            try:
                resolver.lookup(ref)
                resolved += 1
            except Unresolvable as e:
                base = schema.contents.get("$id", uri)
                print(f"unresolved $ref {ref!r} in {f.relative_to(root)} (base {base})")
                broken += 1
    print(f"schemas: {len(files)} files, {resolved} $refs resolved")
    if broken:
        return 1

    failed = False
    for arg in sys.argv[2:]:
        schema, _, target = arg.partition("=")
        target, _, part = target.partition("@")
        path, _, fragment = schema.partition("#")
        uri = (root / path).as_uri() + ("#" + fragment if fragment else "")
        validator = Draft202012Validator({"$ref": uri}, registry=registry)
        with open(target, encoding="utf-8") as f:
            document = yaml.safe_load(f)
        instances = [([], document)]
        if part:
            instances = [([part, key], value) for key, value in (document.get(part) or {}).items()]
        errors = []
        for prefix, instance in instances:
            for error in validator.iter_errors(instance):
                where = ".".join(str(p) for p in prefix + list(error.absolute_path))
                errors.append(f"error {target}: {where}: {error.message}")
        print("\n".join(errors) if errors else f"ok {target}")
        failed = failed or bool(errors)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
