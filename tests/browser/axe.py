"""axe-core in the page: the accessibility check every browser test shares (0 serious or critical)."""
from tests.live_server import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def serious_accessibility_issues(page) -> list[str]:
    """Run axe-core on the page as it is and list its serious and critical violations.

    The library goes in by evaluation, not a <script> tag, so the strict Content-Security-Policy
    cannot stop it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
    }""")


def check_accessibility(page, label: str = "") -> None:
    """Fail with every serious or critical axe-core violation on the page."""
    issues = serious_accessibility_issues(page)
    where = label or f"{page.url} at {page.viewport_size['width']} px"
    assert issues == [], f"{where}:\n" + "\n".join(issues)
