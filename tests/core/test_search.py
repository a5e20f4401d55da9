"""The search column: text, full pinyin and initials; every query word must match."""

import pytest

from kaidan.core.search import pinyin_forms, query_words, search_text


def test_pinyin_forms_of_a_product_name():
    assert pinyin_forms("笔记本电脑") == ("bijibendiannao", "bjbdn")


def test_the_search_column_holds_text_pinyin_and_initials():
    text = search_text("笔记本电脑", "ThinkPad X1", None, "")
    assert "笔记本电脑" in text and "bijibendiannao" in text and "bjbdn" in text
    assert "thinkpad x1" in text


def test_full_width_characters_and_case_are_folded():
    assert search_text("ＡＢＣ－１２３") == "abc-123"


@pytest.mark.parametrize("query, words", [
    ("  BJB   dn ", ["bjb", "dn"]),
    ("a|b", ["a", "b"]),
    ("1 2 3 4 5 6 7 8", ["1", "2", "3", "4", "5", "6"]),
    (None, []),
])
def test_query_words(query, words):
    assert query_words(query) == words


@pytest.mark.parametrize("query", ["bjbdn", "bijiben", "笔记本", "BiJi", "dian nao"])
def test_a_chinese_name_is_found_by_pinyin_and_initials(query):
    haystack = search_text("笔记本电脑")
    assert all(word in haystack for word in query_words(query))
