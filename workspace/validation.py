"""Field rules shared by every service, so a form, the API and the CLI refuse the same input."""
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from workspace.errors import ValidationError

NAME_MAX = 120
LONG_TEXT_MAX = 20_000
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class FieldErrors:
    """Collect every field's problem, then refuse once so the person sees them all together."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(self, field: str, value, *, label: str, max_length: int, required: bool = True,
             min_length: int = 0, strip: bool = True) -> str:
        """Return the value stripped of surrounding whitespace (unless `strip` is false), recording any problem."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(field, f"{label} must be text.")
            return ""
        if "\x00" in value:
            self.add(field, f"{label} contains a character that cannot be stored (NUL).")
            return ""
        if LONE_SURROGATE_RE.search(value):  # JSON can spell "\ud800"; it is not text and UTF-8 cannot hold it
            self.add(field, f"{label} contains a broken character (a lone UTF-16 surrogate).")
            return ""
        if strip:
            value = value.strip()
        if required and not value:
            self.add(field, f"{label} is required.")
        elif len(value) > max_length:
            self.add(field, f"{label} must be at most {max_length:,} characters (it has {len(value):,}).")
        elif value and len(value) < min_length:
            self.add(field, f"{label} must be at least {min_length} characters.")
        return value

    def email(self, field: str, value) -> str:
        value = self.text(field, value, label="Email", max_length=254)
        if value and field not in self.errors:
            try:
                value = validate_email(value, check_deliverability=False, test_environment=True).normalized
            except EmailNotValidError as exc:
                self.add(field, f"Enter a valid email address ({exc}).")
        return value.lower() if "@" in value else value

    def slug(self, field: str, value) -> str:
        value = self.text(field, value, label="Slug", max_length=64)
        if value and field not in self.errors and not SLUG_RE.match(value):
            self.add(field, "Use lower-case letters, digits and single hyphens (e.g. social-work).")
        return value

    def choice(self, field: str, value, choices, *, label: str):
        if value not in choices:
            self.add(field, f"{label} must be one of: {', '.join(map(str, choices))}.")
        return value

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(dict(self.errors))


def normalise_name(value: str) -> str:
    """Compose combining marks so 'é' typed two ways is one name, without changing what is shown."""
    return unicodedata.normalize("NFC", value)
