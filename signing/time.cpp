// ISO 8601 times: shown with the Vietnam offset (+07:00, no daylight saving), parsed with any offset.
// Calendar arithmetic is timegm/gmtime_r on UTC only: no locale, no TZ environment.
#include <chrono>
#include <cstdio>
#include <ctime>

#include "signing/signing.hpp"

namespace antq::signing {

namespace {

constexpr UnixTime kVietnamOffset = 7 * 3600;

std::string format_with_offset(UnixTime t, UnixTime offset, const char* suffix) {
  std::time_t shifted = static_cast<std::time_t>(t + offset);
  std::tm tm{};
  if (gmtime_r(&shifted, &tm) == nullptr) return "invalid time";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, suffix);
  return buf;
}

// Reads exactly `n` decimal digits at `pos`, advancing it.
bool read_digits(std::string_view s, std::size_t& pos, int n, int& value) {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  value = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Seconds of the civil time given as UTC, or nullopt when a field is out of range (Feb 30, 24:00, ...).
std::optional<UnixTime> civil_to_unix(int year, int month, int day, int hour, int minute, int second) {
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 59)
    return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;  // no such date (Feb 30)
  // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant, "chrono-Compatible Low-Level Date
  // Algorithms", days_from_civil); timegm gives the same answer but normalises through a slow general path.
  const std::int64_t y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return static_cast<UnixTime>(days * 86400 + hour * 3600 + minute * 60 + second);
}

}  // namespace

UnixTime now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_vietnam_time(UnixTime t) { return format_with_offset(t, kVietnamOffset, "+07:00"); }

std::string format_utc(UnixTime t) { return format_with_offset(t, 0, "Z"); }

std::optional<UnixTime> parse_time(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0;
  if (!read_digits(text, pos, 4, year) || !expect(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_digits(text, pos, 2, day))
    return std::nullopt;
  if (pos == text.size()) {  // a bare date: midnight in Vietnam
    auto t = civil_to_unix(year, month, day, 0, 0, 0);
    if (!t) return std::nullopt;
    return *t - kVietnamOffset;
  }
  int hour = 0, minute = 0, second = 0;
  if (!(expect(text, pos, 'T') || expect(text, pos, 't')) || !read_digits(text, pos, 2, hour) ||
      !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) || !expect(text, pos, ':') ||
      !read_digits(text, pos, 2, second))
    return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {  // fractions of a second are accepted and dropped
    ++pos;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;  // no offset: ambiguous, refused
  UnixTime offset = 0;
  char sign = text[pos++];
  if (sign == 'Z' || sign == 'z') {
    if (pos != text.size()) return std::nullopt;
  } else if (sign == '+' || sign == '-') {
    int oh = 0, om = 0;
    if (!read_digits(text, pos, 2, oh)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, om) || pos != text.size() || oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  auto t = civil_to_unix(year, month, day, hour, minute, second);
  if (!t) return std::nullopt;
  return *t - offset;
}

}  // namespace antq::signing
