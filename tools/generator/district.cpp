#include "tools/generator/district.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <map>

#include <fmt/format.h>

#include "projections/admission.hpp"
#include "projections/lifecycle.hpp"
#include "projections/profile.hpp"
#include "projections/subject.hpp"

namespace antq::generator {
namespace {

using projections::RatingEvidence;

using nlohmann::json;
using Authority = ledger::Act::Authority;

// Days since 1970-01-01 from a civil date and back (H. Hinnant's algorithms, proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = static_cast<int>(y - era * 400);
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string civil(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = static_cast<int>(z - era * 146097);
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(era * 400 + yoe + (m <= 2)), m, d);
}

std::int64_t on(int y, int m, int d) { return days_from_civil(y, m, d); }

// SplitMix64: small, fast, and the same sequence on every platform (unlike the std distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::int64_t below(std::int64_t n) { return n <= 0 ? 0 : static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return below(100) < percent; }

 private:
  std::uint64_t s_;
};

struct Kind {
  const char* title;
  const char* symbol;  // of the document number, e.g. QĐ in 15/QĐ-UBND
};

const std::map<std::string, Kind, std::less<>> kKinds = {
    {"survey.plan-approved", {"Kế hoạch khảo sát tình hình an ninh, trật tự", "KH"}},
    {"survey.reported", {"Báo cáo kết quả khảo sát", "BC"}},
    {"model.proposed", {"Báo cáo đề xuất xây dựng mô hình", "BC"}},
    {"model.policy-issued", {"Nghị quyết của cấp ủy về xây dựng mô hình", "NQ"}},
    {"model.implementation-issued", {"Kế hoạch triển khai xây dựng mô hình", "KH"}},
    {"model.consulted", {"Biên bản lấy ý kiến về tổ chức, thành viên mô hình", "BB"}},
    {"model.established", {"Quyết định thành lập mô hình", "QĐ"}},
    {"model.regulations-issued", {"Quy chế hoạt động của mô hình", "QC"}},
    {"model.launched", {"Biên bản ra mắt mô hình", "BB"}},
    {"model.plan-issued", {"Kế hoạch hoạt động của mô hình", "KH"}},
    {"model.report-filed", {"Báo cáo kết quả hoạt động của mô hình", "BC"}},
    {"model.rating-proposed", {"Tờ trình đề nghị xếp loại mô hình", "TTr"}},
    {"model.rated", {"Quyết định công nhận mức xếp loại mô hình", "QĐ"}},
    {"model.rating-forwarded", {"Báo cáo kết quả xếp loại mô hình", "BC"}},
    {"model.replicated", {"Quyết định nhân rộng mô hình", "QĐ"}},
    {"model.announced", {"Thông báo phổ biến, nhân rộng mô hình", "TB"}},
    {"commendation.awarded", {"Quyết định tặng Giấy khen", "QĐ"}},
    {"model.merged", {"Quyết định sáp nhập mô hình", "QĐ"}},
    {"model.termination-reported", {"Báo cáo đề xuất kết thúc mô hình", "BC"}},
    {"model.termination-consulted", {"Biên bản lấy ý kiến kết thúc mô hình", "BB"}},
    {"model.terminated", {"Quyết định kết thúc mô hình", "QĐ"}},
    {"model.termination-announced", {"Thông báo kết thúc mô hình", "TB"}},
    {"exemplar.surveyed", {"Báo cáo khảo sát điển hình", "BC"}},
    {"exemplar.criteria-set", {"Bộ tiêu chí điển hình", "TC"}},
    {"exemplar.plan-issued", {"Kế hoạch xây dựng, bồi dưỡng điển hình", "KH"}},
    {"exemplar.self-assessed", {"Báo cáo tự đánh giá của điển hình", "BC"}},
    {"exemplar.evaluated", {"Báo cáo đánh giá kết quả hoạt động của điển hình", "BC"}},
    {"exemplar.recognized", {"Quyết định công nhận điển hình tiên tiến", "QĐ"}},
    {"exemplar.ended", {"Quyết định kết thúc xây dựng điển hình", "QĐ"}},
};

