// antq append / antq record: admit signed events.
#include <iostream>

#include "cli/common.hpp"
#include "cli/display.hpp"
#include "cli/operator_key.hpp"
#include "cli/service_client.hpp"
#include "cli/signer.hpp"
#include "ledger/checkpoint.hpp"
#include "ledger/ledger.hpp"
#include "ledger/merkle.hpp"
#include "projections/admission.hpp"

namespace antq::cli {
namespace {

// What append prints of each event admitted, locally or by the service: seq, act, subject (and its file, in JSON;
// from the service, the receipt the client checked, evidence to keep).
struct Admitted {
  std::uint64_t seq = 0;
  std::string act, subject, source;
  nlohmann::json receipt = nullptr;
};

int print_admitted(const std::vector<Admitted>& admitted, bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const Admitted& a : admitted) {
    out.push_back({{"seq", a.seq}, {"act", a.act}, {"subject", a.subject}, {"source", a.source}});
    if (!a.receipt.is_null()) out.back()["receipt"] = a.receipt;
    if (!json) std::cout << fmt::format("{:<8} ", a.seq) << cell(a.act, 30) << ' ' << visible(a.subject) << '\n';
  }
  if (json) print_json(out);
  return kOk;
}

// Appends `events` to `ledger` (opened by open_for_append) and prints their seqs.
int append_and_print(ledger::Ledger& ledger, const std::vector<ledger::Submission>& events, bool json) {
  auto admission = projections::make_admission(ledger);
  if (!admission) return fail(admission.error());
  auto seqs = ledger.append(events, **admission);
  if (!seqs) return fail(seqs.error());
  std::vector<Admitted> admitted;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto act = ledger::decode_body(events[i].event.body);  // admitted, so it decodes
    admitted.push_back({(*seqs)[i], act->act, act->subject, events[i].label});
  }
  return print_admitted(admitted, json);
}

// Where the events go instead of a ledger directory: antq serve (--server URL --client-cert KEY:CERT).
struct Remote {
  std::string url, client_cert, server_ca;
  bool given() const { return !url.empty(); }
};

void add_remote_options(CLI::App* cmd, Remote& r) {
  cmd->add_option("--server", r.url, "Submit to antq serve at URL (https://HOST:PORT) instead of a ledger directory");
  cmd->add_option("--client-cert", r.client_cert,
                  "With --server: KEY:CERT of the certificate the service knows you by (the one authority.bound binds)");
  cmd->add_option("--server-ca", r.server_ca, "With --server: PEM roots the server's certificate must chain to");
}

// With --server, --operator-key names the operator's verifier key (operator.vkey, as verify-bundle and mirror take
// it), which the service's checkpoint must verify with: read before anything is signed. nullopt when not given.
Result<std::optional<ledger::VerifierKey>> receipt_key(const std::string& given) {
  if (given.empty()) return std::optional<ledger::VerifierKey>();
  auto key = read_verifier_key(given, i18n::Text("with --server, the operator's verifier key (operator.vkey)"));
  if (!key) return std::unexpected(key.error());
  return std::optional<ledger::VerifierKey>(std::move(*key));
}

// A 201 that does not prove the act in the log (exit 1): the act may have been admitted all the same.
std::unexpected<Error> receipt_fault(const std::string& where, const i18n::Text& why) {
  return corruption(
      i18n::Text("{}: the answer does not prove that the log holds the act ({}); it may have been admitted: look it "
                 "up (antq history URL SUBJECT) before submitting it again",
                 where, why));
}

