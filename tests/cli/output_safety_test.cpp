// Issue 18, point 7: output that cannot attack its reader. Acts whose names, titles, units, reasons and document
// numbers carry terminal escapes, bidirectional overrides, C1 controls, TABs and line breaks, formula-looking names
// and HTML; a signer whose certificate name carries some too. Every table shows them as escapes, every CSV cell a
// spreadsheet would run is neutralised (and reconcile still reads the report back), HTML escapes them, JSON keeps
// them exactly, and a one-line error quoting them carries none raw.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "raw_controls.hpp"
#include "support.hpp"

namespace antq::test {
namespace {

// Clear the screen, retitle the window (OSC 0), a formula, a bidi override and an isolate.
const std::string kName = "=HYPERLINK(\"http://evil.example/\",\"Tổ an ninh\")\x1b[2J\x1b]0;pwned\x07";
const std::string kArea = "Thôn \u202eĐông\u2066 Tây";
// HTML, colours, a C1 CSI, a right-to-left override.
const std::string kUnit = "UBND xã <script>alert('unit')</script> \x1b[31mĐỏ\u009b0m \u202eTân";
// An OSC 8 hyperlink hidden behind "click".
const std::string kNumber = "12/QĐ\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\";
const std::string kTitle = "Quyết định\tcông nhận\nmô hình\r\u009b2J";
const std::string kReason = "giải thể\x1b[2J\u202e\u200b";
const std::string kSigner = "Nguyễn \u202eVăn An\xc2\x85";
const std::string kPlus = "+1 cộng\t<script>alert(\"name\")</script>";
const std::string kMinus = "-2 trừ\u200b";
const std::string kAt = "@SUM(A1:A9)\xc2\x85";

// The hostile strings as a terminal must see them (cli/display.hpp's escapes).
const std::string kNameShown = "=HYPERLINK(\"http://evil.example/\",\"Tổ an ninh\")\\x1b[2J\\x1b]0;pwned\\x07";
const std::string kUnitShown = "UBND xã <script>alert('unit')</script> \\x1b[31mĐỏ\\u009b0m \\u202eTân";
const std::string kNumberShown = "12/QĐ\\x1b]8;;http://evil.example/\\x1b\\\\click\\x1b]8;;\\x1b\\\\";
const std::string kTitleShown = "Quyết định\\tcông nhận\\nmô hình\\r\\u009b2J";

// A ledger where a commune whose unit name is kUnit founded models with hostile names, one of them twice (so that
// audit quotes the name), one apart from the totals, and terminated one for kReason.
struct HostileLedger {
  HostileLedger() {
    signing::CertificateRequest person_request;
    person_request.common_name = kSigner;
    const Identity person = t.pki.issue("hostile-chair", person_request);
    const Identity office = t.pki.issue("hostile-office");
    require_ok(t.append(
        {sign(bind_act(person, "person", unit), t.admin), sign(bind_act(office, "organisation", unit), t.admin)}));
    by = UnitSigners{unit, person, office};
    found("EVIL-M1", "2024-03-01", kName);
    found("EVIL-M1B", "2024-03-02", kName);
    found("EVIL-M3", "2024-03-03", kPlus, {{"movement", "dan-van-kheo"}});
    found("EVIL-M4", "2024-03-04", kMinus);
    found("EVIL-M5", "2024-03-05", kAt);
    found("EVIL-M6", "2024-03-06", "Tổ sẽ giải thể");
    for (const char* step : {"model.termination-reported", "model.termination-consulted", "model.terminated"})
      admit(make_act(step, "EVIL-M6", "2024-06-01", {{"reason", kReason}}, unit));
    t.ledger.reset();  // the commands below open it
    write_file(t.tmp / "unit.txt", kUnit);
  }
  // Founds `subject` through the steps of hoa-binh-2023 (test::founding_acts), each document hostile too.
  void found(const std::string& subject, const std::string& date, const std::string& name, json more = json::object()) {
    json data{{"name", name}, {"type", "self-managed"}, {"area", kArea}, {"teams", 3}};
    data.update(more);
    for (json act : test::founding_acts(subject, date, data, unit)) {
      act["document"] = {{"number", kNumber}, {"title", kTitle}, {"issuer", kUnit}};
      admit(act);
    }
  }
  void admit(const json& act) {
    auto r = t.record(by, act, projections::is_decision_act(act["act"].get<std::string>()));
    if (!r) FAIL(r.error().line());
  }
  std::string dir() const { return quote(t.dir()); }
  // The hostile unit as one shell argument.
  std::string unit_arg() const { return "\"$(cat " + quote(t.tmp / "unit.txt") + ")\""; }

