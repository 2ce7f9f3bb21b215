#include "projections/subject.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace antq::projections {
namespace {

using nlohmann::json;

std::string text_of(const json& data, const char* key, const std::string& otherwise) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : otherwise;
}

// The descriptive fields that model.proposed, model.established and model.recognized may carry.
void take_description(SubjectState& s, const json& data) {
  s.name = text_of(data, "name", s.name);
  s.type = text_of(data, "type", s.type);
  s.area = text_of(data, "area", s.area);
  s.movement = text_of(data, "movement", s.movement);
  s.point_of = text_of(data, "point_of", s.point_of);
  if (auto it = data.find("security_content"); it != data.end() && it->is_boolean()) s.security_content = it->get<bool>();
  if (auto it = data.find("teams"); it != data.end() && it->is_number_integer()) s.teams = it->get<std::int64_t>();
  if (auto it = data.find("members"); it != data.end()) s.members = *it;
}

}  // namespace

bool begins_subject(std::string_view kind) {
  return kind == "survey.plan-approved" || kind == "model.proposed" || kind == "model.recognized" ||
         kind == "exemplar.surveyed";
}

bool is_exemplar_act(std::string_view kind) { return kind.starts_with("exemplar."); }

std::string point_origin_of_id(std::string_view subject) {
  auto slash = subject.rfind("/P");
  if (slash == std::string_view::npos || slash == 0 || slash + 2 == subject.size()) return {};
  for (char c : subject.substr(slash + 2))
    if (c < '0' || c > '9') return {};
  return std::string(subject.substr(0, slash));
}

namespace {
std::vector<std::string> ids_of(const json& list, const char* key) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const auto& x : list) {
    if (x.is_string()) out.push_back(x.get<std::string>());
    else if (x.is_object() && x.contains(key) && x[key].is_string()) out.push_back(x[key].get<std::string>());
  }
  return out;
}
}  // namespace

std::uint64_t SubjectState::founding_seq() const {
  for (const char* k : {"model.established", "model.recognized", "exemplar.recognized"})
    if (auto it = acts.find(k); it != acts.end()) return it->second.seq;
  return entries.empty() ? 0 : entries.front();
}

std::optional<std::pair<int, SubjectRating>> SubjectState::latest_rating() const {
  if (ratings.empty()) return std::nullopt;
  return *ratings.rbegin();
}

SubjectState carried_over(const ledger::Act& act, std::uint64_t seq) {
  const json& d = act.data;
  const auto record = d.find("record");
  SubjectState s = (record == d.end() ? std::nullopt : SubjectState::from_json(*record)).value_or(SubjectState{});
  const std::string part = text_of(d, "part", "");
  s.carried_from = part + "." + text_of(d, "from", s.id);
  s.id = act.subject;
  s.authority = act.authority;
  s.point_of = text_of(d, "point_of", "");
  s.points.clear();
  for (auto& m : s.merged_from) m = part + "." + m;
  for (auto& [year, rating] : s.ratings) rating.seq = seq;
  for (auto& [kind, ref] : s.acts) ref.seq = seq;
  s.acts[act.act] = {act.date, seq};
  s.entries = {seq};
  s.last_date = std::max(s.last_date, act.date);
  return s;
}

