package synth

import "chuyenhoa/rules"

// realDistrict is a district of Quảng Ngãi before the 2025 reorganisation,
// with its communes and how busy it is relative to the province (the city
// and the industrial coast well above, the mountain districts well below),
// so that district averages differ as they do in real statistics.
type realDistrict struct {
	name, kind string
	busy       float64
	units      []string
}

var quangNgai = []realDistrict{
	{"Thành phố Quảng Ngãi", "thanh_pho", 1.9, []string{
		"Phường Trần Phú", "Phường Lê Hồng Phong", "Phường Nguyễn Nghiêm", "Phường Trần Hưng Đạo",
		"Phường Nghĩa Chánh", "Phường Nghĩa Lộ", "Phường Chánh Lộ", "Phường Quảng Phú",
		"Phường Trương Quang Trọng", "Xã Tịnh Ấn Tây", "Xã Tịnh Ấn Đông", "Xã Tịnh Long",
		"Xã Tịnh An", "Xã Tịnh Châu", "Xã Tịnh Khê", "Xã Tịnh Kỳ", "Xã Tịnh Thiện", "Xã Tịnh Hòa",
		"Xã Nghĩa Dõng", "Xã Nghĩa Dũng", "Xã Nghĩa Hà", "Xã Nghĩa Phú", "Xã An Phú"}},
	{"Thị xã Đức Phổ", "thi_xa", 1.4, []string{
		"Phường Nguyễn Nghiêm", "Phường Phổ Hòa", "Phường Phổ Minh", "Phường Phổ Văn",
		"Phường Phổ Quang", "Phường Phổ Ninh", "Phường Phổ Thạnh", "Phường Phổ Vinh",
		"Xã Phổ An", "Xã Phổ Phong", "Xã Phổ Thuận", "Xã Phổ Nhơn", "Xã Phổ Cường",
		"Xã Phổ Khánh", "Xã Phổ Châu"}},
	{"Huyện Bình Sơn", "huyen", 1.5, []string{
		"Thị trấn Châu Ổ", "Xã Bình Châu", "Xã Bình Hải", "Xã Bình Thạnh", "Xã Bình Đông",
		"Xã Bình Trị", "Xã Bình Thuận", "Xã Bình Hòa", "Xã Bình Phước", "Xã Bình Dương",
		"Xã Bình Chánh", "Xã Bình Nguyên", "Xã Bình Trung", "Xã Bình Long", "Xã Bình An",
		"Xã Bình Minh", "Xã Bình Mỹ", "Xã Bình Khương", "Xã Bình Chương", "Xã Bình Hiệp",
		"Xã Bình Tân Phú", "Xã Bình Thanh"}},
	{"Huyện Sơn Tịnh", "huyen", 1.1, []string{
		"Xã Tịnh Bắc", "Xã Tịnh Bình", "Xã Tịnh Đông", "Xã Tịnh Giang", "Xã Tịnh Hà",
		"Xã Tịnh Hiệp", "Xã Tịnh Minh", "Xã Tịnh Phong", "Xã Tịnh Sơn", "Xã Tịnh Thọ", "Xã Tịnh Trà"}},
	{"Huyện Tư Nghĩa", "huyen", 1.2, []string{
		"Thị trấn La Hà", "Thị trấn Sông Vệ", "Xã Nghĩa Điền", "Xã Nghĩa Hiệp", "Xã Nghĩa Hòa",
		"Xã Nghĩa Kỳ", "Xã Nghĩa Mỹ", "Xã Nghĩa Phương", "Xã Nghĩa Sơn", "Xã Nghĩa Thắng",
		"Xã Nghĩa Thuận", "Xã Nghĩa Thương", "Xã Nghĩa Trung", "Xã Nghĩa Lâm"}},
	{"Huyện Nghĩa Hành", "huyen", 0.9, []string{
		"Thị trấn Chợ Chùa", "Xã Hành Dũng", "Xã Hành Đức", "Xã Hành Minh", "Xã Hành Nhân",
		"Xã Hành Phước", "Xã Hành Thịnh", "Xã Hành Thiện", "Xã Hành Thuận", "Xã Hành Tín Đông",
		"Xã Hành Tín Tây", "Xã Hành Trung"}},
	{"Huyện Mộ Đức", "huyen", 1.0, []string{
		"Thị trấn Mộ Đức", "Xã Đức Chánh", "Xã Đức Hiệp", "Xã Đức Hòa", "Xã Đức Lân", "Xã Đức Lợi",
		"Xã Đức Minh", "Xã Đức Nhuận", "Xã Đức Phong", "Xã Đức Phú", "Xã Đức Tân", "Xã Đức Thạnh"}},
	{"Huyện Ba Tơ", "huyen", 0.55, []string{
		"Thị trấn Ba Tơ", "Xã Ba Bích", "Xã Ba Cung", "Xã Ba Dinh", "Xã Ba Điền", "Xã Ba Giang",
		"Xã Ba Khâm", "Xã Ba Lế", "Xã Ba Liên", "Xã Ba Nam", "Xã Ba Ngạc", "Xã Ba Thành",
		"Xã Ba Tiêu", "Xã Ba Tô", "Xã Ba Trang", "Xã Ba Vì", "Xã Ba Vinh", "Xã Ba Xa"}},
	{"Huyện Minh Long", "huyen", 0.5, []string{
		"Xã Long Hiệp", "Xã Long Mai", "Xã Long Môn", "Xã Long Sơn", "Xã Thanh An"}},
	{"Huyện Sơn Hà", "huyen", 0.65, []string{
		"Thị trấn Di Lăng", "Xã Sơn Ba", "Xã Sơn Bao", "Xã Sơn Cao", "Xã Sơn Giang", "Xã Sơn Hạ",
		"Xã Sơn Hải", "Xã Sơn Kỳ", "Xã Sơn Linh", "Xã Sơn Nham", "Xã Sơn Thành", "Xã Sơn Thủy",
		"Xã Sơn Thượng", "Xã Sơn Trung"}},
	{"Huyện Sơn Tây", "huyen", 0.45, []string{
		"Xã Sơn Bua", "Xã Sơn Dung", "Xã Sơn Lập", "Xã Sơn Liên", "Xã Sơn Long", "Xã Sơn Màu",
		"Xã Sơn Mùa", "Xã Sơn Tân", "Xã Sơn Tinh"}},
	{"Huyện Trà Bồng", "huyen", 0.6, []string{
		"Thị trấn Trà Xuân", "Xã Trà Bình", "Xã Trà Bùi", "Xã Trà Giang", "Xã Trà Hiệp", "Xã Trà Lâm",
		"Xã Trà Phú", "Xã Trà Sơn", "Xã Trà Tân", "Xã Trà Thủy", "Xã Trà Phong", "Xã Trà Xinh",
		"Xã Trà Thanh", "Xã Trà Tây"}},
	{"Huyện Lý Sơn", "huyen", 0.7, []string{"Xã An Hải", "Xã An Vĩnh", "Xã An Bình"}},
}