  TestLedger t;
  json unit = {{"level", "commune"}, {"unit", kUnit}};
  UnitSigners by;
};

// Runs `antq ARGS`, which must exit `status`; its output (stdout and stderr).
std::string antq(const std::string& args, int status = 0) {
  std::string out;
  const int got = run(kAntq + " " + args, &out);
  INFO("antq " << args << "\n-> " << out);
  CHECK(got == status);
  return out;
}

// A table's output: no raw control or format character, line ends apart.
void check_shown(const std::string& what, const std::string& out) {
  INFO(what << ":\n" << out);
  CHECK(!holds_raw_control(out, "\n"));
}

// The cells of a CSV text exactly as written (quotes around a field removed and doubled quotes undone, nothing else).
std::vector<std::string> raw_cells(const std::string& text) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        cell += text[++i];
      else if (c == '"')
        quoted = false;
      else
        cell += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      cells.push_back(std::move(cell));
      cell.clear();
    } else if (c != '\r') {  // CR ends a line here: antq quotes a cell that holds one
      cell += c;
    }
  }
  return cells;
}

// Every cell of a CSV text that a spreadsheet would run begins with the neutralising quote instead.
void check_csv(const std::string& what, const std::string& csv) {
  INFO(what << ":\n" << csv);
  for (const auto& cell : raw_cells(csv)) {
    INFO("cell " << cell);
    CHECK((cell.empty() || std::string_view("=+-@\t\r").find(cell[0]) == std::string_view::npos));
  }
}

TEST_CASE("show, history, diff and dossier show escapes and overrides in act text as escapes", "[cli][output]") {
  HostileLedger h;
  const std::string l = h.dir();

  std::string out = antq("show " + l + " EVIL-M1");
  check_shown("show", out);
  CHECK_THAT(out, Catch::Contains("name         " + kNameShown + "\n") &&
                      Catch::Contains("area         Thôn \\u202eĐông\\u2066 Tây\n") &&
                      Catch::Contains("authority    " + kUnitShown + " (commune), established 2024-03-01"));

  out = antq("history " + l + " EVIL-M1");
  check_shown("history", out);
  CHECK_THAT(out, Catch::Contains("document     " + kNumberShown + " " + kTitleShown + " (" + kUnitShown + ")") &&
                      Catch::Contains("person       Nguyễn \\u202eVăn An\\u0085, signed"));
  out = antq("history " + l + " EVIL-M6");
  check_shown("history of a termination", out);

  out = antq("diff " + l + " EVIL-M1 --from 2024-01-01 --to 2024-12-31");
  check_shown("diff", out);
  CHECK_THAT(out, Catch::Contains("- -> " + kNameShown + "\n") && Catch::Contains(kNumberShown));

  out = antq("dossier " + l + " EVIL-M1");
  check_shown("dossier", out);
  CHECK_THAT(out, Catch::Contains(kNumberShown + " 2024-03-01 (entry"));
  out = antq("dossier " + l + " --unit " + h.unit_arg());
  check_shown("dossier --unit", out);
  CHECK_THAT(out, Catch::StartsWith(kUnitShown + ": 6 subject(s) founded"));
}

TEST_CASE("audit, stats, report and verify tables show act text as escapes", "[cli][output]") {
  HostileLedger h;
  const std::string l = h.dir();

  std::string out = antq("audit " + l + " --as-of 2024-12-31");
  check_shown("audit", out);
  CHECK_THAT(out, Catch::Contains("duplicate-model") && Catch::Contains("“" + kNameShown + "”"));

  out = antq("stats " + l + " --as-of 2024-12-31");
  check_shown("stats", out);
  CHECK_THAT(out, Catch::Contains(kNameShown) && Catch::Contains("+1 cộng\\t<script>") &&
                      Catch::Contains("-2 trừ\\u200b") && Catch::Contains("@SUM(A1:A9)\\u0085"));

  out = antq("report " + l + " 2024 --unit " + h.unit_arg());
  check_shown("report", out);
  CHECK_THAT(out, Catch::Contains(kUnitShown) && Catch::Contains(kNameShown));

  out = antq("verify " + l);
  check_shown("verify", out);
}