SubjectState apply_act(std::optional<SubjectState> before, const ledger::Act& act, std::uint64_t seq,
                       const std::vector<SubjectState>& absorbed) {
  if (act.act == ledger::kSubjectCarriedOver) return carried_over(act, seq);
  SubjectState s;
  if (before) {
    s = std::move(*before);
  } else {
    s.id = act.subject;
    s.kind = is_exemplar_act(act.act) ? "exemplar" : "model";
    s.stage = "surveying";
    s.point_of = point_origin_of_id(act.subject);
  }
  s.entries.push_back(seq);
  s.acts[act.act] = {act.date, seq};
  s.last_date = std::max(s.last_date, act.date);
  const json& data = act.data;
  const std::string& k = act.act;

  if (k == "model.proposed") {
    if (s.stage == "surveying") s.stage = "proposed";
    take_description(s, data);
  } else if (k == "model.established" || k == "model.recognized") {
    s.stage = "established";
    take_description(s, data);
    s.authority = act.authority;
    s.founded = act.date;
  } else if (k == "model.regulations-issued") {
    if (auto it = data.find("security_content"); it != data.end() && it->is_boolean()) s.security_content = it->get<bool>();
  } else if (k == "model.launched") {
    if (s.stage == "established") s.stage = "active";
  } else if (k == "model.rated") {
    s.ratings[data.value("year", 0)] = {data.value("level", ""), act.date, seq};
  } else if (k == "model.reorganized") {
    if (auto it = data.find("teams"); it != data.end() && it->is_number_integer()) s.teams = it->get<std::int64_t>();
    if (auto it = data.find("members"); it != data.end()) s.members = *it;
  } else if (k == "model.merged") {
    // The merged subjects close; this one continues with their teams (domain.md §4; Hòa Bình §III.3).
    for (const SubjectState& a : absorbed) {
      s.teams += a.teams;
      s.merged_from.push_back(a.id);
    }
    s.name = text_of(data, "name", s.name);
  } else if (k == "model.terminated") {
    s.stage = "terminated";
  } else if (k == "exemplar.surveyed") {
    s.name = text_of(data, "holder", s.name);
    s.type = text_of(data, "holder_kind", s.type);
    s.area = text_of(data, "area", s.area);
  } else if (k == "exemplar.criteria-set") {
    s.criteria = ids_of(data.value("criteria", json::array()), "id");
  } else if (k == "exemplar.evaluated") {
    s.met = ids_of(data.value("met", json::array()), "id");
  } else if (k == "exemplar.plan-issued") {
    if (s.stage == "surveying") s.stage = "building";
  } else if (k == "exemplar.recognized") {
    s.stage = "recognized";
    s.authority = act.authority;
    s.founded = act.date;
  } else if (k == "exemplar.ended") {
    s.stage = "ended";
  }
  if (s.kind == "model" && !s.point_of.empty()) s.kind = "point";
  return s;
}

SubjectState merged_into(SubjectState absorbed, const std::string& into, const std::string& date, std::uint64_t seq) {
  absorbed.stage = "merged";
  absorbed.merged_into = into;
  absorbed.entries.push_back(seq);
  absorbed.acts["model.merged"] = {date, seq};
  absorbed.last_date = std::max(absorbed.last_date, date);
  return absorbed;
}

json SubjectState::to_json() const {
  json r = json::object();
  for (const auto& [year, rating] : ratings)
    r[std::to_string(year)] = {{"level", rating.level}, {"date", rating.date}, {"seq", rating.seq}};
  json a = json::object();
  for (const auto& [kind, ref] : acts) a[kind] = {{"date", ref.date}, {"seq", ref.seq}};
  json j{{"id", id},
          {"kind", kind},
          {"stage", stage},
          {"name", name},
          {"type", type},
          {"area", area},
          {"movement", movement},
          {"security_content", security_content},
          {"point_of", point_of},
          {"authority", {{"level", authority.level}, {"unit", authority.unit}}},
          {"founded", founded},
          {"teams", teams},
          {"members", members},
          {"ratings", r},
          {"points", points},
          {"merged_from", merged_from},
          {"merged_into", merged_into},
          {"criteria", criteria},
          {"met", met},
          {"entries", entries},
          {"acts", a},
          {"last_date", last_date}};
  if (!carried_from.empty()) j["carried_from"] = carried_from;  // absent otherwise: older states keep their bytes
  return j;
}

namespace {

// The position of the first byte at or after `from` that a JSON string must escape (a control character, quote or
// backslash), or s.size(). Eight bytes at a time: a byte below 0x20, or equal to '"' or '\\', sets the high bit of
// its lane in `found` (the exact tests of "Bit Twiddling Hacks"), and only then are the bytes looked at one by one.
std::size_t next_to_escape(std::string_view s, std::size_t from) {
  constexpr std::uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
  for (; from + 8 <= s.size(); from += 8) {
    std::uint64_t x;
    std::memcpy(&x, s.data() + from, 8);
    const std::uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    const std::uint64_t found =
        ((x - kOnes * 0x20) & ~x) | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
    if (found & kHighs) break;
  }
  for (; from < s.size(); ++from) {
    const auto c = static_cast<unsigned char>(s[from]);
    if (c < 0x20 || c == '"' || c == '\\') break;
  }
  return from;
}

// JSON written as nlohmann::json::dump() writes it, into a buffer that only grows (this thread's, in to_text). Each
// piece makes room for its largest form first, then writes without further checks.
class JsonOut {
 public:
  explicit JsonOut(std::string& buffer) : buf_(buffer) {}

