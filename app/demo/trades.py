"""The sector mix of a coastal province: which lines of business, how common, how they are named."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trade:
    vsic: str
    label: str  # VSIC 2018 name, for bases and descriptions
    weight: float  # share among enterprises
    household_weight: float  # share among household businesses
    words: tuple[str, ...]  # trade words in a company name
    household_words: tuple[str, ...] = ()
    coop_words: tuple[str, ...] = ()  # cooperatives are common in this line when set
    place: str | None = None  # "coast" or "highland": where the business tends to be


# fmt: off
TRADES: tuple[Trade, ...] = (
    Trade("0311", "Khai thác thủy sản biển", 5, 14, ("Thủy sản", "Khai thác Hải sản", "Đánh bắt Hải sản"),
          ("Tàu cá", "Khai thác hải sản"), ("Khai thác Thủy sản", "Dịch vụ Nghề cá"), "coast"),
    Trade("0321", "Nuôi trồng thủy sản biển", 4, 10, ("Nuôi trồng Thủy sản", "Thủy sản", "Giống Thủy sản"),
          ("Nuôi tôm hùm", "Nuôi ốc hương"), ("Nuôi trồng Thủy sản", "Thủy sản"), "coast"),
    Trade("1020", "Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản", 4, 3, ("Chế biến Thủy sản", "Hải sản", "Thủy sản Xuất khẩu"),
          ("Hải sản khô",), (), "coast"),
    Trade("1079", "Sản xuất thực phẩm khác chưa được phân vào đâu", 3, 9, ("Thực phẩm", "Nước mắm", "Chế biến Nông sản"),
          ("Bánh tráng", "Nước mắm", "Rượu nếp"), ("Chế biến Nông sản", "Làng nghề"), "coast"),
    Trade("5510", "Dịch vụ lưu trú ngắn ngày", 5, 6, ("Du lịch", "Khách sạn", "Du lịch Nghỉ dưỡng"),
          ("Nhà nghỉ", "Homestay")),
    Trade("5610", "Nhà hàng và các dịch vụ ăn uống phục vụ lưu động", 6, 16, ("Nhà hàng", "Ẩm thực", "Dịch vụ Ăn uống"),
          ("Quán ăn", "Quán cơm", "Cà phê", "Nhà hàng hải sản")),
    Trade("7911", "Đại lý du lịch", 2, 0, ("Du lịch", "Lữ hành", "Du lịch Lữ hành")),
    Trade("4632", "Bán buôn thực phẩm", 7, 4, ("Thương mại", "Thực phẩm", "Thương mại Dịch vụ", "Nông sản"),
          ("Đại lý thực phẩm",)),
    Trade("4711", "Bán lẻ lương thực, thực phẩm trong cửa hàng kinh doanh tổng hợp", 5, 14, ("Thương mại Tổng hợp", "Siêu thị", "Bách hóa"),
          ("Tạp hóa", "Bách hóa")),
    Trade("4719", "Bán lẻ khác trong các cửa hàng kinh doanh tổng hợp", 5, 6, ("Kinh doanh Tổng hợp", "Thương mại Dịch vụ"),
          ("Tạp hóa",)),
    Trade("4773", "Bán lẻ hàng hóa khác mới trong các cửa hàng chuyên doanh", 6, 8, ("Vật tư Nông nghiệp", "Điện máy", "Văn phòng phẩm", "Thiết bị"),
          ("Vật tư nông nghiệp", "Điện thoại", "Phân bón")),
    Trade("4100", "Xây dựng nhà các loại", 9, 0, ("Xây dựng", "Đầu tư Xây dựng", "Xây dựng Dân dụng")),
    Trade("4210", "Xây dựng công trình đường sắt và đường bộ", 4, 0, ("Xây dựng Công trình Giao thông", "Xây dựng Cầu đường")),
    Trade("4330", "Hoàn thiện công trình xây dựng", 4, 2, ("Trang trí Nội thất", "Nội thất", "Hoàn thiện Công trình"),
          ("Nhôm kính",)),
    Trade("0111", "Trồng lúa", 2, 3, ("Nông nghiệp", "Lúa giống"),
          ("Dịch vụ lúa giống",), ("Nông nghiệp", "Dịch vụ Nông nghiệp")),
    Trade("0118", "Trồng rau, đậu các loại và trồng hoa", 2, 3, ("Nông sản sạch", "Rau an toàn"),
          ("Rau sạch",), ("Rau an toàn", "Nông nghiệp")),
    Trade("0121", "Trồng cây ăn quả", 2, 3, ("Nông nghiệp Công nghệ cao", "Trái cây"),
          ("Vườn trái cây",), ("Nông nghiệp", "Cây ăn quả"), "highland"),
    Trade("0150", "Trồng trọt, chăn nuôi hỗn hợp", 3, 3, ("Nông lâm", "Trang trại", "Nông nghiệp"),
          ("Trang trại",), ("Nông nghiệp Tổng hợp", "Dịch vụ Nông nghiệp"), "highland"),
    Trade("4933", "Vận tải hàng hóa bằng đường bộ", 6, 3, ("Vận tải", "Vận tải Hàng hóa", "Logistics"), ("Vận tải",)),
    Trade("5012", "Vận tải hàng hóa ven biển và viễn dương", 1, 0, ("Vận tải Biển", "Hàng hải"), (), (), "coast"),
    Trade("1621", "Sản xuất gỗ dán, gỗ lạng, ván ép và ván mỏng khác", 2, 1, ("Chế biến Gỗ", "Lâm sản"),
          ("Mộc",), (), "highland"),
    Trade("1629", "Sản xuất sản phẩm khác từ gỗ; sản xuất sản phẩm từ tre, nứa, rơm, rạ và vật liệu tết bện", 0.5, 2, ("Thủ công Mỹ nghệ", "Mây tre đan"),
          ("Đan lát", "Chiếu cói", "Nón lá"), ("Làng nghề", "Mây tre đan")),
    Trade("2395", "Sản xuất bê tông và các sản phẩm từ bê tông, xi măng và thạch cao", 2, 1, ("Bê tông", "Vật liệu Xây dựng", "Gạch không nung"),
          ("Gạch block",)),
    Trade("8560", "Dịch vụ hỗ trợ giáo dục", 2, 1, ("Giáo dục", "Đào tạo", "Ngoại ngữ", "Tư vấn Du học"),
          ("Luyện thi",)),
    Trade("8620", "Hoạt động của các phòng khám đa khoa, chuyên khoa và nha khoa", 2, 1, ("Phòng khám Đa khoa", "Y tế", "Nha khoa"),
          ("Phòng khám",)),
)
# fmt: on
TRADES_BY_VSIC = {t.vsic: t for t in TRADES}

# Digital-technology lines of business (DOMAIN.md §6): the demo's 40 tech firms use these.
# fmt: off
TECH_TRADES: tuple[Trade, ...] = (
    Trade("6201", "Lập trình máy vi tính", 10, 0, ("Công nghệ Phần mềm", "Phần mềm", "Giải pháp Số")),
    Trade("6202", "Tư vấn máy vi tính và quản trị hệ thống máy vi tính", 5, 0, ("Tư vấn Công nghệ", "Giải pháp Công nghệ")),
    Trade("6209", "Hoạt động dịch vụ công nghệ thông tin và dịch vụ khác liên quan đến máy vi tính", 6, 0, ("Công nghệ Thông tin", "Dịch vụ Số")),
    Trade("6311", "Xử lý dữ liệu, cho thuê và các hoạt động liên quan", 4, 0, ("Dữ liệu", "Điện toán Đám mây")),
    Trade("6312", "Cổng thông tin", 3, 0, ("Truyền thông Số", "Nền tảng Số")),
    Trade("5820", "Xuất bản phần mềm", 4, 0, ("Phần mềm", "Ứng dụng Di động")),
    Trade("6190", "Hoạt động viễn thông khác", 3, 0, ("Viễn thông", "Mạng và Viễn thông")),
)
# fmt: on

# What the tech firms do, by line of business (shown on their profiles).
TECH_DESCRIPTIONS = {
    "6201": (
        "Phát triển phần mềm quản lý bán hàng và hóa đơn điện tử cho hộ kinh doanh và doanh nghiệp nhỏ.",
        "Thiết kế website, ứng dụng di động và giải pháp tiếp thị số cho doanh nghiệp du lịch.",
        "Phần mềm quản lý phòng khám, hồ sơ sức khỏe điện tử và đặt lịch khám trực tuyến.",
    ),
    "6202": (
        "Tư vấn chuyển đổi số, lắp đặt và quản trị hệ thống máy tính cho doanh nghiệp nhỏ và vừa.",
        "Tư vấn an toàn thông tin và sao lưu dữ liệu cho cơ quan, trường học, bệnh viện.",
    ),
    "6209": (
        "Nền tảng chuyển đổi số cho hợp tác xã: quản lý thành viên, vật tư và tiêu thụ nông sản.",
        "Giải pháp truy xuất nguồn gốc bằng mã QR cho sản phẩm OCOP và thủy sản.",
    ),
    "6311": (
        "Dịch vụ lưu trữ dữ liệu, điện toán đám mây và bảo mật thông tin cho doanh nghiệp.",
        "Hệ thống giám sát lồng nuôi tôm hùm bằng cảm biến IoT, cảnh báo qua điện thoại.",
    ),
    "6312": (
        "Cổng thông tin du lịch và đặt phòng trực tuyến cho vùng Tuy Hòa – Sông Cầu.",
        "Sàn kết nối tiêu thụ nông sản, hải sản giữa nông dân, ngư dân và nhà hàng.",
    ),
    "5820": (
        "Ứng dụng di động quản lý tàu cá, nhật ký khai thác điện tử cho ngư dân.",
        "Phần mềm kế toán và quản lý kho trên nền tảng đám mây.",
    ),
    "6190": (
        "Lắp đặt, vận hành hạ tầng mạng, wifi và dịch vụ internet cho khách sạn, trường học.",
        "Dịch vụ kết nối vệ tinh và định vị cho tàu cá đánh bắt xa bờ.",
    ),
}

# Legal forms by weight (household businesses and branches are chosen separately).
LEGAL_FORM_WEIGHTS = {"tnhh1": 34, "tnhh2": 30, "cp": 17, "dntn": 18, "hd": 0.2}
COOP_LEGAL_FORM_WEIGHTS = {"tnhh1": 25, "tnhh2": 20, "cp": 8, "dntn": 15, "htx": 32}
LEGAL_PREFIXES = {
    "tnhh1": ("Công ty TNHH MTV", "Công ty TNHH Một thành viên"),
    "tnhh2": ("Công ty TNHH",),
    "cp": ("Công ty Cổ phần",),
    "dntn": ("Doanh nghiệp Tư nhân",),
    "hd": ("Công ty Hợp danh",),
    "htx": ("Hợp tác xã",),
    "hkd": ("Hộ kinh doanh",),
}
