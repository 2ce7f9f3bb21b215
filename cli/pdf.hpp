// Printing an HTML page of antq (the report as an official document) to PDF with headless Chromium.
//
// Why Chromium and not WeasyPrint: Debian's chromium is already a dependency of the project (the inspector's desk is
// tested in it, tools/install-deps.sh installs it), it lays out the same HTML the service's report route serves as a
// browser shows it, and since Chromium 131 it prints the CSS @page margin boxes the page numbers need. WeasyPrint 57
// would add a second layout engine (and Python with it) for one command.
#pragma once

#include <filesystem>
#include <string_view>

#include "signing/result.hpp"

namespace antq::cli {

// The environment variable naming the Chromium to run (a path); unset, `chromium` is looked up in PATH.
inline constexpr const char* kChromiumVariable = "ANTQ_CHROMIUM";

// The Chromium to print with: $ANTQ_CHROMIUM when set (bad_input when it is not an executable file), else the first
// executable `chromium` in PATH; bad_input naming the Debian package to install when there is none.
Result<std::filesystem::path> find_chromium();

// Writes `html` (a whole page that loads nothing from outside) as an A4 PDF to `output`: printed by `chromium`
// into a temporary file in output's directory, checked to be a PDF, flushed, then renamed over `output`, so that a
// failure leaves `output` as it was and no temporary file behind. io_error with Chromium's last line when it fails
// or takes longer than two minutes (it is killed); bad_input when output's directory cannot be written.
Status print_pdf(const std::filesystem::path& chromium, std::string_view html, const std::filesystem::path& output);

}  // namespace antq::cli
