// Demo reference lists (localities and units) for Thanh Hóa province, matching the
// period of the seed documents in shared/seeds (2023–2024). The documents speak of
// "27/27 huyện, thị xã, thành phố" and "27/27 UBND cấp huyện", so all 27 district-level
// units of that time are listed (Huyện Đông Sơn was still a separate district then).
// No headcounts are given in the documents, so none are set here.

export const demoLocalities: { name: string; headcount?: number }[] = [
  { name: "Thành phố Thanh Hóa" },
  { name: "Thành phố Sầm Sơn" },
  { name: "Thị xã Bỉm Sơn" },
  { name: "Thị xã Nghi Sơn" },
  { name: "Huyện Bá Thước" },
  { name: "Huyện Cẩm Thủy" },
  { name: "Huyện Đông Sơn" },
  { name: "Huyện Hà Trung" },
  { name: "Huyện Hậu Lộc" },
  { name: "Huyện Hoằng Hóa" },
  { name: "Huyện Lang Chánh" },
  { name: "Huyện Mường Lát" },
  { name: "Huyện Nga Sơn" },
  { name: "Huyện Ngọc Lặc" },
  { name: "Huyện Như Thanh" },
  { name: "Huyện Như Xuân" },
  { name: "Huyện Nông Cống" },
  { name: "Huyện Quan Hóa" },
  { name: "Huyện Quan Sơn" },
  { name: "Huyện Quảng Xương" },
  { name: "Huyện Thạch Thành" },
  { name: "Huyện Thiệu Hóa" },
  { name: "Huyện Thọ Xuân" },
  { name: "Huyện Thường Xuân" },
  { name: "Huyện Triệu Sơn" },
  { name: "Huyện Vĩnh Lộc" },
  { name: "Huyện Yên Định" },
];

// Provincial agencies and organizations named in (or, for the socio-political
// organizations, implied by) the seed documents.
export const demoUnits: { name: string; headcount?: number }[] = [
  { name: "Sở Thông tin và Truyền thông" },
  { name: "Sở Văn hóa, Thể thao và Du lịch" },
  { name: "Sở Nội vụ" },
  { name: "Sở Tài chính" },
  { name: "Văn phòng UBND tỉnh" },
  { name: "Trung tâm Phục vụ Hành chính công tỉnh" },
  { name: "Đài Phát thanh và Truyền hình tỉnh" },
  { name: "Báo Thanh Hóa" },
  { name: "Tỉnh Đoàn Thanh Hóa" },
  { name: "Ủy ban MTTQ Việt Nam tỉnh" },
  { name: "Hội Liên hiệp Phụ nữ tỉnh" },
  { name: "Hiệp hội Doanh nghiệp tỉnh" },
  { name: "Hội Tin học Thanh Hóa" },
  { name: "Ngân hàng Nhà nước chi nhánh tỉnh Thanh Hóa" },
  { name: "Bưu điện tỉnh Thanh Hóa" },
];
