"""The names the template's fields go by in the files that reach the department, written as they come
(app/imports/mapping.py folds them to match headers), for each kind of file (app/imports/kinds): the
business registration office's export (Hệ thống thông tin quốc gia về đăng ký doanh nghiệp) and the
tax office's lists for the registry, the agriculture department's OCOP lists for certified products,
and English ones. A field that means the same in every kind that has it (the enterprise code, an
e-mail, a phone, a web address) is named once, in SHARED. The template's own header and alias are known
besides (the kind's Columns). A name of one word matches a header that is that word; a longer name also
matches a header that holds it ("Địa chỉ trụ sở chính" holds "Địa chỉ trụ sở")."""

from __future__ import annotations

from collections.abc import Iterable

# fmt: off
SHARED: dict[str, tuple[str, ...]] = {
    # the enterprise code: of the record in the registry's files, of its owner in the others
    "code": (
        "Mã số doanh nghiệp", "Mã số DN", "Mã DN", "MSDN", "Mã doanh nghiệp", "Mã số thuế", "MST",
        "Mã số thuế doanh nghiệp", "Mã số thuế/ĐKKD", "Mã số ĐKKD", "Số ĐKKD", "Số GCN ĐKDN",
        "Mã số đăng ký kinh doanh", "Số đăng ký kinh doanh", "Mã số thuế chủ thể", "Mã số thuế của chủ thể",
        "MST chủ thể", "Mã số chủ thể", "Mã số thuế đơn vị", "Mã số thuế cơ sở",
        "Enterprise code", "Tax code", "Tax ID", "Business code", "Registration number",
    ),
    "email": (
        "Email", "E-mail", "Thư điện tử", "Địa chỉ email", "Địa chỉ thư điện tử", "Mail",
    ),
    "phone": (
        "Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Số ĐT", "Điện thoại liên hệ", "Điện thoại di động", "Phone",
        "Telephone", "Tel", "Phone number",
    ),
    "website": (
        "Website", "Trang web", "Web", "Trang thông tin điện tử", "Địa chỉ website", "URL", "Homepage",
    ),
    # the kind of certificate of a product (an OCOP list, a list of the shops that sell certified products)
    "certification": (
        "Loại chứng nhận", "Chứng nhận", "Hình thức chứng nhận", "Loại hình chứng nhận", "Loại giấy chứng nhận",
        "Certification", "Certificate type",
    ),
    # the address of a page on a platform (a shop's listing)
    "url": (
        "URL", "Link", "Đường dẫn", "Đường link", "Liên kết", "Địa chỉ gian hàng", "Link gian hàng",
        "Đường dẫn gian hàng", "Link sản phẩm", "Đường dẫn sản phẩm", "Listing URL",
    ),
}

_PRODUCT_NAME = (
    "Tên sản phẩm", "Sản phẩm", "Sản phẩm OCOP", "Tên sản phẩm OCOP", "Tên sản phẩm/dịch vụ", "Sản phẩm/Dịch vụ",
    "Tên sản phẩm, dịch vụ", "Product", "Product name",
)
_OWNER_NOT_READ = (
    "Chủ thể", "Chủ sở hữu", "Doanh nghiệp", "Công ty", "Hợp tác xã", "Cơ sở", "Người đại diện",
    "Đại diện pháp luật", "Địa chỉ", "Điện thoại", "Tiếng Anh", "Viết tắt",
)

