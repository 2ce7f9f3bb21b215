// The presentation of an administrative document (thể thức văn bản hành chính) under Decree 30/2020/NĐ-CP, Appendix
// I, as printable HTML: the two-column heading (governing and issuing body, number and symbol | national title,
// motto, place and date), the kind and subject, then the caller's body, then the recipients (bottom left) and the
// signature block (bottom right). A4, Times New Roman 13-14 pt, margins 20 mm top and bottom, 30 mm left, 15 mm
// right, page numbers in Arabic figures centred at the top from page 2 (CSS @page margin boxes). Every text printed
// comes from the caller and goes through html_escape (cli/display.hpp).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace antq::cli {

// What the issuing unit fills in. Empty fields print as blanks to fill by hand (the issuer, number, place, the
// signer's name), or not at all (the governing body, the signer's authority and title).
struct OfficialDocument {
  std::string governing_body;  // cơ quan chủ quản, printed above the issuer; "" for none
  std::string issuer;          // tên cơ quan, tổ chức ban hành văn bản
  std::string number;          // "12/BC-UBND": printed "Số: 12/BC-UBND"; "" for a blank the clerk fills on issue
  std::string symbol;          // used only when `number` is "": the symbol after the blank ("BC-UBND")
  std::string place;           // địa danh: "Phú Lai"
  std::string date;            // YYYY-MM-DD
  // Nơi nhận, without the "- " and ";" (added); "Lưu: VT." is added last unless the last one starts with "Lưu".
  std::vector<std::string> recipients;
  std::string signer_authority;  // quyền hạn: "TM. ỦY BAN NHÂN DÂN"; "" when the head signs in own name
  std::string signer_title;      // chức vụ: "CHỦ TỊCH"
  std::string signer_name;       // họ và tên; "" leaves the line blank
};

// The policy under which a printable document is shown: no script runs in it, nothing it names is fetched, no form
// of it is sent anywhere and no <base> changes where its links lead.
inline constexpr std::string_view kDocumentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'";
// How every printable document begins (print_document_head): the policy above before anything else, so that it
// governs the whole document wherever it is opened from. A report antq fetches from the service must begin so.
inline constexpr std::string_view kDocumentPrologue =
    "<!doctype html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src "
    "data:; form-action 'none'; base-uri 'none'\">\n";
static_assert(kDocumentPrologue.find(kDocumentSecurityPolicy) != std::string_view::npos);

// `text` in upper case (Unicode simple case mapping, NFC first): "UBND xã Phú Lai" -> "UBND XÃ PHÚ LAI". Invalid
// UTF-8 is returned as it is.
std::string upper_case(std::string_view text);

// The date line of Decree 30 (Appendix I, II.5.b): "Phú Lai, ngày 05 tháng 6 năm 2026": a day below 10 and the
// months 1 and 2 with a leading zero, other months without. `date` is YYYY-MM-DD (checked by the caller).
std::string decree30_date_line(std::string_view place, std::string_view date);
// A date in running text: "05/6/2026", with the same leading zeros.
std::string decree30_date(std::string_view date);

// The place name (địa danh) a unit's name carries: the words after its last administrative level ("UBND xã Phú Lai"
// -> "Phú Lai", "Công an tỉnh Hòa Bình" -> "Hòa Bình"); "" when the name has none.
std::string place_of(std::string_view unit);

// The symbol of a report of `issuer`: "BC-" and the issuer's leading abbreviation ("UBND xã Phú Lai" -> "BC-UBND"),
// "BC" when its name starts with no abbreviation.
std::string report_symbol(std::string_view issuer);

// The page up to and including the opening of the body: <!doctype>, the style sheet, the heading, kind ("BÁO CÁO")
// and subject (trích yếu); then <div class="body">. `title` is the page's <title>.
void print_document_head(std::ostream& out, const OfficialDocument& doc, std::string_view title, std::string_view kind,
                         std::string_view subject);
// Closes the body, prints the recipients and the signature block, and closes the page.
void print_document_close(std::ostream& out, const OfficialDocument& doc);

}  // namespace antq::cli