// What the service's 201 must prove before an act is said admitted: at consecutive seqs below the tree's size, the
// leaf hash of each entry is that of the entry FORMAT.md §3 makes of the event sent (its CMS without certificates,
// as the ledger stores it) at the seq and recording time the answer gives, and its inclusion proof leads to the root
// of the tree the answer names; with the operator's verifier key, the answer's checkpoint is signed with it and is of
// that tree. corruption (exit 1) naming what does not hold.
// (`answer` is not const: its operator[] gives null for a key it lacks, where the const one's behaviour is undefined.)
Status check_receipt(nlohmann::json& answer, const std::vector<ledger::Submission>& events,
                     const std::optional<ledger::VerifierKey>& key, const std::string& where) {
  const auto fault = [&](const i18n::Text& why) { return receipt_fault(where, why); };
  if (!answer["size"].is_number_unsigned() || !answer["root"].is_string() || !answer["checkpoint"].is_string() ||
      !answer["seqs"].is_array() || answer["seqs"].size() != events.size())
    return fault(i18n::Text("its size, root, checkpoint or seqs are missing"));
  const auto size = answer["size"].get<std::uint64_t>();
  const auto root = digest_from_hex(answer["root"].get<std::string>());
  if (!root) return fault(i18n::Text("its root is not a SHA-256 hash in hex"));
  if (key) {
    auto cp = ledger::open_checkpoint(answer["checkpoint"].get<std::string>(), *key);
    if (!cp) return fault(i18n::Text("its checkpoint: {}", text_of(cp.error())));
    // The signature covers the note's text, not the name on its line: another log's note signed with the same key
    // (a ledger made with `init --operator-key`, the access history) verifies too, and only its origin tells.
    if (cp->origin != key->name)
      return fault(i18n::Text("its checkpoint is of the log {}, not {}", cp->origin, key->name));
    if (cp->size != size || cp->root != *root)
      return fault(i18n::Text("its checkpoint is of a tree of size {}, not of the one it names", cp->size));
  }
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& e = answer["entries"][i];
    const auto seq = e["seq"].get<std::uint64_t>();  // an unsigned number (submit_and_print checked)
    if (answer["seqs"][i] != e["seq"] || (i > 0 && seq != previous + 1) || seq >= size)
      return fault(i18n::Text("entry {}: its seq is not the next one in a tree of size {}", seq, size));
    previous = seq;
    const std::string recorded_at = e["recorded_at"].is_string() ? e["recorded_at"].get<std::string>() : "";
    if (recorded_at.size() != 20 || !signing::parse_time(recorded_at))
      return fault(i18n::Text("entry {}: its recording time is missing or not a UTC time", seq));
    ledger::Entry entry{seq, recorded_at, {events[i].event.body, {}}};
    for (const auto& s : events[i].event.signatures) {
      auto parts = signing::cms_parse(s.cms);  // it parsed when it was read (read_submission)
      if (!parts) return fault(text_of(parts.error()));
      entry.event.signatures.push_back({s.role, s.signer, std::move(parts->without_certificates)});
    }
    const Digest leaf = ledger::leaf_hash(ledger::encode_entry(entry));
    if (!e["leaf_hash"].is_string() || e["leaf_hash"].get<std::string>() != to_hex(leaf))
      return fault(i18n::Text("entry {}: its leaf hash is not that of the act sent, recorded at {}", seq, recorded_at));
    std::vector<Digest> proof;
    if (e["proof"].is_array() && e["proof"].size() <= 64)
      for (const auto& h : e["proof"])
        if (auto d = h.is_string() ? digest_from_hex(h.get<std::string>()) : std::nullopt) proof.push_back(*d);
    if (!e["proof"].is_array() || proof.size() != e["proof"].size() ||
        !ledger::verify_inclusion(seq, size, leaf, proof, *root))
      return fault(
          i18n::Text("entry {}: its inclusion proof does not lead to the root of the tree of size {}", seq, size));
  }
  return {};
}

