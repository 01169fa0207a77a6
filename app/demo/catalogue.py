"""Certified products: OCOP templates by line of business, the region's marks, certifiers, shop URLs."""

from __future__ import annotations

# OCOP products an enterprise of a line of business makes; "{b}" is its brand. (name, OCOP group)
OCOP_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "0311": (
        ("Cá ngừ đại dương tươi {b}", "food"),
        ("Cá cơm khô {b}", "food"),
        ("Mực lá câu {b}", "food"),
    ),
    "0321": (
        ("Tôm hùm bông {b}", "food"),
        ("Ốc hương {b}", "food"),
        ("Hàu sữa {b}", "food"),
        ("Cá mú {b}", "food"),
    ),
    "1020": (
        ("Cá ngừ đại dương phi lê {b}", "food"),
        ("Mực một nắng {b}", "food"),
        ("Cá thu một nắng {b}", "food"),
        ("Tôm khô {b}", "food"),
        ("Cá cơm sấy giòn {b}", "food"),
        ("Chả cá thu {b}", "food"),
        ("Mực rim me {b}", "food"),
    ),
    "1079": (
        ("Nước mắm cá cơm {b}", "food"),
        ("Nước mắm nhĩ {b}", "food"),
        ("Bánh tráng nước dừa {b}", "food"),
        ("Bánh tráng phơi sương {b}", "food"),
        ("Bánh tráng mè đen {b}", "food"),
        ("Mắm ruốc {b}", "food"),
        ("Muối tôm {b}", "food"),
        ("Rượu nếp {b}", "beverage"),
        ("Trà mãng cầu {b}", "beverage"),
    ),
    "0111": (("Gạo sạch {b}", "food"), ("Gạo hữu cơ {b}", "food"), ("Gạo nếp than {b}", "food")),
    "0118": (
        ("Nấm linh chi {b}", "herbal"),
        ("Nấm bào ngư {b}", "food"),
        ("Dưa lưới {b}", "food"),
        ("Rau mầm {b}", "food"),
    ),
    "0121": (
        ("Sầu riêng {b}", "food"),
        ("Bưởi da xanh {b}", "food"),
        ("Dừa xiêm {b}", "food"),
        ("Xoài cát {b}", "food"),
        ("Chuối sấy {b}", "food"),
        ("Mít sấy {b}", "food"),
    ),
    "0150": (
        ("Mật ong rừng {b}", "food"),
        ("Gà thả vườn {b}", "food"),
        ("Heo đen {b}", "food"),
        ("Mai vàng {b}", "ornamental"),
        ("Lan rừng {b}", "ornamental"),
        ("Cao dược liệu {b}", "herbal"),
        ("Trà túi lọc cây mật gấu {b}", "herbal"),
        ("Tinh dầu sả chanh {b}", "herbal"),
        ("Tinh dầu tràm {b}", "herbal"),
    ),
    "4632": (
        ("Hạt điều rang muối {b}", "food"),
        ("Cà phê rang xay {b}", "beverage"),
        ("Nước yến {b}", "beverage"),
        ("Trà linh chi {b}", "herbal"),
    ),
    "5510": (("Du lịch cộng đồng {b}", "tourism"), ("Homestay sinh thái {b}", "tourism")),
    "7911": (
        ("Tour du lịch sinh thái {b}", "tourism"),
        ("Du lịch trải nghiệm làng chài {b}", "tourism"),
    ),
    "1629": (
        ("Mây tre đan {b}", "handicraft"),
        ("Chiếu cói {b}", "handicraft"),
        ("Nón lá {b}", "handicraft"),
        ("Đũa tre {b}", "handicraft"),
        ("Giỏ cói {b}", "handicraft"),
    ),
}
OCOP_STARS = ((3, 78), (4, 19), (5, 3))
# Years OCOP certificates were first issued in the region (Phú Yên: 231 products ≥ 3★ by Nov 2023).
CERTIFIED_YEARS = (
    (2019, 1),
    (2020, 1.5),
    (2021, 2),
    (2022, 2.5),
    (2023, 2.5),
    (2024, 2),
    (2025, 2),
    (2026, 1.5),
)

# Geographical indications and collective marks of the region: (name, certification, owner VSIC).
MARKS: tuple[tuple[str, str, str], ...] = (
    ("Tôm hùm bông Phú Yên", "gi", "0321"),
    ("Tôm hùm bông Phú Yên – lồng bè Xuân Đài", "gi", "0321"),
    ("Tôm hùm bông Phú Yên – đầm Cù Mông", "gi", "0321"),
    ("Cá ngừ đại dương Phú Yên", "collective_mark", "1020"),
    ("Nước mắm Gành Đỏ", "collective_mark", "1079"),
    ("Bánh tráng Hòa Đa", "collective_mark", "1079"),
    ("Rượu Quán Đế", "collective_mark", "1079"),
    ("Mật ong Sơn Hòa", "collective_mark", "0150"),
    ("Yến sào Phú Yên", "collective_mark", "4632"),
    ("Sò huyết Ô Loan", "collective_mark", "0321"),
    ("Muối Tuyết Diêm", "collective_mark", "1079"),
)
IP_OFFICE = "Cục Sở hữu trí tuệ"

DESCRIPTIONS = {
    "food": "Làm từ nguyên liệu địa phương theo quy trình truyền thống, có truy xuất nguồn gốc.",
    "beverage": "Đồ uống đặc sản của vùng, sản xuất thủ công, đóng chai có nhãn mác đầy đủ.",
    "herbal": "Dược liệu trồng và thu hái tại vùng đồi núi phía tây, sơ chế và đóng gói tại cơ sở.",
    "handicraft": "Sản phẩm thủ công của làng nghề, làm bằng tay từ vật liệu tự nhiên.",
    "ornamental": "Cây cảnh và hoa được ươm trồng tại vườn, giao tận nơi trong tỉnh.",
    "tourism": "Trải nghiệm du lịch gắn với đời sống làng chài, ẩm thực và cảnh quan địa phương.",
}


def ocop_certifier(stars: int, year: int, month: int) -> str:
    """Who recognised the stars: the province for 3–4★ (Đắk Lắk after the July 2025 merger), the State for 5★."""
    if stars == 5:
        return "Bộ Nông nghiệp và Môi trường" if (year, month) >= (2025, 3) else "Thủ tướng Chính phủ"
    return "UBND tỉnh Đắk Lắk" if (year, month) >= (2025, 7) else "UBND tỉnh Phú Yên"


# Where listings live, by weight, and the shape of a product page on each platform.
PLATFORM_WEIGHTS = {
    "shopee": 38,
    "tiktok": 30,
    "lazada": 9,
    "tiki": 5,
    "sendo": 5,
    "postmart": 9,
    "voso": 4,
}
URL_SHAPES = {
    "shopee": "https://shopee.vn/{slug}-i.{a}.{b}",
    "tiktok": "https://www.tiktok.com/view/product/{long}",
    "lazada": "https://www.lazada.vn/products/{slug}-i{b}.html",
    "tiki": "https://tiki.vn/{slug}-p{b}.html",
    "sendo": "https://www.sendo.vn/{slug}-{b}.html",
    "postmart": "https://postmart.vn/san-pham/{slug}-{a}",
    "voso": "https://voso.vn/san-pham/{slug}-{a}",
}
