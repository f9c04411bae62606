"""Imported fields are kept byte for byte when the sanitiser changes nothing but how a
character is written (issue 21 item 4), and never when it removed or escaped anything."""

import pytest

from cehrs_cards.core.sanitize import sanitize_field, sanitize_html


@pytest.mark.parametrize(
    "text",
    ["a&nbsp;b", "caf&eacute; <b>x</b>", "&#233;t&#xE9;", "&lt;b&gt; &amp; <i>y</i>", "plain"],
)
def test_fields_that_only_spell_characters_differently_are_kept_as_written(text):
    assert sanitize_field(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)",  # escaped as text: the raw text would open a tag
        "a&nbsp;<script>x</script>",  # something removed besides
        '<span style="c">a&nbsp;</span>',  # an attribute removed
        "a&#60;b",  # a reference that stands for markup
        "a&nbspb",  # a reference without its semicolon
    ],
)
def test_anything_else_is_stored_as_the_sanitiser_wrote_it(text):
    assert sanitize_field(text) == sanitize_html(text) != text
