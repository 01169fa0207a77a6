"""Word lists for made-up names and addresses of the former Phú Yên (all text NFC)."""


def _words(text: str) -> tuple[str, ...]:
    """A comma-separated list, kept compact in the source (line breaks count as spaces)."""
    return tuple(" ".join(word.split()) for word in text.split(",") if word.strip())


# Brand names of the kind enterprises in the province choose: auspicious words, sea and land.
BRANDS = _words("""
Hải Đăng, Phú Thịnh, Minh Phát, Hoàng Long, Thành Đạt, Sao Mai, Biển Xanh, Đại Dương, Vạn Lợi,
Tân Phát, An Phú, Hưng Thịnh, Kim Long, Phương Nam, Thiên Ân, Trường Sơn, Bình Minh, Hòa Bình,
Nhật Quang, Đông Á, Phước Lộc, Gia Huy, Quang Minh, Tín Nghĩa, Vĩnh Phát, Ngọc Lan, Thái Sơn,
Hồng Phúc, Xuân Mai, Đức Tài, Nam Việt, Mỹ Hạnh, Hải Nam, Tuấn Phát, Thanh Bình, Phú Quý, Trung
Tín, Bảo Ngọc, Lộc Phát, Khánh An, Tây Nguyên, Duyên Hải, Nam Trung Bộ, Sông Ba, Đà Rằng, Núi
Nhạn, Cù Mông, Vũng Rô, Hoàng Gia, Phú Hưng, Thịnh Vượng, Hòa Phát, Đại Phúc, Tiến Thành, Hiệp
Lực, Kim Ngân, Ánh Dương, Sông Hinh, Phú Hòa, Đồng Xuân, Việt Tiến, An Khang, Trường Thịnh, Hải
Âu, Minh Châu, Tân Thành, Long Hải, Thái Bình Dương, Ngọc Trai, Thiên Phú, Phúc An, Đại Lộc
""")

# Syllables combined in pairs when the curated brands run out (scale data, rare in the demo).
SYLLABLES = _words("""
An, Bảo, Bình, Phú, Minh, Hoàng, Thành, Tân, Đại, Hưng, Kim, Vạn, Phước, Thiên, Nhật, Hải,
Trường, Quang, Đức, Gia, Hồng, Lộc, Mỹ, Nam, Ngọc, Phát, Sơn, Thái, Thịnh, Toàn, Trung, Việt,
Vĩnh, Xuân, Hòa, Khánh, Long, Tín, Tiến, Đông, Huy, Lợi, Nghĩa, Phong, Quý, Tâm, Thuận, Uy,
Vinh, Yên
""")

# Landmarks that tourism businesses like to name themselves after.
LANDMARKS = _words("""
Gành Đá Đĩa, Vũng Rô, Mũi Điện, Bãi Xép, Hòn Yến, Cù Lao Mái Nhà, Nhất Tự Sơn, Núi Nhạn, Đầm Ô
Loan, Vịnh Xuân Đài, Bãi Môn, Tháp Nhạn, Đầm Cù Mông, Hòn Nưa, Đá Bia, Long Thủy, Bãi Bàng, Sông
Đà Rằng
""")

# Household businesses go by the owner's nickname or name.
NICKNAMES = _words("""
Cô Ba, Chú Tư, Bà Năm, Dì Sáu, Anh Hai, Chị Bảy, Cô Út, Bác Tám, Ông Chín, Cô Hai, Chú Ba, Thím
Tư, Má Năm, Cô Mười
""")

SURNAMES = _words("""
Nguyễn, Trần, Lê, Phạm, Huỳnh, Võ, Phan, Đặng, Bùi, Đỗ, Hồ, Ngô, Dương, Lương
""")

MIDDLE_NAMES = _words("""
Văn, Thị, Minh, Ngọc, Thanh, Hữu, Đình, Xuân, Quốc, Thị Thu, Công
""")

GIVEN_NAMES = _words("""
Tâm, Hoa, Lan, Hùng, Dũng, Phúc, Mai, Hạnh, Tuấn, Hải, Sơn, Nga, Trang, Bình, Châu, Hiền, Khoa,
Lộc, Nhung, Quân, Thảo, Vy, Yến, Đức, Hương, Tùng
""")

# Streets of Tuy Hòa and the other towns, for addresses in wards.
STREETS = _words("""
Trần Hưng Đạo, Lê Lợi, Nguyễn Huệ, Hùng Vương, Lê Duẩn, Nguyễn Tất Thành, Độc Lập, Duy Tân, Trần
Phú, Hai Bà Trưng, Lê Thánh Tôn, Phan Đình Phùng, Nguyễn Trãi, Lê Trung Kiên, Trường Chinh, Ngô
Quyền, Điện Biên Phủ, Lý Thường Kiệt, Bạch Đằng, Nguyễn Công Trứ, Tố Hữu, Phạm Văn Đồng, Nguyễn
Văn Linh, Lương Văn Chánh, Lê Thành Phương, Trần Rịa, Nguyễn Hữu Thọ, Mậu Thân, Quốc lộ 1, Quốc
lộ 25
""")

VILLAGES = _words("""
Phú Lương, Phú Thạnh, Mỹ Quang, Phước Lộc, Hội Sơn, Long Thủy, Xuân Dục, Phú Khê, Mỹ Hòa, Đông
Tác, Lạc Mỹ, Phong Niên, Thạnh Đức, Hòa Thuận, An Hải, Xuân Thạnh, Từ Nham, Vịnh Hòa, Phú Sen,
Cẩm Sơn, Long Hòa, Tân Hòa, Hà Yến, Phú Hội, Mỹ Điền
""")

# Ê Đê and Bahnar villages (buôn) of the highland communes.
HAMLETS = _words("""
Buôn Lê Diêm, Buôn Ken, Buôn Hai Riêng, Buôn Mùi, Buôn Thung, Buôn Đức, Buôn Quen
""")

INDUSTRIAL_PARKS = {  # by the commune they lie in
    "Hòa Hiệp": "Khu công nghiệp Hòa Hiệp",
    "Bình Kiến": "Khu công nghiệp An Phú",
    "Sông Cầu": "Khu công nghiệp Đông Bắc Sông Cầu",
    "Phú Yên": "Cụm công nghiệp Phú Lâm",
}

# Commune groups by name (other regions simply fall back to a uniform spread).
WARDS = frozenset(
    _words("""
Tuy Hòa, Bình Kiến, Phú Yên, Sông Cầu, Xuân Đài, Đông Hòa, Hòa Hiệp
""")
)
COASTAL = frozenset(
    _words("""
Tuy Hòa, Phú Yên, Sông Cầu, Xuân Đài, Xuân Cảnh, Xuân Thọ, Xuân Lộc, Tuy An Bắc, Tuy An Đông,
Ô Loan, Tuy An Nam, Đông Hòa, Hòa Hiệp, Hòa Xuân
""")
)
HIGHLAND = frozenset(
    _words("""
Sông Hinh, Đức Bình, Ea Bá, Ea Ly, Sơn Hòa, Vân Hòa, Suối Trai, Tây Sơn, Phú Mỡ, Xuân Lãnh,
Xuân Phước
""")
)

MOBILE_PREFIXES = _words("""
090, 091, 093, 094, 096, 097, 098, 032, 035, 036, 038, 070, 077, 079, 083, 085, 088
""")
LANDLINE_AREA = "0257"  # the former Phú Yên area code
