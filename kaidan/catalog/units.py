"""The units every installation starts with; created by a migration and again after every migrate
(a test database flush removes them), never changed once they exist."""

# code, name, fractions allowed
DEFAULT_UNITS = [
    ("pcs", "个", False),
    ("unit", "台", False),
    ("box", "箱", False),
    ("piece", "件", False),
    ("set", "套", False),
    ("pack", "包", False),
    ("ream", "令", False),
    ("roll", "卷", False),
    ("bottle", "瓶", False),
    ("pair", "双", False),
    ("time", "次", False),
    ("kg", "kg", True),
    ("g", "克", True),
    ("t", "吨", True),
    ("m", "米", True),
    ("l", "升", True),
]


def ensure_default_units(apps=None) -> None:
    """Create the default units that are missing."""
    if apps is None:
        from kaidan.catalog.models import Unit
    else:
        Unit = apps.get_model("catalog", "Unit")
    for code, name, allow_fraction in DEFAULT_UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name, "allow_fraction": allow_fraction})
