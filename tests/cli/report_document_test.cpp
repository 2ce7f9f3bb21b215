// antq report --format html and pdf: the report printed as an administrative document of Decree 30/2020/NĐ-CP
// (cli/official_document.cpp): national title and motto, issuing body, number, place and date, recipients and the
// signature block; Vietnamese only, with no command line, path, entry number or subject id; the PDF refused without
// a file or a renderer, and a renderer that fails leaves nothing. The PDF itself is checked by
// tests/tools/report_pdf_test.sh (pdfinfo, pdftotext, pdftoppm).
#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include <catch2/catch.hpp>

#include "demo.hpp"
#include "reorganisation.hpp"
#include "support.hpp"

namespace antq::test {
namespace {

// The subject ids the demo's acts name (its acts/ directory).
std::set<std::string> subject_ids(const CommuneDemo& demo) {
  std::set<std::string> ids;
  for (const auto& f : fs::directory_iterator(demo.tmp / "acts")) {
    if (f.path().extension() != ".json") continue;
    const json act = json::parse(read_file(f.path()), nullptr, false);
    if (act.is_object() && act.contains("subject") && act["subject"].is_string()) ids.insert(act["subject"]);
  }
  return ids;
}

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// No English, no command line, no internal ids in a printed document.
void check_vietnamese_only(const std::string& html, const CommuneDemo& demo) {
  const std::string lower = ascii_lower(html);
  for (const char* word : {"period", "total", "as of", "profile", "antq", "entries", "reconcile", "merkle", "(none)",
                           "(model)", "(points)", "good", "subject", "figure", "ledger", "seq"}) {
    INFO("English word: " << word);
    CHECK(lower.find(word) == std::string::npos);
  }
  const std::set<std::string> ids = subject_ids(demo);
  REQUIRE(!ids.empty());
  for (const auto& id : ids) {
    INFO("subject id: " << id);
    CHECK(html.find(id) == std::string::npos);
  }
  CHECK_FALSE(std::regex_search(html, std::regex("[0-9a-f]{64}")));  // a Merkle root or a digest
  CHECK(html.find(demo.tmp.path().string()) == std::string::npos);   // the ledger's directory
}

TEST_CASE("report --format html is an administrative document of Decree 30 in Vietnamese only",
          "[cli][report][decree30]") {
  CommuneDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  REQUIRE(run(kAntq + " report " + l +
                  " 2024 --unit 'UBND xã Tân Lập' --format html --number 12/BC-UBND"
                  " --place 'Tân Lập' --date 2026-06-05 --governing-body 'UBND huyện Yên Thủy'"
                  " --recipient 'Ban Chỉ đạo huyện' --recipient 'Công an huyện'"
                  " --signer-authority 'TM. Ủy ban nhân dân' --signer-title 'Chủ tịch'"
                  " --signer-name 'Nguyễn Văn An'",
              &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::StartsWith("<!doctype html>") && Catch::Contains("<html lang=\"vi\">") &&
                      Catch::EndsWith("</html>\n"));
  // The heading: national title, motto (underlined), governing and issuing body in capitals, number, place and date.
  CHECK_THAT(out, Catch::Contains("<p class=\"nation\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>") &&
                      Catch::Contains("<p class=\"motto\"><span>Độc lập - Tự do - Hạnh phúc</span></p>") &&
                      Catch::Contains(".motto span { border-bottom: 1px solid #000;") &&
                      Catch::Contains("<p class=\"governing\">UBND HUYỆN YÊN THỦY</p>") &&
                      Catch::Contains("<p class=\"issuer\"><span>UBND XÃ TÂN LẬP</span></p>") &&
                      Catch::Contains("Số: 12/BC-UBND") &&
                      Catch::Contains("<p class=\"date\">Tân Lập, ngày 05 tháng 6 năm 2026</p>") &&
                      Catch::Contains(".date { font-style: italic;"));
  // Kind and subject: the yearly report is the "tổng kết năm".
  CHECK_THAT(out, Catch::Contains("<p class=\"kind\">BÁO CÁO</p>") &&
                      Catch::Contains("Tổng kết năm 2024 công tác xây dựng, công nhận, nhân rộng mô hình") &&
                      Catch::Contains("(từ ngày 01/11/2023 đến ngày 31/10/2024; số liệu tính đến ngày 14/11/2024)"));
  // The body: the sections in Vietnamese, the figures as the table has them.
  CHECK_THAT(out, Catch::Contains("<h2>I. Thống kê mô hình theo tên</h2>") &&
                      Catch::Contains("<td>Tốt</td><td class=\"n\">1</td>") && Catch::Contains("<td>Tổng số</td>"));
  // Recipients bottom left, "Lưu: VT." last; the signature block bottom right.
  CHECK_THAT(out, Catch::Contains("<p class=\"recipients-title\">Nơi nhận:</p>\n<p>- Ban Chỉ đạo huyện;</p>\n"
                                  "<p>- Công an huyện;</p>\n<p>- Lưu: VT.</p>") &&
                      Catch::Contains("<td class=\"signature\"><p>TM. ỦY BAN NHÂN DÂN</p><p>CHỦ TỊCH</p>"
                                      "<p class=\"signer-name\">Nguyễn Văn An</p>"));
  // A4, the decree's margins, Times New Roman, page numbers at the top from page 2.
  CHECK_THAT(out, Catch::Contains("@page { size: A4; margin: 20mm 15mm 20mm 30mm;") &&
                      Catch::Contains("@top-center { content: counter(page);") &&
                      Catch::Contains("@page :first { @top-center { content: none; } }") &&
                      Catch::Contains("font-family: 'Times New Roman'"));
  check_vietnamese_only(out, demo);
}

TEST_CASE("report html: the date line writes days below 10 and January, February with a leading zero",
          "[cli][report][decree30]") {
  CommuneDemo demo;
  const std::string l = quote(demo.ledger());
  std::string out;
  for (const auto& [date, line] : {std::pair{"2026-02-03", "Tân Lập, ngày 03 tháng 02 năm 2026"},
                                   {"2026-01-31", "Tân Lập, ngày 31 tháng 01 năm 2026"},
                                   {"2026-11-20", "Tân Lập, ngày 20 tháng 11 năm 2026"},
                                   {"2026-03-09", "Tân Lập, ngày 09 tháng 3 năm 2026"}}) {
    REQUIRE(run(kAntq + " report " + l + " 2024-H1 --unit 'UBND xã Tân Lập' --format html --date " + date, &out) == 0);
    CHECK_THAT(out, Catch::Contains(line));
  }
  // The half-year is the provinces' "sơ kết 6 tháng đầu năm", 1 November to 30 April; defaults: the place from the
  // unit's name, a blank number before the symbol, the one copy kept.
  CHECK_THAT(out, Catch::Contains("Sơ kết 6 tháng đầu năm 2024 công tác") &&
                      Catch::Contains("(từ ngày 01/11/2023 đến ngày 30/4/2024;") &&
                      Catch::Contains("Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BC-UBND") &&
                      Catch::Contains("<p>- Lưu: VT.</p>"));
  check_vietnamese_only(out, demo);
  // A report of every unit: the issuer and the place left to fill by hand.
  REQUIRE(run(kAntq + " report " + l + " 2024 --format html --date 2026-06-05", &out) == 0);
  CHECK_THAT(out, Catch::Contains("<p class=\"issuer\"><span>……………</span></p>") &&
                      Catch::Contains("……………, ngày 05 tháng 6 năm 2026") && Catch::Contains("Số: \u00a0") &&
                      Catch::Contains("/BC</p>") && !Catch::Contains("class=\"governing\""));
  CHECK(run(kAntq + " report " + l + " 2024 --format html --date 2026-13-01", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--date: expected a date YYYY-MM-DD"));
  CHECK(run(kAntq + " report " + l + " 2024 --number 12/BC-UBND", &out) == 2);
  CHECK_THAT(out, Catch::Contains("add --format html or pdf"));
}

TEST_CASE("report html escapes a hostile issuer, in capitals in the heading and as given in the text",
          "[cli][report][decree30][output]") {
  CommuneDemo demo;
  std::string out;
  REQUIRE(run(kAntq + " report " + quote(demo.ledger()) +
                  " 2024 --format html --issuer "
                  "'<script>alert(\"x\")</script> xã Phú Lai' --signer-name '<b>An</b>' --recipient '<i>&</i>'",
              &out) == 0);
  CHECK_THAT(out, !Catch::Contains("<script") && !Catch::Contains("<SCRIPT") && !Catch::Contains("<b>") &&
                      !Catch::Contains("<i>") &&
                      Catch::Contains("&lt;SCRIPT&gt;ALERT(&quot;X&quot;)&lt;/SCRIPT&gt; XÃ PHÚ LAI") &&
                      Catch::Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; xã Phú Lai báo cáo") &&
                      Catch::Contains("&lt;b&gt;An&lt;/b&gt;") && Catch::Contains("- &lt;i&gt;&amp;&lt;/i&gt;;") &&
                      Catch::Contains("Phú Lai, ngày "));
}

TEST_CASE("report html takes the governing body, place and signer from the unit registry",
          "[cli][report][decree30][units]") {
  reorg::Reorganisation2025 r;
  std::string out;
  REQUIRE(
      run(kAntq + " report " + quote(r.t.dir()) + " 2025-H1 --unit 'ubnd xã phú lai' --format html --date 2025-05-12",
          &out) == 0);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("<p class=\"governing\">UBND HUYỆN YÊN THỦY</p>") &&
                      Catch::Contains("<p class=\"issuer\"><span>UBND XÃ PHÚ LAI</span></p>") &&
                      Catch::Contains("Phú Lai, ngày 12 tháng 5 năm 2025") &&
                      Catch::Contains("<p>TM. ỦY BAN NHÂN DÂN</p><p>CHỦ TỊCH</p>") && !Catch::Contains("PL-1") &&
                      !Catch::Contains("HUYEN-1"));
  // --governing-body '' prints none.
  REQUIRE(run(kAntq + " report " + quote(r.t.dir()) +
                  " 2025-H1 --unit 'UBND xã Phú Lai' --format html "
                  "--governing-body ''",
              &out) == 0);
  CHECK_THAT(out, !Catch::Contains("class=\"governing\""));
}

TEST_CASE("report --format pdf needs a file and a renderer, and a renderer that fails leaves nothing",
          "[cli][report][decree30][pdf]") {
  CommuneDemo demo;
  const std::string l = quote(demo.ledger());
  const fs::path pdf = demo.tmp / "out" / "bao-cao.pdf";
  fs::create_directories(pdf.parent_path());
  std::string out;
  CHECK(run(kAntq + " report " + l + " 2024 --format pdf", &out) == 2);
  CHECK_THAT(out, Catch::Contains("--format pdf writes a file, never to the terminal: add --output FILE.pdf"));
  CHECK(lines_of(out) == 1);
  CHECK(run(kAntq + " report " + l + " 2024 --format html --output " + quote(pdf), &out) == 2);
  CHECK_THAT(out, Catch::Contains("--output is for --format pdf"));

  // No Chromium in PATH: which Debian package to install, and nothing written.
  CHECK(run("env -u ANTQ_CHROMIUM PATH=/nonexistent " + kAntq + " report " + l + " 2024 --format pdf --output " +
                quote(pdf),
            &out) == 2);
  CHECK_THAT(out, Catch::Contains("install Debian's package chromium") && Catch::Contains("ANTQ_CHROMIUM"));
  CHECK(lines_of(out) == 1);
  CHECK(
      run("ANTQ_CHROMIUM=/nonexistent/chromium " + kAntq + " report " + l + " 2024 --format pdf --output " + quote(pdf),
          &out) == 2);
  CHECK_THAT(out, Catch::Contains("ANTQ_CHROMIUM=/nonexistent/chromium: not an executable file"));

  // A renderer that fails, and one that writes something other than a PDF: exit 2, the old file kept as it was, no
  // temporary file left beside it.
  write_file(pdf, "the previous report");
  const fs::path failing = demo.tmp / "failing-chromium", garbage = demo.tmp / "garbage-chromium";
  write_file(failing, "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n");
  write_file(garbage,
             "#!/bin/sh\nfor a; do\n  case $a in --print-to-pdf=*) echo 'not a pdf' > \"${a#--print-to-pdf=}\";; esac\n"
             "done\n");
  fs::permissions(failing, fs::perms::owner_all);
  fs::permissions(garbage, fs::perms::owner_all);
  CHECK(run("ANTQ_CHROMIUM=" + quote(failing) + " " + kAntq + " report " + l + " 2024 --format pdf --output " +
                quote(pdf),
            &out) == 2);
  CHECK_THAT(out, Catch::Contains("did not print the PDF (exit 3): cannot open display; nothing written"));
  CHECK(run("ANTQ_CHROMIUM=" + quote(garbage) + " " + kAntq + " report " + l + " 2024 --format pdf --output " +
                quote(pdf),
            &out) == 2);
  CHECK_THAT(out, Catch::Contains("did not print the PDF (no PDF)"));
  CHECK(read_file(pdf) == "the previous report");
  CHECK(std::distance(fs::directory_iterator(pdf.parent_path()), fs::directory_iterator()) == 1);
}

}  // namespace
}  // namespace antq::test
