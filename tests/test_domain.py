"""Domain rules, each in one place: codes, folding, size tiers, sectors, startup window."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import sectors
from app.domain.codes import (
    CodeError,
    looks_like_enterprise_code,
    validate_enterprise_code,
    validate_personal_id,
)
from app.domain.size import classify_size
from app.domain.startup import startup_window_ends
from app.text import fold, normalize


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("0100233488", "0100233488"),
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        (" 0100 233 488 ", "0100233488"),
    ],
)
def test_valid_enterprise_codes_are_stored_hyphenated(raw, stored):
    assert validate_enterprise_code(raw).value == stored


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("0100233480", "checksum"),
        ("010023348", "length"),
        ("01002334881234", "length"),
        ("01002A3488", "format"),
        ("0100000008", "format"),  # sequence 0000000 is not allocated
        ("0314409058-000", "format"),  # dependent units are numbered 001-999
        ("", "empty"),
    ],
)
def test_invalid_enterprise_codes_say_why(app_ctx, raw, reason):
    with pytest.raises(CodeError) as caught:
        validate_enterprise_code(raw)
    assert caught.value.reason == reason
    assert str(caught.value.message)


def test_code_messages_are_translated(app):
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        with pytest.raises(CodeError) as caught:
            validate_enterprise_code("0100233480")
        assert "Chữ số kiểm tra" in str(caught.value.message)


def test_personal_id_has_twelve_digits(app_ctx):
    assert validate_personal_id("054 123 456 789") == "054123456789"
    with pytest.raises(CodeError):
        validate_personal_id("05412345678")


def test_code_shape_detection():
    assert looks_like_enterprise_code("0314409058-002")
    assert not looks_like_enterprise_code("tôm hùm")


def test_fold_handles_d_stroke_and_marks():
    assert fold("Đông Hòa") == "dong hoa"
    assert fold("ĐẮK LẮK") == "dak lak"
    assert fold("Tôm hùm  bông, Phú Yên!") == "tom hum bong phu yen"
    assert fold("Hoa\u0300") == fold("Hoà") == "hoa"  # NFD and NFC input fold alike


def test_normalize_gives_nfc():
    assert normalize("Hoa\u0300  Bi\u0300nh ") == "Hoà Bình"


@pytest.mark.parametrize(
    "vsic, section, group",
    [
        ("0311", "A", "agri_industry"),
        ("1020", "C", "agri_industry"),
        ("4100", "F", "agri_industry"),
        ("4711", "G", "trade_services"),
        ("6201", "J", "trade_services"),
        ("99", "U", "trade_services"),
        ("04", None, None),
        ("34", None, None),
        ("abc", None, None),
        ("", None, None),
    ],
)
def test_vsic_section_by_division(vsic, section, group):
    assert sectors.section_for_vsic(vsic) == section
    assert sectors.sector_group(section) == group


def test_digital_tech_hint():
    assert sectors.digital_tech_hint("6201") == "62"
    assert sectors.digital_tech_hint("5820") == "582"
    assert sectors.digital_tech_hint("5811") is None
    assert sectors.digital_tech_hint(None) is None


BN = 1_000_000_000


@pytest.mark.parametrize(
    "group, employees, revenue, capital, tier",
    [
        ("agri_industry", 10, 3 * BN, None, "micro"),  # on the caps
        ("agri_industry", 10, 3 * BN + 1, 3 * BN, "micro"),  # revenue over, capital within
        ("agri_industry", 11, 1 * BN, 1 * BN, "small"),  # employees over micro
        ("trade_services", 10, 10 * BN, None, "micro"),
        ("trade_services", 50, 100 * BN, None, "small"),
        ("trade_services", 51, 1 * BN, 1 * BN, "medium"),
        ("trade_services", 100, 300 * BN, 200 * BN, "medium"),
        ("trade_services", 101, 1 * BN, 1 * BN, "large"),
        ("agri_industry", 200, 250 * BN, 100 * BN, "medium"),
        ("agri_industry", 150, 250 * BN, 150 * BN, "large"),
        ("agri_industry", 5, None, None, "unknown"),  # no money figure: it could be large
        ("agri_industry", 5, 4 * BN, None, "micro_small"),  # micro if capital ≤ 3 bn, else small
        ("agri_industry", None, 1 * BN, 1 * BN, "unknown"),
        (None, 5, 1 * BN, 1 * BN, "unknown"),
    ],
)
def test_size_tier_decree_80(group, employees, revenue, capital, tier):
    assert classify_size(group, employees, revenue, capital) == tier


def test_size_thresholds_are_data():
    tiers = [
        {
            "tier": "micro",
            "agri_industry": {"employees": 1, "revenue": 1, "capital": 1},
            "trade_services": {"employees": 1, "revenue": 1, "capital": 1},
        }
    ]
    assert classify_size("agri_industry", 2, 0, 0, thresholds=tiers) == "large"


@pytest.mark.parametrize(
    "founded, today, eligible",
    [
        (date(2021, 11, 26), date(2026, 11, 26), True),  # the fifth anniversary is still within
        (date(2021, 11, 25), date(2026, 11, 26), False),
        (date(2024, 2, 29), date(2029, 2, 28), True),
        (date(2027, 1, 1), date(2026, 11, 26), False),  # not founded yet
        (None, date(2026, 11, 26), False),
    ],
)
def test_startup_window(founded, today, eligible):
    assert (founded is not None and founded <= today <= startup_window_ends(founded)) is eligible


def test_normalize_drops_control_characters():
    assert normalize("Hải\x00 Đăng\u200b\n") == "Hải Đăng"


def test_only_ascii_digits_make_a_code():
    from app.domain.codes import looks_like_enterprise_code

    assert not looks_like_enterprise_code("²²²²²²²²²²")


@pytest.mark.parametrize(
    "raw, amount",
    [
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("2500000000", 2500000000),
        ("3,5", 4),
        ("", None),
        ("12.000.000 đ", 12000000),
    ],
)
def test_amounts_read_the_vietnamese_and_english_way(raw, amount):
    from app.domain.numbers import parse_amount_vnd

    assert parse_amount_vnd(raw) == amount


@pytest.mark.parametrize("raw", ["-5", "abc", "1e30"])
def test_bad_amounts_are_refused(raw):
    from app.domain.numbers import parse_amount_vnd

    with pytest.raises(ValueError):
        parse_amount_vnd(raw)


def _reference_normalize(text):
    """The text rules as first written, a character's category asked each time (app/text.py caches
    them per character): the faster functions must give exactly what these give."""
    import re
    import unicodedata

    if text is None:
        return ""
    kept = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in str(text)
        if ch in "\t\r\n" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", kept)).strip()


def _reference_fold(text):
    import re
    import unicodedata

    decomposed = unicodedata.normalize("NFD", _reference_normalize(text).replace("đ", "d").replace("Đ", "D"))
    kept = "".join(
        ch if unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Nd" else " "
        for ch in decomposed
        if unicodedata.category(ch) != "Mn"
    )
    return re.sub(r"\s+", " ", kept.lower()).strip()


def _reference_sort_key(text):
    import unicodedata

    from app.text import _ALPHABET, _TONES

    letters, tones = [], []
    for char in _reference_normalize(text).lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), "0")
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
        if shaped in _ALPHABET:
            letters.append(chr(ord("A") + _ALPHABET.index(shaped)))
        elif shaped.isdigit():
            letters.append(shaped)
        elif shaped.isspace():
            letters.append("!")
        else:
            continue
        tones.append(tone)
    return ("".join(letters) + " " + "".join(tones))[:300]


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"


@given(st.text(alphabet=st.sampled_from(VIETNAMESE + " \t\n-,.!0123456789\u00a0\u200b\u0301\u0323İΣ²½ﬁ")) | st.text())
@settings(max_examples=300)
def test_the_cached_text_rules_give_what_the_rules_as_first_written_give(text):
    from app.text import vietnamese_sort_key

    assert normalize(text) == _reference_normalize(text)
    assert fold(text) == _reference_fold(text)
    assert vietnamese_sort_key(text) == _reference_sort_key(text)
