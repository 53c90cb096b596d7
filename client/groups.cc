// Groups and moderation over a Session. Every event is built from a fresh,
// verified view (Session::AppendFresh), so it binds the place in the log its
// author saw.
#include "kith/groups.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"

namespace kith::client {
namespace {

constexpr int kSendRounds = 4;

}  // namespace

// --- InviteCode ---------------------------------------------------------------

std::string InviteCode::ToString() const {
  return absl::StrCat("kith:", crypto::ToHex(group_id), ":", crypto::ToHex(secret));
}

absl::StatusOr<InviteCode> InviteCode::Parse(std::string_view code) {
  auto bad = absl::InvalidArgumentError("an invite code looks like kith:<32 hex>:<64 hex>");
  if (!code.starts_with("kith:")) return bad;
  code.remove_prefix(5);
  size_t colon = code.find(':');
  if (colon == std::string_view::npos) return bad;
  auto group = crypto::FromHex(code.substr(0, colon));
  auto secret = crypto::FromHex(code.substr(colon + 1));
  if (!group.ok() || !secret.ok() || group->size() != kIdBytes ||
      secret->size() != kInviteSecretBytes) {
    return bad;
  }
  return InviteCode{*std::move(group), *std::move(secret)};
}

absl::Status Groups::SendCreate(v1::SignedEvent create) {
  v1::CreateGroupRequest req;
  *req.mutable_create() = std::move(create);
  v1::AppendReply reply;
  return session_.Call([&](auto* ctx) { return session_.stub()->CreateGroup(ctx, req, &reply); });
}

absl::StatusOr<std::string> Groups::CreateGroup(v1::Charter charter) {
  NewGroup group = BuildCreate(session_.identity(), std::move(charter));
  if (auto s = SendCreate(std::move(group.create)); !s.ok()) return s;
  return group.group_id;
}

absl::StatusOr<v1::Charter> Groups::GetCharter(const std::string& group_id) {
  v1::GroupRef req;
  req.set_group_id(group_id);
  v1::Charter charter;
  if (auto s =
          session_.Call([&](auto* ctx) { return session_.stub()->GetCharter(ctx, req, &charter); });
      !s.ok()) {
    return s;
  }
  return charter;
}

absl::StatusOr<InviteCode> Groups::Invite(const std::string& group_id) {
  InviteCode code{group_id, crypto::RandomBytes(kInviteSecretBytes)};
  auto reply =
      session_.AppendFresh(group_id, [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
        return BuildInvite(session_.identity(), view.state(), code.secret);
      });
  if (!reply.ok()) return reply.status();
  return code;
}

absl::Status Groups::Join(const InviteCode& code, const v1::Charter& accepted) {
  v1::JoinGroupRequest req;
  req.set_group_id(code.group_id);
  *req.mutable_request() =
      BuildJoinRequest(session_.identity(), code.group_id, code.secret, accepted);
  v1::AppendReply reply;
  return session_.Call([&](auto* ctx) { return session_.stub()->JoinGroup(ctx, req, &reply); });
}

absl::StatusOr<std::vector<PendingMember>> Groups::Pending(const std::string& group_id) {
  auto view = session_.Sync(group_id);
  if (!view.ok()) return view.status();
  std::vector<PendingMember> out;
  for (const auto& [id, p] : (*view)->state().pending()) {
    out.push_back({id, p.bundle.name(), p.seq, LookalikesOf(**view, id)});
  }
  return out;
}

absl::Status Groups::Admit(const std::string& group_id, const std::vector<std::string>& user_ids) {
  return session_
      .AppendFresh(group_id,
                   [&](const GroupView& view) {
                     return BuildCommit(session_.identity(), view.state(), user_ids, {});
                   })
      .status();
}

absl::Status Groups::Remove(const std::string& group_id, const std::string& user_id) {
  return session_
      .AppendFresh(group_id,
                   [&](const GroupView& view) {
                     return BuildCommit(session_.identity(), view.state(), {}, {user_id});
                   })
      .status();
}

absl::Status Groups::Rekey(const std::string& group_id) {
  return session_
      .AppendFresh(group_id,
                   [&](const GroupView& view) {
                     return BuildCommit(session_.identity(), view.state(), {}, {});
                   })
      .status();
}

absl::Status Groups::SetRole(const std::string& group_id, const std::string& user_id,
                             v1::Role role) {
  return session_
      .AppendFresh(group_id,
                   [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
                     return BuildRoleChange(session_.identity(), view.state(), user_id, role);
                   })
      .status();
}

absl::Status Groups::Leave(const std::string& group_id) {
  return session_
      .AppendFresh(group_id,
                   [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
                     return BuildLeave(session_.identity(), view.state());
                   })
      .status();
}

absl::StatusOr<uint64_t> Groups::Moderate(const std::string& group_id,
                                          const v1::Moderation& action) {
  auto reply =
      session_.AppendFresh(group_id, [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
        return BuildModeration(session_.identity(), view.state(), action);
      });
  if (!reply.ok()) return reply.status();
  if (action.action() == v1::Moderation::REMOVE || action.action() == v1::Moderation::BAN) {
    // Until this re-key nobody may post; should it fail, the next sender's
    // client re-keys instead (see Send).
    if (auto s = Rekey(group_id); !s.ok()) return s;
  }
  return reply->seq();
}

absl::StatusOr<uint64_t> Groups::Report(const std::string& group_id, uint64_t message_seq,
                                        std::string rule, std::string note) {
  auto checkpoint = session_.Checkpoint(group_id);
  if (!checkpoint.ok()) return checkpoint.status();
  const GroupView& synced = *session_.SyncedView(group_id);
  auto content = BuildReportContent(synced, *checkpoint, message_seq, std::move(rule),
                                    std::move(note));
  if (!content.ok()) return content.status();
  const std::string accused = synced.FindMessage(message_seq)->sender;
  auto reply =
      session_.AppendFresh(group_id, [&](const GroupView& view) -> absl::StatusOr<v1::SignedEvent> {
        // A report about a moderator goes to the others; with none, nowhere.
        size_t moderators = 0;
        for (const auto& [id, member] : view.state().members()) {
          moderators += IsModeratorRole(member.role) && id != accused;
        }
        if (moderators == 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              view.NameOf(accused), " is this group's only moderator, so a report about their "
              "message has nobody else to go to. The group needs a second moderator: the owner "
              "makes one with 'kith group role GROUP USER moderator'"));
        }
        return BuildReport(session_.identity(), view.state(), *content, accused);
      });
  crypto::Wipe(*content->mutable_franking_key());
  if (!reply.ok()) return reply.status();
  return reply->seq();
}

