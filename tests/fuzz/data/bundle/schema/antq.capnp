# antq-ledger event schema, format version 1. ledger/FORMAT.md explains how each message is stored.
#
# An act is what a person decides (ActBody); an event is the act with its signatures (Event); an entry is the
# event as the ledger stored it (Entry). Everything signed or hashed is the canonical encoding
# (capnp::canonicalize: one segment, no segment table, preorder, truncated) so that the bytes are the same on
# every machine. Fields are only ever added, never renumbered.
@0xe90193e6387d3924;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("antq::schema");

# The signed content. Text is UTF-8 in Unicode NFC.
struct ActBody {
  act @0 :Text;                     # kind, e.g. "model.established" (acts.md)
  subject @1 :Text;                 # e.g. "HB-YT-TDCTQ", "HB-YT-TDCTQ/P017", or "ledger" for registry acts
  date @2 :Text;                    # date of the document, YYYY-MM-DD (Vietnam calendar date)
  document @3 :Document;
  authority @4 :Authority;
  attachments @5 :List(Attachment);
  data @6 :List(Field);             # kind-specific fields, sorted by key, keys unique
}

struct Document {
  number @0 :Text;                  # number and symbol, e.g. "15/QĐ-UBND"
  title @1 :Text;
  issuer @2 :Text;
}

struct Authority {
  level @0 :Text;                   # commune | district | province | ministry | agency
  unit @1 :Text;
}

struct Attachment {
  item @0 :Text;                    # dossier item code of the active profile, e.g. "6" or "E2"
  mediaType @1 :Text;
  sha256 @2 :Data;                  # 32 bytes; the content lives in the attachment store
  size @3 :UInt64;
}

# A JSON-like value, so that `data` of every act kind has one self-describing encoding.
struct Field {
  key @0 :Text;
  value @1 :Value;
}

struct Value {
  union {
    null @0 :Void;
    bool @1 :Bool;
    int @2 :Int64;
    float @3 :Float64;
    text @4 :Text;
    list @5 :List(Value);
    object @6 :List(Field);         # sorted by key, keys unique
  }
}

enum Role {
  person @0;                        # the competent person
  organisation @1;                  # the issuing organisation (applied by the office clerk after the person)
}

struct Signature {
  role @0 :Role;
  signer @1 :Data;                  # SHA-256 of the signer certificate's DER (database `certs`)
  cms @2 :Data;                     # DER CMS SignedData, detached, over Event.body; in an Entry without certificates
}

struct Event {
  body @0 :Data;                    # the canonical encoding of ActBody: exactly the signed bytes
  signatures @1 :List(Signature);
}

# What the ledger stores under key `seq` in database `entries`, canonical; the Merkle leaf is over these bytes.
struct Entry {
  seq @0 :UInt64;                   # 0-based position in the log
  recordedAt @1 :Text;              # admission time, UTC, "YYYY-MM-DDTHH:MM:SSZ"
  event @2 :Event;
}

# The file `antq sign` writes and `antq append` reads: an event in transit, with the certificates its signers
# carry and the content of attachments given by path. Not stored as such.
struct Submission {
  event @0 :Event;                  # signatures' cms carry the signer certificate
  attachments @1 :List(Blob);
}

struct Blob {
  sha256 @0 :Data;
  content @1 :Data;
}

# What admission found in an attachment that is a signed PDF: stored canonical under the attachment's SHA-256 in
# database `pdf_signatures`, one element per signature dictionary in file order. `verify` recomputes it.
struct PdfSignatures {
  signatures @0 :List(PdfSignature);
}

struct PdfSignature {
  byteRange @0 :List(UInt64);       # the /ByteRange [a b c d]: bytes [a, a+b) and [c, c+d) are signed
  subFilter @1 :Text;               # "adbe.pkcs7.detached" or "ETSI.CAdES.detached"
  coversWholeFile @2 :Bool;         # false: the PDF was revised after this signature
  signer @3 :Data;                  # SHA-256 of the signer certificate's DER (database `certs`)
  signingTime @4 :Int64;            # Unix seconds, the CMS signingTime attribute
  algorithm @5 :Text;               # e.g. "RSA-PSS-2048 with SHA-256"
}
