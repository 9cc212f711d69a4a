"""Parse files with given formats and print one JSON line per input line: the event or the error.

    python parse_dump.py [--interpreted] FORMAT=FILE ...

--interpreted imports the parser modules from their .py sources even where a compiled
extension sits beside them, so a test can compare the two builds on the same lines.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PARSERS = ROOT / "collectors" / "parsers"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Loads collectors.parsers.* from the .py file, never the compiled extension."""

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib's signature
        prefix = "collectors.parsers."
        if not name.startswith(prefix):
            return None
        source = PARSERS / (name[len(prefix):] + ".py")
        if not source.is_file():
            return None
        return importlib.util.spec_from_file_location(name, source)


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--interpreted":
        sys.meta_path.insert(0, _SourceFirst())
        argv = argv[1:]
    sys.path.insert(0, str(ROOT))
    import orjson

    from collectors.parsers import ParseContext, get_parser
    from soc.errors import ParseError

    out = sys.stdout.buffer
    for spec in argv:
        fmt, path = spec.split("=", 1)
        parser = get_parser(fmt)
        ctx = ParseContext(source=path, year_hint=2024, tz="Asia/Ho_Chi_Minh",
                           now=datetime(2024, 12, 31, tzinfo=timezone.utc))
        raw = Path(path).read_bytes().decode("utf-8", "backslashreplace")
        for line in raw.splitlines():
            try:
                result = parser.parse(line, ctx)
            except ParseError as exc:
                result = {"error": str(exc)}
            out.write(orjson.dumps(result, option=orjson.OPT_SORT_KEYS) + b"\n")


if __name__ == "__main__":
    main(sys.argv[1:])
