"""The words agency names are made of (data, general knowledge of Vietnamese public administration,
not one document's wording): heads ("Sở", "Chủ tịch"), groups ("các sở, ban, ngành"), level words,
qualifiers, the statutory bodies whose names hold verbs and the fields of the departments. Read by
ingest/actors.py as phrase tables."""
from __future__ import annotations

from ingest.tagging import TOKEN, phrases

# The governing boards of associations, party and union committees, schools and enterprises, written in
# lower case before the body they govern ("Ban chấp hành lâm thời Hội …", "Ban giám đốc Công ty …").
BOARD_HEADS = ("ban chấp hành", "ban thường vụ", "ban thường trực", "ban chủ nhiệm", "ban giám đốc", "ban giám hiệu",
               "ban kiểm soát", "ban đại diện")
# Heads, longest first when matched. Lower-case in the text they need a capitalised name after them
# ("phòng Y tế"), so that "phòng học" or "ban hành" never start an agency.
ORG_HEADS = (
    "bộ chỉ huy quân sự", "bộ chỉ huy", "ủy ban nhân dân", "ủy ban mặt trận tổ quốc", "ủy ban", "ubnd", "hđnd",
    "hội đồng nhân dân", "hội đồng", "văn phòng", "vp", "chi cục", "tổng cục", "cục", "trung tâm", "thanh tra",
    "công an", "kho bạc nhà nước", "kho bạc", "sở", "ban", "phòng", "đài", "báo", "bộ", "hạt", "đội", "tổ", "hội",
    "liên đoàn", "liên minh", "mặt trận", "tỉnh đoàn", "huyện đoàn", "đoàn", "công ty", "tập đoàn", "ngân hàng",
    "bảo hiểm xã hội", "bhxh", "thuế", "chi nhánh", "trường", "bệnh viện", "viện kiểm sát", "viện", "tòa án",
    "đảng ủy", "quỹ", "bchqs", "vpđkđđ", "ttpvhcc", "ban chỉ đạo", "bcđ", "tòa soạn", "đài phát thanh",
    "mặt trận tổ quốc", "tổ giúp việc", "tổ công tác", "tổ thư ký", "ban quản lý",
    *BOARD_HEADS,
)
# Bodies found in every province whose names hold verbs ("đầu tư", "phát triển", "đăng ký"), so that
# a name never ends at them: "Ban Quản lý dự án đầu tư xây dựng số 1 chủ trì …". Whole names, not heads
# that share a list's scope.
NAMED_BODIES = (
    "ban quản lý dự án đầu tư xây dựng", "ban quản lý dự án và phát triển quỹ đất", "ban quản lý dự án",
    "trung tâm phát triển quỹ đất",
    "văn phòng đăng ký đất đai", "trung tâm kiểm soát bệnh tật", "ban tiếp công dân", "chi cục quản lý thị trường",
    "đội quản lý thị trường", "ban quản lý khu kinh tế", "trung tâm xúc tiến đầu tư",
    # councils named by what they do, and the women's advancement committee every body has by law
    "hội đồng xét duyệt", "hội đồng thẩm định", "hội đồng tư vấn", "hội đồng nghiệm thu", "hội đồng tuyển dụng",
    "hội đồng kỷ luật", "hội đồng đánh giá", "hội đồng kiểm tra", "ban vì sự tiến bộ của phụ nữ",
)
HOLDER_HEADS = (
    "phó giám đốc", "giám đốc", "phó chủ tịch", "chủ tịch", "phó bí thư", "phó trưởng phòng", "phó thủ trưởng",
    "thủ trưởng", "chánh văn phòng", "chánh thanh tra",
    "phó trưởng ban", "trưởng ban", "trưởng phòng", "hiệu trưởng", "chỉ huy trưởng", "người đứng đầu", "bí thư",
    "tổng biên tập", "thủ tướng", "bộ trưởng", "chánh án", "viện trưởng", "tổ trưởng", "trưởng", "lãnh đạo",
)
# Nouns that name an accountable group after "các" ("các sở, ban, ngành", "các đơn vị có liên quan").
GROUP_NOUNS = (
    "sở", "bộ", "ban", "ngành", "cơ quan", "đơn vị", "địa phương", "tổ chức", "doanh nghiệp", "hội", "đoàn thể",
    "phòng", "xã", "phường", "thị trấn", "huyện", "tỉnh", "thành phố", "thành viên", "đại biểu", "chủ đầu tư",
    "nhà đầu tư", "cấp", "trường", "cơ sở", "ủy viên", "đồng chí", "ông", "bà", "bộ phận", "đặc khu", "quận",
    "lực lượng", "phương tiện", "hợp tác xã", "tập thể", "cán bộ", "công chức", "viên chức", "người lao động",
    "khu công nghiệp", "khu kinh tế", "khu chế xuất", "dự án",  # "Ban Quản lý các khu công nghiệp …"
)
BARE_GROUPS = ("nhà đầu tư", "chủ đầu tư", "cơ quan", "đơn vị", "doanh nghiệp", "cán bộ, công chức")
# Words that go on naming the agency though written in lower case.
PLACE = ("tỉnh", "huyện", "xã", "phường", "thị trấn", "thị xã", "thành phố", "đặc khu", "quận", "cấp tỉnh",
         "cấp huyện", "cấp xã", "trung ương", "khu vực", "số")
