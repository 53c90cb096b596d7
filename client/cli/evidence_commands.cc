#include "evidence_commands.h"

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "kith/evidence.h"
#include "kith/files.h"
#include "kith/protocol.h"
#include "output.h"

namespace kith::cli {
namespace {

constexpr char kEntriesFile[] = "evidence.jsonl";
constexpr char kHeadFile[] = "head.json";
constexpr char kAttachmentsDir[] = "attachments";

template <typename Proto>
absl::StatusOr<Proto> ParseJson(const std::string& line, const std::string& where) {
  Proto out;
  if (!google::protobuf::util::JsonStringToMessage(line, &out).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " is not valid JSON for this export"));
  }
  return out;
}

}  // namespace

absl::Status EvidenceAdd(const Globals& g, std::string text, const std::string& attach) {
  auto body = PrivateText(std::move(text), "What happened", "kith evidence add -");
  if (!body.ok()) return body.status();
  text = *std::move(body);
  if (text.empty()) return absl::InvalidArgumentError("say what happened");
  std::string attachment, attachment_name;
  if (!attach.empty()) {
    auto bytes = ReadFile(attach);
    if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot read --attach ", attach));
    attachment = *std::move(bytes);
    attachment_name = std::filesystem::path(attach).filename().string();
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto entry =
      (*c)->vault().AddEvidence(std::move(text), std::move(attachment_name), std::move(attachment));
  if (!entry.ok()) return entry.status();
  Record().Set("index", double(entry->index())).Set("time_ms", double(entry->time_ms()))
      .Print(g.json, absl::StrCat("Entry ", entry->index(), " recorded; the server timestamped it ",
                                  TimeOfDay(entry->time_ms()), " without reading it."));
  return absl::OkStatus();
}

absl::Status EvidenceList(const Globals& g) {
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto entries = (*c)->vault().Evidence();
  if (!entries.ok()) return entries.status();
  if (entries->empty() && !g.json) std::cout << "No evidence yet." << std::endl;
  for (const v1::EvidenceEntry& e : *entries) {
    Record().Set("index", double(e.index())).Set("time_ms", double(e.time_ms()))
        .Set("text", e.text()).Set("attachment", e.attachment_name())
        .Print(g.json, absl::StrCat("[", e.index(), "] ", TimeOfDay(e.time_ms()), "  ", e.text(),
                                    e.attachment_name().empty()
                                        ? ""
                                        : absl::StrCat("  (attached: ", e.attachment_name(), ")")));
  }
  return absl::OkStatus();
}

absl::Status EvidenceExport(const Globals& g, const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(dir, " is not empty: export into a new directory"));
  }
  auto c = g.home().Connect();
  if (!c.ok()) return c.status();
  auto entries = (*c)->vault().Evidence();
  if (!entries.ok()) return entries.status();
  auto head = (*c)->vault().SignEvidenceHead(*entries);
  if (!head.ok()) return head.status();
  if (auto s = g.home().RecordWrittenElsewhere(dir); !s.ok()) return s;
  std::filesystem::create_directories(std::filesystem::path(dir) / kAttachmentsDir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  std::string lines;
  for (v1::EvidenceEntry e : *entries) {
    if (!e.attachment_name().empty()) {
      e.set_attachment_file(absl::StrCat(kAttachmentsDir, "/", e.index(), "-",
                                         std::filesystem::path(e.attachment_name()).filename().string()));
      auto s = WriteFileAtomically(absl::StrCat(dir, "/", e.attachment_file()), e.attachment(), 0600);
      if (!s.ok()) return s;
      e.clear_attachment();
    }
    absl::StrAppend(&lines, JsonLine(e), "\n");
  }
  if (auto s = WriteFileAtomically(absl::StrCat(dir, "/", kEntriesFile), lines, 0600); !s.ok()) return s;
  if (auto s = WriteFileAtomically(absl::StrCat(dir, "/", kHeadFile), JsonLine(*head) + "\n", 0600);
      !s.ok()) {
    return s;
  }
  Record().Set("entries", double(entries->size())).Set("dir", dir).Print(
      g.json, absl::StrCat("Exported ", entries->size(), " entries to ", dir,
                           ". They are in the clear there: keep the folder safe. Anyone can check "
                           "it with 'kith evidence verify ", dir, "'."));
  return absl::OkStatus();
}

absl::Status EvidenceVerify(const Globals& g, const std::string& dir,
                            const std::string& server_key_hex) {
  auto head_text = ReadFile(absl::StrCat(dir, "/", kHeadFile));
  auto entries_text = ReadFile(absl::StrCat(dir, "/", kEntriesFile));
  if (!head_text.ok() || !entries_text.ok()) {
    return absl::NotFoundError(absl::StrCat(dir, " is not an evidence export (no ", kHeadFile,
                                            " or ", kEntriesFile, ")"));
  }
  auto head = ParseJson<v1::EvidenceHead>(*head_text, kHeadFile);
  if (!head.ok()) return head.status();
  std::string server_key = head->server_key();
  if (!server_key_hex.empty()) {
    auto pinned = crypto::FromHex(server_key_hex);
    if (!pinned.ok() || *pinned != server_key) {
      return absl::PermissionDeniedError(
          "this export was timestamped by another server key than the one you gave");
    }
  }
  std::vector<v1::EvidenceEntry> entries;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(*entries_text, '\n', absl::SkipEmpty())) {
    ++line_no;
    auto e = ParseJson<v1::EvidenceEntry>(std::string(line),
                                          absl::StrCat(kEntriesFile, " line ", line_no));
    if (!e.ok()) return e.status();
    if (!e->attachment_file().empty()) {
      const std::string name = std::filesystem::path(e->attachment_file()).filename().string();
      auto bytes = ReadFile(absl::StrCat(dir, "/", kAttachmentsDir, "/", name));
      // A missing attachment leaves the entry's hash wrong, which names it.
      if (bytes.ok()) e->set_attachment(*std::move(bytes));
    }
    entries.push_back(*std::move(e));
  }
  const std::vector<std::string> findings = client::CheckEvidence(entries, *head, server_key);
  const std::string author = crypto::ToHex(UserIdFor(head->author_sign_pk()));
  const std::string key = crypto::ToHex(server_key);
  Record r;
  r.Set("intact", findings.empty()).Set("entries", double(entries.size()))
      .Set("author_user_id", author).Set("server_key", key)
      .Set("findings", absl::StrJoin(findings, "\n"));
  if (!findings.empty()) {
    r.Print(g.json, absl::StrCat("NOT intact:\n  ", absl::StrJoin(findings, "\n  ")));
    return absl::DataLossError(absl::StrCat("the export at ", dir, " was altered"));
  }
  r.Print(g.json,
          absl::StrCat("Intact: ", entries.size(), " entries, each in order, signed by user ",
                       author, " and timestamped by server key ", key,
                       ".\nCheck that user id and key with the person and the server's operator."));
  return absl::OkStatus();
}

}  // namespace kith::cli
