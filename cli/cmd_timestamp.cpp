// antq timestamp: RFC 3161 time-stamps on the signatures of a signed event (CAdES-T), so that their time is proven
// by a time-stamp authority rather than claimed by the signer.
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "cli/signer.hpp"

namespace antq::cli {
namespace {

struct TimestampArgs {
  std::string signed_in, role = "person", out, reply;
  bool json = false;
};

// The signature of `role` in `submission`; bad_input naming the file when it has none.
Result<ledger::SignatureRecord*> signature_of(ledger::Submission& submission, const TimestampArgs& args) {
  const ledger::Role role = args.role == "person" ? ledger::Role::person : ledger::Role::organisation;
  for (auto& s : submission.event.signatures)
    if (s.role == role) return &s;
  return bad_input(i18n::Text("{}: no {} signature to time-stamp", args.signed_in, args.role));
}

Status write_bytes(const std::string& path, ByteView bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) return io_error(i18n::Text("cannot write {} (disk full or no permission?)", path));
  return {};
}

}  // namespace

void add_timestamp(CLI::App& app, Action& run) {
  auto* cmd =
      app.add_subcommand("timestamp", N_("Time-stamp a signature (RFC 3161): its time then proven, not claimed"));
  cmd->require_subcommand(1);
  cmd->footer(
      "A signature's signingTime is what the signer claims. A time-stamp token from a time-stamp authority (TSA)\n"
      "proves the signature existed at the token's time; the ledger then judges the signature at that time, and it\n"
      "may be admitted long after it was made. The ledger must trust the TSA (`antq trust add-tsa`). Two steps,\n"
      "with the TSA's HTTP service in between:\n"
      "  antq timestamp request act.signed --role person -o person.tsq\n"
      "  curl -sS -H 'Content-Type: application/timestamp-query' --data-binary @person.tsq https://tsa.example/ \\\n"
      "       -o person.tsr\n"
      "  antq timestamp add act.signed --role person --reply person.tsr -o act.signed\n"
      "(`openssl ts -reply` answers a request too, from a TSA key and certificate: tools/demo-pki.sh makes a test\n"
      "TSA.) Each signature is stamped on its own (both sign the act, not each other); add the tokens before\n"
      "`append`.");
  auto args = std::make_shared<TimestampArgs>();

  auto* request =
      cmd->add_subcommand("request", N_("Write the TimeStampReq (DER) for one signature of a signed event"));
  request->add_option("SIGNED", args->signed_in, "The signed event (from `antq sign`)")->required();
  request->add_option("--role", args->role, "Whose signature: person (default) | organisation")
      ->check(CLI::IsMember({"person", "organisation"}));
  request->add_option("-o,--out", args->out, "Where to write the request (.tsq)")->required();
  request->add_flag("--json", args->json, "JSON: signed, role, out, bytes (of the request written)");
  request->callback([args, &run] {
    run = [args]() -> int {
      auto submission = read_submission(args->signed_in);
      if (!submission) return fail(submission.error());
      auto signature = signature_of(*submission, *args);
      if (!signature) return fail(signature.error());
      auto query = signing::timestamp_request((*signature)->cms);
      if (!query) return fail(bad_input(i18n::Text("{}: {}", args->signed_in, text_of(query.error()))));
      if (auto s = write_bytes(args->out, *query); !s) return fail(s.error());
      if (args->json) {
        print_json({{"signed", args->signed_in}, {"role", args->role}, {"out", args->out}, {"bytes", query->size()}});
        return kOk;
      }
      std::cout << i18n::trf(i18n::process_lang(),
                             "time-stamp request for the {} signature -> {} (SHA-256 of the signature value, a nonce, "
                             "certReq)",
                             args->role, args->out)
                << "\n";
      return kOk;
    };
  });

  auto* add = cmd->add_subcommand("add", N_("Add a TSA's reply to a signature as its time-stamp token"));
  add->add_option("SIGNED", args->signed_in, "The signed event")->required();
  add->add_option("--role", args->role, "Whose signature: person (default) | organisation")
      ->check(CLI::IsMember({"person", "organisation"}));
  add->add_option("--reply", args->reply, "The TSA's TimeStampResp (DER, .tsr)")->required();
  add->add_option("-o,--out", args->out, "Where to write the signed event (may be SIGNED itself)")->required();
  add->add_flag("--json", args->json, "JSON: signed, role, reply, out");
  add->callback([args, &run] {
    run = [args]() -> int {
      auto submission = read_submission(args->signed_in);
      if (!submission) return fail(submission.error());
      auto signature = signature_of(*submission, *args);
      if (!signature) return fail(signature.error());
      auto reply = read_text(args->reply, kMaxCheckpointBytes, N_("time-stamp reply"));
      if (!reply) return fail(reply.error());
      auto stamped = signing::add_timestamp((*signature)->cms, as_bytes(*reply));
      if (!stamped) return fail(bad_input(i18n::Text("{}: {}", args->reply, text_of(stamped.error()))));
      (*signature)->cms = std::move(*stamped);
      if (auto s = write_submission(args->out, *submission); !s) return fail(s.error());
      if (args->json) {
        print_json({{"signed", args->signed_in}, {"role", args->role}, {"reply", args->reply}, {"out", args->out}});
        return kOk;
      }
      std::cout << "time-stamped the " << args->role << " signature -> " << args->out << "\n";
      return kOk;
    };
  });
}

}  // namespace antq::cli