KNOWN_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "registry": {
        "name": (
            "Tên doanh nghiệp", "Tên doanh nghiệp (tiếng Việt)", "Tên doanh nghiệp bằng tiếng Việt", "Tên DN",
            "Tên công ty", "Tên người nộp thuế", "Tên NNT", "Tên chủ thể", "Chủ thể", "Chủ thể OCOP",
            "Tên chủ thể OCOP", "Tên cơ sở", "Tên đơn vị", "Tên tổ chức", "Tên HTX", "Tên hợp tác xã",
            "Tên hộ kinh doanh", "Tên", "Company name", "Enterprise name", "Business name", "Taxpayer name", "Name",
        ),
        "legal_form": (
            "Loại hình", "Loại hình doanh nghiệp", "Loại hình DN", "Loại hình tổ chức", "Loại hình kinh tế",
            "Loại hình chủ thể", "Hình thức sở hữu", "Legal form", "Enterprise type", "Business type",
        ),
        "founded_on": (
            "Ngày thành lập", "Ngày cấp GCN ĐKDN lần đầu", "Ngày cấp giấy chứng nhận đăng ký doanh nghiệp lần đầu",
            "Ngày cấp giấy CN ĐKDN lần đầu", "Ngày cấp GCN ĐKDN", "Ngày đăng ký lần đầu", "Ngày đăng ký thành lập",
            "Ngày cấp lần đầu", "Ngày cấp ĐKKD", "Ngày cấp giấy phép", "Ngày đăng ký", "Ngày cấp MST",
            "Ngày cấp mã số thuế", "Ngày bắt đầu hoạt động", "Date of establishment", "Founding date",
            "Date of first registration", "Registration date", "Incorporation date",
        ),
        "representative": (
            "Người đại diện theo pháp luật", "Người đại diện pháp luật", "Người ĐDPL", "Đại diện pháp luật",
            "Người đại diện", "Họ tên người đại diện", "Họ và tên người đại diện",
            "Họ và tên người đại diện theo pháp luật", "Tên người đại diện", "Chủ doanh nghiệp", "Chủ hộ",
            "Legal representative", "Representative", "Legal rep",
        ),
        "commune_code": (
            "Mã xã", "Mã xã/phường", "Mã phường/xã", "Mã xã, phường, đặc khu", "Mã đơn vị hành chính", "Mã ĐVHC",
            "Commune code", "Ward code",
        ),
        "commune_name": (
            "Tên xã", "Xã/Phường", "Phường/Xã", "Xã", "Phường", "Xã, phường, thị trấn", "Xã/phường/đặc khu",
            "Tên xã/phường", "Tên xã, phường", "Địa bàn xã", "Commune", "Ward", "Commune name", "Ward/Commune",
        ),
        "district": (
            "Huyện", "Huyện cũ", "Quận/Huyện", "Quận/huyện/thị xã", "Huyện/Thị xã/Thành phố", "District",
            "Former district",
        ),
        "address": (
            "Địa chỉ", "Địa chỉ trụ sở", "Địa chỉ trụ sở chính", "Trụ sở chính", "Địa chỉ kinh doanh",
            "Địa chỉ chủ thể", "Địa chỉ liên hệ", "Address", "Head office address", "Registered address",
        ),
        "main_vsic": (
            "Ngành nghề chính", "Ngành nghề kinh doanh chính", "Ngành kinh doanh chính", "Ngành chính", "Mã ngành",
            "Mã ngành chính", "Mã ngành kinh tế", "Mã ngành VSIC", "Ngành nghề", "Main business line",
            "Main line of business", "Industry code", "VSIC",
        ),
        "employees": (
            "Số lao động", "Số LĐ", "Lao động", "Số lao động bình quân", "Tổng số lao động", "Số người lao động",
            "Số lượng lao động", "Employees", "Number of employees", "Headcount",
        ),
        "revenue_vnd": (
            "Doanh thu", "Doanh thu năm trước", "Tổng doanh thu", "Revenue", "Turnover",
        ),
        "capital_vnd": (
            "Tổng nguồn vốn", "Vốn điều lệ", "Vốn điều lệ (đồng)", "Vốn điều lệ (VNĐ)", "Vốn đầu tư", "Tổng vốn",
            "Vốn kinh doanh", "Vốn đăng ký", "Charter capital", "Registered capital", "Total capital", "Capital",
        ),
        "status": (
            "Trạng thái", "Tình trạng hoạt động", "Tình trạng", "Trạng thái hoạt động", "Trạng thái doanh nghiệp",
            "Tình trạng doanh nghiệp", "Trạng thái MST", "Trạng thái NNT", "Status", "Legal status",
        ),
        "suspended_on": (
            "Ngày tạm ngừng", "Ngày tạm ngừng kinh doanh", "Ngày bắt đầu tạm ngừng", "Tạm ngừng từ ngày",
            "Tạm ngừng kinh doanh từ ngày",
        ),
        "suspended_until": (
            "Tạm ngừng đến ngày", "Ngày kết thúc tạm ngừng", "Ngày tiếp tục kinh doanh",
        ),
        "ceased_on": (
            "Ngày chấm dứt", "Ngày chấm dứt hoạt động", "Ngày giải thể", "Ngày phá sản", "Ngày thu hồi",
            "Ngày thu hồi GCN ĐKDN", "Ngày đóng MST", "Ngày đóng mã số thuế",
        ),
        "effective_on": (
            "Hiệu lực từ", "Ngày hiệu lực", "Có hiệu lực từ ngày",
        ),
    },
    # The OCOP lists of the agriculture department, and the lists of geographical indications and marks.
    "products": {
        "name": _PRODUCT_NAME + ("Tên chỉ dẫn địa lý", "Tên nhãn hiệu", "Nhãn hiệu"),
        "certification": ("Loại",),
        "ocop_stars": (
            "Hạng sao", "Số sao", "Xếp hạng", "Phân hạng", "Hạng", "Hạng OCOP", "Xếp hạng sao", "Kết quả phân hạng",
            "Kết quả xếp hạng", "Đạt hạng", "Stars", "OCOP stars", "Rating",
        ),
        "ocop_group": (
            "Nhóm sản phẩm", "Bộ sản phẩm", "Nhóm", "Nhóm ngành", "Ngành hàng", "Phân nhóm", "Nhóm sản phẩm OCOP",
            "Bộ/Nhóm sản phẩm", "Product group", "OCOP group",
        ),
        "certificate_no": (
            "Số quyết định", "Quyết định công nhận", "Số quyết định công nhận", "Quyết định", "Số QĐ",
            "Số văn bằng", "Số giấy chứng nhận", "Số GCN", "Số chứng nhận", "Decision number", "Decision no",
            "Certificate number",
        ),
        "certifying_body": (
            "Cơ quan cấp", "Cơ quan công nhận", "Cơ quan ban hành", "Đơn vị cấp", "Nơi cấp", "Certifying body", "Issued by",
        ),
        "certified_on": (
            "Ngày công nhận", "Ngày quyết định", "Ngày cấp", "Ngày chứng nhận", "Ngày ký quyết định",
            "Ngày quyết định công nhận", "Ngày ban hành quyết định", "Ngày ban hành", "Ngày cấp giấy chứng nhận",
            "Ngày cấp văn bằng", "Date of certification", "Certification date", "Decision date", "Issue date",
        ),
        "expires_on": (
            "Thời hạn", "Ngày hết hạn", "Hết hạn", "Thời hạn hiệu lực", "Hiệu lực đến", "Hiệu lực đến ngày",
            "Có hiệu lực đến", "Ngày hết hiệu lực", "Expiry date", "Expires on", "Valid until",
        ),
    },
    # The department's checks of the shops that sell certified products online.
    "listings": {
        "name": _PRODUCT_NAME,
        "platform": (
            "Sàn", "Sàn TMĐT", "Sàn thương mại điện tử", "Nền tảng", "Nền tảng bán hàng", "Kênh bán", "Kênh bán hàng",
            "Platform", "Marketplace",
        ),
        "checked_on": (
            "Ngày kiểm tra", "Ngày rà soát", "Ngày xác minh", "Ngày cập nhật", "Ngày truy cập", "Checked on",
            "Date checked",
        ),
        "is_available": (
            "Còn bán", "Đang bán", "Còn hoạt động", "Còn bán hàng", "Tình trạng", "Tình trạng gian hàng",
            "Trạng thái", "Still selling", "Available",
        ),
    },
    # The results of the readiness surveys made before the site (DBI, the department's own forms).
    "results": {
        "submitted_on": (
            "Ngày đánh giá", "Ngày khảo sát", "Ngày thực hiện", "Ngày nộp", "Thời gian đánh giá",
            "Thời điểm đánh giá", "Assessment date", "Assessed on", "Survey date",
        ),
        "instrument": (
            "Bộ công cụ", "Công cụ", "Công cụ đánh giá", "Bộ chỉ số", "Mã bộ công cụ", "Instrument",
        ),
        "instrument_version": (
            "Phiên bản", "Phiên bản bộ công cụ", "Version",
        ),
        "instrument_name": (
            "Tên bộ công cụ", "Tên công cụ", "Tên bộ chỉ số", "Instrument name",
        ),
        "overall_level": (
            "Mức", "Mức độ", "Mức tổng thể", "Mức độ chuyển đổi số", "Mức chuyển đổi số", "Mức trưởng thành",
            "Xếp mức", "Kết quả xếp mức", "Level", "Overall level", "Maturity level",
        ),
        "score": (
            "Điểm", "Tổng điểm", "Điểm tổng", "Điểm số", "Tỷ lệ điểm", "Score", "Total score",
        ),
        "pillars": (
            "Các trụ cột", "Trụ cột", "Mức theo trụ cột", "Điểm theo trụ cột", "Pillars",
        ),
    },
    # The digital-technology and startup labels the department gave, with their basis.
    "labels": {
        "label": (
            "Nhãn", "Loại nhãn", "Danh hiệu", "Loại doanh nghiệp", "Phân loại", "Công nhận là", "Label",
        ),
        "basis": (
            "Căn cứ", "Căn cứ xác nhận", "Căn cứ công nhận", "Cơ sở xác nhận", "Căn cứ xác minh", "Basis",
        ),
        "verified_on": (
            "Ngày xác minh", "Ngày xác nhận", "Ngày công nhận", "Ngày quyết định", "Verified on",
        ),
    },
}