absl::StatusOr<std::vector<QueueItem>> Groups::ModerationQueue(const std::string& group_id) {
  auto server_key = session_.ServerKey();
  if (!server_key.ok()) return server_key.status();
  auto synced = session_.Sync(group_id);
  if (!synced.ok()) return synced.status();
  const GroupView& view = **synced;
  if (!view.state().IsModerator(session_.identity().user_id())) {
    return absl::PermissionDeniedError("only the group's moderators see its reports");
  }
  const std::string& self = session_.identity().user_id();
  std::vector<QueueItem> items;  // reports that fail verification, and unreadable events
  std::map<uint64_t, QueueItem> by_message;  // everything else, one item per message
  auto merge = [&](QueueItem item) {
    auto [it, fresh] = by_message.try_emplace(item.message_seq, item);
    QueueItem& merged = it->second;
    if (!fresh) {
      merged.also.push_back(item.seq);
      merged.filed_ms = std::min(merged.filed_ms, item.filed_ms);
      if (item.kind == QueueItem::Kind::kReport) merged.kind = QueueItem::Kind::kReport;
      merged.overridden |= item.overridden;
      for (const auto& rule : item.rules) {
        if (std::find(merged.rules.begin(), merged.rules.end(), rule) == merged.rules.end()) {
          merged.rules.push_back(rule);
        }
      }
      if (!item.note.empty()) {
        merged.note = merged.note.empty() ? item.note : absl::StrCat(merged.note, "; ", item.note);
      }
      merged.reporters.insert(merged.reporters.end(), item.reporters.begin(), item.reporters.end());
    }
  };
  for (const ReportRecord& r : view.reports()) {
    // Withheld from this moderator: it is about their own message.
    if (view.state().IsResolved(r.seq) || view.state().ReportWithheldFrom(r.seq) == self) continue;
    QueueItem item;
    item.seq = r.seq;
    item.filed_ms = r.server_time_ms;
    item.reporter = r.reporter;
    auto content = OpenReport(r.report, group_id, r.reporter, self,
                              session_.identity().box.public_key, session_.identity().box.secret_key);
    if (!content.ok()) {
      item.verified = content.status();
      items.push_back(std::move(item));
      continue;
    }
    item.message_seq = content->message_seq();
    if (!content->rule().empty()) item.rules.push_back(content->rule());
    item.note = content->note();
    item.text = content->text();
    v1::ReadRequest req;
    req.set_group_id(group_id);
    req.set_from_seq(content->message_seq());
    req.set_limit(1);
    v1::ReadReply reported;
    item.verified =
        session_.Call([&](auto* ctx) { return session_.stub()->ReadEvents(ctx, req, &reported); });
    if (item.verified.ok() && reported.events_size() != 1) {
      item.verified = absl::NotFoundError("the reported event is not in the log");
    }
    if (item.verified.ok()) {
      auto accused = VerifyReport(view, *server_key, *content, reported.events(0));
      if (accused.ok()) item.accused = *accused;
      item.verified = accused.status();
    }
    crypto::Wipe(*content->mutable_franking_key());
    if (!item.verified.ok()) {
      items.push_back(std::move(item));
      continue;
    }
    item.reporters.push_back(item.reporter);
    merge(std::move(item));
  }
  for (const Message& m : view.messages()) {
    if (m.overridden_rules.empty() || view.state().IsResolved(m.seq)) continue;
    QueueItem item;
    item.kind = QueueItem::Kind::kOverride;
    item.seq = item.message_seq = m.seq;
    item.filed_ms = m.server_time_ms;
    item.reporter = item.accused = m.sender;
    item.overridden = true;
    item.rules = m.overridden_rules;
    item.text = m.text;
    merge(std::move(item));
  }
  for (auto& [message_seq, item] : by_message) {
    // The earliest item names the resolution; the message's own seq is
    // closed with it, so a later report finds it already resolved.
    item.also.push_back(item.seq);
    std::sort(item.also.begin(), item.also.end());
    item.seq = item.also.front();
    item.also.erase(item.also.begin());
    item.already_resolved = view.state().IsResolved(message_seq);
    if (!item.already_resolved && message_seq != item.seq &&
        std::find(item.also.begin(), item.also.end(), message_seq) == item.also.end()) {
      item.also.push_back(message_seq);
    }
    items.push_back(std::move(item));
  }
  // Content that does not open: the signed event in the verified log is the
  // evidence, and every moderator checks it for themselves.
  for (const UnreadableEvent& u : view.unreadable_events()) {
    if (view.state().IsResolved(u.seq)) continue;
    QueueItem item;
    item.kind = QueueItem::Kind::kUnreadable;
    item.seq = item.message_seq = u.seq;
    item.filed_ms = u.server_time_ms;
    item.reporter = item.accused = u.author;
    item.note = absl::StrCat("its ", u.what, " does not open: ", u.reason);
    items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end(),
            [](const QueueItem& a, const QueueItem& b) { return a.seq < b.seq; });
  return items;
}

