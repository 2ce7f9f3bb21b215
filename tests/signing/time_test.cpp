#include <catch2/catch.hpp>

#include <ctime>

#include <fmt/format.h>

#include "signing/signing.hpp"

namespace antq::signing {

TEST_CASE("signing times are shown in ISO 8601 with the Vietnam offset", "[signing]") {
  CHECK(format_vietnam_time(1678174257) == "2023-03-07T14:30:57+07:00");
  CHECK(format_utc(1678174257) == "2023-03-07T07:30:57Z");
  CHECK(format_vietnam_time(0) == "1970-01-01T07:00:00+07:00");
  CHECK(format_vietnam_time(1678122000 - 1) == "2023-03-06T23:59:59+07:00");  // the day changes at 17:00Z
  CHECK(format_vietnam_time(1678122000) == "2023-03-07T00:00:00+07:00");
  CHECK(format_utc(4102444800) == "2100-01-01T00:00:00Z");
}

TEST_CASE("parse_time accepts Z, +hh:mm, +hhmm, negative offsets and fractions", "[signing]") {
  CHECK(parse_time("2023-03-07T07:30:57Z") == 1678174257);
  CHECK(parse_time("2023-03-07T14:30:57+07:00") == 1678174257);
  CHECK(parse_time("2023-03-07T14:30:57+0700") == 1678174257);
  CHECK(parse_time("2023-03-07T02:30:57-05:00") == 1678174257);
  CHECK(parse_time("2023-03-07T07:30:57.123Z") == 1678174257);
  CHECK(parse_time("2023-03-07t07:30:57z") == 1678174257);
  CHECK(parse_time("2024-02-29T00:00:00Z").has_value());  // leap day
}

TEST_CASE("parse_time takes a bare date as midnight in Vietnam", "[signing]") {
  CHECK(parse_time("2023-03-07") == 1678122000);
  CHECK(format_vietnam_time(*parse_time("2023-03-07")) == "2023-03-07T00:00:00+07:00");
}

TEST_CASE("parse_time refuses ambiguous, impossible and malformed times", "[signing]") {
  for (const char* bad : {"",
                          "2023",
                          "2023-03",
                          "2023-3-7",
                          "2023-03-07T14:30:57",
                          "2023-03-07 14:30:57Z",
                          "2023-13-01",
                          "2023-02-29",
                          "2023-04-31",
                          "2023-03-07T24:00:00Z",
                          "2023-03-07T12:60:00Z",
                          "2023-03-07T12:00:60Z",
                          "2023-03-07T12:00:00+7:00",
                          "2023-03-07T12:00:00+07:0",
                          "2023-03-07T12:00:00+24:00",
                          "2023-03-07T12:00:00Zjunk",
                          "2023-03-07T12:00:00.Z",
                          "2023-03-07junk",
                          "x2023-03-07",
                          "2023-03-07T12:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_time(bad).has_value());
  }
}

TEST_CASE("formatted times parse back to the same second", "[signing]") {
  for (UnixTime t : {UnixTime{0}, UnixTime{1678174257}, UnixTime{951782400}, UnixTime{2524608000}}) {
    CHECK(parse_time(format_vietnam_time(t)) == t);
    CHECK(parse_time(format_utc(t)) == t);
  }
}

TEST_CASE("now is close to the system clock", "[signing]") {
  UnixTime t = now();
  CHECK(t > 1700000000);
  CHECK(t < 4102444800);
}


TEST_CASE("parse_time agrees with the C library's timegm on every day from 1900 to 2400", "[signing]") {
  int checked = 0;
  for (int year = 1900; year <= 2400; ++year)
    for (int month = 1; month <= 12; ++month)
      for (int day = 1; day <= 31; ++day) {
        std::tm tm{};
        tm.tm_year = year - 1900;
        tm.tm_mon = month - 1;
        tm.tm_mday = day;
        tm.tm_hour = 13;
        tm.tm_min = 7;
        tm.tm_sec = 59;
        const std::time_t expected = timegm(&tm);
        const bool exists = tm.tm_mday == day;  // timegm moved Feb 30 to March
        auto parsed = parse_time(fmt::format("{:04}-{:02}-{:02}T13:07:59Z", year, month, day));
        if (parsed.has_value() != exists || (parsed && *parsed != expected)) {
          FAIL_CHECK(fmt::format("{:04}-{:02}-{:02}: parse_time {} but timegm {}", year, month, day,
                                 parsed ? std::to_string(*parsed) : "refused",
                                 exists ? std::to_string(expected) : "no such day"));
          return;
        }
        if (exists) ++checked;
      }
  CHECK(checked == 182987);  // the days of 1900-01-01 .. 2400-12-31
}

}  // namespace antq::signing
