// A ledger of Hòa Bình around the 2025 reorganisation of units (issue 21 point 8), shared by the projection and
// CLI tests of unit.reorganised: the province, the district Yên Thủy, its communes Phú Lai and Yên Trị, and the
// commune Yên Phú that merges them from 2025-07-01 (the district's competence passes to it too).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "projections/admission.hpp"
#include "support.hpp"

namespace antq::test::reorg {

using nlohmann::json;
using projections::is_decision_act;

inline const json kProvince = {{"level", "province"}, {"unit", "UBND tỉnh Hòa Bình"}};
inline const json kDistrict = {{"level", "district"}, {"unit", "UBND huyện Yên Thủy"}};
inline const json kPhuLai = {{"level", "commune"}, {"unit", "UBND xã Phú Lai"}};
inline const json kYenTri = {{"level", "commune"}, {"unit", "UBND xã Yên Trị"}};
inline const json kMerged = {{"level", "commune"}, {"unit", "UBND xã Yên Phú"}};  // Phú Lai and Yên Trị merged

inline json unit_act(const std::string& name, const std::string& level, const std::string& parent,
              const std::string& from = "2020-01-01") {
  json data = {{"name", name}, {"level", level}, {"kind", "people-committee"}, {"from", from}};
  if (!parent.empty()) data["parent"] = parent;
  return json{{"act", "unit.registered"}, {"subject", "ledger"}, {"date", "2025-06-02"}, {"data", std::move(data)}};
}

// unit.reorganised as the administrator signs it (dated before the day it takes effect).
inline json reorganised(const std::string& kind, const std::vector<std::string>& units, const std::string& successor,
                 const json& subjects = nullptr, const std::string& effective = "2025-07-01") {
  json data = {{"effective", effective}, {"kind", kind}, {"units", units}, {"successor", successor}};
  if (!subjects.is_null()) data["subjects"] = subjects;
  return json{{"act", "unit.reorganised"}, {"subject", "ledger"}, {"date", "2025-06-20"}, {"data", std::move(data)}};
}

inline json rating(int year, const std::string& level) {
  static const std::map<std::string, int> pct = {{"good", 95}, {"fair", 80}, {"average", 60}, {"weak", 40}};
  return {{"year", year}, {"level", level}, {"targets_met_pct", pct.at(level)}};
}

// Founds model `id` by `by` through the baseline's steps (established 2023-03-01).
inline void found_model(TestLedger& t, const std::string& id, const UnitSigners& by, const std::string& name) {
  std::vector<ledger::Submission> batch;
  for (const json& act : test::founding_acts(id, "2023-03-01",
                                             {{"name", name}, {"type", "self-managed"}, {"area", by.unit["unit"]},
                                              {"teams", 2}},
                                             by.unit))
    batch.push_back(test::sign(act, by.person, is_decision_act(act["act"].get<std::string>()) ? &by.office : nullptr));
  auto r = t.append(batch);
  if (!r) FAIL("founding " + id + ": " + r.error().line());
}

// Hòa Bình before 2025-07-01: the province, the district Yên Thủy, its communes Phú Lai and Yên Trị, and the
// commune Yên Phú that merges them from 2025-07-01; a model founded by each of the district and the two communes.
struct Reorganisation2025 {
  explicit Reorganisation2025(StoredProfile stored = StoredProfile::today)
      : t("hoa-binh-2023", "p256", stored) {
    province = t.bind_unit("province", kProvince);
    district = t.bind_unit("district", kDistrict);
    phu_lai = t.bind_unit("phu-lai", kPhuLai);
    yen_tri = t.bind_unit("yen-tri", kYenTri);
    merged = t.bind_unit("yen-phu", kMerged);
    admin({unit_act("UBND tỉnh Hòa Bình", "province", ""), unit_act("UBND huyện Yên Thủy", "district", "UBND tỉnh Hòa Bình"),
           unit_act("UBND xã Phú Lai", "commune", "UBND huyện Yên Thủy"),
           unit_act("UBND xã Yên Trị", "commune", "UBND huyện Yên Thủy"),
           unit_act("UBND xã Yên Phú", "commune", "UBND tỉnh Hòa Bình", "2025-07-01")});
    found_model(t, "HUYEN-1", district, "Tổ tự quản an ninh huyện");
    found_model(t, "PL-1", phu_lai, "Tổ liên gia tự quản");
    found_model(t, "YT-1", yen_tri, "Tổ liên gia tự quản");
    for (const auto& [id, by] : {std::pair{"HUYEN-1", &district}, {"PL-1", &phu_lai}, {"YT-1", &yen_tri}}) {
      auto r = rate(*by, id, "2024-11-08", 2024);
      if (!r) FAIL(r.error().line());
    }
  }
  void admin(const std::vector<json>& acts) {
    std::vector<ledger::Submission> batch;
    for (const auto& a : acts) batch.push_back(test::sign(a, t.admin));
    auto r = t.append(batch);
    if (!r) FAIL(r.error().line());
  }
  // The reorganisation of 2025-07-01: the district abolished (its competence to Yên Phú), the two communes merged.
  void reorganise() {
    admin({reorganised("abolished", {"UBND huyện Yên Thủy"}, "UBND xã Yên Phú"),
           reorganised("merger", {"UBND xã Phú Lai", "UBND xã Yên Trị"}, "UBND xã Yên Phú")});
  }
  Result<std::vector<std::uint64_t>> rate(const UnitSigners& by, const std::string& id, const std::string& date, int year,
                                          const std::string& level = "good") {
    return t.record(by, make_act("model.rated", id, date, rating(year, level), by.unit));
  }
  TestLedger t;
  UnitSigners province, district, phu_lai, yen_tri, merged;
};

}  // namespace antq::test::reorg