// The columns a terminal gives `row`, which holds only characters of one column and combining marks (U+0300-U+036F).
std::size_t columns(const std::string& row) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const auto c = static_cast<unsigned char>(row[i]);
    if ((c & 0xc0) == 0x80) continue;  // a continuation byte
    const bool combining = (c == 0xcc) || (c == 0xcd && static_cast<unsigned char>(row[i + 1]) <= 0xaf);
    n += combining ? 0 : 1;
  }
  return n;
}

// The line of `out` that contains `text`.
std::string line_with(const std::string& out, const std::string& text) {
  const auto at = out.find(text);
  if (at == std::string::npos) return "";
  const auto begin = out.rfind('\n', at);
  const auto from = begin == std::string::npos ? 0 : begin + 1;
  return out.substr(from, out.find('\n', at) - from);
}

TEST_CASE("Table columns line up by the characters shown, not by bytes or code points", "[cli][output]") {
  HostileLedger h;
  // stats: each model's name padded to 52 columns, then points and teams right-aligned in 7 each.
  const std::string stats = antq("stats " + h.dir() + " --as-of 2024-12-31");
  for (const std::string name : {"@SUM(A1:A9)\\u0085", "-2 trừ\\u200b", "model (by name)"}) {
    const std::string row = line_with(stats, name);
    INFO(stats);
    CHECK(columns(row) == 52 + 8 + 8);
  }
  // reconcile: a submitted key in NFD (its combining marks take no column), and one with escapes, padded to 52.
  const fs::path report = h.t.tmp / "report.csv";
  const std::string nfd =
      "To\xcc\x82\xcc\x89 da\xcc\x82n cu\xcc\x9b tu\xcc\x9b\xcc\xa3 qua\xcc\x89n";  // "Tổ dân cư tự quản"
  write_file(report,
             antq("report " + h.dir() + " 2024 --format csv") + "points," + nfd + ",4\r\npoints,\x1b[2Jx\t,5\r\n");
  const std::string table = antq("reconcile " + h.dir() + " " + quote(report), 1);
  INFO(table);
  const std::string header = line_with(table, "section ");
  CHECK(columns(header) == 22 + 1 + 52 + 1 + 10 + 1 + 10);
  CHECK(columns(line_with(table, nfd)) == columns(header));
  CHECK(columns(line_with(table, "\\x1b[2Jx\\t")) == columns(header));
}

TEST_CASE("CSV cells a spreadsheet would run are neutralised, and reconcile reads the report back", "[cli][output]") {
  HostileLedger h;
  const std::string l = h.dir();

  std::string out = antq("stats " + l + " --as-of 2024-12-31 --format csv");
  check_csv("stats csv", out);
  CHECK_THAT(
      out,
      Catch::Contains(
          "points,\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"Tổ an ninh\"\")\x1b[2J\x1b]0;pwned\x07\",2\r\n") &&
          Catch::Contains("points,\"'-2 trừ\u200b\",1\r\n") &&
          Catch::Contains("points,\"'@SUM(A1:A9)\xc2\x85\",1\r\n") &&
          Catch::Contains("apart,EVIL-M3,dan-van-kheo\r\n") && Catch::Contains("total,points,4\r\n"));

  const std::string csv = antq("report " + l + " 2024 --format csv");
  check_csv("report csv", csv);
  CHECK_THAT(csv, Catch::Contains("points,\"'=HYPERLINK(") && Catch::Contains("points,\"'-2 trừ\u200b\",1\r\n") &&
                      Catch::Contains("teams,\"'@SUM(A1:A9)\xc2\x85\",3\r\n"));
  // Round trip: the report as written reconciles with the ledger, each neutralised cell read as its text.
  const fs::path report = h.t.tmp / "report.csv";
  write_file(report, csv);
  out = antq("reconcile " + l + " " + quote(report));
  CHECK_THAT(out, Catch::Contains(": 0 of "));
  // A padded count under a formula-looking name is found, and named exactly in JSON and escaped in the table.
  std::string padded = csv;
  const std::string row = "points,\"'-2 trừ\u200b\",1\r\n";
  padded.replace(padded.find(row), row.size(), "points,\"'-2 trừ\u200b\",7\r\n");
  write_file(report, padded);
  const json r = json::parse(antq("reconcile " + l + " " + quote(report) + " --json", 1));
  REQUIRE(r["differences"].size() == 1);
  CHECK(r["differences"][0]["key"] == kMinus);
  CHECK(r["differences"][0]["reported"] == "7");
  out = antq("reconcile " + l + " " + quote(report), 1);
  check_shown("reconcile", out);
  CHECK_THAT(out, Catch::Contains("-2 trừ\\u200b"));
}

