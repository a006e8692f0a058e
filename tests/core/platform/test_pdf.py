from apps.core.platform import latin1


def test_pdf_text_keeps_latin1_and_writes_the_rest_in_its_closest_plain_form():
    assert latin1("Café “Zoë” – 10 €") == 'Café "Zoë" - 10 EUR'
    assert latin1("ﬁne 東京") == "fine ??"
    assert latin1(42) == "42"