// extraNames name the districts and communes asked for beyond the real
// ones; a number is appended once they run out.
var extraNames = []string{
	"Tân Lập", "Hòa Bình", "Phú Thọ", "An Lạc", "Thạnh Mỹ", "Hưng Long", "Vĩnh Phú", "Phước Lộc",
	"Quang Trung", "Hiệp Hòa", "Tân Thành", "Đông Sơn", "Bình Phú", "Thuận An", "Xuân Lộc",
	"Mỹ Hưng", "Long Thạnh", "Cẩm Thành", "Hòa Hiệp", "Phú Lâm",
}

// offence is an offence type with its base rate: cases a year in an
// ordinary commune of an ordinary district. Codes cite the article of the
// Criminal Code 2015 (Bộ luật Hình sự).
type offence struct {
	code, name  string
	cat         rules.Category
	socialOrder bool
	perYear     float64
	tet         bool // more frequent around Tết (statistical January–February)
}

var offences = []offence{
	{"BLHS123", "Giết người", rules.Cat1, true, 0.2, false},
	{"BLHS134", "Cố ý gây thương tích", rules.Cat1, true, 6, true},
	{"BLHS171", "Cướp giật tài sản", rules.Cat1, true, 2, false},
	{"BLHS173", "Trộm cắp tài sản", rules.Cat1, true, 18, true},
	{"BLHS174", "Lừa đảo chiếm đoạt tài sản", rules.Cat1, true, 4, false},
	{"BLHS321", "Đánh bạc", rules.Cat1, true, 5, true},
	{"BLHS188", "Buôn lậu", rules.Cat2, false, 1.5, true},
	{"BLHS192", "Sản xuất, buôn bán hàng giả", rules.Cat2, false, 2.5, true},
	{"BLHS227", "Vi phạm quy định về khai thác tài nguyên (khai thác cát trái phép)", rules.Cat3, false, 3, false},
	{"BLHS317", "Vi phạm quy định về an toàn thực phẩm", rules.Cat3, false, 5, true},
	{"BLHS249", "Tàng trữ trái phép chất ma túy", rules.Cat4, false, 4, false},
	{"BLHS251", "Mua bán trái phép chất ma túy", rules.Cat4, false, 2, false},
}

// reformPlan names the communes a district's old communes merge into on
// the reform: each anchor gives the new commune that takes the old commune
// named second its name (a real post-2025 name where we know one, with an
// old commune it plausibly took in). Which old communes merge is the
// generator's own balancing (see merge), not Resolution 1677/NQ-UBTVQH15;
// a new commune without an anchor takes the name of its busiest
// predecessor, as many real ones did. An island's communes all merge into
// one special zone (đặc khu).
type reformPlan struct {
	anchors [][2]string // new name, old commune
	island  bool
}