TEST_CASE("report --format html escapes every value", "[cli][output]") {
  HostileLedger h;
  const std::string out = antq("report " + h.dir() + " 2024 --unit " + h.unit_arg() + " --format html");
  check_shown("html", out);
  CHECK_THAT(out, !Catch::Contains("<script>") &&
                      Catch::Contains("UBND xã &lt;script&gt;alert(&#39;unit&#39;)&lt;/script&gt;") &&
                      Catch::Contains("+1 cộng\\t&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;") &&
                      Catch::Contains("=HYPERLINK(&quot;http://evil.example/&quot;"));
}

TEST_CASE("JSON outputs keep act text exactly, parse, and escape what a terminal would act on", "[cli][output]") {
  HostileLedger h;
  const std::string l = h.dir();
  // The output of `antq ARGS --json`, which must hold no raw control, bidi or invisible character (JSON writes them
  // as \u escapes), parsed.
  auto json_of = [](const std::string& args) {
    const std::string out = antq(args);
    check_shown(args, out);
    return json::parse(out);
  };

  json j = json_of("show " + l + " EVIL-M1 --json");
  CHECK(j["name"] == kName);
  CHECK(j["area"] == kArea);
  CHECK(j["authority"]["unit"] == kUnit);

  j = json_of("history " + l + " EVIL-M1 --json");
  CHECK(j["acts"][0]["document"] == json{{"number", kNumber}, {"title", kTitle}, {"issuer", kUnit}});
  CHECK_THAT(j["acts"][0]["signatures"][0]["signer"].get<std::string>(), Catch::Contains("\u202eVăn An\xc2\x85"));
  j = json_of("history " + l + " EVIL-M6 --json");
  CHECK(j["acts"].back()["data"]["reason"] == kReason);

  j = json_of("diff " + l + " EVIL-M1 --from 2024-01-01 --to 2024-12-31 --json");
  CHECK(j["acts"][0]["number"] == kNumber);

  j = json_of("dossier " + l + " EVIL-M1 --json");
  bool found = false;
  for (const auto& item : j["items"])
    for (const auto& doc : item["documents"]) found = found || (doc["number"] == kNumber && doc["title"] == kTitle);
  CHECK(found);

  j = json_of("audit " + l + " --as-of 2024-12-31 --json");
  CHECK(j["counts"]["duplicate-model"] == 1);
  for (const auto& f : j["findings"])
    if (f["rule"] == "duplicate-model")
      CHECK_THAT(f["message"].get<std::string>(), Catch::Contains("“" + kName + "”"));

  j = json_of("stats " + l + " --as-of 2024-12-31 --format json");
  std::set<std::string> names;
  for (const auto& m : j["models"]) names.insert(m["name"].get<std::string>());
  CHECK(names == std::set<std::string>{kName, kMinus, kAt});
  CHECK(j["apart"][0]["name"] == kPlus);

  j = json_of("report " + l + " 2024 --unit " + h.unit_arg() + " --format json");
  CHECK(j["unit"] == kUnit);

  j = json_of("verify " + l + " --json");
  CHECK(j["ok"] == true);
}

