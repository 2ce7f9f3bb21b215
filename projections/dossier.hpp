// Dossier completeness (domain.md §6): every item of the profile's list for a subject — 16 items for a model under
// the Ministry baseline, 10 or 7 under Bắc Giang, 5 for an exemplar — with its status and the documents behind it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"
#include "projections/admission.hpp"
#include "i18n/i18n.hpp"
#include "projections/profile.hpp"
#include "projections/query.hpp"

namespace antq::projections {

struct DossierAttachment {
  Digest sha256{};
  std::string media_type;
  std::uint64_t size = 0;
  bool held = true;                              // the ledger holds its bytes (false: held elsewhere, or disposed)
  std::optional<Disposal> disposal;              // the record.disposed decision that destroyed its bytes
  std::vector<ledger::PdfSignatureRecord> pdf;   // the PDF's own signatures, as verified at admission
};

struct DossierDocument {
  std::uint64_t seq = 0;
  std::string part;  // the sealed part whose entry `seq` is (a carried-over subject's papers filed before); "" for own
  std::string act, date;
  ledger::Act::Document document;
  std::vector<std::pair<ledger::Role, Digest>> signers;  // role, certificate fingerprint
  std::vector<DossierAttachment> attachments;           // those filed under this item
};

struct DossierEntry {
  DossierItem item;
  // present | missing | not-required | disposed (design.md §5)
  std::string status;
  i18n::Text reason;  // why not-required or missing
  std::vector<DossierDocument> documents;
};

struct Dossier {
  std::string subject, kind, stage, type;
  std::string profile;  // the profile whose list applies
  std::vector<DossierEntry> items;
  std::size_t present = 0, missing = 0, not_required = 0, disposed = 0;
  // present / (present + missing): a disposed item counts neither as present nor as missing (its documents were
  // destroyed lawfully). 1 when nothing is required yet.
  double completeness() const;
};

// A carried-over subject's chain in the sealed part it came from (ledger/FORMAT.md §14): the part's entries its
// carried record lists, when `links` (its own chain here) begins with the subject.carried-over act; none otherwise.
struct PartLinks {
  std::string part;
  std::vector<ChainLink> links;
};
PartLinks carried_links(const ledger::Ledger& ledger, const std::vector<ChainLink>& links);

// The dossier of `id` as of `at`, under `profile`, or when none is given the profile in force then (the subject's
// latest act date when `at` gives no date). bad_input when the subject is unknown then.
Result<Dossier> dossier_of(const ledger::Ledger& ledger, const std::string& id, const AsOf& at,
                           const Profile* profile = nullptr);

// The dossier of the subject in state `s` whose own acts (as of the same point) are `links`, under `profile`: for
// callers that have read them already (the audit).
Dossier dossier_from(const ledger::Ledger& ledger, const SubjectState& s, const std::vector<ChainLink>& links,
                     const Profile& profile);

}  // namespace antq::projections