// POST /v1/acts to the service: the events admitted together (one request) or not at all, as a local append does.
// Prints what append_and_print prints once the answer proves it (check_receipt); a refusal is `refused [RULE]: ...`,
// exit 2, as locally.
int submit_and_print(const Remote& remote, const std::vector<ledger::Submission>& events,
                     const std::optional<ledger::VerifierKey>& key, bool json) {
  if (!is_service_url(remote.url))
    return fail(bad_input(i18n::Text("--server {}: expected https://HOST:PORT", remote.url)));
  auto client = service_client(remote.url, {remote.client_cert, remote.server_ca});
  if (!client) return fail(client.error());
  std::string body;
  HttpHeaders headers;
  if (events.size() == 1) {
    Bytes b = ledger::encode_submission(events[0]);
    body.assign(b.begin(), b.end());
    headers.emplace_back("Content-Type", "application/octet-stream");
  } else {
    for (const auto& e : events) {
      Bytes b = ledger::encode_submission(e);
      for (int i = 7; i >= 0; --i) body.push_back(static_cast<char>((b.size() >> (8 * i)) & 0xff));
      body.append(b.begin(), b.end());
    }
    headers.emplace_back("Content-Type", "application/vnd.antq.signed-events");
  }
  // A refusal comes back in the language this command speaks (HttpClient sends Accept-Language).
  auto response = client->request("POST", "/v1/acts", headers, std::move(body), 16u << 20);
  if (!response) return fail(response.error());
  auto parsed = parse_answer(response->body, client->url().shown());
  if (response->status == 201 && !parsed) return fail(parsed.error());
  nlohmann::json answer = parsed ? std::move(*parsed) : nlohmann::json();
  if (response->status == 422 && answer.is_object() && answer["refused"].is_string() && answer["message"].is_string())
    return fail(refused(shortened(answer["refused"].get<std::string>(), 100),
                        shortened(answer["message"].get<std::string>(), 4096))
                    .error());
  if (response->status != 201 || !answer.is_object() || !answer["entries"].is_array() ||
      answer["entries"].size() != events.size()) {
    return fail(bad_input(answer_line(*client, *response, answer)));
  }
  std::vector<Admitted> admitted;
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& e = answer["entries"][i];  // not const: a key it lacks reads as null (the const operator[] is undefined)
    // Each entry names the act and subject of the event sent in its place.
    auto sent = ledger::decode_body(events[i].event.body);
    if (!e.is_object() || !e["seq"].is_number_unsigned() || !e["act"].is_string() || !e["subject"].is_string() ||
        !sent || e["act"].get<std::string>() != sent->act || e["subject"].get<std::string>() != sent->subject)
      return fail(receipt_fault(client->url().shown(), i18n::Text("its entries are not those of the acts sent")));
    admitted.push_back({e["seq"].get<std::uint64_t>(), e["act"].get<std::string>(), e["subject"].get<std::string>(),
                        events[i].label});
  }
  if (auto s = check_receipt(answer, events, key, client->url().shown()); !s) return fail(s.error());
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto& e = answer["entries"][i];
    admitted[i].receipt = {
        {"recorded_at", e["recorded_at"]}, {"leaf_hash", e["leaf_hash"]}, {"proof", e["proof"]},
        {"tree_size", answer["size"]},     {"root", answer["root"]},      {"checkpoint", answer["checkpoint"]},
        {"anchored", key.has_value()}};
  }
  return print_admitted(admitted, json);
}

}  // namespace