# Columns no field holds, though their headers hold a field's name: the representative's phone, the
# English name, a row number; in a registry's file, the product of an OCOP list; in the other kinds,
# the name and address of the enterprise (only its code is read). A header that holds one of these (or is one) is suggested no field,
# unless it is exactly a field's name.
NOT_READ: dict[str, tuple[str, ...]] = {
    "registry": (
        "Người đại diện", "Đại diện pháp luật", "Chủ sở hữu", "Giám đốc", "Kế toán", "Tiếng Anh", "Nước ngoài",
        "Viết tắt", "Thay đổi", "Sản phẩm", "Số sao", "Hạng sao",
    ),
    "products": _OWNER_NOT_READ + ("Mã sản phẩm", "Mã vạch", "Giá", "Link", "Đường dẫn", "Hình ảnh", "Ảnh"),
    "listings": _OWNER_NOT_READ + ("Mã sản phẩm", "Mã vạch", "Giá", "Hình ảnh", "Ảnh"),
    "labels": _OWNER_NOT_READ,
    "results": _OWNER_NOT_READ + ("Người trả lời", "Người đánh giá", "Chức vụ"),
}
ANY_KIND_NOT_READ: tuple[str, ...] = ("STT", "TT", "Số thứ tự", "Ghi chú", "Note")
# fmt: on


def known_names(kind: str, fields: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The names each of a kind's fields goes by: its own first, then those every kind shares."""
    fields = set(fields)
    own = KNOWN_HEADERS.get(kind, {})
    return {f: own.get(f, ()) + SHARED.get(f, ()) for f in fields if f in own or f in SHARED}


def not_read(kind: str) -> tuple[str, ...]:
    """The signs of a column a file of this kind holds and no field reads."""
    return NOT_READ.get(kind, ()) + ANY_KIND_NOT_READ