TEST_CASE("A submitted CSV that is not UTF-8 gets JSON from reconcile, not an internal error", "[cli][output]") {
  HostileLedger h;
  const fs::path report = h.t.tmp / "report.csv";
  write_file(report, antq("report " + h.dir() + " 2024 --format csv") + "points,\"\xff\xfe not UTF-8 \x1b[2J\",4\r\n");
  const std::string out = antq("reconcile " + h.dir() + " " + quote(report) + " --json", 1);
  const json r = json::parse(out);
  REQUIRE(r["differences"].size() == 1);
  CHECK(r["differences"][0]["key"] == "\ufffd\ufffd not UTF-8 \x1b[2J");
  CHECK_THAT(out, Catch::Contains("\\u001b[2J"));  // JSON escapes the control itself
  check_shown("reconcile --json", out);
  const std::string table = antq("reconcile " + h.dir() + " " + quote(report), 1);
  check_shown("reconcile table", table);
  CHECK_THAT(table, Catch::Contains("\\xff\\xfe not UTF-8 \\x1b[2J"));
}

TEST_CASE("A one-line error quoting act text or a path carries no raw control", "[cli][output]") {
  HostileLedger h;
  // The commune's own chairman signs an act in the name of the hostile unit: refused, quoting the unit.
  json act = make_act("model.proposed", "EVIL-M9", "2024-07-01", {{"name", kName}, {"type", "self-managed"}}, h.unit);
  write_file(h.t.tmp / "act.json", act.dump());
  const std::string before = read_file(h.t.dir() / "data.mdb");
  std::string out = antq("record " + h.dir() + " " + quote(h.t.tmp / "act.json") + " --person " +
                             quote(h.t.chair.files.key) + ":" + quote(h.t.chair.files.cert) + " --operator-key " +
                             quote(h.t.operator_key_file()),
                         2);
  INFO(out);
  out = without_warnings(out);  // the test keys are not encrypted, and antq says so first
  CHECK_THAT(out, Catch::StartsWith("refused [authority]: ") && Catch::Contains(kUnitShown) && Catch::EndsWith("\n"));
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  check_shown("refusal", out);
  CHECK(read_file(h.t.dir() / "data.mdb") == before);

  // A directory name with escapes, from the command line.
  write_file(h.t.tmp / "dir.txt", "no\x1b[2Jsuch\u202eledger");
  out = antq("show \"$(cat " + quote(h.t.tmp / "dir.txt") + ")\" EVIL-M1", 2);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  check_shown("no such ledger", out);
  CHECK_THAT(out, Catch::Contains("no\\x1b[2Jsuch\\u202eledger"));
  // An argument the command line parser refuses, quoted in its message.
  out = antq("show " + h.dir() + " EVIL-M1 \"$(cat " + quote(h.t.tmp / "dir.txt") + ")\"", 2);
  check_shown("parse error", out);
}

TEST_CASE("checkpoint prints no stored note a terminal would act on: an altered one is refused in one line",
          "[cli][output]") {
  HostileLedger h;
  const std::string note = antq("checkpoint " + h.dir());
  CHECK_FALSE(holds_raw_control(note, "\n"));
  // The note as stored, with a screen clear and a right-to-left override slipped into its origin line.
  edit_database(h.t.dir(), "checkpoints", [&](MDB_txn* txn, MDB_dbi dbi) {
    MDB_cursor* c = nullptr;
    REQUIRE(mdb_cursor_open(txn, dbi, &c) == 0);
    MDB_val k, v;
    REQUIRE(mdb_cursor_get(c, &k, &v, MDB_LAST) == 0);
    std::string altered = "\x1b[2J\u202e" + std::string(static_cast<const char*>(v.mv_data), v.mv_size);
    MDB_val nv{altered.size(), altered.data()};
    REQUIRE(mdb_cursor_put(c, &k, &nv, MDB_CURRENT) == 0);
    mdb_cursor_close(c);
  });
  const std::string out = antq("checkpoint " + h.dir(), 1);
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK_FALSE(holds_raw_control(out, "\n"));
  CHECK_THAT(out, Catch::Contains("the stored checkpoint holds characters a terminal would act on"));
}

}  // namespace
}  // namespace antq::test