void add_append(CLI::App& app, Action& run) {
  struct Args {
    std::string dir, act, person, org, operator_key;
    std::vector<std::string> files;
    bool json = false, dry_run = false;
    Remote remote;
  };
  auto args = std::make_shared<Args>();
  auto* append = app.add_subcommand("append", N_("Admit signed events (from `antq sign`) into the ledger"));
  append->footer(
      "All events given are admitted together as one durable transaction, in order, or none is: a refused act\n"
      "prints `refused [RULE]: ...` (rules: domain.md §10) and nothing is written. Prints each new seq.\n"
      "The operator's key signs the new checkpoint: --operator-key FILE|URI, else the file (or PKCS#11 URI)\n"
      "ANTQ_OPERATOR_KEY names, else ${XDG_CONFIG_HOME:-$HOME/.config}/antq/operator-keys/ORIGIN.pem, where\n"
      "`antq init` writes it (its passphrase from ANTQ_OPERATOR_PASSPHRASE; a token's PIN from ANTQ_OPERATOR_PIN;\n"
      "else asked for).\n"
      "From an office's own machine, to the provincial service (antq serve) instead of a directory:\n"
      "  antq append --server https://HOST:8443 --client-cert chair.key:chair.crt --server-ca roots.pem act.signed\n"
      "The same output and exit codes; the service answers after its commit is durable. Its answer is checked:\n"
      "the entry of the act sent, at the seq and time it gives, leads by its inclusion proof to the root of the\n"
      "tree it names; with --operator-key operator.vkey (the operator's verifier key, your own copy) that tree's\n"
      "checkpoint must be the operator's, and only then does exit 0 prove the act is in the operator's log. An\n"
      "answer that does not hold together: exit 1. --json adds each act's receipt (checkpoint, proof): keep it.");
  append->add_option("DIR", args->dir, "The ledger (with --server: the first signed event file)")->required();
  append->add_option("SIGNED", args->files, "Signed event files");
  add_remote_options(append, args->remote);
  append->add_flag("--json", args->json,
                   "Print JSON: [{seq, act, subject, source}]; with --server, and receipt {recorded_at, leaf_hash, "
                   "proof, tree_size, root, checkpoint, anchored}");
  append->add_option("--operator-key", args->operator_key,
                     "The operator's key: a file, or a PKCS#11 URI (see below); with --server, its verifier key "
                     "(operator.vkey), which the service's checkpoint must verify with");
  append->callback([args, &run] {
    run = [args]() -> int {
      // With --server there is no ledger directory: every positional argument is a signed event.
      if (args->remote.given()) args->files.insert(args->files.begin(), args->dir);
      if (args->files.empty()) return fail(bad_input(i18n::Text("append: give the signed event files after DIR")));
      std::vector<ledger::Submission> events;
      for (const auto& f : args->files) {
        auto s = read_submission(f);
        if (!s) return fail(s.error());
        events.push_back(std::move(*s));
      }
      if (args->remote.given()) {
        auto key = receipt_key(args->operator_key);
        if (!key) return fail(key.error());
        return submit_and_print(args->remote, events, *key, args->json);
      }
      auto ledger = open_for_append(args->dir, args->operator_key);
      if (!ledger) return fail(ledger.error());
      return append_and_print(**ledger, events, args->json);
    };
  });

  auto* record = app.add_subcommand("record", N_("Sign an act and append it in one step"));
  record->footer(
      "KEY:CERT is split at the last colon, so KEY may be a key on a token, by PKCS#11 URI (PIN from\n"
      "ANTQ_PKCS11_PIN, else asked for). Decision acts (establishment, rating, termination, ...) need --org too.\n"
      "Examples:\n  antq record ./ledger act.json --person chair.key:chair.crt --org office.key:office.crt\n"
      "  antq record ./ledger act.json --person 'pkcs11:token=Chair;object=sign:chair.crt' --org office.key:office.crt\n"
      "Attachments are read as `antq sign` reads them (regular files of at most 64 MiB, never a private key; limits:\n"
      "docs/act-limits.md). --dry-run lists them (item, path, size, SHA-256) and signs and writes nothing:\n"
      "  antq record ./ledger act.json --dry-run\n"
      "The operator's key is found as `antq append` finds it (--operator-key, ANTQ_OPERATOR_KEY, the default file).\n"
      "A key file that no passphrase protects is used, with a warning: anyone who copies it can sign as its holder.");
  record->add_option("DIR", args->dir, "The ledger (with --server: the act)")->required();
  record->add_option("ACT", args->act, "The act as JSON (acts.md)");
  add_remote_options(record, args->remote);
  record->add_option("--person", args->person, "KEY:CERT of the competent person (required unless --dry-run)");
  record->add_option("--org", args->org, "KEY:CERT of the issuing organisation");
  record->add_flag("--json", args->json,
                   "Print JSON: [{seq, act, subject, source}] (with --server, and receipt, as for antq append); with "
                   "--dry-run, the attachments");
  record->add_option("--operator-key", args->operator_key,
                     "The operator's key: a file or a PKCS#11 URI (as for antq append); with --server, its verifier "
                     "key (operator.vkey), which the service's checkpoint must verify with");
  record->add_flag("--dry-run", args->dry_run,
                   "List the attachments (item, path, size, SHA-256) that would be signed; sign and write nothing");
  record->callback([args, &run] {
    run = [args]() -> int {
      if (args->remote.given()) {
        if (!args->act.empty())
          return fail(bad_input(i18n::Text("record --server: give the act only (no ledger directory)")));
        args->act = args->dir;
      }
      if (args->act.empty()) return fail(bad_input(i18n::Text("record: give the act after DIR")));
      if (!args->dry_run && args->person.empty())
        return fail(bad_input(i18n::Text("record: --person is required (see antq record --help)")));
      auto act = read_act(args->act);
      if (!act) return fail(act.error());
      if (args->dry_run) {
        if (auto s = ledger::check_document_date(act->act, signing::now(), N_("signing")); !s) return fail(s.error());
        attach_builtin_profile(*act);
        print_attachments(act->act, act->attachment_sources, args->json);
        return kOk;
      }
      // The operator's key first: without it nothing is signed, and no token asks for its PIN in vain.
      std::unique_ptr<ledger::Ledger> ledger;
      std::optional<ledger::VerifierKey> key;
      if (args->remote.given()) {
        auto read = receipt_key(args->operator_key);
        if (!read) return fail(read.error());
        key = std::move(*read);
      } else {
        auto opened = open_for_append(args->dir, args->operator_key);
        if (!opened) return fail(opened.error());
        ledger = std::move(*opened);
      }
      ledger::Submission submission = unsigned_submission(std::move(*act));
      submission.label = args->act;
      auto person = parse_signer(args->person);
      if (!person) return fail(person.error());
      if (auto s = add_signature(submission, ledger::Role::person, *person); !s) return fail(s.error());
      if (!args->org.empty()) {
        auto org = parse_signer(args->org);
        if (!org) return fail(org.error());
        if (auto s = add_signature(submission, ledger::Role::organisation, *org); !s) return fail(s.error());
      }
      if (args->remote.given()) return submit_and_print(args->remote, {std::move(submission)}, key, args->json);
      return append_and_print(*ledger, {std::move(submission)}, args->json);
    };
  });
}

}  // namespace antq::cli
