// registry_bench: the unit registry at the size of the country, through the admission rules alone.
//
// A registry shaped as the country after 1 July 2025 (--provinces P, default 34; --communes C per province, default
// 98, about the 3,321 communes and wards there are; each commune with its police: P(1 + 2C) units, 6,698 by default)
// is registered act by act (unit.registered) through the real admission rules (projections::make_admission) over
// an in-memory state; then each province's communes are merged two by two (unit.reorganised, C/2 per province);
// then K ordinary acts of a commune dated over D days after the merger, each of which checks that its signer's
// unit had not ceased (the rule every act meets once a reorganisation is recorded). Signatures are stood in (the
// administrator's and the chairman's fingerprints, not checked): what is measured is the rules and the state they
// read and write, not OpenSSL.
//
// Each figure against one measured in the same run:
//   register     time per unit.registered, against a raw scan of the registry's records in the same state (one
//                record read per unit: the floor of any pass over the registry); and the time of the last tenth of
//                the registrations against the first tenth (1.0 when a registration costs the same whatever the
//                size of the registry already held; the registry's size when it grows with it).
//   reorganise   time per unit.reorganised, against the same raw scan per unit.
//   acts         time per ordinary act after the reorganisation, against the same acts in a ledger with no registry
//                (the peer: what the registry adds to each act).
#include <map>

#include <CLI/CLI.hpp>

#include "signing/digest.hpp"
#include "tools/bench/bench_support.hpp"

namespace antq::bench {
namespace {

struct Options {
  std::size_t provinces = 34, communes = 98, acts = 2000, days = 50;
  bool smoke = false, json = false;
};

// The state of a replay, in memory: what Ledger::rebuild folds into.
class MemoryState final : public ledger::StateStore {
 public:
  std::optional<std::string> get(std::string_view key) const override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  using ledger::StateStore::put;
  void put(std::string_view key, std::string_view value) override { map_[std::string(key)] = std::string(value); }
  bool for_each(std::string_view prefix,
                const std::function<void(std::string_view, std::string_view)>& fn) const override {
    for (auto it = map_.lower_bound(prefix); it != map_.end() && std::string_view(it->first).starts_with(prefix); ++it)
      fn(it->first, it->second);
    return true;
  }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

// Admits acts one by one, as a replay does: each its own seq, its own body digest, signed (stood in) by `signer`.
class Replay {
 public:
  Replay(const Digest& administrator) {
    info_.origin = "antq-ledger/registry-bench";
    info_.profile = "hoa-binh-2023";
    info_.administrator = administrator;
    admission_ = unwrap(projections::make_admission(info_.profile), "make_admission");
  }
  void admit(const json& act, const Digest& signer) {
    auto input = unwrap(ledger::act_from_json(act, "registry_bench", "."), "act");
    const std::string n = std::to_string(seq_);
    const Digest body = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(n.data()), n.size()));
    std::vector<ledger::CheckedSignature> signatures(1);
    signatures[0].verified.signer = signer;
    const std::function<std::optional<ByteView>(const Digest&)> none = [](const Digest&) { return std::nullopt; };
    ledger::Candidate c{seq_, input.act, body, signatures, 0, info_, none, false};
    unwrap(admission_->admit(c, state_), fmt::format("entry {} ({})", seq_, act["act"].get<std::string>()));
    ++seq_;
  }
  MemoryState& state() { return state_; }

