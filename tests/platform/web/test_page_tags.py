"""web.templatetags.page_tags.statement_body: a statement inside a page that has its own <h1>."""
from web.templatetags.page_tags import statement_body


def test_the_heading_that_repeats_the_title_goes_and_the_rest_keep_their_levels():
    html = '<h1>Beat <code>scaled_dot_product_attention</code></h1>\n<p>Text</p>\n<h2 id="x">What to write</h2><h3>Inputs</h3>'
    assert statement_body(html, "Beat scaled_dot_product_attention") == '<p>Text</p>\n<h2 id="x">What to write</h2><h3>Inputs</h3>'


def test_headings_move_down_until_the_top_one_is_an_h2():
    html = "<h1>Background</h1><h3>Detail</h3><h6>Deep</h6>"
    assert statement_body(html, "Add two vectors") == "<h2>Background</h2><h4>Detail</h4><h6>Deep</h6>"
    assert statement_body("<h3>Only</h3>", "t") == "<h3>Only</h3>"  # never up: an h3 alone stays


def test_only_heading_tags_change():
    html = '<p>h1 and <a href="/h2">h2</a> are words here; <header>no</header> <hr></p>'
    assert statement_body(html, "t") == html
    assert statement_body("", "t") == "" and statement_body(None, "t") == ""