  std::string text() const { return std::string(buf_.data(), used_); }

  void raw(char c) {
    room(1);
    buf_[used_++] = c;
  }
  void raw(std::string_view text) {
    room(text.size());
    std::memcpy(buf_.data() + used_, text.data(), text.size());
    used_ += text.size();
  }

  // A key of this file's own (a literal with nothing to escape), with the comma before it unless it is the first.
  template <std::size_t N>
  void key(const char (&literal)[N]) {
    room(N + 3);
    comma();
    buf_[used_++] = '"';
    std::memcpy(buf_.data() + used_, literal, N - 1);
    used_ += N - 1;
    buf_[used_++] = '"';
    buf_[used_++] = ':';
  }
  // A key from data (an act kind, a year, a key of members), escaped as any text.
  void key(std::string_view k) {
    room(1);
    comma();
    quoted(k);
    raw(':');
  }

  // A JSON string: UTF-8 kept, quote, backslash and control characters escaped.
  void quoted(std::string_view s) {
    room(2 + 6 * s.size());  // every byte escaped as \u00XX at most
    char* out = buf_.data() + used_;
    *out++ = '"';
    for (std::size_t run = 0;;) {
      const std::size_t at = next_to_escape(s, run);
      if (at > run) std::memcpy(out, s.data() + run, at - run);
      out += at - run;
      if (at == s.size()) break;
      run = at + 1;
      *out++ = '\\';
      switch (const auto c = static_cast<unsigned char>(s[at])) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          *out++ = 'u';
          *out++ = '0';
          *out++ = '0';
          *out++ = kHex[c >> 4];
          *out++ = kHex[c & 15];
        }
      }
    }
    *out++ = '"';
    used_ = static_cast<std::size_t>(out - buf_.data());
  }

  // An integer as dump() writes it.
  template <class Integer>
  void number(Integer n) {
    room(24);
    auto [end, ec] = std::to_chars(buf_.data() + used_, buf_.data() + used_ + 24, n);
    used_ = static_cast<std::size_t>(end - buf_.data());
  }

  void text_list(const std::vector<std::string>& v) {
    raw('[');
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) raw(',');
      quoted(v[i]);
    }
    raw(']');
  }

  // Any JSON value. dump() itself builds a serializer with a 512-byte indent string and buffer for every call, which
  // costs more than the small values written here (members is mostly null). Floating-point numbers, which members
  // never holds, go through dump() for its exact formatting.
  void value(const json& v) {
    switch (v.type()) {
      case json::value_t::null: raw("null"); return;
      case json::value_t::boolean: v.get<bool>() ? raw("true") : raw("false"); return;
      case json::value_t::string: quoted(v.get_ref<const std::string&>()); return;
      case json::value_t::number_integer: number(v.get<std::int64_t>()); return;
      case json::value_t::number_unsigned: number(v.get<std::uint64_t>()); return;
      case json::value_t::array:
        raw('[');
        for (std::size_t i = 0; i < v.size(); ++i) {
          if (i) raw(',');
          value(v[i]);
        }
        raw(']');
        return;
      case json::value_t::object:
        raw('{');
        for (const auto& [k, item] : v.items()) {
          key(k);
          value(item);
        }
        raw('}');
        return;
      default: raw(v.dump());
    }
  }

 private:
  void room(std::size_t bytes) {
    if (used_ + bytes > buf_.size()) buf_.resize(std::max(used_ + bytes, 2 * buf_.size()));
  }
  void comma() {
    if (used_ > 0 && buf_[used_ - 1] != '{') buf_[used_++] = ',';  // room() made space for it
  }

  std::string& buf_;
  std::size_t used_ = 0;
};

}  // namespace