 private:
  ledger::LedgerInfo info_;
  std::unique_ptr<ledger::Admission> admission_;
  MemoryState state_;
  std::uint64_t seq_ = 0;
};

Digest fingerprint(const std::string& who) {
  return sha256(ByteView(reinterpret_cast<const std::uint8_t*>(who.data()), who.size()));
}

json registry_act(const std::string& kind, json data, const std::string& date) {
  return {{"act", kind}, {"subject", "ledger"}, {"date", date}, {"data", std::move(data)}};
}

std::string province(std::size_t p) { return fmt::format("UBND tỉnh P{:02}", p); }
std::string commune(std::size_t p, std::size_t c) { return fmt::format("UBND xã P{:02}-{:03}", p, c); }

// The commune chairman bound from 2023, and K of his acts (a proposal to build a model each) dated over `days` days
// from 2025-07-01: the time of all of them.
double ordinary_acts(Replay& r, const Options& o, const Digest& admin, const Digest& chair, const json& unit) {
  r.admit(registry_act("authority.bound",
                       {{"certificate", to_hex(chair)},
                        {"role", "person"},
                        {"unit", unit["unit"]},
                        {"level", unit["level"]},
                        {"from", "2023-01-01"}},
                       "2023-01-02"),
          admin);
  const auto t0 = Clock::now();
  for (std::size_t i = 0; i < o.acts; ++i) {
    const std::size_t day = i * o.days / o.acts;  // dates only move forward, as along a log
    const std::string date = fmt::format("2025-{:02}-{:02}", 7 + day / 28, 1 + day % 28);
    r.admit({{"act", "model.proposed"},
             {"subject", fmt::format("S-{}", i)},
             {"date", date},
             {"document", {{"number", fmt::format("{}/TTr-UBND", i + 1)}}},
             {"authority", unit},
             {"data", json::object()}},
            chair);
  }
  return seconds_since(t0);
}

int run(const Options& o) {
  const Digest admin = fingerprint("administrator"), chair = fingerprint("chairman");
  Replay r(admin);
  // The registry, province by province: the province, then each commune and its police.
  std::size_t units = 0;
  std::vector<double> times;
  const auto t_register = Clock::now();
  auto timed = [&](const json& act) {
    const auto t0 = Clock::now();
    r.admit(act, admin);
    times.push_back(seconds_since(t0));
    ++units;
  };
  for (std::size_t p = 0; p < o.provinces; ++p) {
    timed(registry_act(
        "unit.registered",
        {{"name", province(p)}, {"level", "province"}, {"kind", "people-committee"}, {"from", "2020-01-01"}},
        "2025-06-02"));
    for (std::size_t c = 0; c < o.communes; ++c) {
      timed(registry_act("unit.registered",
                         {{"name", commune(p, c)},
                          {"level", "commune"},
                          {"kind", "people-committee"},
                          {"parent", province(p)},
                          {"from", "2020-01-01"}},
                         "2025-06-02"));
      timed(registry_act("unit.registered",
                         {{"name", fmt::format("Công an xã P{:02}-{:03}", p, c)},
                          {"level", "commune"},
                          {"kind", "police"},
                          {"parent", commune(p, c)},
                          {"from", "2020-01-01"}},
                         "2025-06-02"));
    }
    if (!o.json) std::fprintf(stderr, "\rregistered %zu units", units);
  }
  const double registering = seconds_since(t_register);
  const std::size_t tenth = std::max<std::size_t>(1, times.size() / 10);
  double first = 0, last = 0;
  for (std::size_t i = 0; i < tenth; ++i) {
    first += times[i];
    last += times[times.size() - 1 - i];
  }
  // The floor: every record of the registry read once, in key order.
  double scan = 1e9;
  std::size_t bytes = 0;
  for (int round = 0; round < 3; ++round) {
    const auto t0 = Clock::now();
    std::size_t n = 0;
    r.state().for_each("units/", [&](std::string_view k, std::string_view v) { n += k.size() + v.size(); });
    scan = std::min(scan, seconds_since(t0));
    bytes = n;
  }
  // The merger of each province's communes, two by two.
  std::size_t merged = 0;
  const auto t_reorganise = Clock::now();
  for (std::size_t p = 0; p < o.provinces; ++p)
    for (std::size_t c = 0; c + 1 < o.communes; c += 2) {
      r.admit(registry_act("unit.reorganised",
                           {{"effective", "2025-07-01"},
                            {"kind", "merger"},
                            {"units", {commune(p, c + 1)}},
                            {"successor", commune(p, c)}},
                           "2025-06-20"),
              admin);
      ++merged;
    }
  const double reorganising = seconds_since(t_reorganise);
  if (!o.json) std::fprintf(stderr, "\rregistered %zu units, %zu mergers; now %zu acts\n", units, merged, o.acts);
  const json unit = {{"level", "commune"}, {"unit", commune(0, 0)}};
  const double with_registry = ordinary_acts(r, o, admin, chair, unit);
  Replay peer(admin);
  const double without = ordinary_acts(peer, o, admin, chair, unit);

  const double per_unit = registering / static_cast<double>(units), scan_per_unit = scan / static_cast<double>(units);
  const double per_merger = merged ? reorganising / static_cast<double>(merged) : 0;
  const double per_act = with_registry / static_cast<double>(o.acts),
               peer_per_act = without / static_cast<double>(o.acts);
  if (o.json) {
    ojson j;
    j["units"] = units;
    j["mergers"] = merged;
    j["acts"] = o.acts;
    j["register_us_per_unit"] = per_unit * 1e6;
    j["scan_us_per_unit"] = scan_per_unit * 1e6;
    j["register_vs_scan"] = per_unit / scan_per_unit;
    j["last_vs_first_tenth"] = last / first;
    j["reorganise_us_per_act"] = per_merger * 1e6;
    j["reorganise_vs_scan"] = per_merger / scan_per_unit;
    j["act_us_with_registry"] = per_act * 1e6;
    j["act_us_without_registry"] = peer_per_act * 1e6;
    j["act_vs_peer"] = per_act / peer_per_act;
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  std::cout << fmt::format("registry of {} units ({} provinces x {} communes and their police), {} mergers, {} acts\n",
                           units, o.provinces, o.communes, merged, o.acts)
            << fmt::format(
                   "  register    {:>10.1f} us/unit   raw scan {:.3f} us/unit ({} bytes): x{:.0f}; last tenth "
                   "/ first tenth x{:.2f}\n",
                   per_unit * 1e6, scan_per_unit * 1e6, bytes, per_unit / scan_per_unit, last / first)
            << fmt::format("  reorganise  {:>10.1f} us/act    x{:.0f} the raw scan per unit\n", per_merger * 1e6,
                           per_merger / scan_per_unit)
            << fmt::format("  acts        {:>10.1f} us/act    without a registry {:.1f} us/act: x{:.2f}\n",
                           per_act * 1e6, peer_per_act * 1e6, per_act / peer_per_act);
  return 0;
}

}  // namespace
}  // namespace antq::bench

int main(int argc, char** argv) {
  using namespace antq::bench;
  Options o;
  CLI::App app{"registry_bench: the unit registry at the size of the country, through the admission rules"};
  app.add_option("--provinces", o.provinces, "Provinces (default 34)");
  app.add_option("--communes", o.communes, "Communes per province, each with its police (default 98)");
  app.add_option("--acts", o.acts, "Ordinary acts after the reorganisation (default 2000)");
  app.add_option("--days", o.days, "Days they are dated over (default 50)");
  app.add_flag("--smoke", o.smoke, "Tiny sizes (a test)");
  app.add_flag("--json", o.json, "One JSON document");
  CLI11_PARSE(app, argc, argv);
  if (o.smoke) {
    o.provinces = 2;
    o.communes = 6;
    o.acts = 50;
    o.days = 5;
  }
  return run_main("registry_bench", [&] { return run(o); });
}
