"""How people are named on screen: Chinese names family-first without a space (赵敏), others
"Given Family"; the username when no name is set."""

import unicodedata


def _is_cjk(text: str) -> bool:
    return bool(text) and all("CJK" in unicodedata.name(ch, "") for ch in text.replace(" ", ""))


def display_name(user) -> str:
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not first and not last:
        return user.get_username()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)