const char* const kCommunes[] = {"Lạc Thịnh", "Phú Lai", "Yên Trị", "Ngọc Lương", "Đoàn Kết",
                                 "Hữu Lợi",   "Đa Phúc", "Bảo Hiệu", "Lạc Lương", "Lạc Sỹ"};
constexpr std::size_t kCommuneCount = std::size(kCommunes);

struct ModelName {
  const char* name;
  const char* field;
  const char* movement = "antq";
  bool security_content = true;
};
const ModelName kNames[] = {
    {"Tổ dân cư tự quản về an ninh, trật tự", "residential"},
    {"Tổ liên gia an toàn phòng cháy, chữa cháy", "residential"},
    {"Camera an ninh", "residential"},
    {"Dòng họ không có người vi phạm pháp luật", "residential"},
    {"Tổ hòa giải ở cơ sở", "residential"},
    {"Cổng trường an toàn giao thông", "school"},
    {"Doanh nghiệp an toàn về an ninh, trật tự", "enterprise"},
    {"Tổ tự quản bến đò", "other"},
    {"Chợ an toàn về an ninh, trật tự", "other"},
    {"Cơ quan an toàn về an ninh, trật tự", "agency"},
    {"Tuyến đường xanh - sạch - đẹp", "residential", "antq", false},
    {"Dân vận khéo trong xây dựng khu dân cư", "residential", "dan-van-kheo", true},
};

class District {
 public:
  District(const Options& o, const projections::Profile& p, std::optional<std::int64_t> until,
           std::optional<std::int64_t> reorganise_on = std::nullopt)
      : o_(o), p_(p), rng_(o.seed), until_(until), reorganise_on_(reorganise_on) {
    district_ = {"district", "UBND huyện Yên Thủy"};
    province_ = {"province", kProvince};
    merged_ = {"commune", kReorganisedCommune};
    for (const char* c : kCommunes) communes_.push_back({"commune", fmt::format("UBND xã {}", c)});
    eligibility_ = p_.rating.eligibility_months.value_or(10);
    // Who rates, where the profile says it (rule rater): the steering committees of the district and of each commune
    // (Bắc Giang 004 §III.2 "Ban Chỉ đạo huyện, thành phố, Ban Chỉ đạo xã, phường, thị trấn").
    if (p_.rating.raters) {
      committees_.emplace(district_.unit, Authority{"district", "Ban Chỉ đạo huyện Yên Thủy"});
      for (const char* c : kCommunes)
        committees_.emplace(fmt::format("UBND xã {}", c), Authority{"commune", fmt::format("Ban Chỉ đạo xã {}", c)});
      // The new commune's committee, formed with it: it takes over the merged communes' and the district's.
      if (reorganise_on_) committees_.emplace(merged_.unit, Authority{"commune", kReorganisedCommittee});
    }
  }

