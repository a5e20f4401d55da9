"""The translation catalogues: zh_Hans is complete, compiled, keeps its placeholders, and Django uses it."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

import kaidan

LOCALE = Path(kaidan.__file__).parent / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = ZH_PO.with_suffix(".mo")

KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|\{[^{}]*\}")


def read_po(path: Path) -> list[dict]:
    """A tiny .po reader: one dict per entry (header included), msgstr always a list of forms."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"flags": set()}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif match := KEYWORD.match(line):
                key = match[1]
                entry[key] = ast.literal_eval(match[2])
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if "msgid" in entry:  # blocks of only obsolete (#~) lines are skipped
            entry["msgstr"] = [entry.pop(k) for k in sorted(entry) if k.startswith("msgstr")]
            entries.append(entry)
    return entries


ALL = read_po(ZH_PO)
ENTRIES = [e for e in ALL if e["msgid"]]


def label(entry: dict) -> str:
    return entry["msgid"][:60]


def catalog_key(entry: dict) -> str:
    """How GNUTranslations keys a message: context and msgid joined by EOT."""
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]


def test_catalogue_is_not_empty_and_header_is_final():
    header = next(e for e in ALL if not e["msgid"])
    assert len(ENTRIES) > 100
    assert "fuzzy" not in header["flags"]
    assert "Language: zh_Hans\n" in header["msgstr"][0]


@pytest.mark.parametrize("entry", ENTRIES, ids=label)
def test_every_message_is_translated_and_not_fuzzy(entry):
    assert "fuzzy" not in entry["flags"]
    assert entry["msgstr"] and all(form.strip() for form in entry["msgstr"])


def test_compiled_mo_matches_the_po():
    with ZH_MO.open("rb") as fp:
        catalog = gettext.GNUTranslations(fp)._catalog  # keys: msgid, or (msgid, plural index)
    expected = {}
    for entry in ENTRIES:
        if "msgid_plural" in entry:
            expected.update({(catalog_key(entry), i): form for i, form in enumerate(entry["msgstr"])})
        else:
            expected[catalog_key(entry)] = entry["msgstr"][0]
    compiled = {key: value for key, value in catalog.items() if key != ""}  # "" is the header
    assert compiled == expected, "run `kaidan compilemessages` and commit the .mo"


@pytest.mark.parametrize("entry", ENTRIES, ids=label)
def test_placeholders_are_kept(entry):
    wanted = set(PLACEHOLDER.findall(entry["msgid"] + " " + entry.get("msgid_plural", "")))
    for form in entry["msgstr"]:
        assert set(PLACEHOLDER.findall(form)) == wanted


@pytest.mark.parametrize(
    "msgid, zh",
    [
        ("Orders", "订单"),
        ("No access", "无权访问"),
        ("Not found", "页面不存在"),
        ("Something went wrong", "出错了"),
        ("Welcome, %(name)s", "欢迎，%(name)s"),
    ],
)
def test_django_uses_the_catalogue(msgid, zh):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == zh
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid
