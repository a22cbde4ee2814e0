"""generator.literals: spec text becomes literals, docstrings and comments that cannot break out."""

from __future__ import annotations

import ast
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.literals import comment, docstring, literal, one_line, plain, toml_string

TRICKY = [
    "",
    "plain",
    "it's",
    'say "hi"',
    "both ' and \"",
    '"""',
    "'''",
    '""""',
    'ends with a quote"',
    "back\\slash",
    "ends with a backslash\\",
    "\\N{BULLET}",
    "\\N{",
    "\\x00 and \\u1234 spelled out",
    "new\nline",
    "carriage\rreturn",
    "tab\there",
    "nul\x00byte",
    "escape\x1b[31m",
    "ünïcode 中文 emoji \U0001f600",
    "line\u2028separator",
    "{braces} and %s and {0}",
    '\\"""',
]


# -- literal ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", TRICKY)
def test_string_literal_round_trips(text: str) -> None:
    assert ast.literal_eval(literal(text)) == text


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e300, [], {}, [1, "a", None], {"k": [True, {}]}],
)
def test_json_values_round_trip(value: Any) -> None:
    assert ast.literal_eval(literal(value)) == value


def test_literal_keeps_bool_and_int_apart() -> None:
    assert literal(True) == "True" and literal(1) == "1"
    assert type(ast.literal_eval(literal([True, 1]))[0]) is bool


def test_non_finite_floats_evaluate_back() -> None:
    assert eval(literal(float("inf"))) == math.inf
    assert eval(literal(float("-inf"))) == -math.inf
    assert math.isnan(eval(literal(float("nan"))))


def test_tuples_become_lists_and_keys_become_strings() -> None:
    assert ast.literal_eval(literal((1, 2))) == [1, 2]
    assert ast.literal_eval(literal({1: "a"})) == {"1": "a"}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
)


@given(JSON_VALUES)
@settings(max_examples=200, deadline=None)
def test_literal_round_trips_any_json_value(value: Any) -> None:
    assert ast.literal_eval(literal(value)) == value


# -- docstring --------------------------------------------------------------------------------

_DROPPED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def documented(text: str, limit: int = 2000) -> str:
    """What the docstring reads as, after the changes the module documents."""
    text = _DROPPED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return text + " " if text.endswith('"') else text


def parsed(body: str) -> str | None:
    """The docstring of a function whose docstring is ``body`` between triple quotes."""
    source = f'def f():\n    """{body}"""\n'
    func = ast.parse(source).body[0]
    assert isinstance(func, ast.FunctionDef)
    assert len(func.body) == 1, "the docstring broke out of its quotes"
    return ast.get_docstring(func, clean=False)


@pytest.mark.parametrize("text", TRICKY)
def test_docstring_parses_and_reads_as_the_text(text: str) -> None:
    assert (parsed(docstring(text)) or "") == documented(text)


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ('"""', '""" '),
        ('ends with a quote"', 'ends with a quote" '),
        ("\\N{BULLET}", "\\N{BULLET}"),
        ("back\\slash", "back\\slash"),
        ("a\r\nb", "a\nb"),
        ("nul\x00byte", "nulbyte"),
        ("  padded  \n\n", "padded"),
        ("trailing spaces   \nnext", "trailing spaces\nnext"),
    ],
)
def test_docstring_documented_changes(text: str, reads: str) -> None:
    assert parsed(docstring(text)) == reads


def test_docstring_is_trimmed_to_its_limit() -> None:
    body = docstring("word " * 1000, limit=50)
    assert len(body) <= 50 and body.endswith("...")


def test_docstring_of_nothing_is_empty() -> None:
    assert docstring(None) == docstring("") == ""


def test_docstring_never_ends_in_a_quote_or_lone_backslash() -> None:
    for text in TRICKY:
        body = docstring(text)
        assert not body.endswith('"')
        assert (len(body) - len(body.rstrip("\\"))) % 2 == 0


@given(st.text())
@settings(max_examples=500, deadline=None)
def test_docstring_always_parses(text: str) -> None:
    assert (parsed(docstring(text)) or "") == documented(text)


@given(st.lists(st.sampled_from(['"', "\\", "N", "{", "\n", "'", " ", "x", "\r"]), max_size=12))
@settings(max_examples=500, deadline=None)
def test_docstring_survives_quote_and_backslash_soup(chars: list[str]) -> None:
    text = "".join(chars)
    assert (parsed(docstring(text)) or "") == documented(text)


# -- one_line and comment ---------------------------------------------------------------------


@pytest.mark.parametrize("text", TRICKY)
def test_one_line_is_one_safe_line(text: str) -> None:
    line = one_line(text)
    assert "\n" not in line and "\r" not in line
    assert (parsed(line) or "") == documented(" ".join(text.split()))


def test_one_line_collapses_whitespace_and_trims() -> None:
    assert one_line("a\n  b\t c") == "a b c"
    assert one_line("x" * 300, limit=20) == "x" * 17 + "..."


@pytest.mark.parametrize("text", [*TRICKY, "a\nb = 1", "x\x0bnewline-ish\x0cform feed"])
def test_comment_stays_a_comment(text: str) -> None:
    source = f"x = 1  # {comment(text)}\n"
    module = ast.parse(source)
    assert len(module.body) == 1
    assert len(source.splitlines()) == 1


# -- what a reader sees is what the code is ----------------------------------------------------

TROJAN = [
    "access\u202e \u2066# admin\u2069 \u2066",  # bidi override and isolates (CVE-2021-42574)
    "zero\u200bwidth and \u200e marks \u200f",
    "\x1b[2J\x1b[31mterminal escape",
    "c1\x85next line\x9bcontrol",
    "\ufeffbyte order mark",
]


@pytest.mark.parametrize("text", TROJAN)
def test_docstrings_and_comments_drop_text_direction_and_terminal_controls(text: str) -> None:
    for shown in (docstring(text), one_line(text), comment(text), plain(text)):
        assert not _DROPPED.search(shown), repr(shown)
    assert "\u200b" in plain(TROJAN[1])  # a zero-width space is no control: it stays


@pytest.mark.parametrize("text", TROJAN)
def test_literals_escape_what_they_cannot_show(text: str) -> None:
    code = literal(text)
    assert code.isascii() or not _DROPPED.search(code)
    assert ast.literal_eval(code) == text


def test_plain_is_the_unescaped_docstring() -> None:
    assert plain('say "hi" \\ there\r\n') == 'say "hi" \\ there'
    assert parsed(docstring('say "hi" \\ there')) == plain('say "hi" \\ there')


@pytest.mark.parametrize("text", [*TRICKY, *TROJAN, "emoji \U0001f600", 'quote " and \\'])
def test_toml_string_is_valid_toml(text: str) -> None:
    tomllib = pytest.importorskip("tomllib")

    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == _DROPPED.sub("", text)
