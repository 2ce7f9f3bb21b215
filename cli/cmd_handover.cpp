// antq handover: a unit's hand-over of the files whose work ended in a year to its agency archive (giao nộp hồ sơ
// vào Lưu trữ cơ quan; retention.md): the list of files (mục lục hồ sơ) as printable HTML and CSV, the hand-over
// record (biên bản giao nhận), and a BagIt bag holding a verifiable bundle per file (docs/handover.md).
#include <algorithm>
#include <iostream>
#include <map>

#include "cli/bagit.hpp"
#include "cli/common.hpp"
#include "cli/handover.hpp"
#include "cli/queries.hpp"
#include "cli/csv.hpp"
#include "cli/display.hpp"
#include "ledger/bundle.hpp"
#include "ledger/ledger.hpp"
#include "projections/handover.hpp"
#include "projections/query.hpp"

namespace antq::cli {
namespace {

using nlohmann::json;
using projections::Handover;
using projections::HandoverFile;

constexpr const char* kListHtml = "muc-luc-ho-so.html";
constexpr const char* kListCsv = "muc-luc-ho-so.csv";
constexpr const char* kRecordHtml = "bien-ban-giao-nhan.html";
constexpr const char* kBag = "bag";
constexpr const char* kBlank = "……………………………………";

// dd/mm/yyyy, as Vietnamese documents write dates.
std::string vn_date(const std::string& iso) { return i18n::date(i18n::Lang::vi, iso); }

// The retention period as the list writes it.
std::string period_vi(const projections::RetentionRecord& r) {
  std::string p = r.period == "permanent"          ? "Vĩnh viễn"
                  : r.years                        ? fmt::format("{} năm", *r.years)
                  : r.period == "until-superseded" ? "Đến khi văn bản hết hiệu lực"
                                                   : r.period;
  return r.provisional ? p + " (tạm thời)" : p;
}

// The list's number of the i-th file (0-based): 001, 002, ... (more digits past 999).
std::string list_number(std::size_t i, std::size_t count) {
  const int width = std::max<int>(3, static_cast<int>(std::to_string(count).size()));
  return fmt::format("{:0{}}", i + 1, width);
}

std::string bundle_path(std::size_t i, std::size_t count) { return fmt::format("data/ho-so/{}", list_number(i, count)); }

// The note (Ghi chú) of a file handed over: where it stands, what of it is gone or held, where its bundle is.
std::string note_of(const HandoverFile& f, const std::string& bundle) {
  std::vector<std::string> parts;
  if (f.file.ended) parts.push_back("Kết thúc công việc " + vn_date(*f.file.ended));
  const std::string due = f.record.due ? vn_date(*f.record.due) : "";
  if (f.record.status == "handover-overdue") parts.push_back("quá hạn giao nộp (hạn " + due + ")");
  else if (f.record.status == "handover-due") parts.push_back("đến hạn giao nộp (hạn " + due + ")");
  else if (!due.empty()) parts.push_back("hạn giao nộp " + due);
  if (f.disposed > 0) parts.push_back(fmt::format("{} tệp văn bản đã hủy theo quyết định hủy tài liệu", f.disposed));
  if (f.held_documents > 0) parts.push_back(fmt::format("{} văn bản đang có lệnh giữ (record.held)", f.held_documents));
  parts.push_back("gói điện tử: " + bundle);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string holds_text(const HandoverFile& f, const Handover& h) {
  std::string out;
  for (std::uint64_t seq : f.file.holds) {
    auto it = std::find_if(h.holds.begin(), h.holds.end(), [&](const auto& x) { return x.seq == seq; });
    out += (out.empty() ? "" : "; ") + fmt::format("lệnh giữ hồ sơ (bản ghi số {}", seq);
    if (it != h.holds.end()) out += ", ngày " + vn_date(it->date) + (it->reason.empty() ? "" : ": " + it->reason);
    out += ")";
  }
  return out;
}

// Why a file of the unit's year is not handed over, in Vietnamese.
std::string reason_vi(const HandoverFile& f, const Handover& h) {
  if (f.reason == "transferred") {
    const auto& t = *f.file.transferred;
    return fmt::format("Đã giao nộp (bản ghi số {}, ngày {}{}{})", t.seq, vn_date(t.date),
                       t.number.empty() ? "" : ", văn bản " + t.number, t.archive.empty() ? "" : ", nơi nhận " + t.archive);
  }
  if (f.reason == "held") return "Chưa giao nộp: đang có " + holds_text(f, h);
  if (f.reason == "disposed") return "Không giao nộp: mọi văn bản đã hủy theo quyết định hủy tài liệu";
  return "Không thuộc loại giao nộp (thời hạn bảo quản " + period_vi(f.record) + "): đơn vị tiếp tục bảo quản";
}

// The list as CSV (the same bytes go to OUT and into the bag).
std::string list_csv(const Handover& h) {
  std::string out = "\xEF\xBB\xBF";  // a BOM: spreadsheets then read the UTF-8 of Vietnamese names as such
  out += csv_record({"STT", "Mã hồ sơ", "Tiêu đề hồ sơ", "Thời hạn bảo quản", "Đơn vị hình thành hồ sơ", "Ngôn ngữ",
                     "Ngày bắt đầu", "Ngày kết thúc", "Số lượng văn bản", "Số trang", "Ghi chú", "Trạng thái",
                     "Gói"});
  for (std::size_t i = 0; i < h.files.size(); ++i) {
    const HandoverFile& f = h.files[i];
    const std::string bundle = bundle_path(i, h.files.size());
    out += csv_record({std::to_string(i + 1), f.file.subject, f.title, period_vi(f.record), f.file.unit, "Tiếng Việt",
                       f.first_date, f.last_date, std::to_string(f.acts), "", note_of(f, bundle), f.record.status,
                       bundle});
  }
  return out;
}

std::string html_head(const std::string& title, const char* page, const char* extra_style) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n"
      "@page {{ size: {}; margin: 2cm 1.5cm 2cm 2.5cm; }}\n"
      "body {{ font-family: 'Times New Roman', serif; font-size: 13pt; line-height: 1.4; color: #000; "
      "max-width: 27cm; margin: 1em auto; }}\n"
      "h1 {{ font-size: 14pt; text-align: center; margin: 1em 0 0; }}\n"
      "p.sub {{ text-align: center; font-weight: bold; margin: 0 0 1em; }}\n"
      "table {{ border-collapse: collapse; width: 100%; }}\n"
      "table.list th, table.list td {{ border: 1px solid #000; padding: 2px 5px; vertical-align: top; }}\n"
      "table.list th {{ font-size: 12pt; }}\n"
      "td.n {{ text-align: right; white-space: nowrap; }}\n"
      "td.c {{ text-align: center; white-space: nowrap; }}\n"
      "table.meta td {{ padding: 0 8px 0 0; vertical-align: top; }}\n"
      "thead {{ display: table-header-group; }}\n"
      "tr {{ break-inside: avoid; }}\n"
      "table.sign {{ margin-top: 1.5em; break-inside: avoid; }}\n"
      "table.sign td {{ width: 50%; text-align: center; vertical-align: top; height: 4cm; }}\n"
      "code {{ font-size: 10pt; word-break: break-all; }}\n"
      "footer {{ margin-top: 2em; font-size: 10pt; }}\n"
      "{}"
      "@media print {{ body {{ max-width: none; margin: 0; }} footer {{ break-inside: avoid; }} }}\n"
      "</style>\n</head>\n<body>\n",
      html_escape(title), page, extra_style);
}

std::string list_html(const Handover& h, const std::optional<std::string>& archive, const LedgerPoint& at,
                      std::size_t documents) {
  const auto& sc = *h.schedule;
  const bool provisional = std::any_of(h.files.begin(), h.files.end(), [](const auto& f) { return f.record.provisional; });
  std::string o = html_head(fmt::format("Mục lục hồ sơ nộp lưu năm {} — {}", h.year, h.unit), "A4 landscape",
                            "p.unit { font-weight: bold; text-transform: uppercase; margin: 0; }\n");
  o += "<p class=\"unit\">" + html_escape(h.unit) + "</p>\n";
  o += "<h1>MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU</h1>\n";
  o += fmt::format("<p class=\"sub\">Hồ sơ mô hình, điển hình phong trào Toàn dân bảo vệ an ninh Tổ quốc có năm kết "
                   "thúc công việc {}</p>\n", h.year);
  o += "<table class=\"meta\">\n";
  auto meta = [&](const std::string& k, const std::string& v) {
    o += "<tr><td>" + html_escape(k) + ":</td><td>" + html_escape(v) + "</td></tr>\n";
  };
  meta("Đơn vị hình thành hồ sơ (đơn vị giao nộp)", h.unit);
  meta("Nơi nhận", archive ? *archive : "Lưu trữ cơ quan");
  meta("Ngôn ngữ của hồ sơ", "Tiếng Việt");
  meta("Số lượng", fmt::format("{} hồ sơ, {} văn bản", h.files.size(), documents));
  meta("Bảng thời hạn bảo quản", sc.schedule.title + " (" + sc.schedule.id + ")");
  meta("Lập theo sổ cái", fmt::format("{}, {} bản ghi, gốc Merkle {}, tình trạng hồ sơ ngày {}", at.origin, at.size,
                                      at.root, vn_date(h.on)));
  o += "</table>\n<p>Đơn vị hình thành hồ sơ và ngôn ngữ trên là của mọi hồ sơ trong mục lục.</p>\n";
  o += "<table class=\"list\">\n<thead><tr><th>STT</th><th>Mã hồ sơ</th><th>Tiêu đề hồ sơ</th><th>Ngày bắt đầu</th>"
       "<th>Ngày kết thúc</th><th>Thời hạn bảo quản</th><th>Số lượng văn bản</th><th>Số trang</th><th>Ghi chú</th>"
       "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < h.files.size(); ++i) {
    const HandoverFile& f = h.files[i];
    o += fmt::format("<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"c\">{}</td><td class=\"c\">{}</td>"
                     "<td>{}</td><td class=\"n\">{}</td><td class=\"c\">—</td><td>{}</td></tr>\n",
                     i + 1, html_escape(f.file.subject), html_escape(f.title), html_escape(vn_date(f.first_date)),
                     html_escape(vn_date(f.last_date)), html_escape(period_vi(f.record)), f.acts,
                     html_escape(note_of(f, bundle_path(i, h.files.size()))));
  }
  o += "</tbody>\n</table>\n";
  o += fmt::format("<p>Mục lục này có {} hồ sơ (đơn vị bảo quản), gồm {} văn bản.</p>\n", h.files.size(), documents);
  if (!h.others.empty()) {
    o += "<h2 style=\"font-size: 13pt\">Hồ sơ không giao nộp lần này</h2>\n<table class=\"list\">\n<thead><tr><th>Mã hồ sơ"
         "</th><th>Tiêu đề hồ sơ</th><th>Ngày kết thúc</th><th>Lý do</th></tr></thead>\n<tbody>\n";
    for (const HandoverFile& f : h.others)
      o += "<tr><td>" + html_escape(f.file.subject) + "</td><td>" + html_escape(f.title) + "</td><td class=\"c\">" +
           html_escape(vn_date(f.last_date)) + "</td><td>" + html_escape(reason_vi(f, h)) + "</td></tr>\n";
    o += "</tbody>\n</table>\n";
  }
  o += "<table class=\"sign\"><tr><td></td><td><i>……………, ngày …… tháng …… năm ……</i><br><b>NGƯỜI LẬP MỤC LỤC</b>"
       "<br><i>(Ký, ghi rõ họ tên)</i></td></tr></table>\n";
  o += "<footer>Số trang “—”: sổ cái không ghi số trang của văn bản.";
  if (provisional)
    o += " Thời hạn bảo quản “(tạm thời)”: theo bảng thời hạn tạm thời của chương trình, chưa thay bằng bảng thời hạn "
         "chính thức (Thông tư 08/2020/TT-BCA, 45/2018/TT-BCA).";
  o += fmt::format(" Bản điện tử: thư mục {}/ (gói BagIt, RFC 8493), mỗi hồ sơ một thư mục {}/data/ho-so/NNN kiểm tra "
                   "được bằng <code>antq verify-bundle</code>; bản CSV: {}.</footer>\n</body>\n</html>\n",
                   kBag, kBag, kListCsv);
  return o;
}