  std::vector<GeneratedAct> run() {
    const int y0 = o_.first_year;
    if (!committees_.empty() || o_.registry || reorganise_on_) register_units(on(y0 - 2, 1, 5));
    if (reorganise_on_) reorganise(*reorganise_on_);
    // The model replicated to the villages: founded early, rated Good, replicated after its first rating.
    const std::string origin = id_of(1);
    Constraints good, steady, until_merge, none;
    good.always_good = true;
    steady.never_weak = true;
    until_merge.never_weak = true;
    Life life = model(origin, communes_[0], on(y0 - 1, 3, 1), kNames[0], "Xóm Đồng Bến, xã Lạc Thịnh", good);
    const std::int64_t replicated = on(y0, 11, 25);
    std::vector<std::string> areas;
    for (std::size_t i = 1; i <= o_.points; ++i)
      areas.push_back(fmt::format("Xóm {}, xã {}", i / kCommuneCount + 1, kCommunes[i % kCommuneCount]));
    if (o_.points > 0 && life.rated_good_by(replicated)) {
      emit(replicated, "model.replicated", origin, communes_[0], {{"areas", areas}});
      Constraints point;
      point.point_of = origin;
      for (std::size_t i = 1; i <= o_.points; ++i)
        model(fmt::format("{}/P{:03}", origin, i), communes_[i % kCommuneCount], on(y0, 12, 1) + rng_.below(75),
              kNames[0], areas[i - 1], point);
    }
    // Two models of one commune with the same members and goal, merged after their first rating (Hòa Bình §III.3).
    const std::int64_t merge_day = on(y0, 12, 15);
    const std::string keeper = id_of(2), merged = id_of(3);
    until_merge.until = merge_day;
    model(keeper, communes_[1], on(y0 - 1, 4, 1), kNames[1], "Thôn Phú Lợi, xã Phú Lai", steady);
    model(merged, communes_[1], on(y0 - 1, 4, 20), kNames[1], "Thôn Phú Thành, xã Phú Lai", until_merge);
    emit(merge_day, "model.merged", keeper, communes_[1],
         {{"from", {merged}}, {"name", fmt::format("{} (sáp nhập)", kNames[1].name)}});
    // The others: commune and district models founded over the years.
    const std::int64_t first = on(y0 - 2, 3, 1), span = on(y0 + o_.years - 1, 3, 1) - first;
    for (std::size_t i = 4; i <= o_.models; ++i) {
      const Authority& unit = i % 5 == 0 ? district_ : communes_[i % kCommuneCount];
      const ModelName& name = kNames[i % std::size(kNames)];
      const std::string area = unit.level == "district" ? "Huyện Yên Thủy" : fmt::format("Thôn {}, {}", i, unit.unit.substr(5));
      model(id_of(i), unit, first + rng_.below(span), name, area, none);
    }
    if (p_.exemplar)
      for (std::size_t i = 1; i <= o_.exemplars; ++i)
        exemplar(fmt::format("{}-E{:02}", o_.prefix, i), i % 3 == 0 ? district_ : communes_[i % kCommuneCount],
                 on(y0 - 1, 1, 10) + rng_.below(500));
    std::stable_sort(out_.begin(), out_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<GeneratedAct> acts;
    acts.reserve(out_.size());
    // Cutting at a day keeps a prefix of every subject's chain, so what is left is as lawful as the whole.
    for (auto& [day, act] : out_)
      if (!until_ || day <= *until_) acts.push_back(std::move(act));
    return acts;
  }

  std::vector<Authority> units() const {
    std::vector<Authority> u{district_};
    u.insert(u.end(), communes_.begin(), communes_.end());
    if (!committees_.empty()) {
      u.push_back(committees_.at(district_.unit));
      for (const Authority& c : communes_) u.push_back(committees_.at(c.unit));
      if (reorganise_on_) u.push_back(committees_.at(merged_.unit));
    }
    if (reorganise_on_) u.push_back(merged_);
    return u;
  }

  std::vector<SigningUnit> signing_units() const {
    std::vector<SigningUnit> out;
    for (const Authority& a : units()) {
      SigningUnit s{a, "2020-01-01", "", ""};
      if (reorganise_on_) {
        if (a.unit == merged_.unit || a.unit == kReorganisedCommittee) s.from = civil(*reorganise_on_);
        else if (ceases(a)) {
          s.ceases = civil(*reorganise_on_);
          s.successor = successor(a).unit;
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  struct Constraints {
    bool always_good = false;
    bool never_weak = false;
    std::int64_t until = 0;  // no act on or after this day (0: none)
    std::string point_of;
  };
  struct Life {
    std::map<std::int64_t, std::string> ratings;  // decision day -> level
    bool rated_good_by(std::int64_t day) const {
      auto it = ratings.upper_bound(day);
      return it != ratings.begin() && std::prev(it)->second == "good";
    }
  };

  // A lapse happens (never when lapses_pct is 0: the random sequence, and so the acts, stay those of a model
  // district).
  bool lapse() { return o_.lapses_pct > 0 && rng_.chance(o_.lapses_pct); }

  std::string id_of(std::size_t i) const { return fmt::format("{}-M{:02}", o_.prefix, i); }

  // The communes merged in the reorganisation: the last two (Lạc Lương, Lạc Sỹ). Not the first two, whose names
  // the tests of the demo's queries and scopes read as units that stand today.
  const Authority& merged_commune(std::size_t i) const { return communes_[kCommuneCount - 2 + i]; }

  // Whether `unit` ceases in the reorganisation: the district and the two merged communes, and their steering
  // committees where the profile names who rates.
  bool ceases(const Authority& unit) const {
    for (const Authority* u : {&district_, &merged_commune(0), &merged_commune(1)}) {
      if (unit.unit == u->unit) return true;
      if (auto c = committees_.find(u->unit); c != committees_.end() && c->second.unit == unit.unit) return true;
    }
    return false;
  }
  // The unit that takes over from a ceased one: the new commune, or for a steering committee, the new commune's.
  const Authority& successor(const Authority& unit) const {
    const auto c = committees_.find(merged_.unit);
    const bool committee = std::any_of(committees_.begin(), committees_.end(),
                                       [&](const auto& kv) { return kv.second.unit == unit.unit; });
    return c != committees_.end() && committee ? c->second : merged_;
  }

  // The unit that decides on `day` for what `unit` founded: `unit`, or from the reorganisation on, the unit that
  // took over from a ceased one (docs/rules.md: competence follows the succession, bindings lapse).
  const Authority& competent(const Authority& unit, std::int64_t day) const {
    return reorganise_on_ && day >= *reorganise_on_ && ceases(unit) ? successor(unit) : unit;
  }

  void emit(std::int64_t day, const std::string& kind, const std::string& subject, const Authority& founder, json data) {
    const Authority& unit = competent(founder, day);
    const Kind& k = kKinds.at(kind);
    const int year = std::stoi(civil(day).substr(0, 4));
    const int n = ++numbers_[{unit.unit, year}];
    json act{{"act", kind},
             {"subject", subject},
             {"date", civil(day)},
             {"document", {{"number", fmt::format("{}/{}-UBND", n, k.symbol)}, {"title", k.title}, {"issuer", unit.unit}}},
             {"authority", {{"level", unit.level}, {"unit", unit.unit}}},
             {"data", std::move(data)}};
    out_.push_back({day, GeneratedAct{std::move(act), projections::is_decision_act(kind), {}, false}});
  }

  // The unit registry the raters need (rule rater): the district, its steering committee, each commune under the
  // district and each commune's committee under its commune — so that a committee's area (the highest unit of its
  // level above it) is its own commune, or the district. Registered by the administrator, in the hierarchy from
  // 2020-01-01 (when the units' certificates are bound).
  void register_units(std::int64_t day) {
    auto registered = [&](const Authority& unit, const std::string& kind, const std::string& parent,
                          const std::string& from = "2020-01-01") {
      json data{{"name", unit.unit}, {"level", unit.level}, {"kind", kind}, {"from", from}};
      if (!parent.empty()) data["parent"] = parent;
      json act{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", civil(day)}, {"data", std::move(data)}};
      out_.push_back({day, GeneratedAct{std::move(act), false, {}, true}});
    };
    const bool hierarchy = o_.registry || reorganise_on_;
    if (hierarchy) registered(province_, "people-committee", "");
    registered(district_, "people-committee", hierarchy ? province_.unit : "");
    if (!committees_.empty()) registered(committees_.at(district_.unit), "steering-committee", district_.unit);
    for (const Authority& c : communes_) {
      registered(c, "people-committee", district_.unit);
      if (!committees_.empty()) registered(committees_.at(c.unit), "steering-committee", c.unit);
    }
  }

  // The 2025 reorganisation (docs/rules.md): ten days before `effective`, the administrator registers the new
  // commune (under the province: the district goes) from that day, merges the last two communes into it and
  // abolishes the district, whose competence passes to it. Where the profile names who rates, the steering committees
  // follow: the new commune's is registered under it, the merged communes' are merged into it and the district's is
  // abolished, its competence passed to it.
  void reorganise(std::int64_t effective) {
    const std::int64_t day = effective - 10;
    auto act = [&](const std::string& kind, json data) {
      json a{{"act", kind}, {"subject", "ledger"}, {"date", civil(day)}, {"data", std::move(data)}};
      out_.push_back({day, GeneratedAct{std::move(a), false, {}, true}});
    };
    act("unit.registered", {{"name", merged_.unit}, {"level", merged_.level}, {"kind", "people-committee"},
                            {"parent", province_.unit}, {"from", civil(effective)}});
    act("unit.reorganised", {{"effective", civil(effective)}, {"kind", "merger"},
                             {"units", {merged_commune(0).unit, merged_commune(1).unit}}, {"successor", merged_.unit}});
    act("unit.reorganised", {{"effective", civil(effective)}, {"kind", "abolished"}, {"units", {district_.unit}},
                             {"successor", merged_.unit}});
    if (committees_.empty()) return;
    const Authority& committee = committees_.at(merged_.unit);
    act("unit.registered", {{"name", committee.unit}, {"level", committee.level}, {"kind", "steering-committee"},
                            {"parent", merged_.unit}, {"from", civil(effective)}});
    const json merged_committees = {committees_.at(merged_commune(0).unit).unit,
                                    committees_.at(merged_commune(1).unit).unit};
    act("unit.reorganised", {{"effective", civil(effective)}, {"kind", "merger"}, {"units", merged_committees},
                             {"successor", committee.unit}});
    act("unit.reorganised", {{"effective", civil(effective)}, {"kind", "abolished"},
                             {"units", {committees_.at(district_.unit).unit}}, {"successor", committee.unit}});
  }

  // Who decides a rating of a model founded by `unit`: the unit itself, or where the profile names who rates, the
  // steering committee of its area.
  const Authority& rater_of(const Authority& unit) const {
    auto it = committees_.find(unit.unit);
    return it == committees_.end() ? unit : it->second;
  }

  // Whether the dossier of `type` lists act `kind` among its required items.
  bool dossier_lists(const std::string& type, std::string_view kind) const {
    auto items = p_.model_dossier.find(type);
    if (items == p_.model_dossier.end()) return false;
    return std::any_of(items->second.begin(), items->second.end(), [&](const projections::DossierItem& i) {
      return !i.if_any && std::find(i.acts.begin(), i.acts.end(), kind) != i.acts.end();
    });
  }

  // The unit that announces or commends for a criterion accepting the levels `of`: the model's own unit when its
  // level is one of them, else the district (whose level every such criterion of the profiles accepts).
  const Authority& claim_unit(const Authority& unit, const std::vector<std::string>& of) const {
    return std::find(of.begin(), of.end(), unit.level) != of.end() ? unit : district_;
  }

  // The level of a yearly rating, and the data of the decision.
  json rating_data(int year, const std::string& type, const Constraints& c) {
    static const char* const levels[] = {"good", "fair", "average", "weak"};
    std::string level = levels[rng_.below(100) < 35 ? 0 : rng_.below(100) < 55 ? 1 : rng_.below(100) < 70 ? 2 : 3];
    if (c.always_good) level = "good";
    if (c.never_weak && level == "weak") level = "average";
    json d{{"year", year}, {"level", level}};
    if (p_.rating.basis == "percentage") {
      int low = 0, high = 100;
      for (std::size_t i = 0; i < p_.rating.bands.size(); ++i)
        if (p_.rating.bands[i].level == level) {
          low = p_.rating.bands[i].min_pct;
          high = i == 0 ? 101 : p_.rating.bands[i - 1].min_pct;
        }
      d["targets_met_pct"] = low + rng_.below(high - low);
      if (low > 0 && lapse()) d["targets_met_pct"] = low - 1 - rng_.below(5);  // a band below the level decided
    } else if (auto lv = p_.rating.criteria.find(level); lv != p_.rating.criteria.end()) {
      auto rule = lv->second.find(type);
      if (rule != lv->second.end()) {
        std::vector<std::string> met = rule->second.all;
        if (!rule->second.one_of.empty()) met.push_back(rule->second.one_of[rng_.below(static_cast<std::int64_t>(rule->second.one_of.size()))]);
        d["criteria"] = met;
      }
    }
    return d;
  }

  // A model (or a point) from its first step to its end or the last evaluation year.
  Life model(const std::string& id, const Authority& unit, std::int64_t start, const ModelName& name,
             const std::string& area, const Constraints& c) {
    Life life;
    const std::string type = "self-managed";
    std::int64_t t = start;
    auto act = [&](std::int64_t day, const std::string& kind, json data = json::object(), const Authority* by = nullptr) {
      if (c.until && day >= c.until) return false;
      emit(day, kind, id, by ? *by : unit, std::move(data));
      return true;
    };
    std::vector<std::string> steps;
    if (auto it = p_.establishment_requires.find(type); it != p_.establishment_requires.end()) steps = it->second;
    if (steps.empty() || !projections::begins_subject(steps.front())) steps.insert(steps.begin(), "model.proposed");
    json description{{"name", name.name}, {"type", type}, {"area", area}};
    if (std::string(name.movement) != "antq") description["movement"] = name.movement;
    if (!name.security_content) description["security_content"] = false;
    if (!c.point_of.empty()) description["point_of"] = c.point_of;
    for (const auto& k : steps) {
      json data = json::object();
      if (k == "survey.plan-approved") data = {{"purpose", fmt::format("Khảo sát tình hình an ninh, trật tự tại {}", area)}};
      else if (k == "survey.reported") data = {{"findings", "Cần xây dựng mô hình tự quản"}};
      else if (k == "model.proposed") {
        data = description;
        data["field"] = name.field;
      }
      if (!act(t, k, std::move(data))) return life;
      t += 7 + rng_.below(10);
    }
    json established = description;
    established["teams"] = 1 + rng_.below(c.point_of.empty() ? 8 : 12);
    established["members"] = 8 + rng_.below(40);
    const std::int64_t founded = t;
    if (!act(t, "model.established", established)) return life;
    // Where the criteria claim a complete dossier (rating_evidence), the party resolution and the directing plan its
    // first items list go with the establishment decision (Bắc Giang 004 §II.1.1.3, §II.1.4(1)-(2)).
    if (p_.rating_evidence && !p_.rating_evidence->dossier.empty())
      for (const char* k : {"model.policy-issued", "model.implementation-issued"})
        if (dossier_lists(type, k) && std::find(steps.begin(), steps.end(), k) == steps.end() &&
            !act(t, k, {{"summary", kKinds.at(k).title}}))
          return life;
    t += 5 + rng_.below(10);
    bool skip_regulations = name.security_content && lapse();
    if (!skip_regulations &&
        !act(t, "model.regulations-issued", {{"covers", {"board", "model"}}, {"security_content", name.security_content}}))
      return life;
    t += 3 + rng_.below(10);
    if (!act(t, "model.launched")) return life;
    for (int y = o_.first_year; y < o_.first_year + o_.years; ++y) {
      const std::int64_t closes = on(y, 10, 31);
      if (std::max(t + 3, on(y - 1, 11, 20)) > closes) continue;  // founded too late for this year's plan
      t = std::max(t + 3, on(y - 1, 11, 20));
      if (!act(t, "model.plan-issued", {{"year", y}, {"targets", 6 + rng_.below(10)}})) return life;
      if (t < on(y, 5, 10) && !lapse()) {
        t = on(y, 5, 10);
        if (!act(t, "model.report-filed", {{"period", fmt::format("{}-H1", y)}, {"targets_met", rng_.below(6)}})) return life;
      }
      t = on(y, 11, 1);
      if (!act(t, "model.report-filed", {{"period", std::to_string(y)}, {"targets_met", 3 + rng_.below(10)}})) return life;
      if (o_.attachments && !out_.empty() && !lapse()) attach_review(out_.back().second, id, y);
      if (projections::full_months(civil(founded), civil(on(y, 11, 8))) < eligibility_) continue;
      json rating = rating_data(y, type, c);
      if (p_.rating_evidence) {
        // What the criteria named claim must be in the chain (rule rating-criteria): a dossier without its
        // regulations is Weak (BG.W1), unless the model may not be Weak, which then issues them late; an
        // announcement or a commendation criterion comes after the announcement or the commendation.
        const RatingEvidence& ev = *p_.rating_evidence;
        if (skip_regulations && rating["level"] != "weak") {
          if (c.always_good || c.never_weak) {
            if (!act(on(y, 11, 2), "model.regulations-issued", {{"covers", {"board", "model"}}, {"security_content", true}}))
              return life;
            skip_regulations = false;
          } else if (auto weak = p_.rating.criteria.find("weak"); weak != p_.rating.criteria.end() && weak->second.contains(type)) {
            const auto& w = weak->second.at(type);
            rating["level"] = "weak";
            rating["criteria"] = w.one_of.empty() ? w.all : std::vector<std::string>{w.one_of.front()};
          }
        }
        for (const auto& id : rating.value("criteria", std::vector<std::string>{})) {
          for (const auto& cl : ev.announced)
            if (cl.criterion == id) {
              const Authority& by = claim_unit(unit, cl.of);
              if (!act(on(y, 11, 2), "model.announced", {{"scope", by.level}, {"by", by.unit}}, &by)) return life;
            }
          for (const auto& cl : ev.commended)
            if (cl.criterion == id) {
              const Authority& by = claim_unit(unit, cl.of);
              if (!act(on(y, 11, 2), "commendation.awarded",
                       {{"form", "giay-khen"}, {"level", by.level}, {"to", "model"}, {"year", y}}, &by))
                return life;
            }
        }
      }
      const std::string level = rating["level"];
      t = on(y, 11, 3);
      if (!act(t, "model.rating-proposed", rating)) return life;
      const bool late = lapse();  // decided on the 18th, forwarded on the 22nd: after the deadlines
      t = on(y, 11, late ? 18 : 8);
      if (!act(t, "model.rated", rating, &rater_of(competent(unit, t)))) return life;
      life.ratings[t] = level;
      t = on(y, 11, late ? 22 : 12);
      // After the reorganisation the district's police is gone: the results go to the province's.
      if (!act(t, "model.rating-forwarded",
               {{"year", y}, {"to", reorganise_on_ && t >= *reorganise_on_ ? "Công an tỉnh Hòa Bình" : "Công an huyện Yên Thủy"}}))
        return life;
      if (level != "weak") continue;
      if (lapse()) {
        // Kept going, never ended: its plan for the next year is what an auditor finds (weak-not-terminated; the
        // seeds set no time limit, so the finding needs such evidence).
        act(std::max(t + 3, on(y, 11, 20)), "model.plan-issued", {{"year", y + 1}, {"targets", 6}});
        return life;
      }
      // A Weak model is ended in the profile's steps, by the level that established it (Hòa Bình §III.3).
      t = std::max(t + 3, on(y, 11, 20));
      for (const auto& k : p_.termination_requires) {
        if (!act(t, k, {{"reason", "Mô hình hoạt động yếu, không còn phù hợp"}})) return life;
        t += 5;
      }
      t = std::max(t, on(y, 12, 5));
      if (!act(t, "model.terminated", {{"reason", "Mô hình hoạt động yếu"}})) return life;
      act(t + 5, "model.termination-announced", {{"reason", "Thông báo kết thúc mô hình"}});
      return life;
    }
    return life;
  }

  // The yearly report's evidence of effectiveness (item 11) and the review report (item 15), as text files.
  static void attach_review(GeneratedAct& report, const std::string& id, int year) {
    std::string name = fmt::format("{}-{}", id, year);  // a point's id has a slash
    std::replace(name.begin(), name.end(), '/', '-');
    json attachments = json::array();
    for (const auto& [item, what] : {std::pair{"11", "Tài liệu chứng minh hiệu quả hoạt động"},
                                     std::pair{"15", "Báo cáo tổng kết hoạt động"}}) {
      const std::string path = fmt::format("files/{}-item{}.txt", name, item);
      report.files.emplace_back(path, fmt::format("{} của mô hình {} năm {} (demo)\n", what, id, year));
      attachments.push_back({{"item", item}, {"path", path}, {"media_type", "text/plain"}});
    }
    report.act["attachments"] = std::move(attachments);
  }

  // An exemplar: survey, criteria, plan, self-assessment and evaluation within the year, then recognition or end,
  // and a yearly re-evaluation (Hòa Bình §IV).
  void exemplar(const std::string& id, const Authority& unit, std::int64_t start) {
    const bool collective = rng_.chance(60);
    // An individual's name is personal data: it goes into the exemplar's file (item E1), which a disposal can erase,
    // not into the act's data, which the log keeps for ever.
    const std::string person = fmt::format("Ông Nguyễn Văn {}", static_cast<char>('A' + rng_.below(26)));
    json surveyed{{"holder_kind", collective ? "collective" : "individual"}, {"area", unit.unit.substr(5)}};
    if (collective) surveyed["holder"] = fmt::format("Tổ tự quản số {}", rng_.below(20) + 1);
    emit(start, "exemplar.surveyed", id, unit, std::move(surveyed));
    if (!collective && o_.attachments) {
      GeneratedAct& g = out_.back().second;
      const std::string path = fmt::format("files/{}-E1.txt", id);
      g.files.emplace_back(path, fmt::format("Hồ sơ điển hình {}: cá nhân {} (demo)\n", id, person));
      g.act["attachments"] = json::array({{{"item", "E1"}, {"path", path}, {"media_type", "text/plain"}}});
    }
    json criteria = json::array();
    for (int i = 1; i <= 5; ++i) criteria.push_back({{"id", fmt::format("C{}", i)}, {"text", fmt::format("Tiêu chí {}", i)}});
    emit(start + 10, "exemplar.criteria-set", id, unit, {{"criteria", criteria}, {"scope", "comprehensive"}});
    const std::int64_t plan = start + 20;
    emit(plan, "exemplar.plan-issued", id, unit, json::object());
    auto met = [&] {
      json m = json::array();
      for (int i = 1; i <= 5; ++i)
        if (rng_.chance(80)) m.push_back(fmt::format("C{}", i));
      return m;
    };
    const int keep = p_.exemplar->keep_threshold_pct;
    auto enough = [&](const json& m) { return static_cast<int>(m.size()) * 100 >= keep * 5; };
    std::int64_t t = plan + (lapse() ? 380 : 200) + rng_.below(100);
    emit(t, "exemplar.self-assessed", id, unit, {{"met", met()}});
    json evaluated = met();
    emit(t + 10, "exemplar.evaluated", id, unit, {{"met", evaluated}});
    t += 20;
    if (!enough(evaluated)) {
      emit(t, "exemplar.ended", id, unit, {{"reason", "Chưa đạt các tiêu chí đề ra"}});
      return;
    }
    emit(t, "exemplar.recognized", id, unit, {{"level", competent(unit, t).level}});
    json again = met();
    emit(t + 365, "exemplar.evaluated", id, unit, {{"met", again}});
    if (!enough(again)) emit(t + 375, "exemplar.ended", id, unit, {{"reason", "Hoàn thành dưới 70% các tiêu chí"}});
  }

  const Options& o_;
  const projections::Profile& p_;
  Rng rng_;
  std::optional<std::int64_t> until_;
  std::optional<std::int64_t> reorganise_on_;  // Options::reorganise_on
  int eligibility_ = 10;
  Authority district_, province_, merged_;  // merged_: the commune formed on reorganise_on_
  std::vector<Authority> communes_;
  std::map<std::string, Authority> committees_;  // a unit -> the steering committee rating its models (rule rater)
  std::map<std::pair<std::string, int>, int> numbers_;  // (unit, year) -> last document number
  std::vector<std::pair<std::int64_t, GeneratedAct>> out_;
};


// A day of the options ("" for none); bad_input naming the option when it is not a date YYYY-MM-DD.
Result<std::optional<std::int64_t>> day_of(const std::string& text, const char* option) {
  if (text.empty()) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || text.size() != 10 || civil(on(y, m, d)) != text)
    return bad_input(fmt::format("generator: {} {} is not a date YYYY-MM-DD", option, text));
  return on(y, m, d);
}

}  // namespace

std::vector<ledger::Act::Authority> units(const Options& options) {
  auto profile = projections::builtin_profile(options.profile);
  if (!profile) return {};
  auto reorganise_on = day_of(options.reorganise_on, "reorganise_on");
  if (!reorganise_on) return {};
  return District(options, **profile, std::nullopt, *reorganise_on).units();
}

std::vector<SigningUnit> signing_units(const Options& options) {
  auto profile = projections::builtin_profile(options.profile);
  if (!profile) return {};
  auto reorganise_on = day_of(options.reorganise_on, "reorganise_on");
  if (!reorganise_on) return {};
  return District(options, **profile, std::nullopt, *reorganise_on).signing_units();
}

Result<std::vector<GeneratedAct>> district(const Options& options) {
  auto profile = projections::builtin_profile(options.profile);
  if (!profile) return std::unexpected(profile.error());
  auto until = day_of(options.until, "until");
  if (!until) return std::unexpected(until.error());
  auto reorganise_on = day_of(options.reorganise_on, "reorganise_on");
  if (!reorganise_on) return std::unexpected(reorganise_on.error());
  return District(options, **profile, *until, *reorganise_on).run();
}

}  // namespace antq::generator