std::string SubjectState::to_text() const {
  // Written in this thread's buffer, then copied out at its exact size: the replay of verify and rebuild keeps a
  // text per subject, and a string grown or reserved as it is written holds a quarter more than its text.
  thread_local std::string buffer;
  JsonOut out(buffer);
  auto field = [&](const auto& k, std::string_view v) {
    out.key(k);
    out.quoted(v);
  };
  out.raw('{');
  out.key("acts");
  out.raw('{');
  for (const auto& [kind, ref] : acts) {
    out.key(std::string_view(kind));
    out.raw('{');
    field("date", ref.date);
    out.key("seq");
    out.number(ref.seq);
    out.raw('}');
  }
  out.raw('}');
  field("area", area);
  out.key("authority");
  out.raw('{');
  field("level", authority.level);
  field("unit", authority.unit);
  out.raw('}');
  if (!carried_from.empty()) field("carried_from", carried_from);
  out.key("criteria");
  out.text_list(criteria);
  out.key("entries");
  out.raw('[');
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) out.raw(',');
    out.number(entries[i]);
  }
  out.raw(']');
  field("founded", founded);
  field("id", id);
  field("kind", kind);
  field("last_date", last_date);
  out.key("members");
  out.value(members);
  out.key("merged_from");
  out.text_list(merged_from);
  field("merged_into", merged_into);
  out.key("met");
  out.text_list(met);
  field("movement", movement);
  field("name", name);
  field("point_of", point_of);
  out.key("points");
  out.text_list(points);
  out.key("ratings");
  out.raw('{');
  for (const auto& [year, r] : ratings) {
    char digits[12];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, year);
    out.key(std::string_view(digits, static_cast<std::size_t>(end - digits)));
    out.raw('{');
    field("date", r.date);
    field("level", r.level);
    out.key("seq");
    out.number(r.seq);
    out.raw('}');
  }
  out.raw('}');
  out.key("security_content");
  security_content ? out.raw("true") : out.raw("false");
  field("stage", stage);
  out.key("teams");
  out.number(teams);
  field("type", type);
  out.raw('}');
  return out.text();
}

std::optional<SubjectState> SubjectState::from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    SubjectState s;
    s.id = j.at("id").get<std::string>();
    s.kind = j.at("kind").get<std::string>();
    s.stage = j.at("stage").get<std::string>();
    s.name = j.at("name").get<std::string>();
    s.type = j.at("type").get<std::string>();
    s.area = j.at("area").get<std::string>();
    s.movement = j.at("movement").get<std::string>();
    s.security_content = j.at("security_content").get<bool>();
    s.point_of = j.at("point_of").get<std::string>();
    s.authority.level = j.at("authority").at("level").get<std::string>();
    s.authority.unit = j.at("authority").at("unit").get<std::string>();
    s.founded = j.at("founded").get<std::string>();
    s.teams = j.at("teams").get<std::int64_t>();
    s.members = j.at("members");
    for (const auto& [year, r] : j.at("ratings").items())
      s.ratings[std::stoi(year)] = {r.at("level").get<std::string>(), r.at("date").get<std::string>(),
                                    r.at("seq").get<std::uint64_t>()};
    s.points = j.at("points").get<std::vector<std::string>>();
    s.merged_from = j.at("merged_from").get<std::vector<std::string>>();
    s.merged_into = j.at("merged_into").get<std::string>();
    s.criteria = j.at("criteria").get<std::vector<std::string>>();
    s.met = j.at("met").get<std::vector<std::string>>();
    s.entries = j.at("entries").get<std::vector<std::uint64_t>>();
    for (const auto& [kind, ref] : j.at("acts").items())
      s.acts[kind] = {ref.at("date").get<std::string>(), ref.at("seq").get<std::uint64_t>()};
    s.last_date = j.at("last_date").get<std::string>();
    if (auto it = j.find("carried_from"); it != j.end()) s.carried_from = it->get<std::string>();
    return s;
  } catch (const std::exception&) {
    return std::nullopt;  // written only by to_json; `verify` compares the state with its replay
  }
}

}  // namespace antq::projections