std::string record_html(const Handover& h, const std::optional<std::string>& archive, const std::string& from,
                        const std::string& to, std::size_t documents, const SealedBag& bag) {
  std::string o = html_head("Biên bản giao nhận hồ sơ, tài liệu — " + h.unit, "A4",
                            "table.head td { width: 50%; text-align: center; vertical-align: top; }\n"
                            "span.unit { font-weight: bold; text-transform: uppercase; }\n"
                            "p.line { margin: 0.4em 0; }\n");
  o += "<table class=\"head\"><tr><td><span class=\"unit\">" + html_escape(h.unit) +
       "</span><br>Số: ……/BB-……</td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b><u>Độc lập - Tự do - Hạnh "
       "phúc</u></b><br><i>……………, ngày …… tháng …… năm ……</i></td></tr></table>\n";
  o += "<h1>BIÊN BẢN</h1>\n<p class=\"sub\">Về việc giao nhận hồ sơ, tài liệu</p>\n";
  o += "<p class=\"line\">Căn cứ Luật Lưu trữ năm 2024;</p>\n"
       "<p class=\"line\">Căn cứ Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác văn thư;</p>\n";
  o += fmt::format("<p class=\"line\">Căn cứ Mục lục hồ sơ, tài liệu nộp lưu năm kết thúc công việc {} của {},</p>\n",
                   h.year, html_escape(h.unit));
  o += "<p class=\"line\">Hôm nay, ngày …… tháng …… năm ……, tại ……………………, chúng tôi gồm:</p>\n";
  o += "<p class=\"line\"><b>BÊN GIAO:</b> " + html_escape(h.unit) + "</p>\n"
       "<p class=\"line\">Đại diện: Ông (Bà) …………………………………… Chức vụ: ……………………………………</p>\n";
  o += "<p class=\"line\"><b>BÊN NHẬN:</b> " + (archive ? html_escape(*archive) : std::string(kBlank) + kBlank) +
       "</p>\n<p class=\"line\">Đại diện: Ông (Bà) …………………………………… Chức vụ: ……………………………………</p>\n";
  o += "<p class=\"line\">Thống nhất lập biên bản giao nhận hồ sơ, tài liệu như sau:</p>\n<ol>\n";
  o += fmt::format("<li>Tên khối tài liệu giao nộp: hồ sơ mô hình, điển hình phong trào Toàn dân bảo vệ an ninh Tổ quốc "
                   "của {}, năm kết thúc công việc {}.</li>\n", html_escape(h.unit), h.year);
  o += fmt::format("<li>Thời gian của tài liệu: từ ngày {} đến ngày {}.</li>\n", html_escape(vn_date(from)),
                   html_escape(vn_date(to)));
  o += fmt::format("<li>Số lượng tài liệu: {} hồ sơ (đơn vị bảo quản), gồm {} văn bản; tài liệu điện tử đóng gói theo "
                   "chuẩn BagIt (RFC 8493) trong thư mục <code>{}/</code>, mỗi hồ sơ kèm các bản ghi đã ký số của sổ "
                   "cái, chứng minh thuộc cây Merkle của sổ cái, và các tệp văn bản sổ cái còn lưu giữ.</li>\n",
                   h.files.size(), documents, kBag);
  o += fmt::format("<li>Tình trạng tài liệu giao nộp: ……………………………………………………………………<br>Mã kiểm tra toàn vẹn của gói "
                   "(SHA-256 của tệp <code>{}/tagmanifest-sha256.txt</code>): <code>{}</code>; Payload-Oxum {}.{}"
                   ".</li>\n", kBag, to_hex(bag.tagmanifest), bag.payload_octets, bag.payload_files);
  o += fmt::format("<li>Kèm theo: Mục lục hồ sơ, tài liệu nộp lưu ({} hồ sơ; tệp {} và {}).</li>\n</ol>\n",
                   h.files.size(), kListHtml, kListCsv);
  o += "<p class=\"line\">Bên giao đã giao và bên nhận đã nhận đủ số lượng hồ sơ, tài liệu nêu trên.</p>\n"
       "<p class=\"line\">Biên bản này được lập thành hai bản, mỗi bên giữ một bản.</p>\n";
  o += "<table class=\"sign\"><tr><td><b>ĐẠI DIỆN BÊN GIAO</b><br><i>(Ký, ghi rõ họ tên, đóng dấu)</i></td>"
       "<td><b>ĐẠI DIỆN BÊN NHẬN</b><br><i>(Ký, ghi rõ họ tên, đóng dấu)</i></td></tr></table>\n";
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace

Result<WrittenHandover> write_handover(const ledger::Ledger& ledger, const projections::Handover& h,
                                       const std::string& out, const std::optional<std::string>& archive) {
  const std::uint64_t size = ledger.size();
  const LedgerPoint at{ledger.info().origin, to_hex(ledger.root(size)), size};
  std::size_t documents = 0, attachments = 0;
  std::string from, to;
  for (const auto& f : h.files) {
    documents += f.acts;
    attachments += f.attachments;
    if (from.empty() || f.first_date < from) from = f.first_date;
    if (f.last_date > to) to = f.last_date;
  }

  auto created = ledger::OutputDirectory::create(out, N_("handover creates the output directory itself"));
  if (!created) return std::unexpected(created.error());
  ledger::OutputDirectory& dir = *created;
  const std::string csv = list_csv(h);
  SealedBag bag;
  Status s = dir.write_text(kListCsv, csv);
  for (const char* sub : {"bag", "bag/data", "bag/data/ho-so"})
    if (s) s = dir.make_subdirectory(sub);
  for (std::size_t i = 0; s && i < h.files.size(); ++i) {
    ledger::ExportOptions o;
    o.subject = h.files[i].file.subject;
    auto exported = ledger::export_bundle(ledger, dir, std::string(kBag) + "/" + bundle_path(i, h.files.size()), o);
    if (!exported) s = std::unexpected(exported.error());
  }
  if (s) s = dir.write_text(std::string(kBag) + "/data/" + kListCsv, csv);
  if (s) {
    const std::string bagging_date = vietnam_today();
    auto sealed = seal_bag(
        dir, kBag,
        {{"Source-Organization", h.unit},
         {"Bagging-Date", bagging_date},
         {"External-Description",
          fmt::format("Hồ sơ mô hình, điển hình phong trào Toàn dân bảo vệ an ninh Tổ quốc của {} có năm kết thúc "
                      "công việc {}, giao nộp vào Lưu trữ cơ quan: {} hồ sơ, {} văn bản",
                      h.unit, h.year, h.files.size(), documents)},
         {"External-Identifier", fmt::format("{} handover {} {} size {}", at.origin, h.year, h.unit, at.size)},
         {"Bag-Count", "1 of 1"},
         {"Handover-Year", std::to_string(h.year)},
         {"Handover-Files", std::to_string(h.files.size())},
         {"Handover-Documents", std::to_string(documents)},
         {"Ledger-Origin", at.origin},
         {"Ledger-Tree-Size", std::to_string(at.size)},
         {"Ledger-Root-SHA256", at.root}});
    if (sealed) bag = *sealed;
    else s = std::unexpected(sealed.error());
  }
  if (s) s = dir.write_text(kListHtml, list_html(h, archive, at, documents));
  if (s) s = dir.write_text(kRecordHtml, record_html(h, archive, from, to, documents, bag));
  if (!s) {
    dir.remove();
    return std::unexpected(s.error());
  }
  return WrittenHandover{documents, attachments, from, to, bag, at};
}

void add_handover(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, unit, out, archive, as_of;
    int year = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("handover", N_("Hand a unit's files over to its archive: the list, the record, a BagIt bag"));
  cmd->footer(R"(Hand-over (giao nộp hồ sơ vào Lưu trữ cơ quan): within a year after the year its work ended, a file
kept 5 years or more goes from the unit that made it to the agency archive, with a list of the files (mục lục hồ
sơ) and a hand-over record (biên bản giao nhận), two copies each (Decree 30/2020/NĐ-CP art. 29-31; Law on
Archives 2024).
Which files: those --unit keeps (the unit that founded the subject), with those of the units under it in the
registry as on --as-of (antq units; --unit in any case or Unicode form, an unknown one exit 2 with the nearest
names): antq retention --unit lists them. Of those, the files whose work ended in --year (the model's termination
or merger, the exemplar's end), of a class the retention schedule hands over (antq retention shows due_kind
handover, or status handover-due / handover-overdue). Left out, and said so:
files handed over already (archive.transferred), files under a hold (record.held, until record.released), files
whose every document was disposed, files of a class the unit keeps itself. Files judged as on --as-of (default:
today).
What it writes (OUT is created; an existing path is refused; on error nothing is left):
  OUT/muc-luc-ho-so.html     the list of files, printable (A4 landscape): STT, Mã hồ sơ (the subject id), Tiêu đề,
                             Ngày bắt đầu / kết thúc (first and last act), Thời hạn bảo quản, Số lượng văn bản (the
                             acts of the file), Số trang ("—": the ledger does not know page counts), Ghi chú
  OUT/muc-luc-ho-so.csv      the same list, UTF-8 with a BOM, ISO dates, with the file metadata Decree 30/2020
                             Appendix VI asks for (code, title, period, creator unit, language, dates, documents)
  OUT/bien-ban-giao-nhan.html the hand-over record to print twice and sign: the parties (--archive, or a blank
                             line), the number of files and documents, the list, the bag's SHA-256
  OUT/bag/                   a BagIt bag (RFC 8493): data/ho-so/NNN/ is the file numbered NNN in the list as an
                             `antq export --subject` bundle (its signed entries with inclusion proofs against the
                             checkpoint beside them, the documents the ledger still holds, certificates, schema,
                             FORMAT.md, README.txt); data/muc-luc-ho-so.csv; manifest-sha256.txt, bag-info.txt,
                             tagmanifest-sha256.txt. docs/handover.md describes it.
Checking the bag: any BagIt validator (e.g. `bagit.py --validate OUT/bag` of the Library of Congress), and each
file's bundle with your own anchors:
  antq verify-bundle OUT/bag/data/ho-so/001 --operator-key OPERATOR.vkey --trust ROOTS.pem
Then, once the archive has received them, the unit records the hand-over: an archive.transferred act (subject
"ledger", data.subjects the file codes, data.archive the archive), signed by its competent person and its
organisation (antq record ... --person KEY:CERT --org KEY:CERT); antq retention then shows the files transferred.
JSON (--json): unit, year, as_of, archive, out, files[] (number, code, title, kind, start, end, ended, period,
period_years, provisional, documents, attachments, disposed, pages (null: unknown), status, due, bundle),
not_handed_over[] (code, title, reason: transferred|held|disposed|kept, status, holds, transferred_by),
without_keeper[], counts, bag (path, payload_oxum, tagmanifest_sha256), paths[], next_act.
Example: antq handover ledger/ --unit 'UBND xã Đoàn Kết' --year 2024 -o giao-nop-2024 --archive 'Lưu trữ UBND huyện')");
  cmd->add_option("DIR", args->dir, "The ledger")->required();
  cmd->add_option("--unit", args->unit, "The unit that keeps the files and hands them over, with the units under it (antq units; any case or Unicode form)")->required();
  cmd->add_option("--year", args->year, "The year the files' work ended")->required()->check(CLI::Range(1900, 9999));
  cmd->add_option("-o,--out", args->out, "The directory to write (created; must not exist)")->required();
  cmd->add_option("--archive", args->archive, "The receiving archive's name (else a blank line in the record)");
  cmd->add_option("--as-of", args->as_of, "Judge the files as on DATE (YYYY-MM-DD); default today");
  cmd->add_flag("--json", args->json, "Print the summary as JSON");
  cmd->callback([args, &run] {
    run = [args]() -> int {
      if (!args->as_of.empty() && !ledger::is_date(args->as_of))
        return fail(bad_input(i18n::Text("--as-of: expected a date YYYY-MM-DD, got \"{}\"", args->as_of)));
      if (args->unit.empty()) return fail(bad_input(i18n::Text("--unit: name the unit that keeps the files")));
      auto opened = ledger::Ledger::open(args->dir);
      if (!opened) return fail(opened.error());
      const ledger::Ledger& ledger = **opened;
      const std::string on = args->as_of.empty() ? vietnam_today() : args->as_of;
      const std::optional<std::string> archive = args->archive.empty() ? std::nullopt : std::optional(args->archive);
      // The unit as the other --unit options resolve it (any case or Unicode form; exit 2 with the nearest names
      // when unknown), and its files with those of the units under it in the registry (antq retention --unit).
      auto unit = queries::resolve_unit(ledger, args->unit, projections::Scope{});
      if (!unit) return fail(unit.error());
      auto h = projections::handover_of(ledger, *unit, args->year, on, queries::unit_cover(ledger, *unit, on));
      if (!h) return fail(h.error());
      if (!h->schedule)
        return fail(
            bad_input(i18n::Text("{}: the ledger holds no retention schedule (its profile was stored before "
                                 "schedules existed): an administrator adopts one with "
                                 "retention.schedule-adopted",
                                 args->dir)));
      if (h->unit_files == 0)
        return fail(
            bad_input(i18n::Text("no file of {} is kept by \"{}\": a file is kept by the unit that founded its "
                                 "subject, as `antq retention {} --format csv` lists in its unit column",
                                 args->dir, *unit, args->dir)));
      if (h->files.empty()) {
        std::map<std::string, std::vector<std::string>> why;
        for (const auto& f : h->others) why[f.reason].push_back(f.file.subject);
        i18n::Text detail;
        bool first = true;
        for (const auto& [reason, ids] : why) {
          std::string list;
          for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
          i18n::Text said = i18n::Text("{}: {}",
                                       reason == "transferred" ? i18n::Text("handed over already")
                                       : reason == "held"      ? i18n::Text("under a hold")
                                       : reason == "disposed"  ? i18n::Text("every document disposed")
                                                               : i18n::Text("of a class the unit keeps"),
                                       list);
          detail = first ? said : i18n::Text("{}; {}", detail, said);
          first = false;
        }
        if (why.empty())
          return fail(bad_input(i18n::Text("nothing to hand over: no file {} keeps whose work ended in {} is due for "
                                           "the archive on {} (none of its files ended that year)",
                                           *unit, args->year, on)));
        return fail(bad_input(i18n::Text("nothing to hand over: no file {} keeps whose work ended in {} is due for the "
                                         "archive on {}; {}",
                                         *unit, args->year, on, detail)));
      }

      auto written = write_handover(ledger, *h, args->out, archive);
      if (!written) return fail(written.error());
      const auto& [documents, attachments, from, to, bag, at] = *written;

      // The act that records the hand-over once the archive has the files.
      std::string level;
      if (auto state = projections::SubjectReader(ledger).current(h->files.front().file.subject))
        level = state->authority.level;
      json subjects = json::array();
      for (const auto& f : h->files) subjects.push_back(f.file.subject);
      const json next_act = {
          {"act", "archive.transferred"},
          {"subject", "ledger"},
          {"date", vietnam_today()},
          {"document", {{"number", "…/BB-…"}, {"title", "Biên bản giao nhận hồ sơ, tài liệu"}, {"issuer", h->unit}}},
          {"authority", {{"level", level}, {"unit", h->unit}}},
          {"data", {{"subjects", subjects}, {"archive", archive ? *archive : "…"}}}};
      const std::string out = args->out;
      auto path = [&](const std::string& p) { return (std::filesystem::path(out) / p).string(); };
      const std::vector<std::string> paths = {path(kListHtml), path(kListCsv), path(kRecordHtml), path(kBag)};

      if (args->json) {
        json files = json::array(), others = json::array(), unkept = json::array();
        for (std::size_t i = 0; i < h->files.size(); ++i) {
          const HandoverFile& f = h->files[i];
          files.push_back({{"number", i + 1},
                           {"code", f.file.subject},
                           {"title", f.title},
                           {"kind", f.file.kind},
                           {"start", f.first_date},
                           {"end", f.last_date},
                           {"ended", f.file.ended ? json(*f.file.ended) : json(nullptr)},
                           {"period", f.record.period},
                           {"period_years", f.record.years ? json(*f.record.years) : json(nullptr)},
                           {"provisional", f.record.provisional},
                           {"documents", f.acts},
                           {"attachments", f.attachments},
                           {"disposed", f.disposed},
                           {"pages", nullptr},
                           {"status", f.record.status},
                           {"due", f.record.due ? json(*f.record.due) : json(nullptr)},
                           {"bundle", path(std::string(kBag) + "/" + bundle_path(i, h->files.size()))}});
        }
        std::map<std::string, std::size_t> counts{{"files", h->files.size()}, {"documents", documents},
                                                  {"attachments", attachments}};
        for (const HandoverFile& f : h->others) {
          ++counts[f.reason];
          json holds = json::array();
          for (auto seq : f.file.holds) holds.push_back(seq);
          others.push_back({{"code", f.file.subject},
                            {"title", f.title},
                            {"reason", f.reason},
                            {"status", f.record.status},
                            {"holds", holds},
                            {"transferred_by", f.file.transferred ? json(f.file.transferred->seq) : json(nullptr)}});
        }
        for (const auto& f : h->unkept) unkept.push_back(f.subject);
        print_json({{"unit", h->unit},
                    {"year", h->year},
                    {"as_of", on},
                    {"archive", archive ? json(*archive) : json(nullptr)},
                    {"out", out},
                    {"files", files},
                    {"not_handed_over", others},
                    {"without_keeper", unkept},
                    {"counts", counts},
                    {"bag", {{"path", path(kBag)},
                             {"payload_oxum", fmt::format("{}.{}", bag.payload_octets, bag.payload_files)},
                             {"tagmanifest_sha256", to_hex(bag.tagmanifest)}}},
                    {"paths", paths},
                    {"next_act", next_act}});
        return kOk;
      }

      // The summary in the reader's language (the list and the record are Vietnamese documents in both).
      const i18n::Lang lang = i18n::process_lang();
      print_line(h->files.size() == 1
                     ? i18n::trf(lang, "hand-over of {}: {} file whose work ended in {}, {} documents (judged on {})",
                                 h->unit, h->files.size(), h->year, documents, i18n::date(lang, on))
                     : i18n::trf(lang, "hand-over of {}: {} files whose work ended in {}, {} documents (judged on {})",
                                 h->unit, h->files.size(), h->year, documents, i18n::date(lang, on)));
      for (std::size_t i = 0; i < h->files.size(); ++i) {
        const HandoverFile& f = h->files[i];
        std::cout << "  " << list_number(i, h->files.size()) << "  " << cell(f.file.subject, 14) << ' '
                  << cell(f.first_date + " – " + f.last_date, 24) << ' ' << cell(period_vi(f.record), 22) << ' '
                  << cell(fmt::format("{} văn bản", f.acts), 12) << ' ' << cell(f.record.status, 17) << ' '
                  << visible(f.title) << '\n';
      }
      if (!h->others.empty()) {
        std::cout << i18n::tr(lang, "not handed over:") << "\n";
        for (const HandoverFile& f : h->others)
          std::cout << "  " << cell(f.file.subject, 14) << ' ' << visible(reason_vi(f, *h)) << '\n';
      }
      if (!h->unkept.empty()) {
        std::string ids;
        for (const auto& f : h->unkept) ids += " " + f.subject;
        print_line(i18n::trf(lang,
                             "note: files whose work ended in {} that no unit keeps on record (their subject names no "
                             "founding unit, as an exemplar ended without recognition), in no unit's hand-over:{}",
                             h->year, ids));
      }
      std::cout << i18n::tr(lang, "written:") << "\n";
      const auto wrote = [&](const std::string& file, const std::string& what) {
        print_line(fmt::format("  {:<40} {}", file, what));
      };
      wrote(path(kListHtml), i18n::tr(lang, "the list of files (print two copies)"));
      wrote(path(kListCsv), i18n::tr(lang, "the same list as CSV (also in the bag)"));
      wrote(path(kRecordHtml), i18n::tr(lang, "the hand-over record (print two copies, both sides sign)"));
      wrote(path(kBag) + "/",
              i18n::trf(lang, "BagIt bag: {} bundles, Payload-Oxum {}.{}, tagmanifest SHA-256 {}", h->files.size(),
                        bag.payload_octets, bag.payload_files, to_hex(bag.tagmanifest)));
      std::cout << "\n" << i18n::tr(lang, "Check each file's bundle with your own anchors:") << "\n";
      print_line(fmt::format("  antq verify-bundle {} --operator-key OPERATOR.vkey --trust ROOTS.pem",
                             path(std::string(kBag) + "/" + bundle_path(0, h->files.size()))));
      std::cout << i18n::tr(lang,
                            "Once the archive has received the files, record the hand-over (the record's number and "
                            "date, the archive), signed by the unit's person and organisation:")
                << "\n";
      std::cout << json_text(next_act, 2) << "\n";
      print_line(fmt::format("  antq record {} handover.json --person KEY:CERT --org KEY:CERT", args->dir));
      print_line(
          i18n::trf(lang, "antq retention {} --unit '{}' then shows these files transferred.", args->dir, h->unit));
      return kOk;
    };
  });
}

}  // namespace antq::cli