var reformQuangNgai = []reformPlan{
	{anchors: [][2]string{{"Phường Cẩm Thành", "Phường Trần Phú"}, {"Phường Nghĩa Lộ", "Phường Nghĩa Lộ"},
		{"Phường Trương Quang Trọng", "Phường Trương Quang Trọng"}, {"Xã Tịnh Khê", "Xã Tịnh Khê"}, {"Xã An Phú", "Xã An Phú"}}},
	{anchors: [][2]string{{"Phường Đức Phổ", "Phường Nguyễn Nghiêm"}, {"Phường Trà Câu", "Phường Phổ Văn"},
		{"Phường Sa Huỳnh", "Phường Phổ Thạnh"}, {"Xã Khánh Cường", "Xã Phổ Khánh"}, {"Xã Nguyễn Nghiêm", "Xã Phổ Nhơn"}}},
	{anchors: [][2]string{{"Xã Bình Sơn", "Thị trấn Châu Ổ"}, {"Xã Vạn Tường", "Xã Bình Trị"}, {"Xã Bình Chương", "Xã Bình Chương"},
		{"Xã Bình Minh", "Xã Bình Minh"}, {"Xã Đông Sơn", "Xã Bình Hiệp"}}},
	{anchors: [][2]string{{"Xã Thọ Phong", "Xã Tịnh Thọ"}, {"Xã Ba Gia", "Xã Tịnh Bắc"}, {"Xã Trường Giang", "Xã Tịnh Giang"},
		{"Xã Sơn Tịnh", "Xã Tịnh Hà"}}},
	{anchors: [][2]string{{"Xã Tư Nghĩa", "Thị trấn La Hà"}, {"Xã Vệ Giang", "Thị trấn Sông Vệ"}, {"Xã Nghĩa Giang", "Xã Nghĩa Kỳ"},
		{"Xã Trà Giang", "Xã Nghĩa Sơn"}}},
	{anchors: [][2]string{{"Xã Nghĩa Hành", "Thị trấn Chợ Chùa"}, {"Xã Thiện Tín", "Xã Hành Thiện"}, {"Xã Phước Giang", "Xã Hành Phước"},
		{"Xã Đình Cương", "Xã Hành Thịnh"}}},
	{anchors: [][2]string{{"Xã Mộ Đức", "Thị trấn Mộ Đức"}, {"Xã Lân Phong", "Xã Đức Lân"}, {"Xã Long Phụng", "Xã Đức Hiệp"},
		{"Xã Mỏ Cày", "Xã Đức Minh"}}},
	{anchors: [][2]string{{"Xã Ba Tơ", "Thị trấn Ba Tơ"}, {"Xã Ba Vì", "Xã Ba Vì"}, {"Xã Ba Dinh", "Xã Ba Dinh"},
		{"Xã Đặng Thùy Trâm", "Xã Ba Trang"}, {"Xã Ba Xa", "Xã Ba Xa"}, {"Xã Ba Tô", "Xã Ba Tô"}, {"Xã Ba Vinh", "Xã Ba Vinh"},
		{"Xã Ba Động", "Xã Ba Liên"}}},
	{anchors: [][2]string{{"Xã Minh Long", "Xã Long Hiệp"}, {"Xã Sơn Mai", "Xã Long Mai"}}},
	{anchors: [][2]string{{"Xã Sơn Hà", "Thị trấn Di Lăng"}, {"Xã Sơn Hạ", "Xã Sơn Hạ"}, {"Xã Sơn Linh", "Xã Sơn Linh"},
		{"Xã Sơn Thủy", "Xã Sơn Thủy"}, {"Xã Sơn Kỳ", "Xã Sơn Kỳ"}}},
	{anchors: [][2]string{{"Xã Sơn Tây", "Xã Sơn Dung"}, {"Xã Sơn Tây Thượng", "Xã Sơn Bua"}, {"Xã Sơn Tây Hạ", "Xã Sơn Tân"}}},
	{anchors: [][2]string{{"Xã Trà Bồng", "Thị trấn Trà Xuân"}, {"Xã Tây Trà", "Xã Trà Phong"}, {"Xã Đông Trà Bồng", "Xã Trà Bình"},
		{"Xã Thanh Bồng", "Xã Trà Thanh"}, {"Xã Cà Đam", "Xã Trà Tân"}}},
	{anchors: [][2]string{{"Đặc khu Lý Sơn", "Xã An Hải"}}, island: true},
}

// reformAcross are the merges across old districts, by district index:
// the last old commune of the first joins the first new commune of the
// second (the city's edge into Tư Nghĩa, Mộ Đức's into Đức Phổ, Sơn Hà's
// into Sơn Tây), as some real mergers crossed the old district lines.
var reformAcross = [][2]int{{0, 4}, {6, 1}, {9, 10}}