QUALIFIERS = ("có tên tại", "có tên trong", "có tên", "có liên quan", "liên quan", "trực thuộc", "thuộc",
              "lâm thời", "trên địa bàn", "đóng trên địa bàn", "chuyên môn", "ngang bộ", "ngang sở", "ngành dọc",
              "cùng cấp", "được kiểm tra", "chức năng", "được giao", "nhà nước")
# "Đoàn Luật sư tỉnh Bình Thuận (cũ)": a body named before or after a merger.
TIME_QUALIFIERS = {"cũ", "mới", "trước đây", "trước sáp nhập", "sau sáp nhập", "sau hợp nhất", "nay"}
# Words after which ", huyện, thị xã" or ", ngành" goes on listing the same kind of body.
LIST_TAILS = {"sở", "ban", "ngành", "huyện", "xã", "tỉnh", "phường", "thị trấn", "thị xã", "thành phố", "đơn vị",
              "cơ quan", "địa phương", "đặc khu", "quận", "trấn", "phố", "khu", "quan", "vị", "phương", "chức", "bộ"}
HOLDER_TAILS = {"trưởng", "đốc", "tịch", "đạo"}  # "Thủ trưởng sở", "Giám đốc sở", "Chủ tịch xã", "lãnh đạo sở"
OFFICE_BODIES = {"hđnd", "ubnd", "đoàn", "ủy", "hội"}  # bodies a shared Văn phòng serves
DETERMINERS = ("các", "những", "toàn thể", "từng", "mỗi")
# The fields of provincial departments (Nghị định 45/2025/NĐ-CP and before) and district offices, read
# whole after "Sở"/"Phòng" however cased or joined ("Phòng nông nghiệp và phát triển nông thôn huyện",
# "phòng Tài nguyên & Môi trường"): their "và" and dashes are not list separators.
FIELDS = (
    "nội vụ", "tư pháp", "tài chính", "công thương", "nông nghiệp và môi trường", "xây dựng", "khoa học và công nghệ",
    "văn hóa, thể thao và du lịch", "giáo dục và đào tạo", "y tế", "ngoại vụ", "dân tộc và tôn giáo", "du lịch",
    "kế hoạch và đầu tư", "thông tin và truyền thông", "lao động - thương binh và xã hội",
    "nông nghiệp và phát triển nông thôn", "tài nguyên và môi trường", "giao thông vận tải", "tài chính - kế hoạch",
    "kinh tế - hạ tầng", "kinh tế, hạ tầng và đô thị", "kinh tế", "văn hóa và thông tin", "văn hóa - xã hội",
    "văn hóa, khoa học và thông tin", "quản lý đô thị", "dân tộc",
)
FIELD_HEADS = {"sở", "phòng"}
FIELD_GLUE = {"và", "-", "–", "—", "&", ","}
# Nouns that are what a body is given or asked for, never a part of its name.
OBJECT_NOUNS = {"nhiệm vụ", "kế hoạch", "văn bản", "công văn", "kết quả", "hồ sơ", "kinh phí", "báo cáo", "nội dung",
                "thời gian", "thời hạn", "ý kiến", "tài liệu", "số liệu", "danh sách", "dự thảo", "dự toán",
                "chương trình", "đề án", "quy định", "phương án", "giải pháp", "tình hình", "công tác", "trách nhiệm"}

FIELD_WORDS = sorted((tuple(w for w in TOKEN.findall(f) if w not in FIELD_GLUE) for f in FIELDS),
                     key=len, reverse=True)
ORG = phrases(ORG_HEADS + NAMED_BODIES)
NAMED = phrases(NAMED_BODIES)
BOARDS = phrases(BOARD_HEADS)
HOLDER = phrases(HOLDER_HEADS)
GROUP = phrases(GROUP_NOUNS)
PLACES = phrases(PLACE)
QUALS = phrases(QUALIFIERS)
BARE = phrases(BARE_GROUPS)
# The syntax of an assignment ends a name even where a tagger calls the word a noun ("chủ trì").
ROLES = phrases(("chủ trì", "phối hợp", "tham mưu", "thực hiện", "có trách nhiệm", "chịu trách nhiệm", "chủ động",
                 "tổ chức", "triển khai", "theo dõi", "báo cáo", "xây dựng", "cập nhật", "kiểm tra", "hướng dẫn"))
