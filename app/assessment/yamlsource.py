"""Read YAML keeping the line of every node, so that a check can name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser where it is installed: a worker reads every survey at start, and the pure-Python
# one made that most of a worker's boot (benchmarks/p9_writes.py: restart).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceMap:
    """The parsed data of one file and the line (1-based) of each path within it."""

    def __init__(self, path: Path):
        self.path = path
        text = path.read_text(encoding="utf-8")
        self.node = yaml.compose(text, Loader=LOADER)
        self.data: Any = yaml.load(text, Loader=LOADER)
        self.lines: dict[tuple, int] = {}
        self.text_nodes: list[tuple[tuple, yaml.MappingNode]] = []
        if self.node is not None:
            self._walk(self.node, ())

    def _walk(self, node, path: tuple) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            keys = {k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
            if keys & {"vi", "en"}:
                self.text_nodes.append((path, node))
            for key, value in node.value:
                self._walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, path) -> int:
        """The line of the deepest known node on the path."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path) -> str:
        return f"{self.path}:{self.line(path)}"
