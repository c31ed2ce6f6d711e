"""Parses the generated Swift bindings with tree-sitter-swift and fails on any syntax error.

No Swift toolchain exists on Linux CI here; this proves the generated source parses. Valid
Swift that the tree-sitter grammar cannot parse (listed in GRAMMAR_GAPS, with why) is replaced
first by a same-length stand-in, so positions stay true and everything else is still checked.
Usage:
    python scripts/swift-check.py out/swift/ProofShot.swift
"""

import sys

import tree_sitter
import tree_sitter_swift

# (valid Swift, same-length stand-in the grammar parses, why)
GRAMMAR_GAPS = [
    (b"@_documentation(visibility: private)", b" " * 36, "underscored attribute, Swift 5.8+"),
    (b"{ () }", b"{ 0  }", "closure returning the empty tuple"),
]


def errors(node, out):
    if node.type == "ERROR" or node.is_missing:
        out.append(node)
    for child in node.children:
        errors(child, out)
    return out


def main() -> int:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))
    failed = 0
    for path in sys.argv[1:]:
        source = open(path, "rb").read()
        masked = 0
        for valid, stand_in, _why in GRAMMAR_GAPS:
            assert len(valid) == len(stand_in)
            masked += source.count(valid)
            source = source.replace(valid, stand_in)
        found = errors(parser.parse(source).root_node, [])
        for node in found[:20]:
            line = source.splitlines()[node.start_point[0]].decode(errors="replace").strip()
            print(f"{path}:{node.start_point[0] + 1}:{node.start_point[1] + 1}: syntax error near: {line[:100]}")
        print(f"{path}: {len(source.splitlines())} lines, {len(found)} syntax errors "
              f"({masked} constructs the grammar lacks set aside)")
        failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