absl::StatusOr<uint64_t> Groups::Send(const std::string& group_id, std::string_view text,
                                      const std::vector<std::string>& overridden_rules) {
  if (text.size() > kMaxTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("message is ", text.size(), " bytes; the limit is ", kMaxTextBytes));
  }
  // After a member leaves nobody may post in the old epoch; the first sender
  // re-keys (from the same fresh view) so the departed member reads nothing new.
  bool rekeying = false;
  auto rekey_or_seal = [&](const GroupView& v) -> absl::StatusOr<v1::SignedEvent> {
    rekeying = v.state().needs_rekey();
    if (rekeying) return BuildCommit(session_.identity(), v.state(), {}, {});
    return v.SealMessage(text, overridden_rules);
  };
  for (int round = 0; round < kSendRounds; ++round) {
    auto reply = session_.AppendFresh(group_id, rekey_or_seal);
    if (!reply.ok()) return reply.status();
    if (!rekeying) return reply->seq();
  }
  return absl::AbortedError("members kept leaving while sending; try again");
}

absl::StatusOr<std::string> Groups::OpenDirect(const std::string& user_id, bool create) {
  if (user_id == session_.identity().user_id()) {
    return absl::InvalidArgumentError("a direct conversation is with someone else");
  }
  // Twice at most: a conversation the other person started meanwhile wins.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto groups = session_.ListGroups();
    if (!groups.ok()) return groups.status();
    for (const v1::GroupSummary& g : groups->groups()) {
      if (g.charter().kind() == v1::KIND_DIRECT && g.peer() == user_id) return g.group_id();
    }
    if (!create) return absl::NotFoundError("you have no conversation with this person yet");
    auto peer = session_.GetIdentity(user_id);
    if (!peer.ok()) return peer.status();
    NewGroup group = BuildDirectCreate(session_.identity(), *peer);
    auto s = SendCreate(std::move(group.create));
    if (s.ok()) return group.group_id;
    if (!absl::IsAlreadyExists(s)) return s;
  }
  return absl::UnavailableError("could not open the conversation; try again");
}

}  // namespace kith::client
