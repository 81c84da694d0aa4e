"""Rows of the permission table, one module per domain.

Each module defines TABLE {(endpoint, method): (path, allowed actors)}, SOCKET_TABLE
{event: (payload, allowed actors[, events to send first])} and build() -> ids used in paths and payloads as {name}.
Adding a domain: add a module here and list it in MODULES.
"""
from tests.permission_rows import boards, documents, foundation, glossary
from tests.permission_rows import notices  # notifications
from tests.permission_rows import security  # issue 12
from tests.permission_rows import comments  # comments (issue 9)
from tests.permission_rows import moderation  # moderation (issue 10)
from tests.permission_rows import activities  # issue 11

MODULES = [foundation, documents, glossary, boards, notices]
MODULES += [security]  # issue 12
MODULES += [comments]  # comments (issue 9)
MODULES += [moderation]  # moderation (issue 10)
MODULES += [activities]  # issue 11


def merged(attribute: str) -> dict:
    rows = {}
    for module in MODULES:
        part = getattr(module, attribute, {})
        clash = set(part) & set(rows)
        assert not clash, f"rows defined twice: {clash}"
        rows.update(part)
    return rows


def build_all() -> dict:
    ids = {}
    for module in MODULES:
        ids.update(module.build())
    return ids
