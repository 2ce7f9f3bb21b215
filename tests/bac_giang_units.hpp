// Bắc Giang's reviewers in the tests (rule `rater`, 004 §III.2: "Phòng An ninh chính trị nội bộ, Phòng An ninh kinh tế
// (Công an tỉnh), Ban Chỉ đạo huyện, thành phố, Ban Chỉ đạo xã, phường, thị trấn, tổ chức rà soát, đánh giá chất
// lượng các Mô hình"): the units of the registry a rating under bac-giang-2020 is decided by.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace antq::test {

inline const nlohmann::json kCommuneCommittee = {{"level", "commune"}, {"unit", "Ban Chỉ đạo xã Tân Lập"}};
inline const nlohmann::json kOtherCommuneCommittee = {{"level", "commune"}, {"unit", "Ban Chỉ đạo xã Tân Mỹ"}};
inline const nlohmann::json kDistrictCommittee = {{"level", "district"}, {"unit", "Ban Chỉ đạo huyện Lạc Sơn"}};
inline const nlohmann::json kSecurityDepartment = {{"level", "province"},
                                                   {"unit", "Phòng An ninh chính trị nội bộ Công an tỉnh Bắc Giang"}};
inline const nlohmann::json kEconomicDepartment = {{"level", "province"},
                                                   {"unit", "Phòng An ninh kinh tế Công an tỉnh Bắc Giang"}};

// A unit.registered act of the administrator (docs/rules.md "The unit registry").
inline nlohmann::json unit_registered(const std::string& name, const std::string& level, const std::string& kind,
                                      const std::string& parent, const std::string& from = "2020-01-01",
                                      const std::string& date = "2023-01-02") {
  nlohmann::json data = {{"name", name}, {"level", level}, {"kind", kind}, {"from", from}};
  if (!parent.empty()) data["parent"] = parent;
  return {{"act", "unit.registered"}, {"subject", "ledger"}, {"date", date}, {"data", std::move(data)}};
}

// Registers, by the administrator, the tests' province: UBND tỉnh Bắc Giang, its police (Công an tỉnh Bắc Giang) and
// the two departments of it that review models; the district UBND huyện Lạc Sơn and its steering committee; the
// communes UBND xã Tân Lập (kCommune, the founder of the tests' models) and UBND xã Tân Mỹ, each with its steering
// committee. In the hierarchy from 2020-01-01.
inline void register_bac_giang(TestLedger& t) {
  const std::string province = "UBND tỉnh Bắc Giang", police = "Công an tỉnh Bắc Giang", district = "UBND huyện Lạc Sơn";
  std::vector<ledger::Submission> acts;
  for (const auto& a : {unit_registered(province, "province", "people-committee", ""),
                        unit_registered(police, "province", "police", province),
                        unit_registered(kSecurityDepartment["unit"].get<std::string>(), "province", "police", police),
                        unit_registered(kEconomicDepartment["unit"].get<std::string>(), "province", "police", police),
                        unit_registered(district, "district", "people-committee", province),
                        unit_registered(kDistrictCommittee["unit"].get<std::string>(), "district", "steering-committee", district),
                        unit_registered("UBND xã Tân Lập", "commune", "people-committee", district),
                        unit_registered(kCommuneCommittee["unit"].get<std::string>(), "commune", "steering-committee", "UBND xã Tân Lập"),
                        unit_registered("UBND xã Tân Mỹ", "commune", "people-committee", district),
                        unit_registered(kOtherCommuneCommittee["unit"].get<std::string>(), "commune", "steering-committee", "UBND xã Tân Mỹ")})
    acts.push_back(sign(a, t.admin));
  require_ok(t.append(acts));
}

// register_bac_giang, and the chairman and office of the commune's steering committee bound: who rates the models
// the commune founds.
inline UnitSigners commune_committee(TestLedger& t) {
  register_bac_giang(t);
  return t.bind_unit("commune committee", kCommuneCommittee);
}

}  // namespace antq::test
