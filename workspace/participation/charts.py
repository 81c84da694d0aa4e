"""Server-rendered bar geometry for the participation chart: numbers only; the template draws the SVG."""

PATTERNS = ("pattern-diagonal", "pattern-dots", "pattern-cross", "pattern-horizontal")
WIDTH = 300  # px for 100 %


def bar_rows(data) -> dict:
    """Per window, one row per community: its share and its members' share as bar lengths, with a pattern each."""
    charts = {}
    for name, window in data["windows"].items():
        rows = []
        for i, row in enumerate(window["communities"]):
            rows.append({**row, "pattern": PATTERNS[i % len(PATTERNS)],
                         "share_px": round(row["share"] * WIDTH), "member_px": round(row["member_share"] * WIDTH),
                         "share_pct": round(row["share"] * 100), "member_pct": round(row["member_share"] * 100)})
        charts[name] = rows
    return charts
