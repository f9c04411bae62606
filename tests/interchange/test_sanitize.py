import pytest

from cehrs_cards.core.sanitize import safe_media_src, sanitize_html, strip_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script>hi", "hi"),
        ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
        ('<img src="http://evil.test/t.gif">', ""),
        ('<img src="//evil.test/t.gif">', ""),
        ('<img src="../../etc/passwd">', ""),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<b onclick='x()'>bold</b>", "<b>bold</b>"),
        ("<iframe src='https://x'></iframe>ok", "ok"),
        ("<style>body{}</style><i>x</i>", "<i>x</i>"),
        ("a < b & c", "a &lt; b &amp; c"),
        ('<div style="background:url(http://x)">t</div>', "<div>t</div>"),
    ],
)
def test_sanitiser_removes_active_and_remote_content(dirty, clean):
    assert sanitize_html(dirty) == clean


def test_plain_text_is_untouched_and_allowed_markup_kept():
    assert sanitize_html("plain text") == "plain text"
    ok = '<b>x</b><br><ul><li>y</li></ul><img src="pic.jpg">'
    assert sanitize_html(ok) == ok


def test_media_names():
    assert safe_media_src("a.png") == "a.png"
    for bad in ("/etc/passwd", "..\\x", "C:\\x", "file:///x", "https://x/y.png", ".hidden"):
        assert safe_media_src(bad) is None


def test_strip_html():
    assert strip_html("<b>a</b><br>b&amp;c") == "a b&c"
