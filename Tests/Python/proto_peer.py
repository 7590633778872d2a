"""The Python side of the proto cross-check, run in its own interpreter by proto_support.run_peer.

Reads vectors written by `proto-crosscheck emit` ({"type", "variant", "hex", "json"} per line),
checks that Python protobuf decodes our bytes and our JSON to the same message, and writes the
same vectors encoded by Python (deterministic bytes, json_format JSON) plus a verdict per line.
"""

import importlib
import json
import pathlib
import sys

gen = pathlib.Path(sys.argv[1])
sys.path.insert(0, str(gen))
for module in sorted(gen.rglob("*_pb2.py")):
    importlib.import_module(".".join(module.relative_to(gen).with_suffix("").parts))

from google.protobuf import descriptor_pool, json_format, message_factory  # noqa: E402

pool = descriptor_pool.Default()


def has_map(descriptor, seen=None):
    """Whether a message can contain a map: protobuf-c leaves default keys and values out of map
    entries and upb writes them, so such messages are equal but not byte-identical."""
    seen = set() if seen is None else seen
    seen.add(descriptor.full_name)
    for field in descriptor.fields:
        nested = field.message_type
        if nested is None:
            continue
        if nested.GetOptions().map_entry:
            return True
        if nested.full_name not in seen and has_map(nested, seen):
            return True
    return False


for line in sys.stdin:
    if not line.strip():
        continue
    vector = json.loads(line)
    cls = message_factory.GetMessageClass(pool.FindMessageTypeByName(vector["type"]))
    ours = bytes.fromhex(vector["hex"])
    from_bytes = cls.FromString(ours)
    from_json = json_format.Parse(vector["json"], cls())
    theirs = from_bytes.SerializeToString(deterministic=True)
    print(json.dumps({
        "type": vector["type"],
        "variant": vector["variant"],
        "hex": theirs.hex(),
        "json": json_format.MessageToJson(from_bytes, indent=None),
        "bytes_equal_json": from_bytes == from_json,
        "same_bytes": theirs == ours,
        "has_map": has_map(cls.DESCRIPTOR),
        "their_json_is_ours": json.loads(json_format.MessageToJson(from_json, indent=None)) == json.loads(vector["json"]),
    }, ensure_ascii=False))
